// ARP (RFC 826) for IPv4 over Ethernet: answers requests for our address, keeps a fixed-size
// neighbour cache with aging and refresh, resolves next hops before sending.
//
// Pending packets: ONE hold buffer for the whole stack (allocated once). When a frame's next hop
// is unknown, resolve() copies the finished frame there (if the buffer is free or already holds a
// frame for the same next hop, which the newer frame then replaces) and sends an ARP request; the
// frame leaves as soon as the reply arrives. When the buffer is busy with another destination the
// frame is not kept. Either way resolve() returns 0 ("not on the wire yet"): callers with their own
// retransmission (TCP) simply regenerate. Requests are retried with back-off (RETRY_MS, doubled per
// try) and after MAX_TRIES the entry is freed and a held frame dropped (counter giveUps).
// A resolved entry lives TTL_MS; when it was used in its last REFRESH_MS a unicast request refreshes
// it, otherwise it simply expires. When the table is full the entry expiring first is evicted.

import { Netif } from "../../hal/netif";
import { Clock } from "../../hal/types";
import { IpState, rd32, wr32 } from "./ipv4";

export interface Arp {
  input(rx: Uint8Array, len: number): void;
  /** tx holds a complete frame of frameLen bytes except its destination MAC: 1 = MAC written, 0 = pending. */
  resolve(frameLen: number, nextHop: number): number;
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
}
// Bytes 12..21 of every ARP frame: EtherType 0x0806, Ethernet, IPv4, lengths 6 and 4, op high byte.
var ARP_HEAD = [8, 6, 0, 1, 8, 0, 6, 4, 0];

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
  for (var k = 0; k < n; k++) macViews.push(new Uint8Array(6));
  var rxSha = rx.subarray(22, 28);
  var hold = new Uint8Array(holdBytes);
  var holdLen = 0;
  var holdIp = 0;
  var nextCheck = 0;                   // nothing to do in tick() before this time

  /**
   * Builds an ARP packet in tx and sends it: op 1 (request) to dstMac or broadcast, target MAC
   * zero; op 2 (reply) to dstMac, which is also the target MAC.
   */
  function sendArp(op: number, dstMac: Uint8Array | null, tpa: number): void {
    if (dstMac) tx.set(dstMac, 0);
    else tx.fill(255, 0, 6);
    tx.set(mac, 6);
    tx.set(ARP_HEAD, 12);
    tx[21] = op;
    tx.set(mac, 22);
    wr32(tx, 28, st.addr);
    tx.fill(0, 32, 38);
    if (op === 2) tx.set(dstMac as Uint8Array, 32);
    wr32(tx, 38, tpa);
    c.tx++;
    if (netif.send(42)) eth.tx++;
  }

  /** A request for ip: broadcast, or unicast to dstMac (refresh). */
  function request(dstMac: Uint8Array | null, ip: number): void {
    c.requestsOut++;
    sendArp(1, dstMac, ip);
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
      tx.set(macViews[i], 0);
      var len = holdLen;
      holdLen = 0;
      c.heldSent++;
      if (netif.send(len)) eth.tx++;
    }
  }

  return {
    input: function (rx: Uint8Array, len: number): void {
      c.rx++;
      // bytes 14..21: Ethernet, IPv4, lengths 6 and 4, op 1 or 2; the sender MAC not multicast
      var drop = len < 42 ? "dropShort" :
        rd32(rx, 14) !== 0x10800 || (rd32(rx, 18) - 0x6040001) >>> 0 > 1 || rx[22] & 1 ? "dropMalformed" : "";
      if (drop) { c[drop]++; return; }
      var spa = rd32(rx, 28);
      var addr = st.addr;
      if (addr !== 0 && spa === addr) { c.conflicts++; return; }
      var forUs = addr !== 0 && rd32(rx, 38) === addr;
      var i = find(spa, E.PENDING);    // never an entry for 0.0.0.0 (a probe)
      if (i < 0 && spa !== 0 && forUs) i = alloc(spa);
      if (i >= 0) learn(i, clock.now());
      else if (!forUs) c.ignored++;
      if (forUs && rx[21] === 1) {
        sendArp(2, rxSha, spa);
        c.repliesOut++;
      }
    },
    resolve: function (frameLen: number, nextHop: number): number {
      var i = find(nextHop, E.RESOLVED);
      if (i >= 0) {
        tx.set(macViews[i], 0);
        count[i] = 1;
        c.hits++;
        return 1;
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
      return 0;
    },
    tick: function (now: number): void {
      if (now < nextCheck) return;
      nextCheck = now + 60000;
      for (var i = 0; i < n; i++) {
        if (state[i] !== E.FREE && now >= due[i]) {
          if (state[i] === E.RESOLVED) {
            if (now >= expires[i]) {
              state[i] = E.FREE;
              c.expired++;
            } else if (count[i]) {          // used lately: refresh by unicast, check again in 1 s
              count[i] = 0;
              due[i] = Math.min(now + 1000, expires[i]);
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
      if (st.addr !== 0) sendArp(1, null, st.addr);
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
