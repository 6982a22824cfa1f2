// The library module users require: `require("ENC28J60").connect(spi, cs, options, callback)`
// returns an `eth` object with the names of Espruino's WIZnet module where they exist: getIP(),
// setIP() (static or DHCP), setHostname(), getHostname(), getStatus(), on("link"/"ip"). It is
// built with the pieces the app uses (tools/image.ts): its body is the Storage boot file .boot1,
// run at the global scope (its names `$...`), and the Storage module "ENC28J60" hands out the
// exports the body put in the global _ENC28J60, so Espruino's require() finds it.
//
// One eth is one record (Eth below) with shared methods (ETH_PROTO); pieces (firmware/lib/
// eth-http.ts: createServer; DNS, mDNS, NetworkJS) add their methods to ETH_PROTO and may ask to
// be called at the end of connect (ETH_START). Everything is allocated in connect(): the driver's
// frame buffers, the stack, the TCP slots and send pool.

import { Hal } from "../../hal/types";
import { createEspruinoHal } from "../../hal/espruino";
import { createEnc28j60With, Enc28j60 } from "../../drivers/enc28j60/driver";
import { Rec as DriverRec, St as DrvSt } from "../../drivers/enc28j60/access";
import { createStackWith, formatIp, parseIp, Parts, Stack, stackCount, stackDnsServer } from "../net/stack";
import { Cnt } from "../net/counters";
import { setAddress } from "../net/ipv4";
import { dhcpStart, dhcpOff } from "../net/dhcp";
import { St } from "../net/state";
import { Eth as EthHdr } from "../net/ethernet";
import { createTcpWith, Tcp, TcpNames, C as TcpCnt, STATE_COUNT } from "../tcp/tcp";
import { STATE_NAMES } from "../tcp/states";
import { createRunner, Runner } from "./eth-run";
import { macFromSerial, parseMac } from "./eth-mac";
import { sizeFor, Sizing } from "./eth-mem";

/** The module's numbers (const enum: tsc writes them in place). */
export const enum Lib {
  /** SPI clock when the options give none: in spec (8..20 MHz) on every board. */
  DEFAULT_BAUD = 8000000,
  /** MSS = MTU - this (20 bytes of IPv4 header, 20 of TCP). */
  IP_TCP_HEADERS = 40,
  /** setIP()'s DHCP callback gets an error after this long without a lease (DHCP keeps trying). */
  DHCP_WAIT_MS = 30000,
  /** The IP MTU when the options give none and memory allows (the driver's default frame). */
  MTU_FULL = 1500,
}

/** connect()'s options (all optional). */
export interface EthOptions {
  /** SPI pins and clock: given, the module sets the SPI up; absent, the SPI's default pins. */
  sck?: Pin; miso?: Pin; mosi?: Pin; baud?: number;
  /** ENC28J60 INT (active low; without it the chip is polled every 20 ms) and RESET (active low). */
  int?: Pin; reset?: Pin;
  /** "xx:xx:xx:xx:xx:xx"; default: derived from the board's serial number (getSerial()). */
  mac?: string;
  /** TCP connections at once (default 4), bytes of send buffering they share, IP MTU (default 1500; 576 saves memory). */
  slots?: number; sendPool?: number; mtu?: number;
  /** A static address (with netmask or subnet, gateway, dns); without ip: DHCP (unless dhcp: false). */
  ip?: string; netmask?: string; subnet?: string; gateway?: string; dns?: string; dhcp?: boolean;
  hostname?: string;
  /** false: do not keep the last DHCP address in Storage (the lease piece, eth-lease.ts) for INIT-REBOOT. */
  lease?: boolean;
}

/** The "lease" piece (eth-lease.ts) puts its two functions here: the last DHCP address kept
 *  (0: none), and keeping a new one. Without it DHCP starts with a DISCOVER at every start. */
export var LEASE: { last: (() => number) | null; keep: ((e: Eth, ip: string) => void) | null } = { last: null, keep: null };

