// Register-level model of the Microchip ENC28J60 behind an SPI bus (host only).
//
// Faithful to the datasheet (DS39662E) and the rev. B errata (DS80349C) where a driver can
// tell the difference; see ../shared/reference/enc28j60.md (beside the repository). Layout of
// emu/enc28j60/: this file (SPI decoding, registers, receive/transmit engines, PHY, DMA), regs.ts
// (register map, write masks, reset values, status vector and frame constants), filters.ts
// (ERXFCON receive filters), tx-frame.ts (control byte, padding, CRC, status vector), phy.ts
// (PHY registers, link), crc.ts (FCS, hash-filter CRC).
//
// Time: every timed behaviour (MII busy, transmit duration, DMA, the window after SRC) is
// evaluated lazily against now() = (injected clock opts.now(), or 0) + an offset that advance()
// moves and that every SPI transaction moves by bytes * 8 / spiHz (unless spiTimeInClock is
// false). So a driver that polls a register makes time pass, as on silicon.
// Pending events (transmit done, MII done, DMA done) complete at the first chip access,
// advance(), deliver() or intLevel() after their time; a transmitted frame is stamped with its
// computed completion time, not with the time it was noticed. nextEventTime() tells a simulator
// when to call advance(0) if it wants frames to leave without waiting for the next access.
//
// Modelling choices where the datasheet leaves room (all visible to a driver):
// - SPI: the opcode byte and WCR/BFS/BFC data slots return 0x00; the dummy byte of a MAC/MII read
//   returns 0xA5; bytes after a finished command return 0xFF and are counted (extraBytes).
// - Reset window (SRC, hardwareReset): resetWindowMs (1 ms). Inside it every read returns 0xFF
//   except ESTAT, which reads 0x00 (CLKRDY 0), or 0x01 with faults.clkrdyEarly; writes, BFS/BFC,
//   RBM/WBM are ignored; deliveries are dropped. SRC resets the PHY registers too; buffer
//   memory keeps its contents. SRC with ECON2.PWRSV set is ignored (erratum 19). CLKRDY reads 0
//   in power save and for 300 us after PWRSV is cleared (oscillator start-up timer).
// - Receive: frames shorter than 60 bytes are zero-padded (what the sending MAC does on a real
//   wire). Frames longer than MAMXFL (with CRC) are dropped unless MACON3.HFRMEN. Control frames
//   (type 8808h) are dropped unless MACON1.PASSALL. Status bit 24 (multicast) excludes
//   broadcast; bit 22 is set for type fields > 1500 (every IP frame), bit 16 on the first
//   packet after one was lost to overflow. Writing ERXST/ERXND loads the internal write pointer
//   with ERXST (faults.erxstZero: with 0, erratum 5). ECON1.RXRST (rising) clears RXEN and
//   EPKTCNT and moves the write pointer to ERXST.
// - Transmit: the frame is taken from the buffer when TXRTS rises and leaves (8 + bytes with CRC)
//   * 0.8 us later. On completion TXRTS clears and TXIF is set - on an abort too, as datasheet
//   section 7.1 says - plus TXERIF and ESTAT.TXABRT for an abort. Clearing TXRTS cancels a
//   transmission (TXIF, status vector without "done"). ECON1.TXRST (rising) cancels the
//   transmission and unsticks a stalled transmitter; TXRTS cannot be set while TXRST is 1.
//   With the link down a frame completes normally but goes nowhere (txNoLink).
// - Half-duplex loopback (erratum 9): PHCON2.HDLDIS clear and MACON3.FULDPX clear.
// - PHY: PLNKIF is set on every link change; PGIF and EIR.LINKIF only with PHIE.PGEIE|PLNKIE.
// - DMA: about 40 ns per byte (no datasheet figure); EDMACS holds the Internet checksum
//   (complemented), EDMACSH the high byte, as in datasheet section 13.2.

import { crc32 } from "./crc";
import { isBroadcast, receiveFilterAccepts } from "./filters";
import { PhyModel } from "./phy";
import { planTransmit } from "./tx-frame";
import * as R from "./regs";

export interface EmulatorOptions {
  /** EREVID value, default 0x06 (B7). */
  revision?: number;
  /** Time source in ms (default: an internal virtual clock, see advance()). */
  now?: () => number;
  /** Modelled SPI clock for timing (default 10_500_000). */
  spiHz?: number;
  /** PHID2 revision nibble (default 0: PHID2 = 0x1400). */
  phyRevision?: number;
  /** Length of the invalid-access window after SRC or a hardware reset, ms (default 1). */
  resetWindowMs?: number;
  /** Link state at power-up (default true). */
  linkUp?: boolean;
  /**
   * Whether SPI traffic moves the clock (bytes * 8 / spiHz per transaction), default true. With an
   * injected clock the SPI time is added as an offset on top of it (so a host polling a register
   * in a tight loop still sees the chip progress, as on silicon); set false to use the injected
   * clock exactly (then only the clock and advance() move time).
   */
  spiTimeInClock?: boolean;
}

/** A frame as it left on the wire, including padding, without the CRC. */
export interface SentFrame { frame: Uint8Array; time: number }

export interface DeliverOptions {
  /** Deliver the frame with a wrong FCS (the emulator otherwise appends a correct one). */
  badCrc?: boolean;
}

export interface EmulatorFaults {
  /** While true every delivered frame is lost as if the ring were full: RXERIF set. */
  rxOverflow: boolean;
  /** The next N transmissions abort with a late collision (TXERIF, TXABRT, status bit 29; ESTAT.LATECOL stays 0, erratum 15). */
  lateCollision: number;
  /** Erratum 12: the next TXRTS sticks (nothing is sent) until ECON1.TXRST is set then cleared. One-shot: cleared when it strikes. */
  txStall: boolean;
  /** Erratum 14: while true, committing an even ERXRDPT corrupts the header of the next received packet. */
  evenRdptCorruption: boolean;
  /** Erratum 2: CLKRDY reads 1 during the window after reset although accesses are still invalid. */
  clkrdyEarly: boolean;
  /** Erratum 6: EIR.PKTIF reads 0 (and does not drive INT) although packets are pending. */
  unreliablePktif: boolean;
  /** Erratum 5: writing ERXST/ERXND loads the internal write pointer with 0 instead of ERXST. */
  erxstZero: boolean;
}

