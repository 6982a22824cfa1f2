// RFC 6298 retransmission-timer arithmetic over the slot arrays (ms). Karn's rule lives in
// tcp.ts: a sample is only taken for a segment that was never retransmitted (SF.TIMING is
// cleared on every retransmission), and the backed-off RTO stays until a valid sample arrives.

import { Slots } from "./slots";

/** RTO bounds and RFC 6298 constants (const enum: tsc writes them in place). */
export const enum Rto {
  INITIAL_MS = 1000,    // RFC 6298 2.1
  MAX_MS = 60000,       // RFC 6298 2.5: a maximum of at least 60 s may be placed
  MIN_MS = 200,         // RFC 6298 2.4 says 1 s (SHOULD); Linux also uses 200 ms
  CLOCK_G_MS = 100,     // clock granularity G: the tick period
  ALPHA = 0.125,        // 2.3: SRTT <- (1 - alpha) * SRTT + alpha * R', alpha = 1/8
  ONE_MINUS_ALPHA = 0.875,
  BETA = 0.25,          // 2.3: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|, beta = 1/4
  ONE_MINUS_BETA = 0.75,
  K = 4,                // 2.2/2.3: RTO <- SRTT + max(G, K * RTTVAR)
}
function capped(ms: number): number {
  return ms > Rto.MAX_MS ? Rto.MAX_MS : ms;
}

/** Feeds one RTT measurement r (ms) into SRTT/RTTVAR and recomputes the RTO. */
export function rttSample(S: Slots, s: number, r: number): void {
  var srtt = S.srtt, rttvar = S.rttvar;
  if (r < 1) r = 1;
  var d = srtt[s] - r;
  if (srtt[s] === 0) {
    // the first measurement (2.2): SRTT <- R, RTTVAR <- R/2
    srtt[s] = r;
    rttvar[s] = r / 2;
  } else {
    rttvar[s] = Rto.ONE_MINUS_BETA * rttvar[s] + Rto.BETA * (d < 0 ? -d : d);
    srtt[s] = Rto.ONE_MINUS_ALPHA * srtt[s] + Rto.ALPHA * r;
  }
  var k = Rto.K * rttvar[s];
  var rto = srtt[s] + (k > Rto.CLOCK_G_MS ? k : Rto.CLOCK_G_MS);
  S.rto[s] = capped(rto < Rto.MIN_MS ? Rto.MIN_MS : rto);
}

/** Doubles the RTO after a time-out (RFC 6298 5.5), capped. */
export function backOff(S: Slots, s: number): void {
  S.rto[s] = capped(S.rto[s] * 2);
}

/** Next zero-window probe delay: RTO doubled per probe already sent, capped at 60 s. */
export function probeDelay(S: Slots, s: number): number {
  return capped(S.rto[s] * Math.pow(2, S.probes[s])); // exact: scaling by a power of 2
}
