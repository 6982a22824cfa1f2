// Request parsing, in place in the bytes TCP delivered (or in an input buffer when a request is
// split or pipelined): the request line (RFC 9112 section 3), the header lines the server reads
// (section 5), then the body by Content-Length. Lines are found with native searches; the
// request line's pieces are checked as strings (one native conversion each).

import { same, pctByte, Ch } from "./ascii";
import { Status, Mi, CT_FORM, CT_JSON, CT_OTHER, methodName } from "./status";
import { S, st, tm, F, T, Flag, Ver, Phase, Hdr, Tok, assetHooks } from "./state";
import { simple } from "./respond";
import { findRoute, dispatch } from "./routing";
import { REQUEST_LINE_MAX, HEADERS_MAX, BODY_MAX } from "./limits";
import { bytesToString, stringToBytes } from "../../hal/natives";

/** The version after the request line's second space (at sp2): "HTTP/d.d", offsets from sp2. */
const enum V { NAME = 1, MAJOR = 6, MINOR = 8 }

/** Lengths of fixed pieces of the syntax. */
const enum Len {
  /** "http" of an absolute-form target. */
  HTTP_SCHEME = 4,
  /** "application/x-www-form-urlencoded", "application/json". */
  FORM_TYPE = 33,
  JSON_TYPE = 16,
  /** A Content-Length of more digits: 413 at once (9 digits cannot overflow the sum). */
  LENGTH_DIGITS_MAX = 9,
  /** An over-long line starting with an upper-case token up to this long, a space and a
   *  target gets 414 (the longest method, CONNECT and OPTIONS, has 7 letters). */
  METHOD_TOKEN_MAX = 8,
}

/** The header (Hdr) a lower-case name is, Hdr.NONE for one the server does not read. */
function headerIndex(name: string): number {
  // (the usual ones first: a switch compares its cases in order)
  switch (name) {
    case "host": return Hdr.HOST;
    case "connection": return Hdr.CONNECTION;
    case "accept-encoding": return Hdr.ACCEPT_ENCODING;
    case "if-none-match": return Hdr.IF_NONE_MATCH;
    case "content-length": return Hdr.CONTENT_LENGTH;
    case "content-type": return Hdr.CONTENT_TYPE;
    case "transfer-encoding": return Hdr.TRANSFER_ENCODING;
    case "expect": return Hdr.EXPECT;
  }
  return Hdr.NONE;
}

/** A method with a character that is not visible ASCII (RFC 5234 VCHAR), a target with one
 *  (control characters, space, non-ASCII) or with a fragment (never sent). */
var BAD_METHOD = /[^\x21-\x7e]/;
var BAD_TARGET = /[^\x21-\x7e]|#/;
var DIGITS = /^[0-9]+$/;

/** Parses the request line src[s..e) (without its line end) of c. Returns 0 or an error status.
 *  The line is read as one string (one native conversion): every search in it is a native
 *  string search bounded by the line (a typed array's indexOf that finds nothing walks the
 *  whole buffer, twice, on Espruino). */