/** An eth: the record behind the object connect() returns. */
export interface Eth {
  hal: Hal;
  driver: Enc28j60;
  stack: Stack;
  /** TCP (its slots), for the pieces (HTTP server, NetworkJS). */
  tcp: Tcp;
  slots: number;
  mac: Uint8Array;
  hostname: string;
  dns: number;
  mtu: number;
  runner: Runner;
  /** Listeners by event name ("link", "ip"). */
  ev: { [name: string]: ((a?: any) => void)[] };
  link: boolean;
  /** Keep the DHCP address in Storage (connect()'s lease option, with the lease piece). */
  lease: boolean;
  /** setIP()'s pending DHCP callback and its deadline (ms). */
  ipCb: ((err: any, ip?: any) => void) | null;
  ipBy: number;
  log: (s: string) => void;
  /** What connect() sized to the memory it found (firmware/lib/eth-mem.ts). */
  sizing: Sizing;
}

function emit(e: Eth, name: string, arg: any): void {
  var l = e.ev[name];
  if (l) for (var i = 0; i < l.length; i++) l[i](arg);
}

function getIP(this: Eth, cb?: (err: any, ip: any) => void): any {
  var s = this.stack, m = this.mac, mac = "";
  for (var i = 0; i < EthHdr.MAC_LEN; i++) mac += (i ? ":" : "") + ((m[i] >> 4).toString(16) + (m[i] & 0xf).toString(16));
  var r: any = { ip: formatIp(s.addr), netmask: formatIp(s.mask), gateway: formatIp(s.gateway), mac: mac, dhcp: s.dhcpState() };
  r.subnet = r.netmask;   // (the WIZnet module's name)
  var dns = this.dns || stackDnsServer(s);   // setIP()'s, else the one DHCP handed out (option 6)
  if (dns) r.dns = formatIp(dns);
  if (cb) cb(null, r);
  return r;
}

/** A dotted quad, or an Error naming the option. */
function quad(name: string, v: string): number {
  var n = parseIp(v);
  if (typeof v !== "string" || n !== n) throw new Error("ENC28J60: " + name + " must be \"a.b.c.d\", got " + JSON.stringify(v));
  return n;
}

/** A static address's options (ip, netmask or subnet, gateway) as numbers into cfg: ip, mask, gateway. */
function staticOf(o: EthOptions, cfg: any): any {
  cfg.ip = quad("ip", o.ip as string);
  cfg.mask = quad("netmask", o.netmask || o.subnet || "255.255.255.0");
  cfg.gateway = o.gateway ? quad("gateway", o.gateway) : 0;
  return cfg;
}

function setIP(this: Eth, o?: any, cb?: (err: any, ip?: any) => void): boolean {
  var e = this, s = e.stack as any as St;
  if (typeof o === "function") { cb = o; o = undefined; }
  o = o || {};
  if (o.dns) e.dns = quad("dns", o.dns);
  if (o.ip) {
    var a = staticOf(o, {});
    dhcpOff(s);
    setAddress(s, a.ip, a.mask, a.gateway);
    if (cb) cb(null, getIP.call(e));
    return true;
  }
  // DHCP: from the start (a DISCOVER at the next tick); the callback at the lease
  setAddress(s, 0, 0, 0);
  dhcpStart(s, { hostname: e.hostname, mtu: e.mtu || undefined, lastIp: e.lease ? (LEASE.last as () => number)() : 0 });
  e.ipCb = cb || null;
  e.ipBy = e.hal.clock.now() + Lib.DHCP_WAIT_MS;
  e.runner.wake();   // the first DISCOVER, and the callback's time-out
  return true;
}

/** The stack's onAddress: the "ip" event, setIP()'s callback, a line on the console. */
function addressChanged(e: Eth): void {
  var info = getIP.call(e), cb = e.ipCb;
  if (e.stack.addr) {
    e.log("enc28j60: address " + info.ip + " (" + (info.dhcp === "static" ? "static" : "dhcp") + ")");
    if (e.lease && info.dhcp === "bound") (LEASE.keep as (e: Eth, ip: string) => void)(e, info.ip);
    if (cb) { e.ipCb = null; cb(null, info); }
  }
  emit(e, "ip", info);
}

