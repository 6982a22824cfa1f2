// Routing: the route table (exact paths first, then prefixes, longest first), matching a request
// path against it, and dispatching a parsed request to an asset, a plain status response, or a
// handler with the server's one request and response object. The request's string helpers
// (path, query, form, text, json) allocate only when a handler calls them.

import { AsciiWriter, utf8Bytes, pctByte, Ch, Utf8, NON_ASCII } from "./ascii";
import { Asset, Handler, HttpRequest, HttpResponse, ChunkSource, Route, Fail } from "./api";
import { Status, Mi, CT_FORM, methodName } from "./status";
import { Srv, S, st, use, F, Head, Flag, Ver, Area, AssetHooks, assetHooks, take, releaseOut } from "./state";
import { headStart, connectionLine, startSend, simple } from "./respond";
import { RESPONSE_HEAD_MAX, HANDLER_BODY_MAX } from "./limits";
import { bytesToString } from "../../hal/natives";

/** "%XY" */
const enum Pct { ESCAPE_LEN = 3 }

var EMPTY = new Uint8Array(0);

/** Adds a route: exact routes before prefixes (an exact path given again replaces its route),
 *  longer prefixes first. */
export function addRoute(path: string, methods: number, a: Asset | null, h: Handler | null, prefix: boolean): void {
  var names: string[] = [];
  for (var m = 0; m < Mi.COUNT; m++) if (methods & 1 << m) names.push(methodName(m));
  names.push("OPTIONS");
  var rt: Route = {
    // (join: a compact string, where appending leaves spare room in it on Espruino)
    name: path, path: utf8Bytes(path), prefix: prefix, methods: methods, asset: a, handler: h, allow: names.join(", "),
  };
  var routes = S.routes;
  for (var k = 0; k < routes.length; k++) {
    var old = routes[k];
    if (!prefix && !old.prefix && old.name === path) { routes[k] = rt; return; }
    if (old.prefix && (!prefix || old.path.length < rt.path.length)) break;
  }
  routes.splice(k, 0, rt);
}

/** The index of the first route the percent-decoded path src[p..e) matches (routes.length: none);
 *  path: that path as a string when it has no escape (null otherwise). */
export function findRoute(src: Uint8Array, p: number, e: number, path: string | null): number {
  var routes = S.routes, k: number;
  // without escapes (the usual case) each ASCII route is one string comparison
  for (k = 0; k < routes.length; k++) {
    var rt = routes[k], name = rt.name;
    if (path !== null && rt.path.length === name.length ? (rt.prefix ? path.length >= name.length && path.substr(0, name.length) === name : path === name) :
      pathMatch(src, p, e, rt)) {
      break;
    }
  }
  return k;
}

/** The percent-decoded path src[p..e) equals (or, for a prefix route, starts with) the route's path. */
function pathMatch(src: Uint8Array, p: number, e: number, rt: Route): boolean {
  var rb = rt.path, k = 0;
  while (p < e) {
    var b = src[p];
    if (b === Ch.PERCENT) { b = pctByte(src, p); p += Pct.ESCAPE_LEN; } else p++;
    if (k >= rb.length) return rt.prefix;
    if (b !== rb[k++]) return false;
  }
  return k === rb.length;
}

