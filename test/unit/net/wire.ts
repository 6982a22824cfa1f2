// An independent frame encoder/decoder for the IP-layer tests: plain number arrays, written from
// the RFCs without using any firmware/net code, so the tests check the stack against a second
// implementation rather than against itself.

export type Bytes = number[];

export const OUR_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
export const PEER_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x99];
export const BCAST_MAC = [255, 255, 255, 255, 255, 255];

export function ip(s: string): number {
  const p = s.split(".").map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export function ipBytes(a: number): Bytes {
  return [(a >>> 24) & 255, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];
}

export function be16(v: number): Bytes {
  return [(v >> 8) & 255, v & 255];
}

export function be32(v: number): Bytes {
  return ipBytes(v >>> 0);
}

export function rd16(b: ArrayLike<number>, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

export function rd32(b: ArrayLike<number>, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/** RFC 1071 done the obvious way: one's-complement sum of big-endian words, odd byte padded. */
export function refChecksum(b: ArrayLike<number>, start = 0, end = b.length, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) {
    const hi = b[i];
    const lo = i + 1 < end ? b[i + 1] : 0;
    sum += hi * 256 + lo;
    while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  }
  return (~sum) & 0xffff;
}

export function ethFrame(dst: Bytes, src: Bytes, type: number, payload: Bytes): Bytes {
  return [...dst, ...src, ...be16(type), ...payload];
}

export function arpPacket(op: number, sha: Bytes, spa: number, tha: Bytes, tpa: number): Bytes {
  return [0, 1, 8, 0, 6, 4, ...be16(op), ...sha, ...ipBytes(spa), ...tha, ...ipBytes(tpa)];
}

export interface Ipv4Opts {
  src: number; dst: number; proto: number; payload: Bytes;
  ttl?: number; id?: number; flagsFrag?: number; options?: Bytes; badChecksum?: boolean;
  totalLength?: number; versionIhl?: number;
}

export function ipv4Packet(o: Ipv4Opts): Bytes {
  const opts = o.options ?? [];
  const ihl = 5 + opts.length / 4;
  const tl = o.totalLength ?? 4 * ihl + o.payload.length;
  const h = [o.versionIhl ?? (0x40 | ihl), 0, ...be16(tl), ...be16(o.id ?? 0x1234), ...be16(o.flagsFrag ?? 0),
    o.ttl ?? 64, o.proto, 0, 0, ...ipBytes(o.src), ...ipBytes(o.dst), ...opts];
  let c = refChecksum(h);
  if (o.badChecksum) c ^= 0x0101;
  h[10] = c >> 8;
  h[11] = c & 255;
  return [...h, ...o.payload];
}

export function icmpEcho(type: number, id: number, seq: number, data: Bytes): Bytes {
  const m = [type, 0, 0, 0, ...be16(id), ...be16(seq), ...data];
  const c = refChecksum(m);
  m[2] = c >> 8;
  m[3] = c & 255;
  return m;
}

function pseudo(src: number, dst: number, proto: number, len: number): Bytes {
  return [...ipBytes(src), ...ipBytes(dst), 0, proto, ...be16(len)];
}

export function udpDatagram(src: number, dst: number, sport: number, dport: number, data: Bytes, withChecksum = true): Bytes {
  const len = 8 + data.length;
  const u = [...be16(sport), ...be16(dport), ...be16(len), 0, 0, ...data];
  if (withChecksum) {
    let c = refChecksum([...pseudo(src, dst, 17, len), ...u]);
    if (c === 0) c = 0xffff;
    u[6] = c >> 8;
    u[7] = c & 255;
  }
  return u;
}

/** Verifies a UDP checksum the way a receiver does (0 means none). */
export function udpChecksumOk(src: number, dst: number, u: ArrayLike<number>): boolean {
  if (u[6] === 0 && u[7] === 0) return true;
  return refChecksum([...pseudo(src, dst, 17, u.length), ...Array.from(u)]) === 0;
}

/** A whole UDP/IPv4/Ethernet frame. */
export function udpFrame(dstMac: Bytes, src: number, dst: number, sport: number, dport: number, data: Bytes, withChecksum = true): Bytes {
  return ethFrame(dstMac, PEER_MAC, 0x0800, ipv4Packet({ src, dst, proto: 17, payload: udpDatagram(src, dst, sport, dport, data, withChecksum) }));
}

/** BOOTP/DHCP message: options given as [code, ...value] arrays, 255 appended. */
export function dhcpMessage(op: number, xid: number, chaddr: Bytes, yiaddr: number, options: Bytes[], ciaddr = 0): Bytes {
  const m = new Array(240).fill(0);
  m[0] = op; m[1] = 1; m[2] = 6;
  be32(xid).forEach((b, i) => (m[4 + i] = b));
  ipBytes(ciaddr).forEach((b, i) => (m[12 + i] = b));
  ipBytes(yiaddr).forEach((b, i) => (m[16 + i] = b));
  chaddr.forEach((b, i) => (m[28 + i] = b));
  m[236] = 99; m[237] = 130; m[238] = 83; m[239] = 99;
  for (const o of options) m.push(o[0], o.length - 1, ...o.slice(1));
  m.push(255);
  return m;
}

/** Parses DHCP options of a message (offset of the BOOTP header in buf). */
export function dhcpOptions(buf: ArrayLike<number>, off: number, len: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let i = off + 240;
  while (i < off + len) {
    const c = buf[i];
    if (c === 255) break;
    if (c === 0) { i++; continue; }
    const l = buf[i + 1];
    out.set(c, Array.from({ length: l }, (_, k) => buf[i + 2 + k]));
    i += 2 + l;
  }
  return out;
}

/** Splits a frame the stack sent into its parts (asserting nothing). */
export function parseFrame(f: Uint8Array) {
  const type = rd16(f, 12);
  const ihl = (f[14] & 15) * 4;
  return {
    dst: Array.from(f.subarray(0, 6)), src: Array.from(f.subarray(6, 12)), type,
    ipSrc: rd32(f, 26), ipDst: rd32(f, 30), proto: f[23], ttl: f[22], totalLength: rd16(f, 16), ihl,
    l4: f.subarray(14 + ihl, 14 + rd16(f, 16)),
  };
}

/** A test-double link: frames queued for receive(), frames sent recorded; rx/tx at an even byteOffset. */
export class FakeNetif {
  readonly mac: Uint8Array;
  readonly rx: Uint8Array;
  readonly tx: Uint8Array;
  readonly inbox: Uint8Array[] = [];
  readonly sent: Uint8Array[] = [];
  link = true;
  sendOk = true;
  constructor(mac: Bytes = OUR_MAC, record = true) {
    this.mac = Uint8Array.from(mac);
    this.rx = new Uint8Array(new ArrayBuffer(2048), 2, 1518);
    this.tx = new Uint8Array(new ArrayBuffer(2048), 4, 1518);
    this.record = record;
  }
  record: boolean;
  lastSentLen = 0;
  receive(): number {
    const f = this.inbox.shift();
    if (!f) return 0;
    this.rx.set(f.subarray(0, Math.min(f.length, this.rx.length)));
    return Math.min(f.length, this.rx.length);
  }
  send(len: number): boolean {
    if (!this.sendOk) return false;
    this.lastSentLen = len;
    if (this.record) this.sent.push(this.tx.slice(0, len));
    return true;
  }
  linkUp(): boolean {
    return this.link;
  }
  push(frame: Bytes | Uint8Array): void {
    this.inbox.push(frame instanceof Uint8Array ? frame : Uint8Array.from(frame));
  }
  take(): Uint8Array[] {
    return this.sent.splice(0, this.sent.length);
  }
}

export class FakeClock {
  t = 1000;
  now(): number {
    return this.t;
  }
}
