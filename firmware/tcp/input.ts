// TCP input, in the order of RFC 9293 3.10.7 "SEGMENT ARRIVES": the header and address checks,
// then 3.10.7.1/3.10.7.2 (no connection: CLOSED or LISTEN), 3.10.7.3 (SYN-SENT) and 3.10.7.4
// (the synchronized states: acceptability, RST, SYN, ACK (ack.ts), text, FIN). The segment's
// fields are read once into the record (t.seq, t.ack, t.flg...): the checks read them there
// instead of passing a dozen arguments along.

import { csumAdd, csumFinish, pseudoSum } from "../net/checksum";
import { Proto } from "../net/ipv4";
import { rd16, rd32 } from "../net/bytes";
import { State } from "./states";
import { Ev } from "./table";
import { F, Hdr, parseMss, seqLt, seqLe } from "./segment";
import { SF, F8, F16, F32, F64 } from "./slots";
import { arm, challengeAck, output, replyRst, rstBadAck, sendAck } from "./output";
import { fire, tell } from "./events";
import { allocSlot, badAddr, evictable, evictHalfOpen, initSlot, listenerFor, oldest } from "./alloc";
import { ackIn, sendSpaceBack } from "./ack";
import { gapAck } from "./recovery";
import { urgIn } from "./urgent";
import { C, K, Tc } from "./state";

/** The IP layer's TCP input: one segment, buf[o .. o+len), from -> dst (then tcp.ts wakes the pool's waiters). */
export function segmentIn(t: Tc, buf: Uint8Array, o: number, len: number, from: number, dst: number): void {
  var counts = t.c, hl = (buf[o + Hdr.DATA_OFFSET] >> Hdr.DOFF_SHIFT) << Hdr.WORD_SHIFT;
  t.now = t.stk.clock.now();
  counts[C.segIn]++;
  if (len < Hdr.LEN || hl < Hdr.LEN || hl > len) return void counts[C.dropShort]++; // no header, or a bad data offset
  if (dst !== t.stk.addr || badAddr(t, from)) return void counts[C.dropAddress]++;
  if (csumFinish(csumAdd(buf, o, len, pseudoSum(from, dst, Proto.TCP, len)))) return void counts[C.dropChecksum]++;
  var sp = rd16(buf, o + Hdr.SPORT), dp = rd16(buf, o + Hdr.DPORT);
  t.rx = buf;
  t.ro = o;
  t.hl = hl;
  t.dl = len - hl;
  t.src = from;
  t.sp = sp;
  t.dp = dp;
  t.seq = rd32(buf, o + Hdr.SEQ);
  t.ack = rd32(buf, o + Hdr.ACK);
  t.flg = buf[o + Hdr.FLAGS];
  t.win = rd16(buf, o + Hdr.WINDOW);
  var st = t.st, u16 = t.u16;
  for (var s = 0; s < t.n; s++) {
    if (u16[s * F16.STRIDE + F16.RPORT] === sp && u16[s * F16.STRIDE + F16.LPORT] === dp && t.u32[s * F32.STRIDE + F32.RIP] === from && st[s] !== State.CLOSED) {
      return st[s] === State.SYN_SENT ? synSent(t, s) : synchronized(t, s);
    }
  }
  noConnection(t);
}

/** The peer's MSS option (0: none); -1, counted, when the options are malformed. */
function peerMss(t: Tc): number {
  var pm = parseMss(t.rx, t.ro + Hdr.OPTIONS, t.hl - Hdr.OPTIONS);
  if (pm < 0) t.c[C.dropBadOptions]++;
  return pm;
}

/** SEG.LEN: the data plus one for each of SYN and FIN. */
function segLen(t: Tc): number {
  return t.dl + (t.flg & F.SYN ? 1 : 0) + (t.flg & F.FIN ? 1 : 0);
}

