// ENC28J60 transmit (device code): one frame in flight, its outcome checked before the next.
// Works on the active driver (access.ts).
//
// Per frame: RCR ECON1 (previous frame done), EWRPTL/H and ETXNDL/H only when their cached value
// differs, one WBM with control byte + frame, BFS TXRTS.
// Errata: 12 (TXRST after an error or a stall), 13 (resend on late collision, up to 16 tries),
// 15 (late collision from status vector bit 29, never ESTAT.LATECOL).

import { Enc } from "./regs";
import { Tx } from "./limits";
import { Rec, St, Op, Ptr, cur, st, spi, hal, txc, c2, use, cmd, rd, wr16, waitFor } from "./access";

/**
 * Waits (bounded) for the frame in flight and checks its outcome, resending it on a late
 * collision (erratum 13) or after a stall (erratum 12). False only when TXRTS stays set even
 * after TXRST.
 */
export function txFinish(): boolean {
  var intPin = hal.int;
  for (var guard = 0; guard < Tx.MAX_TRIES + Tx.MAX_STALL_RETRIES + 1; guard++) {
    var stalled = !waitFor(Enc.ECON1, Enc.ECON1_TXRTS, 0, Tx.WAIT_POLLS, Tx.WAIT_MS), late = 0;
    if (stalled) st[St.TX_STALLS]++;
    else {
      // No TXERIF pending when the INT line is high (TXERIE is enabled): no SPI read needed.
      if ((intPin && intPin.read()) || !(rd(Enc.EIR) & Enc.EIR_TXERIF)) break;
      // Late collision: bit 29 of the status vector at ETXND + 1 (erratum 15: not ESTAT.LATECOL),
      // in its byte 3: that byte alone is read (RBM + 1 byte in the 2-byte command buffer).
      wr16(Enc.ERDPTL, st[St.ETXND] + (1 + Enc.TSV_BYTE3), Ptr.UNKNOWN);
      st[St.RDPT_OK] = 0;
      c2[0] = Enc.OP_RBM;
      c2[1] = 0;
      spi.transfer(c2, 2);
      late = c2[1] & Enc.TSV3_LATE_COLLISION;
    }
    // TXRST toggle (erratum 12), then the transmit flags cleared.
    cmd(Op.BFS | Enc.ECON1, Enc.ECON1_TXRST);
    cmd(Op.BFC | Enc.ECON1, Enc.ECON1_TXRST);
    cmd(Op.BFC | Enc.EIR, Enc.EIR_TXERIF | Enc.EIR_TXIF);
    st[St.TX_RESETS]++;
    if (stalled && rd(Enc.ECON1) & Enc.ECON1_TXRTS) {
      // TXRTS survives TXRST: the transmitter (or the chip) is gone. Stay busy, so the TX
      // buffer is never written while TXRTS is set: every send fails after a bounded wait.
      st[St.TX_ERRORS]++;
      return false;
    }
    if (stalled ? st[St.TX_STALL_RETRIES]++ >= Tx.MAX_STALL_RETRIES : !late || st[St.TX_TRIES]++ >= Tx.MAX_TRIES) {
      st[St.TX_ERRORS]++;
      break;
    }
    st[St.TX_RETRIES]++;
    cmd(Op.BFS | Enc.ECON1, Enc.ECON1_TXRTS); // resend
  }
  st[St.TX_BUSY] = 0;
  return true;
}

/** Transmits tx[0..len); false when len is out of range or the transmitter is stuck. A driver method. */
export function send(this: Rec, len: number): boolean {
  if (this !== cur) use(this); // (the check inline on the per-frame path: a call less)
  if (len < 1 || len > Enc.MAX_FRAME - Enc.CRC_LEN || len > st[St.TX_MAX]) {
    st[St.TX_ERRORS]++;
    return false;
  }
  if (st[St.TX_BUSY] && !txFinish()) return false;
  wr16(Enc.EWRPTL, Enc.TX_START, st[St.EWRPT]);
  spi.write(txc, len + Tx.CMD_HDR);
  st[St.EWRPT] = Enc.TX_START + Enc.TX_CTRL_LEN + len;
  // ETXND: the frame's last byte, TX_START + TX_CTRL_LEN + len - 1 (the control byte comes first).
  st[St.ETXND] = wr16(Enc.ETXNDL, Enc.TX_START + len, st[St.ETXND]);
  cmd(Op.BFS | Enc.ECON1, Enc.ECON1_TXRTS);
  st[St.TX_BUSY] = st[St.TX_TRIES] = 1;
  st[St.TX_STALL_RETRIES] = 0;
  st[St.TX_FRAMES]++;
  return true;
}

/** Waits (bounded) for the frame in flight; true when it left without error. A driver method. */
export function flush(this: Rec): boolean {
  use(this);
  var errors = st[St.TX_ERRORS];
  return !st[St.TX_BUSY] || (txFinish() && st[St.TX_ERRORS] === errors);
}
