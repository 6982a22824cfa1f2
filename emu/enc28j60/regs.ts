// ENC28J60 register file layout for the emulator (host only; the driver has its own constants in
// drivers/enc28j60/regs.ts), and the chip's fixed formats: SPI opcodes, buffer memory, the
// receive and transmit status vectors, the per-packet control byte, and the Ethernet fields the
// chip looks at. A register is addressed by index = bank * 32 + address, except the common
// registers 0x1B-0x1F, which live at their address (bank 0 slots) in every bank.

/** Register file: 4 banks of 32 addresses. */
export const REG_COUNT = 128, BANK_SHIFT = 5, ADDR_MASK = 0x1f;
/** ECON1.BSEL: the bank that banked addresses refer to. */
export const ECON1_BSEL = 0x03;
/** Addresses from here to 0x1F exist in every bank. */
export const COMMON_FIRST = 0x1b;
/** MIREGADR: 5-bit PHY register address. */
export const PHY_ADDR_MASK = 0x1f;

/** 8 KB buffer memory, 13-bit addresses (pointer registers keep 5 bits in their high byte). */
export const MEM_SIZE = 0x2000, MEM_MASK = 0x1fff, PTRH_MASK = 0x1f;

/** SPI opcodes: the top 3 bits of the first byte (the low 5 carry the argument). */
export const OPCODE_SHIFT = 5;
export const OPC_RCR = 0, OPC_RBM = 1, OPC_WCR = 2, OPC_WBM = 3, OPC_BFS = 4, OPC_BFC = 5, OPC_SRC = 7;
/** RBM and WBM take this constant argument: 0x3A and 0x7A are their only valid bytes. */
export const ARG_BUFFER = 0x1a;
/** SRC is the byte 0xFF. */
export const SRC_BYTE = 0xff;

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
  EIR_TXERIF = 0x02, EIR_RXERIF = 0x01;
/** Every interrupt flag (0x7B). */
export const EIR_ALL = EIR_PKTIF | EIR_DMAIF | EIR_LINKIF | EIR_TXIF | EIR_TXERIF | EIR_RXERIF;
/** The flags the host can write (0x2B); PKTIF and LINKIF are read-only. */
export const EIR_SW = EIR_DMAIF | EIR_TXIF | EIR_TXERIF | EIR_RXERIF;
export const ESTAT_INT = 0x80, ESTAT_BUFER = 0x40, ESTAT_LATECOL = 0x10, ESTAT_RXBUSY = 0x04,
  ESTAT_TXABRT = 0x02, ESTAT_CLKRDY = 0x01;
export const ECON2_AUTOINC = 0x80, ECON2_PKTDEC = 0x40, ECON2_PWRSV = 0x20, ECON2_VRPS = 0x08;
export const ECON1_TXRST = 0x80, ECON1_RXRST = 0x40, ECON1_DMAST = 0x20, ECON1_CSUMEN = 0x10,
  ECON1_TXRTS = 0x08, ECON1_RXEN = 0x04;
export const ERXFCON_UCEN = 0x80, ERXFCON_ANDOR = 0x40, ERXFCON_CRCEN = 0x20, ERXFCON_PMEN = 0x10,
  ERXFCON_MPEN = 0x08, ERXFCON_HTEN = 0x04, ERXFCON_MCEN = 0x02, ERXFCON_BCEN = 0x01;
export const MACON1_PASSALL = 0x02, MACON1_MARXEN = 0x01;
export const MACON3_TXCRCEN = 0x10, MACON3_HFRMEN = 0x04, MACON3_FRMLNEN = 0x02, MACON3_FULDPX = 0x01;
/**
 * MACON3.PADCFG, bits 7:5: x00 no padding; with its low bit set the MAC pads and always appends
 * the CRC: 001 to 60 bytes, 011/111 to 64, 101 (automatic) to 64 when VLAN-tagged, else 60.
 */
export const MACON3_PADCFG_SHIFT = 5, PADCFG_PAD_BIT = 0x1, PADCFG_60 = 0x1, PADCFG_AUTO = 0x5;
export const MICMD_MIISCAN = 0x02, MICMD_MIIRD = 0x01;
export const MISTAT_NVALID = 0x04, MISTAT_SCAN = 0x02, MISTAT_BUSY = 0x01;

// PHY
export const PHCON1 = 0x00, PHSTAT1 = 0x01, PHID1 = 0x02, PHID2 = 0x03, PHCON2 = 0x10,
  PHSTAT2 = 0x11, PHIE = 0x12, PHIR = 0x13, PHLCON = 0x14;
