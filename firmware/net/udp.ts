// UDP (RFC 768): a small table of bound ports, checksum verified (when non-zero) and generated.
// Receive handlers get (src, srcPort, rx, off, len): the payload is valid only during the call.
// Datagrams to closed ports are answered with ICMP port unreachable (unicast ones only).

import { Netif } from "./netif";
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
  var ports = new Uint16Array(maxPorts);
  var fns: (UdpHandler | null)[] = [];   // a port's handler; empty slots undefined or null

  function find(port: number): number {
    for (var i = 0; i < maxPorts; i++) if (fns[i] && ports[i] === port) return i;
    return -1;
  }

  return {
    bind: function (port: number, fn: UdpHandler): boolean {
      if (port <= 0 || port > 65535 || find(port) >= 0) return false;
      for (var i = 0; i < maxPorts; i++) {
        if (!fns[i]) {
          ports[i] = port;
          fns[i] = fn;
          return true;
        }
      }
      return false;
    },
    unbind: function (port: number): void {
      var i = find(port);
      if (i >= 0) fns[i] = null;
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
      var i = find(rd16(rx, off + 2));
      if (i < 0) {
        c.noPort++;
        if (dst === st.addr) unreachable(off - 14);
        return;
      }
      (fns[i] as UdpHandler)(src, rd16(rx, off), rx, off + 8, ulen - 8);
    },
  };
}