export interface EmulatorCounters {
  /** CS-low..CS-high transactions. */
  transactions: number;
  /** Bytes the host sent that carry meaning (opcodes, arguments, WBM data, bytes after a finished command). */
  bytesToChip: number;
  /** Bytes that carry data back (RCR value and its dummy byte, RBM data). */
  bytesFromChip: number;
  /** All bytes clocked (each is full duplex). */
  bytesClocked: number;
  /** RCR, RBM, WCR, WBM, BFS, BFC, SRC, invalid (unknown opcode). */
  byOpcode: Record<string, number>;
  /** Bytes clocked after an RCR/WCR/BFS/BFC/SRC had completed inside the same CS (undocumented use). */
  extraBytes: number;
  /** BFS/BFC addressed to a MAC/MII register (ignored by the chip). */
  bitOpRefused: number;
  /** Transactions inside the invalid window after a reset. */
  invalidAccess: number;
  /** SRC ignored because ECON2.PWRSV was set (erratum 19). */
  srcIgnored: number;
  /** Frames written into the receive ring. */
  rxDelivered: number;
  /** Frames not written for any reason (sum of the reasons below plus disabled/no link). */
  rxDropped: number;
  rxFiltered: number;
  rxCrcDropped: number;
  rxTooLong: number;
  rxOverflow: number;
  rxCorrupted: number;
  rxLoopedBack: number;
  /** Frames that left on the wire. */
  txFrames: number;
  txAborted: number;
  txLateCollisions: number;
  txGiants: number;
  txStalls: number;
  txNoLink: number;
  /** Transmissions whose buffer bytes the host overwrote (WBM) while TXRTS was set. */
  txBufferWrites: number;
  /** Writes to ETXST/ETXND while TXRTS was set (datasheet: do not). */
  txRegWrites: number;
  /** Writes to ERXST/ERXND while ECON1.RXEN was set (datasheet: do not). */
  rxRingWrites: number;
  dmaOps: number;
  miiOps: number;
}

// Transaction phases
const P_OPCODE = 0, P_RCR_DUMMY = 1, P_RCR = 2, P_WCR = 3, P_BFS = 4, P_BFC = 5, P_RBM = 6,
  P_WBM = 7, P_DONE = 8, P_IGNORE = 9;
const DUMMY_BYTE = 0xa5; // what a MAC/MII read returns in its dummy slot
const IDLE_BYTE = 0xff; // MISO when nothing drives it (CS high, no chip, no command, reset window)
const NO_DATA = 0x00; // MISO during an opcode or a written data byte
const DEFAULT_REVISION = 0x06; // EREVID of silicon rev. B7
const DEFAULT_SPI_HZ = 10_500_000;
/** Erratum 14's garbage header: the next pointer and status vector XORed with these (then forced bad). */
const CORRUPT_NEXT_XOR = 0x0a5a, CORRUPT_STATUS_XOR = 0x3a5a0000;
/** A wrong FCS for deliver(..., {badCrc: true}): the right one with these bits flipped. */
const BAD_FCS_XOR = 0xdeadbeef;
const BYTE_MS = 0.0008; // 10 Mbit/s: 0.8 us per byte
const PREAMBLE_BYTES = 8; // preamble and start-of-frame delimiter before every frame
const MII_MS = 0.01024; // 10.24 us
const OST_MS = 0.3; // oscillator start-up timer after leaving power save
const DMA_BYTE_MS = 0.00004; // ~1 byte per 40 ns (25 MHz core); an estimate, the datasheet gives no figure
const MII_NONE = 0, MII_READ = 1, MII_WRITE = 2;
const SENT_CAP = 4096;

interface PendingRx { frame: Uint8Array; badCrc: boolean }

export class Enc28j60Emulator {
  /** 8 KB buffer memory (introspection; tests may read or preload it). */
  readonly mem = new Uint8Array(R.MEM_SIZE);
  readonly faults: EmulatorFaults = {
    rxOverflow: false, lateCollision: 0, txStall: false, evenRdptCorruption: false,
    clkrdyEarly: false, unreliablePktif: false, erxstZero: false,
  };
  readonly counters: EmulatorCounters;
  /** When true the chip does not answer: every byte reads 0xFF and nothing is executed. */
  absent = false;
  /** Why the last frame given to deliver() (or looped back) was not written into the ring. */
  lastDrop = "";

  private readonly regs = new Uint8Array(R.REG_COUNT);
  private readonly phy: PhyModel;
  private readonly revision: number;
  private readonly phyRevision: number;
  private readonly spiMsPerByte: number;
  private readonly injectedNow: (() => number) | null;
  private readonly resetWindowMs: number;
  private readonly spiTimeInClock: boolean;
  private clockOffset = 0;

  // SPI transaction state
  private csActive = false;
  private phase = P_OPCODE;
  private cmdIdx = 0;
  private txnBytes = 0;
  private invalid = false;

  // Buffered ERXRDPTL (committed when ERXRDPTH is written)
  private rdptLowBuf = R.RESET_VALUE[R.ERXRDPTL];
  // Receive engine
  private rxWp = 0;
  private droppedSinceLast = false;
  private corruptNext = false;
  private readonly pendingRx: PendingRx[] = [];
  // Transmit engine
  private txBusy = false;
  private txStalled = false;
  private txDoneAt = 0;
  private txAbort = false;
  private txFrame: Uint8Array | null = null;
  private readonly txStatus = new Uint8Array(R.TSV_LEN);
  private txEnd = 0;
  private txStart = 0;
  private txTouched = false;
  // MII
  private miiOp = MII_NONE;
  private miiReg = 0;
  private miiValue = 0;
  private miiDoneAt = 0;
  private miiScanSince = -1;
  // DMA
  private dmaBusy = false;
  private dmaDoneAt = 0;
  // Reset window; oscillator start-up after power save
  private readyAt = 0;
  private oscReadyAt = 0;
  // INT pin
  private intLevelNow = true;
  private readonly intListeners: Array<(level: boolean) => void> = [];
  private readonly txListeners: Array<(frame: Uint8Array, time: number) => void> = [];
  private sent: SentFrame[] = [];

