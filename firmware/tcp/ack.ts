// RFC 9293 3.10.7.4, fifth check: the ACK field (send queue, RTT sample, congestion window,
// retransmission timer, send window), and what returning send space does (a window update,
// drained()).

import { State } from "./states";
import { F } from "./segment";
import { armProbe, dupAck, newAck } from "./recovery";
import { SF, F8, F16, F32, F64 } from "./slots";
import { poolDrop, poolRoom } from "./pool";
import { rttSample } from "./timers";
import { arm, sendAck } from "./output";
import { tell } from "./events";
import { C, K, Tc } from "./state";

/** Processes an acceptable ACK field of the segment being handled; false when it must be dropped. */
export function ackIn(t: Tc, s: number): boolean {
  var u16 = t.u16, u32 = t.u32, f64 = t.f64, b16 = s * F16.STRIDE, b32 = s * F32.STRIDE, b64 = s * F64.STRIDE;
  var una = u32[b32 + F32.SND_UNA], ack = t.ack, max = u32[b32 + F32.SND_MAX];
  // (the sequence comparisons are seqLt()/seqLe() written out: this runs for every segment)
  // RFC 5961 5.2: an ACK of data never sent (SND.MAX < SEG.ACK), or older than
  // SND.UNA - MAX.SND.WND (SEG.ACK < SND.UNA - MAX_16): ACK, drop
  if (((max - ack) | 0) < 0 || ((ack - (una - K.MAX_16)) | 0) < 0) {
    t.c[((max - ack) | 0) < 0 ? C.dropAckUnsent : C.dropBadAck]++;
    sendAck(t, s);
    return false;
  }
  if (((una - ack) | 0) < 0) { // SND.UNA < SEG.ACK: new data acknowledged
    var acked = (ack - una) >>> 0;
    var f = t.fl[s];
    if (!(f & SF.SYN_ACKED)) {
      t.fl[s] = f = f | SF.SYN_ACKED;
      acked--;
      f64[b64 + F64.T_STATE] = 0;
    }
    var len = u16[b16 + F16.SND_LEN];
    poolDrop(t.P, t.S, s, acked > len ? len : acked);
    if (acked > len && f & SF.FIN_SENT) t.fl[s] |= SF.FIN_ACKED;
    u32[b32 + F32.SND_UNA] = ack;
    if (((u32[b32 + F32.SND_NXT] - ack) | 0) < 0) u32[b32 + F32.SND_NXT] = ack;
    if (f & SF.TIMING && ((u32[b32 + F32.RTT_SEQ] - ack) | 0) < 0) {
      t.fl[s] &= ~SF.TIMING;
      rttSample(t.S, s, t.now - f64[b64 + F64.RTT_T]);
    }
    t.u8[s * F8.STRIDE + F8.RETRIES] = 0;
    newAck(t, s, acked);
    if (ack === u32[b32 + F32.SND_MAX]) {
      // everything acknowledged: no retransmission timer, and no probe (armProbe() with
      // nothing out turns it off and stops there)
      f64[b64 + F64.T_REXMT] = f64[b64 + F64.T_PTO] = 0;
    } else {
      arm(t, b64 + F64.T_REXMT, t.now + f64[b64 + F64.RTO]);
      armProbe(t, s);
    }
  } else if (ack === una && t.dl === 0 && !(t.flg & (F.SYN | F.FIN)) && t.win > 0 && t.win === u16[b16 + F16.SND_WND] && max !== una) {
    // RFC 5681's duplicate ACK: nothing new acknowledged, no data, the same (open) window, data out
    dupAck(t, s);
  }
  // the send window: SND.UNA =< SEG.ACK and (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK))
  var wl1 = u32[b32 + F32.SND_WL1];
  if (((una - ack) | 0) <= 0 && (((wl1 - t.seq) | 0) < 0 || (wl1 === t.seq && ((u32[b32 + F32.SND_WL2] - ack) | 0) <= 0))) {
    var win = t.win;
    u16[b16 + F16.SND_WND] = win;
    u32[b32 + F32.SND_WL1] = t.seq;
    u32[b32 + F32.SND_WL2] = ack;
    if (win > u16[b16 + F16.MAX_WND]) u16[b16 + F16.MAX_WND] = win;
    if (win > 0) f64[b64 + F64.T_PERSIST] = t.u8[s * F8.STRIDE + F8.PROBES] = 0;
  }
  return true;
}

/**
 * Send space came back to slot s (its ACKs freed queued bytes): a window update if our
 * advertised window was small and the application has room again, drained().
 */
export function sendSpaceBack(t: Tc, s: number): void {
  var u16 = t.u16, b16 = s * F16.STRIDE, h = t.hd[s], fl = t.fl;
  if (h && h.room && u16[b16 + F16.RCV_WND] < u16[b16 + F16.MSS] && t.st[s] !== State.TIME_WAIT) {
    var r = h.room(s);
    if (r >= u16[b16 + F16.MSS] || r >= t.rwin >> 1) sendAck(t, s);
  }
  if (fl[s] & SF.WANT_DRAIN && poolRoom(t.P, t.S, s, t.sbuf) > 0) {
    fl[s] &= ~SF.WANT_DRAIN;
    if (fl[s] & SF.KNOWN) tell(t, s, "drained");
  }
}

/**
 * The application took received bytes of slot s (its room() grew): when the window last
 * advertised is below what the room allows now, an ACK says so at once. Without it a window the
 * application's buffer closed (or shrank below what the peer sends into) stays so until the
 * peer's zero-window probe (200 ms and more on Linux). Receiver SWS avoidance (RFC 1122
 * 4.2.3.3): the right edge moves from a closed window, by at least min(rwin / 2, MSS), or by
 * `step` when the application's buffer is smaller than TCP's window (half of it: Fr * RCV.BUFF),
 * or to the full window; so never a duplicate ACK. From inside a handler it does nothing: TCP's
 * own ACK after the handler carries the room.
 */
export function windowUpdate(t: Tc, s: number, step?: number): void {
  if (!(s >= 0 && s < t.n) || t.dep > 0) return;
  var st = t.st[s], h = t.hd[s];
  if ((st !== State.ESTABLISHED && st !== State.FIN_WAIT_1 && st !== State.FIN_WAIT_2) || !h || !h.room) return;
  var b32 = s * F32.STRIDE, keep = (t.u32[b32 + F32.RCV_ADV] - t.u32[b32 + F32.RCV_NXT]) | 0, w = h.room(s);
  var sws = t.sws, all = sws;
  if (keep < 0) keep = 0;
  if (!(w < t.rwin)) w = t.rwin;
  if (step && step > 0 && step < sws) sws = step;
  if (w > keep && (keep === 0 || w - keep >= sws || w === t.rwin)) {
    t.sws = sws;   // (emit() applies the same step to this ACK)
    sendAck(t, s);
    t.sws = all;
  }
}
