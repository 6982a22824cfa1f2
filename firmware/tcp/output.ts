// TCP output: segments built in place in netif.tx (header, payload copied natively from the send
// pool, checksum), the send loop over the windows (sender SWS avoidance, FIN after the data, the
// persist timer), SYNs, ACKs and RSTs, and the timers output arms.

import { csumAdd, csumFinish, pseudoSum } from "../net/checksum";
import { Ip, Proto } from "../net/ipv4";
import { wr16, wr32 } from "../net/bytes";
import { F, Hdr, Opt, putHeader } from "./segment";
import { SF, F8, F16, F32, F64 } from "./slots";
import { poolCopy } from "./pool";
import { probeDelay } from "./timers";
import { armProbe } from "./recovery";
import { C, K, Tc } from "./state";

const enum O {
  TX = Ip.PAYLOAD,     // TCP header offset in netif.tx (14 Ethernet + 20 IPv4)
}

/** Checksums the segment of len bytes in tx and hands it to the IP layer for dst. */
export function finish(t: Tc, dst: number, len: number): void {
  var tx = t.tx;
  wr16(tx, O.TX + Hdr.CHECKSUM, csumFinish(csumAdd(tx, O.TX, len, pseudoSum(t.stk.addr, dst, Proto.TCP, len))));
  t.c[C.segOut]++;
  t.stk.ipSend(Proto.TCP, dst, len);
}

/** Sets timer i (an index in f64) to `when`; tick() looks at the slots no earlier than t.due. */
export function arm(t: Tc, i: number, when: number): void {
  t.f64[i] = when;
  if (when < t.due) t.due = when;
}

/** Sends one segment of slot s; len bytes of payload from the send queue at seq. */
export function emit(t: Tc, s: number, flags: number, seq: number, len: number, mssOpt: number): void {
  var u16 = t.u16, u32 = t.u32, b16 = s * F16.STRIDE, b32 = s * F32.STRIDE; // slot s's fields: u16[b16 + F16.X] ...
  var nxt = u32[b32 + F32.RCV_NXT], rwin = t.rwin;
  var w = 0; // a RST advertises no window
  if (!(flags & F.RST)) {
    // The window to advertise: min(rwin, room). Never shrinks the right edge already
    // advertised (SHLD-14), and only moves it right by at least min(rwin/2, MSS)
    // (receiver SWS avoidance, MUST-39).
    var keep = (u32[b32 + F32.RCV_ADV] - nxt) | 0;
    if (keep < 0) keep = 0;
    var h = t.hd[s];
    w = h && h.room ? h.room(s) : rwin;
    if (!(w < rwin)) w = rwin; // (also when room() gives no number)
    else if (!(w > 0)) w = 0;
    if (w < keep || (keep > 0 && w - keep < t.sws && w < rwin)) w = keep;
    u16[b16 + F16.RCV_WND] = w;
    u32[b32 + F32.RCV_ADV] = nxt + w; // typed-array stores wrap modulo 2^32
  }
  // the header (putHeader() written out: one call less per segment)
  var tx = t.tx, hl = mssOpt > 0 ? Hdr.LEN_MSS : Hdr.LEN;
  wr32(tx, O.TX + Hdr.SPORT, (u16[b16 + F16.LPORT] << 16) | u16[b16 + F16.RPORT]); // SPORT, DPORT
  wr32(tx, O.TX + Hdr.SEQ, seq);
  wr32(tx, O.TX + Hdr.ACK, flags & F.ACK ? nxt : 0);
  wr32(tx, O.TX + Hdr.DATA_OFFSET, (hl << Hdr.DOFF_WORD_SHIFT) | (flags << Hdr.FLAGS_WORD_SHIFT) | w); // DATA_OFFSET, FLAGS, WINDOW
  tx[O.TX + Hdr.CHECKSUM] = tx[O.TX + Hdr.CHECKSUM + 1] = tx[O.TX + Hdr.URGENT] = tx[O.TX + Hdr.URGENT + 1] = 0; // (filled in below)
  if (mssOpt > 0) wr32(tx, O.TX + Hdr.OPTIONS, (Opt.MSS << 24) | (Opt.MSS_LEN << 16) | mssOpt);
  if (t.fl[s] & SF.URG && !(flags & (F.SYN | F.RST))) t.uo!(t, s, seq); // urgent data unacknowledged (urgent.ts)
  var f64 = t.f64, b64 = s * F64.STRIDE;
  if (len > 0) {
    poolCopy(t.P, t.S, s, (seq - u32[b32 + F32.SND_UNA]) >>> 0, tx, O.TX + hl, len);
    f64[b64 + F64.T_USED] = t.now;
    if (seq === u32[b32 + F32.SND_UNA]) f64[b64 + F64.T_RXT] = t.now; // (recovery.ts: when SND.UNA's segment last went)
  }
  t.fl[s] &= ~SF.ACK_PENDING;
  f64[b64 + F64.T_ACK] = t.u8[s * F8.STRIDE + F8.RSEGS] = 0;
  // finish() written out: the checksum, to the IP layer
  var dst = u32[b32 + F32.RIP];
  len += hl;
  wr16(tx, O.TX + Hdr.CHECKSUM, csumFinish(csumAdd(tx, O.TX, len, pseudoSum(t.stk.addr, dst, Proto.TCP, len))));
  t.c[C.segOut]++;
  t.stk.ipSend(Proto.TCP, dst, len);
}

