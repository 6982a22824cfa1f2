// TCP keep-alive (RFC 1122 4.2.3.6, RFC 9293 3.8.4: MUST-24..29, SHLD-12): off by default
// (MUST-25), switched on or off per connection by the application (tcpKeepAlive(), MUST-24).
//
// When a connection in ESTABLISHED or CLOSE-WAIT has had nothing queued or in flight and no
// acceptable segment from the peer for the idle time (default 2 hours, configurable: MUST-26/27/28),
// TCP sends a probe by itself: <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK> with NO data (SHLD-12: the
// peer's TCP finds SEQ outside its window and answers with an ACK; Linux and the BSDs send the
// same; the byte before SND.NXT was acknowledged and is no longer in the send pool, and every
// current TCP answers an empty probe, so a garbage byte buys nothing). Then one probe per interval
// (default 75 s) while none is answered; any acceptable segment from the peer starts the idle
// time again. After `count` unanswered probes (default 9; at least 2: one lost probe or answer
// never kills a connection, MUST-29) the connection is given up like a retransmission time-out:
// RST, end(c, 2) (NetworkJS: -3 time-out), slot freed; counted in keepAliveAborts.
// Data queued or in flight: the retransmission timer watches the connection instead, and the
// idle time starts again. The peer's probes are answered by input.ts (an ACK, not counted as a
// drop).
//
// The deadline T_KEEP is one more timer of the tick (timers.ts, through t.kt: a bundle whose
// application never calls tcpKeepAlive() has none of this code): t.due includes it, so an idle
// connection with keep-alive wakes TCP's tick once per idle time and no more (tcpNextDue()).
// It is moved lazily: traffic does not touch it; when it expires, the idle time is counted again
// from the last activity (T_USED). Cost per slot: KA_IDLE, KA_INTVL (4 bytes each), KA_CNT,
// KA_SENT (1 each), T_KEEP (8): 18 bytes.

import { State } from "./states";
import { Ev } from "./table";
import { F } from "./segment";
import { F8, F16, F32, F64 } from "./slots";
import { arm, emit } from "./output";
import { fire } from "./events";
import { C, Tc } from "./state";

/** Defaults and bounds (ms). */
export const enum Ka {
  IDLE_MS = 7200000,     // RFC 1122: no less than two hours by default
  INTERVAL_MS = 75000,   // between unanswered probes (RFC 1122's example, Linux's default)
  COUNT = 9,             // unanswered probes before giving up (Linux's default)
  COUNT_MIN = 2,         // MUST-29: never one probe
  COUNT_MAX = 255,       // KA_CNT is 8-bit
  MIN_MS = 1000,         // shortest idle time and interval (Linux's bound: 1 s)
  MAX_MS = 4294967295,   // KA_IDLE and KA_INTVL are 32-bit (about 49 days)
}

function ms(v: number | undefined, dflt: number): number {
  if (!(v! > 0)) return dflt;
  return v! < Ka.MIN_MS ? Ka.MIN_MS : v! > Ka.MAX_MS ? Ka.MAX_MS : v!;
}

/**
 * Keep-alive for connection c of tcp: idleMs undefined is the default 2 hours, 0 (or less) turns
 * it off; intervalMs and count undefined or 0 are the defaults (75 s, 9). False when c is not a
 * connection.
 */
export function tcpKeepAlive(tcp: object, c: number, idleMs?: number, intervalMs?: number, count?: number): boolean {
  var t = tcp as Tc;
  if (!(c >= 0 && c < t.n) || t.st[c] <= State.LISTEN) return false;
  t.kt = keepTick; // (the tick calls it for a slot with T_KEEP set)
  var b32 = c * F32.STRIDE, b8 = c * F8.STRIDE, k = c * F64.STRIDE + F64.T_KEEP;
  t.u8[b8 + F8.KA_SENT] = 0;
  if (idleMs !== undefined && !(idleMs > 0)) {
    t.u32[b32 + F32.KA_IDLE] = t.f64[k] = 0;
    return true;
  }
  var idle = ms(idleMs, Ka.IDLE_MS), n = count! > 0 ? count! : Ka.COUNT;
  t.u32[b32 + F32.KA_IDLE] = idle;
  t.u32[b32 + F32.KA_INTVL] = ms(intervalMs, Ka.INTERVAL_MS);
  t.u8[b8 + F8.KA_CNT] = n < Ka.COUNT_MIN ? Ka.COUNT_MIN : n > Ka.COUNT_MAX ? Ka.COUNT_MAX : n;
  arm(t, k, t.f64[c * F64.STRIDE + F64.T_USED] + idle);
  return true;
}

/** The tick (timers.ts) at slot s with keep-alive on: a probe, the give-up, or the next deadline. */
function keepTick(t: Tc, s: number): void {
  var f64 = t.f64, k = s * F64.STRIDE + F64.T_KEEP, when = f64[k], now = t.now;
  if (now < when) {
    if (when < t.due) t.due = when;
    return;
  }
  var st = t.st[s], u8 = t.u8, b32 = s * F32.STRIDE, n = s * F8.STRIDE + F8.KA_SENT;
  var last = f64[s * F64.STRIDE + F64.T_USED], idle = t.u32[b32 + F32.KA_IDLE], intvl = t.u32[b32 + F32.KA_INTVL];
  if (st !== State.ESTABLISHED && st !== State.CLOSE_WAIT) {
    // not open yet: look again after the idle time; closing (our FIN is watched by the
    // retransmission timer, FIN-WAIT-2 and TIME-WAIT by the state timer): no more probes
    f64[k] = 0;
    if (st < State.ESTABLISHED) arm(t, k, now + idle);
    return;
  }
  if (u8[n] && last >= when - intvl) u8[n] = 0; // the peer answered since the last probe
  if (t.u16[s * F16.STRIDE + F16.SND_LEN]) {
    u8[n] = 0; // data queued or in flight: the retransmission timer watches the peer
    when = now + idle;
  } else if (!u8[n] && now - last < idle) {
    when = last + idle; // activity since: the idle time counts from it
  } else if (u8[n] >= u8[s * F8.STRIDE + F8.KA_CNT]) {
    t.c[C.keepAliveAborts]++;
    fire(t, s, Ev.GIVE_UP);
    return;
  } else {
    emit(t, s, F.ACK, t.u32[b32 + F32.SND_NXT] - 1, 0, 0);
    u8[n]++;
    t.c[C.keepAliveProbes]++;
    when = now + intvl;
  }
  arm(t, k, when);
}
