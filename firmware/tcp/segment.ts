// TCP header fields read and written in place (big-endian, byte by byte: no DataView, no
// allocation), and the options parser.

/** TCP header flags (URG is never sent and ignored on input). */
export const enum F {
  FIN = 1,
  SYN = 2,
  RST = 4,
  PSH = 8,
  ACK = 16,
}

export function get16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function get32(b: Uint8Array, o: number): number {
  return get16(b, o) * 65536 + get16(b, o + 2);
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >> 8;
  b[o + 1] = v;
}

export function put32(b: Uint8Array, o: number, v: number): void {
  put16(b, o, v >>> 16);
  put16(b, o + 2, v);
}

/**
 * Walks the options in b[off .. off+len) and returns the peer's MSS, 0 when no MSS option is
 * present, or -1 when the options are malformed (a length below 2, running past the header,
 * or an MSS option whose length is not 4). EOL ends the list, NOP is skipped, unknown kinds are
 * skipped by their length. The index strictly increases, so the loop always ends.
 */
export function parseMss(b: Uint8Array, off: number, len: number): number {
  var end = off + len;
  var mss = 0;
  var i = off;
  while (i < end) {
    var kind = b[i];
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    var olen = b[i + 1];
    if (i + 1 >= end || olen < 2 || i + olen > end || (kind === 2 && olen !== 4)) return -1;
    if (kind === 2) mss = get16(b, i + 2);
    i += olen;
  }
  return mss;
}

/**
 * Writes a 20-byte TCP header (24 with the MSS option when mss > 0) at b[o..]; the checksum
 * field is zeroed. Returns the header length.
 */
export function putHeader(
  b: Uint8Array, o: number, sport: number, dport: number, seq: number, ack: number,
  flags: number, wnd: number, mss: number
): number {
  var hl = mss > 0 ? 24 : 20;
  put32(b, o, (sport << 16) | dport);
  put32(b, o + 4, seq);
  put32(b, o + 8, ack);
  put32(b, o + 12, (hl << 26) | (flags << 16) | wnd); // data offset, flags, window
  put32(b, o + 16, 0); // checksum (filled in later) and urgent pointer
  if (mss > 0) put32(b, o + 20, 0x02040000 | mss); // kind 2, length 4
  return hl;
}

/** Modular sequence-number comparisons (RFC 9293 3.4). */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}
