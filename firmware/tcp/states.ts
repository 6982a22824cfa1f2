// The eleven TCP states of RFC 793 / RFC 9293 (figure 5), as small integers. Slot state arrays
// (Uint8Array) hold these numbers; STATE_NAMES is for status pages, logs and the diagram.

export var CLOSED = 0;
export var LISTEN = 1;
export var SYN_SENT = 2;
export var SYN_RCVD = 3;
export var ESTABLISHED = 4;
export var FIN_WAIT_1 = 5;
export var FIN_WAIT_2 = 6;
export var CLOSE_WAIT = 7;
export var CLOSING = 8;
export var LAST_ACK = 9;
export var TIME_WAIT = 10;
export var STATE_COUNT = 11;

export var STATE_NAMES = [
  "CLOSED", "LISTEN", "SYN-SENT", "SYN-RCVD", "ESTABLISHED", "FIN-WAIT-1",
  "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
];
