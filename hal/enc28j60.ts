// ENC28J60 driver (device code: ES5, Espruino-safe, nothing allocated per frame).
//
// Cost per frame, in SPI transactions (CS low to CS high), steady state:
//   receive: RBM header (skipped when the previous frame's read already fetched it),
//            RBM frame + CRC + pad (leaves ERDPT on the next packet, so ERDPT is never
//            rewritten), BFS PKTDEC; ERXRDPT is written (2 WCR) once per `freeBatch` consumed
//            bytes, EPKTCNT read once per batch (bank 1; the bank is cached, bank 0 is home for
//            every pointer register, so a bank select happens only around EPKTCNT/ERXRDPT).
//   send:    RCR ECON1 (previous frame done), EWRPTL/H and ETXNDL/H only when their cached
//            value differs, one WBM with control byte + frame, BFS TXRTS.
// Errata handled: 2 (CLKRDY after SRC: delay + poll + write/read-back check), 5 (ring at 0),
// 6 (EPKTCNT, never PKTIF), 9 (HDLDIS in half duplex), 12 (TXRST after an error or a stall),
// 13 (resend on late collision, up to 16 tries), 14 (ERXRDPT always odd), 15 (late collision
// from status vector bit 29, never ESTAT.LATECOL), 19 (PWRSV cleared before SRC).

import { Hal } from "./types";
import { Netif } from "../firmware/net/netif";
import {
  OP_RBM, OP_WCR, OP_WBM, OP_BFS, OP_BFC, OP_SRC, MACMII,
  EIE, EIR, ESTAT, ECON2, ECON1,
  EIE_INTIE, EIE_PKTIE, EIE_LINKIE, EIE_TXERIE, EIE_RXERIE,
  EIR_TXIF, EIR_TXERIF, EIR_RXERIF, EIR_LINKIF, EIR_DMAIF,
  ESTAT_CLKRDY, ESTAT_RXBUSY,
  ECON2_AUTOINC, ECON2_PKTDEC, ECON2_PWRSV,
  ECON1_TXRST, ECON1_RXRST, ECON1_TXRTS, ECON1_RXEN,
  ERDPTL, ERDPTH, EWRPTL, EWRPTH, ETXSTL, ETXSTH, ETXNDL, ETXNDH,
  ERXSTL, ERXSTH, ERXNDL, ERXNDH, ERXRDPTL, ERXRDPTH,
  ERXFCON, EPKTCNT, ERXFCON_UCEN, ERXFCON_CRCEN, ERXFCON_BCEN, ERXFCON_MCEN, ERXFCON_HTEN, EHT0,
  MACON1, MACON3, MACON4, MABBIPG, MAIPGL, MAIPGH, MAMXFLL, MAMXFLH,
  MICMD, MIREGADR, MIWRL, MIWRH, MIRDL, MIRDH,
  MACON1_TXPAUS, MACON1_RXPAUS, MACON1_MARXEN,
  MACON3_PADCFG0, MACON3_TXCRCEN, MACON3_FRMLNEN, MACON3_FULDPX, MACON4_DEFER, MICMD_MIIRD,
  MAADR1, MAADR2, MAADR3, MAADR4, MAADR5, MAADR6, MISTAT, MISTAT_BUSY, EREVID,
  PHCON1, PHCON2, PHSTAT2, PHIE, PHIR, PHLCON,
  PHCON1_PDPXMD, PHCON2_HDLDIS, PHSTAT2_LSTAT, PHIE_PLNKIE, PHIE_PGEIE,
  RSV_RX_OK, RSV_ZERO, TSV3_LATE_COLLISION,
  RX_END, RX_SIZE, TX_START, MAX_FRAME,
} from "./enc28j60-regs";

export interface Enc28j60Counters {
  rxFrames: number;
  rxBytes: number;
  /** Frames lost or refused: bad headers, frames without "received OK", overflow events. */
  rxErrors: number;
  /** RXERIF events (the chip dropped a frame: ring full or EPKTCNT at 255). */
  rxOverflows: number;
  /** Receiver resets after a corrupt header. */
  rxResets: number;
  /** Frames handed to the MAC (first attempt). */
  txFrames: number;
  txBytes: number;
  /** Frames that finally failed (excessive collisions, giant, 16 late collisions, stalls). */
  txErrors: number;
  /** Resends: late collision (erratum 13) or a stalled transmit logic. */
  txRetries: number;
  /** TXRST toggles (erratum 12). */
  txResets: number;
  /** Transmissions whose TXRTS never cleared within the bound. */
  txStalls: number;
  /** LINKIF events handled. */
  linkChanges: number;
  /** MII operations whose BUSY never cleared within the bound. */
  miiTimeouts: number;
}

