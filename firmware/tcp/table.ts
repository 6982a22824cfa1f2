// THE DATA: the TCP state machine as a table. One row per (state, event): the next state, the
// actions to run (bit flags, run by engine.ts in a fixed order) and, for rows that end the
// connection for the application, the reason passed to TcpHandler.end().
//
// Segments are first checked (acceptability, RST, SYN, ACK: see tcp.ts) and only then turned
// into these events; user calls (listen/connect/write/close/abort) and timers are events too.
// A (state, event) pair with no row is "not allowed here": the engine does nothing.
// tools/diagram.ts renders ROWS into docs/tcp-states.dot/.svg.

import { STATE_COUNT } from "./states";

// ---- events ----
export const enum Ev {
  PASSIVE_OPEN = 0,  // listen()
  ACTIVE_OPEN = 1,  // connect()
  SEND = 2,  // write()
  CLOSE = 3,  // close(): FIN after queued data
  ABORT = 4,  // abort()
  RCV_SYN = 5,  // SYN without ACK
  RCV_SYN_ACK = 6,  // SYN+ACK acknowledging our SYN
  RCV_ACK_OF_SYN = 7,  // ACK acknowledging our SYN (SYN-RCVD)
  RCV_FIN = 8,  // FIN in sequence
  RCV_FIN_ACK = 9,  // FIN in sequence that also acknowledges our FIN
  RCV_ACK_OF_FIN = 10,  // ACK acknowledging our FIN
  RCV_RST = 11,  // acceptable RST
  RCV_RST_ACTIVE = 12,  // acceptable RST in SYN-RCVD entered from SYN-SENT (active open)
  TIMEOUT_2MSL = 13,  // TIME-WAIT over
  RTO = 14,  // retransmission timeout, retries left
  GIVE_UP = 15,  // retransmission timeout, retries exhausted
  STATE_TIMEOUT = 16,  // SYN-RCVD or FIN-WAIT-2 held too long
}
export var EV_PASSIVE_OPEN = Ev.PASSIVE_OPEN;
export var EV_ACTIVE_OPEN = Ev.ACTIVE_OPEN;
export var EV_SEND = Ev.SEND;
export var EV_CLOSE = Ev.CLOSE;
export var EV_ABORT = Ev.ABORT;
export var EV_RCV_SYN = Ev.RCV_SYN;
export var EV_RCV_SYN_ACK = Ev.RCV_SYN_ACK;
export var EV_RCV_ACK_OF_SYN = Ev.RCV_ACK_OF_SYN;
export var EV_RCV_FIN = Ev.RCV_FIN;
export var EV_RCV_FIN_ACK = Ev.RCV_FIN_ACK;
export var EV_RCV_ACK_OF_FIN = Ev.RCV_ACK_OF_FIN;
export var EV_RCV_RST = Ev.RCV_RST;
export var EV_RCV_RST_ACTIVE = Ev.RCV_RST_ACTIVE;
export var EV_TIMEOUT_2MSL = Ev.TIMEOUT_2MSL;
export var EV_RTO = Ev.RTO;
export var EV_GIVE_UP = Ev.GIVE_UP;
export var EV_STATE_TIMEOUT = Ev.STATE_TIMEOUT;
export var EV_COUNT = 17;

export var EVENT_NAMES = [
  "passive OPEN", "active OPEN", "SEND", "CLOSE", "ABORT", "rcv SYN", "rcv SYN+ACK",
  "rcv ACK of SYN", "rcv FIN", "rcv FIN+ACK of FIN", "rcv ACK of FIN", "rcv RST",
  "rcv RST (active open)", "timeout 2MSL", "retransmission timeout", "retries exhausted",
  "state timeout",
];

// ---- actions (bit flags, run in this order by the engine) ----
export const enum A {
  RESEND = 1,  // go back to SND.UNA and retransmit (SYN, SYN-ACK, data, FIN)
  SYN = 2,  // send SYN <ISS> with MSS option, arm retransmission
  SYNACK = 4,  // send SYN+ACK <ISS, RCV.NXT> with MSS option, arm retransmission
  FIN = 8,  // queue our FIN after the queued data
  OUTPUT = 16,  // send queued data / FIN as windows allow
  ACK = 32,  // send an ACK now
  RST = 64,  // send RST <SND.NXT> (abort, give-up, time-out)
  TIMER_2MSL = 128,  // arm the TIME-WAIT timer (2*MSL)
  TIMER_STATE = 256,  // arm the SYN-RCVD / FIN-WAIT-2 time-out
  OPENED = 512,  // tell the application: open(c)
  PEER_CLOSED = 1024,  // tell the application: peerClosed(c)
  END = 2048,  // tell the application: end(c, reason) (once, if it knows c)
  FREE = 4096,  // release the slot
}
export var A_RESEND = A.RESEND;
export var A_SYN = A.SYN;
export var A_SYNACK = A.SYNACK;
export var A_FIN = A.FIN;
export var A_OUTPUT = A.OUTPUT;
export var A_ACK = A.ACK;
export var A_RST = A.RST;
export var A_TIMER_2MSL = A.TIMER_2MSL;
export var A_TIMER_STATE = A.TIMER_STATE;
export var A_OPENED = A.OPENED;
export var A_PEER_CLOSED = A.PEER_CLOSED;
export var A_END = A.END;
export var A_FREE = A.FREE;

