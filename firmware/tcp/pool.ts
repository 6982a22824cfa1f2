// The send pool: one byte array shared by every connection, allocated once at start-up, cut
// into fixed chunks. A connection's send queue (unacknowledged + unsent bytes, from SND.UNA on)
// is a chain of chunks: the byte at SND.UNA sits at offset `sndHead` of its first chunk, the
// queue is `sndLen` bytes long (both in the slot arrays, slots.ts). A chunk is taken from the
// free list when a write() needs one and goes back as soon as the ACKs have passed over it or
// the slot is freed: a connection holds only what it has in flight or queued, so a few KB
// serve every slot where a ring per slot needed 2 x MSS each.
//
// Module-level functions over one Pool record (no closures); copies are native (typed-array
// set over subarray views): the loops run once per chunk, not per byte.

import { Slots, F16 } from "./slots";

export const enum Chunk {
  SIZE = 512,    // bytes per chunk: a 1460-byte segment spans at most 4 chunks
  NONE = 0xffff, // no chunk (end of a chain, an empty queue)
}

export interface Pool {
  data: Uint8Array;    // chunks * Chunk.SIZE bytes
  next: Uint16Array;   // the next chunk of a chain (a queue or the free list), Chunk.NONE at its end
  first: Uint16Array;  // per slot: the chunk holding SND.UNA's byte, Chunk.NONE when the queue is empty
  last: Uint16Array;   // per slot: the chunk holding the queue's last byte
  free: number;        // the first free chunk, Chunk.NONE when none
  nfree: number;   // chunks on the free list
  bytes: number;       // bytes of the typed arrays above
}

export function createPool(n: number, chunks: number): Pool {
  var p: Pool = {
    data: new Uint8Array(chunks * Chunk.SIZE),
    next: new Uint16Array(chunks),
    first: new Uint16Array(n).fill(Chunk.NONE),
    last: new Uint16Array(n).fill(Chunk.NONE),
    free: chunks ? 0 : Chunk.NONE,
    nfree: chunks,
    bytes: chunks * (Chunk.SIZE + 2) + n * 4, // data, next, first, last
  };
  for (var i = 0; i < chunks; i++) p.next[i] = i + 1 < chunks ? i + 1 : Chunk.NONE;
  return p;
}

/** Bytes slot s can still add to its queue: the rest of its last chunk and every free chunk, at most max - queued. */
export function poolRoom(p: Pool, S: Slots, s: number, max: number): number {
  var len = S.u16[s * F16.STRIDE + F16.SND_LEN];
  var end = (S.u16[s * F16.STRIDE + F16.SND_HEAD] + len) % Chunk.SIZE;
  var k = (len > 0 && end > 0 ? Chunk.SIZE - end : 0) + p.nfree * Chunk.SIZE;
  return k < max - len ? k : max - len;
}

/** Appends buf[off .. off+len) to slot s's queue (len <= poolRoom()). */
export function poolAppend(p: Pool, S: Slots, s: number, buf: Uint8Array, off: number, len: number): void {
  var q = s * F16.STRIDE + F16.SND_LEN;
  var pos = S.u16[s * F16.STRIDE + F16.SND_HEAD] + S.u16[q]; // the queue's end, from the start of its first chunk
  var c = p.last[s];
  var data = p.data;
  S.u16[q] += len;
  while (len > 0) {
    var at = pos % Chunk.SIZE;
    if (at === 0) {
      // the last chunk is full (or the queue empty): chain a free one
      var nc = p.free;
      p.free = p.next[nc];
      p.nfree--;
      p.next[nc] = Chunk.NONE;
      if (c === Chunk.NONE) p.first[s] = nc;
      else p.next[c] = nc;
      c = nc;
    }
    var k = Chunk.SIZE - at;
    if (k > len) k = len;
    if (off === 0 && k === buf.length) data.set(buf, c * Chunk.SIZE + at); // whole buffer: no view
    else data.set(buf.subarray(off, off + k), c * Chunk.SIZE + at);
    off += k;
    pos += k;
    len -= k;
  }
  p.last[s] = c;
}

/** Copies len queued bytes of slot s, from `skip` bytes after SND.UNA, into out[at..]. */
export function poolCopy(p: Pool, S: Slots, s: number, skip: number, out: Uint8Array, at: number, len: number): void {
  var pos = S.u16[s * F16.STRIDE + F16.SND_HEAD] + skip;
  var c = p.first[s];
  while (pos >= Chunk.SIZE) {
    c = p.next[c];
    pos -= Chunk.SIZE;
  }
  while (len > 0) {
    var k = Chunk.SIZE - pos;
    if (k > len) k = len;
    var from = c * Chunk.SIZE + pos;
    out.set(p.data.subarray(from, from + k), at);
    at += k;
    len -= k;
    c = p.next[c];
    pos = 0;
  }
}

/**
 * Drops the first d queued bytes of slot s (acknowledged): chunks the queue has left go back to
 * the free list, all of them when the queue is empty. True when a chunk was freed.
 */
export function poolDrop(p: Pool, S: Slots, s: number, d: number): boolean {
  var h = s * F16.STRIDE + F16.SND_HEAD, q = s * F16.STRIDE + F16.SND_LEN;
  var pos = S.u16[h] + d;
  var left = S.u16[q] - d;
  var c = p.first[s];
  var freed = false;
  while (c !== Chunk.NONE && (pos >= Chunk.SIZE || left === 0)) {
    var nc = p.next[c];
    p.next[c] = p.free;
    p.free = c;
    p.nfree++;
    freed = true;
    c = nc;
    pos = pos >= Chunk.SIZE ? pos - Chunk.SIZE : 0;
  }
  p.first[s] = c;
  if (c === Chunk.NONE) p.last[s] = Chunk.NONE;
  S.u16[h] = left > 0 ? pos : 0;
  S.u16[q] = left;
  return freed;
}
