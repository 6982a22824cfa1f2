// DNS resolver (RFC 1035) for A records, over the stack's UDP. Optional per build: only a
// program that calls createResolver contains it.
//
//   var dns = createResolver(stack, function () { return dnsServerIp; }, { entries: 4 });
//   dns.resolve("example.org", function (ip, err) { ... });   // ip: the stack's 32-bit number
//
// The callback gets (ip, 0) or (0, err), err a NetworkJS-style code (DnsErr): -6 not found
// (NXDOMAIN, no A record, CNAME chain without an end, or a name that cannot be sent), -3 time-out
// (no valid answer after all tries), -4 no server or no route to it, -5 busy (every query slot or
// UDP port in use), -10 the server failed (SERVFAIL, REFUSED, any other error code). It may be
// called before resolve() returns: a dotted quad ("192.0.2.7"), a cache hit and an error found at
// once answer at once.
//
// Allocated at boot: a cache of `entries` names (TTL honoured, clamped to [minTtl, maxTtl]
// seconds; the entry expiring first is replaced), `queries` concurrent lookups (each on its own
// random source port, with a random 16-bit ID: RFC 5452 9.2). A query is
// sent again after timeoutMs, 2 timeoutMs, 4 timeoutMs ... (the same ID and port: a late answer to
// an earlier try counts) and fails with -3 after `tries`. An answer is taken only from the
// server's address and port 53 to the query's port, with the query's ID, one question equal to
// ours (name without case, type A, class IN); a CNAME chain inside the answer is followed (at
// most K.MAX_CHAIN links). Anything else is dropped and counted (`counters`): a cut-short message,
// a broken or looping compression pointer, counts larger than the message. Per query nothing is
// allocated but the name's string (the caller's) kept in a slot.

import { rd16, rd32, wr16 } from "./bytes";
import { Dns, nameEq, nameSkip, nameWrite } from "./dns-wire";
import { IpSend, parseIp } from "./ipv4";
import { udpBind, udpSend, udpUnbind, UdpHdr } from "./udp";
import { Stack } from "./stack";
import { St } from "./state";

/** The callback's error codes (NetworkJS's numbers). */
export const enum DnsErr {
  TIMEOUT = -3,
  NO_SERVER = -4,
  BUSY = -5,
  NOT_FOUND = -6,
  SERVER_FAIL = -10,
}

export interface ResolverOptions {
  /** Cached names (1..8, default 4). */
  entries?: number;
  /** Lookups at once (1..4, default 2; each binds a UDP port while it runs). */
  queries?: number;
  /** Queries sent per lookup before -3 (default 3). */
  tries?: number;
  /** The first wait for an answer, doubled per try (ms, default 1000: 1 + 2 + 4 s). */
  timeoutMs?: number;
  /** TTL floor and ceiling (s, default 10 and 3600). */
  minTtl?: number;
  maxTtl?: number;
  /** Random numbers in [0, 1) for IDs and ports (default Math.random). */
  random?: () => number;
}

export interface Resolver {
  resolve(name: string, cb: (ip: number, err: number) => void): void;
  /** Empties the cache. */
  flush(): void;
  /** Lookups under way. */
  pending(): number;
  /** The counters by name (a snapshot built per read). */
  readonly counters: { [name: string]: number };
}

/** Counters (c[0..C.COUNT)), in the order of their names in counterText(). */
const enum C {
  QUERIES, SENT, RETRIES, RX, ANSWERS, HITS, NOT_FOUND, SERVER_FAIL, TIMEOUTS, NO_SERVER, BUSY,
  DROP_OTHER, DROP_SOURCE, DROP_SHORT, DROP_ID, DROP_QUESTION, DROP_MALFORMED, DROP_TRUNCATED,
  COUNT,
}
const enum Max { ENTRIES = 8, QUERIES = 4 }
/** The words after the counters: per query slot its ID, port, tries and server; per cache entry
 * its address; the settings; lookups under way; the TTL of the last answer read. */
