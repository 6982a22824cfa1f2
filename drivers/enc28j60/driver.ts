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

import { Hal } from "../../hal/types";
import { Netif } from "../../hal/netif";
import { Enc } from "./regs";
import { Hash, Mii, Ready, Rx, Tx } from "./limits";

export interface Enc28j60Counters {
  rxFrames: number;
  /** Frames lost or refused: bad headers, frames without "received OK", overflow events. */
  rxErrors: number;
  /** RXERIF events (the chip dropped a frame: ring full or EPKTCNT at 255). */
  rxOverflows: number;
  /** Receiver resets after a corrupt header. */
  rxResets: number;
  /** Frames handed to the MAC (first attempt). */
  txFrames: number;
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
  /** PHLCON value (LED setup). Default 0x3476: LEDA link status, LEDB transmit/receive activity, stretched. */
  leds?: number;
  /**
   * The largest frame (without its CRC) the board handles: tx holds this many bytes, rx this
   * plus the CRC and the next packet's header; longer frames are dropped (rxErrors). A small
   * board saves memory with a small IP MTU (576 + 14: about 140 variables less than full size).
   * Default: full-size Ethernet frames (tx 1518 bytes, rx 1536).
   */
  maxFrame?: number;
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
  /** The counters by name: a snapshot built per read (they live in one Uint32Array). */
  readonly counters: Enc28j60Counters;
}

/** The counters' indexes in the driver's Uint32Array, in the order of Enc28j60Counters. */
const enum Dc {
  RX_FRAMES, RX_ERRORS, RX_OVERFLOWS, RX_RESETS, TX_FRAMES, TX_ERRORS, TX_RETRIES, TX_RESETS, TX_STALLS,
  LINK_CHANGES, MII_TIMEOUTS, COUNT,
}

