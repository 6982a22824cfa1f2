// ENC28J60 receive filters (ERXFCON), evaluated on a frame's bytes and the register file.
// Host only. Datasheet section 8: unicast, broadcast, multicast, hash table, magic packet,
// pattern match; OR (ANDOR = 0) or AND of the enabled filters; none enabled = promiscuous.
// CRCEN and MACON1.PASSALL are applied by the caller.

import { hashPointer } from "./crc";
import * as R from "./regs";

function macByte(regs: Uint8Array, i: number): number {
  return regs[R.MAADR_OCTET[i]];
}

function isBroadcast(f: Uint8Array): boolean {
  return f[0] === 0xff && f[1] === 0xff && f[2] === 0xff && f[3] === 0xff && f[4] === 0xff && f[5] === 0xff;
}

function isOurs(f: Uint8Array, regs: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (f[i] !== macByte(regs, i)) return false;
  return true;
}

/** Magic Packet: FFh x 6 then the station address x 16, anywhere in the payload. */
function hasMagic(f: Uint8Array, regs: Uint8Array): boolean {
  const n = f.length;
  for (let s = 14; s + 102 <= n; s++) {
    let ok = true;
    for (let i = 0; i < 6 && ok; i++) if (f[s + i] !== 0xff) ok = false;
    for (let r = 0; r < 16 && ok; r++) {
      for (let i = 0; i < 6; i++) if (f[s + 6 + r * 6 + i] !== macByte(regs, i)) { ok = false; break; }
    }
    if (ok) return true;
  }
  return false;
}

/** Pattern match: Internet checksum of the EPMM-selected bytes of the 64-byte window at EPMO == EPMCS. */
function patternMatches(f: Uint8Array, regs: Uint8Array): boolean {
  const off = (regs[R.EPMOL] | (regs[R.EPMOL + 1] << 8)) & 0x1fff;
  if (off + 64 > f.length) return false;
  let acc = 0, hi = true;
  for (let i = 0; i < 64; i++) {
    if (!(regs[R.EPMM0 + (i >> 3)] & (1 << (i & 7)))) continue;
    acc += hi ? f[off + i] << 8 : f[off + i];
    hi = !hi;
  }
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return (~acc & 0xffff) === ((regs[R.EPMCSL + 1] << 8) | regs[R.EPMCSL]);
}

/** True when ERXFCON's address/pattern filters accept the frame (destination first). */
export function receiveFilterAccepts(f: Uint8Array, regs: Uint8Array): boolean {
  const fcon = regs[R.ERXFCON];
  const en = fcon & (R.ERXFCON_UCEN | R.ERXFCON_PMEN | R.ERXFCON_MPEN | R.ERXFCON_HTEN | R.ERXFCON_MCEN | R.ERXFCON_BCEN);
  if (en === 0) return true; // promiscuous
  let any = false, all = true;
  const uc = isOurs(f, regs);
  const bc = isBroadcast(f);
  for (let bit = 0x80; bit !== 0; bit >>= 1) {
    if (!(en & bit)) continue;
    let ok: boolean;
    switch (bit) {
      case R.ERXFCON_UCEN: ok = uc; break;
      case R.ERXFCON_BCEN: ok = bc; break;
      case R.ERXFCON_MCEN: ok = (f[0] & 1) === 1; break;
      case R.ERXFCON_HTEN: {
        const hp = hashPointer(f, 0);
        ok = (regs[R.EHT0 + (hp >> 3)] & (1 << (hp & 7))) !== 0;
        break;
      }
      case R.ERXFCON_MPEN: ok = (uc || bc) && hasMagic(f, regs); break;
      default: ok = patternMatches(f, regs); // PMEN
    }
    if (ok) any = true; else all = false;
  }
  return fcon & R.ERXFCON_ANDOR ? all : any;
}
