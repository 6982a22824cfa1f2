// CRC-32 (IEEE 802.3) as the ENC28J60 computes it: the frame check sequence and the hash-filter pointer.
// Host only. Table-driven, no allocation per call.

/** The IEEE 802.3 generator polynomial, MSB-first, and bit-reversed (for the LSB-first table). */
const POLY = 0x04c11db7, POLY_REFLECTED = 0xedb88320;
/** The hash pointer: bits 28:23 of the CRC, 0..63 (one bit of EHT0..EHT7). */
const HASH_SHIFT = 23, HASH_MASK = 0x3f;

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? POLY_REFLECTED ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/** The Ethernet FCS of buf[off..off+len): the value whose little-endian bytes follow the frame. */
export function crc32(buf: Uint8Array, off: number, len: number): number {
  let c = -1;
  const end = off + len;
  for (let i = off; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * Hash-table pointer of a destination address (ERXFCON.HTEN): bits 28:23 of the CRC-32 of the
 * six address bytes computed in the MSB-first shift-register form (data bits fed LSB first,
 * initial value all ones, not complemented). This is the bit-reversed form of crc32() before its
 * final complement, so the pointer equals bits 3..8 of the reflected register, bit-reversed.
 */
export function hashPointer(addr: Uint8Array, off: number): number {
  let crc = 0xffffffff;
  for (let i = 0; i < 6; i++) { // the 6 address octets
    let d = addr[off + i];
    for (let b = 0; b < 8; b++) {
      const top = (crc >>> 31) ^ (d & 1);
      crc = (crc << 1) >>> 0;
      if (top) crc = (crc ^ POLY) >>> 0;
      d >>= 1;
    }
  }
  return (crc >>> HASH_SHIFT) & HASH_MASK;
}