export interface Enc28j60Options {
  /** Full duplex (the partner must be forced to full duplex too). Default: half duplex. */
  fullDuplex?: boolean;
  /** Accept all multicast frames (ERXFCON.MCEN). Default: unicast to us + broadcast. */
  multicast?: boolean;
  /** Accept these multicast groups through the hash table (ERXFCON.HTEN), see addMulticast(). */
  multicastGroups?: Uint8Array[];
  /**
   * Release consumed ring space (write ERXRDPT, 2 transactions + a bank select) once this many
   * bytes are consumed, and by service() when it finds the ring empty: fewer transactions per
   * frame, at the price of up to this much ring space held back between two service() calls.
   * Default 1024 (small frames: once per ~14; full-size: every frame).
   */
  freeBatch?: number;
  /** PHLCON value (LED setup). Default 0x3476: LEDA link + activity, LEDB activity. */
  leds?: number;
  /**
   * Bound for a wait on TXRTS, in milliseconds and polls. Defaults 20 ms / 50000 polls: the clock
   * ends the wait; the poll count is only a safety net for a clock that does not move.
   */
  txWaitMs?: number;
  txWaitPolls?: number;
}

export interface Enc28j60 extends Netif {
  /** Resets and configures the chip; throws Error("ENC28J60: ...") when no chip answers. */
  init(): void;
  /** INT/poll handler: handles RXERIF, TXERIF, LINKIF; returns frames waiting (EPKTCNT). */
  service(): number;
  /** Frames waiting in the receive ring (reads EPKTCNT). */
  pending(): number;
  /** Waits (bounded) for the frame in flight; true when it left without error. */
  flush(): boolean;
  /** Calls fn on every INT falling edge and every pollMs (polling fallback; 0 = no timer). */
  watch(fn: () => void, pollMs: number): void;
  /** Reads a PHY register over MII (bounded wait). */
  phyRead(reg: number): number;
  /**
   * Lets frames to this 6-byte group address in, through the 64-bit hash table (other groups
   * sharing its hash bit pass too: the IP layer filters them).
   */
  addMulticast(addr: Uint8Array): void;
  /** EREVID, known after init(). */
  revision: number;
  counters: Enc28j60Counters;
}

var MAX_TX_TRIES = 16;
var MAX_STALL_RETRIES = 1;

