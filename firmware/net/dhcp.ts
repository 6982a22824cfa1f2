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

import { Netif } from "../../hal/netif";
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
const enum K { BROADCAST = 0xffffffff, COOKIE = 0x63825363, BOOTREPLY = 0x020106 }
// Options read, in the order of the `opts` slots: message type (1 byte), server id, subnet mask,
// lease time, T1, T2 (4 bytes each), router (a list of addresses: the first is taken).
var READ = [53, 54, 1, 51, 58, 59, 3];
// By message type, the states (one bit each) in which it is accepted: OFFER when SELECTING;
// ACK and NAK when REQUESTING, RENEWING or REBINDING.
var ANSWERING = (1 << S.REQUESTING) | (1 << S.RENEWING) | (1 << S.REBINDING);
var ACCEPT = [0, 0, 1 << S.SELECTING, 0, 0, ANSWERING, ANSWERING];
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
  var fallback = cfg.dhcpFallback;
  // The closing options, built once: 12 hostname (at most 63 bytes, low 8 bits of each char) + TAIL.
  var name = (cfg.hostname || "").substring(0, 63);
  var tail: number[] = name ? [12, name.length] : [];
  for (var k = 0; k < name.length; k++) tail.push(name.charCodeAt(k));
  tail = tail.concat(TAIL);

  var state = S.INIT;
  var due = 0;            // time of the next action in tick()
  var tries = 0;
  var xid = 0;
  var offered = 0;
  var server = 0;
  var t2At = 0, endAt = 0;
  var opts = new Uint32Array(7);   // options of the message being read (slots as READ)

  /**
   * Builds the BOOTREQUEST the state calls for at tx[42..) and sends it from port 68 to port 67:
   * DISCOVER (SELECTING), REQUEST with options 50/54 (REQUESTING), REQUEST with ciaddr unicast to
   * the server (RENEWING) or broadcast (REBINDING). Our address is 0 before BOUND.
   * Then schedules the next one: SELECTING, REQUESTING back off (base, 2 base, 4 base ... at most
   * 64 s, +-base/4 of jitter; tries counts the messages); RENEWING, REBINDING try again after half
   * the time left to T2 / the lease end, at least base.
   */
  function send(now: number): void {
    var i = 294;
    tx.fill(0, 42, 342);
    tx[42] = 1; tx[43] = 1; tx[44] = 6;   // BOOTREQUEST, Ethernet, 6-byte addresses
    wr32(tx, 46, xid);
    wr32(tx, 54, st.addr);
    tx.set(mac, 70);
    tx.set(HEAD, 278);
    tx[284] = state === S.SELECTING ? Msg.DISCOVER : Msg.REQUEST;
    tx.set(mac, 288);
    if (state === S.REQUESTING) {
      tx[294] = 50; tx[295] = tx[301] = 4; tx[300] = 54;
      wr32(tx, 296, offered);
      wr32(tx, 302, server);
      i = 306;
    }
    tx.set(tail, i);
    i += tail.length - 42;
    c.tx++;
    if (state !== S.SELECTING) c.requests++;
    udp.send(state === S.RENEWING ? server : K.BROADCAST, 67, 68, i < 300 ? 300 : i);
    if (state < S.BOUND) {
      due = now + Math.min(base * (1 << Math.min(tries++, 5)), 64000) + (random() * 2 - 1) * (base / 4);
    } else {
      var until = state === S.REBINDING ? endAt : t2At;
      due = Math.min(until, now + Math.max(base, (until - now) / 2));
    }
  }

  function newXid(): void {
    xid = (random() * 4294967296) >>> 0;
  }

  function restart(now: number): void {
    setAddress(0, 0, 0);   // (no change when already unbound: the mask and gateway are 0 then too)
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
      send(now);
    } else if (state < S.BOUND) {   // SELECTING, REQUESTING: retransmit, or give up
      if (state === S.SELECTING && fallback && tries >= maxTries) {
        state = S.FALLBACK;
        c.fallbacks++;
        setAddress(fallback.ip, fallback.mask, fallback.gateway);
      } else if (state === S.REQUESTING && tries >= 4) restart(now);
      else {
        c.retransmits++;
        send(now);
      }
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
        c[rebind ? "rebinds" : "renewals"]++;
      } else c.retransmits++;
      send(now);
    }
  }

  /** Reads the options at rx[i..end) into opts (slots as READ); false when the list is broken. */
  function parse(rx: Uint8Array, i: number, end: number): boolean {
    opts.fill(0);
    while (i < end) {
      var code = rx[i];
      if (code === 255) break;
      if (code === 0) { i++; continue; }
      var ol = rx[i + 1];
      var v = i + 2;
      if (!(v + ol <= end)) return false;   // also when the length byte itself is missing
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
    var other = rd32(rx, off + 4) !== xid;   // not our transaction, or not our hardware address
    for (var k = 0; k < 6; k++) if (rx[off + 28 + k] !== mac[k]) other = true;
    var drop = len < 240 || rd32(rx, off) >>> 8 !== K.BOOTREPLY || rd32(rx, off + 236) !== K.COOKIE ? "dropMalformed" :
      other ? "dropOther" : !parse(rx, off + 240, off + len) ? "dropMalformed" :
      !((ACCEPT[opts[0]] >> state) & 1) ? "dropOther" : "";
    if (drop) { c[drop]++; return; }
    var type = opts[0], sid = opts[1], lease = opts[3];
    var yi = rd32(rx, off + 16);
    var now = clock.now();
    if (type === Msg.NAK) {
      c.naks++;
      restart(now);
    } else if (yi === 0 || (type === Msg.OFFER ? sid === 0 : lease === 0 || (state === S.REQUESTING && sid !== 0 && sid !== server))) {
      c.dropMalformed++;
    } else if (type === Msg.OFFER) {
      c.offers++;
      offered = yi;
      server = sid;
      state = S.REQUESTING;
      tries = 0;
      send(now);
    } else {
      c.acks++;
      if (sid) server = sid;
      // T1 and T2 as given when they make sense, else 1/2 and 7/8 of the lease; infinite leases never end
      var t1 = opts[4], t2 = opts[5], ms = lease === K.BROADCAST ? Infinity : 1000;
      if (!(t1 > 0 && t1 <= lease)) t1 = lease / 2;
      if (!(t2 >= t1 && t2 <= lease)) t2 = lease * 7 / 8;
      state = S.BOUND;
      due = now + t1 * ms;
      t2At = now + Math.max(t1, t2) * ms;
      endAt = now + lease * ms;
      // without option 1 the classful mask of the address
      setAddress(yi, opts[2] || (-1 << (yi < 0x80000000 ? 24 : yi < 0xc0000000 ? 16 : 8)) >>> 0, opts[6]);
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