export const PHCON1_PRST = 0x8000, PHCON1_PLOOPBK = 0x4000, PHCON1_PPWRSV = 0x0800, PHCON1_PDPXMD = 0x0100;
export const PHCON2_FRCLNK = 0x4000, PHCON2_TXDIS = 0x2000, PHCON2_JABBER = 0x0400, PHCON2_HDLDIS = 0x0100;
export const PHSTAT1_PFDPX = 0x1000, PHSTAT1_PHDPX = 0x0800, PHSTAT1_LLSTAT = 0x0004;
export const PHSTAT2_TXSTAT = 0x2000, PHSTAT2_LSTAT = 0x0400, PHSTAT2_DPXSTAT = 0x0200;
export const PHIE_PLNKIE = 0x0010, PHIE_PGEIE = 0x0002;
export const PHIR_PLNKIF = 0x0010, PHIR_PGIF = 0x0004;
/** PHLCON: bits 13:12 read as 1; LACFG, LBCFG, LFRQ and STRCH (bits 11:1) are writable. */
export const PHLCON_RESERVED = 0x3000, PHLCON_WRITABLE = 0x0ffe;
/** PHY identifiers: PHID1 and PHID2 without its 4-bit revision (their reset values). */
export const PHID1_VALUE = 0x0083, PHID2_VALUE = 0x1400, PHID2_REV_MASK = 0x0f;
/** PHLCON after reset: LEDA link status, LEDB receive activity, stretched. */
export const PHLCON_RESET = 0x3422;

/** Registers that answer RCR with a dummy byte first and refuse BFS/BFC (MAC and MII registers). */
export const IS_MAC = new Uint8Array(REG_COUNT);
for (let a = MACON1; a <= MIRDH; a++) IS_MAC[a] = 1; // all of bank 2 up to 0x19
for (let a = MAADR5; a <= MAADR2; a++) IS_MAC[a] = 1;
IS_MAC[MISTAT] = 1;

// The two tables below transcribe the datasheet's register summary: which bits
// exist and are writable, and each register's value after a reset.
/** Bits the host can write (unimplemented and read-only bits are 0). Special registers handled in code. */
export const WRITE_MASK = new Uint8Array(REG_COUNT);
/** Values after a system reset (datasheet register summary). */
export const RESET_VALUE = new Uint8Array(REG_COUNT);

function w(idx: number, mask: number, reset: number): void {
  WRITE_MASK[idx] = mask;
  RESET_VALUE[idx] = reset;
}
// Bank 0: pointer pairs (13 bits), ERXWRPT read-only
for (let a = ERDPTL; a <= EDMACSL; a += 2) w(a, 0xff, 0), w(a + 1, 0x1f, 0);
w(ERDPTL, 0xff, 0xfa), w(ERDPTL + 1, 0x1f, 0x05);
w(ERXSTL, 0xff, 0xfa), w(ERXSTL + 1, 0x1f, 0x05);
w(ERXNDL, 0xff, 0xff), w(ERXNDL + 1, 0x1f, 0x1f);
w(ERXRDPTL, 0xff, 0xfa), w(ERXRDPTH, 0x1f, 0x05);
w(ERXWRPTL, 0, 0), w(ERXWRPTL + 1, 0, 0);
// Common
w(EIE, 0xfb, 0), w(EIR, EIR_SW, 0), w(ESTAT, 0, 0), w(ECON2, 0xa8, 0x80), w(ECON1, 0xff, 0);
// Bank 1
for (let a = 0; a < 16; a++) w(EHT0 + a, 0xff, 0); // EHT0..7, EPMM0..7
w(EPMCSL, 0xff, 0), w(EPMCSL + 1, 0xff, 0), w(EPMOL, 0xff, 0), w(EPMOL + 1, 0x1f, 0);
w(ERXFCON, 0xff, 0xa1), w(EPKTCNT, 0, 0);
// Bank 2
w(MACON1, 0x1f, 0), w(MACON3, 0xff, 0), w(MACON4, 0x73, 0), w(MABBIPG, 0x7f, 0);
w(MAIPGL, 0x7f, 0), w(MAIPGH, 0x7f, 0), w(MACLCON1, 0x0f, 0x0f), w(MACLCON2, 0x3f, 0x37);
w(MAMXFLL, 0xff, 0x00), w(MAMXFLL + 1, 0xff, 0x06), w(MICMD, 0x03, 0), w(MIREGADR, 0x1f, 0);
w(MIWRL, 0xff, 0), w(MIWRH, 0xff, 0), w(MIRDL, 0, 0), w(MIRDH, 0, 0);
// Bank 3
for (let a = MAADR5; a <= MAADR2; a++) w(a, 0xff, 0);
w(EBSTSD, 0xff, 0), w(EBSTCON, 0xff, 0), w(EBSTCSL, 0xff, 0), w(EBSTCSL + 1, 0xff, 0);
w(MISTAT, 0, 0), w(EREVID, 0, 0), w(ECOCON, 0x07, 0x04), w(EFLOCON, 0x03, 0);
w(EPAUSL, 0xff, 0x00), w(EPAUSH, 0xff, 0x10);