  constructor(opts?: EmulatorOptions) {
    const o = opts || {};
    this.revision = o.revision === undefined ? DEFAULT_REVISION : o.revision & 0xff;
    this.phyRevision = (o.phyRevision || 0) & R.PHID2_REV_MASK;
    this.spiMsPerByte = (8 * 1000) / (o.spiHz || DEFAULT_SPI_HZ); // 8 bits per byte, in ms
    this.injectedNow = o.now || null;
    this.resetWindowMs = o.resetWindowMs === undefined ? 1 : o.resetWindowMs;
    this.spiTimeInClock = o.spiTimeInClock === undefined ? true : o.spiTimeInClock;
    this.phy = new PhyModel(this.phyRevision, o.linkUp === undefined ? true : o.linkUp);
    this.counters = {
      transactions: 0, bytesToChip: 0, bytesFromChip: 0, bytesClocked: 0,
      byOpcode: { RCR: 0, RBM: 0, WCR: 0, WBM: 0, BFS: 0, BFC: 0, SRC: 0, invalid: 0 },
      extraBytes: 0, bitOpRefused: 0, invalidAccess: 0, srcIgnored: 0,
      rxDelivered: 0, rxDropped: 0, rxFiltered: 0, rxCrcDropped: 0, rxTooLong: 0, rxOverflow: 0,
      rxCorrupted: 0, rxLoopedBack: 0,
      txFrames: 0, txAborted: 0, txLateCollisions: 0, txGiants: 0, txStalls: 0, txNoLink: 0, txBufferWrites: 0, txRegWrites: 0, rxRingWrites: 0,
      dmaOps: 0, miiOps: 0,
    };
    this.powerOnReset();
    this.readyAt = 0; // powered up long ago: ready at once
  }

  // ------------------------------------------------------------------ time

  /** Current emulator time in ms. */
  now(): number {
    return this.injectedNow ? this.injectedNow() + this.clockOffset : this.clockOffset;
  }

  /** Moves the clock by ms (also with an injected clock, as an offset) and runs due events. */
  advance(ms: number): void {
    if (ms > 0) this.clockOffset += ms;
    this.sync();
    this.updateInt();
  }

  // ------------------------------------------------------------------ SPI

  /** One whole CS-low..CS-high transaction, full duplex in place. No allocation. */
  transaction(buf: Uint8Array, len: number): void {
    this.csLow();
    let i = 0;
    while (i < len) {
      if (this.phase === P_RBM && !this.invalid) { this.rbmRun(buf, i, len); break; }
      if (this.phase === P_WBM && !this.invalid) { this.wbmRun(buf, i, len); break; }
      buf[i] = this.exchange(buf[i]);
      i++;
    }
    this.csHigh();
  }

  csLow(): void {
    if (this.csActive) this.csHigh();
    this.sync();
    this.updateInt();
    this.csActive = true;
    this.phase = P_OPCODE;
    this.txnBytes = 0;
    this.invalid = this.now() < this.readyAt;
    this.counters.transactions++;
    if (this.invalid) this.counters.invalidAccess++;
  }

  exchange(byte: number): number {
    if (!this.csActive) return IDLE_BYTE; // CS high: SO is tri-stated
    this.txnBytes++;
    this.counters.bytesClocked++;
    if (this.absent) return IDLE_BYTE;
    const c = this.counters;
    switch (this.phase) {
      case P_OPCODE:
        c.bytesToChip++;
        this.opcode(byte & 0xff);
        return NO_DATA;
      case P_RCR_DUMMY:
        c.bytesFromChip++;
        this.phase = P_RCR;
        return this.invalid ? IDLE_BYTE : DUMMY_BYTE;
      case P_RCR:
        c.bytesFromChip++;
        this.phase = P_DONE;
        return this.spiRead(this.cmdIdx);
      case P_WCR:
        c.bytesToChip++;
        this.phase = P_DONE;
        if (!this.invalid) this.writeReg(this.cmdIdx, byte & 0xff);
        return NO_DATA;
      case P_BFS:
      case P_BFC:
        c.bytesToChip++;
        if (!this.invalid) this.bitOp(this.cmdIdx, byte & 0xff, this.phase === P_BFS);
        this.phase = P_DONE;
        return NO_DATA;
      case P_RBM: {
        c.bytesFromChip++;
        if (this.invalid) return IDLE_BYTE;
        const p = this.ptr(R.ERDPTL);
        const v = this.mem[p];
        if (this.regs[R.ECON2] & R.ECON2_AUTOINC) this.setPtr(R.ERDPTL, this.rbmNext(p));
        return v;
      }
      case P_WBM: {
        c.bytesToChip++;
        if (this.invalid) return NO_DATA;
        const p = this.ptr(R.EWRPTL);
        this.mem[p] = byte;
        if (this.txBusy) this.checkTxTouch(p);
        if (this.regs[R.ECON2] & R.ECON2_AUTOINC) this.setPtr(R.EWRPTL, (p + 1) & R.MEM_MASK);
        return NO_DATA;
      }
      case P_DONE:
        c.extraBytes++;
        c.bytesToChip++;
        return IDLE_BYTE;
      default:
        c.bytesToChip++;
        return IDLE_BYTE;
    }
  }

  csHigh(): void {
    if (!this.csActive) return;
    this.csActive = false;
    if (this.spiTimeInClock) this.clockOffset += this.txnBytes * this.spiMsPerByte;
    this.phase = P_OPCODE;
    while (this.pendingRx.length > 0) {
      const p = this.pendingRx.shift() as PendingRx;
      this.sync();
      this.rxFrame(p.frame, p.badCrc, true);
    }
    this.sync();
    this.updateInt();
  }

