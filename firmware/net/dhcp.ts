// DHCP client (RFC 2131), driven by Stack.tick() and the UDP port-68 binding.
//
// INIT -> (DISCOVER) SELECTING -> OFFER -> (REQUEST) REQUESTING -> ACK -> BOUND
// BOUND -> at T1: RENEWING (REQUEST unicast to the server, ciaddr set)
//       -> at T2: REBINDING (REQUEST broadcast) -> at lease end: address dropped, INIT.
// NAK in REQUESTING/RENEWING/REBINDING: address dropped, back to INIT (DISCOVER at the next tick).
// Retransmission: base, 2*base, 4*base ... capped at 64 s, each randomized by +-base/4
// (base 4 s: 4, 8, 16 s +-1 s as RFC 2131 4.1 suggests); in RENEWING/REBINDING half the time
// left to T2 / lease end, at least base. REQUESTING gives up after 4 REQUESTs (back to INIT).
// After `dhcpTries` DISCOVERs without an offer, a configured dhcpFallback address is taken and
// the client stops (state "fallback"); without a fallback it keeps trying forever.
// Options sent: 53, 61 (client id: type 1 + MAC), 50/54 when selecting, 12 hostname, 55, 57.
// Options read: 53, 54, 1, 3, 51, 58, 59; option lengths are checked and a broken option list
// drops the message (dhcp.dropMalformed). The client waits for link-up before its first DISCOVER.

import { Netif } from "./netif";
import { Clock } from "../../hal/types";
import { IpState, rd32, wr32 } from "./ipv4";
import { Udp } from "./udp";

export interface Dhcp {
  tick(now: number): void;
  state(): string;
}

export interface DhcpConfig {
  hostname?: string;
  dhcpFallback?: { ip: number; mask: number; gateway: number } | null;
  dhcpTries?: number;
  dhcpBaseMs?: number;
  random?: () => number;
}

var INIT = 0, SELECTING = 1, REQUESTING = 2, BOUND = 3, RENEWING = 4, REBINDING = 5, FALLBACK = 6;
var NAMES = ["init", "selecting", "requesting", "bound", "renewing", "rebinding", "fallback"];
var DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6;

