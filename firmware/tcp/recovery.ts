// Loss recovery without waiting for the retransmission timer, for the small windows of a small
// board: RFC 5681 congestion control (slow start below ssthresh, congestion avoidance above,
// ssthresh halved on a loss), fast retransmit and fast recovery on duplicate ACKs with RFC 6582
// partial ACKs, RFC 3042 limited transmit (the first two duplicate ACKs may each send one new
// segment: output.ts adds them to the congestion window), and RFC 5827 early retransmit: with
// fewer than four segments out and nothing new to send, the peer cannot send three duplicate
// ACKs, so the threshold is the number of segments out less one (with two segments out and the
// first lost, the second's duplicate ACK retransmits it at once instead of after an RTO).
//
// What duplicate ACKs cannot see, a probe timer does (RFC 8985, without SACK): a loss at the
// tail of a flight, a lost ACK, or a lost retransmission. After data goes out (or an ACK moves
// SND.UNA with data still out) the probe is armed PTO = max(2 SRTT, 10 ms) ahead, plus the
// peer's worst delayed ACK when one segment is out, and only when that comes before the RTO;
// none after a time-out until an ACK. When it fires: outside recovery a tail-loss probe (one
// new segment if the peer's window takes it, else the last segment again: its ACK, or the
// duplicate ACK it causes, starts recovery); in recovery the segment sent again at SND.UNA is
// lost too (RACK: its ACK, which the peer must send at once for a segment filling a gap, did
// not come in PTO) and goes again. A duplicate ACK in recovery that comes more than SRTT +
// SRTT/4 (the reorder window) after that retransmission says the same sooner. Two probes per
// flight (until SND.UNA moves), the second at twice the PTO: RFC 8985 sends one and leaves
// the rest to the RTO, so a probe or its ACK lost (at 5% loss each way, one probe in ten) cost
// a whole RTO (200 ms and more against a few ms of RTT); a second probe, backed off as QUIC's
// PTO series is (RFC 9002 6.2.4), costs two PTOs instead. Both are sent only while the RTO is
// later, and the RTO stays the backstop (RFC 6298 unchanged).
// As a receiver (RFC 5681 4.2): out-of-order data is dropped (never delivered out of order),
// so every segment up to the right edge of what was dropped fills a gap and is ACKed at once,
// not after the delayed-ACK time; so is one that starts below RCV.NXT (sent again).
// Per slot: DUPS (1 byte), SSTHRESH (2), RECOVER (4), RCV_HI (4), T_PTO and T_RXT (8 each),
// the RECOVERY, GAP, PROBED and PROBED2 flags.

import { F, seqLt } from "./segment";
import { SF, F8, F16, F32, F64 } from "./slots";
import { arm, emit, output } from "./output";
import { C, K, Tc } from "./state";

const enum R {
  DUP_THRESH = 3,      // RFC 5681 3.2
  EARLY_SEGS = 4,      // RFC 5827: early retransmit below this many segments out
  PTO_MIN_MS = 10,     // RFC 8985 7.2: the probe's floor (the tick may make it later, never earlier)
  DELACK_MS = 200,     // RFC 8985 WCDelAckT: the peer's worst delayed ACK, added with one segment out
}

/** Sends the first unacknowledged segment again (SND.NXT goes back for it, then returns); counted in c. */
function resendFirst(t: Tc, s: number, c0: number): void {
  var u16 = t.u16, u32 = t.u32, c = s * F16.STRIDE + F16.CWND, b32 = s * F32.STRIDE;
  var nxt = u32[b32 + F32.SND_NXT], cw = u16[c];
  t.fl[s] &= ~SF.TIMING; // Karn: no RTT sample from a retransmitted segment
  t.c[c0]++;
  u32[b32 + F32.SND_NXT] = u32[b32 + F32.SND_UNA]; // (emit() notes when it went: T_RXT)
  u16[c] = u16[s * F16.STRIDE + F16.MSS]; // one segment
  output(t, s, -1);
  u16[c] = cw;
  if (seqLt(u32[b32 + F32.SND_NXT], nxt)) u32[b32 + F32.SND_NXT] = nxt;
}

/** ssthresh after a loss: half the data in flight, at least two segments (RFC 5681 (4)). */
export function halveSsthresh(t: Tc, s: number): void {
  var u16 = t.u16, b16 = s * F16.STRIDE, m2 = 2 * u16[b16 + F16.MSS];
  var half = ((t.u32[s * F32.STRIDE + F32.SND_MAX] - t.u32[s * F32.STRIDE + F32.SND_UNA]) >>> 0) >> 1;
  u16[b16 + F16.SSTHRESH] = half > m2 ? half : m2;
  t.fl[s] &= ~SF.RECOVERY;
  t.u8[s * F8.STRIDE + F8.DUPS] = 0;
}

