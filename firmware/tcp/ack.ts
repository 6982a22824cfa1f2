// RFC 9293 3.10.7.4, fifth check: the ACK field (send queue, RTT sample, congestion window,
// retransmission timer, send window), and what returning send space does (a window update,
// drained()).

import { State } from "./states";
import { F, seqLt, seqLe } from "./segment";
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
  var una = u32[b32 + F32.SND_UNA], ack = t.ack;
  // RFC 5961 5.2: an ACK of data never sent, or older than SND.UNA - MAX.SND.WND: ACK, drop
  if (seqLt(u32[b32 + F32.SND_MAX], ack)) {
    t.c[C.dropAckUnsent]++;
    sendAck(t, s);
    return false;
  }
  if (seqLt(ack, una - K.MAX_16)) {
    t.c[C.dropBadAck]++;
    sendAck(t, s);
    return false;
  }
  if (seqLt(una, ack)) {
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
    if (seqLt(u32[b32 + F32.SND_NXT], ack)) u32[b32 + F32.SND_NXT] = ack;
    if (f & SF.TIMING && seqLt(u32[b32 + F32.RTT_SEQ], ack)) {
      t.fl[s] &= ~SF.TIMING;
      rttSample(t.S, s, t.now - f64[b64 + F64.RTT_T]);
    }
    t.u8[s * F8.STRIDE + F8.RETRIES] = 0;
    newAck(t, s, acked);
    if (ack === u32[b32 + F32.SND_MAX]) f64[b64 + F64.T_REXMT] = 0;
    else arm(t, b64 + F64.T_REXMT, t.now + f64[b64 + F64.RTO]);
    armProbe(t, s);
  } else if (ack === una && t.dl === 0 && !(t.flg & (F.SYN | F.FIN)) && t.win > 0 && t.win === u16[b16 + F16.SND_WND] && u32[b32 + F32.SND_MAX] !== una) {
    // RFC 5681's duplicate ACK: nothing new acknowledged, no data, the same (open) window, data out
    dupAck(t, s);
  }
  if (seqLe(una, ack) && (seqLt(u32[b32 + F32.SND_WL1], t.seq) || (u32[b32 + F32.SND_WL1] === t.seq && seqLe(u32[b32 + F32.SND_WL2], ack)))) {
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
