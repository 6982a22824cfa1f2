// The per-byte helpers the core needs, chosen once per engine when this module loads:
// Espruino's natives (E.sum, E.convolve, E.CRC32, E.toString, E.toUint8Array) where the global E has them,
// plain-JS fallbacks elsewhere (JerryScript on Kaluma, Node). Device code calls these, never E.
//
// The fallbacks are written for JerryScript's interpreter: the checksum sum reads the frame as
// 32-bit words (half the iterations of 16-bit words, a quarter of bytes) and folds once at the
// end; strings are made 256 characters per String.fromCharCode call. On Espruino the natives are
// used directly (a detached E.sum is callable: measured on 2v29), so there is no wrapper call.

/** Characters per String.fromCharCode call in the fallback (an argument list has a size limit). */
var CHUNK = 256;

/**
 * Set by the bundler (tools/bundle.ts): true in Espruino bundles, false in Kaluma ones, so the
 * minifier keeps only that engine's branch; absent on the host, where the check runs at load.
 */
declare var NATIVES_HAVE_E: boolean | undefined;

/** Whether Espruino's natives are there (decided once, at load). */
export var espruinoNatives: boolean = typeof NATIVES_HAVE_E === "boolean" ? NATIVES_HAVE_E :
  typeof E !== "undefined" && !!E && typeof E.sum === "function";

// ---- the checksum's word sum

/**
 * A 32-bit view of v from its first 4-byte aligned word (v starts 2-byte aligned at least), made
 * once per 16-bit view and kept on it (the stack's header views and checksum windows are reused,
 * so steady traffic makes no new view).
 */
function words32(v: Uint16Array): Uint32Array {
  var w: Uint32Array | undefined = (v as any).w32;
  if (w) return w;
  var head = (v.byteOffset & 2) >> 1;
  w = new Uint32Array(v.buffer, v.byteOffset + 2 * head, (v.length - head) >> 1);
  (v as any).w32 = w;
  return w;
}

/** Folds a non-negative sum below 2^48 to 16 bits with end-around carries (0 only for 0). */
function fold(s: number): number {
  s = (s % 65536) + Math.floor(s / 65536);   // below 2^48 in: below 2^32 out
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

function jsWordSum(v: Uint16Array): number {
  var n = v.length, s = 0, i: number;
  if (n < 8) {
    for (i = 0; i < n; i++) s += v[i];
    return s;
  }
  // 65536 = 1 (mod 0xffff): a 32-bit little-endian word adds its two 16-bit words. A view that
  // starts 2 bytes off a 4-byte boundary adds its first word alone; an odd count its last.
  var head = (v.byteOffset & 2) >> 1, w = words32(v), m = w.length;
  for (i = 0; i < m; i++) s += w[i];
  if (head) s += v[0];
  if ((n - head) & 1) s += v[n - 1];
  return fold(s);
}

/**
 * The 16-bit words of v added up, as the Internet checksum needs them: a value below 2^32 that
 * equals the sum modulo 0xffff and is 0 only when every word is 0 (E.sum's exact sum on
 * Espruino; the fallback's is folded to 16 bits already). Fold and byte-swap it as for E.sum.
 */
export var wordSum: (v: Uint16Array) => number = espruinoNatives ? E.sum : jsWordSum;

function jsSum(a: ArrayLike<number>): number {
  for (var s = 0, i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** The elements of a (small) array added up: E.sum. */
export var sum: (a: ArrayLike<number>) => number = espruinoNatives ? E.sum : jsSum;

function jsConvolve(a: ArrayLike<number>, b: ArrayLike<number>, offset: number): number {
  for (var s = 0, i = 0; i < a.length; i++) s += a[i] * b[(i + offset) % b.length];
  return s;
}

/**
 * The elements of a, each times the element of b at the same index plus offset (wrapping round
 * b), added up: E.convolve. With a mask of 0s and 1s as a and offset 0, the sum of the masked
 * elements of b (one native call, no loop).
 */
export var convolve: (a: ArrayLike<number>, b: ArrayLike<number>, offset: number) => number = espruinoNatives ? E.convolve : jsConvolve;

// ---- CRC-32 (IEEE 802.3, as E.CRC32 and Ethernet's FCS): start-up only (ETags)

/** The reflected polynomial's table for one nibble (16 entries: small, twice the steps of 256). */
var NIBBLE = [0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
  0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c];

function jsCrc32(data: Uint8Array | string): number {
  var c = -1, str = typeof data === "string", n = data.length, b: number;
  for (var i = 0; i < n; i++) {
    b = str ? (data as string).charCodeAt(i) & 255 : (data as Uint8Array)[i];
    c ^= b;
    c = (c >>> 4) ^ NIBBLE[c & 15];
    c = (c >>> 4) ^ NIBBLE[c & 15];
  }
  return (c ^ -1) >>> 0;
}

/** CRC-32 of bytes or of a binary string's low 8 bits per character (callers apply >>> 0). */
export var crc32: (data: Uint8Array | string) => number = espruinoNatives ? E.CRC32 : jsCrc32;

// ---- bytes <-> binary strings (one character per byte, codes 0-255)

// (fromCodes is the function's own, not a module variable: where the fallback is dropped, such a
// variable's initialiser stayed in the bundle as a bare `String.fromCharCode;`)
function jsBytesToString(b: Uint8Array): string {
  var n = b.length, fromCodes = String.fromCharCode;
  if (n <= CHUNK) return fromCodes.apply(String, b as any);
  var s = "";
  for (var i = 0; i < n; i += CHUNK) s += fromCodes.apply(String, b.subarray(i, i + CHUNK) as any);
  return s;
}

/** A binary string with one character per byte of b: E.toString(b). */
export var bytesToString: (b: Uint8Array) => string = espruinoNatives ? E.toString : jsBytesToString;

function jsStringToBytes(s: string): Uint8Array {
  var n = s.length, b = new Uint8Array(n);
  for (var i = 0; i < n; i++) b[i] = s.charCodeAt(i);
  return b;
}

/** A new Uint8Array of the low 8 bits of each character of s: E.toUint8Array(s). */
export var stringToBytes: (s: string) => Uint8Array = espruinoNatives ? E.toUint8Array : jsStringToBytes;

/** The fallbacks themselves, for tests and measurements on any engine. */
export var fallbacks = { wordSum: jsWordSum, sum: jsSum, convolve: jsConvolve, crc32: jsCrc32, bytesToString: jsBytesToString, stringToBytes: jsStringToBytes };