export function createEnc28j60(hal: Hal, mac: Uint8Array, opts?: Enc28j60Options): Enc28j60 {
  var o = opts || {};
  var spi = hal.spi;
  var clock = hal.clock;
  var intPin = hal.int;
  var fullDuplex = !!o.fullDuplex;
  var freeBatch = o.freeBatch || 1024;
  var txWaitMs = o.txWaitMs || 20;
  var txWaitPolls = o.txWaitPolls || 50000;

  // Register commands: 2 bytes (ETH registers) or 3 (MAC/MII reads with the dummy byte).
  var cmdAb = new ArrayBuffer(4);
  var c2 = new Uint8Array(cmdAb, 0, 2);
  var c3 = new Uint8Array(cmdAb, 0, 3);
  // Receive: [unused, RBM opcode, frame...]: the frame starts at an even byte offset and the
  // opcode and data travel in one transaction.
  var rxAb = new ArrayBuffer(1540);
  var rxCmd = new Uint8Array(rxAb, 1, 1539);
  var rx = new Uint8Array(rxAb, 2, 1536);
  // Transmit: [WBM opcode, control byte 0x00, frame...], written with one SPI write.
  var txAb = new ArrayBuffer(1520);
  var txCmd = new Uint8Array(txAb, 0, 1520);
  var tx = new Uint8Array(txAb, 2, 1518);
  txCmd[0] = OP_WBM;
  txCmd[1] = 0x00;
  // Transmit status vector read: [RBM, 7 bytes].
  var tsv = new Uint8Array(8);
  var ownMac = new Uint8Array(6);
  ownMac.set(mac);

  var counters: Enc28j60Counters = {
    rxFrames: 0, rxBytes: 0, rxErrors: 0, rxOverflows: 0, rxResets: 0,
    txFrames: 0, txBytes: 0, txErrors: 0, txRetries: 0, txResets: 0, txStalls: 0,
    linkChanges: 0, miiTimeouts: 0,
  };

  var bank = 0; // ECON1.BSEL as last written by us (SRC resets it to 0)
  var link = false;

  // Receive state.
  var nextPkt = 0; // ring address of the next unconsumed packet's header
  var rdptOk = true; // chip ERDPT is where the next read expects it
  var hdrReady = false; // header of the packet at nextPkt already read (prefetched)
  var hNext = 0;
  var hCount = 0;
  var hStat = 0;
  var avail = 0; // complete packets known to wait (EPKTCNT at last read minus consumed)
  var held = 0; // bytes consumed but not yet released with ERXRDPT

  // Transmit state.
  var txBusy = false; // a frame was handed to the MAC and its completion not yet checked
  var txTries = 0;
  var txStallRetries = 0;
  var ewrpt = -1; // chip EWRPT (WBM advances it), -1 unknown
  var etxnd = -1; // chip ETXND as last written, -1 unknown

  // ---- register access ----
  function setBank(b: number): void {
    var clr = bank & ~b;
    var set = b & ~bank;
    if (clr) {
      c2[0] = OP_BFC | ECON1;
      c2[1] = clr;
      spi.write(c2, 2);
    }
    if (set) {
      c2[0] = OP_BFS | ECON1;
      c2[1] = set;
      spi.write(c2, 2);
    }
    bank = b;
  }
  function rd(reg: number): number {
    if ((reg & 0x1f) < 0x1b && ((reg >> 5) & 3) !== bank) setBank((reg >> 5) & 3);
    if (reg & MACMII) {
      c3[0] = reg & 0x1f;
      c3[1] = 0;
      c3[2] = 0;
      spi.transfer(c3, 3);
      return c3[2];
    }
    c2[0] = reg & 0x1f;
    c2[1] = 0;
    spi.transfer(c2, 2);
    return c2[1];
  }
  function cmd(op: number, reg: number, v: number): void {
    if ((reg & 0x1f) < 0x1b && ((reg >> 5) & 3) !== bank) setBank((reg >> 5) & 3);
    c2[0] = op | (reg & 0x1f);
    c2[1] = v;
    spi.write(c2, 2);
  }
  function wr(reg: number, v: number): void {
    cmd(OP_WCR, reg, v);
  }
  function bfs(reg: number, m: number): void {
    cmd(OP_BFS, reg, m);
  }
  function bfc(reg: number, m: number): void {
    cmd(OP_BFC, reg, m);
  }
  function wr16(regL: number, v: number): void {
    wr(regL, v & 0xff);
    wr(regL + 1, v >> 8);
  }
  /** Polls reg until (value & mask) === want; bounded by polls AND by clock. */
  function waitFor(reg: number, mask: number, want: number, polls: number, ms: number): boolean {
    var t0 = clock.now();
    for (var i = 0; i < polls; i++) {
      if ((rd(reg) & mask) === want) return true;
      if (clock.now() - t0 > ms) return false;
    }
    return false;
  }

  // ---- PHY over MII ----
  function miiWait(): void {
    if (!waitFor(MISTAT, MISTAT_BUSY, 0, 2000, 5)) counters.miiTimeouts++;
  }
  function phyRead(reg: number): number {
    wr(MIREGADR, reg);
    wr(MICMD, MICMD_MIIRD);
    miiWait();
    wr(MICMD, 0);
    return rd(MIRDL) | (rd(MIRDH) << 8);
  }
  function phyWrite(reg: number, v: number): void {
    wr(MIREGADR, reg);
    wr(MIWRL, v & 0xff);
    wr(MIWRH, (v >> 8) & 0xff);
    miiWait();
  }
  function readLink(): void {
    link = (phyRead(PHSTAT2) & PHSTAT2_LSTAT) !== 0;
  }

  // ---- receive ring ----
  function ringInit(): void {
    wr16(ERXSTL, 0);
    wr16(ERXNDL, RX_END);
    wr16(ERXRDPTL, RX_END); // odd (erratum 14); low byte first, the chip latches on the high byte
    wr16(ERDPTL, 0);
    nextPkt = 0;
    rdptOk = true;
    hdrReady = false;
    avail = 0;
    held = 0;
  }
  /** Releases every consumed packet: ERXRDPT = nextPkt - 1 (odd), or RX_END when that is outside the ring. */
  function freeRing(): void {
    var p = nextPkt === 0 ? RX_END : nextPkt - 1;
    wr(ERXRDPTL, p & 0xff);
    wr(ERXRDPTH, p >> 8);
    held = 0;
  }
  function resetRx(): void {
    counters.rxResets++;
    bfc(ECON1, ECON1_RXEN);
    waitFor(ESTAT, ESTAT_RXBUSY, 0, 50, 3);
    bfs(ECON1, ECON1_RXRST);
    bfc(ECON1, ECON1_RXRST);
    ringInit();
    var n = rd(EPKTCNT);
    for (var i = 0; i < n && i < 255; i++) bfs(ECON2, ECON2_PKTDEC);
    bfc(EIR, EIR_RXERIF);
    bfs(ECON1, ECON1_RXEN);
  }

  /** One packet: its length (> 0), 0 when none waits, -1 when it was skipped (try the next). */
  function rxOne(): number {
    if (avail === 0) {
      avail = rd(EPKTCNT);
      if (avail === 0) return 0;
    }
    if (!rdptOk) {
      var p = hdrReady ? nextPkt + 6 : nextPkt;
      wr16(ERDPTL, p > RX_END ? p - RX_SIZE : p);
      rdptOk = true;
    }
    if (!hdrReady) {
      rxCmd[0] = OP_RBM;
      spi.transfer(rxCmd, 7);
      hNext = rx[0] | (rx[1] << 8);
      hCount = rx[2] | (rx[3] << 8);
      hStat = rx[4] | (rx[5] << 8);
    }
    var count = hCount;
    var n = count + (count & 1);
    var next = nextPkt + 6 + n;
    if (next > RX_END) next -= RX_SIZE;
    if (next !== hNext || count < 18 || count > MAX_FRAME || (hStat & RSV_ZERO)) {
      counters.rxErrors++;
      resetRx();
      return 0;
    }
    if (!(hStat & RSV_RX_OK)) return skip(n);
    rxCmd[0] = OP_RBM;
    if (avail > 1) {
      // The next packet is complete: fetch its header in the same transaction.
      spi.transfer(rxCmd, n + 7);
      hNext = rx[n] | (rx[n + 1] << 8);
      hCount = rx[n + 2] | (rx[n + 3] << 8);
      hStat = rx[n + 4] | (rx[n + 5] << 8);
      hdrReady = true;
    } else {
      spi.transfer(rxCmd, n + 1);
      hdrReady = false;
    }
    bfs(ECON2, ECON2_PKTDEC);
    avail--;
    nextPkt = next;
    held += n + 6;
    if (held >= freeBatch) freeRing();
    counters.rxFrames++;
    counters.rxBytes += count - 4;
    return count - 4;
  }
  /** A structurally sound packet the MAC did not receive OK: release it without reading it. */
  function skip(n: number): number {
    counters.rxErrors++;
    nextPkt = hNext;
    hdrReady = false;
    rdptOk = false;
    bfs(ECON2, ECON2_PKTDEC);
    avail--;
    held += n + 6;
    if (held >= freeBatch) freeRing();
    return -1;
  }
  function receive(): number {
    for (var i = 0; i < 256; i++) {
      var r = rxOne();
      if (r >= 0) return r;
    }
    return 0;
  }

  // ---- transmit ----
  function txReset(): void {
    bfs(ECON1, ECON1_TXRST);
    bfc(ECON1, ECON1_TXRST);
    counters.txResets++;
  }
  /** Late collision bit (29) of the status vector at ETXND + 1 (erratum 15: not ESTAT.LATECOL). */
  function lateCollision(): boolean {
    wr16(ERDPTL, etxnd + 1);
    rdptOk = false;
    tsv[0] = OP_RBM;
    spi.transfer(tsv, 8);
    return (tsv[4] & TSV3_LATE_COLLISION) !== 0;
  }
  function resend(): void {
    counters.txRetries++;
    bfs(ECON1, ECON1_TXRTS);
  }
  /**
   * Waits (bounded) for the frame in flight and checks its outcome, resending it on a late
   * collision (erratum 13) or after a stall (erratum 12). False only when TXRTS stays set even
   * after TXRST.
   */
  function txFinish(): boolean {
    for (var guard = 0; guard < MAX_TX_TRIES + MAX_STALL_RETRIES + 1; guard++) {
      if (!waitFor(ECON1, ECON1_TXRTS, 0, txWaitPolls, txWaitMs)) {
        counters.txStalls++;
        txReset();
        bfc(EIR, EIR_TXERIF | EIR_TXIF);
        if (rd(ECON1) & ECON1_TXRTS) {
          // TXRTS survives TXRST: the transmitter (or the chip) is gone. Stay busy, so the TX
          // buffer is never written while TXRTS is set: every send fails after a bounded wait.
          counters.txErrors++;
          return false;
        }
        if (txStallRetries++ < MAX_STALL_RETRIES) {
          resend();
          continue;
        }
        counters.txErrors++;
        txBusy = false;
        return true;
      }
      // No TXERIF pending when the INT line is high (TXERIE is enabled): no SPI read needed.
      if ((intPin && intPin.read()) || !(rd(EIR) & EIR_TXERIF)) {
        txBusy = false;
        return true;
      }
      var late = lateCollision();
      txReset();
      bfc(EIR, EIR_TXERIF | EIR_TXIF);
      if (late && txTries < MAX_TX_TRIES) {
        txTries++;
        resend();
        continue;
      }
      counters.txErrors++;
      txBusy = false;
      return true;
    }
    txBusy = false;
    return true;
  }
  function send(len: number): boolean {
    if (len < 1 || len > MAX_FRAME - 4) {
      counters.txErrors++;
      return false;
    }
    if (txBusy && !txFinish()) return false;
    if (ewrpt !== TX_START) {
      if ((ewrpt ^ TX_START) & 0xff) wr(EWRPTL, TX_START & 0xff);
      if ((ewrpt ^ TX_START) >> 8) wr(EWRPTH, TX_START >> 8);
    }
    spi.write(txCmd, len + 2);
    ewrpt = TX_START + 1 + len;
    var end = TX_START + len;
    if (end !== etxnd) {
      if ((end ^ etxnd) & 0xff) wr(ETXNDL, end & 0xff);
      if ((end ^ etxnd) >> 8) wr(ETXNDH, end >> 8);
      etxnd = end;
    }
    bfs(ECON1, ECON1_TXRTS);
    txBusy = true;
    txTries = 1;
    txStallRetries = 0;
    counters.txFrames++;
    counters.txBytes += len;
    return true;
  }
  function flush(): boolean {
    if (!txBusy) return true;
    var errors = counters.txErrors;
    return txFinish() && counters.txErrors === errors;
  }

  // ---- interrupts, link ----
  function linkEvent(): void {
    phyRead(PHIR); // clears PLNKIF and with it EIR.LINKIF
    readLink();
    counters.linkChanges++;
  }
  function service(): number {
    var eir = rd(EIR);
    if (eir & EIR_RXERIF) {
      counters.rxOverflows++;
      counters.rxErrors++;
      bfc(EIR, EIR_RXERIF);
    }
    if (eir & EIR_TXERIF) {
      if (txBusy) txFinish();
      else bfc(EIR, EIR_TXERIF | EIR_TXIF);
    }
    if (eir & EIR_LINKIF) linkEvent();
    avail = rd(EPKTCNT);
    // Idle (typically the polling timer): hand back the ring space still held.
    if (avail === 0 && held) freeRing();
    return avail;
  }
  function pending(): number {
    avail = rd(EPKTCNT);
    return avail;
  }
  function watch(fn: () => void, pollMs: number): void {
    if (intPin) intPin.onFalling(fn);
    if (pollMs > 0) hal.timers.every(pollMs, fn);
  }

  // ---- multicast hash filter ----
  /** Hash pointer of an address: CRC-32 bits 28:23, register form (MSB-first, preset ones, no final inversion). */
  function hashPointer(a: Uint8Array): number {
    var crc = 0xffffffff;
    for (var i = 0; i < 6; i++) {
      var d = a[i];
      for (var b = 0; b < 8; b++) {
        var fb = (crc >>> 31) ^ (d & 1);
        crc = (crc << 1) >>> 0;
        if (fb) crc = (crc ^ 0x04c11db7) >>> 0;
        d = d >> 1;
      }
    }
    return (crc >>> 23) & 0x3f;
  }
  function addMulticast(addr: Uint8Array): void {
    var h = hashPointer(addr);
    bfs(EHT0 + (h >> 3), 1 << (h & 7));
    bfs(ERXFCON, ERXFCON_HTEN);
  }

  // ---- initialisation ----
  function hex2(v: number): string {
    return (v < 16 ? "0" : "") + v.toString(16).toUpperCase();
  }
  /**
   * After SRC (erratum 2): at least 1 ms (or 1000 polls when the clock does not move), CLKRDY set,
   * and a register that really holds what is written to it. Bounded: 10 ms (and 100000 polls).
   */
  function waitReady(): boolean {
    var t0 = clock.now();
    for (var i = 0; i < 100000; i++) {
      var ready = (rd(ESTAT) & ESTAT_CLKRDY) !== 0;
      var elapsed = clock.now() - t0;
      if (elapsed > 10) return false;
      if (ready && (elapsed >= 1 || i >= 1000)) {
        var v = (0x5a + i) & 0xff;
        wr(ETXSTL, v);
        if (rd(ETXSTL) === v) {
          wr(ETXSTL, v ^ 0xff);
          if (rd(ETXSTL) === (v ^ 0xff)) return true;
        }
      }
    }
    return false;
  }
  function init(): void {
    if (hal.reset) {
      hal.reset.set(false);
      hal.reset.set(true);
    }
    // Erratum 19: SRC is ignored in power save. Leave it, let the clock come up.
    c2[0] = OP_BFC | ECON2;
    c2[1] = ECON2_PWRSV;
    spi.write(c2, 2);
    waitFor(ESTAT, ESTAT_CLKRDY, ESTAT_CLKRDY, 200, 2);
    c2[0] = OP_SRC;
    spi.write(c2, 1);
    bank = 0;
    var ready = waitReady();
    var rev = rd(EREVID);
    if (rev === 0x00 || rev === 0xff) throw new Error("ENC28J60: no chip answers on SPI (EREVID 0x" + hex2(rev) + ")");
    if (!ready) throw new Error("ENC28J60: clock not ready after reset (EREVID 0x" + hex2(rev) + ")");
    drv.revision = rev;

    // Bank 0: receive ring at 0x0000 (erratum 5), transmit area after it.
    ringInit();
    wr16(ETXSTL, TX_START);
    wr16(EWRPTL, TX_START);
    ewrpt = TX_START;
    etxnd = -1;
    txBusy = false;
    // Bank 1: filters.
    wr(ERXFCON, ERXFCON_UCEN | ERXFCON_CRCEN | ERXFCON_BCEN | (o.multicast ? ERXFCON_MCEN : 0));
    var groups = o.multicastGroups;
    if (groups) for (var g = 0; g < groups.length; g++) addMulticast(groups[g]);
    // Bank 2: MAC.
    wr(MACON1, MACON1_MARXEN | (fullDuplex ? MACON1_TXPAUS | MACON1_RXPAUS : 0));
    wr(MACON3, MACON3_PADCFG0 | MACON3_TXCRCEN | MACON3_FRMLNEN | (fullDuplex ? MACON3_FULDPX : 0));
    wr(MACON4, fullDuplex ? 0 : MACON4_DEFER);
    wr(MABBIPG, fullDuplex ? 0x15 : 0x12);
    wr(MAIPGL, 0x12);
    wr(MAIPGH, fullDuplex ? 0x00 : 0x0c);
    wr(MAMXFLL, MAX_FRAME & 0xff);
    wr(MAMXFLH, MAX_FRAME >> 8);
    // Bank 3: MAC address (MAADR1 is the first octet).
    wr(MAADR1, ownMac[0]);
    wr(MAADR2, ownMac[1]);
    wr(MAADR3, ownMac[2]);
    wr(MAADR4, ownMac[3]);
    wr(MAADR5, ownMac[4]);
    wr(MAADR6, ownMac[5]);
    // PHY: duplex (erratum 9: HDLDIS in half duplex), LEDs, link change interrupt.
    phyWrite(PHCON1, fullDuplex ? PHCON1_PDPXMD : 0);
    phyWrite(PHCON2, fullDuplex ? 0 : PHCON2_HDLDIS);
    phyWrite(PHLCON, o.leds || 0x3476);
    phyWrite(PHIE, PHIE_PGEIE | PHIE_PLNKIE);
    phyRead(PHIR);
    readLink();
    // Interrupts, auto-increment, receive on. Bank 0 is home.
    bfs(ECON2, ECON2_AUTOINC);
    bfc(EIR, EIR_DMAIF | EIR_TXIF | EIR_TXERIF | EIR_RXERIF);
    wr(EIE, EIE_INTIE | EIE_PKTIE | EIE_LINKIE | EIE_TXERIE | EIE_RXERIE);
    bfs(ECON1, ECON1_RXEN);
    setBank(0);
  }

  var drv: Enc28j60 = {
    mac: ownMac,
    rx: rx,
    tx: tx,
    revision: 0,
    counters: counters,
    init: init,
    receive: receive,
    send: send,
    flush: flush,
    linkUp: function (): boolean {
      return link;
    },
    service: service,
    pending: pending,
    watch: watch,
    phyRead: phyRead,
    addMulticast: addMulticast,
  };
  return drv;
}
