// IPv4 (RFC 791 / RFC 1122 host requirements, no forwarding): input validation and delivery,
// output header, routing to the next hop.
//
// Input: version 4, IHL >= 5 (options are skipped, not interpreted), total length within the
// frame (Ethernet padding beyond it ignored), header checksum, source not broadcast/multicast.
// Accepted destinations: our address, 255.255.255.255, our subnet broadcast, and anything at all
// while we have no address (so DHCP offers sent to the offered address get through); IP
// multicast only when it came to a joined group's MAC. A frame sent to a link-layer broadcast or
// multicast address must carry an IP broadcast or multicast destination (RFC 1122 3.3.6).
// Fragments (MF set or a non-zero offset) are reassembled (reasm.ts), bounded; dropped
// (ip.dropFragment) by a stack without that part (state.ts, Parts).
// Output: a 20-byte header without options, TTL 64, DF set, an incrementing identification.
// All functions take the stack record (state.ts) first.

import { Cnt } from "./counters";
import { rd32, wr32 } from "./bytes";
import { csumAdd, csumFinish } from "./checksum";
import { Eth } from "./ethernet";
import { arpResolve, arpSend, dropHold, Entry, Op, To } from "./arp";
import { icmpInput } from "./icmp";
import { udpInput } from "./udp";
import { By, Size, St, W } from "./state";
import { wordSum } from "../../hal/natives";

/** The addressing the layers share (the Stack object itself carries these fields). */
export interface IpState {
  addr: number;
  mask: number;
  gateway: number;
}

/** IPv4 header fields (RFC 791 3.1) as offsets in a frame: the header follows Ethernet's at 14. */
export const enum Ip {
  VER_IHL = 14,         // version (high nibble), header length in 32-bit words (low nibble)
  TOTAL_LEN = 16,       // header + payload, 2 bytes
  ID = 18,              // identification, 2 bytes
  FLAGS_FRAG = 20,      // flags (3 bits) and fragment offset (13 bits), 2 bytes
  TTL = 22,
  PROTO = 23,
  CHECKSUM = 24,        // header checksum, 2 bytes
  SRC = 26,             // source address, 4 bytes
  DST = 30,             // destination address, 4 bytes
  PAYLOAD = 34,         // the layer-4 header: always here on output (no options)
  MIN_HEADER = 20,      // IHL 5, the only header we send
  VERSION = 4,
  VER_IHL_OUT = 0x45,   // version 4, IHL 5
  DF = 0x40,            // "don't fragment", in the first byte at FLAGS_FRAG
  MF = 0x20,            // "more fragments", likewise
  FRAG_HIGH = 0x1f,     // the fragment offset's high 5 bits, likewise (its low 8: the next byte)
  TTL_OUT = 64,
  // A source whose first byte is >= 224 is multicast (224/4) or reserved/broadcast (240/4):
  // never a valid source (RFC 1122 3.2.1.3).
  SRC_BAD_FIRST = 224,
}

/** The IP protocol numbers the stack handles itself or hands on (TCP). */
export const enum Proto {
  ICMP = 1,
  TCP = 6,
  UDP = 17,
}

/** Special addresses, as unsigned 32-bit numbers. */
export const enum Addr {
  BROADCAST = 0xffffffff,   // 255.255.255.255, the limited broadcast
}

/**
 * What ipSend (and udp.send) did with a datagram. The numbers are part of the interface
 * (callers compare `> 0`, `>= 0`): keep them.
 */
export const enum IpSend {
  /** Handed to the driver. */
  SENT = 1,
  /** Not on the wire yet: the next hop is being resolved (the frame is held if the hold buffer was free). */
  PENDING_ARP = 0,
  /** No address, or off-subnet without a gateway. */
  NO_ROUTE = -1,
  LINK_DOWN = -2,
  /** The driver refused the frame. */
  REFUSED = -3,
  /** Headers + payload larger than tx. */
  TOO_BIG = -4,
}

const enum K {
  // IPv4 multicast 224.0.0.0/4 (first nibble 14) maps to the MAC 01:00:5e + the group's low
  // 23 bits (RFC 1112 6.4).
  MCAST_NIBBLE = 14,
  MCAST_MAC0 = 0x01,
  MCAST_MAC1 = 0x00,
  MCAST_MAC2 = 0x5e,
  MCAST_GROUP_BITS = 0x7fffff,
}

/**
 * Writes Ethernet source/type and the IPv4 header into tx for an l4Len-byte payload at 34;
 * dst -1 addresses the source of the packet in rx (replies: echo, ICMP errors).
 */
