// An independent DNS message encoder/decoder for the resolver and mDNS tests (RFC 1035 4), written
// without firmware/net code: plain number arrays, names as dotted strings or raw bytes.

import { Bytes, be16, be32, rd16, rd32 } from "./wire";

/** Wire form of a dotted name (uncompressed). */
export function encName(name: string): Bytes {
  const out: Bytes = [];
  for (const l of name.replace(/\.$/, "").split(".")) {
    if (!l) continue;
    out.push(l.length, ...Array.from(Buffer.from(l, "latin1")));
  }
  out.push(0);
  return out;
}

export interface Rr { name: string | Bytes; type: number; cls?: number; ttl?: number; data: Bytes }
export interface Q { name: string | Bytes; type: number; cls?: number }

export interface MsgOpts {
  id?: number; flags?: number;
  qd?: Q[]; an?: Rr[]; ns?: Rr[]; ar?: Rr[];
  /** Header counts written instead of the real ones. */
  counts?: number[];
}

const nameBytes = (n: string | Bytes): Bytes => (typeof n === "string" ? encName(n) : n);

export function rr(r: Rr): Bytes {
  return [...nameBytes(r.name), ...be16(r.type), ...be16(r.cls === undefined ? 1 : r.cls), ...be32(r.ttl === undefined ? 300 : r.ttl),
    ...be16(r.data.length), ...r.data];
}

export function dnsMsg(o: MsgOpts): Bytes {
  const qd = o.qd || [], an = o.an || [], ns = o.ns || [], ar = o.ar || [];
  const counts = o.counts || [qd.length, an.length, ns.length, ar.length];
  const out: Bytes = [...be16(o.id || 0), ...be16(o.flags || 0), ...counts.flatMap((c) => be16(c))];
  for (const q of qd) out.push(...nameBytes(q.name), ...be16(q.type), ...be16(q.cls === undefined ? 1 : q.cls));
  for (const r of [...an, ...ns, ...ar]) out.push(...rr(r));
  return out;
}

/** The dotted name at b[at] (message from b[base]), pointers followed (bounded), and the offset past it. */
export function decName(b: ArrayLike<number>, base: number, at: number): [string, number] {
  const labels: string[] = [];
  let next = -1, jumps = 0;
  for (;;) {
    const l = b[at];
    if (l >= 0xc0) {
      if (next < 0) next = at + 2;
      at = base + (((l & 0x3f) << 8) | b[at + 1]);
      if (++jumps > 20) throw new Error("pointer loop");
      continue;
    }
    if (l === 0) { if (next < 0) next = at + 1; break; }
    labels.push(Buffer.from(Array.from({ length: l }, (_, k) => b[at + 1 + k])).toString("latin1"));
    at += l + 1;
  }
  return [labels.join("."), next];
}

/** target: the name in a CNAME's or PTR's rdata, or an SRV's target. */
export interface DecRr { name: string; type: number; cls: number; ttl: number; data: number[]; dataAt: number; target?: string }
export interface Dec { id: number; flags: number; qd: { name: string; type: number; cls: number }[]; an: DecRr[]; ns: DecRr[]; ar: DecRr[]; len: number }

/** Decodes the message at b[off..off+len). */
export function parseMsg(b: ArrayLike<number>, off = 0, len = b.length - off): Dec {
  const counts = [rd16(b, off + 4), rd16(b, off + 6), rd16(b, off + 8), rd16(b, off + 10)];
  let p = off + 12;
  const qd = [];
  for (let i = 0; i < counts[0]; i++) {
    const [name, n] = decName(b, off, p);
    qd.push({ name, type: rd16(b, n), cls: rd16(b, n + 2) });
    p = n + 4;
  }
  const sect = (k: number): DecRr[] => {
    const out: DecRr[] = [];
    for (let i = 0; i < counts[k]; i++) {
      const [name, n] = decName(b, off, p);
      const dl = rd16(b, n + 8);
      const type = rd16(b, n);
      const target = type === 5 || type === 12 ? decName(b, off, n + 10)[0] : type === 33 ? decName(b, off, n + 16)[0] : undefined;
      out.push({ name, type, cls: rd16(b, n + 2), ttl: rd32(b, n + 4), data: Array.from({ length: dl }, (_, j) => b[n + 10 + j]), dataAt: n + 10, target });
      p = n + 10 + dl;
    }
    return out;
  };
  const an = sect(1), ns = sect(2), ar = sect(3);
  if (p > off + len) throw new Error("message runs past its length");
  return { id: rd16(b, off), flags: rd16(b, off + 2), qd, an, ns, ar, len: p - off };
}