const enum W {
  Q_ID = C.COUNT,
  Q_PORT = Q_ID + Max.QUERIES,
  Q_TRIES = Q_PORT + Max.QUERIES,
  Q_SERVER = Q_TRIES + Max.QUERIES,
  IP = Q_SERVER + Max.QUERIES,
  ENTRIES = IP + Max.ENTRIES,
  QUERIES, TRIES, TIMEOUT, MIN_TTL, MAX_TTL, PENDING, TTL,
  COUNT,
}
/** Times (ms): per query slot when to send again or give up; per cache entry its expiry. */
const enum T { DUE = 0, EXPIRY = DUE + Max.QUERIES, COUNT = EXPIRY + Max.ENTRIES }
const enum K {
  PORT = 53,
  PORT_BASE = 49152,      // source ports from the dynamic range (RFC 6335)
  PORT_RANGE = 16384,
  BIND_TRIES = 4,
  ID_RANGE = 65536,
  MAX_CHAIN = 8,          // CNAME links followed
  MSG = UdpHdr.TX_DATA,   // where the query is built in tx
  QNAME = MSG + Dns.HEADER,
  MALFORMED = -1,         // dnsAnswer's results besides an address
  NONE = -2,
}

interface R extends Resolver {
  s: St;
  sv: () => number;
  rn: () => number;
  c: Uint32Array;
  t: Float64Array;
  /** c's query ports (a view, for a native indexOf). */
  pv: Uint32Array;
  /** The cached names (entries), then the pending lookups' names (queries); "" when free. */
  nm: string[];
  /** The pending lookups' callbacks (null: the slot is free). */
  cb: (((ip: number, err: number) => void) | null)[];
  /** The UDP handler of the query ports. */
  fn: (src: number, srcPort: number, rx: Uint8Array, off: number, len: number) => void;
}

/** Resolver.resolve (`this`: the resolver). */
function resolve(this: R, name: string, cb: (ip: number, err: number) => void): void {
  var r = this, c = r.c, e = c[W.ENTRIES], now = r.s.clock.now(), i: number, j: number, port = 0;
  var ip = parseIp(name), server: number;
  if (!isNaN(ip)) { cb(ip, 0); return; }
  i = r.nm.indexOf(name);
  if (i >= 0 && i < e && r.t[T.EXPIRY + i] > now) {
    c[C.HITS]++;
    cb(c[W.IP + i], 0);
    return;
  }
  server = r.sv();
  if (!server) { c[C.NO_SERVER]++; cb(0, DnsErr.NO_SERVER); return; }
  if (typeof name !== "string" || nameWrite(r.s.tx, K.QNAME, name) < 0) { c[C.NOT_FOUND]++; cb(0, DnsErr.NOT_FOUND); return; }
  j = r.cb.indexOf(null);
  for (i = 0; j >= 0 && i < K.BIND_TRIES && !port; i++) {
    port = K.PORT_BASE + Math.floor(r.rn() * K.PORT_RANGE);
    if (!udpBind.call(r.s, port, r.fn)) port = 0;
  }
  if (!port) { c[C.BUSY]++; cb(0, DnsErr.BUSY); return; }
  r.cb[j] = cb;
  r.nm[e + j] = name;
  c[W.Q_ID + j] = Math.floor(r.rn() * K.ID_RANGE);
  c[W.Q_PORT + j] = port;
  c[W.Q_TRIES + j] = 0;
  c[W.Q_SERVER + j] = server;
  c[W.PENDING]++;
  c[C.QUERIES]++;
  dnsSend(r, j, now);
}

/** Builds query j (header, its name, type A, class IN) at tx[42..) and sends it; schedules the
 * next try. No route to the server: the lookup fails (-4). */
