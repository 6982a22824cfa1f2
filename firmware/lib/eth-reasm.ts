// The "reasm" piece of the library module: IPv4 reassembly (firmware/net/reasm.ts, RFC 791 and
// RFC 1122 3.3.2: up to the MTU, 10 s time-out, overlaps drop the datagram) in the eth's stack.
// Without it a fragment is counted and dropped (ip.fragments, ip.dropFragment): a peer on the LAN
// fragments only a datagram over its own link's MTU (1,500 on Ethernet), and what the library
// itself receives never is one (TCP segments carry DF and fit the MSS; DHCP, DNS and mDNS answers
// fit 576 bytes). So a build includes it when the app uses UDP datagrams of its own, Espruino's
// require("dgram") over the networkjs piece (tools/pieces.ts), or names it (PIECES=+reasm):
// about 1.6 KB of flash.

import { REASM } from "../net/reasm";
import { NET_PARTS } from "./eth";

/** Installs the piece (the module's entry calls it once). */
export function installReasm(): void {
  NET_PARTS.reasm = REASM;
}