/**
 * A new ACK of `acked` bytes (SND.UNA already moved): the congestion window grows, or in
 * recovery a partial ACK sends the next hole again and a full one ends recovery.
 */
export function newAck(t: Tc, s: number, acked: number): void {
  var u16 = t.u16, b16 = s * F16.STRIDE, m = u16[b16 + F16.MSS], cw = u16[b16 + F16.CWND];
  t.u8[s * F8.STRIDE + F8.DUPS] = 0;
  t.f64[s * F64.STRIDE + F64.T_RXT] = t.now; // SND.UNA's segment went by now (emit() notes it when it goes later)
  t.fl[s] &= ~(SF.PROBED | SF.PROBED2); // a new flight: it may have its probes
  if (t.fl[s] & SF.RECOVERY) {
    if (seqLt(t.ack, t.u32[s * F32.STRIDE + F32.RECOVER])) {
      resendFirst(t, s, C.fastRetransmits);
      cw = cw > acked + m ? cw - acked + m : m; // deflate by what left, one segment back
    } else {
      t.fl[s] &= ~SF.RECOVERY;
      cw = u16[b16 + F16.SSTHRESH];
    }
  } else {
    cw += cw < u16[b16 + F16.SSTHRESH] ? m : (((m * m) / cw) | 0) || 1;
  }
  u16[b16 + F16.CWND] = cw < t.sbuf ? cw : t.sbuf;
}

/** A duplicate ACK (RFC 5681 definition, checked by ack.ts). */
export function dupAck(t: Tc, s: number): void {
  var u16 = t.u16, u32 = t.u32, b16 = s * F16.STRIDE, b32 = s * F32.STRIDE, m = u16[b16 + F16.MSS];
  var i = s * F8.STRIDE + F8.DUPS, d = ++t.u8[i]; // (past the threshold only in recovery, which does not count)
  if (t.fl[s] & SF.RECOVERY) {
    // RACK: this long after SND.UNA's segment went again, the ACK of a later one says it was lost too
    var rtt = t.f64[s * F64.STRIDE + F64.SRTT];
    if (rtt > 0 && t.now - t.f64[s * F64.STRIDE + F64.T_RXT] > rtt + rtt / 4) return resendFirst(t, s, C.rackLosses);
    // each further duplicate ACK: a segment has left the network; new data may go
    var cw = u16[b16 + F16.CWND] + m;
    u16[b16 + F16.CWND] = cw < K.MAX_16 ? cw : K.MAX_16;
    output(t, s, -1);
    return;
  }
  var una = u32[b32 + F32.SND_UNA];
  var segs = ((((u32[b32 + F32.SND_MAX] - una) >>> 0) + m - 1) / m) | 0;
  var unsent = u16[b16 + F16.SND_LEN] - ((u32[b32 + F32.SND_NXT] - una) >>> 0);
  var thresh = segs < R.EARLY_SEGS && segs > 1 && unsent <= 0 ? segs - 1 : R.DUP_THRESH;
  var rtt = t.f64[s * F64.STRIDE + F64.SRTT];
  if (thresh < R.DUP_THRESH && t.now - t.f64[s * F64.STRIDE + F64.T_RXT] < rtt / 2) {
    // RACK's rule (RFC 8985 6.2) for early retransmit: a duplicate ACK sooner than half an RTT
    // after SND.UNA's segment went cannot come from a segment sent after it: it answers one
    // sent before (a probe or a retransmission that was not needed, which the receiver ACKs at
    // once). Without this, each needless retransmission's ACK made the next one, flight after flight.
    t.u8[i] = d - 1;
    return;
  }
  if (d < thresh) {
    output(t, s, -1); // limited transmit (output.ts counts the first two duplicate ACKs)
  } else if (d === thresh) {
    halveSsthresh(t, s);
    t.u8[i] = d;
    t.fl[s] |= SF.RECOVERY;
    u32[b32 + F32.RECOVER] = u32[b32 + F32.SND_MAX];
    resendFirst(t, s, C.fastRetransmits);
    cw = u16[b16 + F16.SSTHRESH] + thresh * m;
    u16[b16 + F16.CWND] = cw < K.MAX_16 ? cw : K.MAX_16;
  }
}

