// The eleven TCP states of RFC 793 / RFC 9293 (figure 5), as small integers. Slot state arrays
// (Uint8Array) hold these numbers (State.X in device code: inlined); STATE_NAMES is for status pages, logs and the diagram.

export const enum State {
  CLOSED,
  LISTEN,
  SYN_SENT,
  SYN_RCVD,
  ESTABLISHED,
  FIN_WAIT_1,
  FIN_WAIT_2,
  CLOSE_WAIT,
  CLOSING,
  LAST_ACK,
  TIME_WAIT,
}

// The same numbers as plain values (tests, tools).
export var CLOSED = State.CLOSED;
export var LISTEN = State.LISTEN;
export var SYN_SENT = State.SYN_SENT;
export var SYN_RCVD = State.SYN_RCVD;
export var ESTABLISHED = State.ESTABLISHED;
export var FIN_WAIT_1 = State.FIN_WAIT_1;
export var FIN_WAIT_2 = State.FIN_WAIT_2;
export var CLOSE_WAIT = State.CLOSE_WAIT;
export var CLOSING = State.CLOSING;
export var LAST_ACK = State.LAST_ACK;
export var TIME_WAIT = State.TIME_WAIT;
export var STATE_COUNT = 11;

export var STATE_NAMES = ("CLOSED LISTEN SYN-SENT SYN-RCVD ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSE-WAIT CLOSING " +
  "LAST-ACK TIME-WAIT").split(" ");