/** A segment for no connection (RFC 9293 3.10.7.1 CLOSED, 3.10.7.2 LISTEN). */
function noConnection(t: Tc): void {
  var flags = t.flg;
  if (flags & F.RST) return void t.c[C.dropRst]++; // never a RST in reply to a RST
  var li = listenerFor(t, t.dp);
  if (li >= 0 && !(flags & F.ACK)) {
    if (flags & F.SYN) return accept(t, li);
    return void t.c[C.dropNoListener]++; // a listener takes a SYN and nothing else
  }
  if (li < 0) t.c[C.dropNoListener]++;
  // the RST: <SEQ=SEG.ACK> for an ACK (also an ACK to a listener), else <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
  if (flags & F.ACK) replyRst(t, t.ack, 0, F.RST);
  else replyRst(t, 0, (t.seq + segLen(t)) >>> 0, F.RST | F.ACK);
}

/** A SYN to listener li: a slot for it (the listener's backlog bounds its half-open ones). */
function accept(t: Tc, li: number): void {
  var pm = peerMss(t);
  if (pm < 0) return;
  // The listener's half-open slots: at its backlog, the oldest one makes room (when evictable()).
  var s = oldest(t, State.SYN_RCVD, li, false);
  if (s >= 0 && t.mat >= t.lBl[li]) {
    if (!evictable(t, s)) return void t.c[C.dropSynFull]++;
    t.c[C.backlogEvict]++;
    evictHalfOpen(t, s);
  } else {
    s = allocSlot(t);
  }
  if (s < 0) return void t.c[C.dropSynFull]++;
  initSlot(t, s, li, t.src, t.sp, t.dp, t.lH[li]);
  t.u32[s * F32.STRIDE + F32.SYN_RE] = t.stk.re as number;
  t.st[s] = State.LISTEN;
  peerSyn(t, s, pm);
  t.c[C.accepted]++;
  fire(t, s, Ev.RCV_SYN);
}

/** The peer's SYN: IRS, RCV.NXT, its MSS (pm; 0: none) and window. */
function peerSyn(t: Tc, s: number, pm: number): void {
  var u16 = t.u16, u32 = t.u32, b16 = s * F16.STRIDE, b32 = s * F32.STRIDE;
  u32[b32 + F32.IRS] = u32[b32 + F32.SND_WL1] = t.seq;
  u32[b32 + F32.RCV_UP] = u32[b32 + F32.RCV_ADV] = u32[b32 + F32.RCV_NXT] = t.seq + 1;
  if (pm === 0) pm = K.MSS_DEFAULT;
  u16[b16 + F16.MSS] = pm < t.mss ? pm : t.mss;
  u16[b16 + F16.SND_WND] = u16[b16 + F16.MAX_WND] = t.win;
  u32[b32 + F32.SND_WL2] = u32[b32 + F32.ISS];
}

/** RFC 9293 3.10.7.3: a segment for a connection in SYN-SENT. */
function synSent(t: Tc, s: number): void {
  var flags = t.flg, b32 = s * F32.STRIDE;
  if (flags & F.ACK && (seqLe(t.ack, t.u32[b32 + F32.ISS]) || seqLt(t.u32[b32 + F32.SND_MAX], t.ack))) return rstBadAck(t);
  if (flags & F.RST) {
    if (flags & F.ACK) return fire(t, s, Ev.RCV_RST); // with our SYN acknowledged: refused
    return void t.c[C.dropRst]++;
  }
  if (!(flags & F.SYN)) return void t.c[C.dropNoAck]++;
  var pm = peerMss(t);
  if (pm < 0) return;
  peerSyn(t, s, pm);
  t.f64[s * F64.STRIDE + F64.T_USED] = t.now;
  if (flags & F.ACK) {
    ackIn(t, s);
    fire(t, s, Ev.RCV_SYN_ACK);
  } else {
    fire(t, s, Ev.RCV_SYN);
  }
}