function dnsSend(r: R, j: number, now: number): void {
  var s = r.s, tx = s.tx, c = r.c;
  tx.fill(0, K.MSG, K.QNAME);
  wr16(tx, K.MSG + Dns.ID, c[W.Q_ID + j]);
  tx[K.MSG + Dns.FLAGS] = Dns.RD >> 8;
  tx[K.MSG + Dns.QDCOUNT + 1] = 1;
  var at = nameWrite(tx, K.QNAME, r.nm[c[W.ENTRIES] + j]);
  wr16(tx, at, Dns.TYPE_A);
  wr16(tx, at + 2, Dns.CLASS_IN);
  r.t[T.DUE + j] = now + c[W.TIMEOUT] * (1 << c[W.Q_TRIES + j]);
  c[C.SENT]++;
  if (udpSend.call(s, c[W.Q_SERVER + j], K.PORT, c[W.Q_PORT + j], at + Dns.Q_FIXED - K.MSG) === IpSend.NO_ROUTE) {
    c[C.NO_SERVER]++;
    finish(r, j, 0, DnsErr.NO_SERVER);
  }
}

/** Frees slot j (port unbound), then calls its callback (which may start another lookup); an
 * exception the callback throws is said on the console (it would be lost in the stack's poll). */
function finish(r: R, j: number, ip: number, err: number): void {
  var c = r.c, fn = r.cb[j], name = r.nm[c[W.ENTRIES] + j];
  r.cb[j] = null;
  r.nm[c[W.ENTRIES] + j] = "";
  udpUnbind.call(r.s, c[W.Q_PORT + j]);
  c[W.Q_PORT + j] = 0;
  c[W.PENDING]--;
  try {
    if (fn) fn(ip, err);
  } catch (e) {
    console.log("dns: the callback of the lookup of " + name + " threw: " + e);
  }
}

/** When dnsTick() next has work: the earliest wait of a lookup under way (Infinity: none). */
function dnsDue(r: R): number {
  var c = r.c, d = Infinity;
  if (c[W.PENDING]) for (var j = 0; j < c[W.QUERIES]; j++) if (r.cb[j] && r.t[T.DUE + j] < d) d = r.t[T.DUE + j];
  return d;
}

/** The resolver's tick: tries again or gives up where a wait ended (one test when idle). */
function dnsTick(r: R, now: number): void {
  var c = r.c;
  if (!c[W.PENDING]) return;
  for (var j = 0; j < c[W.QUERIES]; j++) {
    if (!r.cb[j] || now < r.t[T.DUE + j]) continue;
    if (c[W.Q_TRIES + j] + 1 >= c[W.TRIES]) {
      c[C.TIMEOUTS]++;
      finish(r, j, 0, DnsErr.TIMEOUT);
    } else {
      c[W.Q_TRIES + j]++;
      c[C.RETRIES]++;
      dnsSend(r, j, now);
    }
  }
}

/**
 * The address the answer section (an records from rx[ans..end), message at off) gives for the
 * name of the question at off + 12, following CNAMEs (their TTLs and the A's: the lowest in
 * c[W.TTL]); K.NONE when there is none, K.MALFORMED when a record or name is broken.
 */