  private opcode(b: number): void {
    const c = this.counters.byOpcode;
    const a = b & R.ADDR_MASK;
    const idx = a >= R.COMMON_FIRST ? a : ((this.regs[R.ECON1] & R.ECON1_BSEL) << R.BANK_SHIFT) | a;
    switch (b >> R.OPCODE_SHIFT) {
      case R.OPC_RCR:
        c.RCR++;
        this.cmdIdx = idx;
        this.phase = R.IS_MAC[idx] ? P_RCR_DUMMY : P_RCR;
        return;
      case R.OPC_RBM:
        if (a === R.ARG_BUFFER) { c.RBM++; this.phase = P_RBM; return; }
        break;
      case R.OPC_WCR:
        c.WCR++;
        this.cmdIdx = idx;
        this.phase = P_WCR;
        return;
      case R.OPC_WBM:
        if (a === R.ARG_BUFFER) { c.WBM++; this.phase = P_WBM; return; }
        break;
      case R.OPC_BFS:
        c.BFS++;
        this.cmdIdx = idx;
        this.phase = P_BFS;
        return;
      case R.OPC_BFC:
        c.BFC++;
        this.cmdIdx = idx;
        this.phase = P_BFC;
        return;
      case R.OPC_SRC:
        if (b === R.SRC_BYTE) {
          c.SRC++;
          this.phase = P_DONE;
          if (this.regs[R.ECON2] & R.ECON2_PWRSV) this.counters.srcIgnored++;
          else this.systemReset();
          return;
        }
        break;
    }
    c.invalid++;
    this.phase = P_IGNORE;
  }

  private rbmRun(buf: Uint8Array, i: number, len: number): void {
    const mem = this.mem;
    const inc = (this.regs[R.ECON2] & R.ECON2_AUTOINC) !== 0;
    const st = this.ptr(R.ERXSTL), nd = this.ptr(R.ERXNDL);
    let p = this.ptr(R.ERDPTL);
    const n = len - i;
    for (; i < len; i++) {
      buf[i] = mem[p];
      if (inc) p = p === nd ? st : (p + 1) & R.MEM_MASK;
    }
    this.setPtr(R.ERDPTL, p);
    this.txnBytes += n;
    this.counters.bytesClocked += n;
    this.counters.bytesFromChip += n;
  }

  private wbmRun(buf: Uint8Array, i: number, len: number): void {
    const mem = this.mem;
    const inc = (this.regs[R.ECON2] & R.ECON2_AUTOINC) !== 0;
    let p = this.ptr(R.EWRPTL);
    const n = len - i;
    const watch = this.txBusy;
    for (; i < len; i++) {
      mem[p] = buf[i];
      buf[i] = 0;
      if (watch) this.checkTxTouch(p);
      if (inc) p = (p + 1) & R.MEM_MASK;
    }
    this.setPtr(R.EWRPTL, p);
    this.txnBytes += n;
    this.counters.bytesClocked += n;
    this.counters.bytesToChip += n;
  }

  /** A WBM byte landed inside the frame being transmitted (datasheet: do not touch it). */
  private checkTxTouch(p: number): void {
    if (((p - this.txStart) & R.MEM_MASK) <= ((this.txEnd - this.txStart) & R.MEM_MASK)) {
      if (!this.txTouched) this.counters.txBufferWrites++;
      this.txTouched = true;
    }
  }

  private rbmNext(p: number): number {
    return p === this.ptr(R.ERXNDL) ? this.ptr(R.ERXSTL) : (p + 1) & R.MEM_MASK;
  }

  // ------------------------------------------------------------------ registers

  private ptr(lowIdx: number): number {
    return (this.regs[lowIdx] | (this.regs[lowIdx + 1] << 8)) & R.MEM_MASK;
  }

  private setPtr(lowIdx: number, v: number): void {
    this.regs[lowIdx] = v & 0xff;
    this.regs[lowIdx + 1] = (v >> 8) & R.PTRH_MASK;
  }

  private eirValue(): number {
    let v = this.regs[R.EIR] & ~R.EIR_PKTIF;
    if (this.regs[R.EPKTCNT] > 0 && !this.faults.unreliablePktif) v |= R.EIR_PKTIF;
    return v;
  }

  private spiRead(idx: number): number {
    if (this.invalid) {
      if (idx === R.ESTAT) return this.faults.clkrdyEarly ? R.ESTAT_CLKRDY : 0;
      return IDLE_BYTE;
    }
    return this.peek(idx);
  }

  /** Register value as a read returns it (computed bits; MIRD refreshed while MIISCAN runs). */
  private peek(idx: number): number {
    switch (idx) {
      case R.EIR: return this.eirValue();
      case R.ESTAT: {
        let v = this.regs[R.ESTAT] & (R.ESTAT_BUFER | R.ESTAT_LATECOL | R.ESTAT_TXABRT);
        const t = this.now();
        if (t >= this.readyAt && t >= this.oscReadyAt && !(this.regs[R.ECON2] & R.ECON2_PWRSV)) v |= R.ESTAT_CLKRDY;
        if (!this.intLevelNow) v |= R.ESTAT_INT;
        return v;
      }
      case R.ECON2: return this.regs[R.ECON2] & ~R.ECON2_PKTDEC;
      case R.MISTAT: {
        let v = 0;
        if (this.miiOp !== MII_NONE) v |= R.MISTAT_BUSY;
        if (this.regs[R.MICMD] & R.MICMD_MIISCAN) {
          v |= R.MISTAT_SCAN | R.MISTAT_BUSY;
          if (this.now() - this.miiScanSince < MII_MS) v |= R.MISTAT_NVALID;
        }
        return v;
      }
      case R.MIRDL:
      case R.MIRDH:
        if ((this.regs[R.MICMD] & R.MICMD_MIISCAN) && this.now() - this.miiScanSince >= MII_MS) {
          const v = this.phy.peek(this.regs[R.MIREGADR] & R.PHY_ADDR_MASK, this.txBusy);
          this.regs[R.MIRDL] = v & 0xff;
          this.regs[R.MIRDH] = v >> 8;
        }
        return this.regs[idx];
      case R.EREVID: return this.revision;
      default: return this.regs[idx];
    }
  }

  private bitOp(idx: number, mask: number, set: boolean): void {
    if (R.IS_MAC[idx]) { this.counters.bitOpRefused++; return; }
    if (idx === R.ESTAT) {
      if (!set) this.regs[R.ESTAT] &= ~(mask & (R.ESTAT_BUFER | R.ESTAT_TXABRT));
      return;
    }
    const old = idx === R.EIR ? this.regs[R.EIR] : this.regs[idx];
    if (idx === R.ECON2) {
      // PKTDEC reads 0: BFS with PKTDEC decrements; BFC never does
      this.writeReg(idx, set ? (old | mask) : (old & ~mask & ~R.ECON2_PKTDEC));
      return;
    }
    if (idx === R.ERXRDPTL) {
      this.writeReg(idx, set ? (this.rdptLowBuf | mask) : (this.rdptLowBuf & ~mask));
      return;
    }
    this.writeReg(idx, set ? old | mask : old & ~mask);
  }

