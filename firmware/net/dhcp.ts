// DHCP client (RFC 2131), driven by Stack.tick() and the UDP port-68 binding.
//
// INIT -> (DISCOVER) SELECTING -> OFFER -> (REQUEST) REQUESTING -> ACK -> PROBING -> BOUND
// INIT with the last lease's address (StackConfig.lastIp) -> (REQUEST, option 50, no server id)
//   REBOOTING (INIT-REBOOT, RFC 2131 3.2) -> ACK -> PROBING; NAK or no answer after 2 REQUESTs:
//   INIT (DISCOVER).
// PROBING (acd.ts, RFC 5227 2.1): ARP probes for the address; a conflict -> DHCPDECLINE, INIT
//   again after 10 s (RFC 2131 3.1.5); none -> BOUND, the address taken and announced.
// BOUND -> at T1: RENEWING (REQUEST unicast to the server, ciaddr set)
//       -> at T2: REBINDING (REQUEST broadcast) -> at lease end: address dropped, INIT.
// NAK in REQUESTING/RENEWING/REBINDING: address dropped, back to INIT (DISCOVER at the next tick).
// A conflict on the bound address (acd.ts, RFC 5227 2.4): defended once; a second one within
// 10 s -> address dropped, DHCPDECLINE, INIT after 10 s.
// Stack.stop() -> (DHCPRELEASE unicast to the server when a lease is held) STOPPED.
// Retransmission: base, 2*base, 4*base ... capped at 64 s, each randomized by +-base/4
// (base 4 s: 4, 8, 16 s +-1 s as RFC 2131 4.1 suggests); in RENEWING/REBINDING half the time
// left to T2 / lease end, at least base. REQUESTING gives up after 4 REQUESTs (back to INIT).
// After `dhcpTries` DISCOVERs without an offer, a configured dhcpFallback address is taken and
// the client stops (state "fallback"); without a fallback it keeps trying forever.
// Options sent: 53, 61 (client id: type 1 + MAC), 50/54 in the REQUEST that takes an offer
// (RFC 2131 4.3.2, "SELECTING state"; our state REQUESTING), 12 hostname, 55, 57.
// DECLINE: 50 and 54 (ciaddr 0, broadcast); RELEASE: 54 (ciaddr set, unicast); neither carries
// 12, 55 or 57 (RFC 2131 table 5).
// Messages: dhcp-msg.ts. Options read: 53, 54, 1, 3, 6 (the first DNS server: stackDnsServer), 51, 58, 59; option lengths are checked and a broken option list
// drops the message (dhcp.dropMalformed). The client waits for link-up before its first DISCOVER.

import { Cnt } from "./counters";
import { rd32 } from "./bytes";
import { Eth } from "./ethernet";
import { Addr, IpSend, setAddress } from "./ipv4";
import { udpBind, udpSend, udpUnbind } from "./udp";
import { AcdPart, By, DhcpFallback, St, T, W } from "./state";
import { Opt, B, Slot, Len, TAIL, Tail, dhcpBuild, dhcpParse } from "./dhcp-msg";
import { stringToBytes } from "../../hal/natives";

export interface DhcpConfig {
  hostname?: string;
  /** The largest IP datagram we take (option 57, at least 576). Default 1500. */
  mtu?: number;
  dhcpFallback?: DhcpFallback | null;
  dhcpTries?: number;
  dhcpBaseMs?: number;
  random?: () => number;
  /** The address of the last lease (the application keeps it, e.g. in Storage): asked for first
   * after a restart (INIT-REBOOT). */
  lastIp?: number;
  /** ARP probes of a leased address before it is used (RFC 5227: 3, the default; 0: none; none
   *  either without the stack's acd part, state.ts Parts). */
  dhcpProbes?: number;
}