function requestLine(c: number, src: Uint8Array, s: number, e: number): number {
  var r = c * F.COUNT, line = bytesToString(src.subarray(s, e));
  var sp1 = line.indexOf(" "), sp2 = line.indexOf(" ", sp1 + 1), k: number;
  // method SP request-target SP HTTP-version, one space each (RFC 9112 section 3)
  // (no second space: the version test below fails on the whole line)
  if (sp1 <= 0 || sp2 === sp1 + 1) return Status.BAD_REQUEST;      // no method, no target
  var method = line.substring(0, sp1);
  if (BAD_METHOD.test(method)) return Status.BAD_REQUEST;          // the method: visible characters
  // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3; the name is case-sensitive)
  var ver = line.substring(sp2 + V.NAME), maj = ver[V.MAJOR - V.NAME], min = ver[V.MINOR - V.NAME];
  if (!DIGITS.test(maj + min) || ver !== "HTTP/" + maj + "." + min) return Status.BAD_REQUEST;
  if (maj !== "1") return Status.VERSION_NOT_SUPPORTED;
  // a later 1.x is answered as 1.1 (RFC 9110 section 2.5)
  st[r + F.VER] = min !== "0" ? Ver.HTTP_1_1 : Ver.HTTP_1_0;
  for (k = 0; k < Mi.COUNT && methodName(k) !== method; k++);       // (case-sensitive)
  if (k === Mi.COUNT) return Status.NOT_IMPLEMENTED;
  st[r + F.METHOD] = k;
  // target: origin-form, absolute-form http://host/path, or asterisk-form for OPTIONS (RFC 9112 section 3.2)
  var target = line.substring(sp1 + 1, sp2), t = 0, q: number;     // (t, q: offsets in target)
  st[r + F.PATH_OFF] = sp1 + 1;
  if (target.charCodeAt(0) !== Ch.SLASH) {
    if (target.substr(0, Len.HTTP_SCHEME).toLowerCase() !== "http") {
      if (k === Mi.OPTIONS && target === "*") return 0;    // "OPTIONS *"
      return Status.BAD_REQUEST;
    }
    var ss = target.indexOf("/");                 // "http://host/path": skip to the third '/'
    if (ss < 0 || target.charCodeAt(ss + 1) !== Ch.SLASH) return Status.BAD_REQUEST;
    t = target.indexOf("/", ss + 2);        // the path starts at the first '/' after "//host"
    if (t < 0) return Status.BAD_REQUEST;
  }
  if (BAD_TARGET.test(target)) return Status.BAD_REQUEST;
  // '%' not followed by two hex digits inside the target (RFC 3986 section 2.1)
  var pct = target.indexOf("%", t);
  for (k = pct; k >= 0; k = target.indexOf("%", k + 1)) {
    if (k + 2 >= target.length || pctByte(src, s + sp1 + 1 + k) < 0) return Status.BAD_REQUEST;
  }
  q = target.indexOf("?", t);                         // the first '?' starts the query
  if (q < 0) q = target.length;
  k = s + sp1 + 1;     // the target's first byte in src
  st[r + F.PATH_OFF] = sp1 + 1 + t; st[r + F.PATH_END] = sp1 + 1 + q;
  st[r + F.QUERY_OFF] = sp1 + 1 + (q < target.length ? q + 1 : q); st[r + F.QUERY_END] = sp2;
  // the path as a string when it has no escape (the usual case), else decoded from the bytes
  st[r + F.ROUTE] = findRoute(src, k + t, k + q, pct < 0 || pct >= q ? target.substring(t, q) : null);      // (routes.length: none)
  return 0;
}