  private writeReg(idx: number, v: number): void {
    const regs = this.regs;
    switch (idx) {
      case R.ECON1: this.writeEcon1(v); return;
      case R.ECON2: {
        if (v & R.ECON2_PKTDEC) {
          if (regs[R.EPKTCNT] > 0) regs[R.EPKTCNT]--;
        }
        // Leaving power save restarts the oscillator start-up timer (CLKRDY 0 for ~300 us)
        if ((regs[R.ECON2] & R.ECON2_PWRSV) && !(v & R.ECON2_PWRSV)) this.oscReadyAt = this.now() + OST_MS;
        regs[R.ECON2] = v & R.WRITE_MASK[R.ECON2];
        return;
      }
      case R.EIR:
        regs[R.EIR] = (regs[R.EIR] & ~R.EIR_SW) | (v & R.EIR_SW);
        return;
      case R.ESTAT:
        // Clear-only bits: writing 0 clears BUFER/TXABRT
        regs[R.ESTAT] &= v | ~(R.ESTAT_BUFER | R.ESTAT_TXABRT);
        return;
      case R.ERXRDPTL:
        this.rdptLowBuf = v;
        return;
      case R.ERXRDPTH:
        regs[R.ERXRDPTL] = this.rdptLowBuf;
        regs[R.ERXRDPTH] = v & R.PTRH_MASK;
        if (this.faults.evenRdptCorruption && (this.rdptLowBuf & 1) === 0) this.corruptNext = true;
        return;
      case R.ETXSTL: case R.ETXSTL + 1: case R.ETXNDL: case R.ETXNDL + 1:
        if (regs[R.ECON1] & R.ECON1_TXRTS) this.counters.txRegWrites++;
        regs[idx] = v & R.WRITE_MASK[idx];
        return;
      case R.ERXSTL: case R.ERXSTL + 1: case R.ERXNDL: case R.ERXNDL + 1:
        if (regs[R.ECON1] & R.ECON1_RXEN) this.counters.rxRingWrites++;
        regs[idx] = v & R.WRITE_MASK[idx];
        this.rxWp = this.faults.erxstZero ? 0 : this.ptr(R.ERXSTL);
        this.setPtr(R.ERXWRPTL, this.rxWp);
        return;
      case R.MICMD: {
        const old = regs[R.MICMD];
        regs[R.MICMD] = v & (R.MICMD_MIISCAN | R.MICMD_MIIRD);
        if ((v & R.MICMD_MIIRD) && !(old & R.MICMD_MIIRD) && this.miiOp === MII_NONE) {
          this.startMii(MII_READ, regs[R.MIREGADR] & R.PHY_ADDR_MASK, 0);
        }
        if ((v & R.MICMD_MIISCAN) && !(old & R.MICMD_MIISCAN)) this.miiScanSince = this.now();
        return;
      }
      case R.MIWRH:
        regs[R.MIWRH] = v;
        if (this.miiOp === MII_NONE) this.startMii(MII_WRITE, regs[R.MIREGADR] & R.PHY_ADDR_MASK, regs[R.MIWRL] | (v << 8));
        return;
      default:
        regs[idx] = (regs[idx] & ~R.WRITE_MASK[idx]) | (v & R.WRITE_MASK[idx]);
    }
  }

  private writeEcon1(v: number): void {
    const regs = this.regs;
    const old = regs[R.ECON1];
    let nv = v & 0xff;
    // TXRST
    if (nv & R.ECON1_TXRST) {
      if (!(old & R.ECON1_TXRST)) this.resetTx();
      nv &= ~R.ECON1_TXRTS; // transmit logic held in reset: no request possible
    }
    // RXRST
    if ((nv & R.ECON1_RXRST) && !(old & R.ECON1_RXRST)) {
      this.resetRx();
      nv &= ~R.ECON1_RXEN;
    }
    // A stalled transmitter ignores the host clearing TXRTS (erratum 12)
    if (this.txStalled && !(nv & R.ECON1_TXRST)) nv |= R.ECON1_TXRTS;
    // DMA completes by itself; the host cannot cancel it by clearing DMAST in this model
    if (this.dmaBusy) nv |= R.ECON1_DMAST;
    regs[R.ECON1] = nv;
    if ((nv & R.ECON1_TXRTS) && !(old & R.ECON1_TXRTS)) this.startTx();
    else if (!(nv & R.ECON1_TXRTS) && (old & R.ECON1_TXRTS) && this.txBusy) this.cancelTx();
    if ((nv & R.ECON1_DMAST) && !(old & R.ECON1_DMAST) && !this.dmaBusy) this.startDma();
  }

  // ------------------------------------------------------------------ resets

  private powerOnReset(): void {
    this.regs.set(R.RESET_VALUE);
    this.afterReset();
  }

  /** SRC: every register to its reset value except ECOCON; buffer memory is kept. */
  private systemReset(): void {
    const ecocon = this.regs[R.ECOCON];
    this.regs.set(R.RESET_VALUE);
    this.regs[R.ECOCON] = ecocon;
    this.afterReset();
  }

  /** The RESET pin (or power cycle): like SRC but ECOCON too. Opens the invalid window. */
  hardwareReset(): void {
    this.powerOnReset();
    this.updateInt();
  }

  private afterReset(): void {
    this.rdptLowBuf = this.regs[R.ERXRDPTL];
    this.rxWp = 0;
    this.droppedSinceLast = false;
    this.corruptNext = false;
    this.txBusy = false;
    this.txStalled = false;
    this.txFrame = null;
    this.miiOp = MII_NONE;
    this.miiScanSince = -1;
    this.dmaBusy = false;
    this.phy.reset();
    this.readyAt = this.now() + this.resetWindowMs;
  }

  private resetTx(): void {
    this.txBusy = false;
    this.txStalled = false;
    this.txFrame = null;
  }

