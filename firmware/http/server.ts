// A small HTTP/1.1 server over the TCP API. One state record per server (state.ts) holds every
// per-connection number in one typed array; input and output buffers come from small fixed
// pools; requests are parsed in place in the received segment whenever they arrive whole
// (parse.ts), and copied into a pool buffer only when split across segments or pipelined
// behind a response still being sent. Responses (respond.ts): a head, then a body streamed by
// offset from an asset (assets.ts: Uint8Array, possibly memory-mapped flash), a handler's pool buffer, or
// a chunk source, as fast as tcp.write() accepts it (back-pressure through drained()).
// Routing and handlers: routing.ts. See docs/http.md.
//
// This file: createHttpServer (createServerCore and assets.ts), the TCP handler (input plumbing) and the time-outs.

import { TcpApi, TcpHandler } from "./tcp-api";
import { Handler, HttpServer, HttpServerOptions } from "./api";
import { Status, Mi, M_GET, M_HEAD, methodName } from "./status";
import { Srv, S, st, tm, use, F, T, Phase, Default, createState, take, releaseIn } from "./state";
import { pump, shut, settle, simple, abandon } from "./respond";
import { enableAssets } from "./assets";
import { parseAll } from "./parse";
import { addRoute, createHandlerObjects } from "./routing";
import {
  REQUEST_MAX, RESPONSE_HEAD_MAX, HEADER_TIMEOUT_MS, FIRST_REQUEST_TIMEOUT_MS, KEEPALIVE_IDLE_MS, SEND_STALL_MS,
} from "./limits";

export {
  M_GET, M_HEAD, M_POST, M_PUT, M_DELETE, M_OPTIONS, M_PATCH, M_TRACE, M_CONNECT,
  CT_NONE, CT_FORM, CT_JSON, CT_OTHER, Status, mimeFor,
} from "./status";
export {
  ChunkSource, AssetOptions, Asset, HttpRequest, HttpResponse, Handler, HttpServerOptions, HttpServer,
} from "./api";

// ---- input plumbing ----

/** Parses what c's input buffer holds while the connection is ready for a request. */
function drainIn(c: number): void {
  var r = c * F.COUNT;
  if (st[r + F.IN_IDX]) {
    // (a response that closes the connection releases the buffer on the way: then IN_END is 0)
    st[r + F.IN_START] = parseAll(c, S.inPool[st[r + F.IN_IDX]], st[r + F.IN_START], st[r + F.IN_END]);
    if (st[r + F.IN_START] >= st[r + F.IN_END] || st[r + F.PHASE] === Phase.CLOSED) releaseIn(c);
  }
  // the peer half-closed and nothing complete is waiting: close our side too
  if (st[r + F.PHASE] === Phase.READ && st[r + F.PEER_GONE]) shut(c);
}

function freeSlot(c: number): void {
  var r = c * F.COUNT;
  if (st[r + F.COUNTED]) { S.cnt.active--; st[r + F.COUNTED] = 0; }
  settle(c, Phase.FREE);
  releaseIn(c);
}

// The TCP handler's methods (called as methods: `this.s` is the server's state).
interface Hnd extends TcpHandler { s: Srv }

function onOpen(this: Hnd, c: number): void {
  use(this.s);
  var r = c * F.COUNT, now = S.tcp.now as number;
  if (c >= S.n) return;
  // The server's clock moves on to the time of the segment that opened the connection: with no
  // connection open the device has no tick, and a time from before that idle spell would make
  // this connection look idle for all of it (a 408 to a request that came at once).
  if (now > S.now) S.now = now;
  freeSlot(c);
  if (S.cnt.active >= S.maxConn) st[r + F.PHASE] = Phase.REJECT;
  else { st[r + F.PHASE] = Phase.READ; S.cnt.active++; st[r + F.COUNTED] = 1; }
  st[r + F.CLOSE_AFTER] = st[r + F.PEER_GONE] = st[r + F.SERVED] = 0;
  tm[c * T.COUNT + T.LAST] = S.now;
}

/** TCP data: returns the bytes consumed (input that does not fit behind a response in progress is left unacknowledged). */
function onData(this: Hnd, c: number, buf: Uint8Array, off: number, len: number): number {
  use(this.s);
  var r = c * F.COUNT;
  if (c >= S.n) return len;
  var ph = st[r + F.PHASE], p = off, e = off + len, fit: number;
  tm[c * T.COUNT + T.LAST] = S.now;
  if (ph === Phase.REJECT) simple(c, Status.UNAVAILABLE, true);
  // CLOSED, FREE, REJECT, or a response after which the connection closes: input discarded
  if (ph !== Phase.READ && (ph !== Phase.SEND || st[r + F.CLOSE_AFTER])) return len;
  if (ph === Phase.READ && !st[r + F.IN_IDX]) {
    // parsed in place; what is left (a split request, or pipelined behind a response) is kept
    p = parseAll(c, buf, p, e);
    ph = st[r + F.PHASE];
    if (p >= e || (ph !== Phase.READ && ph !== Phase.SEND)) {
      if (st[r + F.PHASE] === Phase.READ && st[r + F.PEER_GONE]) shut(c);     // (as in drainIn)
      return len;
    }
    if (ph === Phase.READ) S.cnt.split++;
  }
  // Keep the rest in c's input buffer (compacted first when the end is reached); fit: the bytes
  // that fit (0 when no buffer is free).
  fit = 0;
  if (!st[r + F.IN_IDX]) st[r + F.IN_IDX] = take(S.inUsed);
  if (st[r + F.IN_IDX]) {
    var kept = S.inPool[st[r + F.IN_IDX]], a = st[r + F.IN_START], m = st[r + F.IN_END];
    if (m + e - p > REQUEST_MAX && a > 0) {
      kept.set(kept.subarray(a, m));
      st[r + F.IN_START] = 0; st[r + F.IN_END] = m -= a;
    }
    fit = Math.min(REQUEST_MAX - m, e - p);
    if (fit > 0) { kept.set(buf.subarray(p, p + fit), m); st[r + F.IN_END] += fit; }
  }
  // No room for more input. A request waiting for its rest gets 503 (all input consumed);
  // behind a response in progress, only what fit is consumed (TCP has the peer resend).
  if (fit < e - p) {
    if (st[r + F.PHASE] !== Phase.READ) return p + fit - off;
    abandon(c, Status.UNAVAILABLE);
  } else if (ph === Phase.READ) drainIn(c);
  return len;
}

