// Per-layer counters: the first Cnt.COUNT words of the stack's one Uint32Array (s.c, state.ts;
// flat memory: a few variables on Espruino, where an object of 70 named numbers costs about 150),
// incremented in place as
// c[Cnt.IP_DROP_CHECKSUM]++ (a const enum: tsc writes the index in place, no name reaches the
// bundle). Their names exist only while someone reads them: Stack.counters builds the familiar
// { layer: { name: value } } object on each read (status page, console, tests), from the name
// list below, which lists the layers and their names in the order of Cnt. "drop*" names count
// frames dropped by reason; every layer starts with rx and tx.

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

// The "drop" counters, in order, and where each counter's word (+ 1) and its layer's word start
// in counterText() (0: rx or tx, no word): made on the first eachDrop (a program that does not
// call it does not contain them), so that a non-zero drop is named without a walk over the words.
var drops: Uint8Array | undefined, wordAt: Uint16Array, layerAt: Uint16Array;

/**
 * Calls fn(layer, name, value) for each non-zero "drop" counter, in order, without building the
 * snapshot (for the status page): one check per drop counter, and for a non-zero one two native
 * substrings (the words' places are found once, at the first call).
 */
export function eachDrop(counts: Uint32Array, fn: (layer: string, name: string, n: number) => void): void {
  var text = counterText(), k: number, want: number, at: number, end: number, i: number, l = 0;
  if (!drops) {
    wordAt = new Uint16Array(Cnt.COUNT);
    layerAt = new Uint16Array(Cnt.COUNT);
    for (at = 0, i = 0; i < Cnt.COUNT && at < text.length; at = end + 1) {
      end = text.indexOf(" ", at);
      if (end < 0) end = text.length;
      if (text.charAt(end - 1) === ":") { l = at; i += 2; }   // a layer: its rx and tx
      else { wordAt[i] = at + 1; layerAt[i++] = l; }
    }
    drops = new Uint8Array([Cnt.ETH_DROP_SHORT, Cnt.ETH_DROP_NOT_FOR_US, Cnt.ETH_DROP_TYPE,
      Cnt.ARP_DROP_SHORT, Cnt.ARP_DROP_MALFORMED, Cnt.IP_DROP_SHORT, Cnt.IP_DROP_VERSION, Cnt.IP_DROP_IHL,
      Cnt.IP_DROP_LENGTH, Cnt.IP_DROP_CHECKSUM, Cnt.IP_DROP_FRAGMENT, Cnt.IP_DROP_SOURCE, Cnt.IP_DROP_NOT_FOR_US,
      Cnt.IP_DROP_PROTO, Cnt.IP_DROP_LINK_BCAST, Cnt.IP_DROP_FRAG_BAD, Cnt.IP_DROP_FRAG_BIG, Cnt.IP_DROP_FRAG_OVERLAP,
      Cnt.IP_DROP_FRAG_TIMEOUT, Cnt.IP_DROP_FRAG_EVICTED, Cnt.ICMP_DROP_SHORT, Cnt.ICMP_DROP_CHECKSUM, Cnt.ICMP_DROP_TYPE, Cnt.UDP_DROP_SHORT,
      Cnt.UDP_DROP_LENGTH, Cnt.UDP_DROP_CHECKSUM, Cnt.DHCP_DROP_MALFORMED, Cnt.DHCP_DROP_OTHER]);
  }
  for (k = 0; k < drops.length; k++) {
    want = drops[k];
    if (!counts[want] || !wordAt[want]) continue;
    at = wordAt[want];   // (the word after its "-")
    end = text.indexOf(" ", at);
    fn(text.substring(layerAt[want], text.indexOf(":", layerAt[want])), "drop" + text.substring(at, end < 0 ? text.length : end), counts[want]);
  }
}