export var ACTION_NAMES = [
  "resend", "SYN", "SYN+ACK", "FIN", "output", "ACK", "RST", "2MSL timer", "state timer",
  "open()", "peerClosed()", "end()", "free",
];

// end() reasons
export var END_NORMAL = 0;
export var END_RESET = 1;
export var END_TIMEOUT = 2;
export var END_ABORTED = 3;
export var END_REFUSED = 4;

// The rows, grouped by state: a state letter, then one word per row of that state: event,
// next state, then the actions (letters, run in the order of the A_ bits whatever the order
// here); a digit is end() with that reason.
//   states:  C CLOSED, L LISTEN, S SYN-SENT, R SYN-RCVD, E ESTABLISHED, 1 FIN-WAIT-1,
//            2 FIN-WAIT-2, W CLOSE-WAIT, G CLOSING, A LAST-ACK, T TIME-WAIT
//   events:  p passive OPEN, a active OPEN, s SEND, c CLOSE, x ABORT, y rcv SYN, Y rcv SYN+ACK,
//            k rcv ACK of SYN, f rcv FIN, F rcv FIN+ACK, K rcv ACK of FIN, r rcv RST,
//            R rcv RST (active open), m 2MSL, t RTO, g retries exhausted, o state timeout
//   actions: r resend, s SYN, y SYN+ACK, f FIN, o output, a ACK, x RST, m 2MSL timer,
//            t state timer, O open(), P peerClosed(), F free
//   reasons: 0 normal, 1 reset, 2 timeout, 3 aborted, 4 refused (END_* above)
var STATE_KEYS = "CLSRE12WGAT";
var EVENT_KEYS = "pascxyYkfFKrRmtgo";
var ACTION_KEYS = "rsyfoaxmtOPEF"; // E (end) is written as its reason digit
var PACKED =
  // CLOSED (a RST to no connection is dropped, never answered)
  "C pL aSs rC " +
  // LISTEN (a listener; a new slot starts here for each accepted SYN)
  "L yRyt sSs cCF xCF rL " +
  "S YEaoO yRyt sS cC3F xC3F rC4F tSr gC2F " +
  "R kEoO yRy sR c1f xC3xF rLF RC4F tRr gC2xF oC2xF " +
  "E sEo c1fo fWaP rC1F xC3xF tEr gC2xF " +
  "1 K2t fGaP FT0amP rC1F xC3xF t1r gC2xF " +
  "2 fT0amP rC1F xC3xF oC2xF " +
  "W sWo cAfo rC1F xC3xF tWr gC2xF " +
  "G KT0m rC1F xC3xF tGr gC2xF " +
  "A KC0F rC1F xC3xF tAr gC2xF " +
  "T fTam mCF rCF xCF";

/** One row: [state, event, next state, actions, end reason], decoded from PACKED at start-up. */
export var ROWS: number[][] = [];
/**
 * The rows compiled into one Int32Array indexed by state*EV_COUNT+event, built with ROWS:
 * 0 = no row; otherwise (next+1) | reason<<4 | actions<<8.
 */
var TABLE = new Int32Array(STATE_COUNT * EV_COUNT);
var words = PACKED.split(" ");
var state = 0;
for (var wi = 0; wi < words.length; wi++) {
  var w = words[wi];
  if (w.length < 2) {
    state = STATE_KEYS.indexOf(w);
    continue;
  }
  var r = [state, EVENT_KEYS.indexOf(w[0]), STATE_KEYS.indexOf(w[1]), 0, 0];
  for (var i = 2; i < w.length; i++) {
    var k = ACTION_KEYS.indexOf(w[i]);
    if (k < 0) {
      r[4] = +w[i]; // a digit: end(reason)
      k = 11;
    }
    r[3] |= 1 << k;
  }
  ROWS.push(r);
  TABLE[state * EV_COUNT + r[1]] = (r[2] + 1) | (r[4] << 4) | (r[3] << 8);
}

/** The compiled table (one, shared: read only). */
export function compileTable(): Int32Array {
  return TABLE;
}
