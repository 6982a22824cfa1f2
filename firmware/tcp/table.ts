// THE DATA: the TCP state machine as a table. One row per (state, event): the next state, the
// actions to run (bit flags, run by engine.ts in a fixed order) and, for rows that end the
// connection for the application, the reason passed to TcpHandler.end().
//
// Segments are first checked (acceptability, RST, SYN, ACK: see tcp.ts) and only then turned
// into these events; user calls (listen/connect/write/close/abort) and timers are events too.
// A (state, event) pair with no row is "not allowed here": the engine does nothing and counts it.
// tools/diagram.ts renders ROWS into docs/tcp-states.dot/.svg.

import {
  CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
  CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, STATE_COUNT,
} from "./states";

// ---- events ----
export var EV_PASSIVE_OPEN = 0;   // listen()
export var EV_ACTIVE_OPEN = 1;    // connect()
export var EV_SEND = 2;           // write()
export var EV_CLOSE = 3;          // close(): FIN after queued data
export var EV_ABORT = 4;          // abort()
export var EV_RCV_SYN = 5;        // SYN without ACK
export var EV_RCV_SYN_ACK = 6;    // SYN+ACK acknowledging our SYN
export var EV_RCV_ACK_OF_SYN = 7; // ACK acknowledging our SYN (SYN-RCVD)
export var EV_RCV_FIN = 8;        // FIN in sequence
export var EV_RCV_FIN_ACK = 9;    // FIN in sequence that also acknowledges our FIN
export var EV_RCV_ACK_OF_FIN = 10;// ACK acknowledging our FIN
export var EV_RCV_RST = 11;       // acceptable RST
export var EV_RCV_RST_ACTIVE = 12;// acceptable RST in SYN-RCVD entered from SYN-SENT (active open)
export var EV_TIMEOUT_2MSL = 13;  // TIME-WAIT over
export var EV_RTO = 14;           // retransmission timeout, retries left
export var EV_GIVE_UP = 15;       // retransmission timeout, retries exhausted
export var EV_STATE_TIMEOUT = 16; // SYN-RCVD or FIN-WAIT-2 held too long
export var EV_COUNT = 17;

export var EVENT_NAMES = [
  "passive OPEN", "active OPEN", "SEND", "CLOSE", "ABORT", "rcv SYN", "rcv SYN+ACK",
  "rcv ACK of SYN", "rcv FIN", "rcv FIN+ACK of FIN", "rcv ACK of FIN", "rcv RST",
  "rcv RST (active open)", "timeout 2MSL", "retransmission timeout", "retries exhausted",
  "state timeout",
];

// ---- actions (bit flags, run in this order by the engine) ----
export var A_RESEND = 1;       // go back to SND.UNA and retransmit (SYN, SYN-ACK, data, FIN)
export var A_SYN = 2;          // send SYN <ISS> with MSS option, arm retransmission
export var A_SYNACK = 4;       // send SYN+ACK <ISS, RCV.NXT> with MSS option, arm retransmission
export var A_FIN = 8;          // queue our FIN after the queued data
export var A_OUTPUT = 16;      // send queued data / FIN as windows allow
export var A_ACK = 32;         // send an ACK now
export var A_RST = 64;         // send RST <SND.NXT> (abort, give-up, time-out)
export var A_TIMER_2MSL = 128; // arm the TIME-WAIT timer (2*MSL)
export var A_TIMER_STATE = 256;// arm the SYN-RCVD / FIN-WAIT-2 time-out
export var A_OPENED = 512;     // tell the application: open(c)
export var A_PEER_CLOSED = 1024;// tell the application: peerClosed(c)
export var A_END = 2048;       // tell the application: end(c, reason) (once, if it knows c)
export var A_FREE = 4096;      // release the slot

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

