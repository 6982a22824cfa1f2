// The "counters" piece of the library module: the names of the counters, so that on the console
// eth.stack.counters reads { eth: { rx, tx, dropShort, ... }, arp: {...}, ip: {...}, icmp: {...},
// udp: {...}, dhcp: {...} } (firmware/net/counters.ts), eth.tcp.counters { segIn, segOut, ... }
// (firmware/tcp/state.ts) and eth.driver.counters { rxFrames, ... } (drivers/enc28j60/driver.ts).
// Without it they count all the same, and each gives the counts in their order
// ({ counts, names: "make image PIECES=+counters" }); getStatus() needs no names. A build
// includes it when the app's source reads .counters (tools/pieces.ts) or names it: about 1.5 KB
// of flash.

import { counterNames } from "../net/counters";
import { counterNames as tcpCounterNames } from "../tcp/tcp";
import { driverCounterNames } from "../../drivers/enc28j60/driver";
import { NET_PARTS } from "./eth";

/** Installs the piece (the module's entry calls it once). */
export function installCounters(): void {
  NET_PARTS.names = counterNames;
  NET_PARTS.tcpNames = tcpCounterNames;
  NET_PARTS.drvNames = driverCounterNames;
}
