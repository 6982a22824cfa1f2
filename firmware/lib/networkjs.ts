// The NetworkJS driver: Espruino's own `net`, `http` and `dgram` modules over this project's TCP
// and UDP. `require("NetworkJS").create(createNetworkJs(tcp, stack, resolve))` makes it the
// board's network; Espruino's idle loop then polls it (libs/network/socketserver.c):
//   create(host, port, type, options) -> socket >= 0 or a negative error
//       host undefined: a listening socket; else a dotted quad or a host name (resolved here,
//       asynchronously, through `resolve`). type & 3: 0 TCP, 1 HTTP (TCP), 2 UDP (4, TLS: refused).
//       options: what the app gave net.connect()/http.get(); a client connection takes TCP
//       keep-alive from it (keepAlive: true or the idle ms, keepAliveInterval, keepAliveCount)
//       when the driver was given firmware/tcp/keepalive.ts's tcpKeepAlive (options.keepAlive, or
//       the library's "keepalive" piece, firmware/lib/eth-keepalive.ts, which sets it).
//   accept(server)          -> a new socket, or -1 when none waits
//   recv(socket, max, type) -> a binary string of at most max bytes, "" when nothing waits, or a
//       negative error; -11 (no connection) while a client socket still connects (Espruino
//       ignores it until the first data or the connection's 'connect'), then -1 once closed
//   send(socket, data, type)-> bytes taken; 0 busy (Espruino keeps the rest and tries again)
//   close(socket)
// UDP data in both directions carries an 8-byte header per datagram: ip[4], port LE16, length LE16.
//
// Memory: everything is allocated here, once (the socket table and one receive buffer per socket
// in flat typed arrays, the counters); per call only what the contract itself returns (the
// received string) and the bytes of a send (stringToBytes) are allocated. Received bytes wait in
// the socket's buffer; when it is full TCP's advertised window is 0 (room()) and the peer waits:
// nothing grows. A name lookup allocates one callback per lookup.
//
// One record per driver: the table's fields, the methods shared through DRIVER (NetworkJS's five
// and TcpHandler's, since the record is also the TCP handler of every connection it owns).

import { Tcp, TcpHandler } from "../tcp/tcp";
import { Udp } from "../net/udp";
import { parseIp } from "../net/ipv4";
import { njsRecv, njsSend, njsUdpInput, njsOpen, njsData, njsRoom, njsPeerClosed, njsEnd, njsDrained, freeSocket, take, detach, release } from "./networkjs-io";
import { Njs, Kind, Flag, Err, Nc, SockType, NjsUdp, Resolve, Resolver, NjsState, KeepAlive } from "./networkjs-state";

export { Njs, Err, Nc, NjsUdp, Resolve, Resolver };

export interface NetworkJsOptions {
  /** Sockets (listening, TCP, UDP together); default the TCP slots + 2, at most 32. */
  sockets?: number;
  /** Receive buffer per socket in bytes (default 600: one 536-byte chunk and a UDP header). */
  rxBuf?: number;
  /** A TCP socket whose peer closed and that Espruino has not closed this long is aborted (default 5000 ms). */
  closeWaitMs?: number;
  /** Clock in ms (default the stack's). */
  clock?: { now(): number };
  /** tcpKeepAlive (firmware/tcp/keepalive.ts): client connections take keep-alive from create()'s
   *  options; without it those options are ignored (a driver bundled alone has no TCP code). */
  keepAlive?: KeepAlive;
}

/** The driver object Espruino calls (the NetworkJS contract), with its counters. */
export interface NetworkJsDriver extends TcpHandler {
  create(host: string | undefined, port: number, type: number, options?: any): number;
  accept(server: number): number;
  recv(sckt: number, maxLen: number, type?: number): string | number;
  send(sckt: number, data: string, type?: number): number;
  close(sckt: number): void;
  /** Counts by index (Nc); njsCounters() gives them by name. */
  counts: Uint32Array;
  /** Sockets in use now (any kind). */
  inUse(): number;
}

/** The counters by name: a snapshot built per call (console, tests). */
export function njsCounters(d: NetworkJsDriver): { [name: string]: number } {
  var names = "acceptNoSocket acceptOrphan rxDiscard udpDropFull udpDropNoSocket udpDropBad sendBusy " +
    "reclaimed resolveFail createFail";
  var out: { [name: string]: number } = {}, list = names.split(" ");
  for (var i = 0; i < list.length; i++) out[list[i]] = d.counts[i];
  return out;
}

