// Byte helpers for HTTP: an ASCII writer over a preallocated buffer, start-up string-to-bytes
// conversion, in-place comparisons. Nothing here allocates after start-up except toBytes() and
// utf8Bytes() (start-up only).

/**
 * Writes ASCII into a window [pos, end) of a preallocated buffer. Overflow sets `over` and
 * drops the rest (the caller answers 500 or truncates), never throws. One instance is retargeted
 * with reset() for every use, so writing allocates nothing.
 */
export interface AsciiWriter {
  buf: Uint8Array;
  pos: number;
  end: number;
  over: boolean;
  reset(buf: Uint8Array, pos: number, end: number): AsciiWriter;
  byte(b: number): AsciiWriter;
  /** Copies bytes (native set). */
  bytes(b: Uint8Array): AsciiWriter;
  /** A string, one byte per char (code units above 255 are written as '?'). */
  str(s: string): AsciiWriter;
  /** A string as UTF-8. */
  utf8(s: string): AsciiWriter;
  /** A non-negative integer below 2^53 in decimal (negative numbers get a '-'); fractions truncated. */
  num(n: number): AsciiWriter;
  /** Lower-case hex, exactly `digits` digits of an unsigned 32-bit number. */
  hex(n: number, digits: number): AsciiWriter;
  /** A JSON string literal (quotes included): escapes ", \ and control characters; UTF-16 above 0x7e as \uXXXX. */
  jstr(s: string): AsciiWriter;
}

/** A new writer (start-up: each one is a few closures). */
export function asciiWriter(): AsciiWriter {
  function put(b: number): AsciiWriter {
    if (w.pos < w.end) w.buf[w.pos++] = b; else w.over = true;
    return w;
  }
  var w: AsciiWriter = {
    buf: new Uint8Array(0), pos: 0, end: 0, over: false,
    reset: function (buf: Uint8Array, pos: number, end: number): AsciiWriter {
      w.buf = buf; w.pos = pos; w.end = end; w.over = false;
      return w;
    },
    byte: put,
    bytes: function (b: Uint8Array): AsciiWriter {
      var p = w.pos;
      if (p + b.length > w.end) w.over = true;
      else { w.buf.set(b, p); w.pos = p + b.length; }
      return w;
    },
    str: function (s: string): AsciiWriter {
      var n = s.length, p = w.pos, b = w.buf;   // (a hot loop: no call per char)
      if (p + n > w.end) { w.over = true; n = w.end - p; }
      for (var i = 0; i < n; i++) {
        var c = s.charCodeAt(i);
        b[p++] = c < 256 ? c : 63;
      }
      w.pos = p;
      return w;
    },
    utf8: function (s: string): AsciiWriter {
      for (var i = 0; i < s.length; i++) {
        var c = s.charCodeAt(i), n = c < 128 ? 0 : c < 2048 ? 1 : 2;    // continuation bytes
        if ((c & 0xfc00) === 0xd800) {      // surrogate pair: 4 bytes
          c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
          n = 3;
        }
        put(n ? (0xff << 7 - n) & 255 | c >> 6 * n : c);   // lead byte 110xxxxx, 1110xxxx or 11110xxx
        while (n--) put(128 | (c >> 6 * n) & 63);
      }
      return w;
    },
    num: function (n: number): AsciiWriter {
      if (n < 0) { put(45); n = -n; }
      n = Math.floor(n);
      // a loop, not recursion: one call per digit costs ~19k instructions on Espruino, and V8
      // boxes the fractional n / 10 passed down (16 B per digit)
      for (var d = 1; d * 10 <= n; d *= 10);
      for (; d >= 1; d /= 10) {
        var q = Math.floor(n / d);
        put(48 + q);
        n -= q * d;
      }
      return w;
    },
    hex: function (n: number, digits: number): AsciiWriter {
      while (digits--) put("0123456789abcdef".charCodeAt((n >>> (digits * 4)) & 15));
      return w;
    },
    jstr: function (s: string): AsciiWriter {
      put(34);
      for (var i = 0; i < s.length; i++) {
        var c = s.charCodeAt(i);
        if (c === 34 || c === 92) put(92).byte(c);
        else if (c < 32 || c > 126) put(92).byte(117).hex(c, 4);
        else put(c);
      }
      return put(34);
    },
  };
  return w;
}

var startup = asciiWriter();

/** Bytes of a one-byte-per-char string. Start-up only: allocates. */
export function toBytes(s: string): Uint8Array {
  return startup.reset(new Uint8Array(s.length), 0, s.length).str(s).buf;
}

/** Bytes of a string as UTF-8. Start-up only: allocates. */
export function utf8Bytes(s: string): Uint8Array {
  // measured first by writing into an empty array (writes beyond its end are ignored)
  var n = startup.reset(new Uint8Array(0), 0, 1e9).utf8(s).pos;
  return startup.reset(new Uint8Array(n), 0, n).utf8(s).buf;
}

/** src[a..b) equals t (ignoring ASCII case in src when `fold`, t being lower case). No allocation. */
export function same(src: Uint8Array, a: number, b: number, t: string, fold?: boolean): boolean {
  if (b - a !== t.length) return false;
  for (var i = 0; i < t.length; i++) {
    var x = src[a + i];
    if (fold && x > 64 && x < 91) x |= 32;
    if (x !== t.charCodeAt(i)) return false;
  }
  return true;
}

/** Value of one hex digit, or -1. */
function hexVal(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  b |= 32;
  return b >= 97 && b <= 102 ? b - 87 : -1;
}

/** The byte a percent escape at src[k] ('%' there) stands for; negative when not two hex digits follow. */
export function pctByte(src: Uint8Array, k: number): number {
  return (hexVal(src[k + 1]) << 4) | hexVal(src[k + 2]);
}
