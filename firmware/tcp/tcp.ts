// TCP over the IP stack: fixed slots (slots.ts), the table (table.ts) walked by the engine
// (engine.ts, events.ts), RFC 9293 3.10.7 segment checks (input.ts, ack.ts), output (output.ts),
// RFC 6298 timers (timers.ts), RFC 5961 challenge ACKs, RFC 6528 ISNs. A TCP is ONE record
// (state.ts) whose methods are shared (METHODS below) and whose work is done by module-level
// functions: everything (slot arrays, the send pool, counters) is created once in createTcp();
// nothing is allocated per segment or per connection afterwards (apart from the transient
// subarray views handed to the native `set`).
//
// Connection ids are slot numbers. end(c, reason) is called once per connection the
// application knows (connect() returned it, or open() ran), when the connection is over for it:
// on entering TIME-WAIT or CLOSED. The slot itself stays in TIME-WAIT for 2*MSL afterwards.
// An exception thrown by a handler is caught and counted (counters.appErrors): it never
// escapes into the receive path or leaves a slot half-updated. What a handler sends (write(),
// close()) leaves when the handler returns (events.ts).

import { Proto } from "../net/ipv4";
import { State, STATE_COUNT } from "./states";
import { Ev } from "./table";
import { nextOf } from "./engine";
import { createSlots, Slots, SF, F16, F32 } from "./slots";
import { Pool, Chunk, createPool, poolRoom, poolAppend } from "./pool";
import { Isn, newSecret } from "./isn";
import { fire, rowOf } from "./events";
import { allocSlot, badAddr, initSlot, listenerFor, wakePoolWaiters } from "./alloc";
import { segmentIn } from "./input";
import { windowUpdate } from "./ack";
import { tcpTick, tcpNextDue } from "./timers";
import { C, K, Tc, TcpNames, TcpStack, counterNames, eachTcpDrop } from "./state";
import { sum } from "../../hal/natives";

// tcpNextDue(tcp): when TCP's tick next has work (ms on the stack's clock; Infinity: nothing
// pending, 0: work at every tick), timers.ts. Functions an application imports only when it uses
// them (so a bundle without them has none of their code): tcpKeepAlive(tcp, c, idleMs,
// intervalMs, count) in keepalive.ts, tcpWriteUrgent(tcp, c, buf, off, len) in urgent.ts.
export { C, counterNames, eachTcpDrop, TcpNames, TcpStack, STATE_COUNT, tcpNextDue };

/**
 * The application took received bytes of connection c (its handler's room() grew): an ACK when
 * that opens the window (ack.ts windowUpdate); `step`: half the application's buffer when that
 * is smaller than TCP's window. A function, not a method: only builds that call it (the NetworkJS
 * piece, whose app reads at its own pace) carry it.
 */
export function tcpWindowUpdate(tcp: Tcp, c: number, step?: number): void {
  windowUpdate(tcp as any as Tc, c, step);
}

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
  /** Optional: the peer sent urgent data (RFC 9293 3.8.5), delivered in line by data() as usual;
   *  it ends n bytes (n >= 1) into the stream from the next byte data() delivers. Called again
   *  only when the peer's urgent pointer moves on (firmware/tcp/urgent.ts). */
  urgent?: (c: number, n: number) => void;
}