/**
 * A TCP connection for socket s to ip:port, with TCP keep-alive when the options ask (keepAlive:
 * true for the default 2 hours of idle time, or the idle time in ms, as Node's
 * keepAliveInitialDelay; keepAliveInterval ms between probes, default 75 s; keepAliveCount probes,
 * default 9); false (with err set) when TCP has no slot or no address.
 */
function connectTcp(d: NjsState, s: number, ip: number, port: number, o: any): boolean {
  var c = d.tcp.connect(ip, port, d as any as TcpHandler);
  if (c < 0) {
    d.flags[s] |= Flag.ENDED;
    d.err[s] = d.udp && !d.udp.addr ? Err.NO_ROUTE : Err.MAX_SOCK;
    return false;
  }
  var ka = o && o.keepAlive;
  if (ka && d.ka) d.ka(d.tcp, c, ka === true ? o.keepAliveInitialDelay || undefined : +ka, o.keepAliveInterval, o.keepAliveCount);
  d.conn[s] = c;
  d.slotSock[c] = s;
  d.flags[s] |= Flag.CONNECTING;
  return true;
}

/** The callback of a name lookup for socket s (one per lookup). */
function resolved(d: NjsState, s: number, port: number, o: any): (ip: number, err: number) => void {
  var g = d.gen[s];
  return function (ip: number, err: number): void {
    if (d.gen[s] !== g || !(d.flags[s] & Flag.RESOLVING)) return; // closed meanwhile
    d.flags[s] &= ~Flag.RESOLVING;
    if (err < 0 || !ip) {
      d.counts[Nc.RESOLVE_FAIL]++;
      d.flags[s] |= Flag.ENDED;
      d.err[s] = err < 0 ? err : Err.NOT_FOUND;
      return;
    }
    connectTcp(d, s, ip, port, o);
  };
}

/** NetworkJS create(): a listening socket (host undefined), a TCP client, or a UDP socket. */
function create(this: NjsState, host: string | undefined, port: number, type: number, o?: any): number {
  var d = this, t = type & SockType.MASK;
  port = port | 0;
  if (type & SockType.TLS || t > SockType.UDP || port < 0 || port > Njs.PORT_MAX) { d.counts[Nc.CREATE_FAIL]++; return Err.BAD_ARG; }
  var s = freeSocket(d);
  if (s < 0) { d.counts[Nc.CREATE_FAIL]++; return Err.MAX_SOCK; }
  if (t === SockType.UDP) {
    // bound (a server: host undefined) to port, else to the next free ephemeral port
    if (!d.udp) { d.counts[Nc.CREATE_FAIL]++; return Err.NO_ROUTE; }
    var p = host === undefined && port ? port : 0;
    for (var tries = 0; !p && tries < Njs.EPHEMERAL_TRIES; tries++) {
      d.nextUdp = d.nextUdp >= Njs.PORT_MAX ? Njs.EPHEMERAL_FIRST : d.nextUdp + 1;
      if (d.udp.bind(d.nextUdp, d.udpFn)) p = d.nextUdp;
    }
    if (!p || (p === port && !d.udp.bind(p, d.udpFn))) { d.counts[Nc.CREATE_FAIL]++; return Err.BUSY; }
    take(d, s, Kind.UDP);
    d.port[s] = p;
    return s;
  }
  if (host === undefined) {
    if (!port || !d.tcp.listen(port, d as any as TcpHandler)) { d.counts[Nc.CREATE_FAIL]++; return Err.BUSY; }
    take(d, s, Kind.LISTEN);
    d.port[s] = port;
    return s;
  }
  if (!port) { d.counts[Nc.CREATE_FAIL]++; return Err.BAD_ARG; }
  take(d, s, Kind.TCP);
  var ip = parseIp(host);
  if (ip === ip) { // a dotted quad (NaN otherwise)
    connectTcp(d, s, ip, port, o);
  } else if (d.resolver) {
    d.flags[s] |= Flag.RESOLVING;
    d.resolver.resolve(String(host), resolved(d, s, port, o));
  } else {
    d.counts[Nc.RESOLVE_FAIL]++;
    d.flags[s] |= Flag.ENDED;
    d.err[s] = Err.NOT_FOUND;
  }
  return s;
}

