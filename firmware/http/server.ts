// A small HTTP/1.1 server over the TCP API. Per-connection state lives in typed arrays indexed
// by connection id; input and output buffers come from small fixed pools; requests are parsed
// in place in the received segment whenever they arrive whole, and copied into a pool buffer
// only when split across segments or pipelined behind a response still being sent.
// Responses: a head built in a per-connection area, then a body streamed by offset from an
// asset (Uint8Array, possibly memory-mapped flash), a handler's pool buffer, or a chunk source,
// as fast as tcp.write() accepts it (back-pressure through drained()). See docs/http.md.

import { TcpApi, TcpHandler } from "./tcp-api";
import { AsciiWriter, asciiWriter, toBytes, utf8Bytes, same, pctByte, Ch, Utf8 } from "./ascii";
import {
  REQUEST_LINE_MAX, HEADERS_MAX, BODY_MAX, REQUEST_MAX, RESPONSE_HEAD_MAX, HANDLER_BODY_MAX,
  HEADER_TIMEOUT_MS, FIRST_REQUEST_TIMEOUT_MS, KEEPALIVE_IDLE_MS, SEND_STALL_MS, WRITE_PIECE_MAX,
} from "./limits";

// Numbers as const enums: tsc writes them in place, no name reaches the bundle.

// ---- methods: an index in METHOD_NAMES, and a bit per method (1 << index) ----
const enum Mi { GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE, CONNECT, COUNT }
var METHOD_NAMES = "GET HEAD POST PUT DELETE OPTIONS PATCH TRACE CONNECT".split(" ");
export const M_GET = 1 << Mi.GET;
export const M_HEAD = 1 << Mi.HEAD;
export const M_POST = 1 << Mi.POST;
export const M_PUT = 1 << Mi.PUT;
export const M_DELETE = 1 << Mi.DELETE;
export const M_OPTIONS = 1 << Mi.OPTIONS;
export const M_PATCH = 1 << Mi.PATCH;
export const M_TRACE = 1 << Mi.TRACE;
export const M_CONNECT = 1 << Mi.CONNECT;

/** Request body kinds (req.contentType). */
export const CT_NONE = 0;
export const CT_FORM = 1;
export const CT_JSON = 2;
export const CT_OTHER = 3;

/** The status codes the server and the app answer with (their texts: STATUS_TEXT). */
export const enum Status {
  OK = 200,
  NO_CONTENT = 204,
  SEE_OTHER = 303,
  NOT_MODIFIED = 304,
  BAD_REQUEST = 400,
  NOT_FOUND = 404,
  METHOD_NOT_ALLOWED = 405,
  REQUEST_TIMEOUT = 408,
  CONTENT_TOO_LARGE = 413,
  URI_TOO_LONG = 414,
  EXPECTATION_FAILED = 417,
  HEADERS_TOO_LARGE = 431,
  INTERNAL_ERROR = 500,
  NOT_IMPLEMENTED = 501,
  UNAVAILABLE = 503,
  VERSION_NOT_SUPPORTED = 505,
  /** The first code of a class (counters.status2xx...). */
  CLASS_3XX = 300,
  CLASS_4XX = 400,
  CLASS_5XX = 500,
}

/** HTTP versions as req.version holds them. */
const enum Ver { HTTP_1_0 = 10, HTTP_1_1 = 11 }

/** The version after the request line's second space (at sp2): "HTTP/d.d", offsets from sp2. */
const enum V { NAME = 1, MAJOR = 6, DOT = 7, MINOR = 8, END = 9 }

/** Defaults of HttpServerOptions. */
const enum Default { PORT = 80, SLOTS = 4, IN_BUFFERS = 2, OUT_BUFFERS = 2 }

/** Lengths of fixed pieces of the syntax and of the server's own areas. */
const enum Len {
  /** "transfer-encoding", the longest name in HEADER_NAMES. */
  HEADER_NAME_MAX = 17,
  /** "http" of an absolute-form target. */
  HTTP_SCHEME = 4,
  /** "%XY" */
  PCT_ESCAPE = 3,
  /** "application/x-www-form-urlencoded", "application/json". */
  FORM_TYPE = 33,
  JSON_TYPE = 16,
  /** "-gz": the suffix of a gzip representation's ETag. */
  GZ_TAG = 3,
  /** A Content-Length of more digits: 413 at once (9 digits cannot overflow the sum). */
  LENGTH_DIGITS_MAX = 9,
  /** An over-long line starting with an upper-case token up to this long, a space and a
   *  target gets 414 (the longest method, CONNECT and OPTIONS, has 7 letters). */
  METHOD_TOKEN_MAX = 8,
  /** The extra headers of one handler response (res.header()). */
  EXTRA_HEADERS = 128,
  /** The body of a plain status response is "<3-digit code> <reason>\n": the reason and 5 bytes. */
  STATUS_BODY_EXTRA = 5,
  /** A default ETag: 8 hex digits. */
  ETAG_DIGITS = 8,
}

/** A weak default ETag for a chunk source: its length times a prime near 2^32 / golden ratio (Knuth's multiplicative hash). */
const enum Etag { LENGTH_HASH = 2654435761 }

// ---- connection phases ----
const enum Phase {
  FREE,      // no connection
  READ,      // waiting for (the rest of) a request
  SEND,      // a response is being handed to TCP
  CLOSED,    // we closed (FIN queued): input is discarded until TCP ends the slot
  REJECT,    // over capacity: answered 503 on first input
  COUNT,
}

// ---- request flags ----
const enum Flag {
  CLOSE = 1,         // Connection: close
  KA = 2,            // Connection: keep-alive
  GZIP = 4,          // Accept-Encoding allows gzip
  INM = 8,           // If-None-Match matched the route's asset
  EXPECT = 16,       // Expect: 100-continue
  /** And a "seen" bit per header read: SEEN << its index in HEADER_NAMES. */
  SEEN = 32,
}

/** hasToken()'s answer for a token in a comma-separated list. */
const enum Tok { ABSENT, LISTED, Q_ZERO }

