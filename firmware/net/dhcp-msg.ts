// DHCP messages (RFC 2131 2, RFC 2132): the BOOTP fields, the option codes we send and read,
// where our requests' fields sit in tx, the fixed request bytes, and building and reading a
// message. The client's states and timers: dhcp.ts.

import { Cnt } from "./counters";
import { rd32, wr32 } from "./bytes";
import { Eth } from "./ethernet";
import { UdpHdr } from "./udp";
import { By, Size, St, W } from "./state";

/** Lengths in the options. */
export const enum Len {
  ADDR = 4,                             // an option holding one IPv4 address, lease or time
  CLIENT_ID = 1 + Eth.MAC_LEN,          // option 61: hardware type + MAC
  MAX_MSG = 1500,                       // option 57: the largest message we take (an MTU), by default
}
/** Option codes (RFC 2132). */
export const enum Opt {
  PAD = 0,
  SUBNET_MASK = 1,
  ROUTER = 3,
  DNS = 6,
  HOSTNAME = 12,
  REQUESTED_IP = 50,
  LEASE_TIME = 51,
  MSG_TYPE = 53,
  SERVER_ID = 54,
  PARAM_LIST = 55,
  MAX_SIZE = 57,
  T1 = 58,             // renewal time
  T2 = 59,             // rebinding time
  CLIENT_ID = 61,
  END = 255,
}
/** BOOTP/DHCP message fields (RFC 2131 2, figure 1) as offsets from the message's start. */
export const enum B {
  OP = 0,
  HTYPE = 1,
  HLEN = 2,
  XID = 4,             // transaction id, 4 bytes
  CIADDR = 12,         // client address (RENEWING, REBINDING)
  YIADDR = 16,         // "your" address: the one offered / assigned
  CHADDR = 28,         // client hardware address, 16 bytes
  COOKIE = 236,        // magic cookie, 4 bytes
  OPTIONS = 240,
  MIN_LEN = 300,       // a BOOTP message is at least this long (RFC 1542 2.1), zero-padded
  BOOTREQUEST = 1,     // op
  BOOTREPLY = 2,
  HTYPE_ETHERNET = 1,
  COOKIE_VALUE = 0x63825363,
}
/** Where our requests' fields sit in tx: the message is the UDP payload, options in fixed places first. */
export const enum Tx {
  MSG = UdpHdr.TX_DATA,                 // 42
  TYPE = MSG + B.OPTIONS + 2,           // the value of option 53 (HEAD lays out its code and length)
  CLIENT_MAC = MSG + B.OPTIONS + 6,     // option 61: code, length, type 1 (HEAD), then the MAC
  MORE = MSG + B.OPTIONS + 12,          // options 50 and 54 (REQUESTING), then the closing ones
}
// Options read, in the order of the option slots (c at W.DHCP_OPTS): message type (1 byte), server id, subnet mask,
// lease time, T1, T2 (4 bytes each), router and DNS servers (lists of addresses: the first is taken).
export const enum Slot { TYPE, SERVER, MASK, LEASE, T1, T2, ROUTER, DNS }
// (Tables as typed arrays: flat, where a plain array costs Espruino a variable or more per element.)
export var READ = new Uint8Array([Opt.MSG_TYPE, Opt.SERVER_ID, Opt.SUBNET_MASK, Opt.LEASE_TIME, Opt.T1, Opt.T2, Opt.ROUTER, Opt.DNS]);
// Fixed request bytes from the magic cookie on: the cookie, option 53 (its value is written at
// Tx.TYPE), the head of option 61 (the MAC follows at Tx.CLIENT_MAC).
export var HEAD = new Uint8Array([B.COOKIE_VALUE >>> 24, (B.COOKIE_VALUE >> 16) & 255, (B.COOKIE_VALUE >> 8) & 255,
  B.COOKIE_VALUE & 255, Opt.MSG_TYPE, 1, 0, Opt.CLIENT_ID, Len.CLIENT_ID, B.HTYPE_ETHERNET]);
