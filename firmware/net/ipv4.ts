// IPv4 (RFC 791 / RFC 1122 host requirements, no forwarding): input validation and output header.
//
// Input: version 4, IHL >= 5 (options are skipped, not interpreted), total length within the
// frame (Ethernet padding beyond it ignored), header checksum, source not broadcast/multicast.
// Accepted destinations: our address, 255.255.255.255, our subnet broadcast, and anything at all
// while we have no address (so DHCP offers sent to the offered address get through).
// Fragments (MF set or a non-zero offset) are DROPPED and counted (ip.dropFragment): reassembly
// needs memory a small board does not have, and nothing we serve needs datagrams over the MTU.
// Output: a 20-byte header without options, TTL 64, DF set, an incrementing identification.

import { Netif } from "../../hal/netif";
import { csumAdd, csumFinish, csumView } from "./checksum";

/** The addressing the layers share (the Stack object itself carries these fields). */
export interface IpState {
  addr: number;
  mask: number;
  gateway: number;
}

export function rd32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

export function rd16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

// Writes rely on Uint8Array storing the low 8 bits of what is assigned.
export function wr16(b: Uint8Array, i: number, v: number): void {
  b[i] = v >> 8;
  b[i + 1] = v;
}

export function wr32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = v >>> 16;
  b[i + 2] = v >>> 8;
  b[i + 3] = v;
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

export function createIpv4(netif: Netif, st: IpState, c: { [k: string]: number }, deliver: Ipv4Deliver): Ipv4 {
  var rx = netif.rx;
  var tx = netif.tx;
  // The 20-byte IPv4 headers (at 14) as aligned 16-bit views for the checksum.
  function headerView(b: Uint8Array): Uint16Array {
    return new Uint16Array(b.buffer, b.byteOffset + 14, 10);
  }
  var rxHdr = headerView(rx);
  var txHdr = headerView(tx);
  // Ethernet source + type + constant IPv4 fields + source address, copied in one set().
  var template = new Uint8Array(34);
  template.set(netif.mac, 6);
  template[12] = 8;
  template[14] = 0x45;
  template[20] = 0x40;  // DF
  template[22] = 64;    // TTL
  var id = 0;
  var rxSrcIp = rx.subarray(26, 30);

  /** The header for an l4Len-byte payload to dst (-1: to the source of the packet in rx). */
  function header(proto: number, dst: number, l4Len: number): void {
    tx.set(template, 0);
    wr16(tx, 16, l4Len + 20);
    wr16(tx, 18, ++id);   // the low 16 bits
    tx[23] = proto;
    if (dst < 0) tx.set(rxSrcIp, 30);
    else wr32(tx, 30, dst);
    wr16(tx, 24, csumFinish(csumView(txHdr)));
  }

  return {
    input: function (rx: Uint8Array, len: number): void {
      c.rx++;
      var v = rx[14];
      var ihl = (v & 15) << 2;
      var tl = rd16(rx, 16);
      var dst = rd32(rx, 30);
      var addr = st.addr;
      // The first reason to drop, by the name of its counter ("" = none).
      var drop = len < 34 ? "dropShort" : v >> 4 !== 4 ? "dropVersion" : ihl < 20 ? "dropIhl" :
        tl < ihl || tl + 14 > len ? "dropLength" :
        csumFinish(ihl === 20 ? csumView(rxHdr) : csumAdd(rx, 14, ihl, 0)) ? "dropChecksum" :
        (rx[20] & 0x3f) | rx[21] ? "dropFragment" : rx[26] >= 224 ? "dropSource" :
        dst !== addr && addr && dst !== 0xffffffff && dst !== ((addr | ~st.mask) >>> 0) ? "dropNotForUs" : "";
      if (drop) { c[drop]++; return; }
      if (ihl !== 20) c.options++;
      deliver(rx[23], 14 + ihl, tl - ihl);
    },
    writeHeader: header,
    setSource: function (addr: number): void {
      wr32(template, 26, addr);
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
