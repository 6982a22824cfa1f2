// ENC28J60 register addresses, bits and SPI opcodes (DS39662E; see shared reference enc28j60.md).
// One `const enum`: tsc replaces every Enc.NAME with its number, so no name reaches the bundle.
//
// Register encoding used by the driver: bits 0-4 = address inside the bank, bits 5-6 = bank
// (ignored for the common registers 0x1B-0x1F), bit 7 = MAC/MII register (a dummy byte comes
// before the value on read, and BFS/BFC do not work on it).

export const enum Enc {
  BANK_SHIFT = 5,
  ADDR_MASK = 0x1f,
  BANK_MASK = 0x60,
  MACMII = 0x80,
  /** Addresses from here to 0x1F (EIE, EIR, ESTAT, ECON2, ECON1) exist in every bank. */
  COMMON_FIRST = 0x1b,

  // ---- SPI opcodes (first byte; the low 5 bits carry the register address) ----
  OP_RCR = 0x00,
  OP_RBM = 0x3a,
  OP_WCR = 0x40,
  OP_WBM = 0x7a,
  OP_BFS = 0x80,
  OP_BFC = 0xa0,
  OP_SRC = 0xff,

  // ---- Common registers (every bank) ----
  EIE = 0x1b,
  EIR = 0x1c,
  ESTAT = 0x1d,
  ECON2 = 0x1e,
  ECON1 = 0x1f,

  // EIE
  EIE_INTIE = 0x80,
  EIE_PKTIE = 0x40,
  EIE_DMAIE = 0x20,
  EIE_LINKIE = 0x10,
  EIE_TXIE = 0x08,
  EIE_TXERIE = 0x02,
  EIE_RXERIE = 0x01,
  // EIR
  EIR_PKTIF = 0x40,
  EIR_DMAIF = 0x20,
  EIR_LINKIF = 0x10,
  EIR_TXIF = 0x08,
  EIR_TXERIF = 0x02,
  EIR_RXERIF = 0x01,
  // ESTAT
  ESTAT_INT = 0x80,
  ESTAT_BUFER = 0x40,
  ESTAT_LATECOL = 0x10,
  ESTAT_RXBUSY = 0x04,
  ESTAT_TXABRT = 0x02,
  ESTAT_CLKRDY = 0x01,
  // ECON2
  ECON2_AUTOINC = 0x80,
  ECON2_PKTDEC = 0x40,
  ECON2_PWRSV = 0x20,
  ECON2_VRPS = 0x08,
  // ECON1
  ECON1_TXRST = 0x80,
  ECON1_RXRST = 0x40,
  ECON1_DMAST = 0x20,
  ECON1_CSUMEN = 0x10,
  ECON1_TXRTS = 0x08,
  ECON1_RXEN = 0x04,
  ECON1_BSEL = 0x03,

  // ---- Bank 0 (buffer pointers, 13 bits, low byte at the lower address) ----
  ERDPTL = 0x00,
  ERDPTH = 0x01,
  EWRPTL = 0x02,
  EWRPTH = 0x03,
  ETXSTL = 0x04,
  ETXSTH = 0x05,
  ETXNDL = 0x06,
  ETXNDH = 0x07,
  ERXSTL = 0x08,
  ERXSTH = 0x09,
  ERXNDL = 0x0a,
  ERXNDH = 0x0b,
  ERXRDPTL = 0x0c,
  ERXRDPTH = 0x0d,
  ERXWRPTL = 0x0e,
  ERXWRPTH = 0x0f,
  EDMASTL = 0x10,
  EDMASTH = 0x11,
  EDMANDL = 0x12,
  EDMANDH = 0x13,
  EDMADSTL = 0x14,
  EDMADSTH = 0x15,
  EDMACSL = 0x16,
  EDMACSH = 0x17,

  // ---- Bank 1 ----
  EHT0 = 0x20 | 0x00,
  EPMM0 = 0x20 | 0x08,
  EPMCSL = 0x20 | 0x10,
  EPMOL = 0x20 | 0x14,
  ERXFCON = 0x20 | 0x18,
  EPKTCNT = 0x20 | 0x19,
  // ERXFCON
  ERXFCON_UCEN = 0x80,
  ERXFCON_ANDOR = 0x40,
  ERXFCON_CRCEN = 0x20,
  ERXFCON_PMEN = 0x10,
  ERXFCON_MPEN = 0x08,
  ERXFCON_HTEN = 0x04,
  ERXFCON_MCEN = 0x02,
  ERXFCON_BCEN = 0x01,

  // ---- Bank 2 (MAC/MII: dummy byte on read) ----
  MACON1 = 0x80 | 0x40 | 0x00,
  MACON3 = 0x80 | 0x40 | 0x02,
  MACON4 = 0x80 | 0x40 | 0x03,
  MABBIPG = 0x80 | 0x40 | 0x04,
  MAIPGL = 0x80 | 0x40 | 0x06,
  MAIPGH = 0x80 | 0x40 | 0x07,
  MACLCON1 = 0x80 | 0x40 | 0x08,
  MACLCON2 = 0x80 | 0x40 | 0x09,
  MAMXFLL = 0x80 | 0x40 | 0x0a,
  MAMXFLH = 0x80 | 0x40 | 0x0b,
  MICMD = 0x80 | 0x40 | 0x12,
  MIREGADR = 0x80 | 0x40 | 0x14,
  MIWRL = 0x80 | 0x40 | 0x16,
  MIWRH = 0x80 | 0x40 | 0x17,
  MIRDL = 0x80 | 0x40 | 0x18,
  MIRDH = 0x80 | 0x40 | 0x19,
  // MACON1
  MACON1_TXPAUS = 0x08,
  MACON1_RXPAUS = 0x04,
  MACON1_PASSALL = 0x02,
  MACON1_MARXEN = 0x01,
  // MACON3
  MACON3_PADCFG0 = 0x20,
  MACON3_TXCRCEN = 0x10,
  MACON3_PHDREN = 0x08,
  MACON3_HFRMEN = 0x04,
  MACON3_FRMLNEN = 0x02,
  MACON3_FULDPX = 0x01,
  // MACON4
  MACON4_DEFER = 0x40,
  // Inter-packet gaps (datasheet 6.5, the recommended values)
  MABBIPG_FULL = 0x15, // back-to-back gap, full duplex
  MABBIPG_HALF = 0x12, // back-to-back gap, half duplex
  MAIPGL_GAP = 0x12, // non-back-to-back gap, low byte
  MAIPGH_HALF = 0x0c, // non-back-to-back gap, high byte (half duplex only; 0 in full duplex)
  // MICMD
  MICMD_MIISCAN = 0x02,
  MICMD_MIIRD = 0x01,

  // ---- Bank 3 (MAADR and MISTAT are MAC/MII registers) ----
  MAADR5 = 0x80 | 0x60 | 0x00,
  MAADR6 = 0x80 | 0x60 | 0x01,
  MAADR3 = 0x80 | 0x60 | 0x02,
  MAADR4 = 0x80 | 0x60 | 0x03,
  MAADR1 = 0x80 | 0x60 | 0x04,
  MAADR2 = 0x80 | 0x60 | 0x05,
  EBSTSD = 0x60 | 0x06,
  EBSTCON = 0x60 | 0x07,
  EBSTCSL = 0x60 | 0x08,
  MISTAT = 0x80 | 0x60 | 0x0a,
  EREVID = 0x60 | 0x12,
  ECOCON = 0x60 | 0x15,
  EFLOCON = 0x60 | 0x17,
  EPAUSL = 0x60 | 0x18,
  // MISTAT
  MISTAT_NVALID = 0x04,
  MISTAT_SCAN = 0x02,
  MISTAT_BUSY = 0x01,

  // ---- PHY registers (16-bit, through MII) ----
  PHCON1 = 0x00,
  PHSTAT1 = 0x01,
  PHID1 = 0x02,
  PHID2 = 0x03,
  PHCON2 = 0x10,
  PHSTAT2 = 0x11,
  PHIE = 0x12,
  PHIR = 0x13,
  PHLCON = 0x14,
  // PHCON1
  PHCON1_PRST = 0x8000,
  PHCON1_PLOOPBK = 0x4000,
  PHCON1_PPWRSV = 0x0800,
  PHCON1_PDPXMD = 0x0100,
  // PHSTAT1
  PHSTAT1_LLSTAT = 0x0004,
  // PHCON2
  PHCON2_FRCLNK = 0x4000,
  PHCON2_TXDIS = 0x2000,
  PHCON2_JABBER = 0x0400,
  PHCON2_HDLDIS = 0x0100,
  // PHSTAT2
  PHSTAT2_LSTAT = 0x0400,
  PHSTAT2_DPXSTAT = 0x0200,
  // PHIE / PHIR
  PHIE_PLNKIE = 0x0010,
  PHIE_PGEIE = 0x0002,
  PHIR_PLNKIF = 0x0010,
  // PHLCON: bits 13:12 write as 1, LACFG (LEDA) bits 11:8, LBCFG (LEDB) bits 7:4, LFRQ 3:2, STRCH 1
  PHLCON_RESERVED = 0x3000,
  PHLCON_LEDA_LINK = 0x0400, // LACFG 0100: link status
  PHLCON_LEDB_TXRX = 0x0070, // LBCFG 0111: transmit and receive activity
  PHLCON_LFRQ_70MS = 0x0004, // LFRQ 01: stretch events to about 70 ms
  PHLCON_STRCH = 0x0002, // stretch LED events

  // ---- Receive header: next packet pointer, byte count, status vector bits 16-31 (LE words) ----
  RXH_LEN = 6,
  RXH_NEXT = 0, // word index
  RXH_COUNT = 1, // word index: frame bytes with CRC (the status vector's bits 0-15)
  RXH_STATUS = 2, // word index: bits 16-31 of the status vector, as a 16-bit value below
  RSV_LONG_DROP = 0x0001, // bit 16
  RSV_CARRIER = 0x0004, // bit 18
  RSV_CRC_ERROR = 0x0010, // bit 20
  RSV_LEN_CHECK = 0x0020, // bit 21
  RSV_LEN_RANGE = 0x0040, // bit 22
  RSV_RX_OK = 0x0080, // bit 23
  RSV_MULTICAST = 0x0100, // bit 24
  RSV_BROADCAST = 0x0200, // bit 25
  RSV_ZERO = 0x8000, // bit 31, always 0 in a sane header

  // ---- Transmit status vector (7 bytes at ETXND+1), byte 3 holds bits 24-31 ----
  TSV_LEN = 7,
  TSV_BYTE3 = 3,
  TSV2_DONE = 0x80, // byte 2 bit 7 = bit 23
  TSV3_LATE_COLLISION = 0x20, // byte 3 bit 5 = bit 29
  TSV3_EXCESSIVE_COLLISIONS = 0x10, // bit 28
  TSV3_EXCESSIVE_DEFER = 0x08, // bit 27
  TSV3_GIANT = 0x40, // bit 30

  // ---- Buffer memory layout used by the driver ----
  /** Receive ring: 0x0000..RX_END (erratum 5: the ring starts at 0; RX_END odd for erratum 14). */
  RX_START = 0x0000,
  RX_END = 0x19ff,
  RX_SIZE = RX_END + 1,
  /** Transmit area: control byte at TX_START, frame after it, 7-byte status vector after the frame. */
  TX_START = RX_END + 1,
  /** The per-packet control byte before the frame; 0x00: MACON3 decides padding and CRC. */
  TX_CTRL_LEN = 1,

  /** Largest frame the MAC accepts, destination MAC through CRC. */
  MAX_FRAME = 1518,
  /** Ethernet frame check sequence (CRC-32) at the end of every frame. */
  CRC_LEN = 4,
  /** Ethernet header: destination, source, type. */
  ETH_HDR = 14,
}
