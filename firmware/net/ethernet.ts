// Ethernet II: frame layout, EtherTypes and the receive filter (our MAC, broadcast, joined
// multicast groups). Frames are read and written in place in the driver's rx/tx buffers.

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

export interface EthFilter {
  /** True when rx[0..6) is our MAC, broadcast, or a multicast group we joined. */
  accepts(rx: Uint8Array): boolean;
  /** Joins a multicast group (MAC with the group bit set); false when the table is full. */
  join(group: Uint8Array): boolean;
  leave(group: Uint8Array): void;
}

/**
 * maxGroups multicast MACs are kept in one preallocated table; a slot whose first byte is 0 is
 * free (a group address always has the group bit of its first byte set).
 */
export function createEthFilter(mac: Uint8Array, maxGroups: number): EthFilter {
  var m0 = mac[0], m1 = mac[1], m2 = mac[2], m3 = mac[3], m4 = mac[4], m5 = mac[5];
  var groups = new Uint8Array(maxGroups * Eth.MAC_LEN);

  /** Table index of the group address g[0..6), -1 when not joined. */
  function find(g: Uint8Array): number {
    for (var i = 0; i < maxGroups; i++) {
      for (var k = 0; k < Eth.MAC_LEN && groups[i * Eth.MAC_LEN + k] === g[k]; k++);
      if (k === Eth.MAC_LEN && g[0]) return i;
    }
    return -1;
  }

  return {
    accepts: function (rx: Uint8Array): boolean {
      if (rx[0] & Eth.GROUP_BIT) {
        // broadcast: all six bytes 0xff (their AND is 0xff only then)
        if ((rx[0] & rx[1] & rx[2] & rx[3] & rx[4] & rx[5]) === Eth.BROADCAST_BYTE) return true;
        return find(rx) >= 0;
      }
      return rx[5] === m5 && rx[4] === m4 && rx[3] === m3 && rx[2] === m2 && rx[1] === m1 && rx[0] === m0;
    },
    join: function (group: Uint8Array): boolean {
      if (!(group[0] & Eth.GROUP_BIT)) return false;
      if (find(group) >= 0) return true;
      for (var i = 0; i < maxGroups; i++) {
        if (!groups[i * Eth.MAC_LEN]) {
          groups.set(group, i * Eth.MAC_LEN);
          return true;
        }
      }
      return false;
    },
    leave: function (group: Uint8Array): void {
      var i = find(group);
      if (i >= 0) groups[i * Eth.MAC_LEN] = 0;
    },
  };
}
