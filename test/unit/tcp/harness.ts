// Test double of the IP stack for TCP unit tests: captures what TCP sends (the TCP segment at
// netif.tx[34..]), lets a scripted peer inject segments, and drives time (ticks every 100 ms, or
// at TCP's next deadline as the device's runner does: advanceExact()).
// Segments are built and checksummed here independently of firmware/net/checksum.ts.
// passiveOpen()/activeOpen() bring a connection to ESTABLISHED for the other tests.
import * as assert from "assert";
import { createTcp, Tcp, TcpHandler, TcpOptions, TcpStack, tcpNextDue } from "../../../firmware/tcp/tcp";
import { isn } from "../../../firmware/tcp/isn";
import { F16, F32, F64 } from "../../../firmware/tcp/slots";
import { SYN_SENT, ESTABLISHED } from "../../../firmware/tcp/states";

export function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}
export const DEV = ip(192, 0, 2, 2);
export const PEER = ip(192, 0, 2, 1);
export const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16, URG = 32;
export const KEY = new Uint32Array([0x01234567, 0x89abcdef, 0x0f1e2d3c, 0x4b5a6978]);

export interface SegSpec {
  sport: number; dport: number; seq: number; ack?: number; flags: number; win?: number;
  opts?: number[]; data?: Uint8Array | string; src?: number; dst?: number; hlen?: number;
  /** the urgent pointer field (with URG in flags) */
  urp?: number;
}

function sum16(bytes: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  return s;
}

export function toBytes(d: Uint8Array | string | undefined): Uint8Array {
  if (d === undefined) return new Uint8Array(0);
  if (typeof d === "string") return new Uint8Array(Buffer.from(d, "latin1"));
  return d;
}

/** A whole TCP segment (header, options, data) with a correct checksum for src -> dst. */
export function seg(o: SegSpec): Uint8Array {
  const opts = o.opts || [];
  const data = toBytes(o.data);
  const optLen = (opts.length + 3) & ~3;
  const hl = o.hlen !== undefined ? o.hlen : 20 + optLen;
  const b = new Uint8Array(20 + optLen + data.length);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, o.sport);
  dv.setUint16(2, o.dport);
  dv.setUint32(4, o.seq >>> 0);
  dv.setUint32(8, (o.ack || 0) >>> 0);
  b[12] = (hl >> 2) << 4;
  b[13] = o.flags;
  dv.setUint16(14, o.win === undefined ? 65535 : o.win);
  dv.setUint16(18, o.urp || 0);
  b.set(opts, 20);
  b.set(data, 20 + optLen);
  const src = o.src === undefined ? PEER : o.src;
  const dst = o.dst === undefined ? DEV : o.dst;
  let s = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + b.length + sum16(b);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  dv.setUint16(16, ~s & 0xffff);
  return b;
}

export interface Sent { dst: number; bytes: Uint8Array }

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

export function field(b: Uint8Array) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hl = (b[12] >> 4) << 2;
  return {
    sport: dv.getUint16(0), dport: dv.getUint16(2), seq: dv.getUint32(4), ack: dv.getUint32(8),
    flags: b[13], win: dv.getUint16(14), urp: dv.getUint16(18), hl, data: b.subarray(hl),
  };
}

