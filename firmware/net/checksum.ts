// Internet checksum (RFC 1071) at native speed on Espruino.
//
// E.sum over a Uint16Array view adds the frame's 16-bit words as the CPU reads them
// (little-endian on every supported board and on x86 hosts). One's-complement addition is
// byte-order independent: folding the little-endian sum to 16 bits and swapping its two bytes
// gives exactly the folded big-endian sum. So csumAdd returns a big-endian partial sum that can
// be mixed freely with pseudoSum() and other csumAdd() results.
//
// A Uint16Array view must start at an even byte address: an odd buf.byteOffset + off takes a
// slow JS loop (never the case for headers inside the driver's even-aligned rx/tx buffers).
//
// Allocation: a view over an existing ArrayBuffer is a small transient object (on Espruino it is
// freed at once by reference counting). To keep steady-state traffic allocation-free, the last
// two (buffer, offset, length) windows are remembered and reused: repeated packet sizes (pings
// of one size, pure ACKs, full-size segments) create no view at all.
import { wordSum } from "../../hal/natives";

// (Left undefined until first used: no window matches them.)
var memoBufA: Uint8Array | undefined, memoOffA: number | undefined, memoLenA: number | undefined;
var memoViewA: Uint16Array | undefined;
var memoBufB: Uint8Array | undefined, memoOffB: number | undefined, memoLenB: number | undefined;
var memoViewB: Uint16Array | undefined;

/** A 16-bit view of buf[off .. off + 2*words), reused when the same window was asked for lately. */
function wordView(buf: Uint8Array, off: number, words: number): Uint16Array {
  if (buf === memoBufA && off === memoOffA && words === memoLenA) return memoViewA as Uint16Array;
  if (buf === memoBufB && off === memoOffB && words === memoLenB) return memoViewB as Uint16Array;
  // Replace the older entry: B becomes A's previous content.
  memoBufB = memoBufA;
  memoOffB = memoOffA;
  memoLenB = memoLenA;
  memoViewB = memoViewA;
  memoBufA = buf;
  memoOffA = off;
  memoLenA = words;
  memoViewA = new Uint16Array(buf.buffer, buf.byteOffset + off, words);
  return memoViewA;
}

/** A little-endian E.sum of 16-bit words, folded to 16 bits (two carries are enough below 2^32)
 * and byte-swapped: the big-endian partial sum. */
function swapped(s: number): number {
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ((s & 0xff) << 8) | (s >> 8);
}

/**
 * Adds buf[off .. off+len) as big-endian 16-bit words (an odd tail byte padded with a zero)
 * to acc and returns the new, unfolded accumulator. acc stays below 2^32 for any sane number
 * of calls (each call adds at most 0x1fffe).
 */
export function csumAdd(buf: Uint8Array, off: number, len: number, acc: number): number {
  var s = 0, i: number;
  if (len <= 0) return acc;
  if ((buf.byteOffset + off) & 1) {
    // Slow path for odd addresses: bytes added one by one, even ones as high bytes, folded.
    for (i = 0; i < len; i++) s += buf[off + i] << 8 * (~i & 1);
    s = (s & 0xffff) + (s >>> 16);
    return acc + (s & 0xffff) + (s >>> 16);
  }
  if (len > 1) s = swapped(wordSum(wordView(buf, off, len >> 1)));
  if (len & 1) s += buf[off + len - 1] << 8;
  return acc + s;
}

/** Folds acc to 16 bits and complements it: the value to store big-endian in a header. */
export function csumFinish(acc: number): number {
  acc = (acc & 0xffff) + (acc >>> 16);
  return ~((acc & 0xffff) + (acc >>> 16)) & 0xffff;
}

/** The pseudo-header sum for TCP/UDP: source, destination, protocol, layer-4 length. */
export function pseudoSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

/**
 * Big-endian partial sum of a whole preallocated, aligned 16-bit view (fixed header windows made
 * once at start-up, e.g. the IPv4 header inside rx/tx): no view is created.
 */
export function csumView(view: Uint16Array): number {
  return swapped(wordSum(view));
}
