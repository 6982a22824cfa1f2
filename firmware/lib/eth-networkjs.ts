// The "networkjs" piece of the library module: connect() makes this stack Espruino's network
// (require("NetworkJS").create(driver), firmware/lib/networkjs.ts), so Espruino's own
// require("http"), require("net") and require("dgram") work over the ENC28J60 unchanged:
//
//   require("ENC28J60").connect(SPI2, B10, {}, function () {
//     require("http").createServer(function (req, res) { res.end("hi"); }).listen(80);
//   });
//
// Host names (http.get("http://name/")) go through the dns piece, which this one brings along.
// Client connections get TCP keep-alive from net.connect()'s options with the "keepalive" piece
// (eth-keepalive.ts, brought in by an app that names keepAlive).

import { createNetworkJs } from "./networkjs";
import { ETH_START, Eth } from "./eth";
import { PIECE_VARS } from "./eth-mem";

/** Variables the driver takes (measured on espruino-wifi32: about 115 fixed + 46 per socket, 600-byte buffers). */
const enum NjsPiece { FIXED_VARS = 115, SOCKET_VARS = 46 }

/** Installs the piece (the module's entry calls it once). */
export function installNetworkJs(): void {
  PIECE_VARS[0] += NjsPiece.FIXED_VARS + NjsPiece.SOCKET_VARS;   // the listening socket
  PIECE_VARS[1] += NjsPiece.SOCKET_VARS;                          // one socket per TCP slot
  ETH_START.push(function (e: Eth): void {
    var d = createNetworkJs(e.tcp, e.stack.udp, (e as any).resolver || null);
    (e as any).networkjs = d;
    require("NetworkJS").create(d);
  });
}