// Closing options: 55 parameter list (1, 3, 6, 51, 58, 59), 57 max message size, end.
export var TAIL = new Uint8Array([Opt.PARAM_LIST, 6, Opt.SUBNET_MASK, Opt.ROUTER, Opt.DNS, Opt.LEASE_TIME, Opt.T1, Opt.T2,
  Opt.MAX_SIZE, 2, Len.MAX_MSG >> 8, Len.MAX_MSG & 255, Opt.END]);
/** Where option 57's value sits in TAIL. */
export const enum Tail { MAX_SIZE_VALUE = 10 }

/**
 * Builds a BOOTREQUEST of the given type at tx[42..): ciaddr, option 50 (reqIp, 0: none), option
 * 54 (sid, 0: none), the closing options (12, 55, 57) when `tail`; returns the message's length.
 */
export function dhcpBuild(s: St, type: number, ciaddr: number, reqIp: number, sid: number, tail: boolean): number {
  var tx = s.tx, c = s.c, mac = s.netif.mac, i = Tx.MORE, tailLen = c[W.DHCP_TAIL_LEN];
  tx.fill(0, Tx.MSG, Tx.MSG + B.MIN_LEN);
  tx[Tx.MSG + B.OP] = B.BOOTREQUEST;
  tx[Tx.MSG + B.HTYPE] = B.HTYPE_ETHERNET;
  tx[Tx.MSG + B.HLEN] = Eth.MAC_LEN;
  wr32(tx, Tx.MSG + B.XID, c[W.DHCP_XID]);
  wr32(tx, Tx.MSG + B.CIADDR, ciaddr);
  tx.set(mac, Tx.MSG + B.CHADDR);
  tx.set(HEAD, Tx.MSG + B.COOKIE);
  tx[Tx.TYPE] = type;
  tx.set(mac, Tx.CLIENT_MAC);
  if (reqIp) {
    tx[i] = Opt.REQUESTED_IP;   // code, length, address
    tx[i + 1] = Len.ADDR;
    wr32(tx, i + 2, reqIp);
    i += 2 + Len.ADDR;
  }
  if (sid) {
    tx[i] = Opt.SERVER_ID;
    tx[i + 1] = Len.ADDR;
    wr32(tx, i + 2, sid);
    i += 2 + Len.ADDR;
  }
  if (tail) {
    tx.set(s.b.subarray(By.DHCP_TAIL, By.DHCP_TAIL + tailLen), i);
    i += tailLen;
  } else tx[i++] = Opt.END;
  c[Cnt.DHCP_TX]++;
  return i - Tx.MSG < B.MIN_LEN ? B.MIN_LEN : i - Tx.MSG;
}

/** Reads the options at rx[i..end) into the option slots (c at W.DHCP_OPTS, as READ); false when
 * the list is broken. */
export function dhcpParse(s: St, rx: Uint8Array, i: number, end: number): boolean {
  var c = s.c;
  c.fill(0, W.DHCP_OPTS, W.DHCP_OPTS + Size.DHCP_OPTS);
  while (i < end) {
    var code = rx[i];
    if (code === Opt.END) break;
    if (code === Opt.PAD) { i++; continue; }
    var ol = rx[i + 1];
    var v = i + 2;
    if (!(v + ol <= end)) return false;   // also when the length byte itself is missing
    var k = READ.indexOf(code);
    if (k === Slot.TYPE) {
      if (ol !== 1) return false;
      c[W.DHCP_OPTS + k] = rx[v];
    } else if (k >= 0) {
      // a list of addresses (router: the first is taken), or exactly one address or time
      if (k >= Slot.ROUTER ? ol < Len.ADDR || (ol & 3) !== 0 : ol !== Len.ADDR) return false;
      c[W.DHCP_OPTS + k] = rd32(rx, v);
    }
    i = v + ol;
  }
  return true;
}
