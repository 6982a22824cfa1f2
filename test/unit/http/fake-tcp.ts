// A stand-in for the TCP API: tests inject data events, read what the server wrote, and set
// how much send space each connection has (back-pressure) and release it (drained).
import { TcpApi, TcpHandler } from "../../../firmware/http/tcp-api";

export class FakeTcp implements TcpApi {
  handler: TcpHandler | null = null;
  port = -1;
  out: number[][] = [];
  room: number[] = [];
  closed: boolean[] = [];
  aborted: boolean[] = [];
  ended: boolean[] = [];
  writes = 0;
  constructor(public slots = 4, public defaultRoom = 1 << 20) {
    for (let i = 0; i < slots + 2; i++) { this.out.push([]); this.room.push(defaultRoom); this.closed.push(false); this.aborted.push(false); this.ended.push(false); }
  }
  listen(port: number, h: TcpHandler): boolean { this.port = port; this.handler = h; return true; }
  write(c: number, buf: Uint8Array, off: number, len: number): number {
    if (this.closed[c] || this.aborted[c] || this.ended[c]) throw new Error("write after close on " + c);
    if (off < 0 || len < 0 || off + len > buf.length) throw new Error(`bad write range ${off}+${len} of ${buf.length}`);
    const k = Math.min(len, this.room[c]);
    for (let i = 0; i < k; i++) this.out[c].push(buf[off + i]);
    this.room[c] -= k;
    this.writes++;
    return k;
  }
  space(c: number): number { return this.room[c]; }
  close(c: number): void { this.closed[c] = true; }
  abort(c: number): void { this.aborted[c] = true; this.finish(c, 3); }

  // ---- test side ----
  open(c: number, room = this.defaultRoom): void {
    this.out[c] = []; this.room[c] = room; this.closed[c] = false; this.aborted[c] = false; this.ended[c] = false;
    this.handler!.open(c);
  }
  /** Delivers bytes as one data event, from an odd offset inside a bigger buffer. */
  send(c: number, data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    const big = new Uint8Array(bytes.length + 11);
    big.fill(0x41);
    big.set(bytes, 7);
    this.handler!.data(c, big, 7, bytes.length);
  }
  /** Gives c `n` more bytes of send space and signals drained. */
  ack(c: number, n: number): void { this.room[c] += n; this.handler!.drained(c); }
  peerClose(c: number): void { this.handler!.peerClosed(c); }
  finish(c: number, reason: number): void { if (!this.ended[c]) { this.ended[c] = true; this.handler!.end(c, reason); } }
  text(c: number): string { return Buffer.from(this.out[c]).toString("latin1"); }
  take(c: number): string { const t = this.text(c); this.out[c] = []; return t; }
}

export interface ParsedResponse { status: number; headers: { [k: string]: string }; body: Buffer; raw: string }

/** Splits captured output into responses (HEAD responses: pass isHead per index). */
export function parseResponses(text: string, headFlags: boolean[] = []): ParsedResponse[] {
  const res: ParsedResponse[] = [];
  let p = 0;
  while (p < text.length) {
    const he = text.indexOf("\r\n\r\n", p);
    if (he < 0) throw new Error("incomplete head: " + JSON.stringify(text.slice(p, p + 200)));
    const lines = text.slice(p, he).split("\r\n");
    const m = /^HTTP\/1\.1 (\d{3}) [^\r\n]+$/.exec(lines[0]);
    if (!m) throw new Error("bad status line: " + JSON.stringify(lines[0]));
    const headers: { [k: string]: string } = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(": ");
      if (i <= 0) throw new Error("bad header line: " + JSON.stringify(l));
      const k = l.slice(0, i).toLowerCase();
      if (k in headers) throw new Error("duplicate header " + k);
      headers[k] = l.slice(i + 2);
    }
    const status = +m[1];
    const isHead = headFlags[res.length] === true;
    const len = status === 304 || status === 204 || isHead ? 0 : +(headers["content-length"] ?? NaN);
    if (!(len >= 0)) throw new Error("no content-length in " + lines[0]);
    const body = Buffer.from(text.slice(he + 4, he + 4 + len), "latin1");
    if (body.length !== len) throw new Error(`short body ${body.length}/${len}`);
    res.push({ status, headers, body, raw: text.slice(p, he + 4 + len) });
    p = he + 4 + len;
  }
  return res;
}
