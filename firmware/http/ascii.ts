// Byte helpers for HTTP: an ASCII writer over a preallocated buffer, start-up string-to-bytes
// conversion, and in-place case-insensitive comparisons. Nothing here allocates after start-up
// except toBytes() (start-up only) and the string-returning helpers the handlers opt into.

/** Bytes of an ASCII/latin-1 string (one byte per char). Start-up only: allocates. */
export function toBytes(s: string): Uint8Array {
  var b = new Uint8Array(s.length);
  for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
  return b;
}

/** Bytes of a string as UTF-8 (page text may hold non-ASCII). Start-up only: allocates. */
export function utf8Bytes(s: string): Uint8Array {
  var n = 0, i: number, c: number;
  for (i = 0; i < s.length; i++) {
    c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : c >= 0xdc00 && c < 0xe000 ? 0 : 3;
  }
  var b = new Uint8Array(n), p = 0;
  for (i = 0; i < s.length; i++) {
    c = s.charCodeAt(i);
    if (c < 0x80) b[p++] = c;
    else if (c < 0x800) { b[p++] = 0xc0 | (c >> 6); b[p++] = 0x80 | (c & 63); }
    else if (c >= 0xd800 && c < 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      b[p++] = 0xf0 | (c >> 18); b[p++] = 0x80 | ((c >> 12) & 63); b[p++] = 0x80 | ((c >> 6) & 63); b[p++] = 0x80 | (c & 63);
    } else { b[p++] = 0xe0 | (c >> 12); b[p++] = 0x80 | ((c >> 6) & 63); b[p++] = 0x80 | (c & 63); }
  }
  return b;
}

/** ASCII lower case of one byte. */
export function lc(b: number): number {
  return b >= 65 && b <= 90 ? b | 32 : b;
}

/** src[a..b) equals the lower-case table t, ignoring ASCII case in src. No allocation. */
export function eqLower(src: Uint8Array, a: number, b: number, t: Uint8Array): boolean {
  if (b - a !== t.length) return false;
  for (var i = 0; i < t.length; i++) if (lc(src[a + i]) !== t[i]) return false;
  return true;
}

/** Value of one hex digit, or -1. */
export function hexVal(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  b |= 32;
  return b >= 97 && b <= 102 ? b - 87 : -1;
}

var HEX = "0123456789abcdef";

/**
 * Writes ASCII into a window [pos, end) of a preallocated buffer. Overflow sets `over` and
 * drops the rest (the caller answers 500 or truncates), never throws. One instance is retargeted
 * with reset() for every use, so writing allocates nothing.
 */
export class AsciiWriter {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  over = false;
  reset(buf: Uint8Array, pos: number, end: number): AsciiWriter {
    this.buf = buf; this.pos = pos; this.end = end; this.over = false;
    return this;
  }
  byte(b: number): AsciiWriter {
    if (this.pos < this.end) this.buf[this.pos++] = b; else this.over = true;
    return this;
  }
  /** Copies bytes (native set when they fit and are not a view of the same buffer region). */
  bytes(b: Uint8Array): AsciiWriter {
    if (this.pos + b.length > this.end) { this.over = true; return this; }
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  /** A string, one byte per char (code units above 255 are written as '?'). */
  str(s: string): AsciiWriter {
    var n = s.length;
    if (this.pos + n > this.end) { this.over = true; n = this.end - this.pos; }
    for (var i = 0; i < n; i++) {
      var c = s.charCodeAt(i);
      this.buf[this.pos++] = c < 256 ? c : 63;
    }
    return this;
  }
  /** A string as UTF-8. */
  utf8(s: string): AsciiWriter {
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0x80) this.byte(c);
      else if (c < 0x800) this.byte(0xc0 | (c >> 6)).byte(0x80 | (c & 63));
      else if (c >= 0xd800 && c < 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        this.byte(0xf0 | (c >> 18)).byte(0x80 | ((c >> 12) & 63)).byte(0x80 | ((c >> 6) & 63)).byte(0x80 | (c & 63));
      } else this.byte(0xe0 | (c >> 12)).byte(0x80 | ((c >> 6) & 63)).byte(0x80 | (c & 63));
    }
    return this;
  }
  /** A non-negative integer below 2^53 in decimal (negative numbers get a '-'); fractions truncated. */
  num(n: number): AsciiWriter {
    if (n < 0) { this.byte(45); n = -n; }
    n = Math.floor(n);
    var d = 1;
    while (d * 10 <= n) d *= 10;
    while (d >= 1) {
      var q = Math.floor(n / d);
      this.byte(48 + q);
      n -= q * d;
      d /= 10;
    }
    return this;
  }
  /** Lower-case hex, exactly `digits` digits of an unsigned 32-bit number. */
  hex(n: number, digits: number): AsciiWriter {
    for (var i = digits - 1; i >= 0; i--) this.byte(HEX.charCodeAt((n >>> (i * 4)) & 15));
    return this;
  }
  /** A JSON string literal (quotes included): escapes ", \ and control characters; UTF-16 above 0x7e as \uXXXX. */
  jstr(s: string): AsciiWriter {
    this.byte(34);
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c === 34 || c === 92) { this.byte(92); this.byte(c); }
      else if (c < 32 || c > 126) { this.byte(92); this.byte(117); this.hex(c, 4); }
      else this.byte(c);
    }
    return this.byte(34);
  }
}
