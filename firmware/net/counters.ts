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
  ICMP_RX, ICMP_TX, ICMP_ECHO_OUT, ICMP_RATE_LIMITED, ICMP_DROP_SHORT, ICMP_DROP_CHECKSUM, ICMP_DROP_TYPE,
  ICMP_IGNORED_BROADCAST,
  UDP_RX, UDP_TX, UDP_DROP_SHORT, UDP_DROP_LENGTH, UDP_DROP_CHECKSUM, UDP_NO_PORT,
  DHCP_RX, DHCP_TX, DHCP_OFFERS, DHCP_REQUESTS, DHCP_ACKS, DHCP_NAKS, DHCP_DROP_MALFORMED, DHCP_DROP_OTHER,
  DHCP_RETRANSMITS, DHCP_RENEWALS, DHCP_REBINDS, DHCP_EXPIRED, DHCP_RESTARTS, DHCP_FALLBACKS,
  COUNT,
}

/** The counters as the console and the status page see them: { layer: { name: value } }. */
export interface StackCounters {
  [layer: string]: { [name: string]: number };
}

/**
 * The counters named: layers separated by "|", each "<layer> <name>..." after the implicit rx
 * and tx ("-" stands for "drop"), in the order of Cnt. Built per read (the literal lives in the
 * function body, so in flash on a board): a snapshot, not live.
 */
export function counterNames(counts: Uint32Array): StackCounters {
  var layers = ("eth txFail -Short -NotForUs -Type errors" +
    "|arp requestsOut repliesOut -Short -Malformed ignored conflicts hits misses held heldSent heldDropped notHeld retries giveUps expired evicted" +
    "|ip -Short -Version -Ihl -Length -Checksum -Fragment -Source -NotForUs -Proto options" +
    "|icmp echoOut rateLimited -Short -Checksum -Type ignoredBroadcast" +
    "|udp -Short -Length -Checksum noPort" +
    "|dhcp offers requests acks naks -Malformed -Other retransmits renewals rebinds expired restarts fallbacks").split("|");
  var all: StackCounters = {}, at = 0;
  for (var i = 0; i < layers.length; i++) {
    var names = layers[i].split(" ");
    var layer = all[names[0]] = { rx: counts[at++], tx: counts[at++] } as { [name: string]: number };
    for (var k = 1; k < names.length; k++) layer[names[k].replace("-", "drop")] = counts[at++];
  }
  return all;
}
