// The "keepalive" piece of the library module: TCP keep-alive (firmware/tcp/keepalive.ts) for the
// client connections of Espruino's own net/http over the NetworkJS driver (the "networkjs" piece),
// from the options the app gives net.connect():
//
//   require("net").connect({ host: "192.0.2.1", port: 23, keepAlive: true }, function (s) { ... });
//
// keepAlive: true (2 hours idle, or Node's keepAliveInitialDelay in ms) or the idle time in ms,
// keepAliveInterval (ms, default 75,000), keepAliveCount (default 9): docs/tcp.md "Keep-alive".
// A build includes the piece when the app's source names keepAlive (tools/pieces.ts); without it
// the driver ignores those options and the module carries no keep-alive code (about 0.7 KB).

import { tcpKeepAlive } from "../tcp/keepalive";
import { ETH_START, Eth } from "./eth";

/** Installs the piece (the module's entry calls it once, after the networkjs piece). */
export function installKeepAlive(): void {
  ETH_START.push(function (e: Eth): void {
    var d = (e as any).networkjs;
    if (d) d.ka = tcpKeepAlive;
  });
}
