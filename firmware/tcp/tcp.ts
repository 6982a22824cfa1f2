// TCP over the IP stack: fixed slots (slots.ts), the table (table.ts) walked by the engine
// (engine.ts), RFC 9293 3.10.7 segment checks, RFC 6298 timers, RFC 5961 challenge ACKs,
// RFC 6528 ISNs. Everything (slot arrays, the send pool, closures, counters) is created once in
// createTcp(); nothing is allocated per segment or per connection afterwards (apart from the
// transient subarray views handed to the native `set`).
//
// Connection ids are slot numbers. end(c, reason) is called once per connection the
// application knows (connect() returned it, or open() ran), when the connection is over for it:
// on entering TIME-WAIT or CLOSED. The slot itself stays in TIME-WAIT for 2*MSL afterwards.
// An exception thrown by a handler is caught and counted (counters.appErrors): it never
// escapes into the receive path or leaves a slot half-updated.

import { csumAdd, csumFinish, pseudoSum } from "../net/checksum";
import { Ip, Proto, IpSend } from "../net/ipv4";
import { State, STATE_COUNT } from "./states";
import { Ev, A } from "./table";
import { compileTable, step, nextOf, actionsOf, reasonOf } from "./engine";
import { F, Hdr, parseMss, putHeader, seqLt, seqLe } from "./segment";
import { rd16, rd32, wr16 } from "../net/bytes";
import { createSlots, clearSlot, Slots, SF, F8, F16, F32, F64 } from "./slots";
import { Pool, Chunk, createPool, poolRoom, poolAppend, poolCopy, poolDrop } from "./pool";
import { Rto, rttSample, backOff, probeDelay } from "./timers";
import { Isn, isn, newSecret } from "./isn";

export interface TcpHandler {
  open(c: number): void;
  /** In-order payload, valid only during the call. May return the number of bytes consumed
   *  (fewer than len: the rest is not acknowledged, the peer sends it again). */
  data(c: number, buf: Uint8Array, off: number, len: number): number | void;
  drained(c: number): void;
  peerClosed(c: number): void;
  end(c: number, reason: number): void;
  /** Optional: bytes the application can take now; the advertised window is min(recvWindow, room). */
  room?: (c: number) => number;
}

export interface Tcp {
  listen(port: number, h: TcpHandler, backlog?: number): boolean;
  unlisten(port: number): void;
  connect(ip: number, port: number, h: TcpHandler): number;
  write(c: number, buf: Uint8Array, off: number, len: number): number;
  space(c: number): number;
  close(c: number): void;
  abort(c: number): void;
  state(c: number): number;
  remoteIp(c: number): number;
  remotePort(c: number): number;
  localPort(c: number): number;
  counters: { [name: string]: number };
  /** The live counts, indexed by C (eachTcpDrop() names the non-zero drops). */
  counts: Uint32Array;
  stateCounts(out: Uint16Array): void;
  /** Bytes of typed arrays held by the slots and the send pool. */
  memoryBytes: number;
  slots: Slots;
  pool: Pool;
}

/** The part of the IP stack TCP uses (firmware/net/stack.ts Stack satisfies it). */
export interface TcpStack {
  netif: { tx: Uint8Array };
  clock: { now(): number };
  addr: number;
  mask?: number;
  onProtocol(proto: number, input: (rx: Uint8Array, l4Off: number, l4Len: number, src: number, dst: number) => void): void;
  onTick(fn: (nowMs: number) => void): void;
  ipSend(proto: number, dst: number, l4Len: number): IpSend;
}

export interface TcpOptions {
  slots: number;
  mss?: number;            // our MSS (default 1460)
  sendBuf?: number;        // most bytes one connection may queue (default 2*mss)
  sendPool?: number;       // bytes of the send pool all connections share (default: every slot can queue sendBuf)
  recvWindow?: number;     // advertised window (default 2*mss)
  mslMs?: number;          // MSL (default 2000: TIME-WAIT lasts 4 s)
  maxRetries?: number;     // retransmissions before giving up (default 6)
  synRetries?: number;     // SYN retransmissions of an active open (default 7: gives up after 183 s, MUST-23)
  synRcvdTimeoutMs?: number;   // default 5000
  finWait2TimeoutMs?: number;  // idle time allowed in FIN-WAIT-2 (default 10000)
  idleEvictMs?: number;    // an accepted ESTABLISHED connection idle this long may be evicted (default 2000)
  challengeAckLimit?: number;  // challenge ACKs per second (default 10)
  secret?: Uint32Array;    // ISN key (4 words); default drawn at start-up
}

/** Fixed numbers of this TCP (const enum: tsc writes them in place). */
const enum K {
  TX = Ip.PAYLOAD,          // TCP header offset in netif.tx (14 Ethernet + 20 IPv4)
  LISTENERS = 4,            // listener table size
  ACK_DELAY_MS = 100,       // delayed ACK, serviced by the ~100 ms tick
  ACK_EVERY = 2,            // full segments received before an immediate ACK (RFC 9293 3.8.6.3)
  MSS_MAX = 1460,           // our default and largest MSS: 1500-byte MTU - 20 IPv4 - 20 TCP
  MSS_MIN = 64,             // smallest MSS createTcp() accepts
  MSS_DEFAULT = 536,        // the send MSS when the peer sends no MSS option (MUST-15)
  MAX_16 = 65535,           // windows, queue lengths and offsets are 16-bit; the largest window
  PORT_MAX = 65535,
  EPHEMERAL_FIRST = 49152,  // dynamic ports 49152-65535 (RFC 6335 6)
  EPHEMERAL_COUNT = 16384,
  EPHEMERAL_MASK = 0x3fff,  // the first port of a boot: EPHEMERAL_FIRST + key bits
  CHALLENGE_ACK_MS = 1000,  // the challenge-ACK budget is per second (RFC 5961 7)
  PROBES_MAX = 255,         // probes[] is a Uint8Array
}

/** Defaults of TcpOptions. */
const enum D {
  MSL_MS = 2000,
  MAX_RETRIES = 6,
  SYN_RETRIES = 7,
  SYN_RCVD_TIMEOUT_MS = 5000,
  FIN_WAIT_2_TIMEOUT_MS = 10000,
  IDLE_EVICT_MS = 2000,
  CHALLENGE_ACK_LIMIT = 10,
}