// Numeric constants as const enums: tsc writes the numbers in place, nothing reaches the bundle.
export const enum S { INIT, SELECTING, REQUESTING, REBOOTING, PROBING, BOUND, RENEWING, REBINDING, FALLBACK, RELEASING, STOPPED }
/** DHCP message types (option 53, RFC 2132 9.6). */
/** dhcpState()'s words: each in a field of this many characters. */
const enum Dw { WIDTH = 10 }
export const enum Msg { DISCOVER = 1, OFFER = 2, REQUEST = 3, DECLINE = 4, ACK = 5, NAK = 6, RELEASE = 7 }
const enum K {
  SERVER_PORT = 67,
  CLIENT_PORT = 68,
  MIN_MSG = 576,                        // its smallest valid value (RFC 2132 9.10)
  HOSTNAME_MAX = 63,
  LEASE_INFINITE = 0xffffffff,          // a lease time of all ones never ends (RFC 2131 3.3)
  MAX_RTO_MS = 64000,                   // retransmission timeouts grow to this (RFC 2131 4.1)
  MAX_DOUBLINGS = 5,                    // (base 4 s: 4, 8, 16, 32, 64 s)
  REQUEST_TRIES = 4,                    // REQUESTs in REQUESTING before starting over
  REBOOT_TRIES = 2,                     // REQUESTs in REBOOTING before a DISCOVER (4 + 8 s)
  DEFAULT_PROBES = 3,                   // RFC 5227 PROBE_NUM
  RELEASE_WAIT_MS = 1000,               // a RELEASE waiting for the server's MAC: the address kept this long
  DEFAULT_BASE_MS = 4000,
  DEFAULT_TRIES = 4,
  CLASS_B = 0x80000000,                 // first address of class B (128.0.0.0), then C (192.0.0.0)
  CLASS_C = 0xc0000000,
  XID_RANGE = 4294967296,               // transaction ids: 0 .. 2^32 - 1
}
// The message's layout, the option tables, building and reading a message: dhcp-msg.ts.
// By message type, the states (one bit each) in which it is accepted: OFFER when SELECTING;
// ACK and NAK when REQUESTING, REBOOTING, RENEWING or REBINDING.
var ANSWERING = (1 << S.REQUESTING) | (1 << S.REBOOTING) | (1 << S.RENEWING) | (1 << S.REBINDING);
var ACCEPT = new Uint16Array([0, 0, /* OFFER */ 1 << S.SELECTING, 0, 0, /* ACK */ ANSWERING, /* NAK */ ANSWERING]);

/** Starts the DHCP client on the stack: the closing options (12 hostname, at most 63 bytes, low 8
 * bits of each char, + TAIL) built once in s.b; port 68 bound. */
export function dhcpStart(s: St, cfg: DhcpConfig): void {
  var c = s.c, b = s.b;
  var name = (cfg.hostname || "").substring(0, K.HOSTNAME_MAX);
  var nameLen = name ? 2 + name.length : 0;   // code, length, the name
  var maxMsg = cfg.mtu && cfg.mtu >= K.MIN_MSG && cfg.mtu < Len.MAX_MSG ? cfg.mtu : Len.MAX_MSG;
  s.rand = cfg.random || Math.random;
  s.fall = cfg.dhcpFallback;
  c[W.DHCP_BASE] = cfg.dhcpBaseMs || K.DEFAULT_BASE_MS;
  c[W.DHCP_MAX_TRIES] = cfg.dhcpTries || K.DEFAULT_TRIES;
  // (no probes without the acd part: the stack's Parts, state.ts)
  c[W.DHCP_PROBE_MAX] = !s.pt.acd ? 0 : cfg.dhcpProbes === undefined ? K.DEFAULT_PROBES : cfg.dhcpProbes;
  c[W.DHCP_LAST] = cfg.lastIp || 0;
  if (name) {
    b[By.DHCP_TAIL] = Opt.HOSTNAME;
    b[By.DHCP_TAIL + 1] = name.length;
    b.set(stringToBytes(name), By.DHCP_TAIL + 2);   // (the low 8 bits of each char)
  }
  b.set(TAIL, By.DHCP_TAIL + nameLen);
  b[By.DHCP_TAIL + nameLen + Tail.MAX_SIZE_VALUE] = maxMsg >> 8;
  b[By.DHCP_TAIL + nameLen + Tail.MAX_SIZE_VALUE + 1] = maxMsg;
  c[W.DHCP_TAIL_LEN] = nameLen + TAIL.length;
  c[W.DHCP_ON] = 1;
  // from the start, also after stop() or a lease: INIT, due at the next tick
  c[W.DHCP_STATE] = S.INIT;
  s.t[T.DHCP_DUE] = 0;
  udpBind.call(s, K.CLIENT_PORT, dhcpInput);
}

/** Stops the client without a word on the wire (a static address follows): port 68 unbound. */
export function dhcpOff(s: St): void {
  if (!s.c[W.DHCP_ON]) return;
  s.c[W.DHCP_ON] = 0;
  udpUnbind.call(s, K.CLIENT_PORT);
}