/** NetworkJS accept(): the oldest connection waiting on listening socket server, or -1. */
function accept(this: NjsState, server: number): number {
  var d = this;
  if (!(server >= 0 && server < d.n) || d.kind[server] !== Kind.LISTEN) return -1;
  for (var s = 0; s < d.n; s++) {
    if (d.flags[s] & Flag.PENDING && d.parent[s] === server) {
      d.flags[s] &= ~Flag.PENDING;
      return s;
    }
  }
  return -1;
}

/** NetworkJS close(): TCP closes gracefully (queued data is still sent), a listener stops, UDP unbinds. */
function close(this: NjsState, s: number): void {
  var d = this;
  if (!(s >= 0 && s < d.n)) return;
  var k = d.kind[s];
  if (k === Kind.TCP) {
    var c = d.conn[s];
    detach(d, s);
    if (c >= 0) d.tcp.close(c);
  } else if (k === Kind.LISTEN) {
    d.tcp.unlisten(d.port[s]);
    // connections that arrived and were never accepted: reset
    for (var i = 0; i < d.n; i++) {
      if (d.flags[i] & Flag.PENDING && d.parent[i] === s) {
        d.counts[Nc.ACCEPT_ORPHAN]++;
        var ci = d.conn[i];
        detach(d, i);
        if (ci >= 0) d.tcp.abort(ci);
        release(d, i);
      }
    }
  } else if (k === Kind.UDP) {
    if (d.udp) d.udp.unbind(d.port[s]);
  }
  if (k !== Kind.FREE) release(d, s);
}

function inUse(this: NjsState): number {
  var k = 0;
  for (var s = 0; s < this.n; s++) if (this.kind[s] !== Kind.FREE) k++;
  return k;
}

/** The methods every driver record shares. */
var DRIVER = {
  create: create, accept: accept, recv: njsRecv, send: njsSend, close: close, inUse: inUse,
  open: njsOpen, data: njsData, drained: njsDrained, peerClosed: njsPeerClosed, end: njsEnd, room: njsRoom,
};

/**
 * The NetworkJS driver over tcp and (optionally) UDP: `udpApi` is the IP stack's `stack.udp` (the
 * stack itself: bind, unbind, send, netif.tx, addr and clock), or null for TCP only; `resolve(name, cb(ip, err))`,
 * or a resolver object with that method (called on it), looks host names up (err 0, or a
 * negative NetworkJS code: -6 not found, -3 time-out, -4 no server).
 */
export function createNetworkJs(tcp: Tcp, udpApi: Udp | NjsUdp | null, resolve?: Resolve | Resolver | null, opts?: NetworkJsOptions): NetworkJsDriver {
  var o = opts || {};
  var udp = udpApi as NjsUdp; // stack.udp is the stack itself: its netif, addr and clock come with it
  var slots = tcp.slots.st.length;
  var n = o.sockets || slots + Njs.EXTRA_SOCKETS;
  if (n > Njs.MAX_SOCKETS) n = Njs.MAX_SOCKETS;
  var rxBuf = o.rxBuf || Njs.RX_BUF;
  if (rxBuf < Njs.RX_MIN) rxBuf = Njs.RX_MIN;
  var d = Object.create(DRIVER) as NjsState;
  d.tcp = tcp;
  d.udp = udp || null;
  // a resolver object (firmware/net/dns.ts createResolver) is called as resolver.resolve(...), its `this` kept
  d.resolver = !resolve ? null : typeof resolve === "function" ? { resolve: resolve } : resolve;
  d.clock = o.clock || (udp && udp.clock) || { now: function (): number { return 0; } };
  d.closeWaitMs = o.closeWaitMs || Njs.CLOSE_WAIT_MS;
  d.ka = o.keepAlive || null;
  d.n = n;
  d.rxBuf = rxBuf;
  d.kind = new Uint8Array(n);
  d.flags = new Uint8Array(n);
  d.err = new Int8Array(n);
  d.conn = new Int8Array(n);
  d.parent = new Int8Array(n);
  d.gen = new Uint16Array(n);
  d.port = new Uint16Array(n);
  d.rxLen = new Uint16Array(n);
  d.udpLeft = new Uint16Array(n);
  d.tPeerFin = new Float64Array(n);
  d.rx = new Uint8Array(n * rxBuf);
  d.slotSock = new Int8Array(slots);
  d.slotSock.fill(-1);
  d.counts = new Uint32Array(Nc.COUNT);
  d.nextUdp = Njs.UDP_FIRST;
  d.udpFn = function (src: number, sport: number, rx: Uint8Array, off: number, len: number): void {
    njsUdpInput(d, src, sport, rx, off, len);
  };
  return d as any as NetworkJsDriver;
}
