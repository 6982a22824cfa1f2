// ENC28J60 register file layout for the emulator (host only; the driver has its own constants in
// hal/enc28j60-regs.ts). A register is addressed by index = bank * 32 + address, except the
// common registers 0x1B-0x1F, which live at their address (bank 0 slots) in every bank.

export const EIE = 0x1b, EIR = 0x1c, ESTAT = 0x1d, ECON2 = 0x1e, ECON1 = 0x1f;

// Bank 0
export const ERDPTL = 0x00, EWRPTL = 0x02, ETXSTL = 0x04, ETXNDL = 0x06, ERXSTL = 0x08,
  ERXNDL = 0x0a, ERXRDPTL = 0x0c, ERXRDPTH = 0x0d, ERXWRPTL = 0x0e, EDMASTL = 0x10,
  EDMANDL = 0x12, EDMADSTL = 0x14, EDMACSL = 0x16, EDMACSH = 0x17;
// Bank 1
export const EHT0 = 0x20, EPMM0 = 0x28, EPMCSL = 0x30, EPMOL = 0x34, ERXFCON = 0x38, EPKTCNT = 0x39;
// Bank 2 (MAC/MII)
export const MACON1 = 0x40, MACON3 = 0x42, MACON4 = 0x43, MABBIPG = 0x44, MAIPGL = 0x46,
  MAIPGH = 0x47, MACLCON1 = 0x48, MACLCON2 = 0x49, MAMXFLL = 0x4a, MICMD = 0x52,
  MIREGADR = 0x54, MIWRL = 0x56, MIWRH = 0x57, MIRDL = 0x58, MIRDH = 0x59;
// Bank 3
export const MAADR5 = 0x60, MAADR6 = 0x61, MAADR3 = 0x62, MAADR4 = 0x63, MAADR1 = 0x64,
  MAADR2 = 0x65, EBSTSD = 0x66, EBSTCON = 0x67, EBSTCSL = 0x68, MISTAT = 0x6a, EREVID = 0x72,
  ECOCON = 0x75, EFLOCON = 0x77, EPAUSL = 0x78, EPAUSH = 0x79;

// Bits
export const EIE_INTIE = 0x80;
export const EIR_PKTIF = 0x40, EIR_DMAIF = 0x20, EIR_LINKIF = 0x10, EIR_TXIF = 0x08,
  EIR_TXERIF = 0x02, EIR_RXERIF = 0x01, EIR_ALL = 0x7b, EIR_SW = 0x2b;
export const ESTAT_INT = 0x80, ESTAT_BUFER = 0x40, ESTAT_LATECOL = 0x10, ESTAT_RXBUSY = 0x04,
  ESTAT_TXABRT = 0x02, ESTAT_CLKRDY = 0x01;
export const ECON2_AUTOINC = 0x80, ECON2_PKTDEC = 0x40, ECON2_PWRSV = 0x20, ECON2_VRPS = 0x08;
export const ECON1_TXRST = 0x80, ECON1_RXRST = 0x40, ECON1_DMAST = 0x20, ECON1_CSUMEN = 0x10,
  ECON1_TXRTS = 0x08, ECON1_RXEN = 0x04;
export const ERXFCON_UCEN = 0x80, ERXFCON_ANDOR = 0x40, ERXFCON_CRCEN = 0x20, ERXFCON_PMEN = 0x10,
  ERXFCON_MPEN = 0x08, ERXFCON_HTEN = 0x04, ERXFCON_MCEN = 0x02, ERXFCON_BCEN = 0x01;
export const MACON1_PASSALL = 0x02, MACON1_MARXEN = 0x01;
export const MACON3_TXCRCEN = 0x10, MACON3_HFRMEN = 0x04, MACON3_FRMLNEN = 0x02, MACON3_FULDPX = 0x01;
export const MICMD_MIISCAN = 0x02, MICMD_MIIRD = 0x01;
export const MISTAT_NVALID = 0x04, MISTAT_SCAN = 0x02, MISTAT_BUSY = 0x01;

// PHY
export const PHCON1 = 0x00, PHSTAT1 = 0x01, PHID1 = 0x02, PHID2 = 0x03, PHCON2 = 0x10,
  PHSTAT2 = 0x11, PHIE = 0x12, PHIR = 0x13, PHLCON = 0x14;
