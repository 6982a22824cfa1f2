// The "mdns" piece of the library module: the board answers <hostname>.local and announces its
// web server as _http._tcp (firmware/net/mdns.ts), so http://<hostname>.local/ works from the LAN
// without a console. A build includes it when the app's source mentions mdns or .local (or
// PIECES=+mdns), and it starts in connect():
//
//   var eth = require("ENC28J60").connect(SPI2, B10, { hostname: "pico", mdns: true });
//
// A name taken by another host is renamed (<name>-2, ...) and said on the console; setHostname()
// probes and announces the new name.

import { createMdns, Mdns } from "../net/mdns";
import { ETH_PROTO, ETH_START, Eth } from "./eth";
import { PIECE_VARS } from "./eth-mem";

/** Variables the responder takes (measured on espruino-pico32: 97 for the name "pico"). */
const enum MdnsPiece { FIXED_VARS = 100, HTTP_PORT = 80 }

/** Installs the piece (the module's entry calls it once). */
export function installMdns(): void {
  PIECE_VARS[0] += MdnsPiece.FIXED_VARS;
  var setHostname = ETH_PROTO.setHostname;
  ETH_PROTO.setHostname = function (this: Eth, name: string, cb?: (err: any) => void): void {
    setHostname.call(this, name);
    var m: Mdns = (this as any).mdns;
    if (m) { m.stop(); m.start(); }   // goodbye for the old name, probes for the new one
    if (cb) cb(null);
  };
  ETH_START.push(function (e: Eth): void {
    var m = createMdns(e.stack, function (): string { return e.hostname; }, {
      port: MdnsPiece.HTTP_PORT, log: e.log,
      onRename: function (name: string): void { e.hostname = name; },
    });
    (e as any).mdns = m;
    m.start();
  });
}
