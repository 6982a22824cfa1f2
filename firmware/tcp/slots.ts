// Every connection's state lives in typed arrays indexed by slot number, allocated once by
// createSlots(): there are no per-connection objects. `bytes` is the total size of these
// arrays; bytesPerSlot() gives the figure per slot (docs/tcp.md).

export var SF_ACTIVE = 1;      // opened by connect() (SYN-RCVD remembers active vs passive)
export var SF_SYN_ACKED = 2;   // our SYN has been acknowledged
export var SF_FIN_QUEUED = 4;  // close() called: FIN goes after the queued data
export var SF_FIN_SENT = 8;    // our FIN has a sequence number (SND.NXT went past it once)
export var SF_ACK_PENDING = 16;// a delayed ACK is owed
export var SF_KNOWN = 32;      // the application knows this id (connect() returned it or open() ran)
export var SF_TIMING = 64;     // an RTT sample is running (Karn: cleared on retransmission)
export var SF_WANT_DRAIN = 128;// write() was refused or filled the ring: call drained() on space
export var SF_FIN_ACKED = 256; // our FIN has been acknowledged: nothing more to send

export interface Slots {
  n: number;
  sendBuf: number;
  st: Uint8Array;        // state number
  fl: Uint16Array;       // SF_* flags
  lst: Int8Array;        // listener index for accepted connections, -1 for connect()
  gen: Uint16Array;      // bumped on every free: detects a slot reused under a callback
  retries: Uint8Array;   // consecutive retransmission time-outs
  probes: Uint8Array;    // zero-window probes sent since the window closed
  rsegs: Uint8Array;     // full segments received since our last ACK
  rip: Uint32Array;      // remote address
  rport: Uint16Array;
  lport: Uint16Array;
  mss: Uint16Array;      // send MSS (peer's option, 536 when absent, capped at ours)
  sndWnd: Uint16Array;   // peer's window
  cwnd: Uint16Array;     // congestion window (RFC 5681, bytes)
  rcvWnd: Uint16Array;   // window we advertised last
  sndHead: Uint16Array;  // ring index of the byte at SND.UNA (after the SYN)
  sndLen: Uint16Array;   // bytes in the ring (unacknowledged + unsent)
  maxWnd: Uint16Array;   // largest window the peer offered (sender SWS avoidance)
  iss: Uint32Array;
  sndUna: Uint32Array;
  sndNxt: Uint32Array;
  sndMax: Uint32Array;   // highest sequence number sent (go-back-N keeps it)
  sndWl1: Uint32Array;
  sndWl2: Uint32Array;
  irs: Uint32Array;
  rcvNxt: Uint32Array;
  rttSeq: Uint32Array;   // the sequence number being timed
  rcvAdv: Uint32Array;   // right edge of the window we advertised (RCV.NXT + RCV.WND when sent)
  rto: Float64Array;     // ms
  srtt: Float64Array;    // ms, 0 = no sample yet
  rttvar: Float64Array;  // ms
  rttT: Float64Array;    // when the timed segment left
  tRexmt: Float64Array;  // retransmission deadline, 0 = off
  tPersist: Float64Array;// zero-window probe deadline, 0 = off
  tAck: Float64Array;    // delayed-ACK deadline, 0 = off
  tState: Float64Array;  // TIME-WAIT / FIN-WAIT-2 / SYN-RCVD deadline, 0 = off
  tUsed: Float64Array;   // last time a segment came or went (idle/oldest policies)
  ring: Uint8Array;      // n * sendBuf bytes of send rings
  handler: any[];        // the TcpHandler of each slot (references to start-up objects)
  bytes: number;         // total bytes of the typed arrays above
}

export function createSlots(n: number, sendBuf: number): Slots {
  var s: Slots = {
    n: n,
    sendBuf: sendBuf,
    st: new Uint8Array(n),
    fl: new Uint16Array(n),
    lst: new Int8Array(n),
    gen: new Uint16Array(n),
    retries: new Uint8Array(n),
    probes: new Uint8Array(n),
    rsegs: new Uint8Array(n),
    rip: new Uint32Array(n),
    rport: new Uint16Array(n),
    lport: new Uint16Array(n),
    mss: new Uint16Array(n),
    sndWnd: new Uint16Array(n),
    cwnd: new Uint16Array(n),
    rcvWnd: new Uint16Array(n),
    sndHead: new Uint16Array(n),
    sndLen: new Uint16Array(n),
    maxWnd: new Uint16Array(n),
    iss: new Uint32Array(n),
    sndUna: new Uint32Array(n),
    sndNxt: new Uint32Array(n),
    sndMax: new Uint32Array(n),
    sndWl1: new Uint32Array(n),
    sndWl2: new Uint32Array(n),
    irs: new Uint32Array(n),
    rcvNxt: new Uint32Array(n),
    rttSeq: new Uint32Array(n),
    rcvAdv: new Uint32Array(n),
    rto: new Float64Array(n),
    srtt: new Float64Array(n),
    rttvar: new Float64Array(n),
    rttT: new Float64Array(n),
    tRexmt: new Float64Array(n),
    tPersist: new Float64Array(n),
    tAck: new Float64Array(n),
    tState: new Float64Array(n),
    tUsed: new Float64Array(n),
    ring: new Uint8Array(n * sendBuf),
    handler: [],
    bytes: 0,
  };
  for (var i = 0; i < n; i++) s.handler.push(null);
  s.bytes = n * bytesPerSlot(sendBuf);
  return s;
}

/** Bytes of typed arrays per slot: 5 x 1 + 11 x 2 + 11 x 4 + 9 x 8 + the ring. */
export function bytesPerSlot(sendBuf: number): number {
  return 5 * 1 + 11 * 2 + 11 * 4 + 9 * 8 + sendBuf;
}
