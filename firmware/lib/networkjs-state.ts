// The NetworkJS driver's record, numbers and codes (networkjs.ts builds it, networkjs-io.ts
// moves the bytes). Types and const enums only: tsc writes every number in place.

import { Tcp } from "../tcp/tcp";

/** The part of the IP stack the driver uses for UDP (firmware/net/stack.ts Stack satisfies it). */
export interface NjsUdp {
  bind(port: number, fn: (src: number, srcPort: number, rx: Uint8Array, off: number, len: number, s?: any) => void): boolean;
  unbind(port: number): void;
  /** Payload already at netif.tx[42..42+len). Result as Stack.ipSend (IpSend). */
  send(dst: number, dstPort: number, srcPort: number, len: number): number;
  netif: { tx: Uint8Array };
  addr: number;
  clock?: { now(): number };
}

/** Host name lookup: cb(ip, 0) or cb(0, negative NetworkJS code). */
export type Resolve = (name: string, cb: (ip: number, err: number) => void) => void;
/** A resolver object (firmware/net/dns.ts createResolver's result has this method). */
export interface Resolver { resolve: Resolve }

/** firmware/tcp/keepalive.ts tcpKeepAlive's signature. */
export type KeepAlive = (tcp: object, c: number, idleMs?: number, intervalMs?: number, count?: number) => boolean;

/** Fixed numbers. */
export const enum Njs {
  MAX_SOCKETS = 32,       // the table's indexes are Int8
  EXTRA_SOCKETS = 2,      // default sockets beyond the TCP slots: a listener and a UDP socket
  RX_BUF = 600,           // default receive buffer per socket: one 536-byte chunk + UDP header
  RX_MIN = 64,
  CHUNK = 536,            // Espruino's chunk size for NetworkJS (net->chunkSize)
  CLOSE_WAIT_MS = 5000,
  PORT_MAX = 65535,
  EPHEMERAL_FIRST = 49152,
  UDP_FIRST = 53248,      // where UDP's own ephemeral ports start (TCP keeps its own)
  EPHEMERAL_TRIES = 64,
  UDP_HEADER = 8,         // NetworkJS's per-datagram header: ip[4], port LE16, length LE16
  UDP_PORT = 4,
  UDP_LEN = 6,
  UDP_TX = 42,            // where a UDP payload is written in netif.tx (14 + 20 + 8)
}

/** Socket kinds. */
export const enum Kind { FREE, LISTEN, TCP, UDP }

/** Socket flags. */
export const enum Flag {
  PENDING = 1,      // accepted by TCP, waiting for accept()
  CONNECTING = 2,   // active open under way
  RESOLVING = 4,    // waiting for the host name
  PEER_FIN = 8,     // the peer closed its side: recv() gives -1 once the buffer is empty
  ENDED = 16,       // the TCP connection is over (or never began): recv()/send() give err
}

/** NetworkJS's socket error codes (Espruino's libs/network/socketerrors.h). */
export const enum Err {
  CLOSED = -1, MEM = -2, TIMEOUT = -3, NO_ROUTE = -4, BUSY = -5, NOT_FOUND = -6, MAX_SOCK = -7,
  UNSENT = -8, RESET = -9, UNKNOWN = -10, NO_CONN = -11, BAD_ARG = -12,
}

/** create()'s type argument. */
export const enum SockType { TCP = 0, HTTP = 1, UDP = 2, MASK = 3, TLS = 4 }

/** Counters by index (njsCounters() names them in this order). */
export const enum Nc {
  ACCEPT_NO_SOCKET, ACCEPT_ORPHAN, RX_DISCARD, UDP_DROP_FULL, UDP_DROP_NO_SOCKET, UDP_DROP_BAD,
  SEND_BUSY, RECLAIMED, RESOLVE_FAIL, CREATE_FAIL, COUNT,
}

/** The driver record (one per driver; methods shared). */
export interface NjsState {
  tcp: Tcp;
  udp: NjsUdp | null;
  resolver: Resolver | null;
  clock: { now(): number };
  closeWaitMs: number;
  /** tcpKeepAlive when the driver was given it (options.keepAlive), else null. */
  ka: KeepAlive | null;
  n: number;
  rxBuf: number;
  kind: Uint8Array;
  flags: Uint8Array;
  err: Int8Array;
  /** TCP slot of a TCP socket, -1 when none. */
  conn: Int8Array;
  /** The listening socket an accepted one came from. */
  parent: Int8Array;
  /** Bumped whenever a socket is freed: a late callback for an older use is ignored. */
  gen: Uint16Array;
  /** Local port of a listening or UDP socket. */
  port: Uint16Array;
  rxLen: Uint16Array;
  /** UDP: bytes of the datagram at the buffer's start that recv() has not returned yet. */
  udpLeft: Uint16Array;
  /** When the peer's FIN came (ms), for the close-wait reclaim. */
  tPeerFin: Float64Array;
  /** Receive buffers, rxBuf bytes per socket. */
  rx: Uint8Array;
  /** Socket of each TCP slot, -1 when none. */
  slotSock: Int8Array;
  counts: Uint32Array;
  nextUdp: number;
  udpFn: (src: number, sport: number, rx: Uint8Array, off: number, len: number) => void;
}
