// Per-layer counters: the first Cnt.COUNT words of the stack's one Uint32Array (s.c, state.ts;
// flat memory: a few variables on Espruino, where an object of 70 named numbers costs about 150),
// incremented in place as
// c[Cnt.IP_DROP_CHECKSUM]++ (a const enum: tsc writes the index in place, no name reaches the
// bundle). Their names exist only while someone reads them: Stack.counters builds the familiar
// { layer: { name: value } } object on each read (status page, console, tests), from the name
// list below, which lists the layers and their names in the order of Cnt. "drop*" names count
// frames dropped by reason; every layer starts with rx and tx.

import { convolve } from "../../hal/natives";

/** The counter indexes, layer by layer, in the order of the names in counterNames(). */
export const enum Cnt {
  ETH_RX, ETH_TX, ETH_TX_FAIL, ETH_DROP_SHORT, ETH_DROP_NOT_FOR_US, ETH_DROP_TYPE, ETH_ERRORS,
  ARP_RX, ARP_TX, ARP_REQUESTS_OUT, ARP_REPLIES_OUT, ARP_DROP_SHORT, ARP_DROP_MALFORMED, ARP_IGNORED,
  ARP_CONFLICTS, ARP_HITS, ARP_MISSES, ARP_HELD, ARP_HELD_SENT, ARP_HELD_DROPPED, ARP_NOT_HELD,
  ARP_RETRIES, ARP_GIVE_UPS, ARP_EXPIRED, ARP_EVICTED,
  IP_RX, IP_TX, IP_DROP_SHORT, IP_DROP_VERSION, IP_DROP_IHL, IP_DROP_LENGTH, IP_DROP_CHECKSUM,
  IP_DROP_FRAGMENT, IP_DROP_SOURCE, IP_DROP_NOT_FOR_US, IP_DROP_PROTO, IP_OPTIONS,
  IP_DROP_LINK_BCAST, IP_FRAGMENTS, IP_REASSEMBLED, IP_DROP_FRAG_BAD, IP_DROP_FRAG_BIG, IP_DROP_FRAG_OVERLAP,
  IP_DROP_FRAG_TIMEOUT, IP_DROP_FRAG_EVICTED,
  ICMP_RX, ICMP_TX, ICMP_ECHO_OUT, ICMP_RATE_LIMITED, ICMP_DROP_SHORT, ICMP_DROP_CHECKSUM, ICMP_DROP_TYPE,
  ICMP_IGNORED_BROADCAST, ICMP_TIME_EXCEEDED,
  UDP_RX, UDP_TX, UDP_DROP_SHORT, UDP_DROP_LENGTH, UDP_DROP_CHECKSUM, UDP_NO_PORT,
  DHCP_RX, DHCP_TX, DHCP_OFFERS, DHCP_REQUESTS, DHCP_ACKS, DHCP_NAKS, DHCP_DROP_MALFORMED, DHCP_DROP_OTHER,
  DHCP_RETRANSMITS, DHCP_RENEWALS, DHCP_REBINDS, DHCP_EXPIRED, DHCP_RESTARTS, DHCP_FALLBACKS,
  DHCP_PROBES, DHCP_DECLINES, DHCP_RELEASES, DHCP_REBOOTS, DHCP_DEFENDED, DHCP_CONFLICTS,
  COUNT,
}

/** The counters as the console and the status page see them: { layer: { name: value } }. */
export interface StackCounters {
  [layer: string]: { [name: string]: number };
}

/**
 * The counter names, in the order of Cnt, one word each: a layer's name ends with ":" (its rx and
 * tx follow, implicit), "-" stands for "drop". (A literal in a function body: in flash on a board.)
 */
