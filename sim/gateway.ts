// The default network back-end: a user-space gateway on the far end of the emulated wire.
// It owns 192.0.2.1 on the virtual link, answers DHCP (sim/dhcp.ts), and relays every TCP
// connection accepted on 127.0.0.1:<port> to the device (port 80) through the project's own
// IP stack and TCP in active-open mode, so the host-side endpoint is a real TCP peer.

import * as net from "net";
import { createStack, Stack } from "../firmware/net/stack";
import { createTcp, Tcp, TcpHandler, tcpNextDue } from "../firmware/tcp/tcp";
import { createHostNetif, HostNetif } from "./host-netif";
import { createDhcpServer, DhcpServer } from "./dhcp";
import type { Wire } from "./wire";
import { installEspruinoShims } from "../hal/host/espruino-shims";

export interface GatewayOptions {
  wire: Wire;
  mac: Uint8Array;
  ip: number;
  mask: number;
  /** DHCP pool handed to the device. */
  poolStart: number;
  poolEnd: number;
  leaseSeconds: number;
  /** The device's address once known (static or from our DHCP), else 0. */
  deviceIp: () => number;
  devicePort: number;
  listenHost: string;
  listenPort: number;
  slots: number;
  /** Connections relayed to the device at once (the device's HTTP connections; default 7). */
  maxActive?: number;
  /** How long a connection may wait for a free device connection before a 503 (default QUEUE_WAIT_MS). */
  queueWaitMs?: number;
  log: (line: string) => void;
  /** The clock and the one timer of the stack's schedule (tests drive time with their own; default: performance.now, setTimeout). */
  timers?: GatewayTimers;
}

export interface GatewayTimers { now(): number; after(ms: number, fn: () => void): unknown; cancel(handle: unknown): void }

/** TCP waits for send-pool space (tcpNextDue 0): tick this often, as the device does (ms). */
const TICK_MS = 100;
/** After a tick, a deadline already past is looked at again this much later (ms). */
const TICK_STEP_MS = 5;

/** Default longest wait in the gateway's queue: longer than the device's keep-alive idle close (5 s). */
export const QUEUE_WAIT_MS = 10000;
/** Connections waiting at most in the gateway's queue; more get a 503 at once. */
export const QUEUE_MAX = 256;
/** Tries to open a connection to the device that resets it before it is established. */
const CONNECT_ATTEMPTS = 4;
/** A retry resends at most this much (a request, not an upload). */
const RETRY_MAX_BYTES = 65536;
/** TcpHandler.end() reasons, as words. */
const END_WORDS = ["closed", "reset", "timed out", "aborted", "refused"];

/** A keep-alive client connection idle between requests, with no device connection, is kept open this long. */
export const PARK_IDLE_MS = 60000;
/** Longest request or answer head the gateway follows (the device's own limits are far lower). */
const HEAD_MAX = 16384;

interface Request { head: boolean; close: boolean; bytes: Buffer[] | null; size: number; answered: boolean }

/**
 * One client connection's HTTP exchange, parsed from both directions so that the gateway knows the
 * request boundaries: which requests the device has not begun to answer (with their bytes, to be
 * sent again on a new device connection), whether an answer is under way, and when the connection
 * is idle between requests (everything asked answered in full). The device's answers carry
 * Content-Length, except 1xx, 204, 304 and answers to HEAD. Anything this does not follow (a
 * chunked request body, a head over HEAD_MAX, an answer without a length) makes the exchange
 * "untracked": the gateway then only relays bytes, as it did before.
 */
export class Exchange {
  untracked = false;
  /** The last complete answer ends the connection (Connection: close, or HTTP/1.0 without keep-alive). */
  closeAfter = false;
  /** Complete requests not yet answered in full, oldest first. */
  private readonly waiting: Request[] = [];
  private reqHead = "";                    // an incomplete request head (latin1)
  private reqBody = 0;                     // body bytes still to come of the last request
  private partial: Buffer[] | null = [];   // bytes of the request being received (null: too many to keep)
  private partialSize = 0;
  private resHead = "";                    // an incomplete answer head
  private resBody = -1;                    // body bytes still to come of the answer under way; -1: none
  private resClose = false;