// ---- the request headers the parser reads (lower case; their lengths all differ) ----
var HEADER_NAMES = "content-length connection accept-encoding if-none-match transfer-encoding content-type host expect".split(" ");
/** Indexes in HEADER_NAMES. */
const enum Hdr { CONTENT_LENGTH, CONNECTION, ACCEPT_ENCODING, IF_NONE_MATCH, TRANSFER_ENCODING, CONTENT_TYPE, HOST, EXPECT }
/** 1 + index in HEADER_NAMES by name length, 0: no header of that length is read. */
var HEADER_AT_LEN = new Uint8Array(Len.HEADER_NAME_MAX + 1);
for (var hi = 0; hi < HEADER_NAMES.length; hi++) HEADER_AT_LEN[HEADER_NAMES[hi].length] = hi + 1;
var CONTINUE_100 = toBytes("HTTP/1.1 100 Continue\r\n\r\n");

var STATUS_TEXT: { [code: number]: string } = {
  200: "OK", 201: "Created", 204: "No Content", 303: "See Other", 304: "Not Modified",
  400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  408: "Request Timeout", 413: "Content Too Large", 414: "URI Too Long", 417: "Expectation Failed",
  431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
  503: "Service Unavailable", 505: "HTTP Version Not Supported",
};
var CRLF = "\r\n";
// pieces written on every response: bytes (one native copy) rather than strings (a loop per char)
var B_CRLF = toBytes(CRLF);
var B_STATUS = toBytes("HTTP/1.1 ");
var B_TYPE = toBytes("Content-Type: ");
var B_LENGTH = toBytes("Content-Length: ");
var B_CLOSE = toBytes("Connection: close\r\n");
var B_KEEPALIVE = toBytes("Connection: keep-alive\r\n");
var B_ALLOW = toBytes("Allow: ");
var B_NOSTORE = toBytes("Cache-Control: no-store\r\n");
var TYPE_TEXT = toBytes("text/plain; charset=utf-8");
var ALLOW_ALL = "GET, HEAD, POST, OPTIONS";

/** Content types by file extension (text types get "; charset=utf-8"). */
var MIME: { [ext: string]: string } = {
  html: "text/html", htm: "text/html", css: "text/css", js: "text/javascript", txt: "text/plain",
  json: "application/json", svg: "image/svg+xml", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg",
  gif: "image/gif", ico: "image/x-icon", wasm: "application/wasm",
};

/** Content type for a path by its extension; application/octet-stream when unknown. Start-up use. */
export function mimeFor(path: string): string {
  var t = MIME[path.substring(path.lastIndexOf(".") + 1).toLowerCase()] || "application/octet-stream";
  return t.slice(0, 5) === "text/" ? t + "; charset=utf-8" : t;
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
  type: string;
  etag: string;
  /** Heads of the 200 response (identity, gzip) up to the Connection line, built at registration. */
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
  /** The path as given, and as UTF-8 bytes (matched against the percent-decoded target). */
  name: string;
  path: Uint8Array;
  prefix: boolean;
  methods: number;
  allow: string;
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
  /** requests, active (connections served now), split, stalls, status2xx..status5xx. */
  counters: { [name: string]: number };
  /** Connections per phase (free, read, send, closed, reject) into out[0..5). */
  phaseCounts(out: Uint16Array): void;
}