/**
 * Arms slot s's loss probe after data went out, an ACK moved SND.UNA or a probe went (RFC 8985
 * 7.2; after the flight's first probe, at twice the PTO), or turns it off: nothing out, no RTT
 * sample yet, two probes already sent in this flight, after a time-out, a closed window, or
 * when the RTO comes first.
 */
export function armProbe(t: Tc, s: number): void {
  var f64 = t.f64, b64 = s * F64.STRIDE, i = b64 + F64.T_PTO, b32 = s * F32.STRIDE, fl = t.fl[s];
  var out = (t.u32[b32 + F32.SND_MAX] - t.u32[b32 + F32.SND_UNA]) >>> 0, rtt = f64[b64 + F64.SRTT];
  f64[i] = 0;
  if (out === 0 || rtt === 0 || fl & SF.PROBED2 || t.u8[s * F8.STRIDE + F8.RETRIES] > 0 || t.u16[s * F16.STRIDE + F16.SND_WND] === 0) return;
  var pto = 2 * rtt > R.PTO_MIN_MS ? 2 * rtt : R.PTO_MIN_MS;
  if (out <= t.u16[s * F16.STRIDE + F16.MSS] && !(fl & SF.RECOVERY)) pto += R.DELACK_MS;
  if (fl & SF.PROBED) pto *= 2; // the second probe: the first one's ACK did not come (backed off)
  var rto = f64[b64 + F64.T_REXMT];
  if (rto === 0 || t.now + pto < rto) arm(t, i, t.now + pto);
}

/** Slot s's probe timer fired (timers.ts). */
export function probe(t: Tc, s: number): void {
  var u16 = t.u16, u32 = t.u32, b16 = s * F16.STRIDE, b32 = s * F32.STRIDE, fl = t.fl;
  var una = u32[b32 + F32.SND_UNA], max = u32[b32 + F32.SND_MAX], out = (max - una) >>> 0;
  if (out === 0 || !(fl[s] & SF.SYN_ACKED) || fl[s] & SF.FIN_ACKED || t.u8[s * F8.STRIDE + F8.RETRIES] > 0) return;
  fl[s] |= fl[s] & SF.PROBED ? SF.PROBED2 : SF.PROBED;
  if (fl[s] & SF.RECOVERY) return resendFirst(t, s, C.rackLosses); // (its output() arms the next probe)
  t.c[C.tailProbes]++;
  var m = u16[b16 + F16.MSS], c = b16 + F16.CWND, cw = u16[c];
  if (u32[b32 + F32.SND_NXT] === max && out < u16[b16 + F16.SND_LEN] && out < u16[b16 + F16.SND_WND]) {
    // one new segment, whatever the congestion window
    u16[c] = out + m < K.MAX_16 ? out + m : K.MAX_16;
    var n = output(t, s, -1);
    u16[c] = cw;
    if (n > 0) return;
  }
  // the last segment again (with our FIN when it has gone): a suspected loss
  var fin = fl[s] & SF.FIN_SENT ? 1 : 0, k = out - fin;
  if (k > m) k = m;
  fl[s] &= ~SF.TIMING; // Karn
  halveSsthresh(t, s);
  if (cw > u16[b16 + F16.SSTHRESH]) u16[c] = u16[b16 + F16.SSTHRESH];
  emit(t, s, F.ACK | (fin ? F.FIN : 0) | (k > 0 ? F.PSH : 0), max - fin - k, k, 0);
  armProbe(t, s); // the second probe, if this one's ACK does not come either
}

/**
 * The receiver's side (RFC 5681 4.2), for a segment with data: d0 its first byte less RCV.NXT
 * before it, end its right edge. Out-of-order data (dropped) moves RCV_HI; while RCV.NXT is
 * below it, every in-order segment fills a gap. A segment that starts below RCV.NXT was sent
 * again (a time-out or a probe): its sender waits for this ACK. True: ACK at once.
 */
export function gapAck(t: Tc, s: number, d0: number, end: number): boolean {
  var fl = t.fl, u32 = t.u32, i = s * F32.STRIDE + F32.RCV_HI;
  if (d0 > 0) {
    if (!(fl[s] & SF.GAP) || seqLt(u32[i], end)) u32[i] = end;
    fl[s] |= SF.GAP;
    return true;
  }
  if (d0 < 0) return true;
  if (!(fl[s] & SF.GAP)) return false;
  if (!seqLt(u32[s * F32.STRIDE + F32.RCV_NXT], u32[i])) fl[s] &= ~SF.GAP;
  return true;
}
