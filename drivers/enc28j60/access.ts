// ENC28J60 register access (device code): the driver's record and state words, the active
// driver, bank selection, control register reads and writes, 16-bit pointer writes, bounded
// polls, the PHY over MII.
//
// Espruino's cost model: every function object and closure scope is RAM. So the driver is one
// record (its methods on a shared prototype, see driver.ts), its numbers in one Int32Array (St),
// its buffers views of one ArrayBuffer, and its code module-level functions that work on the
// ACTIVE driver: the module variables below point into its record. A board has one driver, so
// they are set once; a host with several drivers switches at every method entry (use()).

import { Hal, SpiPort } from "../../hal/types";
import type { Enc28j60Options } from "./driver";
import { Enc } from "./regs";
import { Mii } from "./limits";

/**
 * The driver's state words, indexes in rec.st: the state most used first (one-digit indexes
 * keep the bundle small), the counters in the order of Enc28j60Counters (driver.ts names them),
 * the configuration last.
 */
export const enum St {
  /** Complete packets known to wait (EPKTCNT at last read minus consumed). */
  AVAIL,
  /** Ring address of the next unconsumed packet's header. */
  NEXT_PKT,
  /** 1 while the chip's ERDPT is where the next read expects it. */
  RDPT_OK,
  /** 1 when the header of the packet at NEXT_PKT was already read (prefetched): it is in H_*. */
  HDR_READY,
  /** Bytes consumed but not yet released with ERXRDPT. */
  HELD,
  /** 1 while a frame was handed to the MAC and its completion not yet checked. */
  TX_BUSY,
  /** ECON1.BSEL as last written by us (SRC resets it to 0). */
  BANK,
  /** The chip's EWRPT (WBM advances it) and ETXND as last written, Ptr.UNKNOWN when not known. */
  EWRPT, ETXND,
  /** Nonzero (PHSTAT2.LSTAT) while the PHY reports the link up. */
  LINK,
  H_NEXT, H_COUNT, H_STAT,
  /** Sends of the frame in flight (late collisions, erratum 13). */
  TX_TRIES,
  /** Resends of the frame in flight after a stall (erratum 12). */
  TX_STALL_RETRIES,
  // The counters.
  RX_FRAMES, RX_ERRORS, RX_OVERFLOWS, RX_RESETS, TX_FRAMES, TX_ERRORS, TX_RETRIES, TX_RESETS, TX_STALLS,
  LINK_CHANGES, MII_TIMEOUTS,
  // The configuration (from the options).
  /** The largest packet (byte count with the CRC, rounded up to even) rx takes with a header behind it. */
  RX_MAX_COUNT,
  /** tx.length: the largest frame send() takes. */
  TX_MAX,
  FREE_BATCH,
  COUNT,
}

/**
 * cmd()'s first argument: a two-byte command's opcode shifted above the register code
 * (Op.BFS | Enc.ECON1): one constant per call site.
 */
export const enum Op {
  SHIFT = 8,
  WCR = Enc.OP_WCR << SHIFT,
  BFS = Enc.OP_BFS << SHIFT,
  BFC = Enc.OP_BFC << SHIFT,
  REG_MASK = 0xff,
}

export const enum Ptr {
  /** A cached pointer register value that matches nothing: wr16 writes both bytes (bit 16 of ~v is set). */
  UNKNOWN = -1,
  /** wr16 writes the low byte when (v ^ old) has one of these bits set. */
  LOW_OR_UNKNOWN = 0x100ff,
}

/** The driver's record (the Enc28j60 object itself: see driver.ts for its public part). */
export interface Rec {
  readonly mac: Uint8Array;
  readonly rx: Uint8Array;
  readonly tx: Uint8Array;
  revision: number;
  /** State words, indexed by St. */
  st: Int32Array;
  /** [RBM opcode, rx..., 2 spare]: the opcode and the frame travel in one transaction. */
  rxc: Uint8Array;
  /** rx as little-endian words: the receive headers read behind a frame. */
  rxw: Uint16Array;
  /** [WBM opcode, control byte 0x00 (never written), tx...]: one SPI write. */
  txc: Uint8Array;
  hal: Hal;
  /** The options (init() reads them). */
  opt: Enc28j60Options;
  /** Makes `counters` of the counter words (driverCounterNames, or the library's counts alone). */
  cn: (counts: Int32Array) => any;
  addMulticast(addr: Uint8Array): void;
}

