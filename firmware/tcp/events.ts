// Running the table (fire: the row for a slot's state and an event, then its actions) and
// calling the application's handlers (tell).
//
// Output while a handler runs is deferred: a write() or close() from inside open(), data(),
// drained(), peerClosed() or end() only queues its bytes (or its FIN) and notes the send in a
// short list (t.dq, t.dqn); the send happens when the outermost handler call returns, from
// tell(), in the order the application asked. So the segment is built and the frame goes
// through the driver's SPI transfer with only TCP's own frames on the stack, not with the
// application's (HTTP parsing, routing, the response) under it: on Espruino the variables of
// every active call count, and this was the deepest point of a request.
// Each deferred send covers what was queued when it was asked (the same segments as when it
// went at once: write() then close() still sends the data, then the FIN on its own). Any other
// event from inside a handler (abort(), connect()) sends what is deferred first.

import { State } from "./states";
import { Ev, A } from "./table";
import { Cell, compileTable, step, reasonOf } from "./engine";
import { F } from "./segment";
import { SF, F8, F16, F32, F64 } from "./slots";
import { halveSsthresh } from "./recovery";
import { arm, emit, output, sendAck, sendSyn } from "./output";
import { free } from "./alloc";
import { C, K, Tc } from "./state";

var TABLE = compileTable();

/**
 * Calls handler[s][name](s, a, b) (its result in t.res), counting an exception; when the
 * outermost handler call returns, sends what it deferred. False when the call freed or reused
 * the slot.
 */
export function tell(t: Tc, s: number, name: string, a?: any, b?: any, c?: any): boolean {
  var g = t.gen[s], h = t.hd[s];
  t.res = undefined;
  if (h) {
    t.dep++;
    try { t.res = h[name](s, a, b, c); } catch (e) { t.c[C.appErrors]++; }
    if (--t.dep === 0 && t.dn > 0) flushOut(t);
  }
  return t.gen[s] === g;
}

/** Sends what handlers deferred, in order. */
export function flushOut(t: Tc): void {
  var q = t.dq, ql = t.dqn;
  for (var i = 0; i < t.dn; i++) {
    var e = q[i];
    output(t, e & K.DEFER_SLOT, e & K.DEFER_FIN ? -1 : ql[i]);
  }
  t.dn = 0;
}

/** Notes a send of slot s (a close() when fin) to run when the handler returns. */
function defer(t: Tc, s: number, fin: number): void {
  if (t.dn === K.DEFER_MAX) flushOut(t);
  t.dq[t.dn] = fin ? s | K.DEFER_FIN : s;
  t.dqn[t.dn++] = t.u16[s * F16.STRIDE + F16.SND_LEN];
}

/**
 * The table's row for (st[s], ev), if any: the next state, then its actions in the order of
 * the A bits (the cell is decoded by engine.ts).
 */
export function fire(t: Tc, s: number, ev: number): void {
  var st = t.st, fl = t.fl, f64 = t.f64, b64 = s * F64.STRIDE;
  var r = TABLE[st[s] * Ev.COUNT + ev];
  if (!r) return;
  var a = r >> Cell.ACTIONS_SHIFT; // (engine.ts actionsOf() and nextOf() written out: every event decodes its cell)
  if (t.dep > 0) {
    // from inside a handler: a send or a close waits for it to return; anything else sends
    // what waits first
    if ((a | A.FIN) === (A.OUTPUT | A.FIN)) { // (SEND and CLOSE: output, and the FIN or not)
      st[s] = (r & Cell.NEXT_MASK) - 1;
      if (a & A.FIN) fl[s] |= SF.FIN_QUEUED;
      return defer(t, s, a & A.FIN);
    }
    if (t.dn > 0) flushOut(t);
  }
  st[s] = (r & Cell.NEXT_MASK) - 1;
  if (a & A.RESEND) {
    // Go back to SND.UNA after a retransmission time-out (Karn: the timing sample is void).
    t.c[C.retransmits]++;
    fl[s] &= ~SF.TIMING;
    if (fl[s] & SF.SYN_ACKED && t.u8[s * F8.STRIDE + F8.RETRIES] < 2) halveSsthresh(t, s); // the first time-out of a loss (RFC 5681 (4))
    t.u16[s * F16.STRIDE + F16.CWND] = t.u16[s * F16.STRIDE + F16.MSS];
    f64[b64 + F64.T_REXMT] = 0;
    if (!(fl[s] & SF.SYN_ACKED)) sendSyn(t, s, st[s] !== State.SYN_SENT); // SYN in SYN-SENT, else SYN+ACK (SYN-RCVD, or closed from it)
    else {
      t.u32[s * F32.STRIDE + F32.SND_NXT] = t.u32[s * F32.STRIDE + F32.SND_UNA];
      output(t, s, -1);
    }
  }
  if (a & (A.SYN | A.SYNACK)) sendSyn(t, s, (a & A.SYNACK) !== 0);
  if (a & A.FIN) fl[s] |= SF.FIN_QUEUED;
  // ACK only when output() sent nothing (its segments carry the ACK)
  if (!(a & A.OUTPUT && output(t, s, -1)) && a & A.ACK) sendAck(t, s);
  if (a & A.RST) emit(t, s, F.RST, t.u32[s * F32.STRIDE + F32.SND_NXT], 0, 0); // RST <SND.NXT>
  // the state timer: 2MSL in TIME-WAIT (no retransmission or probe there), else the
  // SYN-RCVD or FIN-WAIT-2 time-out
  if (a & A.TIMER_2MSL) {
    f64[b64 + F64.T_REXMT] = f64[b64 + F64.T_PERSIST] = 0;
    arm(t, b64 + F64.T_STATE, t.now + t.msl2);
  } else if (a & A.TIMER_STATE) {
    arm(t, b64 + F64.T_STATE, t.now + (st[s] === State.SYN_RCVD ? t.srMs : t.fw2));
  }
  if (a & A.OPENED) {
    fl[s] |= SF.KNOWN;
    t.c[C.opened]++;
    if (!tell(t, s, "open")) return;
  }
  if (a & A.PEER_CLOSED && fl[s] & SF.KNOWN && !tell(t, s, "peerClosed")) return;
  if (a & A.END && fl[s] & SF.KNOWN) {
    fl[s] &= ~SF.KNOWN;
    if (!tell(t, s, "end", reasonOf(r))) return;
  }
  if (a & A.FREE) free(t, s);
}

/** The table's cell for (state, ev) (0: no row). */
export function rowOf(state: number, ev: number): number {
  return step(TABLE, state, ev);
}