  private resetRx(): void {
    this.regs[R.EPKTCNT] = 0;
    this.rxWp = this.ptr(R.ERXSTL);
    this.setPtr(R.ERXWRPTL, this.rxWp);
    this.droppedSinceLast = false;
    this.corruptNext = false;
  }

  // ------------------------------------------------------------------ events

  private sync(): void {
    const t = this.now();
    if (this.txBusy && t >= this.txDoneAt) this.completeTx();
    if (this.miiOp !== MII_NONE && t >= this.miiDoneAt) this.completeMii();
    if (this.dmaBusy && t >= this.dmaDoneAt) this.completeDma();
  }

  private updateInt(): void {
    const eie = this.regs[R.EIE];
    const level = !((eie & R.EIE_INTIE) && (this.eirValue() & eie & R.EIR_ALL));
    if (level !== this.intLevelNow) {
      this.intLevelNow = level;
      for (let i = 0; i < this.intListeners.length; i++) this.intListeners[i](level);
    }
  }

  /** INT pin level: false (low) = asserted. */
  intLevel(): boolean {
    if (!this.csActive) this.sync();
    this.updateInt();
    return this.intLevelNow;
  }

  onIntChange(fn: (level: boolean) => void): void {
    this.intListeners.push(fn);
  }

  // ------------------------------------------------------------------ PHY

  private startMii(op: number, reg: number, value: number): void {
    this.miiOp = op;
    this.miiReg = reg;
    this.miiValue = value;
    this.miiDoneAt = this.now() + MII_MS;
    this.counters.miiOps++;
  }

  private completeMii(): void {
    const op = this.miiOp;
    this.miiOp = MII_NONE;
    if (op === MII_READ) {
      const v = this.phy.read(this.miiReg, this.txBusy);
      if (this.miiReg === R.PHIR) this.regs[R.EIR] &= ~R.EIR_LINKIF; // reading PHIR clears LINKIF
      this.regs[R.MIRDL] = v & 0xff;
      this.regs[R.MIRDH] = v >> 8;
    } else if (op === MII_WRITE) {
      this.phy.write(this.miiReg, this.miiValue);
    }
  }

  /** Link up/down on the wire side. */
  setLink(up: boolean): void {
    this.sync();
    if (this.phy.setLink(up)) this.regs[R.EIR] |= R.EIR_LINKIF;
    this.updateInt();
  }

  // ------------------------------------------------------------------ receive

  /**
   * A frame arrives from the wire: destination address through payload, without the FCS (the
   * emulator appends a correct one, or a wrong one with {badCrc: true}). Frames shorter than 60
   * bytes are zero-padded as the sender's MAC would. Returns false when the frame is not
   * written into the ring (filtered, overflow, RX disabled, link down, ...). Called during an
   * open transaction, the frame is queued and processed when CS rises; the call returns true.
   */
  deliver(frame: Uint8Array, opts?: DeliverOptions): boolean {
    const bad = !!(opts && opts.badCrc);
    if (this.csActive) {
      this.pendingRx.push({ frame: frame.slice(), badCrc: bad });
      return true;
    }
    this.sync();
    const ok = this.rxFrame(frame, bad, true);
    this.updateInt();
    return ok;
  }

  private rxDrop(reason: string): boolean {
    this.counters.rxDropped++;
    this.lastDrop = reason;
    return false;
  }