/** Stack.dhcpState (`this`: the stack): the client's state, or "static". */
export function dhcpState(this: St): string {
  // (the words 10 characters apart, as S numbers them: one substring, no array of eleven words
  // made at each call, as a status page asks at every request)
  return this.c[W.DHCP_ON] ?
    "init      selecting requestingrebooting probing   bound     renewing  rebinding fallback  releasing stopped".substr(this.c[W.DHCP_STATE] * Dw.WIDTH, Dw.WIDTH).trim() : "static";
}


/**
 * Sends the message the state calls for: DISCOVER (SELECTING), REQUEST with options 50/54
 * (REQUESTING), with option 50 only (REBOOTING), with ciaddr unicast to the server (RENEWING) or
 * broadcast (REBINDING). Our address is 0 before BOUND.
 * Then schedules the next one: SELECTING, REQUESTING, REBOOTING back off (base, 2 base, 4 base
 * ... at most 64 s, +-base/4 of jitter; tries counts the messages); RENEWING, REBINDING try again
 * after half the time left to T2 / the lease end, at least base.
 */
function dhcpSend(s: St, now: number): void {
  var c = s.c, t = s.t, state = c[W.DHCP_STATE], base = c[W.DHCP_BASE];
  var len = dhcpBuild(s, state === S.SELECTING ? Msg.DISCOVER : Msg.REQUEST, s.addr,
    state === S.REQUESTING || state === S.REBOOTING ? c[W.DHCP_OFFERED] : 0,
    state === S.REQUESTING ? c[W.DHCP_SERVER] : 0, true);
  if (state !== S.SELECTING) c[Cnt.DHCP_REQUESTS]++;
  udpSend.call(s, state === S.RENEWING ? c[W.DHCP_SERVER] : Addr.BROADCAST, K.SERVER_PORT, K.CLIENT_PORT, len);
  if (state < S.PROBING) {
    t[T.DHCP_DUE] = now + Math.min(base * (1 << Math.min(c[W.DHCP_TRIES]++, K.MAX_DOUBLINGS)), K.MAX_RTO_MS) +
      (s.rand() * 2 - 1) * (base / 4);
  } else {
    var until = state === S.REBINDING ? t[T.DHCP_END] : t[T.DHCP_T2];
    t[T.DHCP_DUE] = Math.min(until, now + Math.max(base, (until - now) / 2));
  }
}

/** DHCPDECLINE of ip (broadcast, from 0.0.0.0: call it without an address) or DHCPRELEASE of
 * our address (unicast to the server); the result of the send. */
export function dhcpTell(s: St, type: Msg.DECLINE | Msg.RELEASE, ip: number): IpSend {
  var c = s.c, decline = type === Msg.DECLINE;
  var len = dhcpBuild(s, type, decline ? 0 : ip, decline ? ip : 0, c[W.DHCP_SERVER], false);
  c[decline ? Cnt.DHCP_DECLINES : Cnt.DHCP_RELEASES]++;
  return udpSend.call(s, decline ? Addr.BROADCAST : c[W.DHCP_SERVER], K.SERVER_PORT, K.CLIENT_PORT, len);
}

/** BOUND: the leased address (probed, or renewed) is taken, with the lease's mask and router. */
export function dhcpBind(s: St, ip: number): void {
  var c = s.c;
  c[W.DHCP_STATE] = S.BOUND;
  c[W.PROBE_IP] = 0;
  s.t[T.DHCP_DUE] = s.t[T.DHCP_T1];
  setAddress(s, ip, c[W.DHCP_MASK], c[W.DHCP_ROUTER]);
}

/** Drops the address and starts over (DISCOVER at the tick `delay` ms from now). */
export function dhcpRestart(s: St, now: number, delay: number): void {
  setAddress(s, 0, 0, 0);   // (no change when already unbound: the mask and gateway are 0 then too)
  s.c[W.DHCP_STATE] = S.INIT;
  s.c[W.PROBE_IP] = 0;
  s.t[T.DHCP_DUE] = now + delay;
  s.c[Cnt.DHCP_RESTARTS]++;
}

/** Stack.stop (`this`: the stack): a DHCP lease held is released (DHCPRELEASE unicast to its
 * server; when the server's MAC must be resolved first, the address is dropped at the tick after
 * the RELEASE left, at most 1 s later) and the client stops (state "stopped"); a static address
 * is dropped. */