  fromClient(d: Buffer): void {
    let i = 0;
    while (i < d.length && !this.untracked) {
      if (this.reqBody > 0) {
        const n = Math.min(this.reqBody, d.length - i);
        const last = this.waiting[this.waiting.length - 1];
        if (last) Exchange.keep(last, d.subarray(i, i + n));
        this.reqBody -= n;
        i += n;
        continue;
      }
      const from = this.reqHead.length;
      const s = this.reqHead + d.toString("latin1", i);
      let h = 0;
      while (s.startsWith("\r\n", h)) h += 2;   // empty lines before a request are allowed (RFC 9112 2.2)
      const end = s.indexOf("\r\n\r\n", h);
      if (end < 0) {
        if (s.length > HEAD_MAX) { this.untracked = true; return; }
        this.reqHead = s;
        this.keepPartial(d.subarray(i));
        return;
      }
      const used = end + 4 - from;
      this.keepPartial(d.subarray(i, i + used));
      i += used;
      this.reqHead = "";
      const lines = s.slice(h, end).split("\r\n");
      const first = lines[0].split(" ");
      let length = 0, close = false, keepAlive = false;
      for (let k = 1; k < lines.length; k++) {
        const colon = lines[k].indexOf(":");
        const name = lines[k].slice(0, colon).trim().toLowerCase(), value = lines[k].slice(colon + 1).trim().toLowerCase();
        if (name === "content-length") length = parseInt(value, 10) || 0;
        else if (name === "transfer-encoding" && value !== "identity") this.untracked = true;
        else if (name === "connection") { close = /(^|[\s,])close($|[\s,])/.test(value); keepAlive = /keep-alive/.test(value); }
      }
      const version = first[2] || "";
      this.waiting.push({
        head: first[0] === "HEAD", close: close || version === "HTTP/1.0" && !keepAlive || !/^HTTP\/1\.[01]$/.test(version),
        bytes: this.partial, size: this.partialSize, answered: false,
      });
      this.partial = [];
      this.partialSize = 0;
      this.reqBody = length;
    }
  }

  fromDevice(d: Buffer): void {
    let i = 0;
    while (i < d.length && !this.untracked) {
      if (this.resBody > 0) {
        const n = Math.min(this.resBody, d.length - i);
        this.resBody -= n;
        i += n;
        if (this.resBody === 0) this.answered();
        continue;
      }
      if (this.waiting.length) this.waiting[0].answered = true;   // (the first byte of its answer)
      const from = this.resHead.length;
      const s = this.resHead + d.toString("latin1", i);
      const end = s.indexOf("\r\n\r\n");
      if (end < 0) {
        if (s.length > HEAD_MAX) this.untracked = true;
        else this.resHead = s;
        return;
      }
      i += end + 4 - from;
      this.resHead = "";
      const status = parseInt(s.slice(9, 12), 10);
      if (status >= 100 && status < 200) continue;   // interim (100 Continue): the answer follows
      const req = this.waiting[0];
      const m = /\r\ncontent-length:[ \t]*(\d+)/i.exec(s.slice(0, end + 2));
      const length = req && req.head || status === 204 || status === 304 ? 0 : m ? Number(m[1]) : -1;
      if (length < 0) { this.untracked = true; return; }   // read to the close
      this.resClose = /\r\nconnection:[^\r]*close/i.test(s.slice(0, end + 2)) || !req || req.close;
      this.resBody = length;
      if (length === 0) this.answered();
    }
  }

  /** Nothing asked is unanswered, no request or answer is under way. */
  idle(): boolean {
    return !this.untracked && !this.waiting.length && this.reqBody === 0 && /^[\r\n]*$/.test(this.reqHead) && !this.answering();
  }

