// Response writing: heads (status line, type, length, Connection, the handler's extra headers),
// plain status responses, and the pump that hands a head and a body to TCP as fast as it takes
// them (back-pressure: TCP calls drained(), the server pumps again). Heads of plain status
// responses and assets are rebuilt into the server's one head area when TCP could not take them
// at once, so a connection keeps no head of its own.

import { AsciiWriter, toBytes } from "./ascii";
import { ChunkSource, Route } from "./api";
import { Status, Mi, statusText } from "./status";
import { S, st, tm, use, F, T, Phase, Head, Ver, AssetHooks, assetHooks, releaseIn, releaseOut, resetRequest } from "./state";
import { RESPONSE_HEAD_MAX, WRITE_PIECE_MAX } from "./limits";

/** Lengths of fixed pieces of responses. */
const enum Resp {
  /** The body of a plain status response is "<3-digit code> <reason>\n": the reason and 5 bytes. */
  STATUS_BODY_EXTRA = 5,
}

/** Status line, Content-Type (unless null), Content-Length (not for 204/304), then `more` (the
 *  caller's header lines, and whatever follows when it is known as text) into
 *  buf[off..RESPONSE_HEAD_MAX), with the server's head writer (returned). One string, written
 *  with one native copy (a few statements per response, not one call per piece). */
export function headStart(buf: Uint8Array, off: number, status: number, type: string | null, length: number, more: string): AsciiWriter {
  var text = status === Status.OK ? "OK" : statusText(status);
  if (!text) text = statusText(status = Status.INTERNAL_ERROR);
  return S.w.reset(buf, off, RESPONSE_HEAD_MAX).str("HTTP/1.1 " + status + " " + text + "\r\n" +
    (type !== null ? "Content-Type: " + type + "\r\n" : "") +
    (status !== Status.NOT_MODIFIED && status !== Status.NO_CONTENT ? "Content-Length: " + length + "\r\n" : "") + more);
}

/** The Connection line c's response needs: close (it closes after), keep-alive (an HTTP/1.0
 *  client asked for it), else none (HTTP/1.1 keeps the connection by default). */
export function connectionLine(c: number): string {
  var b = c * F.COUNT;
  return st[b + F.CLOSE_AFTER] ? "Connection: close\r\n" : st[b + F.VER] === Ver.HTTP_1_0 ? "Connection: keep-alive\r\n" : "";
}

/** The Connection line and the blank line after a head written so far; returns the head's end. */
export function headEnd(c: number): number {
  return S.w.str(connectionLine(c) + "\r\n").pos;
}

/** Builds c's plain status response (head and short body) into the shared head area; returns
 *  its length. (One string: the head with its Allow or Retry-After line, the Connection line,
 *  the blank line and the body.) */
function simpleHeadOf(c: number): number {
  var b = c * F.COUNT, status = st[b + F.STATUS], text = statusText(status), hasBody = status !== Status.NO_CONTENT, rt: Route;
  return headStart(S.head, 0, status, hasBody ? "text/plain; charset=utf-8" : null, text.length + Resp.STATUS_BODY_EXTRA,
    // (no route for an Allow: "OPTIONS *" or a path no route serves)
    (status === Status.NO_CONTENT || status === Status.METHOD_NOT_ALLOWED ? "Allow: " + ((rt = S.routes[st[b + F.ROUTE]]) ? rt.allow : "GET, HEAD, POST, OPTIONS") + "\r\n" :
      status === Status.UNAVAILABLE ? "Retry-After: 1\r\n" : "") +
    connectionLine(c) + "\r\n" + (hasBody && st[b + F.METHOD] !== Mi.HEAD ? status + " " + text + "\n" : "")).pos;
}

/** Counts the status, then sends c's head [0, hl) (of the given kind) followed by bytes off..end
 *  of b (bytes or a chunk source). */