  private rxFrame(frame: Uint8Array, badCrc: boolean, fromWire: boolean): boolean {
    const regs = this.regs, c = this.counters;
    if (this.absent) return this.rxDrop("absent");
    if (this.now() < this.readyAt) return this.rxDrop("reset window");
    if (regs[R.ECON2] & R.ECON2_PWRSV) return this.rxDrop("power save");
    if ((regs[R.ECON1] & R.ECON1_RXRST) || !(regs[R.ECON1] & R.ECON1_RXEN) ||
        !(regs[R.MACON1] & R.MACON1_MARXEN)) return this.rxDrop("receiver disabled");
    if (fromWire && !this.phy.linkUp) return this.rxDrop("link down");
    if (fromWire && this.phy.internalLoopback()) return this.rxDrop("PHY loopback");
    const len = frame.length < R.ETH_MIN_FRAME ? R.ETH_MIN_FRAME : frame.length;
    const fcon = regs[R.ERXFCON];
    if (badCrc && (fcon & R.ERXFCON_CRCEN)) { c.rxCrcDropped++; return this.rxDrop("CRC"); }
    const type = (frame[R.ETH_TYPE] << 8) | frame[R.ETH_TYPE + 1];
    if (type === R.ETH_TYPE_MAC_CONTROL && !(regs[R.MACON1] & R.MACON1_PASSALL)) {
      c.rxFiltered++;
      return this.rxDrop("control frame");
    }
    if (!receiveFilterAccepts(frame, regs)) { c.rxFiltered++; return this.rxDrop("filter"); }
    const count = len + R.ETH_FCS_LEN;
    const maxLen = regs[R.MAMXFLL] | (regs[R.MAMXFLL + 1] << 8);
    if (!(regs[R.MACON3] & R.MACON3_HFRMEN) && count > maxLen) { c.rxTooLong++; return this.rxDrop("longer than MAMXFL"); }
    // Ring space
    const st = this.ptr(R.ERXSTL), nd = this.ptr(R.ERXNDL);
    const rd = this.ptr(R.ERXRDPTL), wr = this.rxWp;
    const free = wr > rd ? (nd - st) - (wr - rd) : wr === rd ? nd - st : rd - wr - 1;
    const needed = (R.RXH_LEN + count + 1) & ~1; // header + frame + FCS, rounded up to even
    // Overflow: one named reason per cause, all counted as rxOverflow and raising RXERIF.
    let overflow = "";
    if (this.faults.rxOverflow) overflow = "overflow (fault)";
    else if (regs[R.EPKTCNT] >= R.EPKTCNT_MAX) overflow = "EPKTCNT 255";
    else if (needed > free) overflow = "ring full";
    if (overflow) {
      regs[R.EIR] |= R.EIR_RXERIF;
      this.droppedSinceLast = true;
      c.rxOverflow++;
      return this.rxDrop(overflow);
    }
    // Status vector
    const bcast = isBroadcast(frame);
    const mcast = !bcast && (frame[0] & R.ETH_GROUP_BIT) !== 0;
    let status = count;
    if (this.droppedSinceLast) status |= R.RSV_LONG_DROP;
    if (badCrc) status |= R.RSV_CRC_ERROR;
    if (type <= R.ETH_MAX_LENGTH) {
      // A length field: with FRMLNEN, checked against the payload (46 bytes when it is shorter: padded).
      const want = type > R.ETH_MIN_PAYLOAD ? type : R.ETH_MIN_PAYLOAD;
      if ((regs[R.MACON3] & R.MACON3_FRMLNEN) && len - R.ETH_HDR !== want) status |= R.RSV_LEN_CHECK_ERROR;
    } else status |= R.RSV_LEN_OUT_OF_RANGE; // a type field (every IP frame)
    if (!badCrc) status |= R.RSV_RX_OK;
    if (mcast) status |= R.RSV_MULTICAST;
    if (bcast) status |= R.RSV_BROADCAST;
    if (type === R.ETH_TYPE_MAC_CONTROL) {
      status |= R.RSV_CONTROL;
      const opcode = len >= R.ETH_CONTROL_OPCODE + 2 ?
        (frame[R.ETH_CONTROL_OPCODE] << 8) | frame[R.ETH_CONTROL_OPCODE + 1] : -1;
      status |= opcode === R.ETH_OPCODE_PAUSE ? R.RSV_PAUSE : R.RSV_UNKNOWN_OPCODE;
    }
    if (type === R.ETH_TYPE_VLAN) status |= R.RSV_VLAN;
    const next = this.ringAdvance(wr, needed, st, nd);
    let hdrNext = next;
    if (this.corruptNext) {
      // Erratum 14: the hardware wrote a garbage header (odd next pointer, reserved bit 31 set, not OK)
      this.corruptNext = false;
      hdrNext = ((next ^ CORRUPT_NEXT_XOR) | 1) & R.MEM_MASK;
      status = ((status ^ CORRUPT_STATUS_XOR) | R.RSV_ZERO) & ~R.RSV_RX_OK;
      c.rxCorrupted++;
    }
    // Write header, frame, FCS (never touching the byte at ERXRDPT: guaranteed by the space check)
    let p = wr;
    const mem = this.mem;
    const put = (b: number): void => { mem[p] = b; p = p === nd ? st : (p + 1) & R.MEM_MASK; };
    put(hdrNext & 0xff); put(hdrNext >> 8);
    put(status & 0xff); put((status >>> 8) & 0xff); put((status >>> 16) & 0xff); put((status >>> 24) & 0xff);
    p = this.ringCopy(frame, frame.length, p, st, nd);
    for (let i = frame.length; i < len; i++) put(0);
    let fcs = frame.length === len ? crc32(frame, 0, len) : this.paddedCrc(frame, len);
    if (badCrc) fcs = (fcs ^ BAD_FCS_XOR) >>> 0;
    put(fcs & 0xff); put((fcs >>> 8) & 0xff); put((fcs >>> 16) & 0xff); put(fcs >>> 24);
    this.rxWp = next;
    this.setPtr(R.ERXWRPTL, next);
    regs[R.EPKTCNT]++;
    this.droppedSinceLast = false;
    c.rxDelivered++;
    return true;
  }

  /** The address n bytes after p with the receive-write wrap rule (ERXND -> ERXST, else 0x1FFF -> 0). */
  private ringAdvance(p: number, n: number, st: number, nd: number): number {
    while (n > 0) {
      const last = p <= nd ? nd : R.MEM_MASK; // last address before the wrap
      const k = Math.min(n, last - p + 1);
      n -= k;
      p += k;
      if (p > last) p = last === nd ? st : 0;
    }
    return p;
  }

  /** Copies src[0..n) into the ring at p (wrapping ERXND -> ERXST, else 0x1FFF -> 0); returns the next p. */
  private ringCopy(src: Uint8Array, n: number, p: number, st: number, nd: number): number {
    const mem = this.mem;
    let i = 0;
    while (i < n) {
      const last = p <= nd ? nd : R.MEM_MASK; // last address before the wrap
      const k = Math.min(n - i, last - p + 1);
      mem.set(src.subarray(i, i + k), p);
      i += k;
      p += k;
      if (p > last) p = last === nd ? st : 0;
    }
    return p;
  }

  private paddedCrc(frame: Uint8Array, len: number): number {
    const tmp = new Uint8Array(len);
    tmp.set(frame);
    return crc32(tmp, 0, len);
  }

  // ------------------------------------------------------------------ transmit

  /** Registers a listener for frames leaving on the wire (frame without CRC, time in ms). */
  onTransmit(fn: (frame: Uint8Array, time: number) => void): void {
    this.txListeners.push(fn);
  }

  /** Frames sent since the last call (kept whether or not a listener is registered; capped). */
  takeSent(): SentFrame[] {
    const s = this.sent;
    this.sent = [];
    return s;
  }

  private startTx(): void {
    const regs = this.regs, c = this.counters;
    if (regs[R.ECON2] & R.ECON2_PWRSV) return;
    if (this.faults.txStall) {
      this.faults.txStall = false;
      this.txStalled = true;
      c.txStalls++;
      return;
    }
    const st = this.ptr(R.ETXSTL), nd = this.ptr(R.ETXNDL);
    const plan = planTransmit(this.mem, regs, st, nd, this.faults.lateCollision > 0, this.txStatus);
    const giant = plan.giant, late = plan.late;
    if (late) this.faults.lateCollision--;
    this.txEnd = nd;
    this.txStart = st;
    this.txTouched = false;
    this.txAbort = giant || late;
    this.txFrame = this.txAbort ? null : plan.wire;
    if (giant) c.txGiants++;
    if (late) c.txLateCollisions++;
    this.txBusy = true;
    this.txDoneAt = this.now() + (giant ? 0 : (PREAMBLE_BYTES + plan.onWire) * BYTE_MS);
  }

  private writeTxStatus(): void {
    let p = (this.txEnd + 1) & R.MEM_MASK;
    for (let i = 0; i < R.TSV_LEN; i++) { this.mem[p] = this.txStatus[i]; p = (p + 1) & R.MEM_MASK; }
  }