  /** An answer is under way (part of it went to the client). */
  answering(): boolean {
    return this.resHead !== "" || this.resBody > 0 || (this.waiting.length > 0 && this.waiting[0].answered);
  }

  /** The bytes of the requests the device has not begun to answer (and of the one still being
   *  received), to send on a new device connection; null when an answer is under way or a
   *  request was too long to keep. */
  unanswered(): Buffer[] | null {
    if (this.untracked || this.answering() || !this.partial) return null;
    const out: Buffer[] = [];
    for (const r of this.waiting) { if (!r.bytes) return null; out.push(...r.bytes); }
    return out.concat(this.partial);
  }

  private answered(): void {
    this.resBody = -1;
    this.waiting.shift();
    this.closeAfter = this.resClose;
  }

  private keepPartial(b: Buffer): void {
    if (!this.partial) return;
    if (this.partialSize + b.length > RETRY_MAX_BYTES) { this.partial = null; return; }
    this.partial.push(b);
    this.partialSize += b.length;
  }

  private static keep(r: Request, b: Buffer): void {
    if (!r.bytes) return;
    if (r.size + b.length > RETRY_MAX_BYTES) { r.bytes = null; return; }
    r.bytes.push(b);
    r.size += b.length;
  }
}

/** A client connection: its exchange, and where its bytes and its end go now. */
interface Client {
  sock: net.Socket;
  ex: Exchange;
  ended: boolean;
  sink: (d: Buffer) => void;
  onEnd: () => void;
  onClose: () => void;
  parkTimer: NodeJS.Timeout | null;
}

export interface Gateway {
  stack: Stack;
  tcp: Tcp;
  dhcp: DhcpServer;
  netif: HostNetif;
  /** Resolves with the bound port once the listener is up. */
  listening: Promise<number>;
  counters: { accepted: number; relayed: number; refused: number; bytesToDevice: number; bytesFromDevice: number };
  /** When the stack's timer next fires (ms on the gateway's clock; Infinity: no timer armed). */
  nextTick(): number;
  close(): Promise<void>;
}