export function startSend(c: number, status: number, kind: number, hl: number, body: Uint8Array | ChunkSource | null, off: number, end: number): void {
  var r = c * F.COUNT;
  S.cnt[status < Status.CLASS_3XX ? "status2xx" : status < Status.CLASS_4XX ? "status3xx" :
    status < Status.CLASS_5XX ? "status4xx" : "status5xx"]++;
  st[r + F.STATUS] = status; st[r + F.HEAD_KIND] = kind;
  st[r + F.H_LEN] = hl; st[r + F.H_POS] = 0;
  S.body[c] = body; st[r + F.B_POS] = off; st[r + F.B_END] = end;
  st[r + F.PHASE] = Phase.SEND;
  tm[c * T.COUNT + T.LAST] = S.now;
  pump(c);
}

/** Hands TCP as much of c's response as it takes; finishes it when all is handed over. */
export function pump(c: number): void {
  var r = c * F.COUNT, tcp = S.tcp;
  while (st[r + F.PHASE] === Phase.SEND) {
    var got: number, p = st[r + F.B_POS], k = st[r + F.B_END] - p, src = S.body[c], hp = st[r + F.H_POS];
    if (hp < st[r + F.H_LEN]) {
      // the head: in the output buffer, or in the shared head area (rebuilt unless it is c's)
      var kind = st[r + F.HEAD_KIND];
      if (kind !== Head.BUFFER && S.headOf !== c) {
        if (kind === Head.ASSET) (assetHooks as AssetHooks).head(c); else simpleHeadOf(c);
        S.headOf = c;
      }
      got = tcp.write(c, kind === Head.BUFFER ? S.outPool[st[r + F.OUT_IDX]] : S.head, hp, st[r + F.H_LEN] - hp);
      if (got <= 0) return;
      st[r + F.H_POS] = hp + got;
    } else if (k > 0) {
      k = Math.min(k, WRITE_PIECE_MAX);
      if (typeof src === "function") {
        k = Math.min(k, tcp.space(c));
        if (k <= 0) return;
        var s = S, piece = src(p, k);
        use(s);     // (the source may have used another server)
        got = tcp.write(c, piece, 0, Math.min(piece.length, k));
      } else got = tcp.write(c, src as Uint8Array, p, k);
      if (got <= 0) return;
      st[r + F.B_POS] = p + got;
    } else {
      // all of it is with TCP: close, or get ready for the next request (T.LAST is already now:
      // set by the last progress, or by startSend); a half-closed peer: answer what it pipelined first
      settle(c, Phase.READ);
      if (st[r + F.CLOSE_AFTER] || (st[r + F.PEER_GONE] && !st[r + F.IN_IDX])) shut(c);
      return;
    }
    tm[c * T.COUNT + T.LAST] = S.now;
  }
}

/** No response in progress, no request pending: phase ph. */
export function settle(c: number, ph: number): void {
  st[c * F.COUNT + F.PHASE] = ph;
  releaseOut(c);
  S.body[c] = null;
  if (S.headOf === c) S.headOf = -1;
  resetRequest(c);
}

/** Our side closes (FIN); input is discarded from now on. */
export function shut(c: number): void {
  releaseIn(c);
  st[c * F.COUNT + F.PHASE] = Phase.CLOSED;
  S.tcp.close(c);
}

/** A plain-text status response (204: none; 204 and 405 with the route's Allow); `close` ends
 *  the connection after it. */
export function simple(c: number, status: number, close: boolean): void {
  if (close) st[c * F.COUNT + F.CLOSE_AFTER] = 1;
  st[c * F.COUNT + F.STATUS] = status;
  S.headOf = -1;
  var hl = simpleHeadOf(c);
  S.headOf = c;
  startSend(c, status, Head.SIMPLE, hl, null, 0, 0);
}

/** Drops the pending request (its input too) and answers `status`, closing after it. */
export function abandon(c: number, status: number): void {
  releaseIn(c);
  resetRequest(c);
  simple(c, status, true);
}
