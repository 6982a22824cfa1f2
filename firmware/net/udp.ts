// UDP (RFC 768): at most maxPorts bound ports (handlers in an array indexed by port), checksum
// verified (when non-zero) and generated.
// Receive handlers get (src, srcPort, rx, off, len): the payload is valid only during the call.
// Datagrams to closed ports are answered with ICMP port unreachable (unicast ones only).

import { Netif } from "../../hal/netif";
import { csumAdd, csumFinish, pseudoSum } from "./checksum";
import { IpState, rd16, rd32, wr16 } from "./ipv4";

export type UdpHandler = (src: number, srcPort: number, rx: Uint8Array, off: number, len: number) => void;

export interface Udp {
  bind(port: number, fn: UdpHandler): boolean;
  unbind(port: number): void;
  /** Payload already at tx[42..42+len): fills the UDP header and sends. Result as Stack.ipSend. */
  send(dst: number, dstPort: number, srcPort: number, len: number): number;
  /** The datagram at rx[off..off+len); addresses read from the IPv4 header in rx. */
  input(rx: Uint8Array, off: number, len: number): void;
}

export function createUdp(netif: Netif, st: IpState, c: { [k: string]: number }, maxPorts: number,
  ipSend: (proto: number, dst: number, l4Len: number) => number,
  unreachable: (ihl: number) => void): Udp {
  var tx = netif.tx;
  var fns: (UdpHandler | undefined)[] = [];   // handlers by port number (sparse)
  var bound = 0;

  return {
    bind: function (port: number, fn: UdpHandler): boolean {
      if (port <= 0 || port > 65535 || fns[port] || bound >= maxPorts) return false;
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
    send: function (dst: number, dstPort: number, srcPort: number, len: number): number {
      var ulen = len + 8;
      if (ulen + 34 > tx.length) return -4;
      wr16(tx, 34, srcPort);
      wr16(tx, 36, dstPort);
      wr16(tx, 38, ulen);
      wr16(tx, 40, 0);
      // a computed 0 is sent as 0xffff (0 means "no checksum")
      wr16(tx, 40, csumFinish(csumAdd(tx, 34, ulen, pseudoSum(st.addr, dst, 17, ulen))) || 0xffff);
      var r = ipSend(17, dst, ulen);
      if (r >= 0) c.tx++;
      return r;
    },
    input: function (rx: Uint8Array, off: number, len: number): void {
      c.rx++;
      var src = rd32(rx, 26);
      var dst = rd32(rx, 30);
      var ulen = rd16(rx, off + 4);
      var drop = len < 8 ? "dropShort" : ulen < 8 || ulen > len ? "dropLength" :
        (rx[off + 6] | rx[off + 7]) && csumFinish(csumAdd(rx, off, ulen, pseudoSum(src, dst, 17, ulen))) ? "dropChecksum" : "";
      if (drop) { c[drop]++; return; }
      var fn = fns[rd16(rx, off + 2)];
      if (fn) fn(src, rd16(rx, off), rx, off + 8, ulen - 8);
      else {
        c.noPort++;
        if (dst === st.addr) unreachable(off - 14);
      }
    },
  };
}
