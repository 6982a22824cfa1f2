// RFC 6298 retransmission-timer arithmetic over the slot arrays (ms). Karn's rule lives in
// tcp.ts: a sample is only taken for a segment that was never retransmitted (SF.TIMING is
// cleared on every retransmission), and the backed-off RTO stays until a valid sample arrives.

import { Slots } from "./slots";

export var INITIAL_RTO_MS = 1000;
export var MAX_RTO_MS = 60000;
export var CLOCK_G_MS = 100; // clock granularity G: the tick period
export var MIN_RTO_MS = 200;  // RFC 6298 says 1 s (SHOULD); Linux also uses 200 ms

function capped(ms: number): number {
  return ms > MAX_RTO_MS ? MAX_RTO_MS : ms;
}

/** Feeds one RTT measurement r (ms) into SRTT/RTTVAR and recomputes the RTO. */
export function rttSample(S: Slots, s: number, r: number): void {
  var srtt = S.srtt, rttvar = S.rttvar;
  if (r < 1) r = 1;
  var d = srtt[s] - r;
  if (srtt[s] === 0) {
    srtt[s] = r;
    rttvar[s] = r / 2;
  } else {
    rttvar[s] = 0.75 * rttvar[s] + 0.25 * (d < 0 ? -d : d);
    srtt[s] = 0.875 * srtt[s] + 0.125 * r;
  }
  var k = 4 * rttvar[s];
  var rto = srtt[s] + (k > CLOCK_G_MS ? k : CLOCK_G_MS);
  S.rto[s] = capped(rto < MIN_RTO_MS ? MIN_RTO_MS : rto);
}

/** Doubles the RTO after a time-out (RFC 6298 5.5), capped. */
export function backOff(S: Slots, s: number): void {
  S.rto[s] = capped(S.rto[s] * 2);
}

/** Next zero-window probe delay: RTO doubled per probe already sent, capped at 60 s. */
export function probeDelay(S: Slots, s: number): number {
  return capped(S.rto[s] * Math.pow(2, S.probes[s])); // exact: scaling by a power of 2
}