function counterText(): string {
  return "eth: txFail -Short -NotForUs -Type errors" +
    " arp: requestsOut repliesOut -Short -Malformed ignored conflicts hits misses held heldSent heldDropped notHeld retries giveUps expired evicted" +
    " ip: -Short -Version -Ihl -Length -Checksum -Fragment -Source -NotForUs -Proto options" +
    " -LinkBroadcast fragments reassembled -FragBad -FragTooBig -FragOverlap -FragTimeout -FragEvicted" +
    " icmp: echoOut rateLimited -Short -Checksum -Type ignoredBroadcast timeExceeded" +
    " udp: -Short -Length -Checksum noPort" +
    " dhcp: offers requests acks naks -Malformed -Other retransmits renewals rebinds expired restarts fallbacks" +
    " probes declines releases reboots defended conflicts";
}

/** The counters named: a snapshot built per read, not live (about 130 variables on Espruino while
 * it is held: the console and tests; the status page uses eachDrop). */
export function counterNames(counts: Uint32Array): StackCounters {
  var words = counterText().split(" ");
  var all: StackCounters = {}, layer: { [name: string]: number } = {}, at = 0;
  for (var k = 0; k < words.length; k++) {
    var w = words[k];
    if (w.charAt(w.length - 1) === ":") layer = all[w.substring(0, w.length - 1)] = { rx: counts[at++], tx: counts[at++] };
    else layer[w.replace("-", "drop")] = counts[at++];
  }
  return all;
}

// The "drop" counters (their word starts with "-"), in order: pairs of [counter index, where its
// word starts in counterText() after the "-"]; the layer's word is found from there with two
// native searches. And a mask: 1 at each drop counter's index, 0 elsewhere, so that one native
// call (convolve) adds up all the drop counters: when they are all zero (the usual case) nothing
// else is read. Made once, by dropIndex(), which an app that shows the drops calls at boot
// (firmware/app/app.ts): nothing is allocated at the first status request (issue #12; made then,
// its 36 variables showed as growth after the first load). A program that never names the drops
// does not contain it.
var drops: Uint16Array | null = null;
var dropMask: Uint8Array | null = null;

/**
 * Calls fn(layer, name, value) for each non-zero "drop" counter, in order, without building the
 * snapshot (for the status page): one native sum of them all first, then one check per drop
 * counter up to the last non-zero one, and for a non-zero one four native searches and
 * substrings. counts null: only makes the index (dropIndex). (One function with the text:
 * terser writes counterText()'s literal into each caller.)
 */
export function eachDrop(counts: Uint32Array | null, fn?: (layer: string, name: string, n: number) => void): void {
  var text = counterText(), k: number, at: number, end: number, l: number, d = drops, left: number;
  if (!d) {
    for (k = 0, at = text.indexOf(" -"); at >= 0; at = text.indexOf(" -", at + 1)) k++;
    d = drops = new Uint16Array(2 * k);
    dropMask = new Uint8Array(Cnt.COUNT);
    for (at = 0, l = 0, k = 0; l < Cnt.COUNT && at < text.length; at = end + 1) {
      end = text.indexOf(" ", at);
      if (end < 0) end = text.length;
      if (text.charAt(end - 1) === ":") { l += 2; continue; }   // a layer: its rx and tx (l: the counter)
      if (text.charAt(at) === "-") { d[k++] = l; d[k++] = at + 1; dropMask[l] = 1; }
      l++;
    }
  }
  if (!counts) return;
  // what the drop counters add up to; each one named takes its count off
  left = convolve(dropMask!, counts, 0);
  for (k = 0; left > 0 && k < d.length; k += 2) {
    if (!counts[d[k]]) continue;
    left -= counts[d[k]];
    at = d[k + 1];   // (the word after its "-")
    end = text.indexOf(" ", at);
    l = text.lastIndexOf(":", at);   // the end of its layer's word
    fn!(text.substring(text.lastIndexOf(" ", l) + 1, l), "drop" + text.substring(at, end < 0 ? text.length : end), counts[d[k]]);
  }
}

/** Makes the drop counters' index now (at boot), once: 2 x 28 numbers and a mask of 80 in typed arrays. */
export function dropIndex(): void {
  eachDrop(null);
}
