// ARP (RFC 826) for IPv4 over Ethernet: answers requests for our address, keeps a fixed-size
// neighbour cache with aging and refresh, resolves next hops before sending.
//
// Pending packets: ONE hold buffer for the whole stack (allocated once). When a frame's next hop
// is unknown, arpResolve() copies the finished frame there (if the buffer is free or already holds
// a frame for the same next hop, which the newer frame then replaces) and sends an ARP request;
// the frame leaves as soon as the reply arrives. When the buffer is busy with another destination
// the frame is not kept. Either way arpResolve() returns PENDING_ARP ("not on the wire yet"):
// callers with their own retransmission (TCP) simply regenerate. Requests are retried with
// back-off (RETRY_MS, doubled per try) and after MAX_TRIES the entry is freed and a held frame
// dropped (counter giveUps). A resolved entry lives TTL_MS; when it was used in its last
// REFRESH_MS a unicast request refreshes it, otherwise it simply expires. When the table is full
// the entry expiring first is evicted.
//
// The cache is planar in the stack's flat arrays (state.ts): entry i's address, MAC (2 + 4 bytes)
// in s.c at W.ARP_IP / W.ARP_MAC_HI / W.ARP_MAC_LO + i, its state and count in s.b at
// By.ARP_STATE / By.ARP_COUNT + i, its expiry and next retry or refresh time in s.t at
// T.ARP_EXPIRY / T.ARP_NEXT + i (a free entry's address is 0). All functions take the stack
// record first.

import { Cnt } from "./counters";
import { rd16, rd32, wr16, wr32 } from "./bytes";
import { Eth } from "./ethernet";
import { IpSend } from "./ipv4";
import { By, Size, St, T, W } from "./state";

