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

import { Netif } from "./netif";
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

/** n cache entries; a hold buffer of holdBytes (0: nothing is held). */
export function createArp(netif: Netif, clock: Clock, st: IpState, c: { [k: string]: number },
  eth: { [k: string]: number }, n: number, holdBytes: number): Arp {
  var rx = netif.rx;
  var tx = netif.tx;
  var mac = netif.mac;
  var ips = new Uint32Array(n);
  var state = new Uint8Array(n);
  var tries = new Uint8Array(n);
  var used = new Uint8Array(n);        // used since the last refresh check
  var expires = new Float64Array(n);
  var due = new Float64Array(n);       // next retry / refresh time
  var macs = new Uint8Array(n * 6);
  var macViews: Uint8Array[] = [];
  for (var k = 0; k < n; k++) macViews.push(macs.subarray(k * 6, k * 6 + 6));
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
    if (op === 2) tx.set(dstMac as Uint8Array, 32);
    else tx.fill(0, 32, 38);
    wr32(tx, 38, tpa);
    c.tx++;
    if (netif.send(42)) eth.tx++;
  }

  /** A request for ip: broadcast, or unicast to dstMac (refresh). */
  function request(dstMac: Uint8Array | null, ip: number): void {
    c.requestsOut++;
    sendArp(1, dstMac, ip);
  }

  function find(ip: number): number {
    for (var i = 0; i < n; i++) if (state[i] !== E.FREE && ips[i] === ip) return i;
    return -1;
  }

  /** A free entry, or the one expiring first (resolved before pending). */
  function alloc(): number {
    var best = -1;
    for (var i = 0; i < n; i++) {
      if (state[i] === E.FREE) return i;
      if (best < 0 || (state[i] === E.RESOLVED && (state[best] !== E.RESOLVED || expires[i] < expires[best]))) best = i;
    }
    c.evicted++;
    if (holdLen && ips[best] === holdIp) dropHold();
    return best;
  }

  function dropHold(): void {
    holdLen = 0;
    c.heldDropped++;
  }

  function learn(i: number, now: number): void {
    macs.set(rxSha, i * 6);
    state[i] = E.RESOLVED;
    tries[i] = 0;
    used[i] = 0;
    expires[i] = now + T.TTL_MS;
    due[i] = expires[i] - T.REFRESH_MS;
    if (due[i] < nextCheck) nextCheck = due[i];
    if (holdLen && ips[i] === holdIp) {
      tx.set(hold, 0);
      tx.set(macViews[i], 0);
      var len = holdLen;
      holdLen = 0;
      c.heldSent++;
      if (netif.send(len)) eth.tx++;
    }
  }

  function input(rx: Uint8Array, len: number): void {
    c.rx++;
    if (len < 42) { c.dropShort++; return; }
    var bad = (rx[21] !== 1 && rx[21] !== 2) || (rx[22] & 1);
    for (var k = 14; k < 21; k++) if (rx[k] !== ARP_HEAD[k - 12]) bad = true;
    if (bad) { c.dropMalformed++; return; }
    var spa = rd32(rx, 28);
    var tpa = rd32(rx, 38);
    var addr = st.addr;
    if (addr !== 0 && spa === addr) { c.conflicts++; return; }
    var now = clock.now();
    var i = spa !== 0 ? find(spa) : -1;
    if (i >= 0) learn(i, now);
    if (addr === 0 || tpa !== addr) {
      if (i < 0) c.ignored++;
      return;
    }
    if (i < 0 && spa !== 0) {
      i = alloc();
      ips[i] = spa;
      learn(i, now);
    }
    if (rx[21] === 1) {
      sendArp(2, rxSha, spa);
      c.repliesOut++;
    }
  }

  return {
    input: input,
    resolve: function (frameLen: number, nextHop: number): number {
      var i = find(nextHop);
      if (i >= 0 && state[i] === E.RESOLVED) {
        tx.set(macViews[i], 0);
        used[i] = 1;
        c.hits++;
        return 1;
      }
      c.misses++;
      if (holdLen === 0 || holdIp === nextHop) {
        if (frameLen <= hold.length) {
          hold.set(tx.subarray(0, frameLen), 0);
          holdLen = frameLen;
          holdIp = nextHop;
          c.held++;
        } else c.notHeld++;
      } else c.notHeld++;
      if (i < 0) {
        var now = clock.now();
        i = alloc();
        state[i] = E.PENDING;
        ips[i] = nextHop;
        tries[i] = 1;
        due[i] = now + T.RETRY_MS;
        if (due[i] < nextCheck) nextCheck = due[i];
        request(null, nextHop);
      }
      return 0;
    },
    tick: function (now: number): void {
      if (now < nextCheck) return;
      nextCheck = now + 60000;
      for (var i = 0; i < n; i++) {
        var s = state[i];
        if (s === E.PENDING && now >= due[i]) {
          if (tries[i] >= T.MAX_TRIES) {
            state[i] = E.FREE;
            c.giveUps++;
            if (holdLen && holdIp === ips[i]) dropHold();
            continue;
          }
          due[i] = now + T.RETRY_MS * (1 << tries[i]);
          tries[i]++;
          c.retries++;
          request(null, ips[i]);
        } else if (s === E.RESOLVED && now >= expires[i]) {
          state[i] = E.FREE;
          c.expired++;
          continue;
        } else if (s === E.RESOLVED && now >= due[i]) {
          due[i] = used[i] ? now + 1000 : expires[i];
          if (used[i]) {
            used[i] = 0;
            request(macViews[i], ips[i]);
          }
        }
        if (s !== E.FREE) {
          var t = due[i] < expires[i] || s === E.PENDING ? due[i] : expires[i];
          if (t < nextCheck) nextCheck = t;
        }
      }
    },
    announce: function (): void {
      if (st.addr === 0) return;
      sendArp(1, null, st.addr);
    },
    flush: function (): void {
      state.fill(E.FREE);
      if (holdLen) dropHold();
    },
    lookup: function (ip: number): number {
      var i = find(ip);
      return i >= 0 && state[i] === E.RESOLVED ? i : -1;
    },
    macOf: function (i: number): Uint8Array {
      return macViews[i];
    },
  };
}
