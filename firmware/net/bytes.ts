// Big-endian (network byte order) 16- and 32-bit fields, read and written in place one byte at a
// time: no DataView, no allocation. The core's only byte helpers (the IP layer and TCP use them).

/** The unsigned 16-bit field at b[i..i+2). */
export function rd16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

/** The unsigned 32-bit field at b[i..i+4) (>>> 0: never negative). */
export function rd32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

// Writes rely on Uint8Array storing the low 8 bits of what is assigned.

/** Stores the low 16 bits of v at b[i..i+2). */
export function wr16(b: Uint8Array, i: number, v: number): void {
  b[i] = v >> 8;
  b[i + 1] = v;
}

/** Stores v (signed or unsigned 32-bit) at b[i..i+4). */
export function wr32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = v >>> 16;
  b[i + 2] = v >>> 8;
  b[i + 3] = v;
}
