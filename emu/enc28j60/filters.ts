// ENC28J60 receive filters (ERXFCON), evaluated on a frame's bytes and the register file.
// Host only. Datasheet section 8: unicast, broadcast, multicast, hash table, magic packet,
// pattern match; OR (ANDOR = 0) or AND of the enabled filters; none enabled = promiscuous.
// CRCEN and MACON1.PASSALL are applied by the caller.

import { hashPointer } from "./crc";
import * as R from "./regs";

function macByte(regs: Uint8Array, i: number): number {
  return regs[R.MAADR_OCTET[i]];
}

/** Whether a frame's destination (its first 6 bytes) is the broadcast address. */
export function isBroadcast(f: Uint8Array): boolean {
  for (let i = 0; i < R.ETH_ADDR_LEN; i++) if (f[i] !== R.ETH_BROADCAST_OCTET) return false;
  return true;
}

function isOurs(f: Uint8Array, regs: Uint8Array): boolean {
  for (let i = 0; i < R.ETH_ADDR_LEN; i++) if (f[i] !== macByte(regs, i)) return false;
  return true;
}

const enum Magic {
  SYNC_LEN = 6, // FFh x 6
  REPEATS = 16, // then the station address x 16
  LEN = SYNC_LEN + REPEATS * 6,
}

/** Magic Packet: FFh x 6 then the station address x 16, anywhere in the payload. */
function hasMagic(f: Uint8Array, regs: Uint8Array): boolean {
  const n = f.length;
  for (let s = R.ETH_HDR; s + Magic.LEN <= n; s++) {
    let ok = true;
    for (let i = 0; i < Magic.SYNC_LEN && ok; i++) if (f[s + i] !== R.ETH_BROADCAST_OCTET) ok = false;
    for (let r = 0; r < Magic.REPEATS && ok; r++) {
      for (let i = 0; i < R.ETH_ADDR_LEN; i++) {
        if (f[s + Magic.SYNC_LEN + r * R.ETH_ADDR_LEN + i] !== macByte(regs, i)) { ok = false; break; }
      }
    }
    if (ok) return true;
  }
  return false;
}

/** The pattern-match window: 64 bytes from EPMO, each selected by one EPMM bit. */
const PATTERN_WINDOW = 64;

/** Pattern match: Internet checksum of the EPMM-selected bytes of the 64-byte window at EPMO == EPMCS. */
function patternMatches(f: Uint8Array, regs: Uint8Array): boolean {
  const off = (regs[R.EPMOL] | (regs[R.EPMOL + 1] << 8)) & R.MEM_MASK;
  if (off + PATTERN_WINDOW > f.length) return false;
  let acc = 0, hi = true;
  for (let i = 0; i < PATTERN_WINDOW; i++) {
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
  for (let bit = R.ERXFCON_UCEN; bit !== 0; bit >>= 1) { // every filter bit, UCEN (0x80) down to BCEN (0x01)
    if (!(en & bit)) continue;
    let ok: boolean;
    switch (bit) {
      case R.ERXFCON_UCEN: ok = uc; break;
      case R.ERXFCON_BCEN: ok = bc; break;
      case R.ERXFCON_MCEN: ok = (f[0] & R.ETH_GROUP_BIT) !== 0; break;
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
