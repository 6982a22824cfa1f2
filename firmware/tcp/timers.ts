// RFC 6298 retransmission-timer arithmetic over the slot arrays (ms). Karn's rule lives in
// tcp.ts: a sample is only taken for a segment that was never retransmitted (SF_TIMING is
// cleared on every retransmission), and the backed-off RTO stays until a valid sample arrives.

import { Slots } from "./slots";

export var INITIAL_RTO_MS = 1000;
export var MAX_RTO_MS = 60000;
export var CLOCK_G_MS = 100; // clock granularity G: the tick period

/** Feeds one RTT measurement r (ms) into SRTT/RTTVAR and recomputes the RTO. */
export function rttSample(S: Slots, s: number, r: number, minRto: number): void {
  if (r < 1) r = 1;
  var srtt = S.srtt[s];
  if (srtt === 0) {
    S.srtt[s] = r;
    S.rttvar[s] = r / 2;
  } else {
    var d = srtt - r;
    if (d < 0) d = -d;
    S.rttvar[s] = 0.75 * S.rttvar[s] + 0.25 * d;
    S.srtt[s] = 0.875 * srtt + 0.125 * r;
  }
  var k = 4 * S.rttvar[s];
  var rto = S.srtt[s] + (k > CLOCK_G_MS ? k : CLOCK_G_MS);
  if (rto < minRto) rto = minRto;
  if (rto > MAX_RTO_MS) rto = MAX_RTO_MS;
  S.rto[s] = rto;
}

/** Doubles the RTO after a time-out (RFC 6298 5.5), capped. */
export function backOff(S: Slots, s: number): void {
  var rto = S.rto[s] * 2;
  S.rto[s] = rto > MAX_RTO_MS ? MAX_RTO_MS : rto;
}

/** Next zero-window probe delay: RTO doubled per probe already sent, capped at 60 s. */
export function probeDelay(S: Slots, s: number): number {
  var d = S.rto[s];
  for (var i = 0; i < S.probes[s] && d < MAX_RTO_MS; i++) d *= 2;
  return d > MAX_RTO_MS ? MAX_RTO_MS : d;
}