export function sendAck(t: Tc, s: number): void {
  emit(t, s, F.ACK, t.u32[s * F32.STRIDE + F32.SND_NXT], 0, 0);
}

export function armRexmt(t: Tc, s: number): void {
  var b64 = s * F64.STRIDE;
  if (t.f64[b64 + F64.T_REXMT] === 0) arm(t, b64 + F64.T_REXMT, t.now + t.f64[b64 + F64.RTO]);
}

/** Starts an RTT sample on the segment at seq. */
export function timeFrom(t: Tc, s: number, seq: number): void {
  t.fl[s] |= SF.TIMING;
  t.u32[s * F32.STRIDE + F32.RTT_SEQ] = seq;
  t.f64[s * F64.STRIDE + F64.RTT_T] = t.now;
}

/** Sends our SYN, or our SYN+ACK when synAck. */
export function sendSyn(t: Tc, s: number, synAck: boolean): void {
  var u32 = t.u32, b32 = s * F32.STRIDE;
  var i0 = u32[b32 + F32.ISS];
  emit(t, s, synAck ? F.SYN | F.ACK : F.SYN, i0, 0, t.mss);
  u32[b32 + F32.SND_NXT] = i0 + 1;
  if (u32[b32 + F32.SND_MAX] === i0) {
    u32[b32 + F32.SND_MAX] = i0 + 1;
    if (t.u8[s * F8.STRIDE + F8.RETRIES] === 0) timeFrom(t, s, i0);
  }
  armRexmt(t, s);
}

/**
 * Sends queued data and the FIN as the windows allow; returns segments sent. lim < 0: the
 * whole queue, then the FIN if close() queued it; lim >= 0: only the first lim queued bytes
 * and no FIN (a send deferred while a handler ran covers what was queued when it was asked).
 */
