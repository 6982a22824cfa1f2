// Static assets (the server's optional part: the library's "files" piece, and the demo): bodies
// registered once with server.asset() (bytes, possibly memory-mapped flash, or a chunk source),
// their 200 heads built at registration, ETag and If-None-Match (304), a gzip representation
// chosen by Accept-Encoding. The core server (server.ts, parse.ts, respond.ts, routing.ts) reaches
// this file only through the hooks enableAssets() sets (state.ts: assetHooks), so a server
// without assets carries none of it.

import { toBytes, utf8Bytes, same, AsciiWriter, Ch } from "./ascii";
import { Asset, AssetOptions, ChunkSource, HttpServer } from "./api";
import { Status, Mi, M_GET, M_HEAD, mimeFor } from "./status";
import { Srv, S, st, use, F, Flag, Head, AssetHooks, Hdr, Tok, setAssetHooks } from "./state";
import { headStart, headEnd, startSend } from "./respond";
import { addRoute } from "./routing";
import { hasToken } from "./parse";
import { RESPONSE_HEAD_MAX } from "./limits";
import { crc32 } from "../../hal/natives";

/** Lengths and numbers of assets. */
const enum Etag {
  /** A default ETag: 8 hex digits. */
  DIGITS = 8,
  /** A weak default ETag for a chunk source: its length times a prime near 2^32 / golden ratio (Knuth's multiplicative hash). */
  LENGTH_HASH = 2654435761,
  /** "-gz": the suffix of a gzip representation's ETag. */
  GZ_TAG = 3,
}

/** An asset's head up to the Connection line into buf: status line, type (200 only), length,
 *  ETag, Content-Encoding (gzip 200), Vary (when it has a gzip form), Cache-Control. */
export function assetHead(a: Asset, gz: boolean, status: number, buf: Uint8Array): AsciiWriter {
  return headStart(buf, 0, status, status === Status.OK ? a.type : null, gz ? (a.gzip as Uint8Array).length : a.length,
    "ETag: \"" + a.etag + (gz ? "-gz\"\r\n" : "\"\r\n") + (gz && status === Status.OK ? "Content-Encoding: gzip\r\n" : "") +
    (a.gzip ? "Vary: Accept-Encoding\r\n" : "") + "Cache-Control: no-cache\r\n");
}

/** Builds c's asset head (its route's asset, gzip when the request allows it and the asset has
 *  that form) into the shared head area; returns its length. */
function assetHeadOf(c: number): number {
  var r = c * F.COUNT, a = S.routes[st[r + F.ROUTE]].asset as Asset, gz = !!(a.gzip && st[r + F.FLAGS] & Flag.GZIP);
  if (st[r + F.STATUS] === Status.NOT_MODIFIED) assetHead(a, gz, Status.NOT_MODIFIED, S.head);
  else S.w.reset(S.head, 0, RESPONSE_HEAD_MAX).bytes((gz ? a.head200gz : a.head200) as Uint8Array);
  return headEnd(c);
}

/** An asset response on c (200, or 304 when If-None-Match matched). */
function sendAsset(c: number, a: Asset): void {
  var r = c * F.COUNT, gz = !!(a.gzip && st[r + F.FLAGS] & Flag.GZIP);
  var status = st[r + F.FLAGS] & Flag.INM ? Status.NOT_MODIFIED : Status.OK;
  var len = status === Status.OK && st[r + F.METHOD] !== Mi.HEAD ? (gz ? (a.gzip as Uint8Array).length : a.length) : 0;
  st[r + F.STATUS] = status;
  S.headOf = -1;
  var hl = assetHeadOf(c);
  S.headOf = c;
  startSend(c, status, Head.ASSET, hl, gz ? a.gzip : a.source || a.body, 0, len);
}

/** The request headers only assets read (Accept-Encoding, If-None-Match), value src[v..ve) on
 *  c: returns the request flags f with GZIP or INM added. */
function assetHeader(c: number, h: number, src: Uint8Array, v: number, ve: number, f: number): number {
  if (h === Hdr.ACCEPT_ENCODING) {
    // gzip listed, or not named at all and "*" listed (RFC 9110 section 12.5.3)
    var g = hasToken(src, v, ve, "gzip");
    if (g === Tok.LISTED || (g === Tok.ABSENT && hasToken(src, v, ve, "*") === Tok.LISTED)) f |= Flag.GZIP;
    return f;
  }
  // If-None-Match against the route's asset ETag: "*", "<etag>", "<etag>-gz", weak tags and lists
  var rt = S.routes[st[c * F.COUNT + F.ROUTE]], asset = rt ? rt.asset : null;
  for (var p = v; asset !== null && p < ve; p++) {
    if (src[p] === Ch.STAR) return f | Flag.INM;
    if (src[p] === Ch.DQUOTE) {
      var q = src.indexOf(Ch.DQUOTE, p + 1);
      if (q < 0 || q >= ve) break;
      if (same(src, p + 1, q, asset.etag) ||
        (same(src, p + 1, q - Etag.GZ_TAG, asset.etag) && same(src, q - Etag.GZ_TAG, q, "-gz"))) {
        return f | Flag.INM;
      }
      p = q;
    }
  }
  return f;
}

var HOOKS: AssetHooks = { send: sendAsset, head: assetHeadOf, header: assetHeader };

// ---- the server's asset() (called as a method: `this.s` is the state) ----
interface Server extends HttpServer { s: Srv }

function serverAsset(this: Server, path: string, b: Uint8Array | string | ChunkSource, ao?: AssetOptions, length?: number): Asset {
  use(this.s);
  /** The 200 head of the asset, built once here (per request only the Connection line follows).
   *  (Nested: a start-up helper exists only while asset() runs.) */
  function head200(a: Asset, gz: boolean): Uint8Array {
    var wr = assetHead(a, gz, Status.OK, new Uint8Array(RESPONSE_HEAD_MAX));
    return new Uint8Array(wr.buf.subarray(0, wr.pos));
  }
  var opt = ao || {}, src = typeof b === "function" ? b : null;
  var bytes = src ? null : typeof b === "string" ? utf8Bytes(b) : b as Uint8Array;
  var gz = typeof opt.gzip === "string" ? toBytes(opt.gzip) : opt.gzip || null;
  var len = bytes ? bytes.length : length || 0;
  var a = {
    body: bytes, source: src, length: len, gzip: gz, type: opt.type || mimeFor(path),
    // default ETag: CRC32 of the body, or a weak hash of a source's length; 8 hex digits
    etag: opt.etag || ("0000000" + ((bytes ? crc32(bytes) : len * Etag.LENGTH_HASH) >>> 0).toString(16)).slice(-Etag.DIGITS),
  } as Asset;
  a.head200 = head200(a, false);
  if (gz !== null) a.head200gz = head200(a, true);
  addRoute(path, M_GET | M_HEAD, a, null, !!opt.prefix);
  return a;
}

/** Gives a server (createServerCore) its asset() method and the server its asset hooks. Start-up only. */
export function enableAssets(server: HttpServer): HttpServer {
  setAssetHooks(HOOKS);
  server.asset = serverAsset;
  return server;
}