/** IPv4 addresses that are never a TCP peer (MUST-46/57/63), by first octet. */
const enum Addr {
  THIS_NET = 0,        // 0.0.0.0/8
  LOOPBACK = 127,      // 127.0.0.0/8
  MULTICAST = 224,     // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, 255.255.255.255
  ALL_ONES = 0xffffffff,
}

// Counters, by index (count(C.x)); counterNames() gives the names of tcp.counters, same order.
// Two names cover more than their name says (the names are public, so they stay):
// dropNoListener also counts a segment to a listener with neither SYN nor ACK, and dropBadAck
// counts both an unacceptable ACK in SYN-SENT/SYN-RCVD (answered with a RST) and an ACK older
// than SND.UNA - 65535 (RFC 5961 5.2, answered with an ACK).
export const enum C {
  segIn, segOut, retransmits, challengeAcks, challengeAcksLimited, dropShort, dropChecksum,
  dropBadOptions, dropOutOfWindow, dropOutOfOrder, dropNoAck, dropNoListener, dropRst, dropSynFull,
  dropAckUnsent, dropAddress, dropBadAck, dropDuplicate, accepted, opened, giveUps,
  reuseTimeWait, evictHalfOpen, evictIdle, backlogEvict, zeroWindowProbes, appErrors,
  COUNT,
}
/**
 * Calls fn(name, count) for each counter in the order of C (only the non-zero drop counters
 * when dropsOnly): the names literal lives in this function's body (in flash on a board) and
 * exists in RAM only while it runs; nothing is allocated for a skipped counter.
 */
function eachTcpCounter(counts: Uint32Array, fn: (name: string, n: number) => void, dropsOnly: boolean): void {
  var t = "segIn segOut retransmits challengeAcks challengeAcksLimited dropShort dropChecksum " +
    "dropBadOptions dropOutOfWindow dropOutOfOrder dropNoAck dropNoListener dropRst dropSynFull " +
    "dropAckUnsent dropAddress dropBadAck dropDuplicate accepted opened giveUps " +
    "reuseTimeWait evictHalfOpen evictIdle backlogEvict zeroWindowProbes appErrors", p = 0;
  for (var i = 0; i < C.COUNT; i++) {
    var end = t.indexOf(" ", p);
    if (end < 0) end = t.length;
    if (!dropsOnly || (counts[i] > 0 && t.substring(p, p + 4) === "drop")) fn(t.substring(p, end), counts[i]);
    p = end + 1;
  }
}

/** tcp.counters as the console reads them: a snapshot built per read. */
function counterNames(counts: Uint32Array): { [name: string]: number } {
  var all: { [name: string]: number } = {};
  eachTcpCounter(counts, function (name: string, n: number): void { all[name] = n; }, false);
  return all;
}

/** Calls fn(name, count) for every non-zero drop counter ("dropRst"...). */
export function eachTcpDrop(counts: Uint32Array, fn: (name: string, n: number) => void): void {
  eachTcpCounter(counts, fn, true);
}

function opt(v: number | undefined, dflt: number): number {
  return v === undefined ? dflt : v;
}

