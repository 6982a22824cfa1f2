// TCP header fields written in place (through the IP layer's byte helpers, firmware/net/bytes.ts)
// and the options parser.

import { rd16, rd32, wr16, wr32 } from "../net/bytes";

/** TCP header flags. */
export const enum F {
  FIN = 1,
  SYN = 2,
  RST = 4,
  PSH = 8,
  ACK = 16,
  URG = 32,  // urgent.ts
}

/** TCP header: byte offsets from its start, and lengths (RFC 9293 3.1). */
export const enum Hdr {
  SPORT = 0,
  DPORT = 2,
  SEQ = 4,
  ACK = 8,
  DATA_OFFSET = 12,  // high nibble: the header length in 32-bit words
  FLAGS = 13,
  WINDOW = 14,
  CHECKSUM = 16,
  URGENT = 18,
  OPTIONS = 20,      // options (if any) follow the fixed header
  LEN = 20,          // the header without options
  LEN_MSS = 24,      // with the MSS option, the only one we send
  DOFF_SHIFT = 4,    // DATA_OFFSET byte >> 4: the header length in words
  WORD_SHIFT = 2,    // words << 2: bytes
  // The 32-bit word at DATA_OFFSET: data offset (words) in bits 28-31, flags in 16-23,
  // window in 0-15. A length in bytes (a multiple of 4) << 26 is the length in words << 28.
  DOFF_WORD_SHIFT = 26,
  FLAGS_WORD_SHIFT = 16,
}

/** TCP option kinds and lengths (RFC 9293 3.2). */
export const enum Opt {
  EOL = 0,       // end of option list
  NOP = 1,       // no-operation (padding)
  MSS = 2,       // maximum segment size: kind, length 4, 16-bit MSS
  MSS_LEN = 4,
  MIN_LEN = 2,   // every option but EOL and NOP: kind, length, data
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
    if (kind === Opt.EOL) break;
    if (kind === Opt.NOP) {
      i++;
      continue;
    }
    var olen = b[i + 1];
    if (i + 1 >= end) return -1; // no room for the length byte
    if (olen < Opt.MIN_LEN) return -1; // MUST-7: would not advance (0, 1)
    if (i + olen > end) return -1; // runs past the header
    if (kind === Opt.MSS && olen !== Opt.MSS_LEN) return -1;
    if (kind === Opt.MSS) mss = rd16(b, i + 2);
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
  var hl = mss > 0 ? Hdr.LEN_MSS : Hdr.LEN;
  wr32(b, o + Hdr.SPORT, (sport << 16) | dport); // SPORT, DPORT
  wr32(b, o + Hdr.SEQ, seq);
  wr32(b, o + Hdr.ACK, ack);
  wr32(b, o + Hdr.DATA_OFFSET, (hl << Hdr.DOFF_WORD_SHIFT) | (flags << Hdr.FLAGS_WORD_SHIFT) | wnd); // DATA_OFFSET, FLAGS, WINDOW
  wr32(b, o + Hdr.CHECKSUM, 0); // CHECKSUM (filled in later), URGENT
  if (mss > 0) wr32(b, o + Hdr.OPTIONS, (Opt.MSS << 24) | (Opt.MSS_LEN << 16) | mss);
  return hl;
}

/** Modular sequence-number comparisons (RFC 9293 3.4). */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}