export class Harness {
  t = 1000;
  sent: Sent[] = [];
  input!: (rx: Uint8Array, off: number, len: number, src: number, dst: number) => void;
  ticker!: (now: number) => void;
  rxBuf = new Uint8Array(1600);
  stack: TcpStack;
  tcp: Tcp;
  lastTick = 1000;
  constructor(opts: Partial<TcpOptions> = {}) {
    const self = this;
    this.stack = {
      netif: { tx: new Uint8Array(1518) },
      clock: { now: () => self.t },
      addr: DEV,
      onProtocol(proto, fn) { assert.strictEqual(proto, 6); self.input = fn; },
      onTick(fn) { self.ticker = fn; },
      ipSend(proto, dst, len) {
        assert.strictEqual(proto, 6);
        self.sent.push({ dst, bytes: self.stack.netif.tx.slice(34, 34 + len) });
        return 1;
      },
    };
    const o: TcpOptions = Object.assign({ slots: 4, secret: KEY, mss: 1460 }, opts) as TcpOptions;
    this.tcp = createTcp(this.stack, o);
  }
  /** The peer sends a segment (built by seg()). */
  send(o: SegSpec): void {
    const b = seg(o);
    this.rxBuf.set(b, 34);
    this.input(this.rxBuf, 34, b.length, o.src === undefined ? PEER : o.src, o.dst === undefined ? DEV : o.dst);
  }
  sendRaw(b: Uint8Array, src = PEER, dst = DEV): void {
    this.rxBuf.set(b, 34);
    this.input(this.rxBuf, 34, b.length, src, dst);
  }
  take(): Sent[] {
    const s = this.sent;
    this.sent = [];
    return s;
  }
  /** Exactly one segment went out; it must equal the expected one byte for byte. */
  expectOne(o: SegSpec): Uint8Array {
    const s = this.take();
    assert.strictEqual(s.length, 1, `expected one segment, got ${s.length}: ${s.map((x) => hex(x.bytes)).join(" ")}`);
    expectSeg(s[0], o);
    return s[0].bytes;
  }
  expectNone(): void {
    const s = this.take();
    assert.strictEqual(s.length, 0, `expected no segment, got ${s.map((x) => hex(x.bytes)).join(" ")}`);
  }
  /**
   * Advances the clock by ms, ticking at TCP's next deadline (tcpNextDue; 0: 100 ms after the
   * last tick) as the device's runner (firmware/lib/eth-run.ts) and the sim gateway do; returns
   * the times it ticked.
   */
  advanceExact(ms: number): number[] {
    const end = this.t + ms, at: number[] = [];
    for (;;) {
      let d = tcpNextDue(this.tcp);
      if (d === 0) d = this.lastTick + 100;
      if (d < this.t) d = this.t;
      if (d > end) break;
      assert.ok(at.length < 1000 && at[at.length - 1] !== d, "a deadline the tick does not move: " + d);
      this.t = this.lastTick = d;
      this.ticker(d);
      at.push(d);
    }
    this.t = end;
    return at;
  }
  /** Advances the clock by ms, ticking every 100 ms like the stack does. */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.lastTick + 100 <= end) {
      this.lastTick += 100;
      this.t = this.lastTick;
      this.ticker(this.t);
    }
    this.t = end;
  }
}

export function expectSeg(s: Sent, o: SegSpec): void {
  assert.strictEqual(s.dst, o.dst === undefined ? PEER : o.dst);
  const want = seg(Object.assign({ src: DEV, dst: PEER }, o));
  if (hex(s.bytes) !== hex(want)) {
    const g = field(s.bytes), w = field(want);
    assert.fail(`segment differs\n got  ${hex(s.bytes)} ${JSON.stringify({ ...g, data: g.data.length })}\n want ${hex(want)} ${JSON.stringify({ ...w, data: w.data.length })}`);
  }
}

/** A handler that records events. */
export function recorder(tcp: () => Tcp, opt: { echo?: boolean; closeOnPeerClose?: boolean; consume?: number } = {}) {
  const log: string[] = [];
  const data: number[] = [];
  const h: TcpHandler & { log: string[]; bytes: number[] } = {
    log, bytes: data,
    open(c) { log.push(`open ${c}`); },
    data(c, buf, off, len) {
      for (let i = 0; i < len; i++) data.push(buf[off + i]);
      log.push(`data ${c} ${len}`);
      if (opt.echo) return tcp().write(c, buf, off, len);
      if (opt.consume !== undefined) return Math.min(opt.consume, len);
      return undefined;
    },
    drained(c) { log.push(`drained ${c}`); },
    peerClosed(c) { log.push(`peerClosed ${c}`); if (opt.closeOnPeerClose) tcp().close(c); },
    end(c, r) { log.push(`end ${c} ${r}`); },
    urgent(c, n) { log.push(`urgent ${c} ${n}`); },
  };
  return h;
}

export const MSS_OPT = (m: number) => [2, 4, m >> 8, m & 255];