/** One header line src[a..e) (no line end) of c. Returns 0 or an error status. */
function headerLine(c: number, src: Uint8Array, a: number, e: number): number {
  var r = c * F.COUNT;
  var b = src[a], colon = src.indexOf(Ch.COLON, a);
  if (b === Ch.SP || b === Ch.TAB ||                  // obsolete line folding (RFC 9112 section 5.2)
    colon <= a || colon >= e ||                       // no colon in this line, or no name
    (b = src[colon - 1]) === Ch.SP || b === Ch.TAB) { // whitespace before the colon (RFC 9112 section 5.1)
    return Status.BAD_REQUEST;
  }
  var h = headerIndex(bytesToString(src.subarray(a, colon)).toLowerCase());
  if (h === Hdr.NONE) return 0;      // not a header this server reads
  var v = colon + 1, ve = e, f = st[r + F.FLAGS], seen = f & (Flag.SEEN << h);
  // the value without the optional whitespace around it (RFC 9112 section 5.1)
  while (v < e && (src[v] === Ch.SP || src[v] === Ch.TAB)) v++;
  while (ve > v && (src[ve - 1] === Ch.SP || src[ve - 1] === Ch.TAB)) ve--;
  switch (h) {
    case Hdr.CONTENT_LENGTH:
      if (ve === v) return Status.BAD_REQUEST;
      if (ve - v > Len.LENGTH_DIGITS_MAX) return Status.CONTENT_TOO_LARGE;
      var digits = bytesToString(src.subarray(v, ve));
      if (!DIGITS.test(digits)) return Status.BAD_REQUEST;
      var len = parseInt(digits, 10);
      // a repeated Content-Length must repeat the same value (RFC 9112 section 6.3)
      if (seen && st[r + F.CLEN] !== len) return Status.BAD_REQUEST;
      st[r + F.CLEN] = len;
      break;
    case Hdr.CONNECTION:
      if (hasToken(src, v, ve, "close") === Tok.LISTED) f |= Flag.CLOSE;
      if (hasToken(src, v, ve, "keep-alive") === Tok.LISTED) f |= Flag.KA;
      break;
    case Hdr.ACCEPT_ENCODING:
    case Hdr.IF_NONE_MATCH:
      // read for assets only (assets.ts; without them no route has one)
      if (assetHooks) f = assetHooks.header(c, h, src, v, ve, f);
      break;
    case Hdr.CONTENT_TYPE:
      // the media type, case-insensitive, parameters allowed after it: one native conversion
      // and compares of prefixes (no loop per byte)
      var type = bytesToString(src.subarray(v, ve)).toLowerCase();
      st[r + F.CTYPE] = type.substr(0, Len.FORM_TYPE) === "application/x-www-form-urlencoded" ? CT_FORM :
        type.substr(0, Len.JSON_TYPE) === "application/json" ? CT_JSON : CT_OTHER;
      break;
    case Hdr.HOST:
      if (seen) return Status.BAD_REQUEST;       // more than one Host (RFC 9112 section 3.2)
      break;
    case Hdr.EXPECT:
      if (!same(src, v, ve, "100-continue", true)) return Status.EXPECTATION_FAILED;
      f |= Flag.EXPECT;
  }
  st[r + F.FLAGS] = f | Flag.SEEN << h;
  return 0;
}

/** Looks for token t (lower case; matched case-insensitively) in a comma-separated list
 *  src[p..e): ABSENT, LISTED, or Q_ZERO (listed with q=0: "not acceptable", RFC 9110 section
 *  12.4.2). The list is read as one string: native searches, no loop per byte. */
export function hasToken(src: Uint8Array, p: number, e: number, t: string): number {
  var v = bytesToString(src.subarray(p, e)).toLowerCase(), n = t.length, k = -1, a: number, q0: boolean;
  if (v === t) return Tok.LISTED;       // the token alone (the usual "Connection: keep-alive")
  while ((k = v.indexOf(t, k + 1)) >= 0 && v.substr(k, n) === t) {
    // a whole list element: only whitespace back to a comma (or the start), and the token ends
    // at the end, a comma, a parameter or whitespace
    // (string compares, no regular expressions: each costs about 12 variables at module level)
    for (a = k; a > 0 && (v[a - 1] === " " || v[a - 1] === "\t"); a--);
    if ((a && v[a - 1] !== ",") || ",; \t".indexOf(v[k + n] || ",") < 0) continue;
    // its parameters up to the next comma: the last "q=" after ';' or ' ' decides q=0[.000]
    for (q0 = false, a = k + n; (a = v.indexOf("q=", a + 1)) >= 0 && v.substr(a, 2) === "q=" && v.lastIndexOf(",", a) < k;) {
      if (v[a - 1] === ";" || v[a - 1] === " ") q0 = v[a + 2] === "0" && parseFloat(v.substr(a + 2)) === 0;
    }
    return q0 ? Tok.Q_ZERO : Tok.LISTED;
  }
  return Tok.ABSENT;
}

/**
 * Parses (more of) the request at src[s..e) on c. Returns the bytes consumed: a whole request
 * (it has been answered or its answer has started), leading blank lines, or everything after a
 * fatal error; 0 when the request is not complete yet (state kept relative to s).
 */
