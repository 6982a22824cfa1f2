// Byte helpers for HTTP: the ASCII characters and UTF-8 constants the HTTP code names, an ASCII
// writer over a preallocated buffer, start-up string-to-bytes conversion, in-place comparisons.
// Nothing here allocates after start-up except toBytes() and utf8Bytes() (start-up only).
import { stringToBytes } from "../../hal/natives";

/** ASCII characters read or written by the HTTP server and the app (const enum: tsc writes the
 *  numbers in place, nothing reaches the bundle). */
export const enum Ch {
  TAB = 0x09,
  LF = 0x0a,
  CR = 0x0d,
  SP = 0x20,
  DQUOTE = 0x22,      // "
  HASH = 0x23,        // #
  PERCENT = 0x25,     // %
  AMP = 0x26,         // &
  STAR = 0x2a,        // *
  PLUS = 0x2b,        // +
  COMMA = 0x2c,       // ,
  MINUS = 0x2d,       // -
  DOT = 0x2e,         // .
  SLASH = 0x2f,       // /
  DIGIT_0 = 0x30,
  DIGIT_1 = 0x31,
  DIGIT_9 = 0x39,
  COLON = 0x3a,       // :
  SEMI = 0x3b,        // ;
  EQUALS = 0x3d,      // =
  QUESTION = 0x3f,    // ?
  UPPER_A = 0x41,
  UPPER_Z = 0x5a,
  BACKSLASH = 0x5c,
  LOWER_A = 0x61,
  LOWER_F = 0x66,
  LOWER_H = 0x68,
  LOWER_Q = 0x71,
  LOWER_U = 0x75,
  RBRACE = 0x7d,      // }
  TILDE = 0x7e,       // ~, the last printable character
  DEL = 0x7f,
  /** Visible characters (RFC 5234 VCHAR): '!' to '~'. */
  VCHAR_MIN = 0x21,
  VCHAR_MAX = 0x7e,
  /** Set in a lower-case ASCII letter, clear in its upper-case form: `| CASE_BIT` folds to lower case. */
  CASE_BIT = 0x20,
  /** The highest code a one-byte-per-char string holds (Latin-1). */
  LATIN1_MAX = 0xff,
}

/** UTF-8 (RFC 3629 section 3) and UTF-16 surrogate constants. */
export const enum Utf8 {
  /** Code points below this are one byte (ASCII). */
  ONE_BYTE_END = 0x80,
  /** ... below this two bytes, then three, then (surrogate pairs) four. */
  TWO_BYTE_END = 0x800,
  /** Lead bytes: 110xxxxx (one continuation byte follows), 1110xxxx (two), 11110xxx (three). */
  LEAD_2 = 0xc0,
  LEAD_3 = 0xe0,
  LEAD_4 = 0xf0,
  /** Continuation bytes: 10xxxxxx, 6 bits of the code point each. */
  CONT = 0x80,
  CONT_MASK = 0x3f,
  CONT_BITS = 6,
  /** UTF-16: the top 6 bits tell a high surrogate (0xd800..0xdbff) from a low one (0xdc00..0xdfff). */
  SURROGATE_MASK = 0xfc00,
  HIGH_SURROGATE = 0xd800,
  LOW_SURROGATE = 0xdc00,
  /** The first code point a surrogate pair encodes; each surrogate carries 10 bits. */
  SUPPLEMENTARY = 0x10000,
  SURROGATE_BITS = 10,
}

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
  /** An integer below 2^53 in decimal (negative numbers get a '-'); fractions truncated. */
  num(n: number): AsciiWriter;
  /** Lower-case hex, exactly `digits` digits of an unsigned 32-bit number. */
  hex(n: number, digits: number): AsciiWriter;
  /** A JSON string literal (quotes included): escapes ", \ and control characters; UTF-16 above 0x7e as \uXXXX. */
  jstr(s: string): AsciiWriter;
}

/** The writer's methods, shared by every writer (Object.create: an instance costs a few
 *  variables on Espruino, no closures). */
