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
// Allocation: a view over an existing ArrayBuffer is a small transient object (one variable on
// Espruino, freed at once by reference counting). It is made per call, never remembered: the
// only way to remember one would be to compare the caller's array with the last one, and on
// Espruino `a === b` between two typed arrays converts BOTH to strings ("0,12,255,...": about
// 2 ms and 300 variables for a 1.2 KB buffer, on every call) where making a view costs about
// as much as three function calls.
import { wordSum } from "../../hal/natives";

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
  if (len > 1) s = swapped(wordSum(new Uint16Array(buf.buffer, buf.byteOffset + off, len >> 1)));
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
