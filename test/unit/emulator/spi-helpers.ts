// Raw SPI byte sequences for driving the emulator directly in tests, written from the
// ENC28J60 datasheet's command table (no driver involved).
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";

export const OP_RCR = 0x00, OP_RBM = 0x3a, OP_WCR = 0x40, OP_WBM = 0x7a, OP_BFS = 0x80, OP_BFC = 0xa0, OP_SRC = 0xff;
export const EIE = 0x1b, EIR = 0x1c, ESTAT = 0x1d, ECON2 = 0x1e, ECON1 = 0x1f;

/** One CS-low..CS-high transaction; returns what came back. */
export function txn(emu: Enc28j60Emulator, bytes: number[]): number[] {
  const b = Uint8Array.from(bytes);
  emu.transaction(b, b.length);
  return Array.from(b);
}

/** Select a bank with BFC ECON1 0x03 then BFS ECON1 bank (two transactions, as drivers do). */
export function bank(emu: Enc28j60Emulator, n: number): void {
  txn(emu, [OP_BFC | ECON1, 0x03]);
  if (n) txn(emu, [OP_BFS | ECON1, n]);
}

export function wcr(emu: Enc28j60Emulator, bk: number, addr: number, v: number): void {
  if (addr < 0x1b) bank(emu, bk);
  txn(emu, [OP_WCR | addr, v]);
}

/** RCR of an ETH register (value in the 2nd byte). */
export function rcrEth(emu: Enc28j60Emulator, bk: number, addr: number): number {
  if (addr < 0x1b) bank(emu, bk);
  return txn(emu, [OP_RCR | addr, 0])[1];
}

/** RCR of a MAC/MII register (dummy byte, value in the 3rd byte). */
export function rcrMac(emu: Enc28j60Emulator, bk: number, addr: number): number {
  bank(emu, bk);
  return txn(emu, [OP_RCR | addr, 0, 0])[2];
}

export function bfs(emu: Enc28j60Emulator, addr: number, mask: number): void {
  txn(emu, [OP_BFS | addr, mask]);
}

export function bfc(emu: Enc28j60Emulator, addr: number, mask: number): void {
  txn(emu, [OP_BFC | addr, mask]);
}

/** Write a bank-0 pointer pair, low byte first. */
export function ptr16(emu: Enc28j60Emulator, lowAddr: number, v: number): void {
  bank(emu, 0);
  txn(emu, [OP_WCR | lowAddr, v & 0xff]);
  txn(emu, [OP_WCR | (lowAddr + 1), (v >> 8) & 0xff]);
}

export function read16(emu: Enc28j60Emulator, lowAddr: number): number {
  bank(emu, 0);
  return txn(emu, [OP_RCR | lowAddr, 0])[1] | (txn(emu, [OP_RCR | (lowAddr + 1), 0])[1] << 8);
}

export function wbm(emu: Enc28j60Emulator, data: ArrayLike<number>): void {
  txn(emu, [OP_WBM, ...Array.from(data)]);
}

export function rbm(emu: Enc28j60Emulator, n: number): number[] {
  return txn(emu, [OP_RBM, ...new Array(n).fill(0)]).slice(1);
}

export function phyWrite(emu: Enc28j60Emulator, reg: number, v: number): void {
  wcr(emu, 2, 0x14, reg); // MIREGADR
  txn(emu, [OP_WCR | 0x16, v & 0xff]); // MIWRL
  txn(emu, [OP_WCR | 0x17, v >> 8]); // MIWRH starts the write
  waitMiiIdle(emu);
}

export function waitMiiIdle(emu: Enc28j60Emulator): number {
  bank(emu, 3);
  for (let i = 0; i < 100; i++) {
    if ((txn(emu, [OP_RCR | 0x0a, 0, 0])[2] & 1) === 0) return i;
  }
  throw new Error("MII stayed busy");
}

export function phyRead(emu: Enc28j60Emulator, reg: number): number {
  wcr(emu, 2, 0x14, reg);
  txn(emu, [OP_WCR | 0x12, 0x01]); // MICMD.MIIRD
  waitMiiIdle(emu);
  bank(emu, 2);
  txn(emu, [OP_WCR | 0x12, 0x00]);
  const lo = txn(emu, [OP_RCR | 0x18, 0, 0])[2];
  const hi = txn(emu, [OP_RCR | 0x19, 0, 0])[2];
  return lo | (hi << 8);
}

export const MAC = [0x02, 0x00, 0x5e, 0x10, 0x20, 0x30];

export interface InitOpts { rxStart?: number; rxEnd?: number; fcon?: number; macon3?: number; fullDuplex?: boolean; maxFrame?: number; skipPhy?: boolean }

/** A minimal datasheet init (section 6) done with raw commands; returns the ring bounds. */
export function initChip(emu: Enc28j60Emulator, o: InitOpts = {}): { rxStart: number; rxEnd: number } {
  const rxStart = o.rxStart ?? 0, rxEnd = o.rxEnd ?? 0x17ff;
  ptr16(emu, 0x08, rxStart); // ERXST
  ptr16(emu, 0x0a, rxEnd); // ERXND
  ptr16(emu, 0x0c, rxEnd); // ERXRDPT
  ptr16(emu, 0x04, 0x1800); // ETXST
  wcr(emu, 1, 0x18, o.fcon ?? 0xa1); // ERXFCON UCEN|CRCEN|BCEN
  wcr(emu, 2, 0x00, 0x0d); // MACON1 MARXEN|TXPAUS|RXPAUS
  wcr(emu, 2, 0x02, o.macon3 ?? (0x32 | (o.fullDuplex ? 1 : 0))); // MACON3
  const mx = o.maxFrame ?? 1518;
  wcr(emu, 2, 0x0a, mx & 0xff);
  wcr(emu, 2, 0x0b, mx >> 8);
  // MAADR1..6 at 0x04,0x05,0x02,0x03,0x00,0x01
  const at = [0x04, 0x05, 0x02, 0x03, 0x00, 0x01];
  for (let i = 0; i < 6; i++) wcr(emu, 3, at[i], MAC[i]);
  if (o.skipPhy) { /* caller's clock may be frozen: no MII access */ }
  else if (o.fullDuplex) phyWrite(emu, 0x00, 0x0100); else phyWrite(emu, 0x10, 0x0100); // PDPXMD or HDLDIS
  bank(emu, 0);
  bfs(emu, ECON1, 0x04); // RXEN
  return { rxStart, rxEnd };
}

/** A test frame: dst, src MAC[…], type, then a counting payload. Length excludes the FCS. */
export function frame(dst: number[], len: number, seed = 1, type = 0x0800): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set([0x02, 0x11, 0x22, 0x33, 0x44, 0x55], 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  for (let i = 14; i < len; i++) f[i] = (i * 7 + seed) & 0xff;
  return f;
}

export const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