export function dhcpStop(this: St): void {
  var s = this, c = s.c, state = c[W.DHCP_STATE];
  c[W.PROBE_IP] = 0;
  if (!c[W.DHCP_ON]) { setAddress(s, 0, 0, 0); return; }
  c[W.DHCP_STATE] = S.STOPPED;
  if (state >= S.BOUND && state <= S.REBINDING && s.addr &&
    dhcpTell(s, Msg.RELEASE, s.addr) === IpSend.PENDING_ARP) {
    c[W.DHCP_STATE] = S.RELEASING;
    s.t[T.DHCP_DUE] = s.clock.now() + K.RELEASE_WAIT_MS;
  } else setAddress(s, 0, 0, 0);
}

/** When dhcpTick() next has work (ms; Infinity: never, until a message or the link changes it). */
export function dhcpDue(s: St): number {
  var state = s.c[W.DHCP_STATE];
  if (state === S.FALLBACK || state === S.STOPPED || (state === S.INIT && !s.linkUp)) return Infinity;
  if (state === S.RELEASING && !s.c[W.HOLD_LEN]) return 0;   // the RELEASE has left
  return s.t[T.DHCP_DUE];
}

/** The client's timers: the first DISCOVER (or INIT-REBOOT REQUEST), retransmissions, probes,
 * fallback, renewing, rebinding, expiry, the end of a RELEASE. */
export function dhcpTick(s: St, now: number): void {
  var c = s.c, state = c[W.DHCP_STATE], fallback = s.fall;
  if (state === S.RELEASING && !c[W.HOLD_LEN]) s.t[T.DHCP_DUE] = now;   // the RELEASE left the ARP hold buffer
  if (now < s.t[T.DHCP_DUE] || state === S.FALLBACK || state === S.STOPPED) return;
  if (state === S.INIT) {
    if (!s.linkUp) return;
    c[W.DHCP_XID] = (s.rand() * K.XID_RANGE) >>> 0;   // a new transaction
    c[W.DHCP_TRIES] = 0;
    c[W.DHCP_STATE] = S.SELECTING;
    if (c[W.DHCP_LAST]) {   // INIT-REBOOT, once
      c[W.DHCP_OFFERED] = c[W.DHCP_LAST];
      c[W.DHCP_LAST] = 0;
      c[W.DHCP_STATE] = S.REBOOTING;
      c[Cnt.DHCP_REBOOTS]++;
    }
    dhcpSend(s, now);
  } else if (state === S.PROBING) (s.pt.acd as AcdPart).tick(s, now);
  else if (state === S.RELEASING) {
    c[W.DHCP_STATE] = S.STOPPED;
    setAddress(s, 0, 0, 0);
  } else if (state < S.PROBING) {   // SELECTING, REQUESTING, REBOOTING: retransmit, or give up
    if (state === S.SELECTING && fallback && c[W.DHCP_TRIES] >= c[W.DHCP_MAX_TRIES]) {
      c[W.DHCP_STATE] = S.FALLBACK;
      c[Cnt.DHCP_FALLBACKS]++;
      setAddress(s, fallback.ip, fallback.mask, fallback.gateway);
    } else if (state !== S.SELECTING && c[W.DHCP_TRIES] >= (state === S.REBOOTING ? K.REBOOT_TRIES : K.REQUEST_TRIES)) {
      dhcpRestart(s, now, 0);
    } else {
      c[Cnt.DHCP_RETRANSMITS]++;
      dhcpSend(s, now);
    }
  } else {                        // BOUND at T1, RENEWING (until T2), REBINDING (until the lease ends)
    var rebind = state === S.REBINDING || (state === S.RENEWING && now >= s.t[T.DHCP_T2]);
    if (rebind && now >= s.t[T.DHCP_END]) {
      c[Cnt.DHCP_EXPIRED]++;
      dhcpRestart(s, now, 0);
      return;
    }
    var next = rebind ? S.REBINDING : S.RENEWING;
    if (state !== next) {
      c[W.DHCP_STATE] = next;
      c[W.DHCP_XID] = (s.rand() * K.XID_RANGE) >>> 0;
      c[rebind ? Cnt.DHCP_REBINDS : Cnt.DHCP_RENEWALS]++;
    } else c[Cnt.DHCP_RETRANSMITS]++;
    dhcpSend(s, now);
  }
}


/** The UDP handler of port 68 (s: the stack, passed last by udpInput). One check and one counter
 * per reason to drop, in this order. */
