// THE DATA: the TCP state machine as readable rows, one per (state, event):
//   [state, event, next state, actions, end() reason]
// grouped by RFC 9293 phase (opening, data, closing, resets and aborts, timers), one comment per
// arrow, so the source reads like the RFC 793 / RFC 9293 figure 5.
//
// Segments are first checked (acceptability, RST, SYN, ACK: see tcp.ts) and only then turned
// into these events; user calls (listen/connect/write/close/abort) and timers are events too.
// A (state, event) pair with no row is "not allowed here": the engine does nothing.
//
// These rows are the source of everything else, and never reach the device as arrays (every
// array element is a variable on Espruino): tools/pack-table.ts packs them into the string in
// packed.ts, which engine.ts decodes once at start-up into the table tcp.ts reads;
// tools/diagram.ts renders them into docs/tcp-states.dot/.svg; test/unit/tcp/rows.test.ts
// drives each row, and table.test.ts checks that packed.ts and the diagram match them.
// `make diagram` regenerates packed.ts and the diagram after a change here.

import { State as S } from "./states"; // S.X: keeps each row on one line

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
  COUNT = 17,  // number of events (the table has STATE_COUNT * COUNT cells)
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
export var EV_COUNT = Ev.COUNT;

export var EVENT_NAMES = [
  "passive OPEN", "active OPEN", "SEND", "CLOSE", "ABORT", "rcv SYN", "rcv SYN+ACK",
  "rcv ACK of SYN", "rcv FIN", "rcv FIN+ACK of FIN", "rcv ACK of FIN", "rcv RST",
  "rcv RST (active open)", "timeout 2MSL", "retransmission timeout", "retries exhausted",
  "state timeout",
];

