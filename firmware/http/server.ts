// A small HTTP/1.1 server over the TCP API. Per-connection state lives in typed arrays indexed
// by connection id; input and output buffers come from small fixed pools; requests are parsed
// in place in the received segment whenever they arrive whole, and copied into a pool buffer
// only when split across segments or pipelined behind a response still being sent.
// Responses: a header built in a per-connection area, then a body streamed by offset from an
// asset (Uint8Array, possibly memory-mapped flash), a handler's pool buffer, or a chunk source,
// as fast as tcp.write() accepts it (back-pressure through drained()). See docs/http.md.

import { TcpApi, TcpHandler } from "./tcp-api";
import { AsciiWriter, toBytes, utf8Bytes, eqLower, lc, hexVal } from "./ascii";
import {
  REQUEST_LINE_MAX, HEADERS_MAX, BODY_MAX, REQUEST_MAX, RESPONSE_HEAD_MAX, HANDLER_BODY_MAX,
  HEADER_TIMEOUT_MS, FIRST_REQUEST_TIMEOUT_MS, KEEPALIVE_IDLE_MS, SEND_STALL_MS, WRITE_PIECE_MAX,
} from "./limits";

// ---- methods (bit per method) ----
export const M_GET = 1;
export const M_HEAD = 2;
export const M_POST = 4;
export const M_PUT = 8;
export const M_DELETE = 16;
export const M_OPTIONS = 32;
export const M_PATCH = 64;
export const M_TRACE = 128;
export const M_CONNECT = 256;
var METHOD_NAMES = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"];
var METHOD_BYTES: Uint8Array[] = [];
for (var mi = 0; mi < METHOD_NAMES.length; mi++) METHOD_BYTES.push(toBytes(METHOD_NAMES[mi]));

/** Request body kinds (req.contentType). */
export const CT_NONE = 0;
export const CT_FORM = 1;
export const CT_JSON = 2;
export const CT_OTHER = 3;

// ---- connection phases ----
var P_FREE = 0;     // no connection
var P_READ = 1;     // waiting for (the rest of) a request
var P_SEND = 2;     // a response is being handed to TCP
var P_CLOSED = 3;   // we closed (FIN queued): input is discarded until TCP ends the slot
var P_REJECT = 4;   // over capacity: answered 503 on first input

// ---- request flags ----
var F_CLOSE = 1;        // Connection: close
var F_KA = 2;           // Connection: keep-alive
var F_GZIP = 4;         // Accept-Encoding allows gzip
var F_INM = 8;          // If-None-Match matched the route's asset
var F_HOST = 16;        // Host seen
var F_TE = 32;          // Transfer-Encoding seen
var F_CL = 64;          // Content-Length seen
var F_EXPECT = 128;     // Expect: 100-continue

// ---- lower-case header name tables ----
var HN_CONTENT_LENGTH = toBytes("content-length");
var HN_CONNECTION = toBytes("connection");
var HN_ACCEPT_ENCODING = toBytes("accept-encoding");
var HN_IF_NONE_MATCH = toBytes("if-none-match");
var HN_TRANSFER_ENCODING = toBytes("transfer-encoding");
var HN_CONTENT_TYPE = toBytes("content-type");
var HN_HOST = toBytes("host");
var HN_EXPECT = toBytes("expect");
var T_CONTINUE = toBytes("100-continue");
var CONTINUE_100 = toBytes("HTTP/1.1 100 Continue\r\n\r\n");
/** Lengths of the header names the parser reads (content-length 14, connection 10, accept-encoding 15,
 *  if-none-match 13, transfer-encoding 17, content-type 12, host 4, expect 6). */
var WANTED_LEN = new Uint8Array(18);
WANTED_LEN[14] = WANTED_LEN[10] = WANTED_LEN[15] = WANTED_LEN[13] = WANTED_LEN[17] = WANTED_LEN[12] = WANTED_LEN[4] = WANTED_LEN[6] = 1;
var T_CLOSE = toBytes("close");
var T_KEEPALIVE = toBytes("keep-alive");
var T_GZIP = toBytes("gzip");
var T_STAR = toBytes("*");
var T_FORM = toBytes("application/x-www-form-urlencoded");
var T_JSON = toBytes("application/json");
var T_HTTP = toBytes("HTTP/");
var T_HTTP4 = toBytes("http");

// ---- response pieces, built once ----
var STATUS_TEXT: { [code: number]: string } = {
  200: "OK", 201: "Created", 204: "No Content", 303: "See Other", 304: "Not Modified",
  400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  408: "Request Timeout", 413: "Content Too Large", 414: "URI Too Long", 417: "Expectation Failed",
  431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
  503: "Service Unavailable", 505: "HTTP Version Not Supported",
};
var STATUS_LINE: { [code: number]: Uint8Array } = {};
var STATUS_BODY: { [code: number]: Uint8Array } = {};
for (var sk in STATUS_TEXT) {
  STATUS_LINE[sk as any] = toBytes("HTTP/1.1 " + sk + " " + STATUS_TEXT[sk as any] + "\r\n");
  STATUS_BODY[sk as any] = toBytes(sk + " " + STATUS_TEXT[sk as any] + "\n");
}
var CRLF = toBytes("\r\n");
var H_CT = toBytes("Content-Type: ");
var H_CL = toBytes("Content-Length: ");
var H_ETAG = toBytes("ETag: \"");
var H_ETAG_GZ_END = toBytes("-gz\"\r\n");
var H_QUOTE_CRLF = toBytes("\"\r\n");
var H_GZIP = toBytes("Content-Encoding: gzip\r\n");
var H_VARY = toBytes("Vary: Accept-Encoding\r\n");
var H_NOCACHE = toBytes("Cache-Control: no-cache\r\n");
var H_NOSTORE = toBytes("Cache-Control: no-store\r\n");
var H_ALLOW = toBytes("Allow: ");
var H_CLOSE = toBytes("Connection: close\r\n");
var H_KA = toBytes("Connection: keep-alive\r\n");
var H_RETRY = toBytes("Retry-After: 1\r\n");
var TYPE_TEXT = toBytes("text/plain; charset=utf-8");
var ALLOW_ALL = toBytes("GET, HEAD, POST, OPTIONS");
var REJECT_503 = toBytes("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
  "Content-Length: 24\r\nRetry-After: 1\r\nConnection: close\r\n\r\n503 Service Unavailable\n");

/** Content types by file extension (for assets registered without a type). */
export var MIME: { [ext: string]: string } = {
  html: "text/html; charset=utf-8", htm: "text/html; charset=utf-8", css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8", json: "application/json", txt: "text/plain; charset=utf-8",
  svg: "image/svg+xml", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif",
  ico: "image/x-icon", wasm: "application/wasm", bin: "application/octet-stream",
};

