// ICMP (RFC 792): echo reply, and destination/port unreachable for UDP to closed ports.
//
// Echo: the request's checksum is verified, the ICMP message is copied into tx with one native
// set() (exact payload, any size up to the MTU: 1472 data bytes), the type changed to 0 and the
// checksum updated incrementally (RFC 1624: only the type word changed), so no second sum runs.
// The reply goes straight back to the request's source MAC (no ARP lookup needed).
// Echo requests to broadcast addresses are ignored (as Linux does by default).
// Time exceeded (code 1) for a datagram whose reassembly timed out (reasm.ts).
// Port unreachable: IP header + 8 bytes of the offending datagram, never for broadcast
// destinations; both rate-limited by a token bucket (Size.UNREACHABLE_BURST, one token back per
// Size.UNREACHABLE_REFILL_MS, kept as one time: no timer).
// Both take the stack record (state.ts) first.

import { Cnt } from "./counters";
import { rd16, rd32, wr16 } from "./bytes";
import { csumAdd, csumFinish } from "./checksum";
import { Eth } from "./ethernet";
import { Ip, IpSend, ipSend, Proto, sendReply } from "./ipv4";
import { Size, St, T, W } from "./state";

/** ICMP header fields (RFC 792) as offsets from the message's start; types and codes. */
const enum M {
  TYPE = 0,
  CODE = 1,
  CHECKSUM = 2,            // 2 bytes
  HEADER = 8,              // type, code, checksum, 4 bytes that depend on the type
  ECHO_REPLY = 0,          // types
  UNREACHABLE = 3,
  ECHO = 8,
  TIME_EXCEEDED = 11,
  PORT_UNREACHABLE = 3,    // code of UNREACHABLE
  REASSEMBLY_TIME = 1,     // code of TIME_EXCEEDED: fragment reassembly time exceeded
  QUOTED_DATA = 8,         // an error quotes the offending IP header and this many bytes after it
  // RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for the type/code word m = ECHO << 8 | code turned
  // into m' = ECHO_REPLY << 8 | code: ~m + m' = 0xffff - (ECHO << 8), the code cancels out.
  ECHO_SUM_DELTA = 0xffff - (ECHO << 8),
}

/** The ICMP message at rx[off..off+len). One check and one counter per reason to drop, in this order. */
export function icmpInput(s: St, off: number, len: number): void {
  var rx = s.rx, tx = s.tx, c = s.c, sum: number;
  c[Cnt.ICMP_RX]++;
  if (len < M.HEADER) { c[Cnt.ICMP_DROP_SHORT]++; return; }
  if (csumFinish(csumAdd(rx, off, len, 0))) { c[Cnt.ICMP_DROP_CHECKSUM]++; return; }
  if (rx[off + M.TYPE] !== M.ECHO) { c[Cnt.ICMP_DROP_TYPE]++; return; }
  // Not to our own address (broadcast, or anything while we have none); counted here too: a
  // request too big for tx, possible only when the driver receives longer frames than it sends.
  if (rd32(rx, Ip.DST) !== s.addr || len > tx.length - Ip.PAYLOAD) { c[Cnt.ICMP_IGNORED_BROADCAST]++; return; }
  // The view of the last echo is kept: pings of one size create none.
  if (!s.echo || off !== c[W.ECHO_OFF] || len !== c[W.ECHO_LEN]) {
    s.echo = rx.subarray(off, off + len);
    c[W.ECHO_OFF] = off;
    c[W.ECHO_LEN] = len;
  }
  tx.set(s.echo, Ip.PAYLOAD);
  tx[Ip.PAYLOAD + M.TYPE] = M.ECHO_REPLY;
  // The checksum updated for the new type (RFC 1624 eqn. 3, see ECHO_SUM_DELTA). One carry
  // fold is enough: sum <= 0xffff + 0xf7ff, so a carry leaves a low half of at most 0xf7fe.
  sum = (~rd16(rx, off + M.CHECKSUM) & 0xffff) + M.ECHO_SUM_DELTA;
  wr16(tx, Ip.PAYLOAD + M.CHECKSUM, ~((sum & 0xffff) + (sum >>> 16)));   // wr16 keeps the low 16 bits
  if (sendReply(s, Proto.ICMP, len) === IpSend.SENT) {
    c[Cnt.ICMP_TX]++;
    c[Cnt.ICMP_ECHO_OUT]++;
  }
}

/** ICMP's error token bucket (port unreachable, time exceeded): true when a message may go. */
function errorToken(s: St): boolean {
  var now = s.clock.now();
  // The token bucket as a virtual time (GCRA): each message moves it one refill period on from
  // itself or from now, whichever is later; a burst may take it at most BURST periods ahead.
  var tat = Math.max(s.t[T.ICMP_TAT], now) + Size.UNREACHABLE_REFILL_MS;
  if (tat - now > Size.UNREACHABLE_BURST * Size.UNREACHABLE_REFILL_MS) { s.c[Cnt.ICMP_RATE_LIMITED]++; return false; }
  s.t[T.ICMP_TAT] = tat;
  return true;
}

/** Writes an ICMP error (type, code, the unused word 0) at tx[34..) before `quoted` bytes already there; its checksum. */
function errorHeader(s: St, type: number, code: number, quoted: number): number {
  var tx = s.tx;
  tx[Ip.PAYLOAD + M.TYPE] = type;
  tx[Ip.PAYLOAD + M.CODE] = code;
  tx.fill(0, Ip.PAYLOAD + M.CHECKSUM, Ip.PAYLOAD + M.HEADER);   // checksum and the unused word
  wr16(tx, Ip.PAYLOAD + M.CHECKSUM, csumFinish(csumAdd(tx, Ip.PAYLOAD, M.HEADER + quoted, 0)));
  return M.HEADER + quoted;
}

/** Answers the UDP datagram in rx (IP header at 14, ihl bytes) with port unreachable. */
export function icmpUnreachable(s: St, ihl: number): void {
  var quoted = ihl + M.QUOTED_DATA;
  if (!errorToken(s)) return;
  s.tx.set(s.rx.subarray(Eth.HEADER, Eth.HEADER + quoted), Ip.PAYLOAD + M.HEADER);
  if (sendReply(s, Proto.ICMP, errorHeader(s, M.UNREACHABLE, M.PORT_UNREACHABLE, quoted)) === IpSend.SENT) s.c[Cnt.ICMP_TX]++;
}

/** Time exceeded (reassembly) to src, quoting `quote` (the datagram's header and first 8 data bytes). */
export function icmpTimeExceeded(s: St, quote: Uint8Array, src: number): void {
  if (!errorToken(s)) return;
  s.tx.set(quote, Ip.PAYLOAD + M.HEADER);
  if (ipSend.call(s, Proto.ICMP, src, errorHeader(s, M.TIME_EXCEEDED, M.REASSEMBLY_TIME, quote.length)) >= IpSend.PENDING_ARP) {
    s.c[Cnt.ICMP_TX]++;
    s.c[Cnt.ICMP_TIME_EXCEEDED]++;
  }
}