export interface Tcp {
  listen(port: number, h: TcpHandler, backlog?: number): boolean;
  unlisten(port: number): void;
  connect(ip: number, port: number, h: TcpHandler): number;
  /** (tcpWriteUrgent(), urgent.ts: the same with the bytes taken as urgent data) */
  write(c: number, buf: Uint8Array, off: number, len: number): number;
  space(c: number): number;
  close(c: number): void;
  abort(c: number): void;
  state(c: number): number;
  remoteIp(c: number): number;
  remotePort(c: number): number;
  localPort(c: number): number;
  counters: { [name: string]: number };
  /** The time (ms, the stack's clock) of the segment or call being handled, or of the last tick:
   *  a handler's "now" without a clock call of its own. */
  now: number;
  /** The live counts, indexed by C (eachTcpDrop() names the non-zero drops). */
  counts: Uint32Array;
  stateCounts(out: Uint16Array): void;
  /** Bytes of typed arrays held by the slots and the send pool. */
  memoryBytes: number;
  slots: Slots;
  pool: Pool;
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

// ---------------------------------------------------------------- the API (`this`: the record)
function state(this: Tc, c: number): number {
  return c >= 0 && c < this.n ? this.st[c] : State.CLOSED;
}

function listen(this: Tc, port: number, h: TcpHandler, backlog?: number): boolean {
  var t = this;
  if (listenerFor(t, port) >= 0) return false;
  for (var i = 0; i < K.LISTENERS; i++) {
    if (t.lSt[i] === State.CLOSED) {
      t.lSt[i] = nextOf(rowOf(State.CLOSED, Ev.PASSIVE_OPEN));
      t.lPort[i] = port;
      t.lH[i] = h;
      var b = backlog || t.bl;
      t.lBl[i] = b > t.n ? t.n : b;
      return true;
    }
  }
  return false;
}

function unlisten(this: Tc, port: number): void {
  var i = listenerFor(this, port);
  if (i >= 0) this.lSt[i] = nextOf(rowOf(State.LISTEN, Ev.CLOSE));
}

function connect(this: Tc, ip: number, port: number, h: TcpHandler): number {
  var t = this;
  t.now = t.stk.clock.now();
  ip >>>= 0;
  var s = -1;
  // an address of our own (DHCP may not have given one yet), a peer that can be one, a port
  if (t.stk.addr && !badAddr(t, ip) && port > 0 && port < K.PORT_MAX + 1) s = allocSlot(t);
  if (s >= 0) {
    // the next ephemeral port no slot or listener uses (give up looking after all of them)
    var p = t.port;
    for (var tries = 0; tries < K.EPHEMERAL_COUNT; tries++) {
      p = p >= K.PORT_MAX ? K.EPHEMERAL_FIRST : p + 1;
      for (var i = 0; i < t.n; i++) if (t.st[i] !== State.CLOSED && t.u16[i * F16.STRIDE + F16.LPORT] === p) break;
      if (i === t.n && listenerFor(t, p) < 0) break;
    }
    t.port = p;
    initSlot(t, s, -1, ip, port, p, h);
    t.fl[s] = SF.ACTIVE | SF.KNOWN;
    fire(t, s, Ev.ACTIVE_OPEN);
  }
  return s;
}

/** Free bytes in the send queue of c; -1 when the table has no SEND row in its state or close() was called. */
function sendSpace(t: Tc, c: number): number {
  if (!(c >= 0 && c < t.n) || t.st[c] === State.CLOSED) return -1;
  if (rowOf(t.st[c], Ev.SEND) === 0) return -1;
  if (t.fl[c] & SF.FIN_QUEUED) return -1;
  return poolRoom(t.P, t.S, c, t.sbuf);
}

function space(this: Tc, c: number): number {
  var k = sendSpace(this, c);
  if (k === 0) {
    // c waits for drained(): its own ACKs, or chunks coming back to the pool, wake it
    this.fl[c] |= SF.WANT_DRAIN;
    this.pw = true;
  }
  return k < 0 ? 0 : k;
}

function write(this: Tc, c: number, buf: Uint8Array, off: number, len: number): number {
  var t = this, avail = sendSpace(t, c);
  if (avail < 0) return 0;
  var k = len < avail ? len : avail;
  if (k === avail && !(len <= 0)) {
    // the queue is full now (or was, and refused len): drained() when there is room again
    t.fl[c] |= SF.WANT_DRAIN;
    t.pw = true;
  }
  if (k <= 0) return 0;
  t.now = t.stk.clock.now();
  poolAppend(t.P, t.S, c, buf, off, k);
  fire(t, c, Ev.SEND);
  return k;
}

/** close() and abort(): the table decides what the event does in the current state. */
function userEvent(t: Tc, c: number, ev: number): void {
  if (!(c >= 0 && c < t.n) || t.st[c] === State.CLOSED) return;
  t.now = t.stk.clock.now();
  fire(t, c, ev);
}

/** The slots per state into out (STATE_COUNT entries, or fewer: a state past its end is not
 *  counted), the listeners as LISTEN. (Per status request: one statement per slot.) */
function stateCounts(this: Tc, out: Uint16Array): void {
  var st = this.st;
  out.fill(0);
  for (var s = 0; s < this.n; s++) out[st[s]]++;      // (a typed array ignores writes past its end)
  // a listener is LISTEN (1) or CLOSED (0): their sum (native) is how many listen
  if (State.LISTEN < out.length) out[State.LISTEN] += sum(this.lSt);
}

// The methods every TCP shares (its prototype).
var METHODS = {
  listen: listen,
  unlisten: unlisten,
  connect: connect,
  write: write,
  space: space,
  close: function (this: Tc, c: number): void {
    userEvent(this, c, Ev.CLOSE);
  },
  abort: function (this: Tc, c: number): void {
    userEvent(this, c, Ev.ABORT);
  },
  state: state,
  remoteIp: function (this: Tc, c: number): number {
    return this.u32[c * F32.STRIDE + F32.RIP];
  },
  remotePort: function (this: Tc, c: number): number {
    return this.u16[c * F16.STRIDE + F16.RPORT];
  },
  localPort: function (this: Tc, c: number): number {
    return this.u16[c * F16.STRIDE + F16.LPORT];
  },
  get counters(): { [name: string]: number } {
    return (this as any as Tc).nm((this as any as Tc).c);
  },
  stateCounts: stateCounts,
};

function opt(v: number | undefined, dflt: number): number {
  return v === undefined ? dflt : v;
}

/** A TCP whose counters have their names (tcp.counters: { segIn, segOut, ... }). */
export function createTcp(stack: TcpStack, opts: TcpOptions): Tcp {
  return createTcpWith(stack, opts, counterNames);
}

/** A TCP whose tcp.counters is names(the counts): counterNames, or what the library gives
 *  without its "counters" piece (firmware/lib/eth.ts: the counts alone, without the names' 0.5 KB). */
export function createTcpWith(stack: TcpStack, opts: TcpOptions, names: TcpNames): Tcp {
  var n = opts.slots;
  var mss = opts.mss || K.MSS_MAX;
  var sbuf = opts.sendBuf || 2 * mss;
  // (slot send lengths and offsets are 16-bit)
  if (mss < K.MSS_MIN || mss > K.MSS_MAX || sbuf > K.MAX_16) throw new Error("tcp: mss 64..1460, sendBuf <= 65535");
  var rwin = opts.recvWindow || 2 * mss;
  if (rwin > K.MAX_16) rwin = K.MAX_16;
  var key = opts.secret as Uint32Array;
  if (!key) newSecret((key = new Uint32Array(Isn.KEY_WORDS)));
  var S = createSlots(n);
  // the default pool: every slot can queue sbuf from any offset in its first chunk
  var P = createPool(n, opts.sendPool ? Math.ceil(opts.sendPool / Chunk.SIZE) : n * (Math.ceil(sbuf / Chunk.SIZE) + 1));
  var t = Object.create(METHODS) as Tc & Tcp;
  // (the fields every segment reads first: Espruino finds a field by a linear search)
  t.st = S.st;
  t.fl = S.fl;
  t.u32 = S.u32;
  t.u16 = S.u16;
  t.f64 = S.f64;
  t.u8 = S.u8;
  t.gen = S.gen;
  t.hd = S.handler;
  t.lst = S.lst;
  t.now = 0;
  t.rx = stack.netif.tx; // (until the first segment)
  t.ro = t.hl = t.dl = t.src = t.sp = t.dp = t.seq = t.ack = t.flg = t.win = 0;
  t.n = n;
  t.tx = stack.netif.tx;
  t.stk = stack;
  t.c = t.counts = new Uint32Array(C.COUNT);
  t.P = P;
  t.S = S;
  t.dep = t.dn = 0;
  t.dq = new Uint8Array(K.DEFER_MAX);
  t.dqn = new Uint16Array(K.DEFER_MAX);
  t.due = Infinity;
  t.mss = mss;
  t.sbuf = sbuf;
  t.rwin = rwin;
  t.sws = rwin >> 1 < mss ? rwin >> 1 : mss;
  t.msl2 = 2 * opt(opts.mslMs, D.MSL_MS);
  t.mr = opt(opts.maxRetries, D.MAX_RETRIES);
  t.sr = opt(opts.synRetries, D.SYN_RETRIES);
  t.srMs = opts.synRcvdTimeoutMs || D.SYN_RCVD_TIMEOUT_MS;
  t.fw2 = opts.finWait2TimeoutMs || D.FIN_WAIT_2_TIMEOUT_MS;
  t.idle = opt(opts.idleEvictMs, D.IDLE_EVICT_MS);
  t.caL = opt(opts.challengeAckLimit, D.CHALLENGE_ACK_LIMIT);
  t.bl = n >> 1 || 1; // half-open SYN-RCVD per listener unless listen() says: half the slots, at least 1
  t.key = key;
  t.caT = t.caN = t.mat = 0;
  t.port = K.EPHEMERAL_FIRST + (key[0] & K.EPHEMERAL_MASK);
  t.pw = false;
  t.lSt = new Uint8Array(K.LISTENERS);
  t.lPort = new Uint16Array(K.LISTENERS);
  t.lBl = new Uint8Array(K.LISTENERS);
  t.lH = [];
  t.memoryBytes = S.bytes + P.bytes;
  t.slots = S;
  t.pool = P;
  t.nm = names;
  stack.onProtocol(Proto.TCP, function (b: Uint8Array, o: number, len: number, src: number, dst: number): void {
    segmentIn(t, b, o, len, src, dst);
    if (t.pw) wakePoolWaiters(t);
  });
  stack.onTick(function (now: number): void {
    tcpTick(t, now);
  });
  return t;
}
