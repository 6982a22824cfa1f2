// The NetworkJS driver's byte paths: recv() and send() as Espruino's idle loop calls them, the
// TCP events of the connections the driver owns (the record is their TcpHandler), UDP input, and
// the socket table's small helpers. See networkjs.ts for the contract.

import { bytesToString, stringToBytes } from "../../hal/natives";
import { State } from "../tcp/states";
import { tcpWindowUpdate } from "../tcp/tcp";
import { End } from "../tcp/table";
import { IpSend } from "../net/ipv4";
import { Njs, Kind, Flag, Err, Nc, NjsState } from "./networkjs-state";

/** A free socket number, or -1. */
export function freeSocket(d: NjsState): number {
  for (var s = 0; s < d.n; s++) if (d.kind[s] === Kind.FREE) return s;
  return -1;
}

/** Takes socket s for kind k with every field reset. */
export function take(d: NjsState, s: number, k: number): void {
  d.kind[s] = k;
  d.flags[s] = d.err[s] = d.rxLen[s] = d.udpLeft[s] = d.port[s] = d.tPeerFin[s] = 0;
  d.conn[s] = d.parent[s] = -1;
}

/** Socket s lets go of its TCP connection (the connection's later events are ignored). */
export function detach(d: NjsState, s: number): void {
  var c = d.conn[s];
  if (c >= 0 && d.slotSock[c] === s) d.slotSock[c] = -1;
  d.conn[s] = -1;
}

/** Frees socket s (its connection, listener or UDP port already let go). */
export function release(d: NjsState, s: number): void {
  detach(d, s);
  d.kind[s] = Kind.FREE;
  d.flags[s] = d.rxLen[s] = 0;
  d.gen[s]++;
}

/** The NetworkJS code for a TcpHandler.end() reason. */
function endCode(reason: number): number {
  if (reason === End.RESET || reason === End.REFUSED) return Err.RESET;
  if (reason === End.TIMEOUT) return Err.TIMEOUT;
  return Err.CLOSED;
}

// ---------------------------------------------------------------- TcpHandler (this: the driver)

/** A connection is established: ours (connect) stops connecting; an accepted one waits for accept(). */
export function njsOpen(this: NjsState, c: number): void {
  var d = this, s = d.slotSock[c];
  if (s >= 0) { d.flags[s] &= ~Flag.CONNECTING; return; }
  var lp = d.tcp.localPort(c), l = -1;
  for (var i = 0; i < d.n; i++) if (d.kind[i] === Kind.LISTEN && d.port[i] === lp) l = i;
  s = l < 0 ? -1 : freeSocket(d);
  if (s < 0) {
    // no socket for it (or its listener is gone): reset, counted
    d.counts[Nc.ACCEPT_NO_SOCKET]++;
    d.tcp.abort(c);
    return;
  }
  take(d, s, Kind.TCP);
  d.conn[s] = c;
  d.slotSock[c] = s;
  d.parent[s] = l;
  d.flags[s] = Flag.PENDING;
}

/** In-order bytes: into the socket's buffer as far as it has room (the rest is not acknowledged). */
export function njsData(this: NjsState, c: number, buf: Uint8Array, off: number, len: number): number {
  var d = this, s = d.slotSock[c];
  if (s < 0) { d.counts[Nc.RX_DISCARD]++; return len; } // closed by Espruino: nobody reads it
  var have = d.rxLen[s], k = d.rxBuf - have;
  if (k > len) k = len;
  if (k > 0) {
    d.rx.set(buf.subarray(off, off + k), s * d.rxBuf + have);
    d.rxLen[s] = have + k;
  }
  return k;
}

/** TCP's advertised window follows the room left in the socket's buffer. */
export function njsRoom(this: NjsState, c: number): number {
  var s = this.slotSock[c];
  return s < 0 ? Njs.PORT_MAX : this.rxBuf - this.rxLen[s];
}

export function njsPeerClosed(this: NjsState, c: number): void {
  var s = this.slotSock[c];
  if (s < 0) return;
  this.flags[s] |= Flag.PEER_FIN;
  this.tPeerFin[s] = this.clock.now();
}

/** The connection is over: recv() gives the bytes still buffered, then the error. */
export function njsEnd(this: NjsState, c: number, reason: number): void {
  var d = this, s = d.slotSock[c];
  if (s < 0) return;
  d.slotSock[c] = -1;
  d.conn[s] = -1;
  if (!d.err[s]) d.err[s] = endCode(reason);
  if (d.flags[s] & Flag.PENDING) {
    d.counts[Nc.ACCEPT_ORPHAN]++;   // never accepted: nobody will close it
    release(d, s);
    return;
  }
  d.flags[s] = (d.flags[s] | Flag.ENDED) & ~Flag.CONNECTING;
}

export function njsDrained(this: NjsState, c: number): void {
  // Espruino polls send(): nothing to do
}

// ---------------------------------------------------------------- NetworkJS recv / send