export function output(t: Tc, s: number, lim: number): number {
  var fl = t.fl, u16 = t.u16, u32 = t.u32, b16 = s * F16.STRIDE, b32 = s * F32.STRIDE;
  if (!(fl[s] & SF.SYN_ACKED)) return 0; // nothing goes before our SYN is acknowledged
  if (fl[s] & SF.FIN_ACKED) return 0;    // nor after our FIN is
  var una = u32[b32 + F32.SND_UNA];
  var len = u16[b16 + F16.SND_LEN];
  var finOk: number = SF.FIN_QUEUED;
  if (lim >= 0) {
    if (lim < len) len = lim;
    finOk = 0;
  }
  // Nothing queued left to send and no FIN to send (the usual call after an ACK): done.
  var off = (u32[b32 + F32.SND_NXT] - una) >>> 0;
  if (off > len || (off === len && !(fl[s] & finOk))) return 0;
  var wnd = u16[b16 + F16.SND_WND];
  var m = u16[b16 + F16.MSS];
  // RFC 3042 limited transmit: each of the first two duplicate ACKs lets one more segment out
  var d = t.u8[s * F8.STRIDE + F8.DUPS], cw = u16[b16 + F16.CWND] + (d < 3 && !(fl[s] & SF.RECOVERY) ? d * m : 0);
  if (cw < wnd) wnd = cw;
  var sent = 0;
  for (;;) {
    var nxt = u32[b32 + F32.SND_NXT];
    off = (nxt - una) >>> 0;
    if (off > len) break;
    var k = len - off;
    var avail = wnd - off;
    if (k > avail) k = avail;
    if (k > m) k = m;
    if (k < 0) k = 0;
    // Sender SWS avoidance (MUST-38): with data in flight, do not send a small segment only
    // because the window is small; the next ACK brings us back here.
    if (k < m && k < len - off && off > 0 && k < u16[b16 + F16.MAX_WND] >> 1) break;
    var fin = fl[s] & finOk && off + k === len ? F.FIN : 0;
    if (k === 0 && !fin) break;
    emit(t, s, F.ACK | fin | (k > 0 && off + k === len ? F.PSH : 0), nxt, k, 0);
    var end = nxt + k + fin; // fin is F.FIN = 1 or 0: the FIN takes one sequence number
    u32[b32 + F32.SND_NXT] = end;
    if (fin) fl[s] |= SF.FIN_SENT;
    // (timeFrom(), seqLe(), seqLt() and armRexmt() written out: once per segment sent)
    var max = u32[b32 + F32.SND_MAX], b64 = s * F64.STRIDE;
    if (((max - nxt) | 0) <= 0 && !(fl[s] & SF.TIMING)) { // new data, and no sample running: time it
      fl[s] |= SF.TIMING;
      u32[b32 + F32.RTT_SEQ] = nxt;
      t.f64[b64 + F64.RTT_T] = t.now;
    }
    if (((max - end) | 0) < 0) u32[b32 + F32.SND_MAX] = end;
    if (t.f64[b64 + F64.T_REXMT] === 0) arm(t, b64 + F64.T_REXMT, t.now + t.f64[b64 + F64.RTO]);
    sent++;
    // the FIN ends it, and so does the end of the queue when no FIN may follow (the next
    // round would find nothing to send)
    if (fin || ((off += k) === len && !(fl[s] & finOk))) break;
  }
  if (sent > 0) armProbe(t, s);
  // Peer's window closed with data waiting and nothing in flight: probe it (persist timer).
  var p = s * F64.STRIDE + F64.T_PERSIST;
  if (u16[b16 + F16.SND_WND] === 0 && off < len && u32[b32 + F32.SND_NXT] === una && t.f64[p] === 0) {
    arm(t, p, t.now + probeDelay(t.S, s));
  }
  return sent;
}

/** A RST (flags RST or RST+ACK) in reply to the segment being handled. */
export function replyRst(t: Tc, seq: number, ack: number, flags: number): void {
  putHeader(t.tx, O.TX, t.dp, t.sp, seq, ack, flags, 0, 0);
  finish(t, t.src, Hdr.LEN);
}

/** The segment's ACK is not acceptable: counted, answered with <SEQ=SEG.ACK><CTL=RST> (never a RST to a RST). */
export function rstBadAck(t: Tc): void {
  t.c[C.dropBadAck]++;
  if (!(t.flg & F.RST)) replyRst(t, t.ack, 0, F.RST);
}

/** An ACK in reply to an unacceptable segment (RFC 5961 challenge ACK), at most t.caL a second. */
export function challengeAck(t: Tc, s: number): void {
  if (t.now - t.caT >= K.CHALLENGE_ACK_MS) {
    t.caT = t.now;
    t.caN = 0;
  }
  if (t.caN < t.caL) {
    t.caN++;
    t.c[C.challengeAcks]++;
    sendAck(t, s);
  } else {
    t.c[C.challengeAcksLimited]++;
  }
}
