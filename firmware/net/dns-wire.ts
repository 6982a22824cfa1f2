// DNS messages on the wire (RFC 1035 4), shared by the resolver (dns.ts) and the mDNS responder
// (mdns.ts): header offsets, flags, types and classes, and three name helpers that work in place
// on a message in rx or tx. Names in a message may end in a compression pointer (RFC 1035
// 4.1.4); the helpers follow pointers safely: a pointer must point backwards (to a prior
// occurrence), at most Dns.MAX_JUMPS pointers per name, and a name's labels add up to at most
// Dns.NAME_MAX bytes. A name that breaks one of these rules is malformed (-1), never a loop.

import { stringToBytes } from "../../hal/natives";

/** Header fields (offsets from the message's start), flag bits, types, classes and limits. */
export const enum Dns {
  ID = 0,
  FLAGS = 2,
  QDCOUNT = 4,          // questions
  ANCOUNT = 6,          // answers
  NSCOUNT = 8,          // authority records
  ARCOUNT = 10,         // additional records
  HEADER = 12,
  // FLAGS (16 bits)
  QR = 0x8000,          // a response
  OPCODE = 0x7800,      // 0: a standard query
  AA = 0x0400,          // authoritative answer
  TC = 0x0200,          // truncated
  RD = 0x0100,          // recursion desired
  RCODE = 0x000f,
  RCODE_OK = 0,
  RCODE_SERVFAIL = 2,
  RCODE_NXDOMAIN = 3,
  // Types and classes
  TYPE_A = 1,
  TYPE_CNAME = 5,
  TYPE_PTR = 12,
  TYPE_TXT = 16,
  TYPE_SRV = 33,
  TYPE_ANY = 255,
  CLASS_IN = 1,
  CLASS_BIT = 0x8000,   // mDNS: "unicast response" in a question, "cache flush" in a record
  CLASS_MASK = 0x7fff,
  // A question is name + type + class; a record name + type + class + TTL + rdata length + rdata
  Q_FIXED = 4,
  RR_FIXED = 10,
  RR_TYPE = 0,          // offsets in a record, after its name
  RR_CLASS = 2,
  RR_TTL = 4,
  RR_RDLEN = 8,
  // Names
  LABEL_MAX = 63,
  NAME_MAX = 255,       // the wire form, length bytes and the final 0 included
  PTR = 0xc0,           // the two top bits of a pointer (0x40 and 0x80: reserved label types)
  PTR_HIGH = 0x3f,      // the pointer's offset: the low 6 bits of its first byte, then a byte
  MAX_JUMPS = 16,
  DOT = 0x2e,
  CASE_BIT = 0x20,      // ASCII letters compare without case: 'A' | 0x20 === 'a'
  LOWER_A = 0x61,
  LOWER_Z = 0x7a,
}

/** Offset just past the name at b[i..end) (a pointer ends it), without following pointers; -1
 * when it runs past end or has a reserved label type or a label over 63 bytes. */
export function nameSkip(b: Uint8Array, i: number, end: number): number {
  var len: number;
  while (i < end) {
    len = b[i];
    if (len >= Dns.PTR) return i + 2 <= end ? i + 2 : -1;
    if (len > Dns.LABEL_MAX) return -1;
    if (!len) return i + 1;
    i += len + 1;
  }
  return -1;
}

/** The label at b[i] with its pointers followed (message at b[base..end)): the offset of a length
 * byte, or -1 when a pointer is broken, points forward or is one too many. */
function label(b: Uint8Array, base: number, i: number, end: number): number {
  for (var n = 0; i < end && b[i] >= Dns.PTR; n++) {
    var to = base + (((b[i] & Dns.PTR_HIGH) << 8) | b[i + 1]);
    if (n >= Dns.MAX_JUMPS || i + 1 >= end || to >= i) return -1;
    i = to;
  }
  return i < end && b[i] <= Dns.LABEL_MAX ? i : -1;
}

/**
 * Compares the name at a[i] (message a[aBase..aEnd)) with the name at b[j] (message
 * b[bBase..bEnd)), ASCII letters without case; either may be compressed (a and b may be the same
 * message). 1 equal, 0 different, -1 a name is malformed (as far as it was read).
 */
export function nameEq(a: Uint8Array, aBase: number, i: number, aEnd: number,
  b: Uint8Array, bBase: number, j: number, bEnd: number): number {
  var total = 0, len: number, k: number, x: number, y: number;
  for (;;) {
    i = label(a, aBase, i, aEnd);
    j = label(b, bBase, j, bEnd);
    if (i < 0 || j < 0) return -1;
    len = a[i];
    if ((total += len + 1) > Dns.NAME_MAX || i + len >= aEnd || j + b[j] >= bEnd) return -1;
    if (len !== b[j]) return 0;
    if (!len) return 1;
    for (k = 1; k <= len; k++) {
      x = a[i + k] | Dns.CASE_BIT;
      y = b[j + k] | Dns.CASE_BIT;
      if (a[i + k] !== b[j + k] && (x !== y || x < Dns.LOWER_A || x > Dns.LOWER_Z)) return 0;
    }
    i += len + 1;
    j += len + 1;
  }
}

/**
 * Writes the dotted name (one trailing dot allowed) at b[at..) in wire form: labels and a final
 * 0, uncompressed; each char's low 8 bits. The offset past it, or -1 when the name is empty, has
 * an empty label or one over 63 bytes, or is longer than 255 bytes in wire form or than b.
 */
export function nameWrite(b: Uint8Array, at: number, name: string): number {
  var n = name.length, k = 0, dot: number;
  if (n && name.charCodeAt(n - 1) === Dns.DOT) n--;
  if (!n || n + 2 > Dns.NAME_MAX || at + n + 2 > b.length) return -1;
  b.set(stringToBytes(n < name.length ? name.substring(0, n) : name), at + 1);
  // each dot (and the byte before the first label) becomes the length of the label after it
  for (;;) {
    dot = name.indexOf(".", k);
    if (dot < 0 || dot > n) dot = n;
    if (dot === k || dot - k > Dns.LABEL_MAX) return -1;
    b[at] = dot - k;
    at += dot - k + 1;
    if (dot === n) break;
    k = dot + 1;
  }
  b[at] = 0;
  return at + 1;
}
