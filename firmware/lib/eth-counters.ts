// The "counters" piece of the library module: the names of the IP stack's counters
// (firmware/net/counters.ts), so that eth.stack.counters reads { eth: { rx, tx, dropShort, ... },
// arp: {...}, ip: {...}, icmp: {...}, udp: {...}, dhcp: {...} } on the console. Without it the
// stack counts all the same, and eth.stack.counters gives the counts in their order
// ({ counts, names: "make image PIECES=+counters" }); getStatus() needs no names. A build
// includes it when the app's source reads .counters (tools/pieces.ts) or names it: about 0.8 KB
// of flash.

import { counterNames } from "../net/counters";
import { NET_PARTS } from "./eth";

/** Installs the piece (the module's entry calls it once). */
export function installCounters(): void {
  NET_PARTS.names = counterNames;
}
