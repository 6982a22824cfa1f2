// ICMP (RFC 792): echo reply, and destination/port unreachable for UDP to closed ports.
//
// Echo: the request's checksum is verified, the ICMP message is copied into tx with one native
// set() (exact payload, any size up to the MTU: 1472 data bytes), the type changed to 0 and the
// checksum updated incrementally (RFC 1624: only the type word changed), so no second sum runs.
// The reply goes straight back to the request's source MAC (no ARP lookup needed).
// Echo requests to broadcast addresses are ignored (as Linux does by default).
// Port unreachable: IP header + 8 bytes of the offending datagram, never for broadcast
// destinations, rate-limited by a token bucket (burst `burst`, one token back per refillMs).

import { Netif } from "../../hal/netif";
import { csumAdd, csumFinish } from "./checksum";
import { IpState, rd16, rd32, wr16 } from "./ipv4";

export interface Icmp {
  input(rx: Uint8Array, off: number, len: number): void;
  /** Answers the UDP datagram in rx (IP header at 14, ihl bytes) with port unreachable. */
  portUnreachable(ihl: number): void;
  tick(now: number): void;
}

/** sendReply(proto, l4Len): sends tx[34..34+l4Len) back to the sender of the frame in rx (its MAC, its address). */
export function createIcmp(netif: Netif, st: IpState, c: { [k: string]: number },
  sendReply: (proto: number, l4Len: number) => number,
  burst: number, refillMs: number): Icmp {
  var rx = netif.rx;
  var tx = netif.tx;
  // The last echo's view of rx (undefined at first: no request matches it).
  var copyOff: number | undefined, copyLen: number | undefined, copyView: Uint8Array | undefined;
  var tokens = burst;
  var nextRefill = 0;

  return {
    input: function (rx: Uint8Array, off: number, len: number): void {
      c.rx++;
      var drop = len < 8 ? "dropShort" : csumFinish(csumAdd(rx, off, len, 0)) ? "dropChecksum" :
        rx[off] !== 8 ? "dropType" : rd32(rx, 30) !== st.addr || len > tx.length - 34 ? "ignoredBroadcast" : "";
      if (drop) { c[drop]++; return; }
      if (off !== copyOff || len !== copyLen) {
        copyView = rx.subarray(off, off + len);
        copyOff = off;
        copyLen = len;
      }
      tx.set(copyView as Uint8Array, 34);
      tx[34] = 0;
      var s = (~rd16(rx, off + 2) & 0xffff) + 0xf7ff;
      wr16(tx, 36, ~((s & 0xffff) + (s >>> 16)));   // wr16 keeps the low 16 bits
      if (sendReply(1, len) > 0) {
        c.tx++;
        c.echoOut++;
      }
    },
    portUnreachable: function (ihl: number): void {
      if (tokens <= 0) { c.rateLimited++; return; }
      tokens--;
      var quoted = ihl + 8;
      tx[34] = 3;
      tx[35] = 3;
      tx.fill(0, 36, 42);
      tx.set(rx.subarray(14, 14 + quoted), 42);
      wr16(tx, 36, csumFinish(csumAdd(tx, 34, 8 + quoted, 0)));
      if (sendReply(1, 8 + quoted) > 0) {
        c.tx++;
      }
    },
    tick: function (now: number): void {
      if (tokens >= burst || now >= nextRefill) {
        if (tokens < burst) tokens++;
        nextRefill = now + refillMs;
      }
    },
  };
}
