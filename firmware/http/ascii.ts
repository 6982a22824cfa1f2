// Byte helpers for HTTP: an ASCII writer over a preallocated buffer, start-up string-to-bytes
// conversion, in-place comparisons. Nothing here allocates after start-up except toBytes() and
// utf8Bytes() (start-up only).

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
  /** Copies bytes (native set). */
  bytes(b: Uint8Array): AsciiWriter {
    var p = this.pos;
    if (p + b.length > this.end) this.over = true;
    else { this.buf.set(b, p); this.pos = p + b.length; }
    return this;
  }
  /** A string, one byte per char (code units above 255 are written as '?'). */
  str(s: string): AsciiWriter {
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      this.byte(c < 256 ? c : 63);
    }
    return this;
  }
  /** A string as UTF-8. */
  utf8(s: string): AsciiWriter {
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 128) this.byte(c);
      else {
        if (c < 2048) this.byte(192 | (c >> 6));
        else {
          if ((c & 0xfc00) === 0xd800) {      // surrogate pair: 4 bytes
            c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
            this.byte(240 | (c >> 18)).byte(128 | ((c >> 12) & 63));
          } else this.byte(224 | (c >> 12));
          this.byte(128 | ((c >> 6) & 63));
        }
        this.byte(128 | (c & 63));
      }
    }
    return this;
  }
  /** A non-negative integer below 2^53 in decimal (negative numbers get a '-'); fractions truncated. */
  num(n: number): AsciiWriter {
    if (n < 0) { this.byte(45); n = -n; }
    n = Math.floor(n);
    var d = 1;
    while (d * 10 <= n) d *= 10;
    for (; d >= 1; d /= 10) {
      var q = Math.floor(n / d);
      this.byte(48 + q);
      n -= q * d;
    }
    return this;
  }
  /** Lower-case hex, exactly `digits` digits of an unsigned 32-bit number. */
  hex(n: number, digits: number): AsciiWriter {
    while (digits--) this.byte("0123456789abcdef".charCodeAt((n >>> (digits * 4)) & 15));
    return this;
  }
  /** A JSON string literal (quotes included): escapes ", \ and control characters; UTF-16 above 0x7e as \uXXXX. */
  jstr(s: string): AsciiWriter {
    this.byte(34);
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c === 34 || c === 92) this.byte(92).byte(c);
      else if (c < 32 || c > 126) this.byte(92).byte(117).hex(c, 4);
      else this.byte(c);
    }
    return this.byte(34);
  }
}

var startup = new AsciiWriter();

/** Bytes of a one-byte-per-char string. Start-up only: allocates. */
export function toBytes(s: string): Uint8Array {
  return startup.reset(new Uint8Array(s.length), 0, s.length).str(s).buf;
}

/** Bytes of a string as UTF-8. Start-up only: allocates. */
export function utf8Bytes(s: string): Uint8Array {
  var n = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i) & 0xfc00;       // a surrogate pair counts 4 (high 4, low 0)
    n += c === 0xd800 ? 4 : c === 0xdc00 ? 0 : s.charCodeAt(i) < 128 ? 1 : s.charCodeAt(i) < 2048 ? 2 : 3;
  }
  return startup.reset(new Uint8Array(n), 0, n).utf8(s).buf;
}

/** src[a..b) equals t (ignoring ASCII case in src when `fold`, t being lower case). No allocation. */
export function same(src: Uint8Array, a: number, b: number, t: Uint8Array, fold?: boolean): boolean {
  if (b - a !== t.length) return false;
  for (var i = 0; i < t.length; i++) {
    var x = src[a + i];
    if (fold && x > 64 && x < 91) x |= 32;
    if (x !== t[i]) return false;
  }
  return true;
}

/** Value of one hex digit, or -1. */
export function hexVal(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  b |= 32;
  return b >= 97 && b <= 102 ? b - 87 : -1;
}
