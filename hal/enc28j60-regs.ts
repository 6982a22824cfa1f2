// ENC28J60 register addresses, bits and SPI opcodes (DS39662E; see shared reference enc28j60.md).
// Device code: plain numeric constants only, so the bundle inlines or keeps them as vars.
//
// Register encoding used by the driver: bits 0-4 = address inside the bank, bits 5-6 = bank
// (ignored for the common registers 0x1B-0x1F), bit 7 = MAC/MII register (a dummy byte comes
// before the value on read, and BFS/BFC do not work on it).

export const BANK_SHIFT = 5;
export const ADDR_MASK = 0x1f;
export const BANK_MASK = 0x60;
export const MACMII = 0x80;

// ---- SPI opcodes (first byte; the low 5 bits carry the register address) ----
export const OP_RCR = 0x00;
export const OP_RBM = 0x3a;
export const OP_WCR = 0x40;
export const OP_WBM = 0x7a;
export const OP_BFS = 0x80;
export const OP_BFC = 0xa0;
export const OP_SRC = 0xff;

// ---- Common registers (every bank) ----
export const EIE = 0x1b;
export const EIR = 0x1c;
export const ESTAT = 0x1d;
export const ECON2 = 0x1e;
export const ECON1 = 0x1f;

// EIE
export const EIE_INTIE = 0x80;
export const EIE_PKTIE = 0x40;
export const EIE_DMAIE = 0x20;
export const EIE_LINKIE = 0x10;
export const EIE_TXIE = 0x08;
export const EIE_TXERIE = 0x02;
export const EIE_RXERIE = 0x01;
// EIR
export const EIR_PKTIF = 0x40;
export const EIR_DMAIF = 0x20;
export const EIR_LINKIF = 0x10;
export const EIR_TXIF = 0x08;
export const EIR_TXERIF = 0x02;
export const EIR_RXERIF = 0x01;
// ESTAT
export const ESTAT_INT = 0x80;
export const ESTAT_BUFER = 0x40;
export const ESTAT_LATECOL = 0x10;
export const ESTAT_RXBUSY = 0x04;
export const ESTAT_TXABRT = 0x02;
export const ESTAT_CLKRDY = 0x01;
// ECON2
export const ECON2_AUTOINC = 0x80;
export const ECON2_PKTDEC = 0x40;
export const ECON2_PWRSV = 0x20;
export const ECON2_VRPS = 0x08;
// ECON1
export const ECON1_TXRST = 0x80;
export const ECON1_RXRST = 0x40;
export const ECON1_DMAST = 0x20;
export const ECON1_CSUMEN = 0x10;
export const ECON1_TXRTS = 0x08;
export const ECON1_RXEN = 0x04;
export const ECON1_BSEL = 0x03;

// ---- Bank 0 (buffer pointers, 13 bits, low byte at the lower address) ----
export const ERDPTL = 0x00;
export const ERDPTH = 0x01;
export const EWRPTL = 0x02;
export const EWRPTH = 0x03;
export const ETXSTL = 0x04;
export const ETXSTH = 0x05;
export const ETXNDL = 0x06;
export const ETXNDH = 0x07;
export const ERXSTL = 0x08;
export const ERXSTH = 0x09;
export const ERXNDL = 0x0a;
export const ERXNDH = 0x0b;
export const ERXRDPTL = 0x0c;
export const ERXRDPTH = 0x0d;
export const ERXWRPTL = 0x0e;
export const ERXWRPTH = 0x0f;
export const EDMASTL = 0x10;
export const EDMASTH = 0x11;
export const EDMANDL = 0x12;
export const EDMANDH = 0x13;
export const EDMADSTL = 0x14;
export const EDMADSTH = 0x15;
export const EDMACSL = 0x16;
export const EDMACSH = 0x17;

// ---- Bank 1 ----
export const EHT0 = 0x20 | 0x00;
export const EPMM0 = 0x20 | 0x08;
export const EPMCSL = 0x20 | 0x10;
export const EPMOL = 0x20 | 0x14;
export const ERXFCON = 0x20 | 0x18;
export const EPKTCNT = 0x20 | 0x19;
// ERXFCON
export const ERXFCON_UCEN = 0x80;
export const ERXFCON_ANDOR = 0x40;
export const ERXFCON_CRCEN = 0x20;
export const ERXFCON_PMEN = 0x10;
export const ERXFCON_MPEN = 0x08;
export const ERXFCON_HTEN = 0x04;
export const ERXFCON_MCEN = 0x02;
export const ERXFCON_BCEN = 0x01;