// ---- actions (bit flags, run in this order by fire() in tcp.ts) ----
export const enum A {
  NONE = 0,  // only the state changes
  RESEND = 1,  // go back to SND.UNA and retransmit (SYN, SYN-ACK, data, FIN)
  SYN = 2,  // send SYN <ISS> with MSS option, arm retransmission
  SYNACK = 4,  // send SYN+ACK <ISS, RCV.NXT> with MSS option, arm retransmission
  FIN = 8,  // queue our FIN after the queued data
  OUTPUT = 16,  // send queued data / FIN as windows allow
  ACK = 32,  // send an ACK now (unless OUTPUT sent a segment, which carries it)
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

/** The names of the action bits, bit 0 first (the diagram's labels). */
export var ACTION_NAMES = [
  "resend", "SYN", "SYN+ACK", "FIN", "output", "ACK", "RST", "2MSL timer", "state timer",
  "open()", "peerClosed()", "end()", "free",
];

// ---- end() reasons (TcpHandler.end(c, reason)) ----
export const enum End {
  NONE = -1,  // the row has no A.END
  NORMAL = 0,
  RESET = 1,
  TIMEOUT = 2,
  ABORTED = 3,
  REFUSED = 4,
}
export var END_NORMAL = End.NORMAL;
export var END_RESET = End.RESET;
export var END_TIMEOUT = End.TIMEOUT;
export var END_ABORTED = End.ABORTED;
export var END_REFUSED = End.REFUSED;

/** One row: [state, event, next state, actions (A bits), end() reason (End.NONE without A.END)]. */
export type Row = [number, number, number, number, number];

export var ROWS: Row[] = [
  // ================================================================ opening (RFC 9293 3.5)
  // listen(): the listener table holds the LISTEN state (listen() reads this row's next state)
  [S.CLOSED, Ev.PASSIVE_OPEN, S.LISTEN, A.NONE, End.NONE],
  // connect(): SYN <ISS> with our MSS
  [S.CLOSED, Ev.ACTIVE_OPEN, S.SYN_SENT, A.SYN, End.NONE],
  // a SYN to a listener: a new slot starts in LISTEN and takes this arrow; SYN+ACK, and the
  // SYN-RCVD time-out bounds how long a half-open connection holds the slot
  [S.LISTEN, Ev.RCV_SYN, S.SYN_RCVD, A.SYNACK | A.TIMER_STATE, End.NONE],
  // SEND on a listener turns it into an active open (RFC 793; no API call reaches it)
  [S.LISTEN, Ev.SEND, S.SYN_SENT, A.SYN, End.NONE],
  // the peer's SYN+ACK completes an active open: ACK it (queued data carries the ACK), open()
  [S.SYN_SENT, Ev.RCV_SYN_ACK, S.ESTABLISHED, A.OUTPUT | A.ACK | A.OPENED, End.NONE],
  // simultaneous open (MUST-10): a bare SYN while ours is out; SYN+ACK
  [S.SYN_SENT, Ev.RCV_SYN, S.SYN_RCVD, A.SYNACK | A.TIMER_STATE, End.NONE],
  // the ACK of our SYN+ACK completes the open: send what was queued, open()
  [S.SYN_RCVD, Ev.RCV_ACK_OF_SYN, S.ESTABLISHED, A.OUTPUT | A.OPENED, End.NONE],
  // the peer's SYN again: our SYN+ACK was lost, send it again
  [S.SYN_RCVD, Ev.RCV_SYN, S.SYN_RCVD, A.SYNACK, End.NONE],

  // ================================================================ data (RFC 9293 3.8)
  // write() before the open completes: queued, sent once ESTABLISHED
  [S.SYN_SENT, Ev.SEND, S.SYN_SENT, A.NONE, End.NONE],
  [S.SYN_RCVD, Ev.SEND, S.SYN_RCVD, A.NONE, End.NONE],
  // write(): send as the windows allow
  [S.ESTABLISHED, Ev.SEND, S.ESTABLISHED, A.OUTPUT, End.NONE],
  // the peer closed its half; ours still sends
  [S.CLOSE_WAIT, Ev.SEND, S.CLOSE_WAIT, A.OUTPUT, End.NONE],

  // ================================================================ closing (RFC 9293 3.6)
  // unlisten() (a listener has no slot: only the next state is read)
  [S.LISTEN, Ev.CLOSE, S.CLOSED, A.FREE, End.NONE],
  // close() before the peer answered our SYN: nothing to send, end(aborted)
  [S.SYN_SENT, Ev.CLOSE, S.CLOSED, A.END | A.FREE, End.ABORTED],
  // close() in SYN-RCVD: the FIN waits for the ACK of our SYN (output() sends nothing before)
  [S.SYN_RCVD, Ev.CLOSE, S.FIN_WAIT_1, A.FIN, End.NONE],
  // close(): FIN after the queued data
  [S.ESTABLISHED, Ev.CLOSE, S.FIN_WAIT_1, A.FIN | A.OUTPUT, End.NONE],
  // the peer's FIN: ACK it, peerClosed()
  [S.ESTABLISHED, Ev.RCV_FIN, S.CLOSE_WAIT, A.ACK | A.PEER_CLOSED, End.NONE],
  // our FIN is acknowledged: wait for the peer's, at most the FIN-WAIT-2 time-out of idleness
  [S.FIN_WAIT_1, Ev.RCV_ACK_OF_FIN, S.FIN_WAIT_2, A.TIMER_STATE, End.NONE],
  // simultaneous close: the peer's FIN before the ACK of ours
  [S.FIN_WAIT_1, Ev.RCV_FIN, S.CLOSING, A.ACK | A.PEER_CLOSED, End.NONE],
  // the peer's FIN acknowledges ours too: straight to TIME-WAIT, the connection is over
  [S.FIN_WAIT_1, Ev.RCV_FIN_ACK, S.TIME_WAIT, A.ACK | A.TIMER_2MSL | A.PEER_CLOSED | A.END, End.NORMAL],
  // the peer's FIN after the ACK of ours: TIME-WAIT, the connection is over
  [S.FIN_WAIT_2, Ev.RCV_FIN, S.TIME_WAIT, A.ACK | A.TIMER_2MSL | A.PEER_CLOSED | A.END, End.NORMAL],
  // close() after the peer's FIN: our FIN after the queued data
  [S.CLOSE_WAIT, Ev.CLOSE, S.LAST_ACK, A.FIN | A.OUTPUT, End.NONE],
  // simultaneous close completes: TIME-WAIT, the connection is over
  [S.CLOSING, Ev.RCV_ACK_OF_FIN, S.TIME_WAIT, A.TIMER_2MSL | A.END, End.NORMAL],
  // the last ACK: the connection is over and the slot is free at once
  [S.LAST_ACK, Ev.RCV_ACK_OF_FIN, S.CLOSED, A.END | A.FREE, End.NORMAL],
  // the peer's FIN again (our ACK was lost): ACK it and restart 2MSL
  [S.TIME_WAIT, Ev.RCV_FIN, S.TIME_WAIT, A.ACK | A.TIMER_2MSL, End.NONE],
  // 2*MSL over: the slot is free
  [S.TIME_WAIT, Ev.TIMEOUT_2MSL, S.CLOSED, A.FREE, End.NONE],

  // ================================================================ resets (RFC 9293 3.10.7) and aborts (3.10.5)
  // a RST to no connection is dropped, never answered
  [S.CLOSED, Ev.RCV_RST, S.CLOSED, A.NONE, End.NONE],
  // a RST to a listener is ignored
  [S.LISTEN, Ev.RCV_RST, S.LISTEN, A.NONE, End.NONE],
  // a RST that acknowledges our SYN: the peer refuses the connection
  [S.SYN_SENT, Ev.RCV_RST, S.CLOSED, A.END | A.FREE, End.REFUSED],
  // passive open (MUST-11): back to LISTEN, i.e. this connection's slot is freed and the
  // listener (its own table) stays in LISTEN; no end(): the application never saw it
  [S.SYN_RCVD, Ev.RCV_RST, S.LISTEN, A.FREE, End.NONE],
  // active open (MUST-11, after a simultaneous open): refused, to CLOSED
  [S.SYN_RCVD, Ev.RCV_RST_ACTIVE, S.CLOSED, A.END | A.FREE, End.REFUSED],
  // a RST in a synchronised state: the connection is reset
  [S.ESTABLISHED, Ev.RCV_RST, S.CLOSED, A.END | A.FREE, End.RESET],
  [S.FIN_WAIT_1, Ev.RCV_RST, S.CLOSED, A.END | A.FREE, End.RESET],
  [S.FIN_WAIT_2, Ev.RCV_RST, S.CLOSED, A.END | A.FREE, End.RESET],
  [S.CLOSE_WAIT, Ev.RCV_RST, S.CLOSED, A.END | A.FREE, End.RESET],
  [S.CLOSING, Ev.RCV_RST, S.CLOSED, A.END | A.FREE, End.RESET],
  [S.LAST_ACK, Ev.RCV_RST, S.CLOSED, A.END | A.FREE, End.RESET],
  // a RST in TIME-WAIT frees the slot (no RFC 1337 protection: docs/tcp.md)
  [S.TIME_WAIT, Ev.RCV_RST, S.CLOSED, A.FREE, End.NONE],
  // abort() of a listener slot, or of a connection that is already over: just free it
  [S.LISTEN, Ev.ABORT, S.CLOSED, A.FREE, End.NONE],
  [S.TIME_WAIT, Ev.ABORT, S.CLOSED, A.FREE, End.NONE],
  // abort() before the peer answered: nothing to reset
  [S.SYN_SENT, Ev.ABORT, S.CLOSED, A.END | A.FREE, End.ABORTED],
  // abort() once the peer knows us: RST <SND.NXT>
  [S.SYN_RCVD, Ev.ABORT, S.CLOSED, A.RST | A.END | A.FREE, End.ABORTED],
  [S.ESTABLISHED, Ev.ABORT, S.CLOSED, A.RST | A.END | A.FREE, End.ABORTED],
  [S.FIN_WAIT_1, Ev.ABORT, S.CLOSED, A.RST | A.END | A.FREE, End.ABORTED],
  [S.FIN_WAIT_2, Ev.ABORT, S.CLOSED, A.RST | A.END | A.FREE, End.ABORTED],
  [S.CLOSE_WAIT, Ev.ABORT, S.CLOSED, A.RST | A.END | A.FREE, End.ABORTED],
  [S.CLOSING, Ev.ABORT, S.CLOSED, A.RST | A.END | A.FREE, End.ABORTED],
  [S.LAST_ACK, Ev.ABORT, S.CLOSED, A.RST | A.END | A.FREE, End.ABORTED],

  // ================================================================ timers (RFC 6298; RFC 9293 3.8.1, 3.8.3)
  // retransmission time-out with retries left: resend from SND.UNA (SYN, SYN+ACK, data, FIN)
  [S.SYN_SENT, Ev.RTO, S.SYN_SENT, A.RESEND, End.NONE],
  [S.SYN_RCVD, Ev.RTO, S.SYN_RCVD, A.RESEND, End.NONE],
  [S.ESTABLISHED, Ev.RTO, S.ESTABLISHED, A.RESEND, End.NONE],
  [S.FIN_WAIT_1, Ev.RTO, S.FIN_WAIT_1, A.RESEND, End.NONE],
  [S.CLOSE_WAIT, Ev.RTO, S.CLOSE_WAIT, A.RESEND, End.NONE],
  [S.CLOSING, Ev.RTO, S.CLOSING, A.RESEND, End.NONE],
  [S.LAST_ACK, Ev.RTO, S.LAST_ACK, A.RESEND, End.NONE],
  // retries exhausted before the peer ever answered: give up without a RST
  [S.SYN_SENT, Ev.GIVE_UP, S.CLOSED, A.END | A.FREE, End.TIMEOUT],
  // retries exhausted (R2, MUST-20): RST, give up
  [S.SYN_RCVD, Ev.GIVE_UP, S.CLOSED, A.RST | A.END | A.FREE, End.TIMEOUT],
  [S.ESTABLISHED, Ev.GIVE_UP, S.CLOSED, A.RST | A.END | A.FREE, End.TIMEOUT],
  [S.FIN_WAIT_1, Ev.GIVE_UP, S.CLOSED, A.RST | A.END | A.FREE, End.TIMEOUT],
  [S.CLOSE_WAIT, Ev.GIVE_UP, S.CLOSED, A.RST | A.END | A.FREE, End.TIMEOUT],
  [S.CLOSING, Ev.GIVE_UP, S.CLOSED, A.RST | A.END | A.FREE, End.TIMEOUT],
  [S.LAST_ACK, Ev.GIVE_UP, S.CLOSED, A.RST | A.END | A.FREE, End.TIMEOUT],
  // a half-open connection held too long (SYN-RCVD time-out): RST, give up
  [S.SYN_RCVD, Ev.STATE_TIMEOUT, S.CLOSED, A.RST | A.END | A.FREE, End.TIMEOUT],
  // the peer never sent its FIN (FIN-WAIT-2 time-out of idleness): RST, give up
  [S.FIN_WAIT_2, Ev.STATE_TIMEOUT, S.CLOSED, A.RST | A.END | A.FREE, End.TIMEOUT],
];
