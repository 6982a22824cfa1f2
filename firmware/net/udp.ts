// UDP (RFC 768): at most maxPorts bound ports (handlers in an array indexed by port), checksum
// verified (when non-zero) and generated.
// Receive handlers get (src, srcPort, rx, off, len): the payload is valid only during the call.
// Datagrams to closed ports are answered with ICMP port unreachable (unicast ones only).

import { Cnt } from "./counters";
import { Netif } from "../../hal/netif";
import { rd16, rd32, wr16 } from "./bytes";
import { csumAdd, csumFinish, pseudoSum } from "./checksum";
import { Eth } from "./ethernet";
import { Ip, IpSend, IpState, Proto } from "./ipv4";

export type UdpHandler = (src: number, srcPort: number, rx: Uint8Array, off: number, len: number) => void;

export interface Udp {
  bind(port: number, fn: UdpHandler): boolean;
  unbind(port: number): void;
  /** Payload already at tx[42..42+len): fills the UDP header and sends. Result as Stack.ipSend. */
  send(dst: number, dstPort: number, srcPort: number, len: number): IpSend;
  /** The datagram at rx[off..off+len); addresses read from the IPv4 header in rx. */
  input(rx: Uint8Array, off: number, len: number): void;
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

export function createUdp(netif: Netif, st: IpState, c: Uint32Array, maxPorts: number,
  ipSend: (proto: number, dst: number, l4Len: number) => IpSend,
  unreachable: (ihl: number) => void): Udp {
  var tx = netif.tx;
  var fns: (UdpHandler | undefined)[] = [];   // handlers by port number (sparse)
  var bound = 0;

  return {
    bind: function (port: number, fn: UdpHandler): boolean {
      if (port <= 0 || port > UdpHdr.MAX_PORT || fns[port] || bound >= maxPorts) return false;
      fns[port] = fn;
      bound++;
      return true;
    },
    unbind: function (port: number): void {
      if (fns[port]) {
        fns[port] = undefined;
        bound--;
      }
    },
    send: function (dst: number, dstPort: number, srcPort: number, len: number): IpSend {
      var ulen = len + UdpHdr.HEADER;
      if (ulen + Ip.PAYLOAD > tx.length) return IpSend.TOO_BIG;
      wr16(tx, Ip.PAYLOAD + UdpHdr.SRC_PORT, srcPort);
      wr16(tx, Ip.PAYLOAD + UdpHdr.DST_PORT, dstPort);
      wr16(tx, Ip.PAYLOAD + UdpHdr.LENGTH, ulen);
      wr16(tx, Ip.PAYLOAD + UdpHdr.CHECKSUM, 0);
      // a computed 0 is sent as 0xffff (0 means "no checksum", RFC 768)
      wr16(tx, Ip.PAYLOAD + UdpHdr.CHECKSUM,
        csumFinish(csumAdd(tx, Ip.PAYLOAD, ulen, pseudoSum(st.addr, dst, Proto.UDP, ulen))) || 0xffff);
      var r = ipSend(Proto.UDP, dst, ulen);
      if (r >= IpSend.PENDING_ARP) c[Cnt.UDP_TX]++;   // sent, or waiting for the next hop's MAC
      return r;
    },
    // One check and one counter per reason to drop, in this order.
    input: function (rx: Uint8Array, off: number, len: number): void {
      c[Cnt.UDP_RX]++;
      // (Fields first, then the checks: see "Drops" in README.md.)
      var ulen = rd16(rx, off + UdpHdr.LENGTH);
      var src = rd32(rx, Ip.SRC);
      var dst = rd32(rx, Ip.DST);
      var fn = fns[rd16(rx, off + UdpHdr.DST_PORT)];
      if (len < UdpHdr.HEADER) { c[Cnt.UDP_DROP_SHORT]++; return; }
      if (ulen < UdpHdr.HEADER || ulen > len) { c[Cnt.UDP_DROP_LENGTH]++; return; }
      // A checksum field of 0: none was computed, none is checked.
      if ((rx[off + UdpHdr.CHECKSUM] | rx[off + (UdpHdr.CHECKSUM + 1)]) &&
        csumFinish(csumAdd(rx, off, ulen, pseudoSum(src, dst, Proto.UDP, ulen)))) { c[Cnt.UDP_DROP_CHECKSUM]++; return; }
      if (fn) fn(src, rd16(rx, off + UdpHdr.SRC_PORT), rx, off + UdpHdr.HEADER, ulen - UdpHdr.HEADER);
      else {
        c[Cnt.UDP_NO_PORT]++;
        if (dst === st.addr) unreachable(off - Eth.HEADER);
      }
    },
  };
}