/** Answers the parsed request on c, whose bytes start at src[s0]. */
export function dispatch(c: number, src: Uint8Array, s0: number): void {
  var r = c * F.COUNT, f = st[r + F.FLAGS], mi = st[r + F.METHOD], rt = S.routes[st[r + F.ROUTE]];
  var options = mi === Mi.OPTIONS;
  // close after the response when asked to, or for HTTP/1.0 without keep-alive (RFC 9112 section 9.3)
  if ((f & Flag.CLOSE) || (st[r + F.VER] === Ver.HTTP_1_0 && !(f & Flag.KA))) st[r + F.CLOSE_AFTER] = 1;
  // no route: 404, but "OPTIONS *" (the whole server) gets 204 with Allow
  if (!rt) return simple(c, options && src[s0 + st[r + F.PATH_OFF]] === Ch.STAR ? Status.NO_CONTENT : Status.NOT_FOUND, false);
  // OPTIONS: 204 with Allow; a method the route does not take: 405 with Allow
  if (options || !(rt.methods & 1 << mi)) return simple(c, options ? Status.NO_CONTENT : Status.METHOD_NOT_ALLOWED, false);
  if (rt.asset) return (assetHooks as AssetHooks).send(c, rt.asset);      // (only assets.ts gives a route one)
  var req = S.req;
  req.conn = c; req.method = 1 << mi; req.methodName = methodName(mi); req.version = st[r + F.VER];
  req.buf = src; req.pathOff = s0 + st[r + F.PATH_OFF]; req.pathEnd = s0 + st[r + F.PATH_END];
  req.queryOff = s0 + st[r + F.QUERY_OFF]; req.queryEnd = s0 + st[r + F.QUERY_END];
  req.bodyOff = s0 + st[r + F.HDR_LEN]; req.bodyLen = st[r + F.CLEN]; req.contentType = st[r + F.CTYPE];
  var s = S;
  s.resConn = c;
  s.xLen = 0;
  s.headOf = -1;      // (the head area takes the handler's extra headers)
  s.bw.reset(EMPTY, 0, 0);
  var threw = false;
  try {
    (rt.handler as Handler)(req, s.res);
  } catch (x) {
    // answered with a 500 below (unless it answered before throwing)
    use(s);
    threw = true;
    fail(Fail.THREW, x);
  }
  use(s);       // (the handler may have used another server)
  if (S.resConn >= 0) {      // threw, or did not answer
    if (!threw) fail(S.bw.over && S.bw.end > 0 ? Fail.OVER : Fail.MUTE);
    handlerFail(c, Status.INTERNAL_ERROR);
  }
  req.buf = EMPTY;
  S.xLen = 0;
}

/** Tells the server's `failed` (when set: the library's server names the request on the console)
 *  why a handler's request was answered 500 (Fail); x: what it threw. */
function fail(why: number, x?: any): void {
  var api = S.api;
  if (api.failed) api.failed(why, S.req, x);
}

// ---- the handler's response ----

// The response's methods (shared; `this.s` is the server's state).
interface Res extends HttpResponse { s: Srv }

/** The head of a handler's response into buf from off (one string, unless the handler added
 *  headers: then they and the blank line follow); returns its end. */
function handlerHead(c: number, buf: Uint8Array, off: number, status: number, type: string, length: number): number {
  var x = S.xLen, w = headStart(buf, off, status, type, length, "Cache-Control: no-store\r\n" + connectionLine(c) + (x > 0 ? "" : "\r\n"));
  if (x > 0) w.bytes(S.head.subarray(0, x)).str("\r\n");
  return w.pos;
}

/** A handler's response with a body by reference (bytes, or a chunk source: res.stream() and
 *  res.send() with bytes): its head goes into an output buffer (503 when none is free). */
function resStream(this: Res, status: number, type: string, length: number, b: Uint8Array | ChunkSource): void {
  use(this.s);
  var c = S.resConn, k = c < 0 ? 0 : take(S.outUsed);
  if (c < 0) return;
  if (!k) return handlerFail(c, Status.UNAVAILABLE);
  S.resConn = -1;
  st[c * F.COUNT + F.OUT_IDX] = k;
  var hl = handlerHead(c, S.outPool[k], 0, status, type, length);
  startSend(c, status, Head.BUFFER, hl, b, 0, st[c * F.COUNT + F.METHOD] === Mi.HEAD ? 0 : length);
}

/** The handler's answer failed (no buffer, body too big, threw, none): a plain status, closing. */
function handlerFail(c: number, status: number): void {
  S.resConn = -1;
  releaseOut(c);
  S.xLen = 0;
  simple(c, status, true);
}


function resHeader(this: Res, name: string, value: string): HttpResponse {
  use(this.s);
  S.xLen = S.w.reset(S.head, S.xLen, Area.EXTRA_HEADERS).str(name).str(": ").str(value).str("\r\n").pos;
  return this;
}

function resSend(this: Res, status: number, type: string, b?: string | Uint8Array): void {
  use(this.s);
  if (typeof b === "string") { this.begin(status, type).utf8(b); this.end(); }
  else this.stream(status, type, b ? b.length : 0, (b || EMPTY) as any);
}

function resBegin(this: Res, status: number, type: string): AsciiWriter {
  use(this.s);
  var c = S.resConn, k = c < 0 ? 0 : take(S.outUsed);
  S.bStatus = status; S.bType = type;
  if (!k) {
    if (c >= 0) S.bStatus = Status.UNAVAILABLE;
    return S.bw.reset(EMPTY, 0, 0);
  }
  st[c * F.COUNT + F.OUT_IDX] = k;
  return S.bw.reset(S.outPool[k], RESPONSE_HEAD_MAX, RESPONSE_HEAD_MAX + HANDLER_BODY_MAX);
}