/** Content type for a path by its extension; application/octet-stream when unknown. Start-up use. */
export function mimeFor(path: string): string {
  var dot = path.lastIndexOf(".");
  var t = dot >= 0 ? MIME[path.substring(dot + 1).toLowerCase()] : undefined;
  return t || "application/octet-stream";
}

/** Reads len bytes of a body at off (random access; may return fewer). For flash streaming. */
export type ChunkSource = (off: number, len: number) => Uint8Array;

export interface AssetOptions {
  /** Content-Type; default from the path's extension. */
  type?: string;
  /** Pre-compressed (gzip) representation, sent when Accept-Encoding allows gzip. */
  gzip?: Uint8Array | string;
  /** Opaque ETag (without quotes); default: CRC32 of the body in hex. */
  etag?: string;
  /** Match every path that starts with `path`. */
  prefix?: boolean;
}

export interface Asset {
  body: Uint8Array | null;
  source: ChunkSource | null;
  length: number;
  gzip: Uint8Array | null;
  type: Uint8Array;
  etag: Uint8Array;
  /** Precomputed heads of the 200 response (identity, gzip) up to the Connection line. */
  head200: Uint8Array | null;
  head200gz: Uint8Array | null;
}

export interface HttpRequest {
  conn: number;
  /** M_* bit of the method, and its name. */
  method: number;
  methodName: string;
  /** 10 or 11. */
  version: number;
  /** The request bytes (valid only during the handler call): target, body. */
  buf: Uint8Array;
  pathOff: number; pathEnd: number;      // raw (still percent-encoded) path
  queryOff: number; queryEnd: number;    // raw query string without '?', empty when none
  bodyOff: number; bodyLen: number;
  contentType: number;                   // CT_*
  /** Decoded path (allocates a string). */
  path(): string;
  /** Decoded value of a query-string parameter, or null (allocates). */
  query(name: string): string | null;
  /** Decoded value of an urlencoded-form body field, or null (allocates). */
  form(name: string): string | null;
  /** The body as a string, UTF-8 decoded (allocates). */
  text(): string;
  /** The body parsed as JSON, or undefined when it is not valid JSON (allocates). */
  json(): any;
}

export interface HttpResponse {
  /** Adds a header line to the response about to be sent (ASCII; at most ~120 bytes in all). */
  header(name: string, value: string): HttpResponse;
  /** Sends a whole response. A string body is copied (UTF-8) into a pool buffer (HANDLER_BODY_MAX);
   *  a Uint8Array body is streamed by reference: keep it unchanged until the response is sent. */
  send(status: number, type: string, body?: string | Uint8Array): void;
  /** Starts a response whose body the handler writes with the returned writer, then end(). */
  begin(status: number, type: string): AsciiWriter;
  end(): void;
  /** Streams `length` bytes from a chunk source (e.g. flash), piece by piece. */
  stream(status: number, type: string, length: number, source: ChunkSource): void;
}

export type Handler = (req: HttpRequest, res: HttpResponse) => void;

interface Route {
  path: Uint8Array;
  prefix: boolean;
  methods: number;
  allow: Uint8Array;
  asset: Asset | null;
  handler: Handler | null;
}

export interface HttpServerOptions {
  port?: number;
  /** Connection ids 0..slots-1 are served (the TCP slot count). Default 4. */
  slots?: number;
  /** Connections served at once; more get 503. Default: slots. */
  maxConnections?: number;
  /** Input buffers (REQUEST_MAX bytes each) for split or pipelined requests. Default 2. */
  inBuffers?: number;
  /** Output buffers (HANDLER_BODY_MAX bytes each) for handler bodies. Default 2. */
  outBuffers?: number;
  /** Listen at once (default true). */
  listen?: boolean;
}

export interface HttpServer {
  /** Serves a static asset at an exact path (or prefix). Body: bytes, a string (converted once, UTF-8), or a chunk source with its length. */
  asset(path: string, body: Uint8Array | string | ChunkSource, opts?: AssetOptions, length?: number): Asset;
  /** Routes a path (exact, or prefix) to a handler for the given methods ("GET,POST"). HEAD follows GET. */
  route(path: string, methods: string, handler: Handler, prefix?: boolean): void;
  /** Call about every 100 ms with the current time in ms: time-outs (408, idle close, stalled sends). */
  tick(nowMs: number): void;
  /** Refuse new requests with 503 while true (e.g. during a flash write). */
  busy: boolean;
  /** The TCP handler (for tests or a second listener). */
  handler: TcpHandler;
  counters: { [name: string]: number };
  /** Connections per phase (free, read, send, closed, reject) into out[0..5). */
  phaseCounts(out: Uint16Array): void;
  /** Bytes of typed arrays the server holds (per-connection state, head areas, pools). */
  memoryBytes: number;
}

