// What the ENC28J60's transmit engine makes of the bytes between ETXST and ETXND (host only):
// the per-packet control byte (datasheet table 7-1) or MACON3 (PADCFG, TXCRCEN, HFRMEN), the
// padding, the CRC (appended, or the host's checked), the giant check against MAMXFL, and the
// 7-byte transmit status vector (table 7-1: count, CRC error, length bits, done, multicast,
// broadcast, late collision, giant, bytes on wire, control/pause/VLAN).

import { crc32 } from "./crc";
import * as R from "./regs";

export interface TxPlan {
  /** The frame on the wire, padding included, CRC excluded. */
  wire: Uint8Array;
  /** Aborted because the frame is longer than MAMXFL (no HFRMEN/PHUGEEN). */
  giant: boolean;
  /** Aborted by an injected late collision. */
  late: boolean;
  /** Bytes that go on the wire (CRC included; 64 for a late collision, 0 for a giant). */
  onWire: number;
}

/**
 * Builds the frame from buffer memory and fills status[0..7) with the status vector.
 * injectLate: abort this frame with a late collision unless it is a giant (never sent anyway).
 */
export function planTransmit(mem: Uint8Array, regs: Uint8Array, st: number, nd: number,
  injectLate: boolean, status: Uint8Array): TxPlan {
  const dataLen = (nd - st) & 0x1fff; // bytes after the control byte
  const ctrl = mem[st];
  const data = new Uint8Array(dataLen);
  for (let i = 0, p = (st + 1) & 0x1fff; i < dataLen; i++, p = (p + 1) & 0x1fff) data[i] = mem[p];
  const type = dataLen >= 14 ? (data[12] << 8) | data[13] : 0;
  const macon3 = regs[R.MACON3];
  let pad = 0, addCrc: boolean, huge: boolean;
  if (ctrl & 0x01) { // POVERRIDE: PHUGEEN 3, PPADEN 2, PCRCEN 1
    huge = (ctrl & 0x08) !== 0;
    if (ctrl & 0x04) pad = 60;
    addCrc = (ctrl & 0x02) !== 0;
  } else {
    huge = (macon3 & R.MACON3_HFRMEN) !== 0;
    const padcfg = macon3 >> 5;
    addCrc = (macon3 & R.MACON3_TXCRCEN) !== 0;
    if (padcfg & 1) { // x01: 60, 011/111: 64, 101: 64 for VLAN else 60; CRC always appended
      addCrc = true;
      pad = padcfg === 1 ? 60 : padcfg === 5 ? (type === 0x8100 ? 64 : 60) : 64;
    }
  }
  const wireLen = dataLen < pad ? pad : dataLen; // bytes before any appended CRC
  let wire: Uint8Array;
  let crcErr = false;
  if (addCrc) {
    wire = new Uint8Array(wireLen);
    wire.set(data);
  } else {
    // The last four bytes are the host's FCS: checked, not altered
    const body = wireLen >= 4 ? wireLen - 4 : 0;
    wire = new Uint8Array(body);
    wire.set(data.subarray(0, body));
    if (wireLen >= 4) {
      const got = (data[body] | (data[body + 1] << 8) | (data[body + 2] << 16) | (data[body + 3] << 24)) >>> 0;
      crcErr = crc32(data, 0, body) !== got;
    } else crcErr = true;
  }
  const count = addCrc ? wireLen + 4 : wireLen;
  const maxLen = regs[R.MAMXFLL] | (regs[R.MAMXFLL + 1] << 8);
  const giant = !huge && count > maxLen;
  const late = !giant && injectLate;
  const bcast = dataLen >= 6 && data[0] === 0xff && data[1] === 0xff && data[2] === 0xff &&
    data[3] === 0xff && data[4] === 0xff && data[5] === 0xff;
  const mcast = !bcast && dataLen >= 1 && (data[0] & 1) === 1;
  const onWire = giant ? 0 : late ? Math.min(count, 64) : count;
  let b2 = 0, b3 = 0, b6 = 0;
  if (crcErr) b2 |= 0x10;
  if (type > 1500) b2 |= 0x40;
  else if (dataLen >= 14 && (macon3 & R.MACON3_FRMLNEN) && type > 46 && wireLen - 14 !== type) b2 |= 0x20;
  if (!giant && !late) b2 |= 0x80;
  if (mcast) b3 |= 0x01;
  if (bcast) b3 |= 0x02;
  if (late) b3 |= 0x20;
  if (giant) b3 |= 0x40;
  if (type === 0x8808) { b6 |= 0x01; if (dataLen >= 16 && ((data[14] << 8) | data[15]) === 1) b6 |= 0x02; }
  if (type === 0x8100) b6 |= 0x08;
  status[0] = count & 0xff; status[1] = (count >> 8) & 0xff;
  status[2] = b2; status[3] = b3;
  status[4] = onWire & 0xff; status[5] = (onWire >> 8) & 0xff;
  status[6] = b6;
  return { wire, giant, late, onWire };
}