export function ipHeader(s: St, proto: number, dst: number, l4Len: number): void {
  var tx = s.tx, tl = l4Len + Ip.MIN_HEADER, id = ++s.c[W.IP_ID], sum: number;
  // (Fields written inline, stores keep the low 8 bits: this runs for every frame sent.)
  tx.set(s.tpl, 0);
  tx[Ip.TOTAL_LEN] = tl >> 8;
  tx[Ip.TOTAL_LEN + 1] = tl;
  tx[Ip.ID] = id >> 8;   // the low 16 bits
  tx[Ip.ID + 1] = id;
  tx[Ip.PROTO] = proto;
  wr32(tx, Ip.DST, dst < 0 ? rd32(s.rx, Ip.SRC) : dst);
  // The complement of the folded native (little-endian) sum is the checksum with its two bytes
  // swapped: stored low byte first, no swap needed.
  sum = csumFinish(wordSum(s.txHdr));
  tx[Ip.CHECKSUM] = sum;
  tx[Ip.CHECKSUM + 1] = sum >> 8;
}

/** Hands the frame in tx (len bytes, all but the destination MAC when a reply) to the driver. */
export function sendFrame(s: St, len: number): IpSend {
  if (s.netif.send(len)) {
    s.c[Cnt.ETH_TX]++;
    s.c[Cnt.IP_TX]++;
    return IpSend.SENT;
  }
  s.c[Cnt.ETH_TX_FAIL]++;
  return IpSend.REFUSED;
}

/** Sends the l4Len-byte payload at tx[34..) back to the sender of the frame in rx (its MAC, its address). */
export function sendReply(s: St, proto: number, l4Len: number): IpSend {
  ipHeader(s, proto, -1, l4Len);
  s.tx.set(s.rxSrc, Eth.DST);
  return sendFrame(s, l4Len + Ip.PAYLOAD);
}

/**
 * Stack.ipSend (`this`: the stack; from the layers inside, ipSend.call(s, ...)): sends the
 * l4Len-byte payload at tx[34..) to dst (the IPv4 and Ethernet headers written here); the next
 * hop resolved by ARP.
 */
export function ipSend(this: St, proto: number, dst: number, l4Len: number): IpSend {
  var s = this, len = l4Len + Ip.PAYLOAD, tx = s.tx, addr = s.addr;
  if (s.wk) s.wk();   // called from outside the runner: it looks at the deadlines (eth-run.ts)
  if (len > tx.length) return IpSend.TOO_BIG;
  if (!s.linkUp) return IpSend.LINK_DOWN;
  ipHeader(s, proto, dst, l4Len);
  if (dst === Addr.BROADCAST || (addr !== 0 && dst === ((addr | ~s.mask) >>> 0))) {
    tx.fill(Eth.BROADCAST_BYTE, Eth.DST, Eth.DST + Eth.MAC_LEN);
  } else if (dst >>> 28 === K.MCAST_NIBBLE) {
    wr32(tx, Eth.DST + 2, dst & K.MCAST_GROUP_BITS);
    tx[Eth.DST] = K.MCAST_MAC0; tx[Eth.DST + 1] = K.MCAST_MAC1; tx[Eth.DST + 2] = K.MCAST_MAC2;
  } else {
    var hop = ((dst ^ addr) & s.mask) === 0 ? dst : s.gateway;
    if (addr === 0 || hop === 0) return IpSend.NO_ROUTE;
    if (arpResolve(s, len, hop) === IpSend.PENDING_ARP) return IpSend.PENDING_ARP;
  }
  return sendFrame(s, len);
}

/**
 * Validates the IPv4 packet in rx (frame length len) and hands its payload on: UDP and ICMP here,
 * other protocols (TCP) to their handler with the addresses. One check and one counter per reason
 * to drop, in this order.
 */
