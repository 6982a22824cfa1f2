// Loss recovery without waiting for the retransmission timer, for the small windows of a small
// board: RFC 5681 congestion control (slow start below ssthresh, congestion avoidance above,
// ssthresh halved on a loss), fast retransmit and fast recovery on duplicate ACKs with RFC 6582
// partial ACKs, RFC 3042 limited transmit (the first two duplicate ACKs may each send one new
// segment: output.ts adds them to the congestion window), and RFC 5827 early retransmit: with
// fewer than four segments out and nothing new to send, the peer cannot send three duplicate
// ACKs, so the threshold is the number of segments out less one (with two segments out and the
// first lost, the second's duplicate ACK retransmits it at once instead of after an RTO).
// Per slot: DUPS (1 byte), SSTHRESH (2), RECOVER (4), the RECOVERY flag.

import { seqLt } from "./segment";
import { SF, F8, F16, F32 } from "./slots";
import { output } from "./output";
import { C, K, Tc } from "./state";

const enum R {
  DUP_THRESH = 3,      // RFC 5681 3.2
  EARLY_SEGS = 4,      // RFC 5827: early retransmit below this many segments out
}

/** Sends the first unacknowledged segment again (SND.NXT goes back for it, then returns). */
function resendFirst(t: Tc, s: number): void {
  var u16 = t.u16, u32 = t.u32, c = s * F16.STRIDE + F16.CWND, b32 = s * F32.STRIDE;
  var nxt = u32[b32 + F32.SND_NXT], cw = u16[c];
  t.fl[s] &= ~SF.TIMING; // Karn: no RTT sample from a retransmitted segment
  t.c[C.fastRetransmits]++;
  u32[b32 + F32.SND_NXT] = u32[b32 + F32.SND_UNA];
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
  if (t.fl[s] & SF.RECOVERY) {
    if (seqLt(t.ack, t.u32[s * F32.STRIDE + F32.RECOVER])) {
      resendFirst(t, s);
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
  if (d < thresh) {
    output(t, s, -1); // limited transmit (output.ts counts the first two duplicate ACKs)
  } else if (d === thresh) {
    halveSsthresh(t, s);
    t.u8[i] = d;
    t.fl[s] |= SF.RECOVERY;
    u32[b32 + F32.RECOVER] = u32[b32 + F32.SND_MAX];
    resendFirst(t, s);
    cw = u16[b16 + F16.SSTHRESH] + thresh * m;
    u16[b16 + F16.CWND] = cw < K.MAX_16 ? cw : K.MAX_16;
  }
}
