// Ethernet II: receive filter (our MAC, broadcast, joined multicast groups) and header writing.
// Frames are read and written in place in the driver's rx/tx buffers.

export var ETH_HLEN = 14;
export var TYPE_IPV4 = 0x0800;
export var TYPE_ARP = 0x0806;

export interface EthFilter {
  /** True when rx[0..6) is our MAC, broadcast, or a multicast group we joined. */
  accepts(rx: Uint8Array): boolean;
  /** Joins a multicast group (MAC with the group bit set); false when the table is full. */
  join(group: Uint8Array): boolean;
  leave(group: Uint8Array): void;
}

/** maxGroups multicast MACs are kept in one preallocated table. */
export function createEthFilter(mac: Uint8Array, maxGroups: number): EthFilter {
  var m0 = mac[0], m1 = mac[1], m2 = mac[2], m3 = mac[3], m4 = mac[4], m5 = mac[5];
  var groups = new Uint8Array(maxGroups * 6);
  var used = new Uint8Array(maxGroups);

  function find(g: Uint8Array, o: number): number {
    for (var i = 0; i < maxGroups; i++) {
      var b = i * 6;
      if (used[i] && groups[b] === g[o] && groups[b + 1] === g[o + 1] && groups[b + 2] === g[o + 2] &&
        groups[b + 3] === g[o + 3] && groups[b + 4] === g[o + 4] && groups[b + 5] === g[o + 5]) return i;
    }
    return -1;
  }

  return {
    accepts: function (rx: Uint8Array): boolean {
      if (rx[0] & 1) {
        if ((rx[0] & rx[1] & rx[2] & rx[3] & rx[4] & rx[5]) === 255) return true;
        return find(rx, 0) >= 0;
      }
      return rx[5] === m5 && rx[4] === m4 && rx[3] === m3 && rx[2] === m2 && rx[1] === m1 && rx[0] === m0;
    },
    join: function (group: Uint8Array): boolean {
      if (!(group[0] & 1)) return false;
      if (find(group, 0) >= 0) return true;
      for (var i = 0; i < maxGroups; i++) {
        if (!used[i]) {
          groups.set(group, i * 6);
          used[i] = 1;
          return true;
        }
      }
      return false;
    },
    leave: function (group: Uint8Array): void {
      var i = find(group, 0);
      if (i >= 0) used[i] = 0;
    },
  };
}

/** EtherType of the frame in buf. */
export function ethType(buf: Uint8Array): number {
  return (buf[12] << 8) | buf[13];
}

/** Destination = broadcast. */
export function setBroadcastDst(tx: Uint8Array): void {
  tx.fill(255, 0, 6);
}
