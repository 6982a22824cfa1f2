// RFC 6298 retransmission-timer arithmetic over the slot arrays (ms). Karn's rule lives in
// tcp.ts: a sample is only taken for a segment that was never retransmitted (SF.TIMING is
// cleared on every retransmission), and the backed-off RTO stays until a valid sample arrives.

import { Slots, F8, F64 } from "./slots";

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
  var f = S.f64, b = s * F64.STRIDE; // slot s's fields: f[b + F64.X]
  var srtt = f[b + F64.SRTT];
  if (r < 1) r = 1;
  var d = srtt - r;
  if (srtt === 0) {
    // the first measurement (2.2): SRTT <- R, RTTVAR <- R/2
    f[b + F64.SRTT] = r;
    f[b + F64.RTTVAR] = r / 2;
  } else {
    f[b + F64.RTTVAR] = Rto.ONE_MINUS_BETA * f[b + F64.RTTVAR] + Rto.BETA * (d < 0 ? -d : d);
    f[b + F64.SRTT] = Rto.ONE_MINUS_ALPHA * srtt + Rto.ALPHA * r;
  }
  var k = Rto.K * f[b + F64.RTTVAR];
  var rto = f[b + F64.SRTT] + (k > Rto.CLOCK_G_MS ? k : Rto.CLOCK_G_MS);
  f[b + F64.RTO] = capped(rto < Rto.MIN_MS ? Rto.MIN_MS : rto);
}

/** Doubles the RTO after a time-out (RFC 6298 5.5), capped. */
export function backOff(S: Slots, s: number): void {
  var i = s * F64.STRIDE + F64.RTO;
  S.f64[i] = capped(S.f64[i] * 2);
}

/** Next zero-window probe delay: RTO doubled per probe already sent, capped at 60 s. */
export function probeDelay(S: Slots, s: number): number {
  // exact: scaling by a power of 2
  return capped(S.f64[s * F64.STRIDE + F64.RTO] * Math.pow(2, S.u8[s * F8.STRIDE + F8.PROBES]));
}
