// The "dns" piece of the library module: eth.resolve(name, callback) looks up an A record through
// the DNS resolver (firmware/net/dns.ts), asking the server DHCP gave (option 6) or the `dns`
// option of connect()/setIP(). The NetworkJS piece uses it for host names (http.get("http://name/")).
//
//   eth.resolve("example.org", function (err, ip) { console.log(err || ip); });
//
// err is null or a message; the lookup's NetworkJS-style code is in err.code (-6 not found,
// -3 time-out, -4 no server or no route, -5 busy, -10 server failure).

import { createResolver, Resolver } from "../net/dns";
import { stackDnsServer, formatIp } from "../net/stack";
import { ETH_PROTO, ETH_START, Eth } from "./eth";
import { PIECE_VARS } from "./eth-mem";

/** Variables the resolver takes when connect() creates it (measured on espruino-pico32: 85 with 4 entries, 2 lookups). */
const enum DnsPiece { FIXED_VARS = 85 }

/** The messages for the resolver's codes. */
function dnsError(code: number): string {
  return code === -6 ? "not found" : code === -3 ? "time-out" : code === -4 ? "no DNS server or no route"
    : code === -5 ? "busy (too many lookups at once)" : "server failure";
}

function resolveName(this: Eth, name: string, cb: (err: any, ip?: string) => void): void {
  if (typeof name !== "string" || typeof cb !== "function") throw new Error("ENC28J60: resolve(name, function (err, ip) {...})");
  (this as any).resolver.resolve(name, function (ip: number, err: number): void {
    if (err) { var x: any = new Error("ENC28J60: " + name + ": " + dnsError(err)); x.code = err; cb(x); }
    else cb(null, formatIp(ip));
  });
}

/** Installs the piece (the module's entry calls it once). */
export function installDns(): void {
  PIECE_VARS[0] += DnsPiece.FIXED_VARS;
  ETH_PROTO.resolve = resolveName;
  ETH_START.push(function (e: Eth): void {
    var r: Resolver = createResolver(e.stack, function (): number { return e.dns || stackDnsServer(e.stack); });
    (e as any).resolver = r;
  });
}