/** Starts an HTTP server on `tcp`. Everything is allocated here, none per request. */
export function createHttpServer(tcp: TcpApi, opts?: HttpServerOptions): HttpServer {
  var o = opts || {};
  var n = o.slots || Default.SLOTS;
  var maxConn = o.maxConnections || n;
  var nIn = o.inBuffers === undefined ? Default.IN_BUFFERS : o.inBuffers;
  var nOut = o.outBuffers === undefined ? Default.OUT_BUFFERS : o.outBuffers;

  var routes: Route[] = [];
  var counters: { [name: string]: number } = {
    requests: 0, active: 0, split: 0, stalls: 0, status2xx: 0, status3xx: 0, status4xx: 0, status5xx: 0,
  };

  /** One number per connection. */
  function perConn(): Int32Array {
    return new Int32Array(n);
  }
  // Per-connection state.
  var phase = perConn();
  var inIdx = perConn();          // input pool buffer (index from 1), 0 none
  var inStart = perConn();
  var inEnd = perConn();
  var scan = perConn();           // next line start (relative to the request start)
  var lineEnd = perConn();        // request line length incl. LF, 0 = not yet
  var hdrLen = perConn();         // request head length incl. blank line, 0 = not yet
  var clen = perConn();           // Content-Length (0 when none)
  var flags = perConn();          // Flag bits
  var methodIdx = perConn();      // index in METHOD_NAMES (Mi)
  var ver = perConn();            // Ver
  var route = perConn();          // index in routes (none: -1 or past the end)
  var ctype = perConn();
  var pathOff = perConn();
  var pathEnd = perConn();
  var queryOff = perConn();
  var queryEnd = perConn();
  var served = perConn();         // a request was answered on this connection
  var reqStartMs = new Float64Array(n);   // first byte of the pending request, -1 none
  var lastMs = new Float64Array(n);       // last input, or last send progress
  var closeAfter = perConn();
  var peerGone = perConn();       // FIN received
  var counted = perConn();        // counted in counters.active
  // Response in progress: head hdr[c][hPos..hLen), then body bPos..bEnd of body[c] (bytes or a chunk source).
  var hLen = perConn();
  var hPos = perConn();
  var body: (Uint8Array | ChunkSource | null)[] = [];
  var bPos = perConn();
  var bEnd = perConn();
  var outIdx = perConn();         // output pool buffer (index from 1), 0 none
  var HR = RESPONSE_HEAD_MAX;
  var empty = new Uint8Array(0);
  /** `count` buffers of `size` bytes after `first`. */
  function buffers(first: Uint8Array[], count: number, size: number): Uint8Array[] {
    while (count--) first.push(new Uint8Array(size));
    return first;
  }
  var hdr = buffers([], n, HR);
  // Pools (entry 0 unused): input buffers; output buffers with room for the response head
  // before the handler's body, so both leave in one write.
  var inPool = buffers([empty], nIn, REQUEST_MAX), inUsed = new Uint8Array(nIn + 1);
  var outSize = HR + HANDLER_BODY_MAX;
  var outPool = buffers([empty], nOut, outSize), outUsed = new Uint8Array(nOut + 1);
  var w = asciiWriter();       // head writer
  var bw = asciiWriter();      // handler body writer
  var xArea = new Uint8Array(Len.EXTRA_HEADERS);   // extra headers of the response being built
  var xw = asciiWriter();
  var now = 0;

  /** A free pool entry (marked used), 0 when none. */
  function take(used: Uint8Array): number {
    for (var k = 1; k < used.length; k++) if (!used[k]) { used[k] = 1; return k; }
    return 0;
  }

  function resetRequest(c: number): void {
    scan[c] = lineEnd[c] = hdrLen[c] = flags[c] = methodIdx[c] = ctype[c] = clen[c] = 0;   // ctype: CT_NONE
    route[c] = reqStartMs[c] = -1;
  }

  function releaseIn(c: number): void {
    inUsed[inIdx[c]] = inIdx[c] = inStart[c] = inEnd[c] = 0;
  }

  function releaseOut(c: number): void {
    outUsed[outIdx[c]] = outIdx[c] = 0;
  }

  /** Our side closes (FIN); input is discarded from now on. */
  function shut(c: number): void {
    releaseIn(c);
    phase[c] = Phase.CLOSED;
    tcp.close(c);
  }

  /** No response in progress, no request pending: phase ph. */
  function settle(c: number, ph: number): void {
    phase[c] = ph;
    releaseOut(c);
    body[c] = null;
    resetRequest(c);
  }

  function freeSlot(c: number): void {
    if (counted[c]) { counters.active--; counted[c] = 0; }
    settle(c, Phase.FREE);
    releaseIn(c);
  }

  function isHead(c: number): boolean {
    return methodIdx[c] === Mi.HEAD;
  }

  // ---- response output ----

  /** Status line, Content-Type (unless null) and Content-Length (not for 204/304) into buf[off..HR). */
  function headStart(buf: Uint8Array, off: number, status: number, type: string | Uint8Array | null, length: number): AsciiWriter {
    var text = STATUS_TEXT[status];
    if (!text) text = STATUS_TEXT[status = Status.INTERNAL_ERROR];
    w.reset(buf, off, HR).bytes(B_STATUS).num(status).byte(Ch.SP).str(text).bytes(B_CRLF);
    if (type !== null) {
      w.bytes(B_TYPE);
      (typeof type === "string" ? w.str(type) : w.bytes(type)).bytes(B_CRLF);
    }
    if (status !== Status.NOT_MODIFIED && status !== Status.NO_CONTENT) w.bytes(B_LENGTH).num(length).bytes(B_CRLF);
    return w;
  }

  /** The Connection line, the handler's extra headers and the blank line; returns the head length. */
  function headEnd(c: number): number {
    if (closeAfter[c]) w.bytes(B_CLOSE);
    else if (ver[c] === Ver.HTTP_1_0) w.bytes(B_KEEPALIVE);
    for (var k = 0; k < xw.pos; k++) w.byte(xArea[k]);
    return w.bytes(B_CRLF).pos;
  }

  /** Counts the status, then sends hdr[c][0..hl) followed by bytes off..end of b (bytes or a chunk source). */
  function startSend(c: number, status: number, hl: number, b: Uint8Array | ChunkSource | null, off: number, end: number): void {
    counters[status < Status.CLASS_3XX ? "status2xx" : status < Status.CLASS_4XX ? "status3xx" :
      status < Status.CLASS_5XX ? "status4xx" : "status5xx"]++;
    hLen[c] = hl; hPos[c] = 0;
    body[c] = b; bPos[c] = off; bEnd[c] = end;
    phase[c] = Phase.SEND;
    lastMs[c] = now;
    pump(c);
  }

  function pump(c: number): void {
    while (phase[c] === Phase.SEND) {
      var got: number, p = bPos[c], k = bEnd[c] - p, src = body[c];
      if (hPos[c] < hLen[c]) {
        got = tcp.write(c, hdr[c], hPos[c], hLen[c] - hPos[c]);
        if (got <= 0) return;
        hPos[c] += got;
      } else if (k > 0) {
        k = Math.min(k, WRITE_PIECE_MAX);
        if (typeof src === "function") {
          k = Math.min(k, tcp.space(c));
          if (k <= 0) return;
          var piece = src(p, k);
          got = tcp.write(c, piece, 0, Math.min(piece.length, k));
        } else got = tcp.write(c, src as Uint8Array, p, k);
        if (got <= 0) return;
        bPos[c] = p + got;
      } else return finish(c);
      lastMs[c] = now;
    }
  }

  /** The response is entirely with TCP: close, or get ready for the next request. */
  function finish(c: number): void {
    settle(c, Phase.READ);      // (lastMs is already now: set by the last progress, or by startSend)
    if (closeAfter[c] || (peerGone[c] && !inIdx[c])) shut(c);   // half-closed peer: answer what it pipelined first
  }

  /** A plain-text status response (204: none; 204 and 405 with `allow`); `close` ends the connection after it. */
  function simple(c: number, status: number, close: boolean, allow?: string): void {
    if (close) closeAfter[c] = 1;
    var text = STATUS_TEXT[status], hasBody = status !== Status.NO_CONTENT;
    headStart(hdr[c], 0, status, hasBody ? TYPE_TEXT : null, text.length + Len.STATUS_BODY_EXTRA);
    if (status === Status.NO_CONTENT || status === Status.METHOD_NOT_ALLOWED) w.bytes(B_ALLOW).str(allow as string).bytes(B_CRLF);
    if (status === Status.UNAVAILABLE) w.str("Retry-After: 1\r\n");
    headEnd(c);
    if (hasBody && !isHead(c)) w.num(status).byte(Ch.SP).str(text).byte(Ch.LF);
    startSend(c, status, w.pos, null, 0, 0);
  }

  /** Drops the pending request (its input too) and answers `status`, closing after it. */
  function abandon(c: number, status: number): void {
    releaseIn(c);
    resetRequest(c);
    simple(c, status, true);
  }

  // ---- request parsing ----

  /** Parses the request line src[s..e) (without its line end). Returns 0 or an error status. */
  function requestLine(c: number, src: Uint8Array, s: number, e: number): number {
    var sp1 = src.indexOf(Ch.SP, s), sp2 = src.indexOf(Ch.SP, sp1 + 1), k: number, b: number;
    // method SP request-target SP HTTP-version, one space each (RFC 9112 section 3)
    if (sp1 <= s ||                       // no method
      sp2 < 0 || sp2 >= e ||              // no second space
      sp2 === sp1 + 1 ||                  // no target
      e - sp2 !== V.END) {                // the version is not "HTTP/d.d"
      return Status.BAD_REQUEST;
    }
    for (k = s; k < sp1; k++) {                                     // the method: visible characters
      b = src[k];
      if (b < Ch.VCHAR_MIN || b > Ch.VCHAR_MAX) return Status.BAD_REQUEST;
    }
    // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3; the name is case-sensitive)
    var maj = src[sp2 + V.MAJOR] - Ch.DIGIT_0, min = src[sp2 + V.MINOR] - Ch.DIGIT_0;
    if (!same(src, sp2 + V.NAME, sp2 + V.MAJOR, "HTTP/") ||
      maj < 0 || maj > 9 ||
      src[sp2 + V.DOT] !== Ch.DOT ||
      min < 0 || min > 9) {
      return Status.BAD_REQUEST;
    }
    if (maj !== 1) return Status.VERSION_NOT_SUPPORTED;
    ver[c] = min ? Ver.HTTP_1_1 : Ver.HTTP_1_0;      // a later 1.x is answered as 1.1 (RFC 9110 section 2.5)
    for (k = 0; k < Mi.COUNT && !same(src, s, sp1, METHOD_NAMES[k]); k++);
    if (k === Mi.COUNT) return Status.NOT_IMPLEMENTED;
    methodIdx[c] = k;
    // target: origin-form, absolute-form http://host/path, or asterisk-form for OPTIONS (RFC 9112 section 3.2)
    var t = sp1 + 1, q = sp2;
    pathOff[c] = t - s;
    if (src[t] !== Ch.SLASH) {
      if (!same(src, t, t + Len.HTTP_SCHEME, "http", true)) {
        if (k === Mi.OPTIONS && src[t] === Ch.STAR && sp2 === t + 1) return 0;    // "OPTIONS *"
        return Status.BAD_REQUEST;
      }
      var ss = src.indexOf(Ch.SLASH, t);            // "http://host/path": skip to the third '/'
      if (src[ss + 1] !== Ch.SLASH) return Status.BAD_REQUEST;
      t = src.indexOf(Ch.SLASH, ss + 2);      // the path starts at the first '/' after "//host"
      if (t < 0 || t > sp2) return Status.BAD_REQUEST;
    }
    for (k = t; k < sp2; k++) {
      b = src[k];
      if (b < Ch.VCHAR_MIN || b > Ch.VCHAR_MAX ||       // a control character, space or non-ASCII
        b === Ch.HASH ||                                // a fragment (never sent)
        // '%' not followed by two hex digits inside the target (RFC 3986 section 2.1)
        (b === Ch.PERCENT && (pctByte(src, k) < 0 || k + 2 >= sp2))) {
        return Status.BAD_REQUEST;
      }
      if (b === Ch.QUESTION && q === sp2) q = k;        // the first '?' starts the query
    }
    pathOff[c] = t - s; pathEnd[c] = q - s;
    queryOff[c] = (q < sp2 ? q + 1 : sp2) - s; queryEnd[c] = sp2 - s;
    for (k = 0; k < routes.length && !pathMatch(src, t, q, routes[k]); k++);
    route[c] = k;      // (routes.length: none)
    return 0;
  }

  /** The percent-decoded path src[p..e) equals (or, for a prefix route, starts with) the route's path. */
  function pathMatch(src: Uint8Array, p: number, e: number, rt: Route): boolean {
    var rb = rt.path, k = 0;
    while (p < e) {
      var b = src[p];
      if (b === Ch.PERCENT) { b = pctByte(src, p); p += Len.PCT_ESCAPE; } else p++;
      if (k >= rb.length) return rt.prefix;
      if (b !== rb[k++]) return false;
    }
    return k === rb.length;
  }

  /** One header line src[a..e) (no line end). Returns 0 or an error status. */
  function headerLine(c: number, src: Uint8Array, a: number, e: number): number {
    var b = src[a], colon = src.indexOf(Ch.COLON, a);
    if (b === Ch.SP || b === Ch.TAB ||                  // obsolete line folding (RFC 9112 section 5.2)
      colon <= a || colon >= e ||                       // no colon in this line, or no name
      (b = src[colon - 1]) === Ch.SP || b === Ch.TAB) { // whitespace before the colon (RFC 9112 section 5.1)
      return Status.BAD_REQUEST;
    }
    var h = HEADER_AT_LEN[colon - a];   // (undefined past the end)
    if (!h || !same(src, a, colon, HEADER_NAMES[--h], true)) return 0;   // not a header this server reads
    var v = colon + 1, ve = e, f = flags[c], seen = f & (Flag.SEEN << h);
    // the value without the optional whitespace around it (RFC 9112 section 5.1)
    while (v < e && (src[v] === Ch.SP || src[v] === Ch.TAB)) v++;
    while (ve > v && (src[ve - 1] === Ch.SP || src[ve - 1] === Ch.TAB)) ve--;
    switch (h) {
      case Hdr.CONTENT_LENGTH:
        if (ve === v) return Status.BAD_REQUEST;
        if (ve - v > Len.LENGTH_DIGITS_MAX) return Status.CONTENT_TOO_LARGE;
        for (var len = 0, k = v; k < ve; k++) {
          var d = src[k] - Ch.DIGIT_0;
          if (d < 0 || d > 9) return Status.BAD_REQUEST;
          len = len * 10 + d;
        }
        // a repeated Content-Length must repeat the same value (RFC 9112 section 6.3)
        if (seen && clen[c] !== len) return Status.BAD_REQUEST;
        clen[c] = len;
        break;
      case Hdr.CONNECTION:
        if (hasToken(src, v, ve, "close") === Tok.LISTED) f |= Flag.CLOSE;
        if (hasToken(src, v, ve, "keep-alive") === Tok.LISTED) f |= Flag.KA;
        break;
      case Hdr.ACCEPT_ENCODING:
        // gzip listed, or not named at all and "*" listed (RFC 9110 section 12.5.3)
        var g = hasToken(src, v, ve, "gzip");
        if (g === Tok.LISTED || (g === Tok.ABSENT && hasToken(src, v, ve, "*") === Tok.LISTED)) f |= Flag.GZIP;
        break;
      case Hdr.IF_NONE_MATCH:
        if (etagMatch(c, src, v, ve)) f |= Flag.INM;
        break;
      case Hdr.CONTENT_TYPE:
        // (a prefix compare may read past ve: whitespace or the line end there never matches)
        ctype[c] = same(src, v, v + Len.FORM_TYPE, "application/x-www-form-urlencoded", true) ? CT_FORM :
          same(src, v, v + Len.JSON_TYPE, "application/json", true) ? CT_JSON : CT_OTHER;
        break;
      case Hdr.HOST:
        if (seen) return Status.BAD_REQUEST;       // more than one Host (RFC 9112 section 3.2)
        break;
      case Hdr.EXPECT:
        if (!same(src, v, ve, "100-continue", true)) return Status.EXPECTATION_FAILED;
        f |= Flag.EXPECT;
    }
    flags[c] = f | Flag.SEEN << h;
    return 0;
  }

  /** Looks for token t (case-insensitive) in a comma-separated list src[p..e): ABSENT, LISTED,
   *  or Q_ZERO (listed with q=0: "not acceptable", RFC 9110 section 12.4.2). */
  function hasToken(src: Uint8Array, p: number, e: number, t: string): number {
    while (p < e) {
      // skip whitespace and empty list elements, then the token ends at ',', ';' or whitespace
      while (p < e && (src[p] === Ch.SP || src[p] === Ch.TAB || src[p] === Ch.COMMA)) p++;
      var s = p;
      while (p < e && src[p] !== Ch.COMMA && src[p] !== Ch.SEMI && src[p] !== Ch.SP && src[p] !== Ch.TAB) p++;
      var hit = same(src, s, p, t, true), q0 = false;
      for (; p < e && src[p] !== Ch.COMMA; p++) {      // parameters: look for q=0[.000]
        if ((src[p] | Ch.CASE_BIT) === Ch.LOWER_Q && src[p + 1] === Ch.EQUALS && (src[p - 1] === Ch.SEMI || src[p - 1] === Ch.SP)) {
          var k = p + 2;                             // after "q="
          q0 = src[k++] === Ch.DIGIT_0;
          if (src[k] === Ch.DOT) while (++k < e && src[k] === Ch.DIGIT_0);
          if (k < e && src[k] >= Ch.DIGIT_1 && src[k] <= Ch.DIGIT_9) q0 = false;
        }
      }
      if (hit) return q0 ? Tok.Q_ZERO : Tok.LISTED;
    }
    return Tok.ABSENT;
  }

  /** If-None-Match value against the route's asset ETag ("*", weak tags, the "-gz" tag and lists accepted). */
  function etagMatch(c: number, src: Uint8Array, p: number, e: number): boolean {
    var rt = routes[route[c]], a = rt ? rt.asset : null;
    for (; a !== null && p < e; p++) {
      if (src[p] === Ch.STAR) return true;
      if (src[p] === Ch.DQUOTE) {
        var q = src.indexOf(Ch.DQUOTE, p + 1);
        if (q < 0 || q >= e) return false;
        if (same(src, p + 1, q, a.etag) ||                                                        // "<etag>"
          (same(src, p + 1, q - Len.GZ_TAG, a.etag) && same(src, q - Len.GZ_TAG, q, "-gz"))) {   // "<etag>-gz"
          return true;
        }
        p = q;
      }
    }
    return false;
  }

  /**
   * Parses (more of) the request at src[s..e). Returns the bytes consumed: a whole request (it
   * has been answered or its answer has started), leading blank lines, or everything after a
   * fatal error; 0 when the request is not complete yet (state kept relative to s).
   */
  function parse(c: number, src: Uint8Array, s: number, e: number): number {
    var le = lineEnd[c], err = 0;
    if (!le) {        // (then no line has been scanned yet)
      var k = s;
      // empty lines before a request line are ignored (RFC 9112 section 2.2)
      while (k < e && (src[k] === Ch.CR || src[k] === Ch.LF)) k++;
      if (k > s) return k - s;
    }
    if (reqStartMs[c] < 0) reqStartMs[c] = now;
    if (!hdrLen[c]) {
      for (var ls = scan[c]; !err; ls = L) {
        var lf = src.indexOf(Ch.LF, s + ls);
        if (lf < 0 || lf >= e) {
          // no line end yet: stop when the line is already over its limit (+ 1: its CR may be here)
          if (le ? e - s - le > HEADERS_MAX + 1 : e - s > REQUEST_LINE_MAX + 1) break;
          scan[c] = ls;
          return 0;
        }
        var L = lf + 1 - s, ll = lf - s - ls;          // line length without CRLF
        if (ll > 0 && src[lf - 1] === Ch.CR) ll--;
        if (!le) {
          if (ll > REQUEST_LINE_MAX) break;
          err = requestLine(c, src, s, s + ll);
          lineEnd[c] = le = L;
        } else if (!ll) { hdrLen[c] = L; break; }
        else if (L - le > HEADERS_MAX) err = Status.HEADERS_TOO_LARGE;
        else err = headerLine(c, src, s + ls, s + ls + ll);
      }
      var f = flags[c];
      if (!err) {     // (else the request line or a header line was refused)
        // no blank line within the limits: the headers too long, or the request line (414 below)
        if (!hdrLen[c]) err = le ? Status.HEADERS_TOO_LARGE : Status.BAD_REQUEST;
        else if (f & Flag.SEEN << Hdr.TRANSFER_ENCODING) err = Status.NOT_IMPLEMENTED;   // no chunked bodies
        else if (ver[c] === Ver.HTTP_1_1 && !(f & Flag.SEEN << Hdr.HOST)) err = Status.BAD_REQUEST;  // RFC 9112 section 3.2
        else if (clen[c] > BODY_MAX) err = Status.CONTENT_TOO_LARGE;
        else if (server.busy) err = Status.UNAVAILABLE;
      }
      if (err === Status.BAD_REQUEST && !le) {
        // (only a request line too long has no lineEnd here) 414 when it starts like one: an
        // upper-case method, a space, then "/" or "http..."
        var sp = src.indexOf(Ch.SP, s);
        for (k = s; k < sp && src[k] >= Ch.UPPER_A && src[k] <= Ch.UPPER_Z; k++);
        if (k === sp && k > s && k - s <= Len.METHOD_TOKEN_MAX && k < e &&
          (src[k + 1] === Ch.SLASH || (src[k + 1] | Ch.CASE_BIT) === Ch.LOWER_H)) err = Status.URI_TOO_LONG;
      }
      if (err) { simple(c, err, true); return e - s; }
    }
    var total = hdrLen[c] + clen[c];
    if (e - s < total) {
      // The client waits for an interim 100 before sending the body (once, HTTP/1.1 only).
      if ((flags[c] & Flag.EXPECT) && ver[c] === Ver.HTTP_1_1 && e - s === hdrLen[c]) {
        flags[c] &= ~Flag.EXPECT;
        tcp.write(c, CONTINUE_100, 0, CONTINUE_100.length);
      }
      return 0;
    }
    counters.requests++;
    served[c] = 1;
    dispatch(c, src, s);
    return total;
  }

  // ---- dispatch ----

  // The fields are set by dispatch() before each handler call.
  var req = {
    path: function (): string { return decode(req.buf, req.pathOff, req.pathEnd, false); },
    query: function (name: string): string | null { return field(req.buf, req.queryOff, req.queryEnd, name); },
    form: function (name: string): string | null {
      return req.contentType === CT_FORM ? field(req.buf, req.bodyOff, req.bodyOff + req.bodyLen, name) : null;
    },
    text: function (): string { return decodeUtf8(req.buf, req.bodyOff, req.bodyOff + req.bodyLen); },
    json: function (): any {
      try { return JSON.parse(req.text()); } catch (x) { return undefined; }
    },
  } as HttpRequest;
  var resConn = -1;       // connection the handler answers, -1 once answered
  var bStatus: number = Status.OK;      // status and type given to res.begin()
  var bType = "";

  /** The head of a handler's response into buf from off; returns its end. */
  function handlerHead(c: number, buf: Uint8Array, off: number, status: number, type: string, length: number): number {
    headStart(buf, off, status, type, length).bytes(B_NOSTORE);
    return headEnd(c);
  }

  /** A handler's response with a body by reference (bytes, or a chunk source). */
  function reply(status: number, type: string, length: number, b: Uint8Array | ChunkSource): void {
    var c = resConn;
    if (c < 0) return;
    resConn = -1;
    startSend(c, status, handlerHead(c, hdr[c], 0, status, type, length), b, 0, isHead(c) ? 0 : length);
  }

  /** The handler's answer failed (no buffer, body too big, threw, none): a plain status, closing. */
  function handlerFail(c: number, status: number): void {
    resConn = -1;
    releaseOut(c);
    xw.pos = 0;
    simple(c, status, true);
  }

  var res: HttpResponse = {
    header: function (name: string, value: string): HttpResponse {
      xw.str(name).str(": ").str(value).str(CRLF);
      return res;
    },
    send: function (status: number, type: string, b?: string | Uint8Array): void {
      if (typeof b === "string") { res.begin(status, type).utf8(b); res.end(); }
      else reply(status, type, b ? b.length : 0, b || empty);
    },
    begin: function (status: number, type: string): AsciiWriter {
      var c = resConn, k = c < 0 ? 0 : take(outUsed);
      bStatus = status; bType = type;
      if (!k) {
        if (c >= 0) bStatus = Status.UNAVAILABLE;
        return bw.reset(empty, 0, 0);
      }
      outIdx[c] = k;
      return bw.reset(outPool[k], HR, outSize);
    },
    end: function (): void {
      var c = resConn;
      if (c < 0) return;
      // no output buffer was free (503), or the body did not fit (500)
      if (bStatus === Status.UNAVAILABLE || bw.over) {
        return handlerFail(c, bStatus === Status.UNAVAILABLE ? Status.UNAVAILABLE : Status.INTERNAL_ERROR);
      }
      resConn = -1;
      var bl = bw.pos - HR, ob = bw.buf;
      // The head goes right before the body (one segment for both): measure it, then write it there.
      var hl = handlerHead(c, hdr[c], 0, bStatus, bType, bl);
      handlerHead(c, ob, HR - hl, bStatus, bType, bl);
      startSend(c, bStatus, 0, ob, HR - hl, isHead(c) ? HR : HR + bl);
    },
    stream: function (status: number, type: string, length: number, source: ChunkSource): void {
      reply(status, type, length, source);
    },
  };

  function dispatch(c: number, src: Uint8Array, s: number): void {
    var f = flags[c], mi = methodIdx[c], rt = routes[route[c]], options = mi === Mi.OPTIONS;
    // close after the response when asked to, or for HTTP/1.0 without keep-alive (RFC 9112 section 9.3)
    if ((f & Flag.CLOSE) || (ver[c] === Ver.HTTP_1_0 && !(f & Flag.KA))) closeAfter[c] = 1;
    // no route: 404, but "OPTIONS *" (the whole server) gets 204 with Allow
    if (!rt) return simple(c, options && src[s + pathOff[c]] === Ch.STAR ? Status.NO_CONTENT : Status.NOT_FOUND, false, ALLOW_ALL);
    var a = rt.asset;
    // OPTIONS: 204 with Allow; a method the route does not take: 405 with Allow
    if (options || !(rt.methods & 1 << mi)) return simple(c, options ? Status.NO_CONTENT : Status.METHOD_NOT_ALLOWED, false, rt.allow);
    if (a) {
      var gz = !!(a.gzip && f & Flag.GZIP), len = gz ? (a.gzip as Uint8Array).length : a.length, status = Status.OK;
      if (f & Flag.INM) { assetHead(a, gz, status = Status.NOT_MODIFIED, hdr[c]); len = 0; }
      else w.reset(hdr[c], 0, HR).bytes((gz ? a.head200gz : a.head200) as Uint8Array);
      return startSend(c, status, headEnd(c), gz ? a.gzip : a.source || a.body, 0, isHead(c) ? 0 : len);
    }
    req.conn = c; req.method = 1 << mi; req.methodName = METHOD_NAMES[mi]; req.version = ver[c];
    req.buf = src; req.pathOff = s + pathOff[c]; req.pathEnd = s + pathEnd[c];
    req.queryOff = s + queryOff[c]; req.queryEnd = s + queryEnd[c];
    req.bodyOff = s + hdrLen[c]; req.bodyLen = clen[c]; req.contentType = ctype[c];
    resConn = c;
    xw.reset(xArea, 0, Len.EXTRA_HEADERS);
    try {
      (rt.handler as Handler)(req, res);
    } catch (x) {
      // answered with a 500 below
    }
    req.buf = empty;
    xw.pos = 0;
    if (resConn >= 0) handlerFail(c, Status.INTERNAL_ERROR);      // threw or did not answer
  }

  /** An asset's head up to the Connection line into buf: status line, type (200 only), length,
   *  ETag, Content-Encoding (gzip 200), Vary (when it has a gzip form), Cache-Control. */
  function assetHead(a: Asset, gz: boolean, status: number, buf: Uint8Array): AsciiWriter {
    headStart(buf, 0, status, status === Status.OK ? a.type : null, gz ? (a.gzip as Uint8Array).length : a.length)
      .str("ETag: \"").str(a.etag).str(gz ? "-gz\"\r\n" : "\"\r\n");
    if (gz && status === Status.OK) w.str("Content-Encoding: gzip\r\n");
    if (a.gzip) w.str("Vary: Accept-Encoding\r\n");
    return w.str("Cache-Control: no-cache\r\n");
  }

  /** The 200 head of an asset, built once at registration (per request only the Connection line follows). */
  function head200(a: Asset, gz: boolean): Uint8Array {
    var wr = assetHead(a, gz, Status.OK, new Uint8Array(HR));
    return new Uint8Array(wr.buf.subarray(0, wr.pos));
  }

  // ---- input plumbing ----

  /** Appends src[off..off+len) to c's input buffer; returns the bytes that fit (0 when no buffer is free). */
  function stash(c: number, src: Uint8Array, off: number, len: number): number {
    if (!inIdx[c]) inIdx[c] = take(inUsed);
    if (!inIdx[c]) return 0;
    var buf = inPool[inIdx[c]], s = inStart[c], m = inEnd[c];
    if (m + len > REQUEST_MAX && s > 0) {     // compact
      buf.set(buf.subarray(s, m));
      inStart[c] = 0; inEnd[c] = m -= s;
    }
    var fit = Math.min(REQUEST_MAX - m, len);
    if (fit > 0) buf.set(src.subarray(off, off + fit), m);
    inEnd[c] += fit;
    return fit;
  }

  /** Parses requests from src[p..e) while the connection is ready for one; returns where it stopped. */
  function parseAll(c: number, src: Uint8Array, p: number, e: number): number {
    for (var got = 1; got && p < e && phase[c] === Phase.READ; p += got) got = parse(c, src, p, e);
    return p;
  }

  /** Parses what c's input buffer holds while the connection is ready for a request. */
  function drainIn(c: number): void {
    if (inIdx[c]) {
      // (a response that closes the connection releases the buffer on the way: then inEnd is 0)
      inStart[c] = parseAll(c, inPool[inIdx[c]], inStart[c], inEnd[c]);
      if (inStart[c] >= inEnd[c] || phase[c] === Phase.CLOSED) releaseIn(c);
    }
    closeIfGone(c);
  }

  /** The peer half-closed and nothing complete is waiting: close our side too. */
  function closeIfGone(c: number): void {
    if (phase[c] === Phase.READ && peerGone[c]) shut(c);
  }

  /** TCP data: returns the bytes consumed (input that does not fit behind a response in progress is left unacknowledged). */
  function onData(c: number, buf: Uint8Array, off: number, len: number): number {
    if (c >= n) return len;
    var ph = phase[c], p = off, e = off + len, fit: number;
    lastMs[c] = now;
    if (ph === Phase.REJECT) simple(c, Status.UNAVAILABLE, true);
    // CLOSED, FREE, REJECT, or a response after which the connection closes: input discarded
    if (ph !== Phase.READ && (ph !== Phase.SEND || closeAfter[c])) return len;
    if (ph === Phase.READ && !inIdx[c]) {
      // parsed in place; what is left (a split request, or pipelined behind a response) is kept
      p = parseAll(c, buf, p, e);
      ph = phase[c];
      if (p >= e || (ph !== Phase.READ && ph !== Phase.SEND)) { closeIfGone(c); return len; }
      if (ph === Phase.READ) counters.split++;
    }
    fit = stash(c, buf, p, e - p);
    // No room for more input. A request waiting for its rest gets 503 (all input consumed);
    // behind a response in progress, only what fit is consumed (TCP has the peer resend).
    if (fit < e - p) {
      if (phase[c] !== Phase.READ) return p + fit - off;
      abandon(c, Status.UNAVAILABLE);
    } else if (ph === Phase.READ) drainIn(c);
    return len;
  }

  var handler: TcpHandler = {
    open: function (c: number): void {
      if (c >= n) return;
      freeSlot(c);
      if (counters.active >= maxConn) phase[c] = Phase.REJECT;
      else { phase[c] = Phase.READ; counters.active++; counted[c] = 1; }
      closeAfter[c] = peerGone[c] = served[c] = 0;
      lastMs[c] = now;
    },
    data: onData,
    drained: function (c: number): void {
      if (c >= n || phase[c] !== Phase.SEND) return;
      pump(c);
      if ((phase[c] as Phase) === Phase.READ) drainIn(c);     // (pump() finished the response)
    },
    peerClosed: function (c: number): void {
      if (c >= n) return tcp.close(c);
      peerGone[c] = 1;
      var ph = phase[c];
      if (ph === Phase.READ) drainIn(c);
      else if (ph === Phase.REJECT || ph === Phase.FREE) shut(c);
    },
    end: function (c: number): void {
      if (c < n) freeSlot(c);
    },
  };

  function tick(t: number): void {
    now = t;
    for (var c = 0; c < n; c++) {
      var ph = phase[c], idle = t - lastMs[c];
      if (ph === Phase.READ) {
        if (reqStartMs[c] >= 0 || inIdx[c]) {
          if (reqStartMs[c] < 0) reqStartMs[c] = lastMs[c];
          if (t - reqStartMs[c] >= HEADER_TIMEOUT_MS) abandon(c, Status.REQUEST_TIMEOUT);
        } else if (!served[c]) {
          if (idle >= FIRST_REQUEST_TIMEOUT_MS) simple(c, Status.REQUEST_TIMEOUT, true);
        } else if (idle >= KEEPALIVE_IDLE_MS) shut(c);
      } else if (ph === Phase.REJECT) {
        if (idle >= FIRST_REQUEST_TIMEOUT_MS) { lastMs[c] = t; shut(c); }
      } else if (ph !== Phase.FREE && idle >= SEND_STALL_MS) {       // SEND or CLOSED making no progress
        counters.stalls++;
        tcp.abort(c);
        freeSlot(c);      // (again, when abort ended the slot at once: no harm)
      }
    }
  }

  function addRoute(path: string, methods: number, a: Asset | null, h: Handler | null, prefix: boolean): void {
    var rt: Route = {
      name: path, path: utf8Bytes(path), prefix: prefix, methods: methods, asset: a, handler: h,
      allow: METHOD_NAMES.filter(function (x: string, k: number): number { return methods & 1 << k; }).concat("OPTIONS").join(", "),
    };
    // Exact routes before prefixes (an exact path given again replaces its route); longer prefixes first.
    for (var k = 0; k < routes.length; k++) {
      var old = routes[k];
      if (!prefix && !old.prefix && old.name === path) { routes[k] = rt; return; }
      if (old.prefix && (!prefix || old.path.length < rt.path.length)) break;
    }
    routes.splice(k, 0, rt);
  }

  var server: HttpServer = {
    asset: function (path: string, b: Uint8Array | string | ChunkSource, ao?: AssetOptions, length?: number): Asset {
      var opt = ao || {}, src = typeof b === "function" ? b : null;
      var bytes = src ? null : typeof b === "string" ? utf8Bytes(b) : b as Uint8Array;
      var gz = typeof opt.gzip === "string" ? toBytes(opt.gzip) : opt.gzip || null;
      var len = bytes ? bytes.length : length || 0;
      var a = {
        body: bytes, source: src, length: len, gzip: gz, type: opt.type || mimeFor(path),
        // default ETag: CRC32 of the body, or a weak hash of a source's length; 8 hex digits
        etag: opt.etag || ("0000000" + ((bytes ? E.CRC32(bytes) : len * Etag.LENGTH_HASH) >>> 0).toString(16)).slice(-Len.ETAG_DIGITS),
      } as Asset;
      a.head200 = head200(a, false);
      if (gz !== null) a.head200gz = head200(a, true);
      addRoute(path, M_GET | M_HEAD, a, null, !!opt.prefix);
      return a;
    },
    route: function (path: string, methods: string, h: Handler, prefix?: boolean): void {
      // (no String.indexOf here: Espruino's matches a partial needle at the end of the string)
      var m = 0, names = methods.toUpperCase().replace(/ /g, "").split(",");
      for (var k = 0; k < Mi.COUNT; k++) if (names.indexOf(METHOD_NAMES[k]) >= 0) m |= 1 << k;
      addRoute(path, m & M_GET ? m | M_HEAD : m, null, h, !!prefix);
    },
    tick: tick,
    busy: false,
    handler: handler,
    counters: counters,
    phaseCounts: function (out: Uint16Array): void {
      for (var k = 0; k < Phase.COUNT; k++) out[k] = 0;
      for (k = 0; k < n; k++) out[phase[k]]++;
    },
  };
  if (o.listen !== false) tcp.listen(o.port || Default.PORT, handler);
  return server;
}

