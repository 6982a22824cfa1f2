// The "acd" piece of the library module: IPv4 address conflict detection (firmware/net/acd.ts,
// RFC 5227) in the eth's stack: a DHCP lease is probed with 3 ARP probes before it is used and
// declined when another host answers (RFC 2131 3.1.5's check); an address in use is defended
// once, then given up (DHCP) or kept (static), each said on the console.
// Without it a leased address is used at once, and an ARP packet from another host with our
// address as its sender is counted (arp.conflicts) and dropped: neither answered nor learnt, the
// address kept, nothing said on the console. A build includes it unless the app leaves it out
// (PIECES=-acd, tools/pieces.ts): about 1 KB of flash.

import { ACD } from "../net/acd";
import { NET_PARTS } from "./eth";

/** Installs the piece (the module's entry calls it once). */
export function installAcd(): void {
  NET_PARTS.acd = ACD;
}
