// The "lease" piece of the library module: the last DHCP address is kept in the Storage file
// LEASE_FILE ("a.b.c.d", written only when it changes) and asked for first at the next start
// (INIT-REBOOT, RFC 2131 3.2: a REQUEST with option 50, no DISCOVER), so a board comes back with
// its address at once; connect()'s `lease: false` turns it off. Without the piece DHCP starts
// with a DISCOVER at every start (a server that knows the client id usually hands out the same
// address again). A build includes it unless the app leaves it out (PIECES=-lease); make image
// leaves it out where the app would not fit the board's Storage with it (tools/pieces.ts): about
// 0.3 KB of flash.

import { parseIp } from "../net/stack";
import { Eth, LEASE } from "./eth";

/** The Storage file with the last DHCP address. */
export var LEASE_FILE = "enc-lease";

/** The last DHCP address kept in Storage, or 0 (none, unreadable, or no Storage). */
function lastLease(): number {
  var ip = 0;
  try { ip = parseIp(require("Storage").read(LEASE_FILE) || ""); } catch (x) { /* no Storage */ }
  return ip === ip ? ip : 0;   // (NaN: not an address)
}

/** A new DHCP address (bound), kept when it differs from the one in Storage. */
function keepLease(e: Eth, ip: string): void {
  if (lastLease() === e.stack.addr) return;
  try { require("Storage").write(LEASE_FILE, ip); } catch (x) { e.log("enc28j60: the address could not be kept in Storage: " + x); }
}

/** Installs the piece (the module's entry calls it once). */
export function installLease(): void {
  LEASE.last = lastLease;
  LEASE.keep = keepLease;
}
