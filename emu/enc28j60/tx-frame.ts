// What the ENC28J60's transmit engine makes of the bytes between ETXST and ETXND (host only):
// the per-packet control byte (datasheet figure 7-1) or MACON3 (PADCFG, TXCRCEN, HFRMEN), the
// padding, the CRC (appended, or the host's checked), the giant check against MAMXFL, and the
// 7-byte transmit status vector (table 7-1: count, CRC error, length bits, done, multicast,
// broadcast, late collision, giant, bytes on wire, control/pause/VLAN).

import { crc32 } from "./crc";
import { isBroadcast } from "./filters";
import * as R from "./regs";

export interface TxPlan {
  /** The frame on the wire, padding included, CRC excluded. */
  wire: Uint8Array;
  /** Aborted because the frame is longer than MAMXFL (no HFRMEN/PHUGEEN). */
  giant: boolean;
  /** Aborted by an injected late collision. */
  late: boolean;
  /** Bytes that go on the wire (CRC included; at most 64 for a late collision, 0 for a giant). */
  onWire: number;
}

/**
 * Builds the frame from buffer memory and fills status[0..7) with the status vector.
 * injectLate: abort this frame with a late collision unless it is a giant (never sent anyway).
 */
export function planTransmit(mem: Uint8Array, regs: Uint8Array, st: number, nd: number,
  injectLate: boolean, status: Uint8Array): TxPlan {
  const dataLen = (nd - st) & R.MEM_MASK; // bytes after the control byte
  const ctrl = mem[st];
  const data = new Uint8Array(dataLen);
  for (let i = 0, p = (st + 1) & R.MEM_MASK; i < dataLen; i++, p = (p + 1) & R.MEM_MASK) data[i] = mem[p];
  const type = dataLen >= R.ETH_HDR ? (data[R.ETH_TYPE] << 8) | data[R.ETH_TYPE + 1] : 0;
  const macon3 = regs[R.MACON3];
  let pad = 0, addCrc: boolean, huge: boolean;
  if (ctrl & R.CTRL_POVERRIDE) { // the control byte decides, not MACON3
    huge = (ctrl & R.CTRL_PHUGEEN) !== 0;
    if (ctrl & R.CTRL_PPADEN) pad = R.ETH_MIN_FRAME;
    addCrc = (ctrl & R.CTRL_PCRCEN) !== 0;
  } else {
    huge = (macon3 & R.MACON3_HFRMEN) !== 0;
    const padcfg = macon3 >> R.MACON3_PADCFG_SHIFT;
    addCrc = (macon3 & R.MACON3_TXCRCEN) !== 0;
    if (padcfg & R.PADCFG_PAD_BIT) { // padding on: the CRC is always appended
      addCrc = true;
      if (padcfg === R.PADCFG_60) pad = R.ETH_MIN_FRAME;
      else if (padcfg === R.PADCFG_AUTO) pad = type === R.ETH_TYPE_VLAN ? R.ETH_MIN_FRAME_VLAN : R.ETH_MIN_FRAME;
      else pad = R.ETH_MIN_FRAME_VLAN;
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
    const body = wireLen >= R.ETH_FCS_LEN ? wireLen - R.ETH_FCS_LEN : 0;
    wire = new Uint8Array(body);
    wire.set(data.subarray(0, body));
    if (wireLen >= R.ETH_FCS_LEN) {
      const got = (data[body] | (data[body + 1] << 8) | (data[body + 2] << 16) | (data[body + 3] << 24)) >>> 0;
      crcErr = crc32(data, 0, body) !== got;
    } else crcErr = true;
  }
  const count = addCrc ? wireLen + R.ETH_FCS_LEN : wireLen;
  const maxLen = regs[R.MAMXFLL] | (regs[R.MAMXFLL + 1] << 8);
  const giant = !huge && count > maxLen;
  const late = !giant && injectLate;
  const bcast = dataLen >= R.ETH_ADDR_LEN && isBroadcast(data);
  const mcast = !bcast && dataLen >= 1 && (data[0] & R.ETH_GROUP_BIT) !== 0;
  // A late collision aborts the frame after at most one slot time on the wire.
  const onWire = giant ? 0 : late ? Math.min(count, R.ETH_SLOT_BYTES) : count;
  let b2 = 0, b3 = 0, b6 = 0;
  if (crcErr) b2 |= R.TSV2_CRC_ERROR;
  // A type/length above 1500 is a type; below, with FRMLNEN, a length checked against the payload
  // (a length up to 46 is not checked here: the payload may be padded).
  if (type > R.ETH_MAX_LENGTH) b2 |= R.TSV2_LEN_OUT_OF_RANGE;
  else if (dataLen >= R.ETH_HDR && (macon3 & R.MACON3_FRMLNEN) && type > R.ETH_MIN_PAYLOAD &&
    wireLen - R.ETH_HDR !== type) b2 |= R.TSV2_LEN_CHECK_ERROR;
  if (!giant && !late) b2 |= R.TSV2_DONE;
  if (mcast) b3 |= R.TSV3_MULTICAST;
  if (bcast) b3 |= R.TSV3_BROADCAST;
  if (late) b3 |= R.TSV3_LATE_COLLISION;
  if (giant) b3 |= R.TSV3_GIANT;
  if (type === R.ETH_TYPE_MAC_CONTROL) {
    b6 |= R.TSV6_CONTROL;
    const opcode = dataLen >= R.ETH_CONTROL_OPCODE + 2 ?
      (data[R.ETH_CONTROL_OPCODE] << 8) | data[R.ETH_CONTROL_OPCODE + 1] : -1;
    if (opcode === R.ETH_OPCODE_PAUSE) b6 |= R.TSV6_PAUSE;
  }
  if (type === R.ETH_TYPE_VLAN) b6 |= R.TSV6_VLAN;
  status[R.TSV_COUNT] = count & 0xff; status[R.TSV_COUNT + 1] = (count >> 8) & 0xff;
  status[R.TSV_FLAGS2] = b2; status[R.TSV_FLAGS3] = b3;
  status[R.TSV_WIRE] = onWire & 0xff; status[R.TSV_WIRE + 1] = (onWire >> 8) & 0xff;
  status[R.TSV_FLAGS6] = b6;
  return { wire, giant, late, onWire };
}
