// ENC28J60 receive ring (device code): ring setup and release, receiver reset, receive() with
// header prefetch. Works on the active driver (access.ts).
//
// Per frame, steady state: RBM header (skipped when the previous frame's read already fetched it),
// RBM frame + CRC + pad (leaves ERDPT on the next packet, so ERDPT is never rewritten), BFS PKTDEC;
// ERXRDPT is written (2 WCR) once per FREE_BATCH consumed bytes, EPKTCNT read once per batch
// (bank 1; the bank is cached, bank 0 is home for every pointer register, so a bank select
// happens only around EPKTCNT/ERXRDPT).
// Errata: 5 (ring at 0), 6 (EPKTCNT, never PKTIF), 14 (ERXRDPT always odd).

import { Enc } from "./regs";
import { Rx } from "./limits";
import { Rec, St, Op, Ptr, cur, st, spi, rxc, rxw, use, cmd, rd, wr16, waitFor } from "./access";

export function ringInit(): void {
  st[St.NEXT_PKT] = st[St.AVAIL] = st[St.HDR_READY] = 0;
  st[St.RDPT_OK] = 1;
  wr16(Enc.ERXSTL, Enc.RX_START, Ptr.UNKNOWN);
  wr16(Enc.ERXNDL, Enc.RX_END, Ptr.UNKNOWN);
  freeRing(); // ERXRDPT = RX_END
  wr16(Enc.ERDPTL, Enc.RX_START, Ptr.UNKNOWN);
}

/**
 * Releases every consumed packet: ERXRDPT = next packet - 1 (odd, erratum 14), or RX_END when that
 * is outside the ring; low byte first, the chip latches on the high byte.
 */
export function freeRing(): void {
  var next = st[St.NEXT_PKT];
  wr16(Enc.ERXRDPTL, next === Enc.RX_START ? Enc.RX_END : next - 1, Ptr.UNKNOWN);
  st[St.HELD] = 0;
}

/**
 * Reads the next waiting frame into rx; its length, or 0 when none waits. Packets not received
 * OK, or longer than rx takes, are released unread (rxErrors) and the next one is tried.
 * A driver method.
 */
export function receive(this: Rec): number {
  if (this !== cur) use(this); // (the check inline on the per-frame path: a call less)
  for (var tries = 0; tries < Rx.MAX_SKIPS; tries++) {
    if (!st[St.AVAIL] && !(st[St.AVAIL] = rd(Enc.EPKTCNT))) return 0;
    var ready = st[St.HDR_READY];
    if (!st[St.RDPT_OK]) {
      var p = st[St.NEXT_PKT] + (ready ? Enc.RXH_LEN : 0);
      wr16(Enc.ERDPTL, p > Enc.RX_END ? p - Enc.RX_SIZE : p, Ptr.UNKNOWN);
      st[St.RDPT_OK] = 1;
    }
    // The 6-byte receive header: next pointer, byte count, status (little-endian words).
    var hNext: number, count: number, hStat: number;
    if (ready) {
      hNext = st[St.H_NEXT];
      count = st[St.H_COUNT];
      hStat = st[St.H_STAT];
    } else {
      rxc[0] = Enc.OP_RBM;
      spi.transfer(rxc, Rx.HDR_CMD);
      hNext = rxw[Enc.RXH_NEXT]; // word 0
      count = rxw[Enc.RXH_COUNT];
      hStat = rxw[Enc.RXH_STATUS];
    }
    var n = count + (count & 1); // packets start at even addresses: an odd count has a pad byte
    var next = st[St.NEXT_PKT] + Enc.RXH_LEN + n;
    if (next > Enc.RX_END) next -= Enc.RX_SIZE;
    // A header that does not describe this packet means the ring is out of step: receiver reset.
    if (next !== hNext || count < Rx.MIN_COUNT || count > Enc.MAX_FRAME || (hStat & Enc.RSV_ZERO)) {
      st[St.RX_ERRORS]++;
      st[St.RX_RESETS]++;
      cmd(Op.BFC | Enc.ECON1, Enc.ECON1_RXEN);
      waitFor(Enc.ESTAT, Enc.ESTAT_RXBUSY, 0, Rx.BUSY_POLLS, Rx.BUSY_MS);
      cmd(Op.BFS | Enc.ECON1, Enc.ECON1_RXRST);
      cmd(Op.BFC | Enc.ECON1, Enc.ECON1_RXRST);
      ringInit();
      // An empty ring: EPKTCNT back to 0 (n < 256: an 8-bit register).
      for (var k = rd(Enc.EPKTCNT); k > 0; k--) cmd(Op.BFS | Enc.ECON2, Enc.ECON2_PKTDEC);
      cmd(Op.BFC | Enc.EIR, Enc.EIR_RXERIF);
      cmd(Op.BFS | Enc.ECON1, Enc.ECON1_RXEN);
      return 0;
    }
    var len = -1;
    if (!(hStat & Enc.RSV_RX_OK) || n > st[St.RX_MAX_COUNT]) {
      // Structurally sound but not received OK, or longer than this board takes: released
      // without reading it.
      st[St.RX_ERRORS]++;
      st[St.HDR_READY] = st[St.RDPT_OK] = 0;
    } else {
      rxc[0] = Enc.OP_RBM;
      // When the next packet is complete, its header comes in the same transaction.
      ready = st[St.HDR_READY] = st[St.AVAIL] > 1 ? 1 : 0;
      spi.transfer(rxc, ready ? n + Rx.HDR_CMD : n + 1); // + 1: the RBM opcode
      if (ready) {
        var w = n >> 1; // n is even: the word index of rx[n]
        st[St.H_NEXT] = rxw[w]; // RXH_NEXT is word 0
        st[St.H_COUNT] = rxw[w + Enc.RXH_COUNT];
        st[St.H_STAT] = rxw[w + Enc.RXH_STATUS];
      }
      st[St.RX_FRAMES]++;
      len = count - Enc.CRC_LEN;
    }
    // The packet is consumed: PKTDEC, the next one at next, ring space freed per batch.
    cmd(Op.BFS | Enc.ECON2, Enc.ECON2_PKTDEC);
    st[St.AVAIL]--;
    st[St.NEXT_PKT] = next;
    if ((st[St.HELD] += n + Enc.RXH_LEN) >= st[St.FREE_BATCH]) freeRing();
    if (len > 0) return len;
  }
  return 0;
}

/** Frames waiting in the receive ring (reads EPKTCNT). A driver method. */
export function pending(this: Rec): number {
  use(this);
  return st[St.AVAIL] = rd(Enc.EPKTCNT);
}