export function startGateway(o: GatewayOptions): Gateway {
  // The project's stack calls Espruino natives (E.sum): the host process needs the shims, installed
  // when a gateway starts, not when this module is imported.
  installEspruinoShims();
  const clock = { now: () => (o.timers ? o.timers.now() : performance.now()) };
  const netif = createHostNetif(o.mac, (f) => o.wire.toDevice(f));
  const stack = createStack(netif, clock, { ip: o.ip, mask: o.mask, gateway: 0 });
  const tcp = createTcp(stack, { slots: o.slots });
  const dhcp = createDhcpServer({
    serverIp: o.ip, serverMac: o.mac, mask: o.mask, router: o.ip,
    poolStart: o.poolStart, poolEnd: o.poolEnd, leaseSeconds: o.leaseSeconds,
  });
  const counters = { accepted: 0, relayed: 0, refused: 0, bytesToDevice: 0, bytesFromDevice: 0 };
  let pollQueued = false;
  let closed = false;
  // The stack's tick runs at its next deadline, as on the device (firmware/lib/eth-run.ts): one
  // timer, armed at the earliest of the stack's own deadlines and TCP's (tcpNextDue: delayed
  // ACK, retransmission, probe, TIME-WAIT...), looked at again after every poll and tick. Every
  // call into TCP here is followed by schedulePoll(), so a deadline that moves is seen. A
  // Linux peer's timers are not quantised to a 100 ms tick either: with a fixed tick, each
  // delayed ACK and retransmission of the gateway waited for it (up to 100 ms late).
  const sched = o.timers || { now: () => performance.now(), after: (ms: number, fn: () => void): unknown => setTimeout(fn, ms), cancel: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
  let timer: unknown = null, armedAt = -1, lastTick = sched.now();
  function deadline(): number {
    const x = tcpNextDue(tcp);
    const d = stack.due();
    return Math.min(d, x === 0 ? lastTick + TICK_MS : x);
  }
  function arm(ticked: boolean): void {
    if (closed) return;
    const now = sched.now();
    let d = deadline();
    // a layer whose time had come at this tick and that did nothing: a short step, not a busy
    // loop (a deadline that passed while the tick ran is due at once)
    if (ticked && d <= lastTick) d = now + TICK_STEP_MS;
    if (d === armedAt) return;
    if (timer !== null) sched.cancel(timer);
    timer = null;
    armedAt = d;
    if (d !== Infinity) timer = sched.after(d > now ? d - now : 0, fire);
  }
  function fire(): void {
    timer = null;
    armedAt = -1;
    if (closed) return;
    lastTick = sched.now();
    stack.tick();
    stack.poll();
    arm(true);
  }
  function poll(): void {
    pollQueued = false;
    if (closed) return;
    stack.poll();
    arm(false);
  }
  function schedulePoll(): void {
    if (!pollQueued) { pollQueued = true; setImmediate(poll); }
  }
  o.wire.onFromDevice((f) => {
    const reply = dhcp.handle(f);
    if (reply) { setImmediate(() => { if (!closed) o.wire.toDevice(reply); }); return; }
    netif.push(f);
    schedulePoll();
  });
  arm(false);

  const sockets = new Set<net.Socket>();
  // Half-open allowed: a client that sends its request and shuts its sending side (nc -N, HTTP/1.0
  // tools) still gets the answer; the half-close is relayed to the device as a FIN.
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    counters.accepted++;
    sockets.add(sock);
    const cl: Client = { sock, ex: new Exchange(), ended: false, sink: () => {}, onEnd: () => {}, onClose: () => {}, parkTimer: null };
    // every byte from the client is parsed once, on arrival, then goes where the client is now
    // (waiting in the queue, relayed, or parked)
    sock.on("data", (d: Buffer) => { cl.ex.fromClient(d); cl.sink(d); });
    sock.on("end", () => { cl.ended = true; cl.onEnd(); });
    sock.on("close", () => { sockets.delete(sock); if (cl.parkTimer) clearTimeout(cl.parkTimer); cl.onClose(); });
    sock.on("error", () => { /* handled by close */ });
    admit(cl, []);
  });

  // The device serves a few connections at once (its TCP slots, one kept for a 503): the gateway
  // relays at most maxActive at a time and queues the rest, so no connection ever meets a device
  // that cannot take it. A connection queued longer than QUEUE_WAIT_MS, or beyond QUEUE_MAX, or
  // one the device refused before answering, gets a 503 with Retry-After from the gateway: every
  // connection ends with an HTTP response, never an empty close.
  const maxActive = Math.max(1, o.maxActive || 7);
  const queueWaitMs = o.queueWaitMs || QUEUE_WAIT_MS;
  let active = 0;
  const queue: { sock: net.Socket; start: () => void; since: number }[] = [];
  /** Relayed connections, for giving up an idle one's device connection when others wait. */
  const relays = new Set<{ idle(): boolean; giveUp(): void }>();

  function unavailable(sock: net.Socket, why: string): void {
    counters.refused++;
    if (sock.destroyed || !sock.writable) { sock.destroy(); return; }
    const body = why + "\n";
    sock.end("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n" +
      "Connection: close\r\nContent-Length: " + Buffer.byteLength(body) + "\r\n\r\n" + body);
    // the client may keep its side open: close after a grace period
    setTimeout(() => sock.destroy(), 2000).unref();
  }
  function release(): void {
    active--;
    // not from inside the TCP callback that ended the connection
    setImmediate(drain);
  }
  function drain(): void {
    while (!closed && queue.length && active < maxActive) {
      const q = queue.shift()!;
      if (q.sock.destroyed) continue;
      q.start();
    }
  }
  /** Someone waits: a keep-alive connection idle between requests lets its device connection go. */
  function giveUpIdle(): void {
    for (const r of relays) if (r.idle()) { r.giveUp(); return; }
  }
  const queueTimer = setInterval(() => {
    const now = performance.now();
    while (queue.length && now - queue[0].since >= queueWaitMs) {
      const q = queue.shift()!;
      unavailable(q.sock, "The simulated device is busy (all its connections in use); try again.");
    }
    if (queue.length) giveUpIdle();
  }, 100);

  function admit(cl: Client, early: Buffer[]): void {
    // Until it is relayed, what the client sends is kept (bounded by the pause below).
    let earlyBytes = 0;
    for (const b of early) earlyBytes += b.length;
    cl.sink = (d) => { early.push(d); earlyBytes += d.length; if (earlyBytes >= 65536) cl.sock.pause(); };
    cl.onEnd = () => { /* read as cl.ended when relayed */ };
    cl.onClose = () => { /* a destroyed socket is skipped by the queue */ };
    if (!o.deviceIp()) { unavailable(cl.sock, "The simulated device has no address yet (DHCP in progress)."); return; }
    if (active < maxActive) { relay(cl, early); return; }
    if (queue.length >= QUEUE_MAX) { unavailable(cl.sock, "The simulated device is busy (all its connections in use); try again."); return; }
    queue.push({ sock: cl.sock, start: () => relay(cl, early), since: performance.now() });
    giveUpIdle();
  }

  /** A keep-alive client connection between requests, with no device connection: kept open (as a
   *  server keeps an idle keep-alive connection) until its next request, which is admitted again. */
  function park(cl: Client): void {
    if (cl.sock.destroyed) return;
    if (cl.ended) { cl.sock.end(); return; }
    cl.sink = (d) => {
      if (cl.parkTimer) { clearTimeout(cl.parkTimer); cl.parkTimer = null; }
      admit(cl, [d]);
    };
    cl.onEnd = () => { cl.sock.end(); };
    cl.onClose = () => { /* nothing held */ };
    cl.parkTimer = setTimeout(() => { cl.parkTimer = null; cl.sock.end(); }, PARK_IDLE_MS);
    cl.parkTimer.unref();
  }

  /** attempt: a connection the device reset or closed without answering a request (not
   *  established yet, evicted as idle when its slots ran out, or its keep-alive idle close crossing
   *  the client's next request) is opened again with the requests not answered, up to
   *  CONNECT_ATTEMPTS times in a row: the device's handlers answer in the call that reads the
   *  request, so a request without a byte of answer was not served. */
  function relay(cl: Client, pending: Buffer[], attempt = 1): void {
    const sock = cl.sock;
    const ex = cl.ex;
    const dev = o.deviceIp();
    let queuedBytes = 0;
    for (const b of pending) queuedBytes += b.length;
    let finSent = false;
    let done = false;       // the slot is released
    let gone = false;       // the client is no longer this device connection's (parked, or relayed anew)
    let answered = false;   // a byte from the device reached the client
    let opened = false;     // established: a close before that would abort the connection (RFC 793)
    let c = -1;
    const sent: Buffer[] = [];   // (exchanges the parser does not follow) what went to the device while nothing came back
    let sentBytes = 0;
    active++;
    const me = { idle: (): boolean => opened && !gone && !done && !finSent && !cl.ended && ex.idle() && !ex.closeAfter, giveUp };
    relays.add(me);
    function finish(): void { if (!done) { done = true; relays.delete(me); release(); } }
    function flush(): void {
      if (c < 0 || done || !opened) return;   // nothing is written before the device accepted: a retry resends it all
      while (pending.length) {
        const b = pending[0];
        const n = tcp.write(c, b, 0, b.length);
        if (n <= 0) break;
        counters.bytesToDevice += n;
        queuedBytes -= n;
        if (!answered && sentBytes <= RETRY_MAX_BYTES) { sent.push(b.subarray(0, n)); sentBytes += n; }
        if (n < b.length) { pending[0] = b.subarray(n); break; }
        pending.shift();
      }
      if (queuedBytes < 65536 && sock.isPaused()) sock.resume();
      if (opened && !pending.length && cl.ended && !finSent) { finSent = true; tcp.close(c); }
      schedulePoll();
    }
    /** The device connection is let go, the client's kept (idle between requests). */
    function giveUp(): void {
      gone = true;
      finish();
      if (!finSent) { finSent = true; tcp.close(c); schedulePoll(); }
      park(cl);
    }
    /** What to send again on a new device connection: the requests not answered at all; null when
     *  that is not possible (an answer under way, too many bytes, attempts used up). */
    function retryBytes(): Buffer[] | null {
      if (attempt >= CONNECT_ATTEMPTS || sock.destroyed) return null;
      if (ex.untracked) return !answered && sentBytes <= RETRY_MAX_BYTES ? sent.concat(pending) : null;
      return ex.unanswered();
    }
    /** Relays the client anew (after 50 ms per attempt, keeping its place ahead of the queue). */
    function again(bytes: Buffer[]): void {
      gone = true;
      finish();
      active++;
      const next = answered ? 1 : attempt + 1;
      setTimeout(() => { active--; if (!sock.destroyed && !closed) relay(cl, bytes, next); else drain(); }, 50 * attempt);
    }
    const h: TcpHandler = {
      open() { if (gone) return; counters.relayed++; opened = true; flush(); },
      data(_c, buf, off, len) {
        if (gone) return;
        counters.bytesFromDevice += len;
        answered = true;
        const b = Buffer.from(buf.subarray(off, off + len));
        ex.fromDevice(b);
        sock.write(b);
        if (queue.length && me.idle()) giveUp();
      },
      drained() { if (!gone) flush(); },
      peerClosed() {
        if (gone) return;
        // the device's keep-alive idle close: the client's connection stays open (parked)
        if (me.idle()) { giveUp(); return; }
        // it closed without answering a request the client had sent: send that again
        const bytes = ex.closeAfter || cl.ended ? null : retryBytes();
        if (bytes && bytes.length) {
          if (!finSent) { finSent = true; tcp.close(c); schedulePoll(); }
          again(bytes);
          return;
        }
        sock.end();
        flush();
      },
      end(_c, reason) {
        if (gone) return;
        finish();
        if (reason === 0) { sock.end(); return; }
        // (the connection is gone: slot c is not touched again, it may already be another's)
        if (opened && !ex.untracked && ex.idle()) {   // reset between requests
          if (!cl.ended && !ex.closeAfter) { gone = true; park(cl); } else sock.end();
          return;
        }
        const bytes = retryBytes();
        if (bytes && (bytes.length || !opened)) { again(bytes); return; }
        if (ex.untracked ? !answered : !ex.answering()) unavailable(sock, "The simulated device did not take the connection (" + END_WORDS[reason] + "); try again.");
        else sock.destroy();
      },
    };
    c = tcp.connect(dev, o.devicePort, h);
    if (c < 0) { finish(); gone = true; unavailable(sock, "The gateway has no free connection to the device; try again."); return; }
    cl.sink = (d) => {
      pending.push(d);
      queuedBytes += d.length;
      if (queuedBytes >= 65536) sock.pause();
      flush();
    };
    cl.onEnd = () => { if (!gone) flush(); };
    cl.onClose = () => { if (!gone && !done) { gone = true; finish(); if (!finSent) tcp.abort(c); schedulePoll(); } };
    if (sock.isPaused()) sock.resume();
    schedulePoll();
  }

  const listening = new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.listenPort, o.listenHost, () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : o.listenPort);
    });
  });

  return {
    stack, tcp, dhcp, netif, counters, listening,
    nextTick: () => (timer === null ? Infinity : armedAt),
    close(): Promise<void> {
      closed = true;
      if (timer !== null) sched.cancel(timer);
      timer = null;
      clearInterval(queueTimer);
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