/** The stack's tick: the "link" event, setIP()'s time-out. */
function watchLink(e: Eth, now: number): void {
  var up = e.stack.linkUp;
  if (up !== e.link) { e.link = up; emit(e, "link", up); }
  var cb = e.ipCb;
  if (cb && now > e.ipBy) { e.ipCb = null; cb(new Error("ENC28J60: no DHCP lease after " + Lib.DHCP_WAIT_MS / 1000 + " s (still trying)")); }
}

/** getStatus()'s TCP state counts (one array for every eth, filled per call). */
var STATES = new Uint16Array(STATE_COUNT);

export var ETH_PROTO: any = {
  getIP: getIP,
  setIP: setIP,
  setHostname: function (this: Eth, name: string, cb?: (err: any) => void): void {
    if (typeof name !== "string" || !name || name.length > 32 || /[^A-Za-z0-9-]/.test(name)) throw new Error("ENC28J60: a host name is 1 to 32 letters, digits or '-'");
    this.hostname = name;   // sent from the next DHCP exchange on (setIP()), and by mDNS
    if (cb) cb(null);
  },
  getHostname: function (this: Eth, cb?: (err: any, name: string) => void): string {
    if (cb) cb(null, this.hostname);
    return this.hostname;
  },
  getStatus: function (this: Eth, cb?: (err: any, st: any) => void): any {
    var d = (this.driver as any as DriverRec).st, z = this.sizing, s = this.stack, t = this.tcp, tc = t.counts, i: number;
    // the traffic and the TCP connections by state (CLOSED, the unused slots, left out), from the
    // live counts (the drop counters stay on the console: eth.stack.counters, eth.tcp.counters)
    var conns: { [state: string]: number } = {};
    t.stateCounts(STATES);
    for (i = 1; i < STATE_COUNT; i++) if (STATES[i]) conns[STATE_NAMES[i]] = STATES[i];
    var r = { link: this.driver.linkUp(), ip: formatIp(s.addr), dhcp: s.dhcpState(), slots: this.slots, frames: [d[DrvSt.RX_FRAMES], d[DrvSt.TX_FRAMES]],
      packets: [stackCount(s, Cnt.IP_RX), stackCount(s, Cnt.IP_TX)], segments: [tc[TcpCnt.segIn], tc[TcpCnt.segOut], tc[TcpCnt.retransmits]],
      connections: conns,
      memory: { free: z.free === Infinity ? null : z.free, mtu: z.mtu, sendPool: z.pool, slots: [z.slots, z.wanted], note: z.note } };
    if (cb) cb(null, r);
    return r;
  },
  on: function (this: Eth, name: string, fn: (a?: any) => void): Eth {
    (this.ev[name] = this.ev[name] || []).push(fn);
    return this;
  },
  /** The INT handler: services the chip now (the poll timer and the tick call it by themselves). */
  service: function (this: Eth): void { this.runner.service(); },
};

/** Functions the pieces want called at the end of connect() (e.g. mDNS), with the eth. */
export var ETH_START: ((e: Eth) => void)[] = [];

/** The stack's optional parts (firmware/net/state.ts, Parts) the pieces put in: reassembly
 *  (eth-reasm.ts), RFC 5227 probing (eth-acd.ts), the counters' names (eth-counters.ts). */
export var NET_PARTS: LibParts = { reasm: null, acd: null, names: null, tcpNames: countsOnly, drvNames: countsOnly };

/** NET_PARTS: the stack's parts, and what makes TCP's and the driver's `counters` (countsOnly, or
 *  with the "counters" piece their names, eth-counters.ts). */
export interface LibParts extends Parts {
  tcpNames: TcpNames;
  drvNames: (counts: Int32Array) => any;
}

/** tcp.counters and driver.counters without the "counters" piece: the counts in their order
 *  (firmware/tcp/state.ts C, drivers/enc28j60/access.ts St), and how to get the names. */
export function countsOnly(counts: Uint32Array | Int32Array): any {
  return { counts: new Uint32Array(counts), names: "make image PIECES=+counters" };
}