export function createTcp(stack: TcpStack, opts: TcpOptions): Tcp {
  var n = opts.slots;
  var ourMss = opts.mss || K.MSS_MAX;
  var sendBuf = opts.sendBuf || 2 * ourMss;
  // (slot send lengths and offsets are 16-bit)
  if (ourMss < K.MSS_MIN || ourMss > K.MSS_MAX || sendBuf > K.MAX_16) throw new Error("tcp: mss 64..1460, sendBuf <= 65535");
  var recvWindow = opts.recvWindow || 2 * ourMss;
  if (recvWindow > K.MAX_16) recvWindow = K.MAX_16;
  var twoMsl = 2 * opt(opts.mslMs, D.MSL_MS); // TIME-WAIT
  var defBacklog = n >> 1 || 1; // half-open SYN-RCVD per listener unless listen() says: half the slots, at least 1
  var maxRetries = opt(opts.maxRetries, D.MAX_RETRIES);
  var synRetries = opt(opts.synRetries, D.SYN_RETRIES);
  var synRcvdMs = opts.synRcvdTimeoutMs || D.SYN_RCVD_TIMEOUT_MS;
  var fw2Ms = opts.finWait2TimeoutMs || D.FIN_WAIT_2_TIMEOUT_MS;
  var idleEvictMs = opt(opts.idleEvictMs, D.IDLE_EVICT_MS);
  var caLimit = opt(opts.challengeAckLimit, D.CHALLENGE_ACK_LIMIT);
  var swsStep = recvWindow >> 1 < ourMss ? recvWindow >> 1 : ourMss;
  var key = opts.secret as Uint32Array;
  if (!key) newSecret((key = new Uint32Array(Isn.KEY_WORDS)));

  var T = compileTable();
  var S = createSlots(n);
  // the default pool: every slot can queue sendBuf from any offset in its first chunk
  var P = createPool(n, opts.sendPool ? Math.ceil(opts.sendPool / Chunk.SIZE) : n * (Math.ceil(sendBuf / Chunk.SIZE) + 1));
  var poolWait = false; // a write() was held back by the pool (not by its own sendBuf): wake it when chunks return
  // The slot arrays as locals: shorter code once minified (Espruino keeps the source in RAM).
  // Field X of slot s is u16[s * F16.STRIDE + F16.X] (and so on for u8, u32, f64: slots.ts).
  var st = S.st, fl = S.fl, lst = S.lst, gen = S.gen, handler = S.handler, u8 = S.u8, u16 = S.u16, u32 = S.u32, f64 = S.f64;
  var tx = stack.netif.tx;
  var clock = stack.clock;
  var now = 0;
  var caStart = 0;
  var caCount = 0;
  var nextPort = K.EPHEMERAL_FIRST + (key[0] & K.EPHEMERAL_MASK);
  var appResult: any; // what the last tell() returned
  var matched = 0;    // slots oldest() matched

  // The segment being processed, set by input() (nothing else runs input() meanwhile): the
  // checks below read these instead of passing a dozen arguments along. seq, flags and dlen
  // are trimmed in place where RFC 9293 says to ignore a part of the segment.
  var rx: Uint8Array, rxOff = 0, hl = 0, dlen = 0, src = 0, sport = 0, dport = 0, seq = 0, ack = 0,
    flags = 0, win = 0;

  var lState = new Uint8Array(K.LISTENERS);
  var lPort = new Uint16Array(K.LISTENERS);
  var lBacklog = new Uint8Array(K.LISTENERS);
  var lHandler: TcpHandler[] = [];

  var counts = new Uint32Array(C.COUNT);

  function count(c: C): void {
    counts[c]++;
  }

  /**
   * Calls handler[s][name](s, a, b, c) (its result in appResult), counting an exception.
   * False when the call freed or reused the slot.
   */
  function tell(s: number, name: string, a?: any, b?: any, c?: any): boolean {
    var g = gen[s], h = handler[s];
    appResult = undefined;
    if (h) {
      try { appResult = h[name](s, a, b, c); } catch (e) { count(C.appErrors); }
    }
    return gen[s] === g;
  }

  // ---------------------------------------------------------------- output
  function finish(dst: number, len: number): void {
    wr16(tx, K.TX + Hdr.CHECKSUM, csumFinish(csumAdd(tx, K.TX, len, pseudoSum(stack.addr, dst, Proto.TCP, len))));
    counts[C.segOut]++; // per segment: no call
    stack.ipSend(Proto.TCP, dst, len);
  }

  /** What the application can take now: room(c) clamped to 0..recvWindow (recvWindow without room()). */
  function room(s: number): number {
    var h = handler[s];
    var r = h && h.room ? h.room(s) : recvWindow;
    if (!(r < recvWindow)) return recvWindow; // (also when room() gives no number)
    if (r > 0) return r;
    return 0;
  }

  /** Sends one segment of slot s; len bytes of payload from the send queue at seq. */
  function emit(s: number, flags: number, seq: number, len: number, mssOpt: number): void {
    var b16 = s * F16.STRIDE, b32 = s * F32.STRIDE; // where slot s's fields start (u16[b16 + F16.X] ...)
    var nxt = u32[b32 + F32.RCV_NXT];
    var w = 0; // a RST advertises no window
    if (!(flags & F.RST)) {
      // The window to advertise: min(recvWindow, room). Never shrinks the right edge already
      // advertised (SHLD-14), and only moves it right by at least min(recvWindow/2, MSS)
      // (receiver SWS avoidance, MUST-39).
      var keep = (u32[b32 + F32.RCV_ADV] - nxt) | 0;
      if (keep < 0) keep = 0;
      w = room(s);
      if (w < keep || (keep > 0 && w - keep < swsStep && w < recvWindow)) w = keep;
      u16[b16 + F16.RCV_WND] = w;
      u32[b32 + F32.RCV_ADV] = nxt + w; // typed-array stores wrap modulo 2^32
    }
    var hl = putHeader(tx, K.TX, u16[b16 + F16.LPORT], u16[b16 + F16.RPORT], seq, flags & F.ACK ? nxt : 0, flags, w, mssOpt);
    if (len > 0) {
      poolCopy(P, S, s, (seq - u32[b32 + F32.SND_UNA]) >>> 0, tx, K.TX + hl, len);
      f64[s * F64.STRIDE + F64.T_USED] = now;
    }
    fl[s] &= ~SF.ACK_PENDING;
    f64[s * F64.STRIDE + F64.T_ACK] = u8[s * F8.STRIDE + F8.RSEGS] = 0;
    finish(u32[b32 + F32.RIP], hl + len);
  }

  function sendAck(s: number): void {
    emit(s, F.ACK, u32[s * F32.STRIDE + F32.SND_NXT], 0, 0);
  }

  function armRexmt(s: number): void {
    var b64 = s * F64.STRIDE; // where slot s's fields start (u16[b16 + F16.X] ...)
    if (f64[b64 + F64.T_REXMT] === 0) f64[b64 + F64.T_REXMT] = now + f64[b64 + F64.RTO];
  }

  /** Starts an RTT sample on the segment at seq. */
  function timeFrom(s: number, seq: number): void {
    fl[s] |= SF.TIMING;
    u32[s * F32.STRIDE + F32.RTT_SEQ] = seq;
    f64[s * F64.STRIDE + F64.RTT_T] = now;
  }

  /** Sends our SYN, or our SYN+ACK when synAck. */
  function sendSyn(s: number, synAck: boolean): void {
    var b32 = s * F32.STRIDE; // where slot s's fields start (u16[b16 + F16.X] ...)
    var i0 = u32[b32 + F32.ISS];
    emit(s, synAck ? F.SYN | F.ACK : F.SYN, i0, 0, ourMss);
    u32[b32 + F32.SND_NXT] = i0 + 1;
    if (u32[b32 + F32.SND_MAX] === i0) {
      u32[b32 + F32.SND_MAX] = i0 + 1;
      if (u8[s * F8.STRIDE + F8.RETRIES] === 0) timeFrom(s, i0);
    }
    armRexmt(s);
  }

  /** Sends queued data and the FIN as the windows allow; returns segments sent. */
  function output(s: number): number {
    var b16 = s * F16.STRIDE, b32 = s * F32.STRIDE; // where slot s's fields start (u16[b16 + F16.X] ...)
    if (!(fl[s] & SF.SYN_ACKED)) return 0; // nothing goes before our SYN is acknowledged
    if (fl[s] & SF.FIN_ACKED) return 0;    // nor after our FIN is
    var una = u32[b32 + F32.SND_UNA];
    var len = u16[b16 + F16.SND_LEN];
    var wnd = u16[b16 + F16.SND_WND];
    if (u16[b16 + F16.CWND] < wnd) wnd = u16[b16 + F16.CWND];
    var m = u16[b16 + F16.MSS];
    var sent = 0;
    var off = 0;
    for (;;) {
      var nxt = u32[b32 + F32.SND_NXT];
      off = (nxt - una) >>> 0;
      if (off > len) break;
      var k = len - off;
      var avail = wnd - off;
      if (k > avail) k = avail;
      if (k > m) k = m;
      if (k < 0) k = 0;
      // Sender SWS avoidance (MUST-38): with data in flight, do not send a small segment only
      // because the window is small; the next ACK brings us back here.
      if (k < m && k < len - off && off > 0 && k < u16[b16 + F16.MAX_WND] >> 1) break;
      var fin = fl[s] & SF.FIN_QUEUED && off + k === len ? F.FIN : 0;
      if (k === 0 && !fin) break;
      emit(s, F.ACK | fin | (k > 0 && off + k === len ? F.PSH : 0), nxt, k, 0);
      var end = nxt + k + fin; // fin is F.FIN = 1 or 0: the FIN takes one sequence number
      u32[b32 + F32.SND_NXT] = end;
      if (fin) fl[s] |= SF.FIN_SENT;
      if (seqLe(u32[b32 + F32.SND_MAX], nxt) && !(fl[s] & SF.TIMING)) timeFrom(s, nxt);
      if (seqLt(u32[b32 + F32.SND_MAX], end)) u32[b32 + F32.SND_MAX] = end;
      armRexmt(s);
      sent++;
      if (fin) break;
    }
    // Peer's window closed with data waiting and nothing in flight: probe it (persist timer).
    if (u16[b16 + F16.SND_WND] === 0 && off < len && u32[b32 + F32.SND_NXT] === una && f64[s * F64.STRIDE + F64.T_PERSIST] === 0) {
      f64[s * F64.STRIDE + F64.T_PERSIST] = now + probeDelay(S, s);
    }
    return sent;
  }

  /** A RST (flags RST or RST+ACK) in reply to the segment being processed. */
  function replyRst(seq: number, ack: number, flags: number): void {
    putHeader(tx, K.TX, dport, sport, seq, ack, flags, 0, 0);
    finish(src, Hdr.LEN);
  }

  /** The segment's ACK is not acceptable: counted, answered with <SEQ=SEG.ACK><CTL=RST> (never a RST to a RST). */
  function rstBadAck(): void {
    count(C.dropBadAck);
    if (!(flags & F.RST)) replyRst(ack, 0, F.RST);
  }

  function challengeAck(s: number): void {
    if (now - caStart >= K.CHALLENGE_ACK_MS) {
      caStart = now;
      caCount = 0;
    }
    if (caCount < caLimit) {
      caCount++;
      count(C.challengeAcks);
      sendAck(s);
    } else {
      count(C.challengeAcksLimited);
    }
  }

  // ---------------------------------------------------------------- engine
  function free(s: number): void {
    clear(s); // CLOSED, no flags, no timers, empty queue (its chunks back in the pool)
    gen[s]++;
    lst[s] = -1;
    handler[s] = null;
  }

  /** Every per-connection field of slot s to 0 (not gen); its queued bytes go back to the pool. */
  function clear(s: number): void {
    poolDrop(P, S, s, u16[s * F16.STRIDE + F16.SND_LEN]);
    clearSlot(S, s);
  }

  /**
   * The table's row for (st[s], ev), if any: the next state, then its actions in the order of
   * the A bits (the cell is decoded by engine.ts).
   */
  function fire(s: number, ev: number): void {
    var b64 = s * F64.STRIDE; // where slot s's fields start (u16[b16 + F16.X] ...)
    var r = step(T, st[s], ev);
    if (!r) return;
    st[s] = nextOf(r);
    var a = actionsOf(r);
    if (a & A.RESEND) {
      // Go back to SND.UNA after a retransmission time-out (Karn: the timing sample is void).
      count(C.retransmits);
      fl[s] &= ~SF.TIMING;
      u16[s * F16.STRIDE + F16.CWND] = u16[s * F16.STRIDE + F16.MSS];
      f64[b64 + F64.T_REXMT] = 0;
      if (!(fl[s] & SF.SYN_ACKED)) sendSyn(s, st[s] !== State.SYN_SENT); // SYN in SYN-SENT, else SYN+ACK (SYN-RCVD, or closed from it)
      else {
        u32[s * F32.STRIDE + F32.SND_NXT] = u32[s * F32.STRIDE + F32.SND_UNA];
        output(s);
      }
    }
    if (a & (A.SYN | A.SYNACK)) sendSyn(s, (a & A.SYNACK) !== 0);
    if (a & A.FIN) fl[s] |= SF.FIN_QUEUED;
    // ACK only when output() sent nothing (its segments carry the ACK)
    if (!(a & A.OUTPUT && output(s)) && a & A.ACK) sendAck(s);
    if (a & A.RST) emit(s, F.RST, u32[s * F32.STRIDE + F32.SND_NXT], 0, 0); // RST <SND.NXT>
    // the state timer: 2MSL in TIME-WAIT (no retransmission or probe there), else the
    // SYN-RCVD or FIN-WAIT-2 time-out
    if (a & A.TIMER_2MSL) {
      f64[b64 + F64.T_REXMT] = f64[b64 + F64.T_PERSIST] = 0;
      f64[b64 + F64.T_STATE] = now + twoMsl;
    } else if (a & A.TIMER_STATE) {
      f64[b64 + F64.T_STATE] = now + (st[s] === State.SYN_RCVD ? synRcvdMs : fw2Ms);
    }
    if (a & A.OPENED) {
      fl[s] |= SF.KNOWN;
      count(C.opened);
      if (!tell(s, "open")) return;
    }
    if (a & A.PEER_CLOSED && fl[s] & SF.KNOWN && !tell(s, "peerClosed")) return;
    if (a & A.END && fl[s] & SF.KNOWN) {
      fl[s] &= ~SF.KNOWN;
      if (!tell(s, "end", reasonOf(r))) return;
    }
    if (a & A.FREE) free(s);
  }

  // ---------------------------------------------------------------- slots
  function initSlot(s: number, li: number, ip: number, rp: number, lp: number, h: TcpHandler): void {
    var b16 = s * F16.STRIDE, b32 = s * F32.STRIDE; // where slot s's fields start (u16[b16 + F16.X] ...)
    clear(s);
    gen[s]++;   // a new connection: a handler call in progress on the old one sees the slot moved on
    lst[s] = li;
    u32[b32 + F32.RIP] = ip;
    u16[b16 + F16.RPORT] = rp;
    u16[b16 + F16.LPORT] = lp;
    handler[s] = h;
    u32[b32 + F32.ISS] = u32[b32 + F32.SND_UNA] = u32[b32 + F32.SND_NXT] = u32[b32 + F32.SND_MAX] = isn(key, stack.addr, lp, ip, rp, now);
    u16[b16 + F16.MSS] = K.MSS_DEFAULT < ourMss ? K.MSS_DEFAULT : ourMss;
    u16[b16 + F16.CWND] = sendBuf < K.MAX_16 ? sendBuf : K.MAX_16;
    u16[b16 + F16.RCV_WND] = recvWindow;
    f64[s * F64.STRIDE + F64.RTO] = Rto.INITIAL_MS;
    f64[s * F64.STRIDE + F64.T_USED] = now;
  }

  /**
   * The oldest slot in state want (only those of listener li when li >= 0; when idle, only
   * accepted ones with nothing queued and no activity for idleEvictMs), or -1. Sets matched
   * to the number of such slots.
   */
  function oldest(want: number, li: number, idle?: boolean): number {
    var best = -1;
    matched = 0;
    for (var i = 0; i < n; i++) {
      if (st[i] === want && (li < 0 || lst[i] === li) &&
        (!idle || (lst[i] >= 0 && u16[i * F16.STRIDE + F16.SND_LEN] === 0 && now - f64[i * F64.STRIDE + F64.T_USED] >= idleEvictMs))) {
        matched++;
        if (best < 0 || f64[i * F64.STRIDE + F64.T_USED] < f64[best * F64.STRIDE + F64.T_USED]) best = i;
      }
    }
    return best;
  }

  function evictHalfOpen(s: number): void {
    emit(s, F.RST, u32[s * F32.STRIDE + F32.SND_NXT], 0, 0);
    free(s);
  }

  /** Free slot, else oldest TIME-WAIT, else oldest half-open, else oldest idle accepted one. */
  function allocSlot(): number {
    var i;
    for (i = 0; i < n; i++) if (st[i] === State.CLOSED) return i;
    i = oldest(State.TIME_WAIT, -1);
    if (i >= 0) {
      count(C.reuseTimeWait);
      free(i);
      return i;
    }
    i = oldest(State.SYN_RCVD, -1);
    if (i >= 0 && !(fl[i] & SF.ACTIVE)) {
      count(C.evictHalfOpen);
      evictHalfOpen(i);
      return i;
    }
    i = oldest(State.ESTABLISHED, -1, true);
    if (i >= 0) {
      count(C.evictIdle);
      fire(i, Ev.ABORT);
      if (st[i] === State.CLOSED) return i;
    }
    return -1;
  }

  /** Broadcast, multicast, 0.x, loopback or our subnet's broadcast: never a TCP peer (MUST-46/57/63). */
  function badAddr(a: number): boolean {
    var top = a >>> 24; // the first octet
    if (top === Addr.THIS_NET) return true;
    if (top === Addr.LOOPBACK) return true;
    if (top >= Addr.MULTICAST) return true;
    // our subnet's broadcast: all host bits set. A /32 has none; with no mask (or 0) a | m is
    // a, and 255.255.255.255 was caught above.
    var m = stack.mask as number;
    return m !== Addr.ALL_ONES && ((a | m) >>> 0) === Addr.ALL_ONES;
  }

  function listenerFor(port: number): number {
    for (var i = 0; i < K.LISTENERS; i++) if (lState[i] === State.LISTEN && lPort[i] === port) return i;
    return -1;
  }

  // ---------------------------------------------------------------- input
  /** The peer's MSS option (0: none); -1, counted, when the options are malformed. */
  function peerMss(): number {
    var pm = parseMss(rx, rxOff + Hdr.OPTIONS, hl - Hdr.OPTIONS);
    if (pm < 0) count(C.dropBadOptions);
    return pm;
  }

  /** SEG.LEN: the data plus one for each of SYN and FIN. */
  function segLen(): number {
    return dlen + (flags & F.SYN ? 1 : 0) + (flags & F.FIN ? 1 : 0);
  }

  /** A segment for no connection (RFC 9293 3.10.7.1 CLOSED, 3.10.7.2 LISTEN). */
  function noConnection(): void {
    if (flags & F.RST) return count(C.dropRst); // never a RST in reply to a RST
    var li = listenerFor(dport);
    if (li >= 0 && !(flags & F.ACK)) {
      if (flags & F.SYN) return accept(li);
      return count(C.dropNoListener); // a listener takes a SYN and nothing else
    }
    if (li < 0) count(C.dropNoListener);
    // the RST: <SEQ=SEG.ACK> for an ACK (also an ACK to a listener), else <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
    if (flags & F.ACK) replyRst(ack, 0, F.RST);
    else replyRst(0, (seq + segLen()) >>> 0, F.RST | F.ACK);
  }

  function accept(li: number): void {
    var pm = peerMss();
    if (pm < 0) return;
    // The listener's half-open slots: at its backlog, the oldest one makes room.
    var s = oldest(State.SYN_RCVD, li);
    if (s >= 0 && matched >= lBacklog[li]) {
      count(C.backlogEvict);
      evictHalfOpen(s);
    } else {
      s = allocSlot();
    }
    if (s < 0) return count(C.dropSynFull);
    initSlot(s, li, src, sport, dport, lHandler[li]);
    st[s] = State.LISTEN;
    peerSyn(s, pm);
    count(C.accepted);
    fire(s, Ev.RCV_SYN);
  }

  function peerSyn(s: number, pm: number): void {
    var b16 = s * F16.STRIDE, b32 = s * F32.STRIDE; // where slot s's fields start (u16[b16 + F16.X] ...)
    u32[b32 + F32.IRS] = u32[b32 + F32.SND_WL1] = seq;
    u32[b32 + F32.RCV_ADV] = u32[b32 + F32.RCV_NXT] = seq + 1;
    if (pm === 0) pm = K.MSS_DEFAULT;
    u16[b16 + F16.MSS] = pm < ourMss ? pm : ourMss;
    u16[b16 + F16.SND_WND] = u16[b16 + F16.MAX_WND] = win;
    u32[b32 + F32.SND_WL2] = u32[b32 + F32.ISS];
  }

  function synSent(s: number): void {
    if (flags & F.ACK && (seqLe(ack, u32[s * F32.STRIDE + F32.ISS]) || seqLt(u32[s * F32.STRIDE + F32.SND_MAX], ack))) return rstBadAck();
    if (flags & F.RST) {
      if (flags & F.ACK) return fire(s, Ev.RCV_RST); // with our SYN acknowledged: refused
      return count(C.dropRst);
    }
    if (!(flags & F.SYN)) return count(C.dropNoAck);
    var pm = peerMss();
    if (pm < 0) return;
    peerSyn(s, pm);
    f64[s * F64.STRIDE + F64.T_USED] = now;
    if (flags & F.ACK) {
      ackIn(s);
      fire(s, Ev.RCV_SYN_ACK);
    } else {
      fire(s, Ev.RCV_SYN);
    }
  }

  /** Processes an acceptable ACK field; false when the segment must be dropped. */
  function ackIn(s: number): boolean {
    var b16 = s * F16.STRIDE, b32 = s * F32.STRIDE, b64 = s * F64.STRIDE; // where slot s's fields start (u16[b16 + F16.X] ...)
    var una = u32[b32 + F32.SND_UNA];
    // RFC 5961 5.2: an ACK of data never sent, or older than SND.UNA - MAX.SND.WND: ACK, drop
    if (seqLt(u32[b32 + F32.SND_MAX], ack)) {
      count(C.dropAckUnsent);
      sendAck(s);
      return false;
    }
    if (seqLt(ack, una - K.MAX_16)) {
      count(C.dropBadAck);
      sendAck(s);
      return false;
    }
    if (seqLt(una, ack)) {
      var acked = (ack - una) >>> 0;
      var f = fl[s];
      if (!(f & SF.SYN_ACKED)) {
        fl[s] = f = f | SF.SYN_ACKED;
        acked--;
        f64[b64 + F64.T_STATE] = 0;
      }
      var len = u16[b16 + F16.SND_LEN];
      poolDrop(P, S, s, acked > len ? len : acked);
      if (acked > len && f & SF.FIN_SENT) fl[s] |= SF.FIN_ACKED;
      u32[b32 + F32.SND_UNA] = ack;
      if (seqLt(u32[b32 + F32.SND_NXT], ack)) u32[b32 + F32.SND_NXT] = ack;
      if (f & SF.TIMING && seqLt(u32[b32 + F32.RTT_SEQ], ack)) {
        fl[s] &= ~SF.TIMING;
        rttSample(S, s, now - f64[b64 + F64.RTT_T]);
      }
      u8[s * F8.STRIDE + F8.RETRIES] = 0;
      var cw = u16[b16 + F16.CWND] + u16[b16 + F16.MSS];
      u16[b16 + F16.CWND] = cw < sendBuf ? cw : sendBuf;
      f64[b64 + F64.T_REXMT] = ack === u32[b32 + F32.SND_MAX] ? 0 : now + f64[b64 + F64.RTO];
    }
    if (seqLe(una, ack) && (seqLt(u32[b32 + F32.SND_WL1], seq) || (u32[b32 + F32.SND_WL1] === seq && seqLe(u32[b32 + F32.SND_WL2], ack)))) {
      u16[b16 + F16.SND_WND] = win;
      u32[b32 + F32.SND_WL1] = seq;
      u32[b32 + F32.SND_WL2] = ack;
      if (win > u16[b16 + F16.MAX_WND]) u16[b16 + F16.MAX_WND] = win;
      if (win > 0) f64[b64 + F64.T_PERSIST] = u8[s * F8.STRIDE + F8.PROBES] = 0;
    }
    return true;
  }


  function synchronized(s: number): void {
    var b16 = s * F16.STRIDE, b32 = s * F32.STRIDE, b64 = s * F64.STRIDE; // where slot s's fields start (u16[b16 + F16.X] ...)
    var cur = st[s];
    var rn = u32[b32 + F32.RCV_NXT];
    var wnd = u16[b16 + F16.RCV_WND];
    if (cur === State.SYN_RCVD && flags & F.SYN && seq === u32[b32 + F32.IRS]) {
      // The peer's SYN again: alone, it lost our SYN-ACK (send it again); with an ACK, it is the
      // other half of a simultaneous open: take its ACK and forget the SYN.
      if (!(flags & F.ACK)) return fire(s, Ev.RCV_SYN);
      seq = (seq + 1) >>> 0;
      flags &= ~F.SYN;
    }
    var slen = segLen();
    var d0 = (seq - rn) | 0;
    // RFC 9293 3.10.7.4, the acceptability test: the first octet, or the last one of a segment
    // with length, inside the window (x >>> 0 < wnd: 0 <= x < wnd, x relative to RCV.NXT).
    // A zero window accepts nothing here, which is the test's answer for a segment with length;
    // an empty segment at RCV.NXT is accepted just below.
    var ok = d0 >>> 0 < wnd || (slen > 0 && (d0 + slen - 1) >>> 0 < wnd);
    if (!ok && wnd === 0 && d0 === 0) {
      // Zero window: an empty segment at RCV.NXT is acceptable, and one with length still
      // has its ACK and RST taken, without its text (MUST-66).
      ok = true;
      dlen = 0;
      flags &= ~F.FIN;
    }
    if (!ok) {
      if (flags & F.RST) return count(C.dropRst);
      if (flags & F.FIN && cur === State.TIME_WAIT) return fire(s, Ev.RCV_FIN);
      count(C.dropOutOfWindow);
      return sendAck(s);
    }
    f64[b64 + F64.T_USED] = now; // only acceptable segments count as activity (idle eviction, oldest-first)
    if (flags & (F.RST | F.SYN)) {
      // RST at exactly RCV.NXT resets; any other RST in the window, or a SYN: challenge ACK
      if (flags & F.RST && d0 === 0) fire(s, cur === State.SYN_RCVD && fl[s] & SF.ACTIVE ? Ev.RCV_RST_ACTIVE : Ev.RCV_RST);
      else challengeAck(s);
      return;
    }
    if (!(flags & F.ACK)) return count(C.dropNoAck);
    if (cur === State.SYN_RCVD && !(seqLt(u32[b32 + F32.SND_UNA], ack) && seqLe(ack, u32[b32 + F32.SND_MAX]))) return rstBadAck();
    var freed = u16[b16 + F16.SND_LEN];
    if (!ackIn(s)) return;
    freed -= u16[b16 + F16.SND_LEN];
    var g = gen[s];
    if (cur === State.SYN_RCVD) {
      fire(s, Ev.RCV_ACK_OF_SYN);
      if (gen[s] !== g) return;
      cur = st[s];
    }
    // Classify the rest: data and FIN in sequence?
    var inOrder = d0 <= 0;
    var skip = -d0; // bytes already received at the left edge (used only when inOrder)
    var receiving = cur >= State.ESTABLISHED && cur <= State.FIN_WAIT_2; // the states that take data and FIN
    var fin = flags & F.FIN && inOrder && skip <= dlen && receiving;
    var finAcked = fl[s] & SF.FIN_ACKED;
    if (finAcked && (cur === State.CLOSING || cur === State.LAST_ACK || (cur === State.FIN_WAIT_1 && !fin))) {
      fire(s, Ev.RCV_ACK_OF_FIN);
      if (gen[s] !== g) return; // (every row into CLOSED frees the slot: gen moved)
      cur = st[s];
      receiving = cur >= State.ESTABLISHED && cur <= State.FIN_WAIT_2;
      fin = fin && receiving;
    }
    var ackNow = false;
    if (inOrder && receiving && dlen > skip) {
      var k = dlen - skip;
      u32[b32 + F32.RCV_NXT] = rn + k;
      if (cur === State.FIN_WAIT_2) f64[b64 + F64.T_STATE] = now + fw2Ms;
      fl[s] |= SF.ACK_PENDING;
      if (++u8[s * F8.STRIDE + F8.RSEGS] >= K.ACK_EVERY) ackNow = true;
      if (!tell(s, "data", rx, rxOff + hl + skip, k)) return;
      var used = appResult; // bytes consumed, when the handler says
      if (typeof used === "number" && used >= 0 && used < k) {
        u32[b32 + F32.RCV_NXT] = rn + used;
        ackNow = true;
        fin = false;
      }
    } else if (!inOrder || (slen > 0 && !fin)) {
      // Out of order (dropped: never delivered out of order), or nothing new: old data, or
      // text in a state that takes none. ACK it.
      if (inOrder) count(C.dropDuplicate);
      else count(C.dropOutOfOrder);
      ackNow = true;
    }
    if (fin) {
      u32[b32 + F32.RCV_NXT]++;
      fire(s, cur === State.FIN_WAIT_1 && finAcked ? Ev.RCV_FIN_ACK : Ev.RCV_FIN);
      if (gen[s] !== g) return; // (every row into CLOSED frees the slot: gen moved)
    }
    if (ackNow) fl[s] |= SF.ACK_PENDING;
    output(s);
    if (freed > 0) {
      // Send space came back: window update if our advertised window was small and the
      // application has room again, drained().
      var h = handler[s];
      if (h && h.room && u16[b16 + F16.RCV_WND] < u16[b16 + F16.MSS] && st[s] !== State.TIME_WAIT) {
        var r = h.room(s);
        if (r >= u16[b16 + F16.MSS] || r >= recvWindow >> 1) sendAck(s);
      }
      if (fl[s] & SF.WANT_DRAIN && poolRoom(P, S, s, sendBuf) > 0) {
        fl[s] &= ~SF.WANT_DRAIN;
        if (fl[s] & SF.KNOWN) tell(s, "drained");
      }
    }
    if (gen[s] !== g) return;
    if (fl[s] & SF.ACK_PENDING) {
      if (ackNow) sendAck(s);
      else if (f64[b64 + F64.T_ACK] === 0) f64[b64 + F64.T_ACK] = now + K.ACK_DELAY_MS;
    }
  }

  function input(buf: Uint8Array, o: number, len: number, from: number, dst: number): void {
    segmentIn(buf, o, len, from, dst);
    wakePoolWaiters();
  }

  function segmentIn(buf: Uint8Array, o: number, len: number, from: number, dst: number): void {
    now = clock.now();
    counts[C.segIn]++; // per segment: no call
    hl = (buf[o + Hdr.DATA_OFFSET] >> Hdr.DOFF_SHIFT) << Hdr.WORD_SHIFT;
    if (len < Hdr.LEN || hl < Hdr.LEN || hl > len) return count(C.dropShort); // no header, or a bad data offset
    if (dst !== stack.addr || badAddr(from)) return count(C.dropAddress);
    if (csumFinish(csumAdd(buf, o, len, pseudoSum(from, dst, Proto.TCP, len)))) return count(C.dropChecksum);
    rx = buf;
    rxOff = o;
    dlen = len - hl;
    src = from;
    sport = rd16(buf, o + Hdr.SPORT);
    dport = rd16(buf, o + Hdr.DPORT);
    seq = rd32(buf, o + Hdr.SEQ);
    ack = rd32(buf, o + Hdr.ACK);
    flags = buf[o + Hdr.FLAGS];
    win = rd16(buf, o + Hdr.WINDOW);
    for (var s = 0; s < n; s++) {
      if (st[s] !== State.CLOSED && u16[s * F16.STRIDE + F16.RPORT] === sport && u16[s * F16.STRIDE + F16.LPORT] === dport && u32[s * F32.STRIDE + F32.RIP] === src) {
        return st[s] === State.SYN_SENT ? synSent(s) : synchronized(s);
      }
    }
    noConnection();
  }

  /** Timer a of slot s has expired: true, and the timer is off. */
  function due(i: number): boolean {
    if (f64[i] === 0 || now < f64[i]) return false;
    f64[i] = 0;
    return true;
  }

  function tick(t: number): void {
    now = t;
    wakePoolWaiters();
    for (var s = 0; s < n; s++) {
      if (st[s] === State.CLOSED) continue;
      var b = s * F64.STRIDE; // slot s's timers: f64[b + F64.T_X]
      if (due(b + F64.T_ACK) && fl[s] & SF.ACK_PENDING) sendAck(s);
      if (due(b + F64.T_STATE)) fire(s, st[s] === State.TIME_WAIT ? Ev.TIMEOUT_2MSL : Ev.STATE_TIMEOUT);
      else if (due(b + F64.T_REXMT)) {
        if (u8[s * F8.STRIDE + F8.RETRIES] >= (st[s] === State.SYN_SENT ? synRetries : maxRetries)) {
          count(C.giveUps);
          fire(s, Ev.GIVE_UP);
        } else {
          u8[s * F8.STRIDE + F8.RETRIES]++;
          backOff(S, s);
          fire(s, Ev.RTO);
        }
      } else if (due(b + F64.T_PERSIST)) {
        // zero-window probe: one byte beyond the window, or an ACK when nothing is queued
        var nxt = u32[s * F32.STRIDE + F32.SND_NXT];
        count(C.zeroWindowProbes);
        if (((nxt - u32[s * F32.STRIDE + F32.SND_UNA]) >>> 0) < u16[s * F16.STRIDE + F16.SND_LEN]) {
          emit(s, F.ACK, nxt, 1, 0);
          if (seqLt(u32[s * F32.STRIDE + F32.SND_MAX], nxt + 1)) u32[s * F32.STRIDE + F32.SND_MAX] = nxt + 1;
        } else {
          sendAck(s);
        }
        if (u8[s * F8.STRIDE + F8.PROBES] < K.PROBES_MAX) u8[s * F8.STRIDE + F8.PROBES]++;
        f64[s * F64.STRIDE + F64.T_PERSIST] = now + probeDelay(S, s);
      }
    }
  }

  stack.onProtocol(Proto.TCP, input);
  stack.onTick(tick);

  // ---------------------------------------------------------------- API
  function state(c: number): number {
    return c >= 0 && c < n ? st[c] : State.CLOSED;
  }

  function listen(port: number, h: TcpHandler, backlog?: number): boolean {
    if (listenerFor(port) >= 0) return false;
    for (var i = 0; i < K.LISTENERS; i++) {
      if (lState[i] === State.CLOSED) {
        lState[i] = nextOf(step(T, State.CLOSED, Ev.PASSIVE_OPEN));
        lPort[i] = port;
        lHandler[i] = h;
        var b = backlog || defBacklog;
        lBacklog[i] = b > n ? n : b;
        return true;
      }
    }
    return false;
  }

  function unlisten(port: number): void {
    var i = listenerFor(port);
    if (i >= 0) lState[i] = nextOf(step(T, State.LISTEN, Ev.CLOSE));
  }

  function connect(ip: number, port: number, h: TcpHandler): number {
    now = clock.now();
    ip >>>= 0;
    var s = -1;
    // an address of our own (DHCP may not have given one yet), a peer that can be one, a port
    if (stack.addr && !badAddr(ip) && port > 0 && port < K.PORT_MAX + 1) s = allocSlot();
    if (s >= 0) {
      // the next ephemeral port no slot or listener uses (give up looking after all of them)
      for (var tries = 0; tries < K.EPHEMERAL_COUNT; tries++) {
        nextPort = nextPort >= K.PORT_MAX ? K.EPHEMERAL_FIRST : nextPort + 1;
        for (var i = 0; i < n; i++) if (st[i] !== State.CLOSED && u16[i * F16.STRIDE + F16.LPORT] === nextPort) break;
        if (i === n && listenerFor(nextPort) < 0) break;
      }
      initSlot(s, -1, ip, port, nextPort, h);
      fl[s] = SF.ACTIVE | SF.KNOWN;
      fire(s, Ev.ACTIVE_OPEN);
    }
    return s;
  }

  /** Free bytes in the send queue of c; -1 when the table has no SEND row in its state or close() was called. */
  function sendSpace(c: number): number {
    if (state(c) === State.CLOSED) return -1;
    if (step(T, st[c], Ev.SEND) === 0) return -1;
    if (fl[c] & SF.FIN_QUEUED) return -1;
    return poolRoom(P, S, c, sendBuf);
  }

  /** drained() to the connections the pool held back, if chunks came back. */
  function wakePoolWaiters(): void {
    if (!poolWait || !P.nfree) return;
    poolWait = false;
    for (var c = 0; c < n; c++) {
      if (fl[c] & SF.WANT_DRAIN) {
        if (poolRoom(P, S, c, sendBuf) > 0) {
          fl[c] &= ~SF.WANT_DRAIN;
          if (fl[c] & SF.KNOWN) tell(c, "drained");
        } else {
          poolWait = true; // still waiting (for the pool, or for ACKs at its own sendBuf)
        }
      }
    }
  }

  function space(c: number): number {
    var k = sendSpace(c);
    if (k === 0) {
      // c waits for drained(): its own ACKs, or chunks coming back to the pool, wake it
      fl[c] |= SF.WANT_DRAIN;
      poolWait = true;
    }
    return k < 0 ? 0 : k;
  }

  function write(c: number, buf: Uint8Array, off: number, len: number): number {
    var avail = sendSpace(c);
    if (avail < 0) return 0;
    var k = len < avail ? len : avail;
    if (k === avail && !(len <= 0)) {
      // the queue is full now (or was, and refused len): drained() when there is room again
      fl[c] |= SF.WANT_DRAIN;
      poolWait = true;
    }
    if (k <= 0) return 0;
    now = clock.now();
    poolAppend(P, S, c, buf, off, k);
    fire(c, Ev.SEND);
    return k;
  }

  /** close() and abort(): the table decides what the event does in the current state. */
  function userEvent(ev: number): (c: number) => void {
    return function (c: number): void {
      if (state(c) === State.CLOSED) return;
      now = clock.now();
      fire(c, ev);
    };
  }


  function stateCounts(out: Uint16Array): void {
    out.fill(0);
    for (var s = 0; s < n; s++) if (st[s] < out.length) out[st[s]]++;
    for (var l = 0; l < K.LISTENERS; l++) if (lState[l] === State.LISTEN && State.LISTEN < out.length) out[State.LISTEN]++;
  }

  /** A reader of field f of the k-stride array a, by connection id. */
  function reader(a: Uint16Array | Uint32Array, k: number, f: number): (c: number) => number {
    return function (c: number): number {
      return a[c * k + f];
    };
  }

  return {
    listen: listen,
    unlisten: unlisten,
    connect: connect,
    write: write,
    space: space,
    close: userEvent(Ev.CLOSE),
    abort: userEvent(Ev.ABORT),
    state: state,
    remoteIp: reader(u32, F32.STRIDE, F32.RIP),
    remotePort: reader(u16, F16.STRIDE, F16.RPORT),
    localPort: reader(u16, F16.STRIDE, F16.LPORT),
    get counters() { return counterNames(counts); },
    counts: counts,
    stateCounts: stateCounts,
    memoryBytes: S.bytes + P.bytes,
    slots: S,
    pool: P,
  };
}

export { STATE_COUNT };
