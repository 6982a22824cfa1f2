// The HTTP server's state: one record per server, allocated once by createState(). Every
// per-connection number lives in one Int32Array (F.COUNT numbers per connection, at
// c * F.COUNT + F.x) and the two times in one Float64Array: a handful of variables on Espruino
// for any slot count, where an array per field would cost several variables each.
// The request parser, the response writer and the router are module-level functions over
// the record in use (S, see use()): no closures, no state argument.

import { TcpApi } from "./tcp-api";
import { AsciiWriter, asciiWriter } from "./ascii";
import { Asset, ChunkSource, Route, HttpRequest, HttpResponse, HttpServer } from "./api";
import { REQUEST_MAX, RESPONSE_HEAD_MAX, HANDLER_BODY_MAX } from "./limits";

/** Per-connection numbers: the index of each in a connection's row of Srv.st. */
export const enum F {
  PHASE,        // Phase
  IN_IDX,       // input pool buffer (index from 1), 0 none
  IN_START,     // unparsed input in that buffer: [IN_START, IN_END)
  IN_END,
  SCAN,         // next line start (relative to the request start)
  LINE_END,     // request line length incl. LF, 0 = not yet
  HDR_LEN,      // request head length incl. blank line, 0 = not yet
  CLEN,         // Content-Length (0 when none)
  FLAGS,        // Flag bits
  METHOD,       // Mi
  VER,          // Ver
  ROUTE,        // index in routes (none: -1 or past the end)
  CTYPE,        // CT_*
  PATH_OFF,     // the raw path and query, relative to the request start
  PATH_END,
  QUERY_OFF,
  QUERY_END,
  SERVED,       // a request was answered on this connection
  CLOSE_AFTER,  // close after the response in progress
  PEER_GONE,    // FIN received
  COUNTED,      // counted in cnt.active
  STATUS,       // status of the response in progress
  HEAD_KIND,    // Head: where that response's head comes from
  H_LEN,        // the response's head: [H_POS, H_LEN) still to send
  H_POS,
  B_POS,        // then its body: [B_POS, B_END) of Srv.body[c]
  B_END,
  OUT_IDX,      // output pool buffer (index from 1), 0 none
  COUNT,
}

/** Per-connection times (ms): the index of each in a connection's row of Srv.tm. */
export const enum T {
  REQ_START,    // first byte of the pending request, -1 none
  LAST,         // last input, or last send progress
  COUNT,
}

/** Connection phases. */
export const enum Phase {
  FREE,      // no connection
  READ,      // waiting for (the rest of) a request
  SEND,      // a response is being handed to TCP
  CLOSED,    // we closed (FIN queued): input is discarded until TCP ends the slot
  REJECT,    // over capacity: answered 503 on first input
  COUNT,
}

/** Where the head of the response in progress comes from (F.HEAD_KIND). Heads of plain status
 *  responses and assets are rebuilt into the one shared head area when needed (they follow from
 *  the connection's numbers), so no connection keeps a head area of its own. */
export const enum Head {
  SIMPLE,    // a plain status response (its short body included in the head)
  ASSET,     // an asset's 200 or 304
  BUFFER,    // a handler's head, kept at the start of the connection's output buffer
}

/** Request flags (F.FLAGS). */
export const enum Flag {
  CLOSE = 1,         // Connection: close
  KA = 2,            // Connection: keep-alive
  GZIP = 4,          // Accept-Encoding allows gzip
  INM = 8,           // If-None-Match matched the route's asset
  EXPECT = 16,       // Expect: 100-continue
  /** And a "seen" bit per header read: SEEN << its index (Hdr). */
  SEEN = 32,
}

/** The request headers the parser reads (their names' lengths all differ; parse.ts). */
export const enum Hdr { CONTENT_LENGTH, CONNECTION, ACCEPT_ENCODING, IF_NONE_MATCH, TRANSFER_ENCODING, CONTENT_TYPE, HOST, EXPECT, NONE }

/** hasToken()'s answer for a token in a comma-separated list (parse.ts). */
export const enum Tok { ABSENT, LISTED, Q_ZERO }

/** HTTP versions as F.VER holds them. */
export const enum Ver { HTTP_1_0 = 10, HTTP_1_1 = 11 }

/** Defaults of HttpServerOptions. */
export const enum Default { PORT = 80, SLOTS = 4, IN_BUFFERS = 1, OUT_BUFFERS = 1 }

/** Lengths of the server's own areas. */
export const enum Area {
  /** The extra headers of one handler response (res.header()), at the start of the head area. */
  EXTRA_HEADERS = 128,
}

export interface Counters { [name: string]: number }

