// TCP's timers: the tick (retransmission, delayed ACK, TIME-WAIT and the state time-outs, zero-
// window probes), which does nothing but one comparison until the earliest armed deadline
// (t.due, lowered by output.ts arm()); tcpNextDue() tells the application when that is, so it
// can slow its own tick while nothing is pending. And the RFC 6298 retransmission-timer
// arithmetic over the slot arrays (ms). Karn's rule lives in output.ts and events.ts: a sample
// is only taken for a segment that was never retransmitted (SF.TIMING is cleared on every
// retransmission), and the backed-off RTO stays until a valid sample arrives.

import { Slots, SF, F8, F16, F32, F64 } from "./slots";
import { State } from "./states";
import { Ev } from "./table";
import { F, seqLt } from "./segment";
import { emit, sendAck } from "./output";
import { fire } from "./events";
import { wakePoolWaiters } from "./alloc";
import { poolRoom } from "./pool";
import { probe } from "./recovery";
import { C, K, Tc } from "./state";

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
  // A timer callback may run up to this much before the deadline it was armed for (the host's
  // and the sim's timers count whole milliseconds from a cached loop time): a TCP timer due
  // within it is due now. Without it, a tick that came 0.1 ms early did nothing, and the runner
  // (eth-run.ts: a deadline already past after a tick waits a whole tick) slept 100 ms more.
  EARLY_MS = 1,
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

/** Timer i of f64 has expired at now: true, and the timer is off. */
function expired(f64: Float64Array, i: number, now: number): boolean {
  if (f64[i] === 0 || now + Rto.EARLY_MS < f64[i]) return false;
  f64[i] = 0;
  return true;
}

/** The stack's tick (about every 100 ms): the pool's waiters, then the slots' expired timers. */
export function tcpTick(t: Tc, now: number): void {
  t.now = now;
  if (t.pw) wakePoolWaiters(t);
  if (now + Rto.EARLY_MS < t.due) return;
  var f64 = t.f64, st = t.st, u8 = t.u8, u32 = t.u32;
  t.due = Infinity; // lowered again below by every timer still armed (and by arm())
  for (var s = 0; s < t.n; s++) {
    if (st[s] === State.CLOSED) continue;
    var b = s * F64.STRIDE, r = s * F8.STRIDE + F8.RETRIES; // slot s's timers: f64[b + F64.T_X]
    if (expired(f64, b + F64.T_ACK, now) && t.fl[s] & SF.ACK_PENDING) sendAck(t, s);
    if (expired(f64, b + F64.T_STATE, now)) fire(t, s, st[s] === State.TIME_WAIT ? Ev.TIMEOUT_2MSL : Ev.STATE_TIMEOUT);
    else if (expired(f64, b + F64.T_REXMT, now)) {
      if (u8[r] >= (st[s] === State.SYN_SENT ? t.sr : t.mr)) {
        t.c[C.giveUps]++;
        fire(t, s, Ev.GIVE_UP);
      } else {
        u8[r]++;
        backOff(t.S, s);
        fire(t, s, Ev.RTO);
      }
    } else if (expired(f64, b + F64.T_PERSIST, now)) {
      // zero-window probe: one byte beyond the window, or an ACK when nothing is queued
      var b32 = s * F32.STRIDE, nxt = u32[b32 + F32.SND_NXT];
      t.c[C.zeroWindowProbes]++;
      if (((nxt - u32[b32 + F32.SND_UNA]) >>> 0) < t.u16[s * F16.STRIDE + F16.SND_LEN]) {
        emit(t, s, F.ACK, nxt, 1, 0);
        if (seqLt(u32[b32 + F32.SND_MAX], nxt + 1)) u32[b32 + F32.SND_MAX] = nxt + 1;
      } else {
        sendAck(t, s);
      }
      if (u8[s * F8.STRIDE + F8.PROBES] < K.PROBES_MAX) u8[s * F8.STRIDE + F8.PROBES]++;
      f64[b + F64.T_PERSIST] = now + probeDelay(t.S, s);
    } else if (expired(f64, b + F64.T_PTO, now)) probe(t, s);
    if (f64[b + F64.T_KEEP]) t.kt!(t, s); // keep-alive (keepalive.ts; lowers t.due itself)
    for (var i = b + F64.T_REXMT; i <= b + F64.T_PTO; i++) if (f64[i] && f64[i] < t.due) t.due = f64[i];
  }
}

/**
 * When TCP's tick has work next (ms, on the stack's clock): the earliest armed timer of any
 * slot (retransmission, zero-window probe, delayed ACK, TIME-WAIT, SYN-RCVD or FIN-WAIT-2
 * time-out, keep-alive); 0 when a connection waits for send-pool space that is there now (the
 * tick's wakePoolWaiters() tells it: tick at the normal rate); Infinity when nothing is pending.
 * A connection waiting at its own send buffer (a download: its queue full until its ACKs come)
 * waits for those ACKs, which wake it as they arrive: no tick for it, so its retransmission and
 * probe timers fire on time, not on the next 100 ms tick. The application may tick slowly
 * until then; segments arriving arm timers again (call it after each poll).
 */
export function tcpNextDue(tcp: object): number {
  var t = tcp as Tc;
  if (t.pw && t.P.nfree) {
    for (var c = 0; c < t.n; c++) if (t.fl[c] & SF.WANT_DRAIN && poolRoom(t.P, t.S, c, t.sbuf) > 0) return 0;
  }
  return t.due;
}