/** RFC 9293 3.10.7.4: a segment for a connection in a synchronized state (or SYN-RCVD). */
function synchronized(t: Tc, s: number): void {
  var fl = t.fl, u32 = t.u32, b32 = s * F32.STRIDE, b64 = s * F64.STRIDE;
  var cur = t.st[s], flags = t.flg, seq = t.seq;
  var rn = u32[b32 + F32.RCV_NXT];
  var wnd = t.u16[s * F16.STRIDE + F16.RCV_WND];
  var slen = t.dl, d0 = 0; // SEG.LEN; SEG.SEQ - RCV.NXT
  if (cur === State.ESTABLISHED && (flags & ~F.PSH) === F.ACK && seq === rn && wnd > 0) {
    // The common segment: ESTABLISHED, an ACK (PSH or not; no SYN, FIN, RST or URG) at
    // RCV.NXT in an open window. It passes every check of the other branch (acceptable, no
    // RST or SYN, an ACK, not SYN-RCVD) without taking any of them: only its activity is noted.
    t.f64[b64 + F64.T_USED] = t.now;
  } else {
    if (cur === State.SYN_RCVD && flags & F.SYN && seq === u32[b32 + F32.IRS]) {
      // The peer's SYN again: alone, it lost our SYN-ACK (send it again); with an ACK, it is the
      // other half of a simultaneous open: take its ACK and forget the SYN.
      if (!(flags & F.ACK)) return fire(t, s, Ev.RCV_SYN);
      t.seq = seq = (seq + 1) >>> 0;
      t.flg = flags &= ~F.SYN;
    }
    slen = t.dl + (flags & F.SYN ? 1 : 0) + (flags & F.FIN ? 1 : 0); // SEG.LEN (segLen())
    d0 = (seq - rn) | 0;
    // The acceptability test: the first octet, or the last one of a segment with length, inside
    // the window (x >>> 0 < wnd: 0 <= x < wnd, x relative to RCV.NXT). A zero window accepts
    // nothing here, which is the test's answer for a segment with length; an empty segment at
    // RCV.NXT is accepted just below.
    var ok = d0 >>> 0 < wnd || (slen > 0 && (d0 + slen - 1) >>> 0 < wnd);
    if (!ok && wnd === 0 && d0 === 0) {
      // Zero window: an empty segment at RCV.NXT is acceptable, and one with length still
      // has its ACK and RST taken, without its text (MUST-66).
      ok = true;
      t.dl = 0;
      t.flg = flags &= ~F.FIN;
    }
    if (!ok) {
      if (flags & F.RST) return void t.c[C.dropRst]++;
      if (flags & F.FIN && cur === State.TIME_WAIT) return fire(t, s, Ev.RCV_FIN);
      // (a keep-alive probe, SEQ = RCV.NXT - 1 with 0 or 1 byte, is answered but not a drop)
      if (d0 !== -1 || slen > 1) t.c[C.dropOutOfWindow]++;
      return sendAck(t, s);
    }
    t.f64[b64 + F64.T_USED] = t.now; // only acceptable segments count as activity (idle eviction, oldest-first)
    if (flags & (F.RST | F.SYN)) {
      // RST at exactly RCV.NXT resets; any other RST in the window, or a SYN: challenge ACK
      if (flags & F.RST && d0 === 0) fire(t, s, cur === State.SYN_RCVD && fl[s] & SF.ACTIVE ? Ev.RCV_RST_ACTIVE : Ev.RCV_RST);
      else challengeAck(t, s);
      return;
    }
    if (!(flags & F.ACK)) return void t.c[C.dropNoAck]++;
    if (cur === State.SYN_RCVD && !(seqLt(u32[b32 + F32.SND_UNA], t.ack) && seqLe(t.ack, u32[b32 + F32.SND_MAX]))) return rstBadAck(t);
  }
  var freed = t.u16[s * F16.STRIDE + F16.SND_LEN];
  if (!ackIn(t, s)) return;
  freed -= t.u16[s * F16.STRIDE + F16.SND_LEN];
  var g = t.gen[s];
  if (cur === State.SYN_RCVD) {
    fire(t, s, Ev.RCV_ACK_OF_SYN);
    if (t.gen[s] !== g) return;
    cur = t.st[s];
  }
  // Classify the rest: data and FIN in sequence?
  var dlen = t.dl;
  var inOrder = d0 <= 0;
  var skip = -d0; // bytes already received at the left edge (used only when inOrder)
  var receiving = cur >= State.ESTABLISHED && cur <= State.FIN_WAIT_2; // the states that take data and FIN
  var fin = flags & F.FIN && inOrder && skip <= dlen && receiving;
  var finAcked = fl[s] & SF.FIN_ACKED;
  if (finAcked && (cur === State.CLOSING || cur === State.LAST_ACK || (cur === State.FIN_WAIT_1 && !fin))) {
    fire(t, s, Ev.RCV_ACK_OF_FIN);
    if (t.gen[s] !== g) return; // (every row into CLOSED frees the slot: gen moved)
    cur = t.st[s];
    receiving = cur >= State.ESTABLISHED && cur <= State.FIN_WAIT_2;
    fin = fin && receiving;
  }
  if (flags & F.URG && receiving && !urgIn(t, s)) return; // urgent.ts: before the data (RFC 9293 3.10.7.4, sixth)
  var ackNow = false;
  if (inOrder && receiving && dlen > skip) {
    var k = dlen - skip;
    u32[b32 + F32.RCV_NXT] = rn + k;
    if (cur === State.FIN_WAIT_2) arm(t, b64 + F64.T_STATE, t.now + t.fw2);
    fl[s] |= SF.ACK_PENDING;
    if (++t.u8[s * F8.STRIDE + F8.RSEGS] >= K.ACK_EVERY) ackNow = true;
    if (!tell(t, s, "data", t.rx, t.ro + t.hl + skip, k)) return;
    var used = t.res; // bytes consumed, when the handler says
    if (typeof used === "number" && used >= 0 && used < k) {
      u32[b32 + F32.RCV_NXT] = rn + used;
      ackNow = true;
      fin = false;
    }
  } else if (!inOrder || (slen > 0 && !fin)) {
    // Out of order (dropped: never delivered out of order), or nothing new: old data, or
    // text in a state that takes none. ACK it.
    t.c[inOrder ? C.dropDuplicate : C.dropOutOfOrder]++;
    ackNow = true;
  }
  // RFC 5681 4.2 (recovery.ts; in order with no gap: nothing to do there)
  if (dlen > 0 && (d0 !== 0 || fl[s] & SF.GAP) && gapAck(t, s, d0, seq + dlen)) ackNow = true;
  if (fin) {
    u32[b32 + F32.RCV_NXT]++;
    fire(t, s, cur === State.FIN_WAIT_1 && finAcked ? Ev.RCV_FIN_ACK : Ev.RCV_FIN);
    if (t.gen[s] !== g) return; // (every row into CLOSED frees the slot: gen moved)
    ackNow = false; // the row's ACK covers the data and the FIN: no second, identical ACK
  }
  if (ackNow) fl[s] |= SF.ACK_PENDING;
  // output(t, s, -1) unless the queue is all sent and no FIN waits (where it returns at once)
  if ((u32[b32 + F32.SND_NXT] - u32[b32 + F32.SND_UNA]) >>> 0 !== t.u16[s * F16.STRIDE + F16.SND_LEN] || fl[s] & SF.FIN_QUEUED) output(t, s, -1);
  if (freed > 0) sendSpaceBack(t, s);
  if (t.gen[s] !== g) return;
  if (fl[s] & SF.ACK_PENDING) {
    if (ackNow) sendAck(t, s);
    else if (t.f64[b64 + F64.T_ACK] === 0) arm(t, b64 + F64.T_ACK, t.now + K.ACK_DELAY_MS);
  }
}
