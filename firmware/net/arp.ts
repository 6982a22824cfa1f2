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

import { Cnt } from "./counters";
import { Netif } from "../../hal/netif";
import { Clock } from "../../hal/types";
import { rd16, rd32, wr16, wr32 } from "./bytes";
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
  /** MAC bytes of entry i (a new array: tests and the console only). */
  macOf(i: number): Uint8Array;
}

// The cache lives in three flat arrays (a typed array costs Espruino about 7 variables, a view
// per entry as much again), planar: entry i's address at words[i], its MAC's first 2 bytes at
// words[n + i] and last 4 at words[2n + i]; its state at bytes[i], its count at bytes[n + i];
// its expiry at times[i], its next retry / refresh time at times[n + i].
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
/** Where sendArp sends: an entry's MAC (0 and up), broadcast, or the sender of the frame in rx. */
const enum To { BROADCAST = -1, SENDER = -2 }
/** ARP operations. */
const enum Op { REQUEST = 1, REPLY = 2 }
// Bytes 12..20 of every ARP frame: EtherType, hardware type, protocol type, the two address
// lengths, the operation's high byte (its low byte, at 21, is the operation).
var ARP_HEAD = new Uint8Array([Eth.TYPE_ARP >> 8, Eth.TYPE_ARP & 255, 0, A.HTYPE_ETHERNET, Eth.TYPE_IPV4 >> 8,
  Eth.TYPE_IPV4 & 255, Eth.MAC_LEN, A.IPV4_LEN, 0]);