/** Starts an HTTP server on `tcp`. Everything is allocated here, none per request. */
export function createHttpServer(tcp: TcpApi, opts?: HttpServerOptions): HttpServer {
  var o = opts || {};
  var port = o.port || 80;
  var n = o.slots || 4;
  var maxConn = o.maxConnections || n;
  var nIn = o.inBuffers === undefined ? 2 : o.inBuffers;
  var nOut = o.outBuffers === undefined ? 2 : o.outBuffers;

  var routes: Route[] = [];
  var counters: { [name: string]: number } = {
    requests: 0, responses: 0, connections: 0, active: 0, status2xx: 0, status3xx: 0, status4xx: 0,
    status5xx: 0, bytesOut: 0, bytesIn: 0, split: 0, pipelined: 0, inOverflow: 0, timeouts: 0,
    stalls: 0, handlerErrors: 0, rejected: 0,
  };

  // Per-connection state.
  var phase = new Uint8Array(n);
  var inIdx = new Int8Array(n);         // input pool buffer, -1 none
  var inStart = new Uint16Array(n);
  var inEnd = new Uint16Array(n);
  var scan = new Uint16Array(n);        // next line start (relative to the request start)
  var lineEnd = new Uint16Array(n);     // request line length incl. LF, 0 = not yet
  var hdrLen = new Uint16Array(n);      // request head length incl. blank line, 0 = not yet
  var clen = new Int32Array(n);
  var flags = new Uint16Array(n);
  var method = new Uint16Array(n);
  var ver = new Uint8Array(n);
  var route = new Int16Array(n);
  var ctype = new Uint8Array(n);
  var pathOff = new Uint16Array(n);
  var pathEnd = new Uint16Array(n);
  var queryOff = new Uint16Array(n);
  var queryEnd = new Uint16Array(n);
  var served = new Uint32Array(n);
  var reqStartMs = new Float64Array(n);  // first byte of the pending request, -1 none
  var lastMs = new Float64Array(n);      // last input, or last send progress
  var closeAfter = new Uint8Array(n);
  var peerGone = new Uint8Array(n);      // FIN received
  var counted = new Uint8Array(n);       // counted in `active`
  // Response in progress.
  var hLen = new Uint16Array(n);
  var hPos = new Uint16Array(n);
  var bodyBuf: (Uint8Array | null)[] = [];
  var bodySrc: (ChunkSource | null)[] = [];
  var bPos = new Float64Array(n);
  var bEnd = new Float64Array(n);
  var outIdx = new Int8Array(n);
  var hdrArea = new Uint8Array(n * RESPONSE_HEAD_MAX);
  var hdr: Uint8Array[] = [];
  for (var i = 0; i < n; i++) {
    hdr.push(hdrArea.subarray(i * RESPONSE_HEAD_MAX, (i + 1) * RESPONSE_HEAD_MAX));
    bodyBuf.push(null);
    bodySrc.push(null);
    inIdx[i] = -1;
    outIdx[i] = -1;
    route[i] = -1;
    reqStartMs[i] = -1;
  }
  // Pools.
  var inSize = REQUEST_MAX + (REQUEST_MAX & 1);
  var inArea = new Uint8Array(nIn * inSize);
  var inPool: Uint8Array[] = [];
  var inOwner = new Int8Array(nIn);
  for (i = 0; i < nIn; i++) { inPool.push(inArea.subarray(i * inSize, (i + 1) * inSize)); inOwner[i] = -1; }
  // Output buffers: room for the response head, then the handler's body, so both leave in one write.
  var HR = RESPONSE_HEAD_MAX, outSize = HR + HANDLER_BODY_MAX;
  var outArea = new Uint8Array(nOut * outSize);
  var outPool: Uint8Array[] = [];
  var outOwner = new Int8Array(nOut);
  for (i = 0; i < nOut; i++) { outPool.push(outArea.subarray(i * outSize, (i + 1) * outSize)); outOwner[i] = -1; }
  var empty = new Uint8Array(0);
  var w = new AsciiWriter();       // header writer
  var bw = new AsciiWriter();      // handler body writer
  var xArea = new Uint8Array(128); // extra headers of the response being built
  var xw = new AsciiWriter();
  var now = 0;
  var active = 0;

  function take(owner: Int8Array, c: number): number {
    for (var k = 0; k < owner.length; k++) if (owner[k] < 0) { owner[k] = c; return k; }
    return -1;
  }

  function resetRequest(c: number): void {
    scan[c] = 0; lineEnd[c] = 0; hdrLen[c] = 0; clen[c] = -1; flags[c] = 0; route[c] = -1;
    ctype[c] = CT_NONE; method[c] = 0; reqStartMs[c] = -1;
  }

  function releaseIn(c: number): void {
    if (inIdx[c] >= 0) { inOwner[inIdx[c]] = -1; inIdx[c] = -1; }
    inStart[c] = 0; inEnd[c] = 0;
  }

  function releaseOut(c: number): void {
    if (outIdx[c] >= 0) { outOwner[outIdx[c]] = -1; outIdx[c] = -1; }
  }

  function freeSlot(c: number): void {
    if (counted[c]) { active--; counted[c] = 0; }
    phase[c] = P_FREE;
    releaseIn(c);
    releaseOut(c);
    bodyBuf[c] = null; bodySrc[c] = null;
    resetRequest(c);
  }

  // ---- response output ----

  function countStatus(s: number): void {
    counters.responses++;
    if (s < 300) counters.status2xx++; else if (s < 400) counters.status3xx++;
    else if (s < 500) counters.status4xx++; else counters.status5xx++;
  }

  /** Writes status line and common headers of a response into hdr[c]; the caller adds the rest and the blank line. */
  function head(c: number, status: number, type: Uint8Array | string | null, length: number): AsciiWriter {
    countStatus(status);
    headTo(hdr[c], 0, RESPONSE_HEAD_MAX, c, status, type, length);
    xw.pos = 0;
    return w;
  }

  /** The head (without the final blank line) into buf[off..end); extra headers are left in place. */
  function headTo(buf: Uint8Array, off: number, end: number, c: number, status: number, type: Uint8Array | string | null, length: number): AsciiWriter {
    w.reset(buf, off, end);
    w.bytes(STATUS_LINE[status] || STATUS_LINE[500]);
    if (type !== null) {
      w.bytes(H_CT);
      if (typeof type === "string") w.str(type); else w.bytes(type);
      w.bytes(CRLF);
    }
    if (status !== 304 && status !== 204) w.bytes(H_CL).num(length).bytes(CRLF);
    if (closeAfter[c]) w.bytes(H_CLOSE);
    else if (ver[c] === 10) w.bytes(H_KA);
    for (var k = 0; k < xw.pos; k++) w.byte(xArea[k]);
    return w;
  }

  /** Starts sending hdr[c][0..hl) then body[off..end) (or source), and pumps. */
  function startSend(c: number, hl: number, body: Uint8Array | null, src: ChunkSource | null, off: number, end: number): void {
    hLen[c] = hl; hPos[c] = 0;
    bodyBuf[c] = body; bodySrc[c] = src;
    bPos[c] = off; bEnd[c] = end;
    phase[c] = P_SEND;
    lastMs[c] = now;
    pump(c);
  }

  function pump(c: number): void {
    var k: number, got: number;
    while (phase[c] === P_SEND) {
      if (hPos[c] < hLen[c]) {
        got = tcp.write(c, hdr[c], hPos[c], hLen[c] - hPos[c]);
        if (got <= 0) return;
        hPos[c] += got;
      } else if (bPos[c] < bEnd[c]) {
        k = bEnd[c] - bPos[c];
        if (k > WRITE_PIECE_MAX) k = WRITE_PIECE_MAX;
        var src = bodySrc[c];
        if (src !== null) {
          var sp = tcp.space(c);
          if (sp <= 0) return;
          if (k > sp) k = sp;
          var piece = src(bPos[c], k);
          got = tcp.write(c, piece, 0, piece.length < k ? piece.length : k);
        } else {
          got = tcp.write(c, bodyBuf[c] as Uint8Array, bPos[c], k);
        }
        if (got <= 0) return;
        bPos[c] += got;
      } else {
        finish(c);
        return;
      }
      counters.bytesOut += got;
      lastMs[c] = now;
    }
  }

  /** The response is entirely with TCP: close, or get ready for the next request. */
  function finish(c: number): void {
    releaseOut(c);
    bodyBuf[c] = null; bodySrc[c] = null;
    resetRequest(c);
    lastMs[c] = now;
    if (closeAfter[c] || (peerGone[c] && inIdx[c] < 0)) {   // half-closed peer: answer what it pipelined first
      phase[c] = P_CLOSED;
      releaseIn(c);
      tcp.close(c);
    } else {
      phase[c] = P_READ;
    }
  }

  /** A plain-text status response (errors and 404/405); `close` ends the connection after it. */
  function simple(c: number, status: number, close: boolean, allow: Uint8Array | null): void {
    if (close) closeAfter[c] = 1;
    var body = STATUS_BODY[status];
    var wr = head(c, status, TYPE_TEXT, body.length);
    if (allow !== null) wr.bytes(H_ALLOW).bytes(allow).bytes(CRLF);
    if (status === 503) wr.bytes(H_RETRY);
    wr.bytes(CRLF);
    startSend(c, wr.pos, body, null, 0, method[c] === M_HEAD ? 0 : body.length);
  }

  /** A protocol error: answer and close. Returns the bytes to consume (all of them). */
  function fail(c: number, status: number, s: number, e: number): number {
    simple(c, status, true, null);
    return e - s;
  }

  // ---- request parsing ----

  /** Parses the request line at src[s..le) (le after the LF). Returns 0 or an error status. */
  function requestLine(c: number, src: Uint8Array, s: number, le: number): number {
    var e = le - 1;
    if (e > s && src[e - 1] === 13) e--;
    var sp1 = src.indexOf(32, s);
    if (sp1 <= s || sp1 >= e) return 400;
    for (var k = s; k < sp1; k++) { var b = src[k]; if (b < 33 || b > 126) return 400; }
    var sp2 = src.indexOf(32, sp1 + 1);
    if (sp2 < 0 || sp2 >= e || sp2 === sp1 + 1) return 400;
    // version: HTTP/d.d
    if (e - sp2 !== 9) return 400;
    for (k = 0; k < 5; k++) if (src[sp2 + 1 + k] !== T_HTTP[k]) return 400;
    var maj = src[sp2 + 6] - 48, dot = src[sp2 + 7], min = src[sp2 + 8] - 48;
    if (maj < 0 || maj > 9 || dot !== 46 || min < 0 || min > 9) return 400;
    if (maj !== 1) return 505;
    ver[c] = min === 0 ? 10 : 11;
    // method
    var m = 0;
    for (k = 0; k < METHOD_BYTES.length; k++) {
      var mb = METHOD_BYTES[k];
      if (mb.length === sp1 - s) {
        var j = 0;
        while (j < mb.length && src[s + j] === mb[j]) j++;
        if (j === mb.length) { m = 1 << k; break; }
      }
    }
    if (m === 0) return 501;
    method[c] = m;
    // target: origin-form, or absolute-form http://host/path
    var t = sp1 + 1;
    pathOff[c] = t - s; pathEnd[c] = sp2 - s; queryOff[c] = sp2 - s; queryEnd[c] = sp2 - s;
    if (src[t] !== 47) {
      if (!eqLower(src, t, t + 4, T_HTTP4)) return m === M_OPTIONS && src[t] === 42 && sp2 === t + 1 ? 0 : 400;
      var ss = src.indexOf(47, t);            // "http://host/path": skip to the third '/'
      if (src[ss + 1] !== 47) return 400;
      t = src.indexOf(47, ss + 2);
      if (t < 0 || t > sp2) return 400;
    }
    var q = sp2;
    for (k = t; k < sp2; k++) {
      b = src[k];
      if (b < 33 || b > 126) return 400;
      if (b === 37 && (hexVal(src[k + 1]) < 0 || hexVal(src[k + 2]) < 0 || k + 2 >= sp2)) return 400;
      if (b === 63 && q === sp2) q = k;
      if (b === 35) return 400;
    }
    pathOff[c] = t - s; pathEnd[c] = q - s;
    queryOff[c] = (q < sp2 ? q + 1 : sp2) - s; queryEnd[c] = sp2 - s;
    route[c] = findRoute(src, t, q);
    return 0;
  }

  function findRoute(src: Uint8Array, p: number, e: number): number {
    for (var r = 0; r < routes.length; r++) if (pathMatch(src, p, e, routes[r].path, routes[r].prefix)) return r;
    return -1;
  }

  /** The percent-decoded path src[p..e) equals (or, for a prefix, starts with) rb. */
  function pathMatch(src: Uint8Array, p: number, e: number, rb: Uint8Array, prefix: boolean): boolean {
    var k = 0, nb = rb.length;
    while (p < e) {
      var b = src[p];
      if (b === 37) { b = (hexVal(src[p + 1]) << 4) | hexVal(src[p + 2]); p += 3; } else p++;
      if (k >= nb) return prefix;
      if (b !== rb[k]) return false;
      k++;
    }
    return k === nb;
  }

  /** One header line src[a..e) (no line end). Returns 0 or an error status. */
  function headerLine(c: number, src: Uint8Array, a: number, e: number): number {
    var b = src[a];
    if (b === 32 || b === 9) return 400;                 // obsolete line folding
    var colon = src.indexOf(58, a);
    if (colon <= a || colon >= e) return 400;
    b = src[colon - 1];
    if (b === 32 || b === 9) return 400;                 // whitespace before the colon
    var nl = colon - a;
    if (nl >= 18 || !WANTED_LEN[nl]) return 0;          // not a header this server reads: skip early
    var v = colon + 1;
    while (v < e && (src[v] === 32 || src[v] === 9)) v++;
    var ve = e;
    while (ve > v && (src[ve - 1] === 32 || src[ve - 1] === 9)) ve--;
    var f = flags[c];
    if (nl === 14 && eqLower(src, a, colon, HN_CONTENT_LENGTH)) {
      var len = 0;
      if (ve === v || ve - v > 9) return ve === v ? 400 : 413;
      for (var k = v; k < ve; k++) {
        var d = src[k] - 48;
        if (d < 0 || d > 9) return 400;
        len = len * 10 + d;
      }
      if ((f & F_CL) && clen[c] !== len) return 400;
      clen[c] = len;
      f |= F_CL;
    } else if (nl === 10 && eqLower(src, a, colon, HN_CONNECTION)) {
      if (hasToken(src, v, ve, T_CLOSE) === 1) f |= F_CLOSE;
      if (hasToken(src, v, ve, T_KEEPALIVE) === 1) f |= F_KA;
    } else if (nl === 15 && eqLower(src, a, colon, HN_ACCEPT_ENCODING)) {
      var g = hasToken(src, v, ve, T_GZIP);
      if (g === 1 || (g === 0 && hasToken(src, v, ve, T_STAR) === 1)) f |= F_GZIP;
    } else if (nl === 13 && eqLower(src, a, colon, HN_IF_NONE_MATCH)) {
      if (etagMatch(c, src, v, ve)) f |= F_INM;
    } else if (nl === 17 && eqLower(src, a, colon, HN_TRANSFER_ENCODING)) {
      f |= F_TE;
    } else if (nl === 12 && eqLower(src, a, colon, HN_CONTENT_TYPE)) {
      ctype[c] = startsLower(src, v, ve, T_FORM) ? CT_FORM : startsLower(src, v, ve, T_JSON) ? CT_JSON : CT_OTHER;
    } else if (nl === 6 && eqLower(src, a, colon, HN_EXPECT)) {
      if (!eqLower(src, v, ve, T_CONTINUE)) return 417;
      f |= F_EXPECT;
    } else if (nl === 4 && eqLower(src, a, colon, HN_HOST)) {
      if (f & F_HOST) return 400;
      f |= F_HOST;
    }
    flags[c] = f;
    return 0;
  }

  function startsLower(src: Uint8Array, a: number, e: number, t: Uint8Array): boolean {
    return e - a >= t.length && eqLower(src, a, a + t.length, t);
  }

  /** Looks for token t in a comma-separated list: 0 absent, 1 present, 2 present with q=0. */
  function hasToken(src: Uint8Array, a: number, e: number, t: Uint8Array): number {
    var p = a;
    while (p < e) {
      while (p < e && (src[p] === 32 || src[p] === 9 || src[p] === 44)) p++;
      var s = p;
      while (p < e && src[p] !== 44 && src[p] !== 59 && src[p] !== 32 && src[p] !== 9) p++;
      var hit = eqLower(src, s, p, t);
      var q0 = false;
      while (p < e && src[p] !== 44) {              // parameters: look for q=0[.000]
        if ((src[p] | 32) === 113 && src[p + 1] === 61 && p > s && (src[p - 1] === 59 || src[p - 1] === 32)) {
          var k = p + 2;
          q0 = src[k] === 48;
          k++;
          if (src[k] === 46) { k++; while (k < e && src[k] === 48) k++; }
          if (k < e && src[k] >= 49 && src[k] <= 57) q0 = false;
        }
        p++;
      }
      if (hit) return q0 ? 2 : 1;
    }
    return 0;
  }

  /** If-None-Match value against the route's asset ETag ("*", weak tags and lists accepted). */
  function etagMatch(c: number, src: Uint8Array, a: number, e: number): boolean {
    var r = route[c];
    if (r < 0 || routes[r].asset === null) return false;
    var tag = (routes[r].asset as Asset).etag, tl = tag.length;
    var p = a;
    while (p < e) {
      var b = src[p];
      if (b === 42) return true;
      if (b === 34) {
        var q = src.indexOf(34, p + 1);
        if (q < 0 || q >= e) return false;
        var len = q - p - 1;
        if (len === tl || (len === tl + 3 && src[p + 1 + tl] === 45 && src[p + 2 + tl] === 103 && src[p + 3 + tl] === 122)) {
          var k = 0;
          while (k < tl && src[p + 1 + k] === tag[k]) k++;
          if (k === tl) return true;
        }
        p = q + 1;
      } else p++;
    }
    return false;
  }

  /**
   * Parses (more of) the request at src[s..e). Returns the bytes consumed: a whole request (it
   * has been answered or its answer has started), leading blank lines, or everything after a
   * fatal error; 0 when the request is not complete yet (state kept relative to s).
   */
  function parse(c: number, src: Uint8Array, s: number, e: number): number {
    if (lineEnd[c] === 0 && scan[c] === 0) {
      var k = s;
      while (k < e && (src[k] === 13 || src[k] === 10)) k++;
      if (k > s) return k - s;
    }
    if (reqStartMs[c] < 0) reqStartMs[c] = now;
    if (hdrLen[c] === 0) {
      var ls = scan[c];
      for (;;) {
        var lf = src.indexOf(10, s + ls);
        if (lf < 0 || lf >= e) {
          if (lineEnd[c] === 0) {
            if (e - s > REQUEST_LINE_MAX + 1) return fail(c, looksLikeRequest(src, s, e) ? 414 : 400, s, e);
          } else if (e - s - lineEnd[c] > HEADERS_MAX + 1) return fail(c, 431, s, e);
          scan[c] = ls;
          return 0;
        }
        var L = lf + 1 - s;
        var err: number;
        if (lineEnd[c] === 0) {
          var ll = L - 1;
          if (ll > 0 && src[lf - 1] === 13) ll--;
          if (ll > REQUEST_LINE_MAX) return fail(c, looksLikeRequest(src, s, e) ? 414 : 400, s, e);
          lineEnd[c] = L;
          err = requestLine(c, src, s, lf + 1);
          if (err) return fail(c, err, s, e);
        } else {
          var hl = lf - s - ls;
          if (hl > 0 && src[lf - 1] === 13) hl--;
          if (hl === 0) { hdrLen[c] = L; break; }
          if (L - lineEnd[c] > HEADERS_MAX) return fail(c, 431, s, e);
          err = headerLine(c, src, s + ls, s + ls + hl);
          if (err) return fail(c, err, s, e);
        }
        ls = L;
      }
      var f = flags[c];
      if (f & F_TE) return fail(c, 501, s, e);
      if (ver[c] === 11 && !(f & F_HOST)) return fail(c, 400, s, e);
      if (clen[c] > BODY_MAX) return fail(c, 413, s, e);
      if (server.busy) { counters.rejected++; return fail(c, 503, s, e); }
    }
    var total = hdrLen[c] + (clen[c] > 0 ? clen[c] : 0);
    if (e - s < total) {
      // The client waits for an interim 100 before sending the body (once, HTTP/1.1 only).
      if ((flags[c] & F_EXPECT) && ver[c] === 11 && e - s === hdrLen[c]) {
        flags[c] &= ~F_EXPECT;
        tcp.write(c, CONTINUE_100, 0, CONTINUE_100.length);
      }
      return 0;
    }
    counters.requests++;
    served[c]++;
    dispatch(c, src, s);
    return total;
  }

  function looksLikeRequest(src: Uint8Array, s: number, e: number): boolean {
    var sp = src.indexOf(32, s);
    if (sp <= s || sp >= e || sp - s > 8) return false;
    for (var k = s; k < sp; k++) if (src[k] < 65 || src[k] > 90) return false;
    return src[sp + 1] === 47 || src[sp + 1] === 104 || src[sp + 1] === 72;
  }

  // ---- dispatch ----

  var req: HttpRequest = {
    conn: -1, method: 0, methodName: "", version: 11, buf: empty, pathOff: 0, pathEnd: 0,
    queryOff: 0, queryEnd: 0, bodyOff: 0, bodyLen: 0, contentType: CT_NONE,
    path: function (): string { return decode(req.buf, req.pathOff, req.pathEnd, false); },
    query: function (name: string): string | null { return field(req.buf, req.queryOff, req.queryEnd, name); },
    form: function (name: string): string | null {
      return req.contentType === CT_FORM ? field(req.buf, req.bodyOff, req.bodyOff + req.bodyLen, name) : null;
    },
    text: function (): string { return decodeUtf8(req.buf, req.bodyOff, req.bodyOff + req.bodyLen); },
    json: function (): any {
      try { return JSON.parse(req.text()); } catch (x) { return undefined; }
    },
  };
  var resConn = -1;       // connection the handler answers, -1 once answered
  var res: HttpResponse = {
    header: function (name: string, value: string): HttpResponse {
      xw.str(name).byte(58).byte(32).str(value).bytes(CRLF);
      return res;
    },
    send: function (status: number, type: string, body?: string | Uint8Array): void {
      if (typeof body === "string") {
        var wr = res.begin(status, type);
        if (resConn >= 0 && wr.end > 0) wr.utf8(body);
        res.end();
        return;
      }
      var c = resConn;
      if (c < 0) return;
      resConn = -1;
      var b = body || empty;
      var h = head(c, status, type, b.length).bytes(H_NOSTORE).bytes(CRLF);
      startSend(c, h.pos, b, null, 0, method[c] === M_HEAD ? 0 : b.length);
    },
    begin: function (status: number, type: string): AsciiWriter {
      var c = resConn;
      bStatus = status; bType = type;
      if (c < 0) return bw.reset(empty, 0, 0);
      var k = take(outOwner, c);
      if (k < 0) { bStatus = 503; return bw.reset(empty, 0, 0); }
      outIdx[c] = k;
      return bw.reset(outPool[k], HR, outSize);
    },
    end: function (): void {
      var c = resConn;
      if (c < 0) return;
      resConn = -1;
      if (bStatus === 503 || bw.over) {
        releaseOut(c);
        xw.pos = 0;
        if (bStatus !== 503) counters.handlerErrors++;
        simple(c, bStatus === 503 ? 503 : 500, true, null);
        return;
      }
      var bl = bw.pos - HR, ob = bw.buf;
      // The head goes right before the body (one segment for both): measure it, then write it there.
      countStatus(bStatus);
      var hl = headTo(hdr[c], 0, RESPONSE_HEAD_MAX, c, bStatus, bType, bl).bytes(H_NOSTORE).bytes(CRLF).pos;
      headTo(ob, HR - hl, HR, c, bStatus, bType, bl).bytes(H_NOSTORE).bytes(CRLF);
      xw.pos = 0;
      startSend(c, 0, ob, null, HR - hl, method[c] === M_HEAD ? HR : HR + bl);
    },
    stream: function (status: number, type: string, length: number, source: ChunkSource): void {
      var c = resConn;
      if (c < 0) return;
      resConn = -1;
      var h = head(c, status, type, length).bytes(H_NOSTORE).bytes(CRLF);
      startSend(c, h.pos, null, source, 0, method[c] === M_HEAD ? 0 : length);
    },
  };
  var bStatus = 200;
  var bType = "";


  function dispatch(c: number, src: Uint8Array, s: number): void {
    var f = flags[c];
    var m = method[c];
    if ((f & F_CLOSE) || (ver[c] === 10 && !(f & F_KA))) closeAfter[c] = 1;
    var r = route[c];
    if (r < 0) {
      if (m === M_OPTIONS && src[s + pathOff[c]] === 42) { optionsReply(c, ALLOW_ALL); return; }
      simple(c, 404, false, null);
      return;
    }
    var rt = routes[r];
    if (m === M_OPTIONS) { optionsReply(c, rt.allow); return; }
    if (!(rt.methods & m)) { simple(c, 405, false, rt.allow); return; }
    if (rt.asset !== null) { serveAsset(c, rt.asset, f); return; }
    req.conn = c; req.method = m; req.methodName = METHOD_NAMES[bitIndex(m)]; req.version = ver[c];
    req.buf = src; req.pathOff = s + pathOff[c]; req.pathEnd = s + pathEnd[c];
    req.queryOff = s + queryOff[c]; req.queryEnd = s + queryEnd[c];
    req.bodyOff = s + hdrLen[c]; req.bodyLen = clen[c] > 0 ? clen[c] : 0; req.contentType = ctype[c];
    resConn = c;
    xw.reset(xArea, 0, xArea.length);
    try {
      (rt.handler as Handler)(req, res);
    } catch (x) {
      counters.handlerErrors++;
    }
    req.buf = empty;
    if (resConn >= 0) {                     // threw or did not answer
      resConn = -1;
      releaseOut(c);
      xw.pos = 0;
      counters.handlerErrors++;
      simple(c, 500, true, null);
    }
  }

  function bitIndex(m: number): number {
    var k = 0;
    while (m > 1) { m >>= 1; k++; }
    return k;
  }

  function optionsReply(c: number, allow: Uint8Array): void {
    var wr = head(c, 204, null, 0).bytes(H_ALLOW).bytes(allow).bytes(CRLF).bytes(CRLF);
    startSend(c, wr.pos, null, null, 0, 0);
  }

  /** The asset-specific head lines (ETag, Content-Encoding, Vary, Cache-Control) after head(). */
  function assetLines(wr: AsciiWriter, a: Asset, gz: boolean, notMod: boolean): AsciiWriter {
    wr.bytes(H_ETAG).bytes(a.etag).bytes(gz ? H_ETAG_GZ_END : H_QUOTE_CRLF);
    if (gz && !notMod) wr.bytes(H_GZIP);
    if (a.gzip !== null) wr.bytes(H_VARY);
    return wr.bytes(H_NOCACHE);
  }

  /** Builds a 200 head once at registration (the per-request part is only the Connection line). */
  function prebuiltHead(a: Asset, gz: boolean): Uint8Array {
    var tmp = new Uint8Array(RESPONSE_HEAD_MAX);
    w.reset(tmp, 0, RESPONSE_HEAD_MAX);
    w.bytes(STATUS_LINE[200]).bytes(H_CT).bytes(a.type).bytes(CRLF);
    w.bytes(H_CL).num(gz ? (a.gzip as Uint8Array).length : a.length).bytes(CRLF);
    assetLines(w, a, gz, false);
    var out = new Uint8Array(w.pos);
    for (var k = 0; k < w.pos; k++) out[k] = tmp[k];
    return out;
  }

  function serveAsset(c: number, a: Asset, f: number): void {
    var gz = a.gzip !== null && (f & F_GZIP) !== 0;
    var notMod = (f & F_INM) !== 0;
    var len = gz ? (a.gzip as Uint8Array).length : a.length;
    var wr: AsciiWriter;
    if (notMod) wr = assetLines(head(c, 304, null, len), a, gz, true);
    else {
      countStatus(200);
      wr = w.reset(hdr[c], 0, RESPONSE_HEAD_MAX).bytes((gz ? a.head200gz : a.head200) as Uint8Array);
      if (closeAfter[c]) wr.bytes(H_CLOSE);
      else if (ver[c] === 10) wr.bytes(H_KA);
    }
    wr.bytes(CRLF);
    var bodyLen = notMod || method[c] === M_HEAD ? 0 : len;
    startSend(c, wr.pos, gz ? a.gzip : a.body, gz ? null : a.source, 0, bodyLen);
  }

  // ---- input plumbing ----

  /** Appends src[off..off+len) to c's input buffer; returns the bytes that fit (0 when no buffer is free). */
  function stash(c: number, src: Uint8Array, off: number, len: number): number {
    if (inIdx[c] < 0) {
      var k = take(inOwner, c);
      if (k < 0) return 0;
      inIdx[c] = k; inStart[c] = 0; inEnd[c] = 0;
    }
    var buf = inPool[inIdx[c]];
    if (inEnd[c] + len > buf.length && inStart[c] > 0) {     // compact
      var s = inStart[c], m = inEnd[c] - s;
      for (var j = 0; j < m; j++) buf[j] = buf[s + j];
      inStart[c] = 0; inEnd[c] = m;
    }
    var room = buf.length - inEnd[c];
    var fit = len < room ? len : room;
    if (fit > 0) buf.set(src.subarray(off, off + fit), inEnd[c]);
    inEnd[c] += fit;
    return fit;
  }

  /** Parses what c's input buffer holds while the connection is ready for a request. */
  function drainIn(c: number): void {
    while (phase[c] === P_READ && inIdx[c] >= 0 && inStart[c] < inEnd[c]) {
      var got = parse(c, inPool[inIdx[c]], inStart[c], inEnd[c]);
      if (got === 0) break;
      inStart[c] += got;
    }
    if (inIdx[c] >= 0 && (inStart[c] >= inEnd[c] || phase[c] === P_CLOSED)) releaseIn(c);
    closeIfGone(c);
  }

  /** The peer half-closed and nothing complete is waiting: close our side too. */
  function closeIfGone(c: number): void {
    if (phase[c] === P_READ && peerGone[c]) { releaseIn(c); phase[c] = P_CLOSED; tcp.close(c); }
  }

  /** TCP data: returns the bytes consumed (input that does not fit behind a response in progress is left unacknowledged). */
  function onData(c: number, buf: Uint8Array, off: number, len: number): number {
    if (c >= n) return len;
    var ph = phase[c];
    counters.bytesIn += len;
    lastMs[c] = now;
    var fit: number;
    if (ph === P_READ && inIdx[c] < 0) {
      var p = off, e = off + len;
      while (p < e && phase[c] === P_READ) {
        var got = parse(c, buf, p, e);
        if (got === 0) break;
        p += got;
      }
      if (p < e && (phase[c] === P_READ || phase[c] === P_SEND)) {
        if (phase[c] === P_READ) counters.split++; else counters.pipelined++;
        fit = stash(c, buf, p, e - p);
        if (fit < e - p) return overflow(c, p + fit - off, len);
      }
      closeIfGone(c);
      return len;
    }
    if (ph === P_READ || ph === P_SEND) {
      if (ph === P_SEND) counters.pipelined++;
      fit = stash(c, buf, off, len);
      if (fit < len) return overflow(c, fit, len);
      if (ph === P_READ) drainIn(c);
      return len;
    }
    if (ph === P_REJECT) {
      phase[c] = P_CLOSED;
      counters.rejected++;
      countStatus(503);
      tcp.write(c, REJECT_503, 0, REJECT_503.length);
      tcp.close(c);
    }
    return len;   // P_CLOSED, P_FREE, P_REJECT: input discarded
  }

  /** No room for more input. A request waiting for its rest gets 503 (all input consumed);
   *  behind a response in progress, only `taken` bytes are consumed (TCP has the peer resend). */
  function overflow(c: number, taken: number, all: number): number {
    counters.inOverflow++;
    if (phase[c] === P_READ) {
      releaseIn(c);
      resetRequest(c);
      simple(c, 503, true, null);
      return all;
    }
    return taken;
  }

  var handler: TcpHandler = {
    open: function (c: number): void {
      counters.connections++;
      if (c >= n) { return; }
      if (active >= maxConn) phase[c] = P_REJECT;
      else { phase[c] = P_READ; active++; counted[c] = 1; }
      closeAfter[c] = 0; peerGone[c] = 0; served[c] = 0;
      releaseIn(c); releaseOut(c); resetRequest(c);
      lastMs[c] = now;
      counters.active = active;
    },
    data: onData,
    drained: function (c: number): void {
      if (c >= n || phase[c] !== P_SEND) return;
      pump(c);
      if (phase[c] === P_READ) drainIn(c);
    },
    peerClosed: function (c: number): void {
      if (c >= n) { tcp.close(c); return; }
      peerGone[c] = 1;
      var ph = phase[c];
      if (ph === P_READ) drainIn(c);
      else if (ph === P_REJECT || ph === P_FREE) { phase[c] = P_CLOSED; tcp.close(c); }
    },
    end: function (c: number, reason: number): void {
      if (c >= n) return;
      freeSlot(c);
      counters.active = active;
    },
  };

  function tick(t: number): void {
    now = t;
    for (var c = 0; c < n; c++) {
      var ph = phase[c];
      if (ph === P_READ) {
        if (reqStartMs[c] >= 0 || inIdx[c] >= 0) {
          if (reqStartMs[c] < 0) reqStartMs[c] = lastMs[c];
          if (t - reqStartMs[c] >= HEADER_TIMEOUT_MS) { counters.timeouts++; releaseIn(c); resetRequest(c); simple(c, 408, true, null); }
        } else if (served[c] === 0) {
          if (t - lastMs[c] >= FIRST_REQUEST_TIMEOUT_MS) { counters.timeouts++; simple(c, 408, true, null); }
        } else if (t - lastMs[c] >= KEEPALIVE_IDLE_MS) {
          phase[c] = P_CLOSED;
          tcp.close(c);
        }
      } else if (ph === P_SEND) {
        if (t - lastMs[c] >= SEND_STALL_MS) { counters.stalls++; tcp.abort(c); if (phase[c] !== P_FREE) freeSlot(c); }
      } else if (ph === P_REJECT) {
        if (t - lastMs[c] >= FIRST_REQUEST_TIMEOUT_MS) { phase[c] = P_CLOSED; lastMs[c] = t; tcp.close(c); }
      } else if (ph === P_CLOSED) {
        if (t - lastMs[c] >= SEND_STALL_MS) { counters.stalls++; tcp.abort(c); if (phase[c] !== P_FREE) freeSlot(c); }
      }
    }
    counters.active = active;
  }

  function methodsMask(list: string): number {
    var m = 0, parts = list.toUpperCase().split(",");
    for (var k = 0; k < parts.length; k++) {
      var name = parts[k].replace(/^\s+|\s+$/g, "");
      for (var j = 0; j < METHOD_NAMES.length; j++) if (METHOD_NAMES[j] === name) m |= 1 << j;
    }
    if (m & M_GET) m |= M_HEAD;
    return m;
  }

  function allowOf(m: number): Uint8Array {
    var names: string[] = [];
    for (var j = 0; j < METHOD_NAMES.length; j++) if (m & (1 << j)) names.push(METHOD_NAMES[j]);
    names.push("OPTIONS");
    return toBytes(names.join(", "));
  }

  var server: HttpServer = {
    asset: function (path: string, body: Uint8Array | string | ChunkSource, ao?: AssetOptions, length?: number): Asset {
      var opt = ao || {};
      var bytes: Uint8Array | null = typeof body === "string" ? utf8Bytes(body) : typeof body === "function" ? null : body;
      var gz: Uint8Array | null = typeof opt.gzip === "string" ? toBytes(opt.gzip) : opt.gzip || null;
      var a: Asset = {
        body: bytes,
        source: typeof body === "function" ? body : null,
        length: bytes !== null ? bytes.length : length || 0,
        gzip: gz,
        type: toBytes(opt.type || mimeFor(path)),
        etag: toBytes(opt.etag || hex8(bytes !== null ? E.CRC32(bytes) : (length || 0) * 2654435761)),
        head200: null,
        head200gz: null,
      };
      a.head200 = prebuiltHead(a, false);
      if (gz !== null) a.head200gz = prebuiltHead(a, true);
      addRoute(path, M_GET | M_HEAD, a, null, !!opt.prefix);
      return a;
    },
    route: function (path: string, methods: string, h: Handler, prefix?: boolean): void {
      addRoute(path, methodsMask(methods), null, h, !!prefix);
    },
    tick: tick,
    busy: false,
    memoryBytes: 0,
    handler: handler,
    counters: counters,
    phaseCounts: function (out: Uint16Array): void {
      for (var k = 0; k < 5; k++) out[k] = 0;
      for (var c = 0; c < n; c++) out[phase[c]]++;
    },
  };
  function addRoute(path: string, methods: number, a: Asset | null, h: Handler | null, prefix: boolean): void {
    var rt: Route = { path: utf8Bytes(path), prefix: prefix, methods: methods, allow: allowOf(methods), asset: a, handler: h };
    for (var k = 0; k < routes.length; k++) {
      if (!routes[k].prefix && !prefix && eqBytes(routes[k].path, rt.path)) { routes[k] = rt; return; }
    }
    // Exact routes before prefixes; longer prefixes first.
    var at = routes.length;
    for (k = 0; k < routes.length; k++) {
      if (routes[k].prefix && (!prefix || routes[k].path.length < rt.path.length)) { at = k; break; }
    }
    routes.splice(at, 0, rt);
  }

  var perSlot = 0;
  var arrays = [phase, inIdx, inStart, inEnd, scan, lineEnd, hdrLen, clen, flags, method, ver, route, ctype, pathOff,
    pathEnd, queryOff, queryEnd, served, reqStartMs, lastMs, closeAfter, peerGone, counted, hLen, hPos, bPos, bEnd, outIdx];
  for (i = 0; i < arrays.length; i++) perSlot += arrays[i].byteLength;
  server.memoryBytes = perSlot + hdrArea.length + inArea.length + outArea.length + xArea.length + inOwner.length + outOwner.length;
  if (o.listen !== false) tcp.listen(port, handler);
  return server;
}

function eqBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (var k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function hex8(v: number): string {
  var s = "";
  v = v >>> 0;
  for (var k = 7; k >= 0; k--) s += "0123456789abcdef".charAt((v >>> (k * 4)) & 15);
  return s;
}

/** Percent-decodes src[a..e) ('+' as space when `plus`), UTF-8, into a string (allocates). */
export function decode(src: Uint8Array, a: number, e: number, plus: boolean): string {
  var tmp = new Uint8Array(e - a), m = 0;
  for (var p = a; p < e; p++) {
    var b = src[p];
    if (b === 37 && p + 2 < e && hexVal(src[p + 1]) >= 0 && hexVal(src[p + 2]) >= 0) {
      b = (hexVal(src[p + 1]) << 4) | hexVal(src[p + 2]);
      p += 2;
    } else if (b === 43 && plus) b = 32;
    tmp[m++] = b;
  }
  return decodeUtf8(tmp, 0, m);
}

/** UTF-8 bytes to a string of Latin-1 characters (allocates; invalid sequences and characters
 *  beyond U+00FF become '?', as Espruino's 8-bit strings cannot hold them). */
export function decodeUtf8(b: Uint8Array, a: number, e: number): string {
  var s = "";
  var p = a;
  while (p < e) {
    var c = b[p++];
    if (c >= 0x80) {
      var need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
      if (need < 0 || p + need > e) { s += "?"; continue; }
      c &= need === 3 ? 7 : need === 2 ? 15 : 31;
      for (var k = 0; k < need; k++) c = (c << 6) | (b[p++] & 63);
      // Espruino's strings hold 8-bit characters: beyond Latin-1 becomes '?' (on every platform, alike)
      if (c > 0xff) c = 63;
    }
    s += String.fromCharCode(c);
  }
  return s;
}

/** The decoded value of field `name` in an urlencoded list src[a..e) (query or form body), or null. */
export function field(src: Uint8Array, a: number, e: number, name: string): string | null {
  var p = a;
  while (p < e) {
    var amp = src.indexOf(38, p);
    if (amp < 0 || amp > e) amp = e;
    var eq = src.indexOf(61, p);
    var ke = eq >= 0 && eq < amp ? eq : amp;
    if (decode(src, p, ke, true) === name) return eq >= 0 && eq < amp ? decode(src, eq + 1, amp, true) : "";
    p = amp + 1;
  }
  return null;
}