  private cancelTx(): void {
    // Host cleared TXRTS: abort; status vector without "done", TXIF set
    this.txStatus[R.TSV_FLAGS2] &= ~R.TSV2_DONE;
    this.writeTxStatus();
    this.txBusy = false;
    this.txFrame = null;
    this.regs[R.EIR] |= R.EIR_TXIF;
  }

  private completeTx(): void {
    const regs = this.regs, c = this.counters;
    this.txBusy = false;
    this.writeTxStatus();
    regs[R.ECON1] &= ~R.ECON1_TXRTS;
    regs[R.EIR] |= R.EIR_TXIF;
    const frame = this.txFrame;
    this.txFrame = null;
    if (frame && this.txTouched) {
      // The host rewrote the buffer during the transmission: the wire carries the new bytes
      const n = Math.min(frame.length, ((this.txEnd - this.txStart) & R.MEM_MASK));
      for (let i = 0, p = (this.txStart + 1) & R.MEM_MASK; i < n; i++, p = (p + 1) & R.MEM_MASK) frame[i] = this.mem[p];
    }
    const time = this.txDoneAt;
    if (this.txAbort || !frame) {
      regs[R.EIR] |= R.EIR_TXERIF;
      regs[R.ESTAT] |= R.ESTAT_TXABRT;
      c.txAborted++;
      return;
    }
    if (this.phy.internalLoopback()) {
      c.rxLoopedBack++;
      this.rxFrame(frame, false, false);
      return;
    }
    if (!this.phy.linkUp) { c.txNoLink++; return; }
    // Erratum 9: half duplex without HDLDIS loops own frames back into the receiver
    if (this.phy.halfDuplexLoopback() && !(regs[R.MACON3] & R.MACON3_FULDPX)) {
      c.rxLoopedBack++;
      this.rxFrame(frame, false, false);
    }
    c.txFrames++;
    if (this.sent.length >= SENT_CAP) this.sent.splice(0, SENT_CAP >> 1);
    this.sent.push({ frame, time });
    for (let i = 0; i < this.txListeners.length; i++) this.txListeners[i](frame, time);
  }

  // ------------------------------------------------------------------ DMA

  private startDma(): void {
    const st = this.ptr(R.EDMASTL), nd = this.ptr(R.EDMANDL);
    const n = this.dmaLength(st, nd);
    this.dmaBusy = true;
    this.dmaDoneAt = this.now() + n * DMA_BYTE_MS;
    this.counters.dmaOps++;
  }

  private dmaNext(p: number, rst: number, rnd: number): number {
    return p === rnd ? rst : (p + 1) & R.MEM_MASK;
  }

  /** Bytes from EDMAST to EDMAND inclusive, the source wrapping inside the receive ring. */
  private dmaLength(st: number, nd: number): number {
    const rst = this.ptr(R.ERXSTL), rnd = this.ptr(R.ERXNDL);
    let p = st, n = 1;
    while (p !== nd && n <= R.MEM_SIZE) { p = this.dmaNext(p, rst, rnd); n++; }
    return n;
  }

  private completeDma(): void {
    const regs = this.regs;
    const rst = this.ptr(R.ERXSTL), rnd = this.ptr(R.ERXNDL);
    const st = this.ptr(R.EDMASTL), nd = this.ptr(R.EDMANDL);
    const n = this.dmaLength(st, nd);
    const mem = this.mem;
    if (regs[R.ECON1] & R.ECON1_CSUMEN) {
      let acc = 0, p = st;
      for (let i = 0; i < n; i++) {
        acc += (i & 1) === 0 ? mem[p] << 8 : mem[p];
        p = this.dmaNext(p, rst, rnd);
      }
      while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
      const cs = ~acc & 0xffff;
      regs[R.EDMACSH] = cs >> 8;
      regs[R.EDMACSL] = cs & 0xff;
    } else {
      let p = st, d = this.ptr(R.EDMADSTL);
      const tmp = new Uint8Array(n);
      for (let i = 0; i < n; i++) { tmp[i] = mem[p]; p = this.dmaNext(p, rst, rnd); }
      for (let i = 0; i < n; i++) { mem[d] = tmp[i]; d = (d + 1) & R.MEM_MASK; }
    }
    this.dmaBusy = false;
    regs[R.ECON1] &= ~R.ECON1_DMAST;
    regs[R.EIR] |= R.EIR_DMAIF;
  }

  // ------------------------------------------------------------------ introspection

  /** Register value as RCR would return it (no SPI traffic, no side effects, not counted). */
  readReg(bank: number, addr: number): number {
    this.sync();
    this.updateInt();
    const idx = addr >= R.COMMON_FIRST ? addr : ((bank & R.ECON1_BSEL) << R.BANK_SHIFT) | (addr & R.ADDR_MASK);
    return this.peek(idx);
  }

  /** PHY register value without the side effects of an MII read. */
  readPhy(addr: number): number {
    this.sync();
    this.updateInt();
    return this.phy.peek(addr & R.PHY_ADDR_MASK, this.txBusy);
  }

  /** Internal receive write pointer (where the next packet will go). */
  rxWritePointer(): number {
    return this.rxWp;
  }

  /**
   * Time (ms, on now()'s scale) of the next internal event (transmission, MII or DMA done, end of
   * the reset window), or -1 when nothing is pending. A simulator can arm a timer for it and call
   * advance(0) then, so that frames leave and INT falls without waiting for the next SPI access.
   */
  nextEventTime(): number {
    let t = -1;
    const pick = (v: number): void => { if (t < 0 || v < t) t = v; };
    if (this.txBusy) pick(this.txDoneAt);
    if (this.miiOp !== MII_NONE) pick(this.miiDoneAt);
    if (this.dmaBusy) pick(this.dmaDoneAt);
    if (this.now() < this.readyAt) pick(this.readyAt);
    return t;
  }

  /** True while the window after a reset lasts (accesses invalid). */
  inResetWindow(): boolean {
    return this.now() < this.readyAt;
  }

  resetCounters(): void {
    const c = this.counters as unknown as Record<string, number | Record<string, number>>;
    for (const k of Object.keys(c)) {
      const v = c[k];
      if (typeof v === "number") c[k] = 0;
      else for (const j of Object.keys(v)) v[j] = 0;
    }
  }
}