var WRITER = {
  reset: function (this: AsciiWriter, buf: Uint8Array, pos: number, end: number): AsciiWriter {
    this.buf = buf; this.pos = pos; this.end = end; this.over = false;
    return this;
  },
  byte: function (this: AsciiWriter, b: number): AsciiWriter {
    if (this.pos < this.end) this.buf[this.pos++] = b; else this.over = true;
    return this;
  },
  bytes: function (this: AsciiWriter, b: Uint8Array): AsciiWriter {
    var p = this.pos;
    if (p + b.length > this.end) this.over = true;
    else { this.buf.set(b, p); this.pos = p + b.length; }
    return this;
  },
  str: function (this: AsciiWriter, s: string): AsciiWriter {
    var n = s.length, p = this.pos, b = this.buf;
    if (p + n > this.end) { this.over = true; n = this.end - p; s = s.substring(0, n); }
    // ASCII (the usual case): one native conversion and copy, no loop per character
    // (utf8Bytes() measures with a window past the end of an empty buffer: the loop ignores those writes)
    if (!NON_ASCII.test(s) && p + n <= b.length) { if (n > 0) b.set(stringToBytes(s), p); p += n; }
    else for (var i = 0; i < n; i++) {
      var c = s.charCodeAt(i);
      b[p++] = c <= Ch.LATIN1_MAX ? c : Ch.QUESTION;
    }
    this.pos = p;
    return this;
  },
  utf8: function (this: AsciiWriter, s: string): AsciiWriter {
    // ASCII (the usual case) is one native copy
    if (!NON_ASCII.test(s)) return this.str(s);
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i), n = c < Utf8.ONE_BYTE_END ? 0 : c < Utf8.TWO_BYTE_END ? 1 : 2;    // continuation bytes
      if ((c & Utf8.SURROGATE_MASK) === Utf8.HIGH_SURROGATE) {      // surrogate pair: 4 bytes
        c = Utf8.SUPPLEMENTARY + ((c - Utf8.HIGH_SURROGATE) << Utf8.SURROGATE_BITS) + (s.charCodeAt(++i) - Utf8.LOW_SURROGATE);
        n = 3;
      }
      // lead byte: n + 1 one bits on top (110xxxxx, 1110xxxx or 11110xxx), then the code point's top bits
      this.byte(n ? (0xff << 7 - n) & 0xff | c >> Utf8.CONT_BITS * n : c);
      while (n--) this.byte(Utf8.CONT | (c >> Utf8.CONT_BITS * n) & Utf8.CONT_MASK);
    }
    return this;
  },
  num: function (this: AsciiWriter, n: number): AsciiWriter {
    // the engine's own conversion: plain digits for an integer below 2^53 (Espruino 2v29 too,
    // measured on its 32-bit build: 4294967295, 9007199254740991)
    return this.str(n < 0 ? "-" + Math.floor(-n) : "" + Math.floor(n));
  },
  hex: function (this: AsciiWriter, n: number, digits: number): AsciiWriter {
    while (digits--) this.byte("0123456789abcdef".charCodeAt((n >>> (digits * 4)) & 15));
    return this;
  },
  jstr: function (this: AsciiWriter, s: string): AsciiWriter {
    return this.str(jsonText(s));
  }
};

/** The writer's numbers. */
const enum Num {
  /** Added to a code unit, its hex text has a leading "1" and then its 4 digits. */
  HEX4 = 0x10000,
}
/** A character outside ASCII; one JSON writes as \uXXXX (control characters, beyond '~'). */
export var NON_ASCII = /[^\x00-\x7f]/;
var JSON_ESCAPED = /[^\x20-\x7e]/;

/**
 * A JSON string literal (quotes included), ASCII only: RFC 8259 section 7, '"' and '\' escaped,
 * control characters as \uXXXX and, to stay ASCII, everything above '~' too (a code unit: a
 * surrogate pair becomes two escapes). Printable ASCII (the usual case): the engine's own
 * JSON.stringify, one native call.
 */
export function jsonText(s: string): string {
  if (!JSON_ESCAPED.test(s)) return JSON.stringify(s);
  var t = '"';
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c === Ch.DQUOTE || c === Ch.BACKSLASH) t += "\\" + s.charAt(i);
    else if (c < Ch.SP || c > Ch.TILDE) t += "\\u" + (Num.HEX4 + c).toString(16).substring(1);   // 4 hex digits
    else t += s.charAt(i);
  }
  return t + '"';
}

/** A new writer (a few variables: its methods are shared). */
export function asciiWriter(): AsciiWriter {
  return (Object.create(WRITER) as AsciiWriter).reset(new Uint8Array(0), 0, 0);
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
    if (fold && x >= Ch.UPPER_A && x <= Ch.UPPER_Z) x |= Ch.CASE_BIT;
    if (x !== t.charCodeAt(i)) return false;
  }
  return true;
}

/** Value of one hex digit, or -1. */
function hexVal(b: number): number {
  if (b >= Ch.DIGIT_0 && b <= Ch.DIGIT_9) return b - Ch.DIGIT_0;
  b |= Ch.CASE_BIT;
  return b >= Ch.LOWER_A && b <= Ch.LOWER_F ? b - (Ch.LOWER_A - 10) : -1;
}

/** The byte a percent escape at src[k] ('%' there) stands for; negative when not two hex digits follow. */
export function pctByte(src: Uint8Array, k: number): number {
  return (hexVal(src[k + 1]) << 4) | hexVal(src[k + 2]);
}