/** One server's state. */
export interface Srv {
  tcp: TcpApi;
  /** Connection ids 0..n-1 are served; at most maxConn at once. */
  n: number;
  maxConn: number;
  st: Int32Array;
  tm: Float64Array;
  /** The body of each connection's response in progress (bytes or a chunk source). */
  body: (Uint8Array | ChunkSource | null)[];
  routes: Route[];
  cnt: Counters;         // the counters (the server's public `counters`: the same object)
  /** Pools (entry 0 unused) and their used marks: input buffers, output buffers (room for the
   *  head before the handler's body, so both leave in one write). */
  inPool: Uint8Array[];
  inUsed: Uint8Array;
  outPool: Uint8Array[];
  outUsed: Uint8Array;
  /** The shared head area, and the connection whose head it holds now (-1 none). */
  head: Uint8Array;
  headOf: number;
  /** Writers: heads (and the extra headers), handler bodies. */
  w: AsciiWriter;
  bw: AsciiWriter;
  /** The extra headers of the handler response being built (res.header()) are kept at the
   *  start of the head area, which no other response uses while a handler runs: their length. */
  xLen: number;
  now: number;
  /** The public object (its `busy` is read per request). */
  api: HttpServer;
  req: HttpRequest;
  res: HttpResponse;
  /** The connection a handler answers now, -1 once answered; status and type from res.begin(). */
  resConn: number;
  bStatus: number;
  bType: string;
}

/** Allocates a server's state: everything it will ever use. */
export function createState(tcp: TcpApi, n: number, maxConn: number, nIn: number, nOut: number): Srv {
  var s = {
    tcp: tcp, n: n, maxConn: maxConn,
    st: new Int32Array(n * F.COUNT),
    tm: new Float64Array(n * T.COUNT),
    body: [],
    routes: [],
    cnt: { requests: 0, active: 0, split: 0, stalls: 0, status2xx: 0, status3xx: 0, status4xx: 0, status5xx: 0 },
    inPool: [new Uint8Array(0)], inUsed: new Uint8Array(nIn + 1),
    outPool: [new Uint8Array(0)], outUsed: new Uint8Array(nOut + 1),
    head: new Uint8Array(RESPONSE_HEAD_MAX), headOf: -1,
    w: asciiWriter(), bw: asciiWriter(), xLen: 0,
    now: 0, resConn: -1, bStatus: 0, bType: "",
  } as any as Srv;
  for (var c = 0; c < n; c++) s.body.push(null);
  while (nIn--) s.inPool.push(new Uint8Array(REQUEST_MAX));
  while (nOut--) s.outPool.push(new Uint8Array(RESPONSE_HEAD_MAX + HANDLER_BODY_MAX));
  return s;
}

/** What the core server calls for assets (assets.ts), once enableAssets() has set them: an
 *  asset's response on c, its head (rebuilt into the head area; returns its length), and the
 *  headers only assets read (Hdr h, value src[v..ve): returns the flags f with GZIP/INM added). */
export interface AssetHooks {
  send(c: number, a: Asset): void;
  head(c: number): number;
  header(c: number, h: number, src: Uint8Array, v: number, ve: number, f: number): number;
}

/** The asset hooks, null while no server has assets (then no route has an asset). */
export var assetHooks: AssetHooks | null = null;

export function setAssetHooks(h: AssetHooks): void {
  assetHooks = h;
}

/** The server in use: every entry point (the TCP handler, tick, the server's and the response's
 *  methods) calls use() with its server first, so the functions below need no state argument.
 *  With one server (a board) only the first call changes anything. */
export var S: Srv;
/** Its per-connection numbers and times (S.st, S.tm). */
export var st: Int32Array;
export var tm: Float64Array;

export function use(s: Srv): void {
  if (S !== s) { S = s; st = s.st; tm = s.tm; }
}

/** A free pool entry (marked used), 0 when none. */
export function take(used: Uint8Array): number {
  var k = used.indexOf(0, 1);      // (native search)
  if (k > 0) used[k] = 1;
  return k > 0 ? k : 0;
}

/** Forgets the request being parsed on c. */
export function resetRequest(c: number): void {
  var b = c * F.COUNT;
  st[b + F.SCAN] = st[b + F.LINE_END] = st[b + F.HDR_LEN] = st[b + F.FLAGS] = st[b + F.METHOD] = st[b + F.CTYPE] = st[b + F.CLEN] = 0;   // CTYPE: CT_NONE
  st[b + F.ROUTE] = -1;
  tm[c * T.COUNT + T.REQ_START] = -1;
}

export function releaseIn(c: number): void {
  var b = c * F.COUNT;
  S.inUsed[st[b + F.IN_IDX]] = st[b + F.IN_IDX] = st[b + F.IN_START] = st[b + F.IN_END] = 0;
}

export function releaseOut(c: number): void {
  var b = c * F.COUNT;
  S.outUsed[st[b + F.OUT_IDX]] = st[b + F.OUT_IDX] = 0;
}