export const PEER_PORT = 40000; // the scripted peer's port for a passive open
export const OUR_WINDOW = 2920; // the window the device advertises by default (2 * 1460)

/** listen() on port, then the peer's SYN, our SYN+ACK (byte-exact) and the peer's ACK: ESTABLISHED. */
export function passiveOpen(h: Harness, port = 7, pport = PEER_PORT, pseq = 1000) {
  const r = recorder(() => h.tcp);
  if (h.tcp.listen(port, r) === false) { /* already listening */ }
  h.send({ sport: pport, dport: port, seq: pseq, flags: SYN, win: 64240, opts: MSS_OPT(1460) });
  const iss = isn(KEY, DEV, port, PEER, pport, h.t);
  h.expectOne({ sport: port, dport: pport, seq: iss, ack: pseq + 1, flags: SYN | ACK, win: OUR_WINDOW, opts: MSS_OPT(1460) });
  h.send({ sport: pport, dport: port, seq: pseq + 1, ack: iss + 1, flags: ACK, win: 64240 });
  h.expectNone();
  return { r, iss: (iss + 1) >>> 0, pseq: pseq + 1, c: Number(r.log[r.log.length - 1].split(" ")[1]) };
}

/** connect() to the peer's pport, our SYN (byte-exact), the peer's SYN+ACK (MSS 1400), our ACK: ESTABLISHED. */
export function activeOpen(h: Harness, pport = 80, pseq = 5000) {
  const r = recorder(() => h.tcp);
  const c = h.tcp.connect(PEER, pport, r);
  assert.ok(c >= 0);
  const lp = h.tcp.localPort(c);
  const iss = isn(KEY, DEV, lp, PEER, pport, h.t);
  h.expectOne({ sport: lp, dport: pport, seq: iss, flags: SYN, win: OUR_WINDOW, opts: MSS_OPT(1460) });
  assert.strictEqual(h.tcp.state(c), SYN_SENT);
  h.send({ sport: pport, dport: lp, seq: pseq, ack: iss + 1, flags: SYN | ACK, win: 64240, opts: MSS_OPT(1400) });
  h.expectOne({ sport: lp, dport: pport, seq: iss + 1, ack: pseq + 1, flags: ACK, win: OUR_WINDOW });
  assert.strictEqual(h.tcp.state(c), ESTABLISHED);
  assert.deepStrictEqual(r.log, [`open ${c}`]);
  return { r, c, lp, iss: (iss + 1) >>> 0, pseq: pseq + 1 };
}

/** Field `name` of connection c's slot (the packed slot arrays, firmware/tcp/slots.ts), by its old per-field array name. */
export function slotVal(tcp: Tcp, name: string, c: number): number {
  const S = tcp.slots;
  const at: { [name: string]: [ArrayLike<number>, number, number] } = {
    st: [S.st, 1, 0], mss: [S.u16, F16.STRIDE, F16.MSS], sndLen: [S.u16, F16.STRIDE, F16.SND_LEN],
    sndNxt: [S.u32, F32.STRIDE, F32.SND_NXT], sndUna: [S.u32, F32.STRIDE, F32.SND_UNA],
    rto: [S.f64, F64.STRIDE, F64.RTO], srtt: [S.f64, F64.STRIDE, F64.SRTT], tRexmt: [S.f64, F64.STRIDE, F64.T_REXMT],
    tState: [S.f64, F64.STRIDE, F64.T_STATE], tPersist: [S.f64, F64.STRIDE, F64.T_PERSIST],
  };
  const [a, k, f] = at[name];
  return a[c * k + f];
}

/** activeOpen()'s peer: its MSS and window. */
export const PEER_MSS = 1400, PEER_WIN = 64240;

/** n bytes counting up from `from` (mod 256): data whose offset each byte shows. */
export function counting(n: number, from = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (from + i) & 255;
  return b;
}

/** The segments sent since the last take(): [seq - iss, length]. */
export function sentSince(h: Harness, iss: number): number[][] {
  return h.take().map((x) => { const f = field(x.bytes); return [(f.seq - iss) >>> 0, f.data.length]; });
}
