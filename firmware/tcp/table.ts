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

// The rows, one string each: state, event, next state, then the actions (letters, run in the
// order of the A_ bits whatever the order here) and the end() reason digit (0 when absent).
//   states:  C CLOSED, L LISTEN, S SYN-SENT, R SYN-RCVD, E ESTABLISHED, 1 FIN-WAIT-1,
//            2 FIN-WAIT-2, W CLOSE-WAIT, G CLOSING, A LAST-ACK, T TIME-WAIT
//   events:  p passive OPEN, a active OPEN, s SEND, c CLOSE, x ABORT, y rcv SYN, Y rcv SYN+ACK,
//            k rcv ACK of SYN, f rcv FIN, F rcv FIN+ACK, K rcv ACK of FIN, r rcv RST,
//            R rcv RST (active open), m 2MSL, t RTO, g retries exhausted, o state timeout
//   actions: r resend, s SYN, y SYN+ACK, f FIN, o output, a ACK, x RST, m 2MSL timer,
//            t state timer, O open(), P peerClosed(), E end(), F free
//   reasons: 0 normal, 1 reset, 2 timeout, 3 aborted, 4 refused (END_* below)
var STATE_KEYS = "CLSRE12WGAT";
var EVENT_KEYS = "pascxyYkfFKrRmtgo";
var ACTION_KEYS = "rsyfoaxmtOPEF";
var PACKED =
  // CLOSED (a RST to no connection is dropped, never answered)
  "CpL CaSs CrC " +
  // LISTEN (a listener; a new slot starts here for each accepted SYN)
  "LyRyt LsSs LcCF LxCF LrL " +
  // SYN-SENT
  "SYEaoO SyRyt SsS ScC3EF SxC3EF SrC4EF StSr SgC2EF " +
  // SYN-RCVD
  "RkEoO RyRy RsR Rc1f RxC3xEF RrLF RRC4EF RtRr RgC2xEF RoC2xEF " +
  // ESTABLISHED
  "EsEo Ec1fo EfWaP ErC1EF ExC3xEF EtEr EgC2xEF " +
  // FIN-WAIT-1
  "1K2t 1fGaP 1FT0amPE 1rC1EF 1xC3xEF 1t1r 1gC2xEF " +
  // FIN-WAIT-2
  "2fT0amPE 2rC1EF 2xC3xEF 2oC2xEF " +
  // CLOSE-WAIT
  "WsWo WcAfo WrC1EF WxC3xEF WtWr WgC2xEF " +
  // CLOSING
  "GKT0mE GrC1EF GxC3xEF GtGr GgC2xEF " +
  // LAST-ACK
  "AKC0EF ArC1EF AxC3xEF AtAr AgC2xEF " +
  // TIME-WAIT
  "TfTam TmCF TrCF TxCF";

/** One row: [state, event, next state, actions, end reason], decoded from PACKED at start-up. */
export var ROWS: number[][] = [];
var packedRows = PACKED.split(" ");
for (var ri = 0; ri < packedRows.length; ri++) {
  var p = packedRows[ri];
  var r = [STATE_KEYS.indexOf(p[0]), EVENT_KEYS.indexOf(p[1]), STATE_KEYS.indexOf(p[2]), 0, 0];
  for (var pi = 3; pi < p.length; pi++) {
    var k = ACTION_KEYS.indexOf(p[pi]);
    if (k < 0) r[4] = +p[pi];
    else r[3] |= 1 << k;
  }
  ROWS.push(r);
}

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