/** Percent-decodes src[a..e) ('+' as space when `plus`), UTF-8, into a string (allocates). */
function decode(src: Uint8Array, a: number, e: number, plus: boolean): string {
  var tmp = new Uint8Array(e - a), m = 0;
  for (var p = a; p < e; p++) {
    var b = src[p], hv = pctByte(src, p);
    if (b === Ch.PERCENT && p + 2 < e && hv >= 0) { b = hv; p += 2; }
    else if (b === Ch.PLUS && plus) b = Ch.SP;
    tmp[m++] = b;
  }
  return decodeUtf8(tmp, 0, m);
}

/** UTF-8 bytes to a string of Latin-1 characters (allocates; invalid sequences and characters
 *  beyond U+00FF become '?', as Espruino's 8-bit strings cannot hold them). */
function decodeUtf8(b: Uint8Array, p: number, e: number): string {
  var s = "";
  while (p < e) {
    var c = b[p++];
    if (c >= Utf8.ONE_BYTE_END) {
      // continuation bytes the lead byte announces (-1: c is itself a continuation byte)
      var need = c >= Utf8.LEAD_4 ? 3 : c >= Utf8.LEAD_3 ? 2 : c >= Utf8.LEAD_2 ? 1 : -1;
      if (need < 0 || p + need > e) c = Ch.QUESTION;
      else {
        c &= Utf8.CONT_MASK >> need;      // the lead byte's own bits
        while (need--) c = (c << Utf8.CONT_BITS) | (b[p++] & Utf8.CONT_MASK);
        if (c > Ch.LATIN1_MAX) c = Ch.QUESTION;
      }
    }
    s += String.fromCharCode(c);
  }
  return s;
}

/** The decoded value of field `name` in an urlencoded list src[a..e) (query or form body), or null. */
function field(src: Uint8Array, p: number, e: number, name: string): string | null {
  while (p < e) {
    var amp = src.indexOf(Ch.AMP, p);
    if (amp < 0 || amp > e) amp = e;
    var eq = src.indexOf(Ch.EQUALS, p);
    if (eq < 0 || eq > amp) eq = amp;
    if (decode(src, p, eq, true) === name) return eq < amp ? decode(src, eq + 1, amp, true) : "";
    p = amp + 1;
  }
  return null;
}
