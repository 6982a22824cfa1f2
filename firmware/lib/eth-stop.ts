// The "stop" piece of the library module: eth.stop() stops the interface as RFC 2131 asks
// (3.1 step 7, 4.4.6): a DHCP lease held is given back with a DHCPRELEASE unicast to its server,
// and the address is dropped (the "ip" event then says ip "0.0.0.0", getIP().dhcp "stopped"; when
// the server's MAC must be resolved first, the RELEASE leaves after the ARP answer and the
// address is dropped then, at most 1 s later). A static address is dropped. The application closes
// its own connections first; eth.setIP() starts the interface again. Included when the app's source
// calls .stop() (tools/pieces.ts).
//
//   eth.stop();   // e.g. before a deep sleep, or before handing the board to another network

import { dhcpStop } from "../net/dhcp";
import { ETH_PROTO, Eth } from "./eth";

function stopInterface(this: Eth): void {
  dhcpStop.call(this.stack as any);
  this.runner.wake();   // (a RELEASE held for the server's MAC is looked at again at its deadline)
}

/** Installs the piece (the module's entry calls it once). */
export function installStop(): void {
  ETH_PROTO.stop = stopInterface;
}