/** One row: [state, event, next state, actions, end reason]. */
export var ROWS: number[][] = [
  // CLOSED
  [CLOSED, EV_PASSIVE_OPEN, LISTEN, 0, 0],
  [CLOSED, EV_ACTIVE_OPEN, SYN_SENT, A_SYN, 0],
  [CLOSED, EV_RCV_RST, CLOSED, 0, 0], // no connection: a RST is dropped, never answered
  // LISTEN (a listener; a new slot starts here for each accepted SYN)
  [LISTEN, EV_RCV_SYN, SYN_RCVD, A_SYNACK | A_TIMER_STATE, 0],
  [LISTEN, EV_SEND, SYN_SENT, A_SYN, 0],
  [LISTEN, EV_CLOSE, CLOSED, A_FREE, 0],
  [LISTEN, EV_ABORT, CLOSED, A_FREE, 0],
  [LISTEN, EV_RCV_RST, LISTEN, 0, 0],
  // SYN-SENT
  [SYN_SENT, EV_RCV_SYN_ACK, ESTABLISHED, A_ACK | A_OUTPUT | A_OPENED, 0],
  [SYN_SENT, EV_RCV_SYN, SYN_RCVD, A_SYNACK | A_TIMER_STATE, 0],
  [SYN_SENT, EV_SEND, SYN_SENT, 0, 0],
  [SYN_SENT, EV_CLOSE, CLOSED, A_END | A_FREE, END_ABORTED],
  [SYN_SENT, EV_ABORT, CLOSED, A_END | A_FREE, END_ABORTED],
  [SYN_SENT, EV_RCV_RST, CLOSED, A_END | A_FREE, END_REFUSED],
  [SYN_SENT, EV_RTO, SYN_SENT, A_RESEND, 0],
  [SYN_SENT, EV_GIVE_UP, CLOSED, A_END | A_FREE, END_TIMEOUT],
  // SYN-RCVD
  [SYN_RCVD, EV_RCV_ACK_OF_SYN, ESTABLISHED, A_OUTPUT | A_OPENED, 0],
  [SYN_RCVD, EV_RCV_SYN, SYN_RCVD, A_SYNACK, 0],
  [SYN_RCVD, EV_SEND, SYN_RCVD, 0, 0],
  [SYN_RCVD, EV_CLOSE, FIN_WAIT_1, A_FIN, 0],
  [SYN_RCVD, EV_ABORT, CLOSED, A_RST | A_END | A_FREE, END_ABORTED],
  [SYN_RCVD, EV_RCV_RST, LISTEN, A_FREE, 0],
  [SYN_RCVD, EV_RCV_RST_ACTIVE, CLOSED, A_END | A_FREE, END_REFUSED],
  [SYN_RCVD, EV_RTO, SYN_RCVD, A_RESEND, 0],
  [SYN_RCVD, EV_GIVE_UP, CLOSED, A_RST | A_END | A_FREE, END_TIMEOUT],
  [SYN_RCVD, EV_STATE_TIMEOUT, CLOSED, A_RST | A_END | A_FREE, END_TIMEOUT],
  // ESTABLISHED
  [ESTABLISHED, EV_SEND, ESTABLISHED, A_OUTPUT, 0],
  [ESTABLISHED, EV_CLOSE, FIN_WAIT_1, A_FIN | A_OUTPUT, 0],
  [ESTABLISHED, EV_RCV_FIN, CLOSE_WAIT, A_ACK | A_PEER_CLOSED, 0],
  [ESTABLISHED, EV_RCV_RST, CLOSED, A_END | A_FREE, END_RESET],
  [ESTABLISHED, EV_ABORT, CLOSED, A_RST | A_END | A_FREE, END_ABORTED],
  [ESTABLISHED, EV_RTO, ESTABLISHED, A_RESEND, 0],
  [ESTABLISHED, EV_GIVE_UP, CLOSED, A_RST | A_END | A_FREE, END_TIMEOUT],
  // FIN-WAIT-1
  [FIN_WAIT_1, EV_RCV_ACK_OF_FIN, FIN_WAIT_2, A_TIMER_STATE, 0],
  [FIN_WAIT_1, EV_RCV_FIN, CLOSING, A_ACK | A_PEER_CLOSED, 0],
  [FIN_WAIT_1, EV_RCV_FIN_ACK, TIME_WAIT, A_ACK | A_TIMER_2MSL | A_PEER_CLOSED | A_END, END_NORMAL],
  [FIN_WAIT_1, EV_RCV_RST, CLOSED, A_END | A_FREE, END_RESET],
  [FIN_WAIT_1, EV_ABORT, CLOSED, A_RST | A_END | A_FREE, END_ABORTED],
  [FIN_WAIT_1, EV_RTO, FIN_WAIT_1, A_RESEND, 0],
  [FIN_WAIT_1, EV_GIVE_UP, CLOSED, A_RST | A_END | A_FREE, END_TIMEOUT],
  // FIN-WAIT-2
  [FIN_WAIT_2, EV_RCV_FIN, TIME_WAIT, A_ACK | A_TIMER_2MSL | A_PEER_CLOSED | A_END, END_NORMAL],
  [FIN_WAIT_2, EV_RCV_RST, CLOSED, A_END | A_FREE, END_RESET],
  [FIN_WAIT_2, EV_ABORT, CLOSED, A_RST | A_END | A_FREE, END_ABORTED],
  [FIN_WAIT_2, EV_STATE_TIMEOUT, CLOSED, A_RST | A_END | A_FREE, END_TIMEOUT],
  // CLOSE-WAIT
  [CLOSE_WAIT, EV_SEND, CLOSE_WAIT, A_OUTPUT, 0],
  [CLOSE_WAIT, EV_CLOSE, LAST_ACK, A_FIN | A_OUTPUT, 0],
  [CLOSE_WAIT, EV_RCV_RST, CLOSED, A_END | A_FREE, END_RESET],
  [CLOSE_WAIT, EV_ABORT, CLOSED, A_RST | A_END | A_FREE, END_ABORTED],
  [CLOSE_WAIT, EV_RTO, CLOSE_WAIT, A_RESEND, 0],
  [CLOSE_WAIT, EV_GIVE_UP, CLOSED, A_RST | A_END | A_FREE, END_TIMEOUT],
  // CLOSING
  [CLOSING, EV_RCV_ACK_OF_FIN, TIME_WAIT, A_TIMER_2MSL | A_END, END_NORMAL],
  [CLOSING, EV_RCV_RST, CLOSED, A_END | A_FREE, END_RESET],
  [CLOSING, EV_ABORT, CLOSED, A_RST | A_END | A_FREE, END_ABORTED],
  [CLOSING, EV_RTO, CLOSING, A_RESEND, 0],
  [CLOSING, EV_GIVE_UP, CLOSED, A_RST | A_END | A_FREE, END_TIMEOUT],
  // LAST-ACK
  [LAST_ACK, EV_RCV_ACK_OF_FIN, CLOSED, A_END | A_FREE, END_NORMAL],
  [LAST_ACK, EV_RCV_RST, CLOSED, A_END | A_FREE, END_RESET],
  [LAST_ACK, EV_ABORT, CLOSED, A_RST | A_END | A_FREE, END_ABORTED],
  [LAST_ACK, EV_RTO, LAST_ACK, A_RESEND, 0],
  [LAST_ACK, EV_GIVE_UP, CLOSED, A_RST | A_END | A_FREE, END_TIMEOUT],
  // TIME-WAIT
  [TIME_WAIT, EV_RCV_FIN, TIME_WAIT, A_ACK | A_TIMER_2MSL, 0],
  [TIME_WAIT, EV_TIMEOUT_2MSL, CLOSED, A_FREE, 0],
  [TIME_WAIT, EV_RCV_RST, CLOSED, A_FREE, 0],
  [TIME_WAIT, EV_ABORT, CLOSED, A_FREE, 0],
];

/**
 * The rows compiled into one Int32Array indexed by state*EV_COUNT+event, built once at start-up:
 * 0 = no row; otherwise (next+1) | reason<<4 | actions<<8.
 */
export function compileTable(): Int32Array {
  var t = new Int32Array(STATE_COUNT * EV_COUNT);
  for (var i = 0; i < ROWS.length; i++) {
    var r = ROWS[i];
    t[r[0] * EV_COUNT + r[1]] = (r[2] + 1) | (r[4] << 4) | (r[3] << 8);
  }
  return t;
}