/** Entry states. */
export const enum Entry { FREE, PENDING, RESOLVED }
/** Timing. */
const enum Tm {
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
/** Where arpSend sends: an entry's MAC (0 and up), broadcast, or the sender of the frame in rx. */
export const enum To { BROADCAST = -1, SENDER = -2 }
/** ARP operations. */
export const enum Op { REQUEST = 1, REPLY = 2 }
// Bytes 12..20 of every ARP frame: EtherType, hardware type, protocol type, the two address
// lengths, the operation's high byte (its low byte, at 21, is the operation).
var ARP_HEAD = new Uint8Array([Eth.TYPE_ARP >> 8, Eth.TYPE_ARP & 255, 0, A.HTYPE_ETHERNET, Eth.TYPE_IPV4 >> 8,
  Eth.TYPE_IPV4 & 255, Eth.MAC_LEN, A.IPV4_LEN, 0]);

/** Writes entry i's MAC at tx[at..at+6). */
function putMac(s: St, i: number, at: number): void {
  wr16(s.tx, at, s.c[W.ARP_MAC_HI + i]);
  wr32(s.tx, at + 2, s.c[W.ARP_MAC_LO + i]);
}

/**
 * Builds an ARP packet in tx and sends it: a request to the MAC of entry `to`, or broadcast
 * (To.BROADCAST), target MAC zero; a reply (to To.SENDER: the sender of the request in rx,
 * which is also the target MAC).
 */
export function arpSend(s: St, op: Op, to: number, tpa: number): void {
  var tx = s.tx, mac = s.netif.mac, sha: Uint8Array | undefined;
  if (to === To.SENDER) tx.set(sha = s.rx.subarray(A.SHA, A.SPA), Eth.DST);
  else if (to === To.BROADCAST) tx.fill(Eth.BROADCAST_BYTE, Eth.DST, Eth.DST + Eth.MAC_LEN);
  else putMac(s, to, Eth.DST);
  tx.set(mac, Eth.SRC);
  tx.set(ARP_HEAD, Eth.TYPE);
  tx[A.OP + 1] = op;
  tx.set(mac, A.SHA);
  wr32(tx, A.SPA, s.addr);
  if (sha) tx.set(sha, A.THA);
  else tx.fill(0, A.THA, A.TPA);
  wr32(tx, A.TPA, tpa);
  s.c[Cnt.ARP_TX]++;
  if (s.netif.send(A.END)) s.c[Cnt.ETH_TX]++;
}

/**
 * The entry for ip (there is at most one) in state minState or later (PENDING: any), else -1.
 * One native search over the addresses (s.ips): a free entry's address is 0, and 0 is never
 * looked up for an entry in use.
 */
function arpFind(s: St, ip: number, minState: number): number {
  var i = s.ips.indexOf(ip);
  return i >= 0 && s.b[By.ARP_STATE + i] >= minState ? i : -1;
}

/** Drops the held frame when it waits for ip. */
export function dropHold(s: St, ip: number): void {
  if (s.c[W.HOLD_LEN] && s.c[W.HOLD_IP] === ip) {
    s.c[W.HOLD_LEN] = 0;
    s.c[Cnt.ARP_HELD_DROPPED]++;
  }
}

/** A free entry (address 0), or the one expiring first (resolved before pending), for ip. */
function arpAlloc(s: St, ip: number): number {
  var b = s.b, t = s.t, best = s.ips.indexOf(0);
  if (best < 0) {
    best = 0;
    for (var i = 1; i < Size.ARP_ENTRIES; i++) {
      if (b[By.ARP_STATE + i] === Entry.RESOLVED &&
        (b[By.ARP_STATE + best] !== Entry.RESOLVED || t[T.ARP_EXPIRY + i] < t[T.ARP_EXPIRY + best])) best = i;
    }
    s.c[Cnt.ARP_EVICTED]++;
    dropHold(s, s.c[W.ARP_IP + best]);
  }
  s.c[W.ARP_IP + best] = ip;
  return best;
}

/** Entry i takes the sender MAC of the ARP packet in rx; a frame held for it leaves. */
function arpLearn(s: St, i: number, now: number): void {
  var c = s.c, t = s.t, len = c[W.HOLD_LEN];
  c[W.ARP_MAC_HI + i] = rd16(s.rx, A.SHA);
  c[W.ARP_MAC_LO + i] = rd32(s.rx, A.SHA + 2);
  s.b[By.ARP_STATE + i] = Entry.RESOLVED;
  s.b[By.ARP_COUNT + i] = 0;
  t[T.ARP_EXPIRY + i] = now + Tm.TTL_MS;
  t[T.ARP_NEXT + i] = now + Tm.TTL_MS - Tm.REFRESH_MS;
  if (t[T.ARP_NEXT + i] < t[T.ARP_CHECK]) t[T.ARP_CHECK] = t[T.ARP_NEXT + i];   // (a lower bound: arpTick() makes it exact)
  if (len && c[W.ARP_IP + i] === c[W.HOLD_IP]) {
    s.tx.set(s.b.subarray(By.HOLD, By.HOLD + len), 0);
    putMac(s, i, Eth.DST);
    c[W.HOLD_LEN] = 0;
    c[Cnt.ARP_HELD_SENT]++;
    if (s.netif.send(len)) c[Cnt.ETH_TX]++;
  }
}

/** The ARP packet in rx (frame length len). One check and one counter per reason to drop, in this order. */
export function arpInput(s: St, len: number): void {
  var rx = s.rx, c = s.c;
  c[Cnt.ARP_RX]++;
  // (Fields first, then the checks: see "Drops" in README.md.)
  var op = rd16(rx, A.OP);
  var spa = rd32(rx, A.SPA);
  var addr = s.addr;
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
  // someone else uses our address, or the one being probed (acd.ts; without it, counted and
  // dropped); our own frame looped back: ignored
  if (c[W.PROBE_IP] || (addr !== 0 && spa === addr)) {
    for (var k = 0; k < Eth.MAC_LEN && rx[A.SHA + k] === s.netif.mac[k]; k++);
    if (k === Eth.MAC_LEN) { c[Cnt.ARP_IGNORED]++; return; }
    if (!s.pt.acd) { c[Cnt.ARP_CONFLICTS]++; return; }
    if (s.pt.acd.arp(s, op, spa, rd32(rx, A.TPA))) return;
  }
  var i = arpFind(s, spa, Entry.PENDING);    // never an entry for 0.0.0.0 (a probe)
  if (i < 0 && spa !== 0 && forUs) i = arpAlloc(s, spa);
  if (i >= 0) arpLearn(s, i, s.clock.now());
  else if (!forUs) c[Cnt.ARP_IGNORED]++;
  if (forUs && op === Op.REQUEST) {
    arpSend(s, Op.REPLY, To.SENDER, spa);
    c[Cnt.ARP_REPLIES_OUT]++;
  }
}

/**
 * tx holds a complete frame of frameLen bytes but its destination MAC. SENT: the MAC is written,
 * the caller sends the frame; PENDING_ARP: the next hop is being resolved (frame held if possible).
 */
export function arpResolve(s: St, frameLen: number, nextHop: number): IpSend.SENT | IpSend.PENDING_ARP {
  var c = s.c, i = s.ips.indexOf(nextHop);   // (arpFind inline: once per frame sent)
  if (i >= 0 && s.b[By.ARP_STATE + i] === Entry.RESOLVED) {
    putMac(s, i, Eth.DST);
    s.b[By.ARP_COUNT + i] = 1;
    c[Cnt.ARP_HITS]++;
    return IpSend.SENT;
  }
  c[Cnt.ARP_MISSES]++;
  if ((c[W.HOLD_LEN] === 0 || c[W.HOLD_IP] === nextHop) && frameLen <= Size.ARP_HOLD) {
    s.b.set(s.tx.subarray(0, frameLen), By.HOLD);
    c[W.HOLD_LEN] = frameLen;
    c[W.HOLD_IP] = nextHop;
    c[Cnt.ARP_HELD]++;
  } else c[Cnt.ARP_NOT_HELD]++;
  if (arpFind(s, nextHop, Entry.PENDING) < 0) {
    i = arpAlloc(s, nextHop);
    s.b[By.ARP_STATE + i] = Entry.PENDING;
    s.b[By.ARP_COUNT + i] = 1;
    var next = s.t[T.ARP_NEXT + i] = s.clock.now() + Tm.RETRY_MS;
    if (next < s.t[T.ARP_CHECK]) s.t[T.ARP_CHECK] = next;
    c[Cnt.ARP_REQUESTS_OUT]++;
    arpSend(s, Op.REQUEST, To.BROADCAST, nextHop);
  }
  return IpSend.PENDING_ARP;
}

/** Retries, refreshes and ages the entries that are due (nothing before T.ARP_CHECK). */
export function arpTick(s: St, now: number): void {
  var c = s.c, b = s.b, t = s.t;
  if (now < t[T.ARP_CHECK]) return;
  t[T.ARP_CHECK] = Infinity;   // lowered below to the earliest entry's time (none: no tick needed)
  for (var i = 0; i < Size.ARP_ENTRIES; i++) {
    var state = b[By.ARP_STATE + i];
    if (state !== Entry.FREE && now >= t[T.ARP_NEXT + i]) {
      if (state === Entry.RESOLVED) {
        if (now >= t[T.ARP_EXPIRY + i]) {
          b[By.ARP_STATE + i] = Entry.FREE;
          c[W.ARP_IP + i] = 0;
          c[Cnt.ARP_EXPIRED]++;
        } else if (b[By.ARP_COUNT + i]) {          // used lately: refresh by unicast, check again soon
          b[By.ARP_COUNT + i] = 0;
          t[T.ARP_NEXT + i] = Math.min(now + Tm.RECHECK_MS, t[T.ARP_EXPIRY + i]);
          c[Cnt.ARP_REQUESTS_OUT]++;
          arpSend(s, Op.REQUEST, i, c[W.ARP_IP + i]);
        } else t[T.ARP_NEXT + i] = t[T.ARP_EXPIRY + i];
      } else if (b[By.ARP_COUNT + i] >= Tm.MAX_TRIES) {
        dropHold(s, c[W.ARP_IP + i]);
        b[By.ARP_STATE + i] = Entry.FREE;
        c[W.ARP_IP + i] = 0;
        c[Cnt.ARP_GIVE_UPS]++;
      } else {
        t[T.ARP_NEXT + i] = now + (Tm.RETRY_MS << b[By.ARP_COUNT + i]++);
        c[Cnt.ARP_RETRIES]++;
        c[Cnt.ARP_REQUESTS_OUT]++;
        arpSend(s, Op.REQUEST, To.BROADCAST, c[W.ARP_IP + i]);
      }
    }
    if (b[By.ARP_STATE + i] !== Entry.FREE && t[T.ARP_NEXT + i] < t[T.ARP_CHECK]) t[T.ARP_CHECK] = t[T.ARP_NEXT + i];
  }
}

// For tests and the console (a program that does not call them does not contain them):

/** The cache index of ip in the stack's ARP cache when resolved, -1 otherwise. */
export function arpLookup(stack: object, ip: number): number {
  return arpFind(stack as St, ip, Entry.RESOLVED);
}

/** MAC bytes of the stack's ARP cache entry i (a new array). */
export function arpMacOf(stack: object, i: number): Uint8Array {
  var m = new Uint8Array(Eth.MAC_LEN);
  wr16(m, 0, (stack as St).c[W.ARP_MAC_HI + i]);
  wr32(m, 2, (stack as St).c[W.ARP_MAC_LO + i]);
  return m;
}