export function createEnc28j60(hal: Hal, mac: Uint8Array, opts?: Enc28j60Options): Enc28j60 {
  var o = opts || {};
  var spi = hal.spi;
  var clock = hal.clock;
  var intPin = hal.int;
  var fullDuplex = !!o.fullDuplex;
  var freeBatch = o.freeBatch || Rx.FREE_BATCH;
  // Buffer sizes: rx a frame with its CRC and the next header behind it (even), tx a frame.
  var rxBuf = o.maxFrame ? (o.maxFrame + Enc.CRC_LEN + Enc.RXH_LEN + 1) & ~1 : Rx.BUF;
  var txBuf = o.maxFrame || Tx.BUF;
  /** The largest packet (byte count with the CRC, rounded up to even) rx takes with a header behind it. */
  var rxMaxCount = rxBuf - Enc.RXH_LEN;

  // Register commands: 2 bytes (ETH registers) or 3 (MAC/MII reads with the dummy byte).
  var c3 = new Uint8Array(3);
  var c2 = c3.subarray(0, 2);
  // Receive: [unused, RBM opcode, frame...]: the frame starts at an even byte offset and the
  // opcode and data travel in one transaction.
  var rxAb = new ArrayBuffer(rxBuf + Rx.AB_EXTRA);
  var rxCmd = new Uint8Array(rxAb, 1, rxBuf + Rx.AB_EXTRA - 1);
  var rx = rxCmd.subarray(1, 1 + rxBuf);
  var rx16 = new Uint16Array(rxAb, 2, rxBuf / 2); // receive headers: little-endian words at even offsets
  // Transmit: [WBM opcode, control byte 0x00 (never written), frame...], one SPI write.
  var txCmd = new Uint8Array(Tx.CMD_HDR + txBuf);
  var tx = txCmd.subarray(Tx.CMD_HDR);
  txCmd[0] = Enc.OP_WBM;
  // Transmit status vector read: [RBM, 7 bytes].
  var tsv = new Uint8Array(1 + Enc.TSV_LEN);
  var ownMac = mac;   // (the caller's array, never written here)

  // The counters, flat (an object of 11 named numbers costs Espruino about 25 variables).
  var counts = new Uint32Array(Dc.COUNT);

  var bank = 0; // ECON1.BSEL as last written by us (SRC resets it to 0)
  var link = false;

  // Receive state.
  var nextPkt = 0; // ring address of the next unconsumed packet's header
  var rdptOk = true; // chip ERDPT is where the next read expects it
  var hdrReady = false; // header of the packet at nextPkt already read (prefetched)
  var hNext: number, hCount: number, hStat: number; // set by header() before any use
  var avail = 0; // complete packets known to wait (EPKTCNT at last read minus consumed)
  var held = 0; // bytes consumed but not yet released with ERXRDPT

  // Transmit state.
  var txBusy = false; // a frame was handed to the MAC and its completion not yet checked
  var txTries: number, txStallRetries: number; // set by send() with txBusy
  var ewrpt = -1; // chip EWRPT (WBM advances it), -1 unknown
  var etxnd = -1; // chip ETXND as last written, -1 unknown

  // ---- register access ----
  function setBank(b: number): void {
    var clr = bank & ~b;
    var set = b & ~bank;
    if (clr) {
      c2[0] = Enc.OP_BFC | Enc.ECON1;
      c2[1] = clr;
      spi.write(c2, 2);
    }
    if (set) {
      c2[0] = Enc.OP_BFS | Enc.ECON1;
      c2[1] = set;
      spi.write(c2, 2);
    }
    bank = b;
  }
  /** Selects the bank of reg unless it is a common register (0x1B-0x1F) or the bank is current. */
  function sel(reg: number): void {
    if ((reg & Enc.ADDR_MASK) < Enc.COMMON_FIRST && ((reg >> Enc.BANK_SHIFT) & Enc.ECON1_BSEL) !== bank) {
      setBank((reg >> Enc.BANK_SHIFT) & Enc.ECON1_BSEL);
    }
  }
  function rd(reg: number): number {
    sel(reg);
    // c2 and c3 share their bytes: MAC/MII registers answer after a dummy byte.
    var n = reg & Enc.MACMII ? 3 : 2;
    c3[0] = reg & Enc.ADDR_MASK; // OP_RCR is 0x00: the address alone
    c3[1] = c3[2] = 0;
    spi.transfer(n === 3 ? c3 : c2, n);
    return c3[n - 1];
  }
  function cmd(op: number, reg: number, v: number): void {
    sel(reg);
    c2[0] = op | (reg & Enc.ADDR_MASK);
    c2[1] = v;
    spi.write(c2, 2);
  }
  function wr(reg: number, v: number): void {
    cmd(Enc.OP_WCR, reg, v);
  }
  function bfs(reg: number, m: number): void {
    cmd(Enc.OP_BFS, reg, m);
  }
  function bfc(reg: number, m: number): void {
    cmd(Enc.OP_BFC, reg, m);
  }
  function wr16(regL: number, v: number): void {
    wr(regL, v);   // c2 keeps the low 8 bits
    wr(regL + 1, v >> 8);
  }
  /** wr16, skipping each byte that already holds its value (old: the register's cached value, -1 unknown); returns v. */
  function wr16Changed(regL: number, v: number, old: number): number {
    if ((v ^ old) & 0xff) wr(regL, v);
    if ((v ^ old) >> 8) wr(regL + 1, v >> 8);
    return v;
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
    if (!waitFor(Enc.MISTAT, Enc.MISTAT_BUSY, 0, Mii.WAIT_POLLS, Mii.WAIT_MS)) counts[Dc.MII_TIMEOUTS]++;
  }
  function phyRead(reg: number): number {
    wr(Enc.MIREGADR, reg);
    wr(Enc.MICMD, Enc.MICMD_MIIRD);
    miiWait();
    wr(Enc.MICMD, 0);
    return rd(Enc.MIRDL) | (rd(Enc.MIRDH) << 8);
  }
  function phyWrite(reg: number, v: number): void {
    wr(Enc.MIREGADR, reg);
    wr16(Enc.MIWRL, v);
    miiWait();
  }
  /** Clears the link change flag (reading PHIR clears PLNKIF and with it EIR.LINKIF), reads the link. */
  function readLink(): void {
    phyRead(Enc.PHIR);
    link = !!(phyRead(Enc.PHSTAT2) & Enc.PHSTAT2_LSTAT);
  }

  // ---- receive ring ----
  function ringInit(): void {
    nextPkt = avail = 0;
    rdptOk = true;
    hdrReady = false;
    wr16(Enc.ERXSTL, Enc.RX_START);
    wr16(Enc.ERXNDL, Enc.RX_END);
    freeRing(); // ERXRDPT = RX_END
    wr16(Enc.ERDPTL, Enc.RX_START);
  }
  /**
   * Releases every consumed packet: ERXRDPT = nextPkt - 1 (odd, erratum 14), or RX_END when that
   * is outside the ring; low byte first, the chip latches on the high byte.
   */
  function freeRing(): void {
    wr16(Enc.ERXRDPTL, nextPkt === Enc.RX_START ? Enc.RX_END : nextPkt - 1);
    held = 0;
  }
  function resetRx(): void {
    counts[Dc.RX_RESETS]++;
    bfc(Enc.ECON1, Enc.ECON1_RXEN);
    waitFor(Enc.ESTAT, Enc.ESTAT_RXBUSY, 0, Rx.BUSY_POLLS, Rx.BUSY_MS);
    bfs(Enc.ECON1, Enc.ECON1_RXRST);
    bfc(Enc.ECON1, Enc.ECON1_RXRST);
    ringInit();
    var n = rd(Enc.EPKTCNT);
    for (var i = 0; i < n; i++) bfs(Enc.ECON2, Enc.ECON2_PKTDEC); // n < 256: an 8-bit register
    bfc(Enc.EIR, Enc.EIR_RXERIF);
    bfs(Enc.ECON1, Enc.ECON1_RXEN);
  }

  /** Takes the 6-byte receive header at rx[2 * i..): next pointer, byte count, status. */
  function header(i: number): void {
    hNext = rx16[i]; // RXH_NEXT is word 0
    hCount = rx16[i + Enc.RXH_COUNT];
    hStat = rx16[i + Enc.RXH_STATUS];
  }
  /** One packet: its length (> 0), 0 when none waits, -1 when it was skipped (try the next). */
  function rxOne(): number {
    if (!avail && !pending()) return 0;
    if (!rdptOk) {
      var p = hdrReady ? nextPkt + Enc.RXH_LEN : nextPkt;
      wr16(Enc.ERDPTL, p > Enc.RX_END ? p - Enc.RX_SIZE : p);
      rdptOk = true;
    }
    if (!hdrReady) {
      rxCmd[0] = Enc.OP_RBM;
      spi.transfer(rxCmd, Rx.HDR_CMD);
      header(0);
    }
    var count = hCount;
    var n = count + (count & 1); // packets start at even addresses: an odd count has a pad byte
    var next = nextPkt + Enc.RXH_LEN + n;
    if (next > Enc.RX_END) next -= Enc.RX_SIZE;
    // A header that does not describe this packet means the ring is out of step: reset.
    if (next !== hNext || count < Rx.MIN_COUNT || count > Enc.MAX_FRAME || (hStat & Enc.RSV_ZERO)) {
      counts[Dc.RX_ERRORS]++;
      resetRx();
      return 0;
    }
    if (!(hStat & Enc.RSV_RX_OK) || n > rxMaxCount) {
      // Structurally sound but not received OK, or longer than this board takes: released
      // without reading it.
      counts[Dc.RX_ERRORS]++;
      hdrReady = rdptOk = false;
      release(next, n);
      return -1;
    }
    rxCmd[0] = Enc.OP_RBM;
    // When the next packet is complete, its header comes in the same transaction.
    hdrReady = avail > 1;
    spi.transfer(rxCmd, hdrReady ? n + Rx.HDR_CMD : n + 1); // + 1: the RBM opcode
    if (hdrReady) header(n >> 1); // n is even: the word index of rx[n]
    release(next, n);
    counts[Dc.RX_FRAMES]++;
    return count - Enc.CRC_LEN;
  }
  /** The packet (n data bytes) is consumed: PKTDEC, next packet at next, ring space freed per batch. */
  function release(next: number, n: number): void {
    bfs(Enc.ECON2, Enc.ECON2_PKTDEC);
    avail--;
    nextPkt = next;
    held += n + Enc.RXH_LEN;
    if (held >= freeBatch) freeRing();
  }
  function receive(): number {
    for (var i = 0; i < Rx.MAX_SKIPS; i++) {
      var r = rxOne();
      if (r >= 0) return r;
    }
    return 0;
  }

  // ---- transmit ----
  /** TXRST toggle (erratum 12), then the transmit flags cleared. */
  function txReset(): void {
    bfs(Enc.ECON1, Enc.ECON1_TXRST);
    bfc(Enc.ECON1, Enc.ECON1_TXRST);
    bfc(Enc.EIR, Enc.EIR_TXERIF | Enc.EIR_TXIF);
    counts[Dc.TX_RESETS]++;
  }
  function resend(): void {
    counts[Dc.TX_RETRIES]++;
    bfs(Enc.ECON1, Enc.ECON1_TXRTS);
  }
  /**
   * Waits (bounded) for the frame in flight and checks its outcome, resending it on a late
   * collision (erratum 13) or after a stall (erratum 12). False only when TXRTS stays set even
   * after TXRST.
   */
  function txFinish(): boolean {
    for (var guard = 0; guard < Tx.MAX_TRIES + Tx.MAX_STALL_RETRIES + 1; guard++) {
      if (!waitFor(Enc.ECON1, Enc.ECON1_TXRTS, 0, Tx.WAIT_POLLS, Tx.WAIT_MS)) {
        counts[Dc.TX_STALLS]++;
        txReset();
        if (rd(Enc.ECON1) & Enc.ECON1_TXRTS) {
          // TXRTS survives TXRST: the transmitter (or the chip) is gone. Stay busy, so the TX
          // buffer is never written while TXRTS is set: every send fails after a bounded wait.
          counts[Dc.TX_ERRORS]++;
          return false;
        }
        if (txStallRetries++ < Tx.MAX_STALL_RETRIES) {
          resend();
          continue;
        }
      } else {
        // No TXERIF pending when the INT line is high (TXERIE is enabled): no SPI read needed.
        if ((intPin && intPin.read()) || !(rd(Enc.EIR) & Enc.EIR_TXERIF)) break;
        // Late collision: bit 29 of the status vector at ETXND + 1 (erratum 15: not ESTAT.LATECOL).
        wr16(Enc.ERDPTL, etxnd + 1);
        rdptOk = false;
        tsv[0] = Enc.OP_RBM;
        spi.transfer(tsv, 1 + Enc.TSV_LEN);
        txReset();
        if (tsv[1 + Enc.TSV_BYTE3] & Enc.TSV3_LATE_COLLISION && txTries < Tx.MAX_TRIES) {
          txTries++;
          resend();
          continue;
        }
      }
      counts[Dc.TX_ERRORS]++;
      break;
    }
    txBusy = false;
    return true;
  }
  function send(len: number): boolean {
    if (len < 1 || len > Enc.MAX_FRAME - Enc.CRC_LEN || len > txBuf) {
      counts[Dc.TX_ERRORS]++;
      return false;
    }
    if (txBusy && !txFinish()) return false;
    wr16Changed(Enc.EWRPTL, Enc.TX_START, ewrpt);
    spi.write(txCmd, len + Tx.CMD_HDR);
    ewrpt = Enc.TX_START + Enc.TX_CTRL_LEN + len;
    // ETXND: the frame's last byte, TX_START + TX_CTRL_LEN + len - 1 (the control byte comes first).
    etxnd = wr16Changed(Enc.ETXNDL, Enc.TX_START + len, etxnd);
    bfs(Enc.ECON1, Enc.ECON1_TXRTS);
    txBusy = true;
    txTries = 1;
    txStallRetries = 0;
    counts[Dc.TX_FRAMES]++;
    return true;
  }
  function flush(): boolean {
    var errors = counts[Dc.TX_ERRORS];
    return !txBusy || (txFinish() && counts[Dc.TX_ERRORS] === errors);
  }

  // ---- interrupts, link ----
  function service(): number {
    var eir = rd(Enc.EIR);
    if (eir & Enc.EIR_RXERIF) {
      counts[Dc.RX_OVERFLOWS]++;
      counts[Dc.RX_ERRORS]++;
      bfc(Enc.EIR, Enc.EIR_RXERIF);
    }
    if (eir & Enc.EIR_TXERIF) {
      if (txBusy) txFinish();
      else bfc(Enc.EIR, Enc.EIR_TXERIF | Enc.EIR_TXIF);
    }
    if (eir & Enc.EIR_LINKIF) {
      readLink();
      counts[Dc.LINK_CHANGES]++;
    }
    // Idle (typically the polling timer): hand back the ring space still held.
    if (!pending() && held) freeRing();
    return avail;
  }
  function pending(): number {
    return avail = rd(Enc.EPKTCNT);
  }
  function watch(fn: () => void, pollMs: number): void {
    if (intPin) intPin.onFalling(fn);
    if (pollMs > 0) hal.timers.every(pollMs, fn);
  }

  // ---- multicast hash filter ----
  function addMulticast(addr: Uint8Array): void {
    // Hash pointer: CRC-32 bits 28:23 in register form (bits LSB-first per octet, preset ones,
    // MSB-first shift, no final inversion); signed 32-bit arithmetic is enough for those bits.
    var crc = -1;
    for (var i = 0; i < Hash.BITS; i++) {
      crc = (crc << 1) ^ ((crc >>> 31) ^ ((addr[i >> 3] >> (i & 7)) & 1) ? Hash.POLY : 0);
    }
    var h = (crc >>> Hash.SHIFT) & Hash.MASK;
    bfs(Enc.EHT0 + (h >> 3), 1 << (h & 7)); // register EHT(h / 8), bit h % 8
    bfs(Enc.ERXFCON, Enc.ERXFCON_HTEN);
  }

  // ---- initialisation ----
  /** Writes v to ETXSTL and reads it back. */
  function holds(v: number): boolean {
    wr(Enc.ETXSTL, v);
    return rd(Enc.ETXSTL) === v;
  }
  /**
   * After SRC (erratum 2): at least 1 ms (or 1000 polls when the clock does not move), CLKRDY set,
   * and a register that really holds what is written to it. Bounded: 10 ms (and 100000 polls).
   */
  function waitReady(): boolean {
    var t0 = clock.now();
    for (var i = 0; i < Ready.MAX_POLLS; i++) {
      var ready = rd(Enc.ESTAT) & Enc.ESTAT_CLKRDY;
      var elapsed = clock.now() - t0;
      // Ready is checked before the time bound: a slow host (GC pause) must not fail a ready chip.
      if (ready && (elapsed >= Ready.MIN_MS || i >= Ready.MIN_POLLS)) {
        var v = (Ready.PATTERN + i) & 0xff;
        if (holds(v) && holds(v ^ 0xff)) return true; // the pattern, then each bit inverted
      }
      if (elapsed > Ready.MAX_MS) return false;
    }
    return false;
  }
  function init(): void {
    if (hal.reset) {
      hal.reset.set(false);
      hal.reset.set(true);
    }
    // Erratum 19: SRC is ignored in power save. Leave it, let the clock come up.
    bfc(Enc.ECON2, Enc.ECON2_PWRSV); // a common register: no bank select
    waitFor(Enc.ESTAT, Enc.ESTAT_CLKRDY, Enc.ESTAT_CLKRDY, Ready.OSC_POLLS, Ready.OSC_MS);
    c2[0] = Enc.OP_SRC;
    spi.write(c2, 1);
    bank = 0;
    var ready = waitReady();
    var rev = rd(Enc.EREVID);
    var noChip = !rev || rev === Ready.MISO_HIGH;
    if (noChip || !ready) {
      // (rev | 256) in hex is "1" and two digits: slice(1) keeps the two, leading zero included.
      throw new Error("ENC28J60: " + (noChip ? "no chip answers on SPI" : "clock not ready after reset") +
        " (EREVID 0x" + (rev | 256).toString(16).slice(1).toUpperCase() + ")");
    }
    drv.revision = rev;

    // Bank 0: receive ring at 0x0000 (erratum 5), transmit area after it.
    ringInit();
    wr16(Enc.ETXSTL, Enc.TX_START);
    wr16(Enc.EWRPTL, Enc.TX_START);
    ewrpt = Enc.TX_START;
    etxnd = -1;
    txBusy = false;
    // Bank 1: filters.
    wr(Enc.ERXFCON, o.multicast ? Enc.ERXFCON_UCEN | Enc.ERXFCON_CRCEN | Enc.ERXFCON_BCEN | Enc.ERXFCON_MCEN
      : Enc.ERXFCON_UCEN | Enc.ERXFCON_CRCEN | Enc.ERXFCON_BCEN);
    var groups = o.multicastGroups;
    if (groups) for (var g = 0; g < groups.length; g++) addMulticast(groups[g]);
    // Bank 2: MAC.
    wr(Enc.MACON1, fullDuplex ? Enc.MACON1_MARXEN | Enc.MACON1_TXPAUS | Enc.MACON1_RXPAUS : Enc.MACON1_MARXEN);
    wr(Enc.MACON3, fullDuplex ? Enc.MACON3_PADCFG0 | Enc.MACON3_TXCRCEN | Enc.MACON3_FRMLNEN | Enc.MACON3_FULDPX
      : Enc.MACON3_PADCFG0 | Enc.MACON3_TXCRCEN | Enc.MACON3_FRMLNEN);
    wr(Enc.MACON4, fullDuplex ? 0 : Enc.MACON4_DEFER);
    wr(Enc.MABBIPG, fullDuplex ? Enc.MABBIPG_FULL : Enc.MABBIPG_HALF);
    wr(Enc.MAIPGL, Enc.MAIPGL_GAP);
    wr(Enc.MAIPGH, fullDuplex ? 0 : Enc.MAIPGH_HALF);
    wr16(Enc.MAMXFLL, Enc.MAX_FRAME);
    // Bank 3: MAC address. Octet k goes to MAADR(k+1), at MAADR5 + 4, 5, 2, 3, 0, 1 = (5 - k) ^ 1.
    for (var k = 0; k < 6; k++) wr(Enc.MAADR5 + ((5 - k) ^ 1), ownMac[k]);
    // PHY: duplex (erratum 9: HDLDIS in half duplex), LEDs, link change interrupt.
    phyWrite(Enc.PHCON1, fullDuplex ? Enc.PHCON1_PDPXMD : 0);
    phyWrite(Enc.PHCON2, fullDuplex ? 0 : Enc.PHCON2_HDLDIS);
    phyWrite(Enc.PHLCON, o.leds ||
      Enc.PHLCON_RESERVED | Enc.PHLCON_LEDA_LINK | Enc.PHLCON_LEDB_TXRX | Enc.PHLCON_LFRQ_70MS | Enc.PHLCON_STRCH);
    phyWrite(Enc.PHIE, Enc.PHIE_PGEIE | Enc.PHIE_PLNKIE);
    readLink();
    // Interrupts, auto-increment, receive on. Bank 0 is home.
    bfs(Enc.ECON2, Enc.ECON2_AUTOINC);
    bfc(Enc.EIR, Enc.EIR_DMAIF | Enc.EIR_TXIF | Enc.EIR_TXERIF | Enc.EIR_RXERIF);
    wr(Enc.EIE, Enc.EIE_INTIE | Enc.EIE_PKTIE | Enc.EIE_LINKIE | Enc.EIE_TXERIE | Enc.EIE_RXERIE);
    bfs(Enc.ECON1, Enc.ECON1_RXEN);
    setBank(0);
  }

  var drv: Enc28j60 = {
    mac: ownMac,
    rx: rx,
    tx: tx,
    revision: 0,
    get counters(): Enc28j60Counters {
      var c: any = {}, names = "rxFrames rxErrors rxOverflows rxResets txFrames txErrors txRetries txResets txStalls linkChanges miiTimeouts".split(" ");
      for (var i = 0; i < Dc.COUNT; i++) c[names[i]] = counts[i];   // (names in the order of Dc)
      return c;
    },
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
