// Every connection's state lives in typed arrays indexed by slot number, allocated once by
// createSlots(): there are no per-connection objects. `bytes` is the total size of these
// arrays; bytesPerSlot() gives the figure per slot (docs/tcp.md). Queued send data lives in the
// shared send pool (pool.ts), not here.

export const enum SF {
  ACTIVE = 1,       // opened by connect() (SYN-RCVD remembers active vs passive)
  SYN_ACKED = 2,    // our SYN has been acknowledged
  FIN_QUEUED = 4,   // close() called: FIN goes after the queued data
  FIN_SENT = 8,     // our FIN has a sequence number (SND.NXT went past it once)
  ACK_PENDING = 16, // a delayed ACK is owed
  KNOWN = 32,       // the application knows this id (connect() returned it or open() ran)
  TIMING = 64,      // an RTT sample is running (Karn: cleared on retransmission)
  WANT_DRAIN = 128, // write() was refused or filled the queue: call drained() on space
  FIN_ACKED = 256,  // our FIN has been acknowledged: nothing more to send
}

export interface Slots {
  st: Uint8Array;        // state number
  fl: Uint16Array;       // SF flags
  lst: Int8Array;        // listener index for accepted connections, -1 for connect()
  gen: Uint16Array;      // bumped on every free and every new connection: detects a slot reused under a callback
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
  sndHead: Uint16Array;  // offset of the byte at SND.UNA (after the SYN) in its pool chunk
  sndLen: Uint16Array;   // bytes queued (unacknowledged + unsent)
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
  handler: any[];        // the TcpHandler of each slot (references to start-up objects; null or unset when free)
  bytes: number;         // total bytes of the typed arrays above (gen included)
  /** Every per-slot array but gen: all of them start at 0 for a new connection. */
  perConn: (Uint8Array | Int8Array | Uint16Array | Uint32Array | Float64Array)[];
}

// The per-slot fields of Slots (except gen), by array type.
var LAYOUT: any[] = [
  Uint8Array, "st retries probes rsegs",
  Int8Array, "lst",
  Uint16Array, "fl rport lport mss sndWnd cwnd rcvWnd sndHead sndLen maxWnd",
  Uint32Array, "rip iss sndUna sndNxt sndMax sndWl1 sndWl2 irs rcvNxt rttSeq rcvAdv",
  Float64Array, "rto srtt rttvar rttT tRexmt tPersist tAck tState tUsed",
];

/** Bytes per slot outside LAYOUT: gen (a Uint16Array). */
const enum B {
  GEN = 2,
}

export function createSlots(n: number): Slots {
  var s: any = { gen: new Uint16Array(n), handler: [], bytes: n * B.GEN, perConn: [] };
  for (var i = 0; i < LAYOUT.length; i += 2) {
    var names = LAYOUT[i + 1].split(" ");
    for (var j = 0; j < names.length; j++) {
      var a = s[names[j]] = new LAYOUT[i](n);
      s.perConn.push(a);
      s.bytes += a.byteLength;
    }
  }
  return s;
}

/** Bytes of typed arrays per slot, from LAYOUT: its fields and gen (docs/tcp.md). */
export function bytesPerSlot(): number {
  var bytes = B.GEN as number;
  for (var i = 0; i < LAYOUT.length; i += 2) bytes += new LAYOUT[i](1).byteLength * LAYOUT[i + 1].split(" ").length;
  return bytes;
}