// ---- Bank 2 (MAC/MII: dummy byte on read) ----
export const MACON1 = 0x80 | 0x40 | 0x00;
export const MACON3 = 0x80 | 0x40 | 0x02;
export const MACON4 = 0x80 | 0x40 | 0x03;
export const MABBIPG = 0x80 | 0x40 | 0x04;
export const MAIPGL = 0x80 | 0x40 | 0x06;
export const MAIPGH = 0x80 | 0x40 | 0x07;
export const MACLCON1 = 0x80 | 0x40 | 0x08;
export const MACLCON2 = 0x80 | 0x40 | 0x09;
export const MAMXFLL = 0x80 | 0x40 | 0x0a;
export const MAMXFLH = 0x80 | 0x40 | 0x0b;
export const MICMD = 0x80 | 0x40 | 0x12;
export const MIREGADR = 0x80 | 0x40 | 0x14;
export const MIWRL = 0x80 | 0x40 | 0x16;
export const MIWRH = 0x80 | 0x40 | 0x17;
export const MIRDL = 0x80 | 0x40 | 0x18;
export const MIRDH = 0x80 | 0x40 | 0x19;
// MACON1
export const MACON1_TXPAUS = 0x08;
export const MACON1_RXPAUS = 0x04;
export const MACON1_PASSALL = 0x02;
export const MACON1_MARXEN = 0x01;
// MACON3
export const MACON3_PADCFG0 = 0x20;
export const MACON3_TXCRCEN = 0x10;
export const MACON3_PHDREN = 0x08;
export const MACON3_HFRMEN = 0x04;
export const MACON3_FRMLNEN = 0x02;
export const MACON3_FULDPX = 0x01;
// MACON4
export const MACON4_DEFER = 0x40;
// MICMD
export const MICMD_MIISCAN = 0x02;
export const MICMD_MIIRD = 0x01;

// ---- Bank 3 (MAADR and MISTAT are MAC/MII registers) ----
export const MAADR5 = 0x80 | 0x60 | 0x00;
export const MAADR6 = 0x80 | 0x60 | 0x01;
export const MAADR3 = 0x80 | 0x60 | 0x02;
export const MAADR4 = 0x80 | 0x60 | 0x03;
export const MAADR1 = 0x80 | 0x60 | 0x04;
export const MAADR2 = 0x80 | 0x60 | 0x05;
export const EBSTSD = 0x60 | 0x06;
export const EBSTCON = 0x60 | 0x07;
export const EBSTCSL = 0x60 | 0x08;
export const MISTAT = 0x80 | 0x60 | 0x0a;
export const EREVID = 0x60 | 0x12;
export const ECOCON = 0x60 | 0x15;
export const EFLOCON = 0x60 | 0x17;
export const EPAUSL = 0x60 | 0x18;
// MISTAT
export const MISTAT_NVALID = 0x04;
export const MISTAT_SCAN = 0x02;
export const MISTAT_BUSY = 0x01;

// ---- PHY registers (16-bit, through MII) ----
export const PHCON1 = 0x00;
export const PHSTAT1 = 0x01;
export const PHID1 = 0x02;
export const PHID2 = 0x03;
export const PHCON2 = 0x10;
export const PHSTAT2 = 0x11;
export const PHIE = 0x12;
export const PHIR = 0x13;
export const PHLCON = 0x14;
// PHCON1
export const PHCON1_PRST = 0x8000;
export const PHCON1_PLOOPBK = 0x4000;
export const PHCON1_PPWRSV = 0x0800;
export const PHCON1_PDPXMD = 0x0100;
// PHSTAT1
export const PHSTAT1_LLSTAT = 0x0004;
// PHCON2
export const PHCON2_FRCLNK = 0x4000;
export const PHCON2_TXDIS = 0x2000;
export const PHCON2_JABBER = 0x0400;
export const PHCON2_HDLDIS = 0x0100;
// PHSTAT2
export const PHSTAT2_LSTAT = 0x0400;
export const PHSTAT2_DPXSTAT = 0x0200;
// PHIE / PHIR
export const PHIE_PLNKIE = 0x0010;
export const PHIE_PGEIE = 0x0002;
export const PHIR_PLNKIF = 0x0010;

// ---- Receive status vector (bits 16-31 of the 6-byte header, as a 16-bit value here) ----
export const RSV_LONG_DROP = 0x0001; // bit 16
export const RSV_CARRIER = 0x0004; // bit 18
export const RSV_CRC_ERROR = 0x0010; // bit 20
export const RSV_LEN_CHECK = 0x0020; // bit 21
export const RSV_LEN_RANGE = 0x0040; // bit 22
export const RSV_RX_OK = 0x0080; // bit 23
export const RSV_MULTICAST = 0x0100; // bit 24
export const RSV_BROADCAST = 0x0200; // bit 25
export const RSV_ZERO = 0x8000; // bit 31, always 0 in a sane header

// ---- Transmit status vector (7 bytes at ETXND+1), byte 3 holds bits 24-31 ----
export const TSV2_DONE = 0x80; // byte 2 bit 7 = bit 23
export const TSV3_LATE_COLLISION = 0x20; // byte 3 bit 5 = bit 29
export const TSV3_EXCESSIVE_COLLISIONS = 0x10; // bit 28
export const TSV3_EXCESSIVE_DEFER = 0x08; // bit 27
export const TSV3_GIANT = 0x40; // bit 30

// ---- Buffer memory layout used by the driver ----
/** Receive ring: 0x0000..RX_END (erratum 5: the ring starts at 0; RX_END odd for erratum 14). */
export const RX_START = 0x0000;
export const RX_END = 0x19ff;
export const RX_SIZE = 0x1a00;
/** Transmit area: control byte at TX_START, frame after it, 7-byte status vector after the frame. */
export const TX_START = 0x1a00;

/** Largest frame the MAC accepts, destination MAC through CRC. */
export const MAX_FRAME = 1518;
