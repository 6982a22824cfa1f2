// Every connection's state lives in a few typed arrays indexed by slot number, allocated once
// by createSlots(): there are no per-connection objects. The numeric fields are packed by type
// into four arrays with a fixed stride per slot (field f of slot s is at s * STRIDE + f; the
// field offsets are the const enums below; the state and the flags, the most used, have arrays of their own, which tsc writes in place): on Espruino each typed
// array costs its header and name, so four arrays cost far less than one per field. `bytes` is
// the total size of these arrays; bytesPerSlot() gives the figure per slot (docs/tcp.md).
// Queued send data lives in the shared send pool (pool.ts), not here.

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
  RECOVERY = 512,   // in fast recovery (recovery.ts) until SND.UNA passes RECOVER
  GAP = 1024,       // out-of-order data was dropped: ACK at once until RCV.NXT reaches RCV_HI (recovery.ts)
  PROBED = 2048,    // a loss probe went since SND.UNA last moved (recovery.ts: two per flight at most)
  URG = 4096,       // urgent data sent and not yet acknowledged: SND_UP holds SND.UP (urgent.ts)
  PROBED2 = 8192,   // the second loss probe of the flight went too (recovery.ts)
}

/** 8-bit fields (Slots.u8). */
export const enum F8 {
  RETRIES,   // consecutive retransmission time-outs
  PROBES,    // zero-window probes sent since the window closed
  RSEGS,     // full segments received since our last ACK
  DUPS,      // duplicate ACKs in a row (recovery.ts)
  KA_CNT,    // keep-alive probes before giving up (keepalive.ts)
  KA_SENT,   // keep-alive probes sent without an answer
  STRIDE,
}

/** 16-bit fields (Slots.u16). */
export const enum F16 {
  RPORT,
  LPORT,
  MSS,       // send MSS (peer's option, 536 when absent, capped at ours)
  SND_WND,   // peer's window
  CWND,      // congestion window (RFC 5681, bytes)
  RCV_WND,   // window we advertised last
  SND_HEAD,  // offset of the byte at SND.UNA (after the SYN) in its pool chunk
  SND_LEN,   // bytes queued (unacknowledged + unsent)
  MAX_WND,   // largest window the peer offered (sender SWS avoidance)
  SSTHRESH,  // slow-start threshold (RFC 5681; 65535 until a loss)
  STRIDE,
}

/** 32-bit fields (Slots.u32): addresses and sequence numbers (stores wrap modulo 2^32). */
export const enum F32 {
  RIP,       // remote address
  ISS,
  SND_UNA,
  SND_NXT,
  SND_MAX,   // highest sequence number sent (go-back-N keeps it)
  SND_WL1,
  SND_WL2,
  IRS,
  RCV_NXT,
  RTT_SEQ,   // the sequence number being timed
  RCV_ADV,   // right edge of the window we advertised (RCV.NXT + RCV.WND when sent)
  RECOVER,   // SND.MAX when fast recovery began (RFC 6582)
  RCV_HI,    // right edge of the out-of-order data dropped (with SF.GAP)
  RCV_UP,    // receive urgent pointer: the octet after the peer's urgent data (urgent.ts)
  SND_UP,    // send urgent pointer, valid while SF.URG
  KA_IDLE,   // keep-alive idle time in ms, 0: off (keepalive.ts)
  KA_INTVL,  // keep-alive probe interval in ms
  SYN_RE,    // the stack's receive epoch when the peer's SYN came (alloc.ts evictable())
  STRIDE,
}

/** 64-bit float fields (Slots.f64): times in ms; a deadline of 0 is off. */
export const enum F64 {
  RTO,
  SRTT,      // 0 = no sample yet
  RTTVAR,
  RTT_T,     // when the timed segment left
  T_REXMT,   // retransmission deadline
  T_PERSIST, // zero-window probe deadline
  T_ACK,     // delayed-ACK deadline
  T_STATE,   // TIME-WAIT / FIN-WAIT-2 / SYN-RCVD deadline
  T_PTO,     // loss probe deadline (recovery.ts; the last timer: timers.ts scans T_REXMT..T_PTO)
  T_USED,    // last time a segment came or went (idle/oldest policies)
  T_RXT,     // when the segment at SND.UNA was last sent (output.ts emit; recovery.ts: RACK)
  T_KEEP,    // keep-alive deadline (keepalive.ts)
  STRIDE,
}

export interface Slots {
  st: Uint8Array;        // state number, one per slot
  fl: Uint16Array;       // SF flags, one per slot (the most used field: its own array keeps the code short)
  lst: Int8Array;        // listener index for accepted connections, -1 for connect()
  gen: Uint16Array;      // bumped on every free and every new connection: detects a slot reused under a callback
  u8: Uint8Array;        // F8 fields, F8.STRIDE per slot
  u16: Uint16Array;      // F16 fields
  u32: Uint32Array;      // F32 fields
  f64: Float64Array;     // F64 fields
  handler: any[];        // the TcpHandler of each slot (references to start-up objects; null or unset when free)
  bytes: number;         // total bytes of the typed arrays above
}

/** Bytes per slot: st, fl, lst, gen and the packed fields. */
const enum B {
  PER_SLOT = 1 + 2 + 1 + 2 + F8.STRIDE + 2 * F16.STRIDE + 4 * F32.STRIDE + 8 * F64.STRIDE,
}

export function createSlots(n: number): Slots {
  // one handler element per slot from the start (on Espruino an array element is a variable: made
  // at a slot's first connection it showed as growth after the first load)
  var handler: any[] = [];
  for (var i = 0; i < n; i++) handler[i] = null;
  return {
    st: new Uint8Array(n),
    fl: new Uint16Array(n),
    lst: new Int8Array(n),
    gen: new Uint16Array(n),
    u8: new Uint8Array(n * F8.STRIDE),
    u16: new Uint16Array(n * F16.STRIDE),
    u32: new Uint32Array(n * F32.STRIDE),
    f64: new Float64Array(n * F64.STRIDE),
    handler: handler,
    bytes: n * B.PER_SLOT,
  };
}

/** Every per-connection field of slot s to 0 (not gen, not lst). */
export function clearSlot(S: Slots, s: number): void {
  S.st[s] = S.fl[s] = 0;
  S.u8.fill(0, s * F8.STRIDE, s * F8.STRIDE + F8.STRIDE);
  S.u16.fill(0, s * F16.STRIDE, s * F16.STRIDE + F16.STRIDE);
  S.u32.fill(0, s * F32.STRIDE, s * F32.STRIDE + F32.STRIDE);
  S.f64.fill(0, s * F64.STRIDE, s * F64.STRIDE + F64.STRIDE);
}

/** Bytes of typed arrays per slot (docs/tcp.md). */
export function bytesPerSlot(): number {
  return B.PER_SLOT;
}
