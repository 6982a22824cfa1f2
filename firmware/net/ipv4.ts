// IPv4 (RFC 791 / RFC 1122 host requirements, no forwarding): input validation and output header.
//
// Input: version 4, IHL >= 5 (options are skipped, not interpreted), total length within the
// frame (Ethernet padding beyond it ignored), header checksum, source not broadcast/multicast.
// Accepted destinations: our address, 255.255.255.255, our subnet broadcast, and anything at all
// while we have no address (so DHCP offers sent to the offered address get through).
// Fragments (MF set or a non-zero offset) are DROPPED and counted (ip.dropFragment): reassembly
// needs memory a small board does not have, and nothing we serve needs datagrams over the MTU.
// Output: a 20-byte header without options, TTL 64, DF set, an incrementing identification.

import { Cnt } from "./counters";
import { Netif } from "../../hal/netif";
import { rd16, rd32, wr16, wr32 } from "./bytes";
import { csumAdd, csumFinish, csumView } from "./checksum";
import { Eth } from "./ethernet";

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

/**
 * Receives a validated payload. The addresses stay in rx (source at 26, destination at 30; read
 * them with rd32 where needed): not passing them as arguments keeps V8 from boxing the unsigned
 * numbers >= 2^31 on every packet, and costs nothing on Espruino.
 */
export type Ipv4Deliver = (proto: number, l4Off: number, l4Len: number) => void;

export interface Ipv4 {
  /** Validates the IPv4 packet in rx (frame length len) and hands its payload to deliver. */
  input(rx: Uint8Array, len: number): void;
  /**
   * Writes Ethernet source/type and the IPv4 header into tx for an l4Len-byte payload at 34;
   * dst -1 addresses the source of the packet in rx (replies: echo, ICMP errors).
   */
  writeHeader(proto: number, dst: number, l4Len: number): void;
  /** Updates the source address kept in the header template. */
  setSource(addr: number): void;
}

export function createIpv4(netif: Netif, st: IpState, c: Uint32Array, deliver: Ipv4Deliver): Ipv4 {
  var rx = netif.rx;
  var tx = netif.tx;
  // The 20-byte IPv4 headers (at 14) as aligned 16-bit views for the checksum.
  function headerView(b: Uint8Array): Uint16Array {
    return new Uint16Array(b.buffer, b.byteOffset + Ip.VER_IHL, Ip.MIN_HEADER >> 1);
  }
  var rxHdr = headerView(rx);
  var txHdr = headerView(tx);
  // Ethernet source + type + constant IPv4 fields + source address, copied in one set().
  var template = new Uint8Array(Ip.PAYLOAD);
  template.set(netif.mac, Eth.SRC);
  template[Eth.TYPE] = Eth.TYPE_IPV4 >> 8;
  template[Ip.VER_IHL] = Ip.VER_IHL_OUT;
  template[Ip.FLAGS_FRAG] = Ip.DF;
  template[Ip.TTL] = Ip.TTL_OUT;
  var id = 0;
  var rxSrcIp = rx.subarray(Ip.SRC, Ip.DST);

  /** The header for an l4Len-byte payload to dst (-1: to the source of the packet in rx). */
  function header(proto: number, dst: number, l4Len: number): void {
    tx.set(template, 0);
    wr16(tx, Ip.TOTAL_LEN, l4Len + Ip.MIN_HEADER);
    wr16(tx, Ip.ID, ++id);   // the low 16 bits
    tx[Ip.PROTO] = proto;
    if (dst < 0) tx.set(rxSrcIp, Ip.DST);
    else wr32(tx, Ip.DST, dst);
    wr16(tx, Ip.CHECKSUM, csumFinish(csumView(txHdr)));
  }

  return {
    // One check and one counter per reason to drop, in this order.
    input: function (rx: Uint8Array, len: number): void {
      c[Cnt.IP_RX]++;
      // (Fields first, then the checks: see "Drops" in README.md.)
      var v = rx[Ip.VER_IHL];
      var ihl = (v & 15) << 2;   // in bytes
      var tl = rd16(rx, Ip.TOTAL_LEN);
      var dst = rd32(rx, Ip.DST);
      var addr = st.addr;
      if (len < Ip.PAYLOAD) { c[Cnt.IP_DROP_SHORT]++; return; }
      if (v >> 4 !== Ip.VERSION) { c[Cnt.IP_DROP_VERSION]++; return; }
      if (ihl < Ip.MIN_HEADER) { c[Cnt.IP_DROP_IHL]++; return; }
      // The total length covers the header and fits in the frame (bytes past it: Ethernet padding).
      if (tl < ihl || tl + Eth.HEADER > len) { c[Cnt.IP_DROP_LENGTH]++; return; }
      // Without options the header sum runs over the preallocated view: no view is created.
      if (csumFinish(ihl === Ip.MIN_HEADER ? csumView(rxHdr) : csumAdd(rx, Ip.VER_IHL, ihl, 0))) {
        c[Cnt.IP_DROP_CHECKSUM]++;
        return;
      }
      if ((rx[Ip.FLAGS_FRAG] & (Ip.MF | Ip.FRAG_HIGH)) | rx[Ip.FLAGS_FRAG + 1]) { c[Cnt.IP_DROP_FRAGMENT]++; return; }
      if (rx[Ip.SRC] >= Ip.SRC_BAD_FIRST) { c[Cnt.IP_DROP_SOURCE]++; return; }
      // Ours, the limited broadcast or our subnet's broadcast; anything while we have no address.
      if (addr !== 0 && dst !== addr && dst !== Addr.BROADCAST && dst !== ((addr | ~st.mask) >>> 0)) {
        c[Cnt.IP_DROP_NOT_FOR_US]++;
        return;
      }
      if (ihl !== Ip.MIN_HEADER) c[Cnt.IP_OPTIONS]++;
      deliver(rx[Ip.PROTO], Eth.HEADER + ihl, tl - ihl);
    },
    writeHeader: header,
    setSource: function (addr: number): void {
      wr32(template, Ip.SRC, addr);
    },
  };
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
