// CRC-32 (IEEE 802.3) and the Internet checksum, as the ENC28J60 computes them.
// Host only. Table-driven, no allocation per call.

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
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
  for (let i = 0; i < 6; i++) {
    let d = addr[off + i];
    for (let b = 0; b < 8; b++) {
      const top = (crc >>> 31) ^ (d & 1);
      crc = (crc << 1) >>> 0;
      if (top) crc = (crc ^ 0x04c11db7) >>> 0;
      d >>= 1;
    }
  }
  return (crc >>> 23) & 0x3f;
}

/** Ones' complement sum of big-endian 16-bit words (odd tail padded with 0), folded, not complemented. */
export function onesSum(buf: Uint8Array, off: number, len: number, acc: number): number {
  const end = off + len;
  let i = off;
  for (; i + 1 < end; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if (i < end) acc += buf[i] << 8;
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}
