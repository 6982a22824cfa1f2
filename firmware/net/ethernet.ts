// Ethernet II: frame layout, EtherTypes and the multicast groups of the receive filter (our MAC,
// broadcast, joined groups: the check itself runs inline in stack.ts's receive path). Frames are
// read and written in place in the driver's rx/tx buffers. (A program that joins no group does
// not contain ethJoin and ethLeave.)

import { By, Size, St } from "./state";

/** Ethernet II header (RFC 894): field offsets in a frame, EtherTypes, address bits. */
export const enum Eth {
  DST = 0,              // destination MAC
  SRC = 6,              // source MAC
  TYPE = 12,            // EtherType, 2 bytes big-endian
  HEADER = 14,          // the payload (IPv4 header, ARP packet) starts here
  MAC_LEN = 6,
  TYPE_IPV4 = 0x0800,
  TYPE_ARP = 0x0806,
  GROUP_BIT = 1,        // I/G bit of a MAC's first byte: a group (multicast or broadcast) address
  BROADCAST_BYTE = 0xff, // ff:ff:ff:ff:ff:ff
}

// The groups are Size.ETH_GROUPS MACs in s.b at By.GROUPS; one whose first byte is 0 is free (a
// group address always has the group bit of its first byte set).

/** Table index of the group address g[0..6), -1 when not joined. */
export function groupIndex(s: St, g: Uint8Array): number {
  var b = s.b;
  for (var i = 0; i < Size.ETH_GROUPS; i++) {
    for (var k = 0, at = By.GROUPS + i * Eth.MAC_LEN; k < Eth.MAC_LEN && b[at + k] === g[k]; k++);
    if (k === Eth.MAC_LEN && g[0]) return i;
  }
  return -1;
}

/** The stack joins a multicast group (a MAC with the group bit set); false when the table is full. */
export function ethJoin(stack: object, group: Uint8Array): boolean {
  var s = stack as St;
  if (!(group[0] & Eth.GROUP_BIT)) return false;
  if (groupIndex(s, group) >= 0) return true;
  for (var i = 0; i < Size.ETH_GROUPS; i++) {
    if (!s.b[By.GROUPS + i * Eth.MAC_LEN]) {
      s.b.set(group, By.GROUPS + i * Eth.MAC_LEN);
      return true;
    }
  }
  return false;
}

/** The stack leaves a multicast group. */
export function ethLeave(stack: object, group: Uint8Array): void {
  var i = groupIndex(stack as St, group);
  if (i >= 0) (stack as St).b[By.GROUPS + i * Eth.MAC_LEN] = 0;
}
