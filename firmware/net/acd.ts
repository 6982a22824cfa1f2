// IPv4 address conflict detection (RFC 5227) for the DHCP client's leases and for any address
// in use.
//
// Probing (2.1): an address leased by DHCP is not used before W.DHCP_PROBE_MAX ARP probes
// (StackConfig.dhcpProbes, default 3: sender address 0.0.0.0, target the address) found nobody
// using it: the first after a random 0-1 s (PROBE_WAIT), the next 1-2 s apart (PROBE_MIN,
// PROBE_MAX), then ANNOUNCE_WAIT (2 s) before the address is taken (dhcpBind: setAddress
// announces it with one gratuitous ARP). Meanwhile any ARP packet whose sender address is the
// address, or a probe for it from another MAC (another host probing it), is a conflict: the
// offer is declined (DHCPDECLINE) and DHCP starts over after 10 s (RFC 2131 3.1.5), said on the
// console (StackConfig.log).
// Defence (2.4): an ARP packet from another MAC with our address as its sender is a conflict. The
// first is answered with an announcement (gratuitous ARP: option (b), defend once); another within
// DEFEND_INTERVAL (10 s) makes a DHCP client give the address up (option (a): address dropped,
// DHCPDECLINE, DHCP again after 10 s); a static address is kept (option (c)) and defended at most
// once per DEFEND_INTERVAL. Each is said on the console.
// (Only one announcement is sent, not RFC 5227's two ANNOUNCE_NUM: the second mostly refreshes
// caches that the first already updated; one frame less for a small board.)

import { Cnt } from "./counters";
import { Eth } from "./ethernet";
import { arpSend, Op, To } from "./arp";
import { formatIp, setAddress } from "./ipv4";
import { dhcpBind, dhcpRestart, dhcpTell, Msg, S } from "./dhcp";
import { AcdPart, St, T, W } from "./state";

const enum P {
  PROBE_WAIT_MS = 1000,
  PROBE_MIN_MS = 1000,
  PROBE_SPREAD_MS = 1000,     // PROBE_MAX - PROBE_MIN
  ANNOUNCE_WAIT_MS = 2000,
  DEFEND_INTERVAL_MS = 10000,
  RESTART_WAIT_MS = 10000,    // after a DECLINE (RFC 2131 3.1.5: at least 10 s)
  SHA = 22,                   // the ARP sender MAC in a frame (arp.ts, A.SHA)
}

var AGAIN = ", DHCP again in 10 s";

/** PROBING: ip is probed before it is used (the first probe after a random 0-1 s). */
export function acdStart(s: St, ip: number, now: number): void {
  var c = s.c;
  if (s.addr) setAddress(s, 0, 0, 0);   // (a renewal gave another address: the old one dropped)
  c[W.DHCP_STATE] = S.PROBING;
  c[W.PROBE_IP] = ip;
  c[W.DHCP_PROBES] = 0;
  s.t[T.DHCP_DUE] = now + s.rand() * P.PROBE_WAIT_MS;
}

/** The next probe, or the address taken after the last one's wait (from dhcpTick when due). */
export function acdTick(s: St, now: number): void {
  var c = s.c, n = c[W.DHCP_PROBES], max = c[W.DHCP_PROBE_MAX];
  if (n >= max) { dhcpBind(s, c[W.PROBE_IP]); return; }
  arpSend(s, Op.REQUEST, To.BROADCAST, c[W.PROBE_IP]);   // (our address is 0: a probe)
  c[W.DHCP_PROBES] = ++n;
  c[Cnt.DHCP_PROBES]++;
  s.t[T.DHCP_DUE] = now + (n < max ? P.PROBE_MIN_MS + s.rand() * P.PROBE_SPREAD_MS : P.ANNOUNCE_WAIT_MS);
}

/** Says on the console (StackConfig.log) that ip is in use by the sender of the ARP packet in rx, and what was done. */
function say(s: St, ip: number, what: string): void {
  var t = "ip: " + formatIp(ip) + " is in use by ";
  for (var i = 0; i < Eth.MAC_LEN; i++) t += (i ? ":" : "") + (0x100 + s.rx[P.SHA + i]).toString(16).substring(1);
  if (s.log) s.log(t + what);
}

/**
 * From arpInput, for a valid ARP packet in rx from another MAC (sender address spa, target tpa, operation op):
 * true when it was a conflict (handled here: the caller stops), false otherwise.
 */
export function acdArp(s: St, op: number, spa: number, tpa: number): boolean {
  var c = s.c, probe = c[W.PROBE_IP], addr = s.addr, now: number;
  // (our own frames, looped back, were ignored by arpInput)
  if (probe && (spa === probe || (spa === 0 && tpa === probe && op === Op.REQUEST))) {
    now = s.clock.now();
    c[Cnt.ARP_CONFLICTS]++;
    say(s, probe, ": declined" + AGAIN);
    dhcpRestart(s, now, P.RESTART_WAIT_MS);
    dhcpTell(s, Msg.DECLINE, probe);
    return true;
  }
  if (addr === 0 || spa !== addr) return false;
  now = s.clock.now();
  c[Cnt.ARP_CONFLICTS]++;
  var t = s.t[T.DHCP_DEFEND];
  if (t && now - t < P.DEFEND_INTERVAL_MS) {
    if (!c[W.DHCP_ON]) return true;   // a static address: kept, defended once per interval
    c[Cnt.DHCP_CONFLICTS]++;
    say(s, addr, " too: given up, declined" + AGAIN);
    dhcpRestart(s, now, P.RESTART_WAIT_MS);
    dhcpTell(s, Msg.DECLINE, addr);
    return true;
  }
  s.t[T.DHCP_DEFEND] = now;
  c[Cnt.DHCP_DEFENDED]++;
  say(s, addr, " too: defended");
  arpSend(s, Op.REQUEST, To.BROADCAST, addr);   // an announcement
  return true;
}

/** The part for createStackWith (stack.ts; the library's piece "acd", firmware/lib/eth-acd.ts). */
export var ACD: AcdPart = { start: acdStart, tick: acdTick, arp: acdArp };
