// Per-layer counters: plain objects of numbers, created once at start-up and only incremented.
// The HTTP status page can walk them with for-in. "drop*" names count frames dropped by reason.
// Only counters something reads (status page, tests) are kept: every name costs bundle bytes.
// Every layer starts with rx and tx; the other names follow in the order listed here ("-" stands
// for "drop").

export interface StackCounters {
  [layer: string]: { [name: string]: number };
}

var LAYERS = "eth txFail -Short -NotForUs -Type errors" +
  "|arp requestsOut repliesOut -Short -Malformed ignored conflicts hits misses held heldSent heldDropped notHeld retries giveUps expired evicted" +
  "|ip -Short -Version -Ihl -Length -Checksum -Fragment -Source -NotForUs -Proto options" +
  "|icmp echoOut rateLimited -Short -Checksum -Type ignoredBroadcast" +
  "|udp -Short -Length -Checksum noPort" +
  "|dhcp offers requests acks naks -Malformed -Other retransmits renewals rebinds expired restarts fallbacks";

export function createCounters(): StackCounters {
  var all: StackCounters = {};
  var layers = LAYERS.split("|");
  for (var i = 0; i < layers.length; i++) {
    var names = layers[i].split(" ");
    var layer = all[names[0]] = { rx: 0, tx: 0 } as { [name: string]: number };
    for (var k = 1; k < names.length; k++) layer[names[k].replace("-", "drop")] = 0;
  }
  return all;
}