function resEnd(this: Res): void {
  use(this.s);
  var c = S.resConn, bw = S.bw, HR = RESPONSE_HEAD_MAX;
  if (c < 0) return;
  // no output buffer was free (503), or the body did not fit (500)
  if (S.bStatus === Status.UNAVAILABLE || bw.over) {
    if (S.bStatus !== Status.UNAVAILABLE) fail(Fail.OVER);
    return handlerFail(c, S.bStatus === Status.UNAVAILABLE ? Status.UNAVAILABLE : Status.INTERNAL_ERROR);
  }
  S.resConn = -1;
  var bl = bw.pos - HR, ob = bw.buf;
  // The head goes right before the body (one segment for both): written at the start of the
  // output buffer (which measures it), then copied there with one native copy (written there
  // again when the two places overlap: a head over half the head area).
  var hl = handlerHead(c, ob, 0, S.bStatus, S.bType, bl);
  if (hl + hl <= HR) ob.set(ob.subarray(0, hl), HR - hl);
  else handlerHead(c, ob, HR - hl, S.bStatus, S.bType, bl);
  startSend(c, S.bStatus, Head.BUFFER, 0, ob, HR - hl, st[c * F.COUNT + F.METHOD] === Mi.HEAD ? HR : HR + bl);
}

// The request's string helpers (they allocate; `this` is the request).

/** res.json(value, status): the value as JSON (status 200 unless given). */
function resJson(this: Res, v: any, status?: number): void {
  this.send(status || Status.OK, "application/json", JSON.stringify(v));
}

function reqPath(this: HttpRequest): string { return decode(this.buf, this.pathOff, this.pathEnd, false); }
function reqQuery(this: HttpRequest, name: string): string | null { return field(this.buf, this.queryOff, this.queryEnd, name); }
function reqForm(this: HttpRequest, name: string): string | null {
  return this.contentType === CT_FORM ? field(this.buf, this.bodyOff, this.bodyOff + this.bodyLen, name) : null;
}
function reqText(this: HttpRequest): string { return decodeUtf8(this.buf, this.bodyOff, this.bodyOff + this.bodyLen); }
function reqJson(this: HttpRequest): any {
  try { return JSON.parse(this.text()); } catch (x) { return undefined; }
}

/** The server's one request and one response object (their fields are set per request). */
export function createHandlerObjects(): void {
  S.req = {
    conn: 0, method: 0, methodName: "", version: 0, buf: EMPTY, pathOff: 0, pathEnd: 0, queryOff: 0, queryEnd: 0,
    bodyOff: 0, bodyLen: 0, contentType: 0,
    path: reqPath, query: reqQuery, form: reqForm, text: reqText, json: reqJson,
  };
  var res: Res = { s: S, header: resHeader, send: resSend, begin: resBegin, end: resEnd, stream: resStream, json: resJson };
  S.res = res;
}

// ---- decoding (allocates: only when a handler asks) ----

/** Percent-decodes src[a..e) ('+' as space when `plus`), UTF-8, into a string (allocates). */
function decode(src: Uint8Array, a: number, e: number, plus: boolean): string {
  var p = src.indexOf(Ch.PERCENT, a), q = plus ? src.indexOf(Ch.PLUS, a) : -1;
  // nothing to decode (the usual case): one native conversion when ASCII
  if ((p < 0 || p >= e) && (q < 0 || q >= e)) return decodeUtf8(src, a, e);
  var tmp = new Uint8Array(e - a), m = 0;
  for (p = a; p < e; p++) {
    var b = src[p], hv = pctByte(src, p);
    if (b === Ch.PERCENT && p + 2 < e && hv >= 0) { b = hv; p += 2; }
    else if (b === Ch.PLUS && plus) b = Ch.SP;
    tmp[m++] = b;
  }
  return decodeUtf8(tmp, 0, m);
}

/** UTF-8 bytes to a string of Latin-1 characters (allocates; invalid sequences and characters
 *  beyond U+00FF become '?', as Espruino's 8-bit strings cannot hold them). ASCII (the usual
 *  case): one native conversion. */
function decodeUtf8(b: Uint8Array, p: number, e: number): string {
  if (e <= p) return "";
  var ascii = bytesToString(b.subarray(p, e));
  if (!NON_ASCII.test(ascii)) return ascii;
  var out = "";
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
    out += String.fromCharCode(c);
  }
  return out;
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