function dnsAnswer(r: R, rx: Uint8Array, off: number, end: number, ans: number, an: number): number {
  var tgt = off + Dns.HEADER, ttl = r.c[W.MAX_TTL], next: number, nttl = 0, pass: number, p: number, k: number;
  var rd: number, rdlen: number, type: number, eq: number;
  for (pass = 0; pass <= K.MAX_CHAIN; pass++) {
    next = 0;
    for (p = ans, k = 0; k < an; k++) {
      rd = nameSkip(rx, p, end);
      if (rd < 0 || rd + Dns.RR_FIXED > end) return K.MALFORMED;
      type = rd16(rx, rd + Dns.RR_TYPE);
      rdlen = rd16(rx, rd + Dns.RR_RDLEN);
      // every owner name and CNAME target read in full once (pointers followed): broken is malformed
      if (rd + Dns.RR_FIXED + rdlen > end || (!pass && (nameEq(rx, off, p, end, rx, off, p, end) < 0 ||
        (type === Dns.TYPE_CNAME && nameEq(rx, off, rd + Dns.RR_FIXED, end, rx, off, rd + Dns.RR_FIXED, end) < 0)))) return K.MALFORMED;
      if (((type === Dns.TYPE_A && rdlen === 4) || type === Dns.TYPE_CNAME) &&
        (rd16(rx, rd + Dns.RR_CLASS) & Dns.CLASS_MASK) === Dns.CLASS_IN) {
        eq = nameEq(rx, off, p, end, rx, off, tgt, end);
        if (eq < 0) return K.MALFORMED;
        if (eq && type === Dns.TYPE_A) {
          r.c[W.TTL] = Math.min(ttl, rd32(rx, rd + Dns.RR_TTL));
          return rd32(rx, rd + Dns.RR_FIXED);
        }
        if (eq && !next) {
          next = rd + Dns.RR_FIXED;
          nttl = rd32(rx, rd + Dns.RR_TTL);
        }
      }
      p = rd + Dns.RR_FIXED + rdlen;
    }
    if (!next) return K.NONE;
    tgt = next;
    ttl = Math.min(ttl, nttl);
  }
  return K.NONE;
}

/** The query ports' UDP handler: checks the answer (one check and one counter per reason to
 * drop, in this order), then ends the lookup and caches its address. */
function dnsInput(r: R, src: number, srcPort: number, rx: Uint8Array, off: number, len: number): void {
  var c = r.c, end = off + len, now = r.s.clock.now();
  var j = r.pv.indexOf(rd16(rx, off - UdpHdr.HEADER + UdpHdr.DST_PORT));
  var flags = rd16(rx, off + Dns.FLAGS), rcode = flags & Dns.RCODE, an = rd16(rx, off + Dns.ANCOUNT);
  c[C.RX]++;
  if (j < 0 || !r.cb[j]) { c[C.DROP_OTHER]++; return; }
  if (src !== c[W.Q_SERVER + j] || srcPort !== K.PORT) { c[C.DROP_SOURCE]++; return; }
  if (len < Dns.HEADER) { c[C.DROP_SHORT]++; return; }
  if (rd16(rx, off + Dns.ID) !== c[W.Q_ID + j]) { c[C.DROP_ID]++; return; }
  if (!(flags & Dns.QR) || (flags & Dns.OPCODE)) { c[C.DROP_MALFORMED]++; return; }
  var q = nameSkip(rx, off + Dns.HEADER, end);
  if (q < 0 || q + Dns.Q_FIXED > end) { c[C.DROP_SHORT]++; return; }
  // our question's name, written where the query goes in tx (free while a frame is handled)
  nameWrite(r.s.tx, K.QNAME, r.nm[c[W.ENTRIES] + j]);
  if (rd16(rx, off + Dns.QDCOUNT) !== 1 || nameEq(rx, off, off + Dns.HEADER, end, r.s.tx, K.QNAME, K.QNAME, r.s.tx.length) !== 1 ||
    rd16(rx, q) !== Dns.TYPE_A || (rd16(rx, q + 2) & Dns.CLASS_MASK) !== Dns.CLASS_IN) { c[C.DROP_QUESTION]++; return; }
  if (rcode === Dns.RCODE_NXDOMAIN) { c[C.NOT_FOUND]++; finish(r, j, 0, DnsErr.NOT_FOUND); return; }
  if (rcode) { c[C.SERVER_FAIL]++; finish(r, j, 0, DnsErr.SERVER_FAIL); return; }
  q += Dns.Q_FIXED;
  // more records than bytes (each takes at least 11): a bogus count, not a long walk
  var ip = an * (1 + Dns.RR_FIXED) > end - q ? K.MALFORMED : dnsAnswer(r, rx, off, end, q, an);
  if (ip === K.MALFORMED) { c[C.DROP_MALFORMED]++; return; }
  if (ip === K.NONE && (flags & Dns.TC)) { c[C.DROP_TRUNCATED]++; return; }   // (the next try may fit)
  if (ip === K.NONE) { c[C.NOT_FOUND]++; finish(r, j, 0, DnsErr.NOT_FOUND); return; }
  c[C.ANSWERS]++;
  cacheSet(r, r.nm[c[W.ENTRIES] + j], ip, now);
  finish(r, j, ip, 0);
}

