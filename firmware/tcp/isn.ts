// RFC 6528 initial sequence numbers: ISN = M + F(localip, localport, remoteip, remoteport, key),
// M a 4-microsecond clock, F a keyed hash with a secret drawn once per boot. The hash is a small
// multiply-xor-rotate mix over 32-bit words (not MD5: the device has no crypto primitives, see
// docs/tcp.md); 32x32-bit multiplication is done in 16-bit halves (Espruino has no Math.imul).

/** Low 32 bits of a*b for 32-bit a, b (signed or unsigned), exactly, without Math.imul. */
export function mul32(a: number, b: number): number {
  var al = a & 0xffff;
  var bl = b & 0xffff;
  // << 16 keeps only the low 16 bits of the cross terms, as the product needs
  return ((((a >>> 16) * bl + al * (b >>> 16)) << 16) + al * bl) >>> 0;
}

function mix(h: number, w: number): number {
  h = mul32(h ^ w, 0xcc9e2d51);
  return mul32((h << 15) | (h >>> 17), 0x1b873593);
}

/** The ISN for a connection at time nowMs: F(4-tuple, key) + M, M = nowMs*250 ticks of 4 us, modulo 2^32. */
export function isn(key: Uint32Array, lip: number, lport: number, rip: number, rport: number, nowMs: number): number {
  var h = mix(mix(mix(mix(mix(key[0], lip), (lport << 16) | rport) ^ key[1], rip), key[2]), key[3]);
  h = mul32(h ^ (h >>> 16), 0x85ebca6b);
  h = mul32(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) + Math.floor(nowMs * 250)) >>> 0; // >>> 0: modulo 2^32
}

/** The keyed hash F over the 4-tuple alone (the ISN at time 0); key is 4 secret words. */
export function isnHash(key: Uint32Array, lip: number, lport: number, rip: number, rport: number): number {
  return isn(key, lip, lport, rip, rport, 0);
}

/** Fills key with 4 fresh secret words (once per boot). */
export function newSecret(key: Uint32Array): void {
  for (var i = 0; i < 4; i++) key[i] = (Math.random() * 4294967296) >>> 0;
}