export function ipInput(s: St, len: number): void {
  var rx = s.rx, c = s.c;
  c[Cnt.IP_RX]++;
  // (Fields first, then the checks: see "Drops" in README.md. The total length is read inline:
  // this runs for every frame.)
  var v = rx[Ip.VER_IHL];
  var ihl = (v & 15) << 2;   // in bytes
  var tl = (rx[Ip.TOTAL_LEN] << 8) | rx[Ip.TOTAL_LEN + 1];
  var dst = rd32(rx, Ip.DST);
  var addr = s.addr;
  var proto = rx[Ip.PROTO];
  if (len < Ip.PAYLOAD) { c[Cnt.IP_DROP_SHORT]++; return; }
  if (v >> 4 !== Ip.VERSION) { c[Cnt.IP_DROP_VERSION]++; return; }
  if (ihl < Ip.MIN_HEADER) { c[Cnt.IP_DROP_IHL]++; return; }
  // The total length covers the header and fits in the frame (bytes past it: Ethernet padding).
  if (tl < ihl || tl + Eth.HEADER > len) { c[Cnt.IP_DROP_LENGTH]++; return; }
  // Without options the header sum runs over the preallocated view: no view is created; a valid
  // header sums to 0xffff in either byte order, so the native sum needs no byte swap here.
  if (csumFinish(ihl === Ip.MIN_HEADER ? wordSum(s.rxHdr) : csumAdd(rx, Ip.VER_IHL, ihl, 0))) {
    c[Cnt.IP_DROP_CHECKSUM]++;
    return;
  }
  if (rx[Ip.SRC] >= Ip.SRC_BAD_FIRST) { c[Cnt.IP_DROP_SOURCE]++; return; }
  // Sent to a link-layer group (broadcast, or a multicast group joined): only for an IP broadcast
  // or multicast destination (RFC 1122 3.3.6; anything while we have no address, for DHCP).
  // Sent to our MAC: our address, the limited or our subnet's broadcast (anything while we have
  // none); an IP multicast destination only through its group's MAC (the filter in poll()
  // checked that we joined it).
  if (rx[Eth.DST] & Eth.GROUP_BIT) {
    if (addr !== 0 && dst !== Addr.BROADCAST && dst !== ((addr | ~s.mask) >>> 0) && dst >>> 28 !== K.MCAST_NIBBLE) {
      c[Cnt.IP_DROP_LINK_BCAST]++;
      return;
    }
  } else if (addr !== 0 && dst !== addr && dst !== Addr.BROADCAST && dst !== ((addr | ~s.mask) >>> 0)) {
    c[Cnt.IP_DROP_NOT_FOR_US]++;
    return;
  }
  if (ihl !== Ip.MIN_HEADER) c[Cnt.IP_OPTIONS]++;
  // A fragment (MF set or a non-zero offset) goes to reassembly (reasm.ts); a datagram completed
  // there is in rx now, with a 20-byte header.
  if ((rx[Ip.FLAGS_FRAG] & (Ip.MF | Ip.FRAG_HIGH)) | rx[Ip.FLAGS_FRAG + 1]) {
    if (!s.pt.reasm) { c[Cnt.IP_FRAGMENTS]++; c[Cnt.IP_DROP_FRAGMENT]++; return; }   // (no reassembly in this build)
    tl = s.pt.reasm.input(s, ihl, tl);
    if (!tl) return;
    ihl = Ip.MIN_HEADER;
  }
  // (The addresses stay in rx for UDP and ICMP: V8 would box the unsigned ones >= 2^31.)
  if (proto === Proto.UDP) udpInput(s, Eth.HEADER + ihl, tl - ihl);
  else if (proto === Proto.ICMP) icmpInput(s, Eth.HEADER + ihl, tl - ihl);
  else if (s.protos[proto]) s.protos[proto](rx, Eth.HEADER + ihl, tl - ihl, rd32(rx, Ip.SRC), dst);
  else c[Cnt.IP_DROP_PROTO]++;
}

/** Takes an address (0: none), mask and gateway; on a new address the ARP cache is flushed, the
 * address announced (gratuitous ARP) and the onAddress functions called. */
export function setAddress(s: St, addr: number, mask: number, gateway: number): void {
  var changed = addr !== s.addr;
  s.addr = addr;
  s.mask = mask;
  s.gateway = gateway;
  wr32(s.tpl, Ip.SRC, addr);
  if (!changed) return;
  s.b.fill(Entry.FREE, By.ARP_STATE, By.ARP_STATE + Size.ARP_ENTRIES);   // the ARP cache flushed
  s.ips.fill(0);
  dropHold(s, s.c[W.HOLD_IP]);
  if (s.linkUp && addr) arpSend(s, Op.REQUEST, To.BROADCAST, addr);
  for (var i = 0; i < s.addrFns.length; i++) s.addrFns[i]();
}

/** "a.b.c.d" -> unsigned 32-bit number; NaN for anything else (start-up / UI only). */
export function parseIp(s: string): number {
  var parts = String(s).split(".");
  var n = 0;
  for (var i = 0; i < 4; i++) {
    var p = parts[i];
    var v = parseInt(p, 10);
    // 1 to 3 digits: v written back with the same leading zeros gives p again
    if (parts.length !== 4 || !(v >= 0 && v < 256) || p.length > 3 || ("00" + v).slice(-p.length) !== p) return NaN;
    n = n * 256 + v;
  }
  return n;
}

/** Unsigned 32-bit number -> "a.b.c.d" (start-up / UI only). */
export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
