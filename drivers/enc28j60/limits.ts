// ENC28J60 driver: buffer sizes, wait bounds, retry counts and defaults (device code).
// `const enum`s like regs.ts: tsc writes each number in place, no name reaches the bundle.
// Every wait is bounded by the clock AND by a poll count: the clock ends it; the poll count is
// only a safety net for a clock that does not move.

import { Enc } from "./regs";

export const enum Tx {
  MAX_TRIES = 16,          // sends of one frame (erratum 13: late collisions)
  MAX_STALL_RETRIES = 1,   // resends after a stalled transmit logic (erratum 12)
  // Bound for a wait on TXRTS (the frame in flight: 1518 bytes take 1.2 ms on the wire).
  WAIT_MS = 20,
  WAIT_POLLS = 50000,
  /** txCmd: the WBM opcode and the control byte before the frame. */
  CMD_HDR = 1 + Enc.TX_CTRL_LEN,
  /** tx: room for the largest frame (its CRC is the MAC's: the frame itself is 4 bytes shorter). */
  BUF = Enc.MAX_FRAME,
}

export const enum Rx {
  /**
   * rx: a full frame with its CRC and the next packet's header read behind it (1518 + 6 = 1524),
   * rounded up to 1536.
   */
  BUF = 1536,
  /** rxAb: [unused, RBM opcode, rx (BUF bytes), 2 spare bytes]: 4 bytes more than rx. */
  AB_EXTRA = 4,
  /** RBM opcode + receive header: the read of a header alone. */
  HDR_CMD = 1 + Enc.RXH_LEN,
  /** Smallest byte count a sane header can carry: an Ethernet header and the CRC. */
  MIN_COUNT = Enc.ETH_HDR + Enc.CRC_LEN,
  /** Default freeBatch. */
  FREE_BATCH = 1024,
  /** receive() gives up after this many skipped packets (EPKTCNT is 8 bits: at most 255 wait). */
  MAX_SKIPS = 256,
  // Bound for the wait on RXBUSY before a receiver reset.
  BUSY_POLLS = 50,
  BUSY_MS = 3,
}

export const enum Mii {
  // Bound for the wait on MISTAT.BUSY (an MII operation takes 10.24 us).
  WAIT_POLLS = 2000,
  WAIT_MS = 5,
}

export const enum Ready {
  // Before SRC: bound for the wait on CLKRDY after leaving power save.
  OSC_POLLS = 200,
  OSC_MS = 2,
  // After SRC (erratum 2): at least MIN_MS (or MIN_POLLS when the clock does not move), then
  // CLKRDY and a register that holds what is written; at most MAX_MS (or MAX_POLLS).
  MIN_MS = 1,
  MIN_POLLS = 1000,
  MAX_MS = 10,
  MAX_POLLS = 100000,
  /** First test pattern for the write/read-back check (the poll count varies it). */
  PATTERN = 0x5a,
  /** EREVID when MISO floats high; 0x00 when it is held low: no chip in either case. */
  MISO_HIGH = 0xff,
}

export const enum Hash {
  /** CRC-32 generator polynomial (IEEE 802.3), MSB-first form. */
  POLY = 0x04c11db7,
  /** Destination address bits fed into the CRC: 6 octets. */
  BITS = 48,
  /** The hash pointer is CRC bits 28:23: 64 entries, EHT0..EHT7 with 8 bits each. */
  SHIFT = 23,
  MASK = 0x3f,
}