export const PHCON1_PRST = 0x8000, PHCON1_PLOOPBK = 0x4000, PHCON1_PDPXMD = 0x0100;
export const PHCON2_HDLDIS = 0x0100;
export const PHSTAT1_LLSTAT = 0x0004;
export const PHSTAT2_TXSTAT = 0x2000, PHSTAT2_LSTAT = 0x0400, PHSTAT2_DPXSTAT = 0x0200;
export const PHIE_PLNKIE = 0x0010, PHIE_PGEIE = 0x0002;
export const PHIR_PLNKIF = 0x0010, PHIR_PGIF = 0x0004;

/** Registers that answer RCR with a dummy byte first and refuse BFS/BFC (MAC and MII registers). */
export const IS_MAC = new Uint8Array(128);
for (let a = 0; a <= 0x19; a++) IS_MAC[0x40 + a] = 1;
for (let a = 0; a <= 0x05; a++) IS_MAC[0x60 + a] = 1;
IS_MAC[MISTAT] = 1;

/** Bits the host can write (unimplemented and read-only bits are 0). Special registers handled in code. */
export const WRITE_MASK = new Uint8Array(128);
/** Values after a system reset (datasheet register summary). */
export const RESET_VALUE = new Uint8Array(128);

function w(idx: number, mask: number, reset: number): void {
  WRITE_MASK[idx] = mask;
  RESET_VALUE[idx] = reset;
}
// Bank 0: pointer pairs (13 bits), ERXWRPT read-only
for (let a = 0; a < 0x18; a += 2) w(a, 0xff, 0), w(a + 1, 0x1f, 0);
w(ERDPTL, 0xff, 0xfa), w(ERDPTL + 1, 0x1f, 0x05);
w(ERXSTL, 0xff, 0xfa), w(ERXSTL + 1, 0x1f, 0x05);
w(ERXNDL, 0xff, 0xff), w(ERXNDL + 1, 0x1f, 0x1f);
w(ERXRDPTL, 0xff, 0xfa), w(ERXRDPTH, 0x1f, 0x05);
w(ERXWRPTL, 0, 0), w(ERXWRPTL + 1, 0, 0);
// Common
w(EIE, 0xfb, 0), w(EIR, EIR_SW, 0), w(ESTAT, 0, 0), w(ECON2, 0xa8, 0x80), w(ECON1, 0xff, 0);
// Bank 1
for (let a = 0; a < 16; a++) w(EHT0 + a, 0xff, 0);
w(EPMCSL, 0xff, 0), w(EPMCSL + 1, 0xff, 0), w(EPMOL, 0xff, 0), w(EPMOL + 1, 0x1f, 0);
w(ERXFCON, 0xff, 0xa1), w(EPKTCNT, 0, 0);
// Bank 2
w(MACON1, 0x1f, 0), w(MACON3, 0xff, 0), w(MACON4, 0x73, 0), w(MABBIPG, 0x7f, 0);
w(MAIPGL, 0x7f, 0), w(MAIPGH, 0x7f, 0), w(MACLCON1, 0x0f, 0x0f), w(MACLCON2, 0x3f, 0x37);
w(MAMXFLL, 0xff, 0x00), w(MAMXFLL + 1, 0xff, 0x06), w(MICMD, 0x03, 0), w(MIREGADR, 0x1f, 0);
w(MIWRL, 0xff, 0), w(MIWRH, 0xff, 0), w(MIRDL, 0, 0), w(MIRDH, 0, 0);
// Bank 3
for (let a = 0; a < 6; a++) w(0x60 + a, 0xff, 0);
w(EBSTSD, 0xff, 0), w(EBSTCON, 0xff, 0), w(EBSTCSL, 0xff, 0), w(EBSTCSL + 1, 0xff, 0);
w(MISTAT, 0, 0), w(EREVID, 0, 0), w(ECOCON, 0x07, 0x04), w(EFLOCON, 0x03, 0);
w(EPAUSL, 0xff, 0x00), w(EPAUSH, 0xff, 0x10);

/** MAADR byte index of address octet i (octet 0 is MAADR1). */
export const MAADR_OCTET = [MAADR1, MAADR2, MAADR3, MAADR4, MAADR5, MAADR6];
