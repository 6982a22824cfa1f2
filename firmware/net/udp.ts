// UDP (RFC 768): at most Size.UDP_PORTS bound ports (handlers in s.ports, indexed by port),
// checksum verified (when non-zero) and generated.
// Receive handlers get (src, srcPort, rx, off, len, stack): the payload is valid only during the
// call. Datagrams to closed ports are answered with ICMP port unreachable (unicast ones only).
// udpInput takes the stack record first; bind, unbind and send are the stack's methods
// (Stack.udp is the stack itself).

import { Cnt } from "./counters";
import { rd16, rd32, wr16 } from "./bytes";
import { csumAdd, csumFinish, pseudoSum } from "./checksum";
import { Eth } from "./ethernet";
import { icmpUnreachable } from "./icmp";
import { Ip, IpSend, ipSend, Proto } from "./ipv4";
import { Size, St, UdpHandler, W } from "./state";

export { UdpHandler };

export interface Udp {
  bind(port: number, fn: UdpHandler): boolean;
  unbind(port: number): void;
  /** Payload already at tx[42..42+len): fills the UDP header and sends. Result as Stack.ipSend. */
  send(dst: number, dstPort: number, srcPort: number, len: number): IpSend;
}

/** UDP header fields (RFC 768) as offsets from the datagram's start. */
export const enum UdpHdr {
  SRC_PORT = 0,
  DST_PORT = 2,
  LENGTH = 4,        // header + data
  CHECKSUM = 6,      // 0 on input: the sender computed none
  HEADER = 8,
  TX_DATA = Ip.PAYLOAD + HEADER,   // where a payload to send is written in tx (42)
  MAX_PORT = 0xffff,
}

/** Stack.udp.bind (`this`: the stack): false when the port is taken or the table full. */
export function udpBind(this: St, port: number, fn: UdpHandler): boolean {
  if (port <= 0 || port > UdpHdr.MAX_PORT || this.ports[port] || this.c[W.UDP_BOUND] >= Size.UDP_PORTS) return false;
  this.ports[port] = fn;
  this.c[W.UDP_BOUND]++;
  return true;
}

/** Stack.udp.unbind (`this`: the stack). */
export function udpUnbind(this: St, port: number): void {
  if (this.ports[port]) {
    delete this.ports[port];
    this.c[W.UDP_BOUND]--;
  }
}

/** Stack.udp.send (`this`: the stack; from the layers inside, udpSend.call(s, ...)). */
export function udpSend(this: St, dst: number, dstPort: number, srcPort: number, len: number): IpSend {
  var tx = this.tx, ulen = len + UdpHdr.HEADER;
  if (ulen + Ip.PAYLOAD > tx.length) return IpSend.TOO_BIG;
  wr16(tx, Ip.PAYLOAD + UdpHdr.SRC_PORT, srcPort);
  wr16(tx, Ip.PAYLOAD + UdpHdr.DST_PORT, dstPort);
  wr16(tx, Ip.PAYLOAD + UdpHdr.LENGTH, ulen);
  wr16(tx, Ip.PAYLOAD + UdpHdr.CHECKSUM, 0);
  // a computed 0 is sent as 0xffff (0 means "no checksum", RFC 768)
  wr16(tx, Ip.PAYLOAD + UdpHdr.CHECKSUM,
    csumFinish(csumAdd(tx, Ip.PAYLOAD, ulen, pseudoSum(this.addr, dst, Proto.UDP, ulen))) || 0xffff);
  var r = ipSend.call(this, Proto.UDP, dst, ulen);
  if (r >= IpSend.PENDING_ARP) this.c[Cnt.UDP_TX]++;   // sent, or waiting for the next hop's MAC
  return r;
}

/**
 * The datagram at rx[off..off+len); addresses read from the IPv4 header in rx. One check and one
 * counter per reason to drop, in this order.
 */
export function udpInput(s: St, off: number, len: number): void {
  var rx = s.rx, c = s.c;
  c[Cnt.UDP_RX]++;
  // (Fields first, then the checks: see "Drops" in README.md.)
  var ulen = rd16(rx, off + UdpHdr.LENGTH);
  var src = rd32(rx, Ip.SRC);
  var dst = rd32(rx, Ip.DST);
  var fn = s.ports[rd16(rx, off + UdpHdr.DST_PORT)];
  if (len < UdpHdr.HEADER) { c[Cnt.UDP_DROP_SHORT]++; return; }
  if (ulen < UdpHdr.HEADER || ulen > len) { c[Cnt.UDP_DROP_LENGTH]++; return; }
  // A checksum field of 0: none was computed, none is checked.
  if ((rx[off + UdpHdr.CHECKSUM] | rx[off + (UdpHdr.CHECKSUM + 1)]) &&
    csumFinish(csumAdd(rx, off, ulen, pseudoSum(src, dst, Proto.UDP, ulen)))) { c[Cnt.UDP_DROP_CHECKSUM]++; return; }
  if (fn) fn(src, rd16(rx, off + UdpHdr.SRC_PORT), rx, off + UdpHdr.HEADER, ulen - UdpHdr.HEADER, s);
  else {
    c[Cnt.UDP_NO_PORT]++;
    if (dst === s.addr) icmpUnreachable(s, off - Eth.HEADER);
  }
}