/** NetworkJS recv(): at most max bytes (a UDP socket: never past the datagram at the front). */
export function njsRecv(this: NjsState, s: number, max: number): string | number {
  var d = this;
  if (!(s >= 0 && s < d.n)) return Err.BAD_ARG;
  var k = d.kind[s], f = d.flags[s], len = d.rxLen[s];
  if (k === Kind.FREE) return Err.CLOSED;
  if (k === Kind.LISTEN || !(max > 0)) return "";
  if (len > 0) {
    var b = s * d.rxBuf, n = max < len ? max : len;
    if (k === Kind.UDP) {
      if (!d.udpLeft[s]) d.udpLeft[s] = Njs.UDP_HEADER + (d.rx[b + Njs.UDP_LEN] | (d.rx[b + Njs.UDP_LEN + 1] << 8));
      if (n > d.udpLeft[s]) n = d.udpLeft[s];
      d.udpLeft[s] -= n;
    }
    var str = bytesToString(d.rx.subarray(b, b + n));
    // the rest to the front (a forward copy to a lower index: safe on Espruino, which has no copyWithin)
    if (n < len) d.rx.set(d.rx.subarray(b + n, b + len), b);
    d.rxLen[s] = len - n;
    // half the buffer free again: TCP tells the peer if its window had closed (else the peer
    // waits for its zero-window probe: a 7 KB http.get took 2.3 s instead of 0.1 s)
    if (k === Kind.TCP && d.conn[s] >= 0 && (len - n) << 1 <= d.rxBuf) tcpWindowUpdate(d.tcp, d.conn[s], d.rxBuf >> 1);
    return str;
  }
  if (f & Flag.ENDED) return d.err[s] || Err.CLOSED;
  if (f & (Flag.RESOLVING | Flag.CONNECTING)) return Err.NO_CONN;
  if (f & Flag.PEER_FIN) {
    // Espruino keeps an HTTP connection whose response was never ended, whatever recv() says:
    // the TCP slot is taken back after closeWaitMs (reset), counted.
    var c = d.conn[s];
    if (c >= 0 && d.clock.now() - d.tPeerFin[s] > d.closeWaitMs) {
      d.counts[Nc.RECLAIMED]++;
      d.err[s] = Err.TIMEOUT;
      d.tcp.abort(c);
      detach(d, s);
      d.flags[s] |= Flag.ENDED;
    }
    return Err.CLOSED;
  }
  return "";
}

/** NetworkJS send(): bytes taken, 0 when busy (or still connecting), negative once closed. */
export function njsSend(this: NjsState, s: number, data: string): number {
  var d = this;
  if (!(s >= 0 && s < d.n)) return Err.BAD_ARG;
  var k = d.kind[s], f = d.flags[s];
  if (k === Kind.FREE) return Err.CLOSED;
  if (k === Kind.UDP) return udpSend(d, s, data);
  if (k !== Kind.TCP) return Err.BAD_ARG;
  if (f & Flag.ENDED) return d.err[s] || Err.CLOSED;
  if (f & (Flag.RESOLVING | Flag.CONNECTING)) return 0;
  var c = d.conn[s], len = data.length;
  if (c < 0) return Err.CLOSED;
  var st = d.tcp.state(c);
  if (st !== State.ESTABLISHED && st !== State.CLOSE_WAIT) return Err.CLOSED;
  var room = d.tcp.space(c);
  if (room <= 0 || !len) { d.counts[Nc.SEND_BUSY]++; return 0; }
  return d.tcp.write(c, stringToBytes(data), 0, len < room ? len : room);
}

/** One datagram from the front of data (header ip[4] port LE16 length LE16, then the payload). */
function udpSend(d: NjsState, s: number, data: string): number {
  var u = d.udp!, len = data.length;
  var dl = len < Njs.UDP_HEADER ? -1 : data.charCodeAt(Njs.UDP_LEN) | (data.charCodeAt(Njs.UDP_LEN + 1) << 8);
  var tx = u.netif.tx;
  if (dl < 0 || Njs.UDP_HEADER + dl > len || Njs.UDP_TX + dl > tx.length) { d.counts[Nc.UDP_DROP_BAD]++; return Err.BAD_ARG; }
  var ip = ((data.charCodeAt(0) << 24) | (data.charCodeAt(1) << 16) | (data.charCodeAt(2) << 8) | data.charCodeAt(3)) >>> 0;
  var port = data.charCodeAt(Njs.UDP_PORT) | (data.charCodeAt(Njs.UDP_PORT + 1) << 8);
  tx.set(stringToBytes(data).subarray(Njs.UDP_HEADER, Njs.UDP_HEADER + dl), Njs.UDP_TX);
  var r = u.send(ip, port, d.port[s], dl);
  if (r === IpSend.REFUSED) { d.counts[Nc.SEND_BUSY]++; return 0; } // the chip is busy: again later
  if (r < 0) return r === IpSend.TOO_BIG ? Err.BAD_ARG : Err.NO_ROUTE;
  return Njs.UDP_HEADER + dl;
}

/** A datagram for one of the driver's UDP sockets: header + payload into its buffer, or dropped (counted). */
export function njsUdpInput(d: NjsState, src: number, sport: number, rx: Uint8Array, off: number, len: number): void {
  var dport = (rx[off - Njs.UDP_HEADER + 2] << 8) | rx[off - Njs.UDP_HEADER + 3], s = -1;
  for (var i = 0; i < d.n; i++) if (d.kind[i] === Kind.UDP && d.port[i] === dport) s = i;
  if (s < 0) { d.counts[Nc.UDP_DROP_NO_SOCKET]++; return; }
  var have = d.rxLen[s];
  if (have + Njs.UDP_HEADER + len > d.rxBuf) { d.counts[Nc.UDP_DROP_FULL]++; return; }
  var b = s * d.rxBuf + have, r = d.rx;
  r[b] = src >>> 24;
  r[b + 1] = src >>> 16;
  r[b + 2] = src >>> 8;
  r[b + 3] = src;
  r[b + Njs.UDP_PORT] = sport;
  r[b + Njs.UDP_PORT + 1] = sport >> 8;
  r[b + Njs.UDP_LEN] = len;
  r[b + Njs.UDP_LEN + 1] = len >> 8;
  r.set(rx.subarray(off, off + len), b + Njs.UDP_HEADER);
  d.rxLen[s] = have + Njs.UDP_HEADER + len;
}
