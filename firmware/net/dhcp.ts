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

// Numeric constants as const enums: tsc writes the numbers in place, nothing reaches the bundle.
const enum S { INIT, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING, FALLBACK }
var NAMES = ["init", "selecting", "requesting", "bound", "renewing", "rebinding", "fallback"];
const enum Msg { DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6 }
const enum K { BROADCAST = 0xffffffff, COOKIE = 0x63825363 }
// Options read, in the order of the `opts` slots: message type (1 byte), server id, subnet mask,
// lease time, T1, T2 (4 bytes each), router (a list of addresses: the first is taken).
var READ = [53, 54, 1, 51, 58, 59, 3];
// Fixed request bytes from offset 278: magic cookie, option 53 (type at 284), option 61 header.
var HEAD = [99, 130, 83, 99, 53, 1, 0, 61, 7, 1];
// Closing options: 55 parameter list (1, 3, 51, 58, 59), 57 max message size 1500, end.
var TAIL = [55, 5, 1, 3, 51, 58, 59, 57, 2, 5, 0xdc, 255];

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
  for (var k = 0; k < host.length; k++) host[k] = name.charCodeAt(k);   // low 8 bits kept

  var state = S.INIT;
  var due = 0;            // time of the next action in tick()
  var tries = 0;
  var xid = 0;
  var offered = 0;
  var server = 0;
  var t1At = 0, t2At = 0, endAt = 0;
  var opts = new Uint32Array(READ.length);   // options of the message being read

  /** Writes a 4-byte option at tx[i..i+6) and returns the offset after it. */
  function opt32(i: number, code: number, v: number): number {
    tx[i] = code;
    tx[i + 1] = 4;
    wr32(tx, i + 2, v);
    return i + 6;
  }

  /** Builds a BOOTREQUEST at tx[42..) and sends it to dst:67 from port 68. */
  function send(type: number, ciaddr: number, dst: number, reqIp: number, sid: number): void {
    tx.fill(0, 42, 342);
    tx[42] = 1; tx[43] = 1; tx[44] = 6;   // BOOTREQUEST, Ethernet, 6-byte addresses
    wr32(tx, 46, xid);
    wr32(tx, 54, ciaddr);
    tx.set(mac, 70);
    tx.set(HEAD, 278);
    tx[284] = type;
    tx.set(mac, 288);
    var i = 294;
    if (reqIp) i = opt32(i, 50, reqIp);
    if (sid) i = opt32(i, 54, sid);
    if (host.length) { tx[i] = 12; tx[i + 1] = host.length; tx.set(host, i + 2); i += 2 + host.length; }
    tx.set(TAIL, i);
    i += 12;
    c.tx++;
    if (type === Msg.REQUEST) c.requests++;
    udp.send(dst, 67, 68, i - 42 < 300 ? 300 : i - 42);
  }

  function newXid(): void {
    xid = (random() * 4294967296) >>> 0;
  }

  /** DISCOVER (SELECTING) or REQUEST for the offer (REQUESTING), broadcast, with back-off. */
  function solicit(now: number): void {
    var selecting = state === S.SELECTING;
    tries++;
    send(selecting ? Msg.DISCOVER : Msg.REQUEST, 0, K.BROADCAST, selecting ? 0 : offered, selecting ? 0 : server);
    // back-off: base, 2 base, 4 base ... at most 64 s, +-base/4 of jitter
    var t = base * (1 << (tries > 5 ? 5 : tries - 1));
    due = now + (t > 64000 ? 64000 : t) + (random() * 2 - 1) * (base / 4);
  }

  function restart(now: number): void {
    if (st.addr !== 0) setAddress(0, 0, 0);
    state = S.INIT;
    due = now;
    c.restarts++;
  }

  function tick(now: number): void {
    if (now < due || state === S.FALLBACK) return;
    if (state === S.INIT) {
      if (!st.linkUp) return;
      newXid();
      tries = 0;
      state = S.SELECTING;
      solicit(now);
    } else if (state < S.BOUND) {   // SELECTING, REQUESTING: retransmit, or give up
      if (state === S.SELECTING && fallback && tries >= maxTries) {
        state = S.FALLBACK;
        c.fallbacks++;
        setAddress(fallback.ip, fallback.mask, fallback.gateway);
        return;
      }
      if (state === S.REQUESTING && tries >= 4) { restart(now); return; }
      c.retransmits++;
      solicit(now);
    } else {                        // BOUND at T1, RENEWING (until T2), REBINDING (until the lease ends)
      var rebind = state === S.REBINDING || (state === S.RENEWING && now >= t2At);
      if (rebind && now >= endAt) {
        c.expired++;
        restart(now);
        return;
      }
      var next = rebind ? S.REBINDING : S.RENEWING;
      if (state !== next) {
        state = next;
        newXid();
        if (rebind) c.rebinds++;
        else c.renewals++;
      } else c.retransmits++;
      send(Msg.REQUEST, st.addr, rebind ? K.BROADCAST : server, 0, 0);
      // next try: half the time left to T2 (renewing) or to the lease end (rebinding), at least base
      var until = rebind ? endAt : t2At;
      var t = (until - now) / 2;
      if (t < base) t = base;
      due = now + t > until ? until : now + t;
    }
  }


  function bind(now: number, yi: number, sid: number, mask: number, router: number, lease: number, t1: number, t2: number): void {
    if (sid) server = sid;
    if (lease === K.BROADCAST) {  // infinite lease
      t1At = t2At = endAt = Infinity;
    } else {
      if (!(t1 > 0 && t1 <= lease)) t1 = lease / 2;
      if (!(t2 >= t1 && t2 <= lease)) t2 = lease * 7 / 8;
      if (t2 < t1) t2 = t1;
      t1At = now + t1 * 1000;
      t2At = now + t2 * 1000;
      endAt = now + lease * 1000;
    }
    state = S.BOUND;
    due = t1At;
    tries = 0;
    // without option 1 the classful mask of the address
    setAddress(yi, mask || (yi < 0x80000000 ? 0xff000000 : yi < 0xc0000000 ? 0xffff0000 : 0xffffff00), router);
  }

  /** Reads the options at rx[i..end) into opts (slots as READ); false when the list is broken. */
  function parse(rx: Uint8Array, i: number, end: number): boolean {
    opts.fill(0);
    while (i < end) {
      var code = rx[i];
      if (code === 255) break;
      if (code === 0) { i++; continue; }
      if (i + 1 >= end) return false;
      var ol = rx[i + 1];
      var v = i + 2;
      if (v + ol > end) return false;
      var k = READ.indexOf(code);
      if (k >= 0) {
        if (k === 0 ? ol !== 1 : k === 6 ? ol < 4 || (ol & 3) : ol !== 4) return false;
        opts[k] = k ? rd32(rx, v) : rx[v];
      }
      i = v + ol;
    }
    return true;
  }

  function input(src: number, srcPort: number, rx: Uint8Array, off: number, len: number): void {
    c.rx++;
    if (len < 240 || rx[off] !== 2 || rx[off + 1] !== 1 || rx[off + 2] !== 6 || rd32(rx, off + 236) !== K.COOKIE) {
      c.dropMalformed++;
      return;
    }
    var other = rd32(rx, off + 4) !== xid;   // not our transaction, or not our hardware address
    for (var k = 0; k < 6; k++) if (rx[off + 28 + k] !== mac[k]) other = true;
    if (other) { c.dropOther++; return; }
    if (!parse(rx, off + 240, off + len)) { c.dropMalformed++; return; }
    var type = opts[0], sid = opts[1];
    var answering = state === S.REQUESTING || state === S.RENEWING || state === S.REBINDING;
    if (type === Msg.OFFER ? state !== S.SELECTING : type === Msg.ACK || type === Msg.NAK ? !answering : true) {
      c.dropOther++;
      return;
    }
    var yi = rd32(rx, off + 16);
    var now = clock.now();
    if (type === Msg.NAK) {
      c.naks++;
      restart(now);
    } else if (yi === 0 || (type === Msg.OFFER ? sid === 0 : opts[3] === 0 || (state === S.REQUESTING && sid !== 0 && sid !== server))) {
      c.dropMalformed++;
    } else if (type === Msg.OFFER) {
      c.offers++;
      offered = yi;
      server = sid;
      state = S.REQUESTING;
      tries = 0;
      solicit(now);
    } else {
      c.acks++;
      bind(now, yi, sid, opts[2], opts[6], opts[3], opts[4], opts[5]);
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