export function parse(c: number, src: Uint8Array, s: number, e: number): number {
  var r = c * F.COUNT, le = st[r + F.LINE_END], err = 0, tr = c * T.COUNT;
  if (!le) {        // (then no line has been scanned yet)
    var k = s;
    // empty lines before a request line are ignored (RFC 9112 section 2.2)
    while (k < e && (src[k] === Ch.CR || src[k] === Ch.LF)) k++;
    if (k > s) return k - s;
  }
  if (tm[tr + T.REQ_START] < 0) tm[tr + T.REQ_START] = S.now;
  if (!st[r + F.HDR_LEN]) {
    for (var ls = st[r + F.SCAN]; !err; ls = L) {
      var lf = src.indexOf(Ch.LF, s + ls);
      if (lf < 0 || lf >= e) {
        // no line end yet: stop when the line is already over its limit (+ 1: its CR may be here)
        if (le ? e - s - le > HEADERS_MAX + 1 : e - s > REQUEST_LINE_MAX + 1) break;
        st[r + F.SCAN] = ls;
        return 0;
      }
      var L = lf + 1 - s, ll = lf - s - ls;          // line length without CRLF
      if (ll > 0 && src[lf - 1] === Ch.CR) ll--;
      if (!le) {
        if (ll > REQUEST_LINE_MAX) break;
        err = requestLine(c, src, s, s + ll);
        st[r + F.LINE_END] = le = L;
      } else if (!ll) { st[r + F.HDR_LEN] = L; break; }
      else if (L - le > HEADERS_MAX) err = Status.HEADERS_TOO_LARGE;
      else err = headerLine(c, src, s + ls, s + ls + ll);
    }
    var f = st[r + F.FLAGS];
    if (!err) {     // (else the request line or a header line was refused)
      // no blank line within the limits: the headers too long, or the request line (414 below)
      if (!st[r + F.HDR_LEN]) err = le ? Status.HEADERS_TOO_LARGE : Status.BAD_REQUEST;
      else if (f & Flag.SEEN << Hdr.TRANSFER_ENCODING) err = Status.NOT_IMPLEMENTED;   // no chunked bodies
      else if (st[r + F.VER] === Ver.HTTP_1_1 && !(f & Flag.SEEN << Hdr.HOST)) err = Status.BAD_REQUEST;  // RFC 9112 section 3.2
      else if (st[r + F.CLEN] > BODY_MAX) err = Status.CONTENT_TOO_LARGE;
      else if (S.api.busy) err = Status.UNAVAILABLE;
    }
    if (err === Status.BAD_REQUEST && !le) {
      // (only a request line too long has no LINE_END here) 414 when it starts like one: an
      // upper-case method, a space, then "/" or "http..."
      var sp = src.indexOf(Ch.SP, s);
      for (k = s; k < sp && src[k] >= Ch.UPPER_A && src[k] <= Ch.UPPER_Z; k++);
      if (k === sp && k > s && k - s <= Len.METHOD_TOKEN_MAX && k < e &&
        (src[k + 1] === Ch.SLASH || (src[k + 1] | Ch.CASE_BIT) === Ch.LOWER_H)) err = Status.URI_TOO_LONG;
    }
    if (err) { simple(c, err, true); return e - s; }
  }
  var total = st[r + F.HDR_LEN] + st[r + F.CLEN];
  if (e - s < total) {
    // The client waits for an interim 100 before sending the body (once, HTTP/1.1 only).
    if ((st[r + F.FLAGS] & Flag.EXPECT) && st[r + F.VER] === Ver.HTTP_1_1 && e - s === st[r + F.HDR_LEN]) {
      st[r + F.FLAGS] &= ~Flag.EXPECT;
      var cont = stringToBytes("HTTP/1.1 100 Continue\r\n\r\n");
      S.tcp.write(c, cont, 0, cont.length);
    }
    return 0;
  }
  S.cnt.requests++;
  st[r + F.SERVED] = 1;
  dispatch(c, src, s);
  return total;
}

/** Parses requests from src[p..e) while c is ready for one; returns where it stopped. */
export function parseAll(c: number, src: Uint8Array, p: number, e: number): number {
  for (var got = 1; got && p < e && st[c * F.COUNT + F.PHASE] === Phase.READ; p += got) got = parse(c, src, p, e);
  return p;
}
