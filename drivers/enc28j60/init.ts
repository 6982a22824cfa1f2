// ENC28J60 initialisation (device code): reset, the wait for a working clock, buffer layout,
// filters, MAC, PHY, interrupts; the multicast hash filter. Works on the active driver.
// Errata: 2 (CLKRDY after SRC: delay + poll + write/read-back check), 5 (ring at 0), 9 (HDLDIS
// in half duplex), 19 (PWRSV cleared before SRC).

import { Enc } from "./regs";
import { Hash, Mii, Ready } from "./limits";
import { Rec, St, Op, Ptr, cur, st, spi, hal, c2, use, setBank, cmd, rd, wr16, waitFor, phyRead } from "./access";
import { ringInit } from "./receive";

const enum Phy {
  /** The LEDs' default PHLCON: LEDA link status, LEDB transmit/receive activity, stretched. */
  LEDS = Enc.PHLCON_RESERVED | Enc.PHLCON_LEDA_LINK | Enc.PHLCON_LEDB_TXRX | Enc.PHLCON_LFRQ_70MS | Enc.PHLCON_STRCH,
}

/** Resets and configures the chip; throws Error("ENC28J60: ...") when no chip answers. A driver method. */
export function init(this: Rec): void {
  use(this);
  var o = cur.opt, full = o.fullDuplex, reset = hal.reset, i: number;
  if (reset) {
    reset.set(false);
    reset.set(true);
  }
  // Erratum 19: SRC is ignored in power save. Leave it, let the clock come up.
  cmd(Op.BFC | Enc.ECON2, Enc.ECON2_PWRSV); // a common register: no bank select
  waitFor(Enc.ESTAT, Enc.ESTAT_CLKRDY, Enc.ESTAT_CLKRDY, Ready.OSC_POLLS, Ready.OSC_MS);
  c2[0] = Enc.OP_SRC;
  spi.write(c2, 1);
  st[St.BANK] = 0;
  // After SRC (erratum 2): at least 1 ms (or 1000 polls when the clock does not move), CLKRDY
  // set, and a register (ETXSTL) that really holds what is written to it: a pattern, then each
  // bit inverted. Bounded: 10 ms (and 100000 polls).
  var clock = hal.clock, t0 = clock.now(), ready = false;
  for (i = 0; i < Ready.MAX_POLLS && !ready; i++) {
    var clkRdy = rd(Enc.ESTAT) & Enc.ESTAT_CLKRDY;
    var elapsed = clock.now() - t0;
    // Ready is checked before the time bound: a slow host (GC pause) must not fail a ready chip.
    if (clkRdy && (elapsed >= Ready.MIN_MS || i >= Ready.MIN_POLLS)) {
      for (var k = 0, v = (Ready.PATTERN + i) & 0xff; k < 2; k++, v ^= 0xff) {
        cmd(Op.WCR | Enc.ETXSTL, v);
        if (rd(Enc.ETXSTL) !== v) break;
      }
      ready = k === 2;
    }
    if (elapsed > Ready.MAX_MS) break;
  }
  var rev = rd(Enc.EREVID);
  var noChip = !rev || rev === Ready.MISO_HIGH;
  if (noChip || !ready) {
    // (rev | 256) in hex is "1" and two digits: slice(1) keeps the two, leading zero included.
    throw new Error("ENC28J60: " + (noChip ? "no chip answers on SPI" : "clock not ready after reset") +
      " (EREVID 0x" + (rev | 256).toString(16).slice(1).toUpperCase() + ")");
  }
  cur.revision = rev;

  // Bank 0: receive ring at 0x0000 (erratum 5), transmit area after it.
  ringInit();
  wr16(Enc.ETXSTL, Enc.TX_START, Ptr.UNKNOWN);
  st[St.EWRPT] = wr16(Enc.EWRPTL, Enc.TX_START, Ptr.UNKNOWN);
  st[St.ETXND] = Ptr.UNKNOWN;
  st[St.TX_BUSY] = 0;
  // Bank 1: filters.
  cmd(Op.WCR | Enc.ERXFCON, o.multicast ? Enc.ERXFCON_UCEN | Enc.ERXFCON_CRCEN | Enc.ERXFCON_BCEN | Enc.ERXFCON_MCEN
    : Enc.ERXFCON_UCEN | Enc.ERXFCON_CRCEN | Enc.ERXFCON_BCEN);
  // Bank 2: MAC.
  cmd(Op.WCR | Enc.MACON1, full ? Enc.MACON1_MARXEN | Enc.MACON1_TXPAUS | Enc.MACON1_RXPAUS : Enc.MACON1_MARXEN);
  cmd(Op.WCR | Enc.MACON3, full ? Enc.MACON3_PADCFG0 | Enc.MACON3_TXCRCEN | Enc.MACON3_FRMLNEN | Enc.MACON3_FULDPX
    : Enc.MACON3_PADCFG0 | Enc.MACON3_TXCRCEN | Enc.MACON3_FRMLNEN);
  cmd(Op.WCR | Enc.MACON4, full ? 0 : Enc.MACON4_DEFER);
  cmd(Op.WCR | Enc.MABBIPG, full ? Enc.MABBIPG_FULL : Enc.MABBIPG_HALF);
  cmd(Op.WCR | Enc.MAIPGL, Enc.MAIPGL_GAP);
  cmd(Op.WCR | Enc.MAIPGH, full ? 0 : Enc.MAIPGH_HALF);
  wr16(Enc.MAMXFLL, Enc.MAX_FRAME, Ptr.UNKNOWN);
  // Bank 3: MAC address. Octet k goes to MAADR(k+1), at MAADR5 + 4, 5, 2, 3, 0, 1 = (5 - k) ^ 1.
  for (i = 0; i < 6; i++) cmd(Op.WCR | Enc.MAADR5 + ((5 - i) ^ 1), cur.mac[i]);
  // PHY: duplex (erratum 9: HDLDIS in half duplex), LEDs, link change interrupt: register, value.
  var phy = [Enc.PHCON1, full ? Enc.PHCON1_PDPXMD : 0, Enc.PHCON2, full ? 0 : Enc.PHCON2_HDLDIS,
    Enc.PHLCON, o.leds || Phy.LEDS, Enc.PHIE, Enc.PHIE_PGEIE | Enc.PHIE_PLNKIE];
  for (i = 0; i < phy.length; i += 2) {
    cmd(Op.WCR | Enc.MIREGADR, phy[i]);
    wr16(Enc.MIWRL, phy[i + 1], Ptr.UNKNOWN); // the write starts with MIWRH
    if (!waitFor(Enc.MISTAT, Enc.MISTAT_BUSY, 0, Mii.WAIT_POLLS, Mii.WAIT_MS)) st[St.MII_TIMEOUTS]++;
  }
  // Reading PHIR clears PLNKIF (and EIR.LINKIF); then the link.
  phyRead(Enc.PHIR);
  st[St.LINK] = phyRead(Enc.PHSTAT2) & Enc.PHSTAT2_LSTAT;
  // Interrupts, auto-increment, receive on. Bank 0 is home.
  cmd(Op.BFS | Enc.ECON2, Enc.ECON2_AUTOINC);
  cmd(Op.BFC | Enc.EIR, Enc.EIR_DMAIF | Enc.EIR_TXIF | Enc.EIR_TXERIF | Enc.EIR_RXERIF);
  cmd(Op.WCR | Enc.EIE, Enc.EIE_INTIE | Enc.EIE_PKTIE | Enc.EIE_LINKIE | Enc.EIE_TXERIE | Enc.EIE_RXERIE);
  cmd(Op.BFS | Enc.ECON1, Enc.ECON1_RXEN);
  setBank(0);
}

/**
 * Lets frames to this 6-byte group address in, through the 64-bit hash table (other groups
 * sharing its hash bit pass too: the IP layer filters them). A driver method.
 */
export function addMulticast(this: Rec, addr: Uint8Array): void {
  use(this);
  // Hash pointer: CRC-32 bits 28:23 in register form (bits LSB-first per octet, preset ones,
  // MSB-first shift, no final inversion); signed 32-bit arithmetic is enough for those bits.
  var crc = -1;
  for (var i = 0; i < Hash.BITS; i++) {
    crc = (crc << 1) ^ ((crc >>> 31) ^ ((addr[i >> 3] >> (i & 7)) & 1) ? Hash.POLY : 0);
  }
  var h = (crc >>> Hash.SHIFT) & Hash.MASK;
  cmd(Op.BFS | Enc.EHT0 + (h >> 3), 1 << (h & 7)); // register EHT(h / 8), bit h % 8
  cmd(Op.BFS | Enc.ERXFCON, Enc.ERXFCON_HTEN);
}