/**
 * The host-testable core of connect(): the eth over a HAL, started (timers false: tests tick by
 * hand); MTU, send pool and slots sized to `free` variables (Infinity or absent: not known).
 */
export function createEth(hal: Hal, o: EthOptions, log: (s: string) => void, timers?: boolean, free?: number): Eth {
  var mac = parseMac(o.mac || macFromSerial(getSerialSafe()));
  var z = sizeFor(free === undefined ? Infinity : free, o.mtu, o.sendPool, o.slots);
  if (z.note) log("enc28j60: " + z.note);
  var mtu = z.mtu === Lib.MTU_FULL && !o.mtu ? 0 : z.mtu;
  var driver = createEnc28j60With(hal, mac, mtu ? { maxFrame: mtu + EthHdr.HEADER } : undefined, NET_PARTS.drvNames);
  driver.init();
  var e = Object.create(ETH_PROTO) as Eth;
  e.hal = hal; e.driver = driver; e.mac = mac; e.mtu = mtu; e.log = log; e.sizing = z; e.ev = {}; e.ipCb = null; e.ipBy = 0;
  e.hostname = o.hostname || "enc28j60"; e.dns = o.dns ? quad("dns", o.dns) : 0;
  e.lease = o.lease !== false && !!LEASE.last;
  var cfg: any = { hostname: e.hostname, mtu: mtu || undefined, lastIp: e.lease && !o.ip ? (LEASE.last as () => number)() : 0 };
  if (o.ip) staticOf(o, cfg);
  var stack = e.stack = createStackWith(driver, hal.clock, o.ip || o.dhcp !== false ? cfg : { ip: 0, mask: 0, gateway: 0, hostname: e.hostname }, NET_PARTS);
  if (!o.ip && o.dhcp === false) dhcpOff(stack as any as St);
  e.link = stack.linkUp;
  stack.onAddress(function (): void { addressChanged(e); });
  // (due: setIP()'s time-out while its callback waits; the link event comes with the tick the
  // link change itself asks for)
  stack.onTick(function (now: number): void { watchLink(e, now); }, function (): number { return e.ipCb ? e.ipBy + 1 : Infinity; });
  var slots = e.slots = z.slots;
  e.tcp = createTcpWith(stack, { slots: slots, mss: mtu ? mtu - Lib.IP_TCP_HEADERS : undefined, sendPool: z.poolDefault ? undefined : z.pool }, NET_PARTS.tcpNames);
  e.runner = createRunner(hal, driver, stack, function (): Tcp { return e.tcp; });
  for (var i = 0; i < ETH_START.length; i++) ETH_START[i](e);
  if (timers !== false) e.runner.start();
  return e;
}

/** Espruino's free variables now (no garbage collection pass); Infinity elsewhere. */
function freeVars(): number {
  var p: any = typeof process !== "undefined" ? process : null;
  var m = p && p.memory ? p.memory(false) : null;
  return m && typeof m.free === "number" ? m.free : Infinity;
}

function getSerialSafe(): string {
  return typeof getSerial === "function" ? getSerial() : "";
}

/**
 * connect(spi, cs, options, callback): the chip on spi with chip select cs; callback(err) once it
 * answers (err: an Error when no chip answers; the eth is then null). Options: EthOptions.
 */
export function connect(spi: SPI, cs: Pin, options?: EthOptions, callback?: (err: any) => void): Eth | null {
  if (typeof options === "function") { callback = options as any; options = undefined; }
  var o: EthOptions = options || {};
  var e: Eth | null = null, err: any = null;
  try {
    var hal = createEspruinoHal({ spi: spi, cs: cs, sck: o.sck as Pin, miso: o.miso as Pin, mosi: o.mosi as Pin, int: o.int, reset: o.reset, baud: o.baud || Lib.DEFAULT_BAUD });
    e = createEth(hal, o, function (s: string): void { console.log(s); }, true, freeVars());
    console.log("enc28j60: ENC28J60 up, " + (o.ip ? "static address " + o.ip : o.dhcp === false ? "no address" : "DHCP"));
  } catch (x) {
    err = x;
    if (!callback) throw x;
  }
  if (callback) callback(err);
  return e;
}