/** MAADR byte index of address octet i (octet 0 is MAADR1). */
export const MAADR_OCTET = [MAADR1, MAADR2, MAADR3, MAADR4, MAADR5, MAADR6];

// ---- Receive: the 6-byte header before each packet in the ring (datasheet 7.2) ----
/** Next packet pointer (2 bytes), then the 32-bit status vector: byte count (bits 15:0), flags. */
export const RXH_LEN = 6;
/** Receive status vector flags (table 7-3). */
export const RSV_LONG_DROP = 1 << 16, // a packet was dropped since the last one received
  RSV_CRC_ERROR = 1 << 20,
  RSV_LEN_CHECK_ERROR = 1 << 21, // the length field does not match the payload
  RSV_LEN_OUT_OF_RANGE = 1 << 22, // the type/length field is above 1500: a type
  RSV_RX_OK = 1 << 23,
  RSV_MULTICAST = 1 << 24,
  RSV_BROADCAST = 1 << 25,
  RSV_CONTROL = 1 << 27,
  RSV_PAUSE = 1 << 28,
  RSV_UNKNOWN_OPCODE = 1 << 29,
  RSV_VLAN = 1 << 30,
  RSV_ZERO = 0x80000000; // bit 31 reads 0 in every header the hardware writes correctly
/** EPKTCNT stops at 255: a further packet is dropped (RXERIF). */
export const EPKTCNT_MAX = 255;

// ---- Transmit: the per-packet control byte before the frame (datasheet figure 7-1) ----
export const CTRL_PHUGEEN = 0x08, CTRL_PPADEN = 0x04, CTRL_PCRCEN = 0x02, CTRL_POVERRIDE = 0x01;

// ---- Transmit status vector: 7 bytes written after ETXND (table 7-1) ----
export const TSV_LEN = 7;
/** Byte offsets: byte count (0-1), flag bytes 2 and 3, bytes on the wire (4-5), flag byte 6. */
export const TSV_COUNT = 0, TSV_FLAGS2 = 2, TSV_FLAGS3 = 3, TSV_WIRE = 4, TSV_FLAGS6 = 6;
export const TSV2_CRC_ERROR = 0x10, // bit 20
  TSV2_LEN_CHECK_ERROR = 0x20, // bit 21
  TSV2_LEN_OUT_OF_RANGE = 0x40, // bit 22
  TSV2_DONE = 0x80; // bit 23
export const TSV3_MULTICAST = 0x01, // bit 24
  TSV3_BROADCAST = 0x02, // bit 25
  TSV3_LATE_COLLISION = 0x20, // bit 29
  TSV3_GIANT = 0x40; // bit 30
export const TSV6_CONTROL = 0x01, // bit 48
  TSV6_PAUSE = 0x02, // bit 49
  TSV6_VLAN = 0x08; // bit 51

// ---- Ethernet (IEEE 802.3) fields the MAC looks at ----
export const ETH_ADDR_LEN = 6, ETH_TYPE = 12, ETH_HDR = 14, ETH_FCS_LEN = 4;
/** Shortest frame without the FCS (the sender pads to it); 64 for a VLAN-tagged frame with padding. */
export const ETH_MIN_FRAME = 60, ETH_MIN_FRAME_VLAN = 64;
/** Shortest payload: a length field below it still means a 46-byte (padded) payload. */
export const ETH_MIN_PAYLOAD = 46;
/** Type/length values up to this are a length (802.3), above it a type (Ethernet II). */
export const ETH_MAX_LENGTH = 1500;
/** Bytes on the wire before a collision counts as late: one slot time (512 bits). */
export const ETH_SLOT_BYTES = 64;
/** Bit 0 of the first destination octet: a group (multicast or broadcast) address. */
export const ETH_GROUP_BIT = 0x01;
export const ETH_BROADCAST_OCTET = 0xff;
/** MAC control frames (802.3x) and their PAUSE opcode, the 2 bytes after the type. */
export const ETH_TYPE_MAC_CONTROL = 0x8808, ETH_CONTROL_OPCODE = 14, ETH_OPCODE_PAUSE = 0x0001;
export const ETH_TYPE_VLAN = 0x8100;