/** n cache entries; a hold buffer of holdBytes (0: nothing is held); c: the stack's counters. */
export function createArp(netif: Netif, clock: Clock, st: IpState, c: Uint32Array,
  n: number, holdBytes: number): Arp {
  var rx = netif.rx;
  var tx = netif.tx;
  var mac = netif.mac;
  var words = new Uint32Array(3 * n);    // address; MAC (2 + 4 bytes)
  // state; count (PENDING: requests sent; RESOLVED: 1 when used since the last refresh check)
  var bytes = new Uint8Array(2 * n);
  // expiry; the next retry / refresh time (never after the expiry when RESOLVED)
  var times = new Float64Array(2 * n);
  var rxSha = rx.subarray(A.SHA, A.SPA);
  var hold = new Uint8Array(holdBytes);
  var holdLen = 0;
  var holdIp = 0;
  var nextCheck = 0;                   // nothing to do in tick() before this time

  /** Writes entry i's MAC at tx[at..at+6). */
  function putMac(i: number, at: number): void {
    wr16(tx, at, words[n + i]);
    wr32(tx, at + 2, words[2 * n + i]);
  }

  /**
   * Builds an ARP packet in tx and sends it: a request to the MAC of entry `to`, or broadcast
   * (To.BROADCAST), target MAC zero; a reply (to To.SENDER: the sender of the request in rx,
   * which is also the target MAC).
   */
  function sendArp(op: Op, to: number, tpa: number): void {
    if (to === To.SENDER) tx.set(rxSha, Eth.DST);
    else if (to === To.BROADCAST) tx.fill(Eth.BROADCAST_BYTE, Eth.DST, Eth.DST + Eth.MAC_LEN);
    else putMac(to, Eth.DST);
    tx.set(mac, Eth.SRC);
    tx.set(ARP_HEAD, Eth.TYPE);
    tx[A.OP + 1] = op;
    tx.set(mac, A.SHA);
    wr32(tx, A.SPA, st.addr);
    tx.fill(0, A.THA, A.TPA);
    if (op === Op.REPLY) tx.set(rxSha, A.THA);
    wr32(tx, A.TPA, tpa);
    c[Cnt.ARP_TX]++;
    if (netif.send(A.END)) c[Cnt.ETH_TX]++;
  }

  /** A request for ip: broadcast (To.BROADCAST), or unicast to entry `to`'s MAC (refresh). */
  function request(to: number, ip: number): void {
    c[Cnt.ARP_REQUESTS_OUT]++;
    sendArp(Op.REQUEST, to, ip);
  }

  /** The entry for ip (there is at most one) in state minState or later (PENDING: any), else -1. */
  function find(ip: number, minState: number): number {
    for (var i = 0; i < n; i++) if (bytes[i] >= minState && words[i] === ip) return i;
    return -1;
  }

  /** Drops the held frame when it waits for ip. */
  function dropHold(ip: number): void {
    if (holdLen && holdIp === ip) {
      holdLen = 0;
      c[Cnt.ARP_HELD_DROPPED]++;
    }
  }

  /** A free entry, or the one expiring first (resolved before pending), for ip. */
  function alloc(ip: number): number {
    var best = 0;
    for (var i = 0; i < n; i++) {
      if (bytes[i] === E.FREE) { best = i; break; }
      if (bytes[i] === E.RESOLVED && (bytes[best] !== E.RESOLVED || times[i] < times[best])) best = i;
    }
    if (bytes[best] !== E.FREE) {
      c[Cnt.ARP_EVICTED]++;
      dropHold(words[best]);
    }
    words[best] = ip;
    return best;
  }

  function learn(i: number, now: number): void {
    words[n + i] = rd16(rx, A.SHA);
    words[2 * n + i] = rd32(rx, A.SHA + 2);
    bytes[i] = E.RESOLVED;
    bytes[n + i] = 0;
    times[i] = now + T.TTL_MS;
    times[n + i] = now + T.TTL_MS - T.REFRESH_MS;
    nextCheck = 0;   // the next tick() finds the earliest due time again
    if (holdLen && words[i] === holdIp) {
      tx.set(hold, 0);
      putMac(i, Eth.DST);
      var len = holdLen;
      holdLen = 0;
      c[Cnt.ARP_HELD_SENT]++;
      if (netif.send(len)) c[Cnt.ETH_TX]++;
    }
  }

  return {
    // One check and one counter per reason to drop, in this order.
    input: function (rx: Uint8Array, len: number): void {
      c[Cnt.ARP_RX]++;
      // (Fields first, then the checks: see "Drops" in README.md.)
      var op = rd16(rx, A.OP);
      var spa = rd32(rx, A.SPA);
      var addr = st.addr;
      var forUs = addr !== 0 && rd32(rx, A.TPA) === addr;
      if (len < A.END) { c[Cnt.ARP_DROP_SHORT]++; return; }
      if (rd16(rx, A.HTYPE) !== A.HTYPE_ETHERNET ||
        rd16(rx, A.PTYPE) !== Eth.TYPE_IPV4 ||
        rx[A.HLEN] !== Eth.MAC_LEN || rx[A.PLEN] !== A.IPV4_LEN ||
        (op !== Op.REQUEST && op !== Op.REPLY) ||
        rx[A.SHA] & Eth.GROUP_BIT) {   // a group (multicast, broadcast) sender MAC is no host's
        c[Cnt.ARP_DROP_MALFORMED]++;
        return;
      }
      if (addr !== 0 && spa === addr) { c[Cnt.ARP_CONFLICTS]++; return; }   // someone else uses our address
      var i = find(spa, E.PENDING);    // never an entry for 0.0.0.0 (a probe)
      if (i < 0 && spa !== 0 && forUs) i = alloc(spa);
      if (i >= 0) learn(i, clock.now());
      else if (!forUs) c[Cnt.ARP_IGNORED]++;
      if (forUs && op === Op.REQUEST) {
        sendArp(Op.REPLY, To.SENDER, spa);
        c[Cnt.ARP_REPLIES_OUT]++;
      }
    },
    resolve: function (frameLen: number, nextHop: number): IpSend.SENT | IpSend.PENDING_ARP {
      var i = find(nextHop, E.RESOLVED);
      if (i >= 0) {
        putMac(i, Eth.DST);
        bytes[n + i] = 1;
        c[Cnt.ARP_HITS]++;
        return IpSend.SENT;
      }
      c[Cnt.ARP_MISSES]++;
      if ((holdLen === 0 || holdIp === nextHop) && frameLen <= holdBytes) {
        hold.set(tx.subarray(0, frameLen), 0);
        holdLen = frameLen;
        holdIp = nextHop;
        c[Cnt.ARP_HELD]++;
      } else c[Cnt.ARP_NOT_HELD]++;
      if (find(nextHop, E.PENDING) < 0) {
        i = alloc(nextHop);
        bytes[i] = E.PENDING;
        bytes[n + i] = 1;
        times[n + i] = clock.now() + T.RETRY_MS;
        nextCheck = 0;
        request(To.BROADCAST, nextHop);
      }
      return IpSend.PENDING_ARP;
    },
    tick: function (now: number): void {
      if (now < nextCheck) return;
      nextCheck = now + T.TTL_MS;   // no entry is due later than one lifetime from now
      for (var i = 0; i < n; i++) {
        if (bytes[i] !== E.FREE && now >= times[n + i]) {
          if (bytes[i] === E.RESOLVED) {
            if (now >= times[i]) {
              bytes[i] = E.FREE;
              c[Cnt.ARP_EXPIRED]++;
            } else if (bytes[n + i]) {          // used lately: refresh by unicast, check again soon
              bytes[n + i] = 0;
              times[n + i] = Math.min(now + T.RECHECK_MS, times[i]);
              request(i, words[i]);
            } else times[n + i] = times[i];
          } else if (bytes[n + i] >= T.MAX_TRIES) {
            bytes[i] = E.FREE;
            c[Cnt.ARP_GIVE_UPS]++;
            dropHold(words[i]);
          } else {
            times[n + i] = now + (T.RETRY_MS << bytes[n + i]++);
            c[Cnt.ARP_RETRIES]++;
            request(To.BROADCAST, words[i]);
          }
        }
        if (bytes[i] !== E.FREE && times[n + i] < nextCheck) nextCheck = times[n + i];
      }
    },
    announce: function (): void {
      if (st.addr !== 0) sendArp(Op.REQUEST, To.BROADCAST, st.addr);
    },
    flush: function (): void {
      bytes.fill(E.FREE, 0, n);
      dropHold(holdIp);
    },
    lookup: function (ip: number): number {
      return find(ip, E.RESOLVED);
    },
    macOf: function (i: number): Uint8Array {
      var m = new Uint8Array(Eth.MAC_LEN);   // tests and the console only: allocates
      wr16(m, 0, words[n + i]);
      wr32(m, 2, words[2 * n + i]);
      return m;
    },
  };
}