function dhcpInput(src: number, srcPort: number, rx: Uint8Array, off: number, len: number, s: St): void {
  var c = s.c, mac = s.netif.mac, state = c[W.DHCP_STATE];
  c[Cnt.DHCP_RX]++;
  // (Fields first, then the checks: see "Drops" in README.md. The options of a message
  // dropped for another reason are parsed in vain; nothing else uses them.)
  var other = rd32(rx, off + B.XID) !== c[W.DHCP_XID];   // not our transaction, or not our hardware address
  for (var k = 0; k < Eth.MAC_LEN; k++) if (rx[off + B.CHADDR + k] !== mac[k]) other = true;
  var optionsOk = dhcpParse(s, rx, off + B.OPTIONS, off + len);
  var type = c[W.DHCP_OPTS + Slot.TYPE], sid = c[W.DHCP_OPTS + Slot.SERVER], lease = c[W.DHCP_OPTS + Slot.LEASE];
  var yi = rd32(rx, off + B.YIADDR);
  var now = s.clock.now();
  var t1 = c[W.DHCP_OPTS + Slot.T1], t2 = c[W.DHCP_OPTS + Slot.T2], ms = lease === K.LEASE_INFINITE ? Infinity : 1000;
  // without option 1 the mask of the address's class: A (0/1) /8, B (128/2) /16, else /24
  var hostBits = yi < K.CLASS_B ? 24 : yi < K.CLASS_C ? 16 : 8;
  if (len < B.OPTIONS ||
    rx[off + B.OP] !== B.BOOTREPLY || rx[off + B.HTYPE] !== B.HTYPE_ETHERNET || rx[off + B.HLEN] !== Eth.MAC_LEN ||
    rd32(rx, off + B.COOKIE) !== B.COOKIE_VALUE) { c[Cnt.DHCP_DROP_MALFORMED]++; return; }
  if (other) { c[Cnt.DHCP_DROP_OTHER]++; return; }
  if (!optionsOk) { c[Cnt.DHCP_DROP_MALFORMED]++; return; }
  // a message type this state does not expect (or no option 53 at all)
  if (!((ACCEPT[type] >> state) & 1)) { c[Cnt.DHCP_DROP_OTHER]++; return; }
  if (type === Msg.NAK) {
    c[Cnt.DHCP_NAKS]++;
    dhcpRestart(s, now, 0);
    return;
  }
  // OFFER and ACK carry an address; an OFFER names its server, an ACK gives a lease, and in
  // REQUESTING an ACK naming another server than the one chosen is refused.
  if (yi === 0 ||
    (type === Msg.OFFER && sid === 0) ||
    (type !== Msg.OFFER && lease === 0) ||
    (type !== Msg.OFFER && state === S.REQUESTING && sid !== 0 && sid !== c[W.DHCP_SERVER])) { c[Cnt.DHCP_DROP_MALFORMED]++; return; }
  if (type === Msg.OFFER) {
    c[Cnt.DHCP_OFFERS]++;
    c[W.DHCP_OFFERED] = yi;
    c[W.DHCP_SERVER] = sid;
    c[W.DHCP_STATE] = S.REQUESTING;
    c[W.DHCP_TRIES] = 0;
    dhcpSend(s, now);
  } else {
    c[Cnt.DHCP_ACKS]++;
    if (sid) c[W.DHCP_SERVER] = sid;
    // T1 and T2 as given when they make sense, else 1/2 and 7/8 of the lease; infinite leases never end
    if (!(t1 > 0 && t1 <= lease)) t1 = lease / 2;
    if (!(t2 >= t1 && t2 <= lease)) t2 = lease * 7 / 8;
    s.t[T.DHCP_T1] = now + t1 * ms;
    s.t[T.DHCP_T2] = now + Math.max(t1, t2) * ms;
    s.t[T.DHCP_END] = now + lease * ms;
    c[W.DHCP_MASK] = c[W.DHCP_OPTS + Slot.MASK] || (-1 << hostBits) >>> 0;
    c[W.DHCP_ROUTER] = c[W.DHCP_OPTS + Slot.ROUTER];
    c[W.DHCP_DNS] = c[W.DHCP_OPTS + Slot.DNS];
    // A renewed address is kept; a new one is probed first (RFC 2131 3.1.5, RFC 5227).
    if (yi === s.addr || !c[W.DHCP_PROBE_MAX]) dhcpBind(s, yi);
    else (s.pt.acd as AcdPart).start(s, yi, now);
  }
}
