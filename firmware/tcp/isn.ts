// RFC 6528 initial sequence numbers: ISN = M + F(localip, localport, remoteip, remoteport, key),
// M a 4-microsecond clock, F a keyed hash with a secret drawn once per boot. The hash is a small
// multiply-xor-rotate mix over 32-bit words with MurmurHash3's constants (not MD5: the device
// has no crypto primitives, see docs/tcp.md); 32x32-bit multiplication is done in 16-bit halves
// (Espruino has no Math.imul).

/** The mix's constants (MurmurHash3 x86_32: block constants, rotation, finaliser). */
const enum Mix {
  C1 = 0xcc9e2d51,
  C2 = 0x1b873593,
  ROTATE = 15,         // rotate left by 15 (and right by 32 - 15)
  FMIX1 = 0x85ebca6b,
  FMIX2 = 0xc2b2ae35,
  SHIFT1 = 16,
  SHIFT2 = 13,
}

/** The clock M and the key. */
export const enum Isn {
  TICKS_PER_MS = 250,  // M counts 4-microsecond ticks (RFC 6528 3, after RFC 793)
  KEY_WORDS = 4,       // a 128-bit secret
  TWO_32 = 4294967296, // 2^32: Math.random() * 2^32 is a random 32-bit word
}

/** Low 32 bits of a*b for 32-bit a, b (signed or unsigned), exactly, without Math.imul. */
export function mul32(a: number, b: number): number {
  var al = a & 0xffff;
  var bl = b & 0xffff;
  // << 16 keeps only the low 16 bits of the cross terms, as the product needs
  return ((((a >>> 16) * bl + al * (b >>> 16)) << 16) + al * bl) >>> 0;
}

function mix(h: number, w: number): number {
  h = mul32(h ^ w, Mix.C1);
  return mul32((h << Mix.ROTATE) | (h >>> (32 - Mix.ROTATE)), Mix.C2);
}

/** The ISN for a connection at time nowMs: F(4-tuple, key) + M, M = nowMs*250 ticks of 4 us, modulo 2^32. */
export function isn(key: Uint32Array, lip: number, lport: number, rip: number, rport: number, nowMs: number): number {
  var h = mix(mix(mix(mix(mix(key[0], lip), (lport << 16) | rport) ^ key[1], rip), key[2]), key[3]);
  h = mul32(h ^ (h >>> Mix.SHIFT1), Mix.FMIX1);
  h = mul32(h ^ (h >>> Mix.SHIFT2), Mix.FMIX2);
  return ((h ^ (h >>> Mix.SHIFT1)) + Math.floor(nowMs * Isn.TICKS_PER_MS)) >>> 0; // >>> 0: modulo 2^32
}

/** The keyed hash F over the 4-tuple alone (the ISN at time 0); key is 4 secret words. */
export function isnHash(key: Uint32Array, lip: number, lport: number, rip: number, rport: number): number {
  return isn(key, lip, lport, rip, rport, 0);
}

/** Fills key with 4 fresh secret words (once per boot). */
export function newSecret(key: Uint32Array): void {
  for (var i = 0; i < Isn.KEY_WORDS; i++) key[i] = (Math.random() * Isn.TWO_32) >>> 0;
}