// ---- the active driver ----
export var cur: Rec = null as unknown as Rec;
export var st: Int32Array;
export var spi: SpiPort;
export var hal: Hal;
export var rxc: Uint8Array;
export var rxw: Uint16Array;
export var txc: Uint8Array;
/** Register commands, shared by every driver: 3 bytes (MAC/MII reads with the dummy byte), c2 their first 2. */
export var c3 = new Uint8Array(3);
export var c2 = new Uint8Array(c3.buffer, 0, 2);

/** Makes d the active driver (every method's first step; nothing to do on a board). */
export function use(d: Rec): void {
  if (d === cur) return;
  cur = d;
  st = d.st;
  hal = d.hal;
  spi = hal.spi;
  rxc = d.rxc;
  rxw = d.rxw;
  txc = d.txc;
}

/** Selects bank b with BFC/BFS on ECON1 (a common register: no bank select of its own). */
export function setBank(b: number): void {
  var now = st[St.BANK];
  if (now & ~b) cmd(Op.BFC | Enc.ECON1, now & ~b);
  if (b & ~now) cmd(Op.BFS | Enc.ECON1, b & ~now);
  st[St.BANK] = b;
}

/** Reads a control register (its bank selected first unless common or current). */
export function rd(reg: number): number {
  var b = (reg >> Enc.BANK_SHIFT) & Enc.ECON1_BSEL;
  if ((reg & Enc.ADDR_MASK) < Enc.COMMON_FIRST && b !== st[St.BANK]) setBank(b);
  c3[0] = reg & Enc.ADDR_MASK; // OP_RCR is 0x00: the address alone
  c3[1] = c3[2] = 0;
  // MAC/MII registers answer after a dummy byte.
  if (reg & Enc.MACMII) {
    spi.transfer(c3, 3);
    return c3[2];
  }
  spi.transfer(c2, 2);
  return c3[1];
}

/**
 * A two-byte command on a register: opReg is Op.WCR (write), Op.BFS or Op.BFC (ETH registers
 * only) | the register; v the value or the bits.
 */
export function cmd(opReg: number, v: number): void {
  var b = (opReg >> Enc.BANK_SHIFT) & Enc.ECON1_BSEL;
  if ((opReg & Enc.ADDR_MASK) < Enc.COMMON_FIRST && b !== st[St.BANK]) setBank(b);
  c2[0] = (opReg >> Op.SHIFT) | (opReg & Enc.ADDR_MASK);
  c2[1] = v;
  spi.write(c2, 2);
}

/**
 * Writes a 16-bit pointer, low byte first (the chip latches some on the high byte), skipping each
 * byte that already holds its value (old: the register's cached value, Ptr.UNKNOWN to write both);
 * returns v.
 */
export function wr16(regL: number, v: number, old: number): number {
  if ((v ^ old) & Ptr.LOW_OR_UNKNOWN) cmd(Op.WCR | regL, v);
  if ((v ^ old) >> 8) cmd(Op.WCR | (regL + 1), v >> 8);
  return v;
}

/** Polls reg until (value & mask) === want; bounded by polls AND by the clock. */
export function waitFor(reg: number, mask: number, want: number, polls: number, ms: number): boolean {
  var clock = hal.clock;
  var t0 = clock.now();
  for (var i = 0; i < polls; i++) {
    if ((rd(reg) & mask) === want) return true;
    if (clock.now() - t0 > ms) return false;
  }
  return false;
}

/** Reads a PHY register over MII (bounded wait). */
export function phyRead(reg: number): number {
  cmd(Op.WCR | Enc.MIREGADR, reg);
  cmd(Op.WCR | Enc.MICMD, Enc.MICMD_MIIRD);
  if (!waitFor(Enc.MISTAT, Enc.MISTAT_BUSY, 0, Mii.WAIT_POLLS, Mii.WAIT_MS)) st[St.MII_TIMEOUTS]++;
  cmd(Op.WCR | Enc.MICMD, 0);
  return rd(Enc.MIRDL) | (rd(Enc.MIRDH) << 8);
}
