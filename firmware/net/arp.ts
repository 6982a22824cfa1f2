// ARP (RFC 826) for IPv4 over Ethernet: answers requests for our address, keeps a fixed-size
// neighbour cache with aging and refresh, resolves next hops before sending.
//
// Pending packets: ONE hold buffer for the whole stack (allocated once). When a frame's next hop
// is unknown, resolve() copies the finished frame there (if the buffer is free or already holds a
// frame for the same next hop, which the newer frame then replaces) and sends an ARP request; the
// frame leaves as soon as the reply arrives. When the buffer is busy with another destination the
// frame is not kept. Either way resolve() returns PENDING_ARP ("not on the wire yet"): callers
// with their own retransmission (TCP) simply regenerate. Requests are retried with back-off (RETRY_MS, doubled per
// try) and after MAX_TRIES the entry is freed and a held frame dropped (counter giveUps).
// A resolved entry lives TTL_MS; when it was used in its last REFRESH_MS a unicast request refreshes
// it, otherwise it simply expires. When the table is full the entry expiring first is evicted.

import { Netif } from "../../hal/netif";
import { Clock } from "../../hal/types";
import { rd16, rd32, wr32 } from "./bytes";
import { Eth } from "./ethernet";
import { IpSend, IpState } from "./ipv4";

export interface Arp {
  input(rx: Uint8Array, len: number): void;
  /**
   * tx holds a complete frame of frameLen bytes but its destination MAC. SENT: the MAC is written,
   * the caller sends the frame; PENDING_ARP: the next hop is being resolved (frame held if possible).
   */
  resolve(frameLen: number, nextHop: number): IpSend.SENT | IpSend.PENDING_ARP;
  tick(now: number): void;
  /** Gratuitous ARP (request with sender = target = our address). */
  announce(): void;
  flush(): void;
  /** Cache index of ip when resolved, -1 otherwise (tests, status page). */
  lookup(ip: number): number;
  /** MAC bytes of entry i (a view made at start-up). */
  macOf(i: number): Uint8Array;
}

/** Entry states. */
const enum E { FREE, PENDING, RESOLVED }
/** Timing (const enum: tsc writes the numbers in place). */
const enum T {
  TTL_MS = 60000,      // lifetime of a resolved entry
  REFRESH_MS = 10000,  // window before expiry in which a used entry is refreshed
  RETRY_MS = 500,      // first request retry, doubled per try
  MAX_TRIES = 4,       // requests before giving up
  RECHECK_MS = 1000,   // a used entry refreshed by unicast is checked again after this
}
/** ARP packet fields (RFC 826) for Ethernet and IPv4, as offsets in a frame (after Ethernet's 14). */
const enum A {
  HTYPE = 14,        // hardware type, 2 bytes
  PTYPE = 16,        // protocol type, 2 bytes (an EtherType)
  HLEN = 18,         // hardware address length
  PLEN = 19,         // protocol address length
  OP = 20,           // operation, 2 bytes
  SHA = 22,          // sender MAC
  SPA = 28,          // sender IPv4 address
  THA = 32,          // target MAC
  TPA = 38,          // target IPv4 address
  END = 42,          // frame length without padding
  HTYPE_ETHERNET = 1,
  IPV4_LEN = 4,
}
/** ARP operations. */
const enum Op { REQUEST = 1, REPLY = 2 }
// Bytes 12..20 of every ARP frame: EtherType, hardware type, protocol type, the two address
// lengths, the operation's high byte (its low byte, at 21, is the operation).
var ARP_HEAD = [Eth.TYPE_ARP >> 8, Eth.TYPE_ARP & 255, 0, A.HTYPE_ETHERNET, Eth.TYPE_IPV4 >> 8, Eth.TYPE_IPV4 & 255,
  Eth.MAC_LEN, A.IPV4_LEN, 0];