function onDrained(this: Hnd, c: number): void {
  use(this.s);
  if (c >= S.n || st[c * F.COUNT + F.PHASE] !== Phase.SEND) return;
  pump(c);
  if (st[c * F.COUNT + F.PHASE] === Phase.READ) drainIn(c);     // (pump() finished the response)
}

function onPeerClosed(this: Hnd, c: number): void {
  use(this.s);
  if (c >= S.n) return S.tcp.close(c);
  st[c * F.COUNT + F.PEER_GONE] = 1;
  var ph = st[c * F.COUNT + F.PHASE];
  if (ph === Phase.READ) drainIn(c);
  else if (ph === Phase.REJECT || ph === Phase.FREE) shut(c);
}

function onEnd(this: Hnd, c: number): void {
  use(this.s);
  if (c < S.n) freeSlot(c);
}

// ---- time-outs ----

/** Time-outs at time t (ms): 408, idle close, stalled sends. */
function tick(t: number): void {
  S.now = t;
  for (var c = 0; c < S.n; c++) {
    var r = c * F.COUNT, tr = c * T.COUNT, ph = st[r + F.PHASE], idle = t - tm[tr + T.LAST];
    if (ph === Phase.READ) {
      if (tm[tr + T.REQ_START] >= 0 || st[r + F.IN_IDX]) {
        if (tm[tr + T.REQ_START] < 0) tm[tr + T.REQ_START] = tm[tr + T.LAST];
        if (t - tm[tr + T.REQ_START] >= HEADER_TIMEOUT_MS) abandon(c, Status.REQUEST_TIMEOUT);
      } else if (!st[r + F.SERVED]) {
        if (idle >= FIRST_REQUEST_TIMEOUT_MS) simple(c, Status.REQUEST_TIMEOUT, true);
      } else if (idle >= KEEPALIVE_IDLE_MS) shut(c);
    } else if (ph === Phase.REJECT) {
      if (idle >= FIRST_REQUEST_TIMEOUT_MS) { tm[tr + T.LAST] = t; shut(c); }
    } else if (ph !== Phase.FREE && idle >= SEND_STALL_MS) {       // SEND or CLOSED making no progress
      S.cnt.stalls++;
      S.tcp.abort(c);
      freeSlot(c);      // (again, when abort ended the slot at once: no harm)
    }
  }
}

// ---- the server's methods (called as methods: `this.s` is the state) ----
interface Server extends HttpServer { s: Srv }

function serverRoute(this: Server, path: string, methods: string, h: Handler, prefix?: boolean): void {
  use(this.s);
  // (no String.indexOf here: Espruino's matches a partial needle at the end of the string)
  var m = 0, names = methods.toUpperCase().replace(/ /g, "").split(",");
  for (var k = 0; k < Mi.COUNT; k++) if (names.indexOf(methodName(k)) >= 0) m |= 1 << k;
  addRoute(path, m & M_GET ? m | M_HEAD : m, null, h, !!prefix);
}

function serverPhaseCounts(this: Server, out: Uint16Array): void {
  use(this.s);
  for (var k = 0; k < Phase.COUNT; k++) out[k] = 0;
  for (k = 0; k < S.n; k++) out[st[k * F.COUNT + F.PHASE]]++;
}

/** Starts an HTTP server on `tcp`, with static assets (assets.ts). Everything is allocated here,
 *  none per request. */
export function createHttpServer(tcp: TcpApi, opts?: HttpServerOptions): HttpServer {
  return enableAssets(createServerCore(tcp, opts));
}

/** The server without assets (its asset() is missing until enableAssets(): the library's core
 *  server, where static files are the "files" piece). */
export function createServerCore(tcp: TcpApi, opts?: HttpServerOptions): HttpServer {
  var o = opts || {};
  var n = o.slots || Default.SLOTS;
  var s = createState(tcp, n, o.maxConnections || n,
    o.inBuffers === undefined ? Default.IN_BUFFERS : o.inBuffers,
    o.outBuffers === undefined ? Default.OUT_BUFFERS : o.outBuffers);
  use(s);
  createHandlerObjects();
  var handler: Hnd = { s: s, open: onOpen, data: onData, drained: onDrained, peerClosed: onPeerClosed, end: onEnd };
  var server = {
    s: s,
    route: serverRoute,
    // (a closure: the app hands it to the stack's tick as a plain function)
    tick: function (t: number): void { use(s); tick(t); },
    busy: false,
    handler: handler,
    counters: S.cnt,
    phaseCounts: serverPhaseCounts,
  } as any as Server;
  S.api = server;
  for (var c = 0; c < n; c++) { freeSlot(c); }
  if (o.listen !== false) tcp.listen(o.port || Default.PORT, handler);
  return server;
}