export function createDhcp(netif: Netif, clock: Clock, st: IpState & { linkUp: boolean },
  c: { [k: string]: number }, udp: Udp,
  setAddress: (addr: number, mask: number, gateway: number) => void, cfg: DhcpConfig): Dhcp {
  var tx = netif.tx;
  var mac = netif.mac;
  var random = cfg.random || Math.random;
  var base = cfg.dhcpBaseMs || 4000;
  var maxTries = cfg.dhcpTries || 4;
  var fallback = cfg.dhcpFallback || null;
  var name = cfg.hostname || "";
  var host = new Uint8Array(name.length > 63 ? 63 : name.length);
  for (var k = 0; k < host.length; k++) host[k] = name.charCodeAt(k) & 255;

  var state = INIT;
  var due = 0;            // time of the next action in tick()
  var tries = 0;
  var xid = 0;
  var offered = 0;
  var server = 0;
  var t1At = 0, t2At = 0, endAt = 0;

  function backoff(n: number): number {
    var t = base * (1 << (n > 5 ? 5 : n - 1));
    if (t > 64000) t = 64000;
    return t + (random() * 2 - 1) * (base / 4);
  }

  function laterOf(now: number, until: number): number {
    var t = (until - now) / 2;
    if (t < base) t = base;
    return now + t > until ? until : now + t;
  }

  /** Builds a BOOTREQUEST at tx[42..) and sends it to dst:67 from port 68. */
  function send(type: number, ciaddr: number, dst: number, reqIp: number, sid: number): void {
    tx.fill(0, 42, 342);
    tx[42] = 1; tx[43] = 1; tx[44] = 6;
    wr32(tx, 46, xid);
    wr32(tx, 54, ciaddr);
    tx.set(mac, 70);
    tx[278] = 99; tx[279] = 130; tx[280] = 83; tx[281] = 99;
    var i = 282;
    tx[i] = 53; tx[i + 1] = 1; tx[i + 2] = type;
    tx[i + 3] = 61; tx[i + 4] = 7; tx[i + 5] = 1;
    tx.set(mac, i + 6);
    i += 12;
    if (reqIp) { tx[i] = 50; tx[i + 1] = 4; wr32(tx, i + 2, reqIp); i += 6; }
    if (sid) { tx[i] = 54; tx[i + 1] = 4; wr32(tx, i + 2, sid); i += 6; }
    if (host.length) { tx[i] = 12; tx[i + 1] = host.length; tx.set(host, i + 2); i += 2 + host.length; }
    tx[i] = 55; tx[i + 1] = 5; tx[i + 2] = 1; tx[i + 3] = 3; tx[i + 4] = 51; tx[i + 5] = 58; tx[i + 6] = 59;
    tx[i + 7] = 57; tx[i + 8] = 2; tx[i + 9] = 5; tx[i + 10] = 0xdc;
    tx[i + 11] = 255;
    i += 12;
    c.tx++;
    if (type === DISCOVER) c.discovers++;
    else c.requests++;
    udp.send(dst, 67, 68, i - 42 < 300 ? 300 : i - 42);
  }

  function newXid(): void {
    xid = (random() * 4294967296) >>> 0;
  }

  function discover(now: number): void {
    tries++;
    send(DISCOVER, 0, 0xffffffff, 0, 0);
    due = now + backoff(tries);
  }

  function request(now: number): void {
    tries++;
    send(REQUEST, 0, 0xffffffff, offered, server);
    due = now + backoff(tries);
  }

  function restart(now: number): void {
    if (st.addr !== 0) setAddress(0, 0, 0);
    state = INIT;
    due = now;
    c.restarts++;
  }

  function tick(now: number): void {
    if (now < due || state === FALLBACK) return;
    if (state === INIT) {
      if (!st.linkUp) return;
      newXid();
      tries = 0;
      state = SELECTING;
      discover(now);
    } else if (state === SELECTING) {
      if (fallback && tries >= maxTries) {
        state = FALLBACK;
        c.fallbacks++;
        setAddress(fallback.ip, fallback.mask, fallback.gateway);
        return;
      }
      c.retransmits++;
      discover(now);
    } else if (state === REQUESTING) {
      if (tries >= 4) { restart(now); return; }
      c.retransmits++;
      request(now);
    } else if (state === BOUND || (state === RENEWING && now < t2At)) {
      if (state === BOUND) { state = RENEWING; newXid(); c.renewals++; } else c.retransmits++;
      send(REQUEST, st.addr, server, 0, 0);
      due = laterOf(now, t2At);
    } else if (now >= endAt) {
      c.expired++;
      restart(now);
    } else {
      if (state === RENEWING) { state = REBINDING; newXid(); c.rebinds++; } else c.retransmits++;
      send(REQUEST, st.addr, 0xffffffff, 0, 0);
      due = laterOf(now, endAt);
    }
  }

  function classMask(a: number): number {
    return a < 0x80000000 ? 0xff000000 : a < 0xc0000000 ? 0xffff0000 : 0xffffff00;
  }

  function bind(now: number, yi: number, sid: number, mask: number, router: number, lease: number, t1: number, t2: number): void {
    if (sid) server = sid;
    if (lease === 0xffffffff) {
      t1At = t2At = endAt = Infinity;
    } else {
      if (!(t1 > 0 && t1 <= lease)) t1 = lease / 2;
      if (!(t2 >= t1 && t2 <= lease)) t2 = lease * 7 / 8;
      if (t2 < t1) t2 = t1;
      t1At = now + t1 * 1000;
      t2At = now + t2 * 1000;
      endAt = now + lease * 1000;
    }
    state = BOUND;
    due = t1At;
    tries = 0;
    setAddress(yi, mask || classMask(yi), router);
  }

  function input(src: number, srcPort: number, rx: Uint8Array, off: number, len: number): void {
    c.rx++;
    if (len < 240 || rx[off] !== 2 || rx[off + 1] !== 1 || rx[off + 2] !== 6 ||
      rx[off + 236] !== 99 || rx[off + 237] !== 130 || rx[off + 238] !== 83 || rx[off + 239] !== 99) {
      c.dropMalformed++;
      return;
    }
    if (rd32(rx, off + 4) !== xid || rx[off + 28] !== mac[0] || rx[off + 29] !== mac[1] || rx[off + 30] !== mac[2] ||
      rx[off + 31] !== mac[3] || rx[off + 32] !== mac[4] || rx[off + 33] !== mac[5]) {
      c.dropOther++;
      return;
    }
    var type = 0, sid = 0, mask = 0, router = 0, lease = 0, t1 = 0, t2 = 0;
    var end = off + len;
    var i = off + 240;
    while (i < end) {
      var code = rx[i];
      if (code === 255) break;
      if (code === 0) { i++; continue; }
      if (i + 1 >= end) { c.dropMalformed++; return; }
      var ol = rx[i + 1];
      var v = i + 2;
      if (v + ol > end) { c.dropMalformed++; return; }
      if (code === 53 || code === 54 || code === 1 || code === 51 || code === 58 || code === 59) {
        if (ol !== (code === 53 ? 1 : 4)) { c.dropMalformed++; return; }
        if (code === 53) type = rx[v];
        else if (code === 54) sid = rd32(rx, v);
        else if (code === 1) mask = rd32(rx, v);
        else if (code === 51) lease = rd32(rx, v);
        else if (code === 58) t1 = rd32(rx, v);
        else t2 = rd32(rx, v);
      } else if (code === 3) {
        if (ol < 4 || (ol & 3)) { c.dropMalformed++; return; }
        router = rd32(rx, v);
      }
      i = v + ol;
    }
    var yi = rd32(rx, off + 16);
    var now = clock.now();
    if (type === OFFER) {
      if (state !== SELECTING) { c.dropOther++; return; }
      if (yi === 0 || sid === 0) { c.dropMalformed++; return; }
      c.offers++;
      offered = yi;
      server = sid;
      state = REQUESTING;
      tries = 0;
      request(now);
    } else if (type === ACK) {
      if (state !== REQUESTING && state !== RENEWING && state !== REBINDING) { c.dropOther++; return; }
      if (yi === 0 || lease === 0 || (state === REQUESTING && sid !== 0 && sid !== server)) { c.dropMalformed++; return; }
      c.acks++;
      bind(now, yi, sid, mask, router, lease, t1, t2);
    } else if (type === NAK) {
      if (state !== REQUESTING && state !== RENEWING && state !== REBINDING) { c.dropOther++; return; }
      c.naks++;
      restart(now);
    } else {
      c.dropOther++;
    }
  }

  udp.bind(68, input);

  return {
    tick: tick,
    state: function (): string {
      return NAMES[state];
    },
  };
}