/** n cache entries; a hold buffer of holdBytes (0: nothing is held). eth: the Ethernet counters. */
export function createArp(netif: Netif, clock: Clock, st: IpState, c: { [k: string]: number },
  eth: { [k: string]: number }, n: number, holdBytes: number): Arp {
  var rx = netif.rx;
  var tx = netif.tx;
  var mac = netif.mac;
  var ips = new Uint32Array(n);
  var state = new Uint8Array(n);
  // PENDING: requests sent; RESOLVED: 1 when used since the last refresh check.
  var count = new Uint8Array(n);
  var expires = new Float64Array(n);
  var due = new Float64Array(n);       // next retry / refresh time; never after expires when RESOLVED
  var macViews: Uint8Array[] = [];     // the MAC of each entry
  for (var k = 0; k < n; k++) macViews.push(new Uint8Array(Eth.MAC_LEN));
  var rxSha = rx.subarray(A.SHA, A.SPA);
  var hold = new Uint8Array(holdBytes);
  var holdLen = 0;
  var holdIp = 0;
  var nextCheck = 0;                   // nothing to do in tick() before this time

  /**
   * Builds an ARP packet in tx and sends it: a request to dstMac or broadcast, target MAC zero;
   * a reply to dstMac, which is also the target MAC.
   */
  function sendArp(op: Op, dstMac: Uint8Array | null, tpa: number): void {
    if (dstMac) tx.set(dstMac, Eth.DST);
    else tx.fill(Eth.BROADCAST_BYTE, Eth.DST, Eth.DST + Eth.MAC_LEN);
    tx.set(mac, Eth.SRC);
    tx.set(ARP_HEAD, Eth.TYPE);
    tx[A.OP + 1] = op;
    tx.set(mac, A.SHA);
    wr32(tx, A.SPA, st.addr);
    tx.fill(0, A.THA, A.TPA);
    if (op === Op.REPLY) tx.set(dstMac as Uint8Array, A.THA);
    wr32(tx, A.TPA, tpa);
    c.tx++;
    if (netif.send(A.END)) eth.tx++;
  }

  /** A request for ip: broadcast, or unicast to dstMac (refresh). */
  function request(dstMac: Uint8Array | null, ip: number): void {
    c.requestsOut++;
    sendArp(Op.REQUEST, dstMac, ip);
  }

  /** The entry for ip (there is at most one) in state minState or later (PENDING: any), else -1. */
  function find(ip: number, minState: number): number {
    for (var i = 0; i < n; i++) if (state[i] >= minState && ips[i] === ip) return i;
    return -1;
  }

  /** Drops the held frame when it waits for ip. */
  function dropHold(ip: number): void {
    if (holdLen && holdIp === ip) {
      holdLen = 0;
      c.heldDropped++;
    }
  }

  /** A free entry, or the one expiring first (resolved before pending), for ip. */
  function alloc(ip: number): number {
    var best = 0;
    for (var i = 0; i < n; i++) {
      if (state[i] === E.FREE) { best = i; break; }
      if (state[i] === E.RESOLVED && (state[best] !== E.RESOLVED || expires[i] < expires[best])) best = i;
    }
    if (state[best] !== E.FREE) {
      c.evicted++;
      dropHold(ips[best]);
    }
    ips[best] = ip;
    return best;
  }

  function learn(i: number, now: number): void {
    macViews[i].set(rxSha);
    state[i] = E.RESOLVED;
    count[i] = 0;
    expires[i] = now + T.TTL_MS;
    due[i] = now + T.TTL_MS - T.REFRESH_MS;
    nextCheck = 0;   // the next tick() finds the earliest due time again
    if (holdLen && ips[i] === holdIp) {
      tx.set(hold, 0);
      tx.set(macViews[i], Eth.DST);
      var len = holdLen;
      holdLen = 0;
      c.heldSent++;
      if (netif.send(len)) eth.tx++;
    }
  }

  return {
    // One check and one counter per reason to drop, in this order.
    input: function (rx: Uint8Array, len: number): void {
      c.rx++;
      // (Fields first, then the checks: see "Drops" in README.md.)
      var op = rd16(rx, A.OP);
      var spa = rd32(rx, A.SPA);
      var addr = st.addr;
      var forUs = addr !== 0 && rd32(rx, A.TPA) === addr;
      if (len < A.END) { c.dropShort++; return; }
      if (rd16(rx, A.HTYPE) !== A.HTYPE_ETHERNET ||
        rd16(rx, A.PTYPE) !== Eth.TYPE_IPV4 ||
        rx[A.HLEN] !== Eth.MAC_LEN || rx[A.PLEN] !== A.IPV4_LEN ||
        (op !== Op.REQUEST && op !== Op.REPLY) ||
        rx[A.SHA] & Eth.GROUP_BIT) {   // a group (multicast, broadcast) sender MAC is no host's
        c.dropMalformed++;
        return;
      }
      if (addr !== 0 && spa === addr) { c.conflicts++; return; }   // someone else uses our address
      var i = find(spa, E.PENDING);    // never an entry for 0.0.0.0 (a probe)
      if (i < 0 && spa !== 0 && forUs) i = alloc(spa);
      if (i >= 0) learn(i, clock.now());
      else if (!forUs) c.ignored++;
      if (forUs && op === Op.REQUEST) {
        sendArp(Op.REPLY, rxSha, spa);
        c.repliesOut++;
      }
    },
    resolve: function (frameLen: number, nextHop: number): IpSend.SENT | IpSend.PENDING_ARP {
      var i = find(nextHop, E.RESOLVED);
      if (i >= 0) {
        tx.set(macViews[i], Eth.DST);
        count[i] = 1;
        c.hits++;
        return IpSend.SENT;
      }
      c.misses++;
      if ((holdLen === 0 || holdIp === nextHop) && frameLen <= holdBytes) {
        hold.set(tx.subarray(0, frameLen), 0);
        holdLen = frameLen;
        holdIp = nextHop;
        c.held++;
      } else c.notHeld++;
      if (find(nextHop, E.PENDING) < 0) {
        i = alloc(nextHop);
        state[i] = E.PENDING;
        count[i] = 1;
        due[i] = clock.now() + T.RETRY_MS;
        nextCheck = 0;
        request(null, nextHop);
      }
      return IpSend.PENDING_ARP;
    },
    tick: function (now: number): void {
      if (now < nextCheck) return;
      nextCheck = now + T.TTL_MS;   // no entry is due later than one lifetime from now
      for (var i = 0; i < n; i++) {
        if (state[i] !== E.FREE && now >= due[i]) {
          if (state[i] === E.RESOLVED) {
            if (now >= expires[i]) {
              state[i] = E.FREE;
              c.expired++;
            } else if (count[i]) {          // used lately: refresh by unicast, check again soon
              count[i] = 0;
              due[i] = Math.min(now + T.RECHECK_MS, expires[i]);
              request(macViews[i], ips[i]);
            } else due[i] = expires[i];
          } else if (count[i] >= T.MAX_TRIES) {
            state[i] = E.FREE;
            c.giveUps++;
            dropHold(ips[i]);
          } else {
            due[i] = now + (T.RETRY_MS << count[i]++);
            c.retries++;
            request(null, ips[i]);
          }
        }
        if (state[i] !== E.FREE && due[i] < nextCheck) nextCheck = due[i];
      }
    },
    announce: function (): void {
      if (st.addr !== 0) sendArp(Op.REQUEST, null, st.addr);
    },
    flush: function (): void {
      state.fill(E.FREE);
      dropHold(holdIp);
    },
    lookup: function (ip: number): number {
      return find(ip, E.RESOLVED);
    },
    macOf: function (i: number): Uint8Array {
      return macViews[i];
    },
  };
}