/** Caches name -> ip for c[W.TTL] seconds (clamped): in its own entry, else the one expiring first. */
function cacheSet(r: R, name: string, ip: number, now: number): void {
  var c = r.c, t = r.t, e = c[W.ENTRIES], i = r.nm.indexOf(name), k: number;
  if (!(i >= 0 && i < e)) {
    for (i = 0, k = 1; k < e; k++) if (t[T.EXPIRY + k] < t[T.EXPIRY + i]) i = k;
  }
  r.nm[i] = name;
  c[W.IP + i] = ip;
  t[T.EXPIRY + i] = now + 1000 * Math.max(c[W.MIN_TTL], Math.min(c[W.MAX_TTL], c[W.TTL]));
}

var PROTO = {
  resolve: resolve,
  flush: function (this: R): void {
    this.t.fill(0, T.EXPIRY, T.COUNT);
  },
  pending: function (this: R): number {
    return this.c[W.PENDING];
  },
  get counters(): { [name: string]: number } {
    var out: { [name: string]: number } = {}, c = (this as any as R).c;
    // (as C; "-" stands for "drop"; a literal in a function body stays in flash on a board)
    var names = "queries sent retries rx answers hits notFound serverFail timeouts noServer busy -Other -Source -Short -Id -Question -Malformed -Truncated".split(" ");
    for (var i = 0; i < C.COUNT; i++) out[names[i].replace("-", "drop")] = c[i];
    return out;
  },
};

function clamp(v: number | undefined, dflt: number, lo: number, hi: number): number {
  return v === undefined ? dflt : Math.max(lo, Math.min(hi, v));
}

/** A resolver over the stack's UDP; server() gives the DNS server's address (0: none yet). */
export function createResolver(stack: Stack, server: () => number, opts?: ResolverOptions): Resolver {
  var o = opts || {}, r = Object.create(PROTO) as R, c = new Uint32Array(W.COUNT), i: number;
  var e = clamp(o.entries, 4, 1, Max.ENTRIES), q = clamp(o.queries, 2, 1, Max.QUERIES);
  r.s = stack as any as St;
  r.sv = server;
  r.rn = o.random || Math.random;
  r.c = c;
  r.t = new Float64Array(T.COUNT);
  r.pv = c.subarray(W.Q_PORT, W.Q_PORT + Max.QUERIES);
  r.nm = [];
  r.cb = [];
  for (i = 0; i < e + q; i++) r.nm.push("");
  for (i = 0; i < q; i++) r.cb.push(null);
  c[W.ENTRIES] = e;
  c[W.QUERIES] = q;
  c[W.TRIES] = clamp(o.tries, 3, 1, 8);
  c[W.TIMEOUT] = clamp(o.timeoutMs, 1000, 100, 60000);
  c[W.MIN_TTL] = clamp(o.minTtl, 10, 0, 86400);
  c[W.MAX_TTL] = Math.max(c[W.MIN_TTL], clamp(o.maxTtl, 3600, 0, 604800));
  r.fn = function (src: number, srcPort: number, rx: Uint8Array, off: number, len: number): void {
    dnsInput(r, src, srcPort, rx, off, len);
  };
  stack.onTick(function (now: number): void {
    dnsTick(r, now);
  }, function (): number {
    return dnsDue(r);
  });
  return r;
}
