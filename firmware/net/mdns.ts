// mDNS responder (RFC 6762) with one DNS-SD service (RFC 6763). Optional per build: only a
// program that calls createMdns contains it; nothing else imports this module.
//
//   var mdns = createMdns(stack, function () { return "espruino"; }, { port: 80, log: print });
//   mdns.start();   // probes "espruino.local", then answers and announces it; stop(): goodbye
//
// Records (built once per name and address in one buffer, copied into answers with native set()):
//   <host>.local                     A    our address        TTL 120 s, unique (cache-flush bit)
//   <host>._http._tcp.local          SRV  0 0 <port> <host>.local     120 s, unique
//   <host>._http._tcp.local          TXT  opts.txt ["path=/"]        4500 s, unique
//   _http._tcp.local                 PTR  <host>._http._tcp.local    4500 s, shared
//   _services._dns-sd._udp.local     PTR  _http._tcp.local           4500 s, shared
// (port 0: the A record only.)
//
// Start: joins 224.0.0.251 (MAC 01:00:5e:00:00:fb: the stack's group filter and the driver's
// hash filter), binds port 5353, waits for an address, then probes (RFC 6762 8.1): 3 queries for
// the names 250 ms apart (the stack's 100 ms tick: 250-300 ms), the first asking for a unicast
// answer, our A and SRV in the authority section. A response with our host name and another
// address is a conflict: the name becomes <host>-2 (-3 ...), said through opts.log and
// opts.onRename, and probing starts again (after the 15th rename 5 s apart). A simultaneous probe
// with a later address wins the tie (8.2): we probe again 1 s later. Then two announcements 1 s
// apart; a new address probes again. stop() sends the records with TTL 0 (goodbye) and unbinds.
// Queries: answered once announced. Multicast to 224.0.0.251 unless the question asks for a
// unicast answer (QU bit: to the querier's port 5353); a query from a port other than 5353
// (a "legacy" resolver such as `dig -p 5353`) gets a unicast answer with its ID and question,
// TTL at most 10 s, no cache-flush bits (6.7). PTR answers carry SRV, TXT and A as additional
// records; known answers (PTR with at least half their TTL left) are not repeated (7.1).
// Answers go out at once (no 20-120 ms delay for shared records), names uncompressed.
// Messages from off-link sources, with an opcode or error code, or broken (cut short, counts
// larger than the message, bad names) are dropped and counted.

import { rd16, rd32, wr16, wr32 } from "./bytes";
import { Dns, nameEq, nameSkip, nameWrite } from "./dns-wire";
import { ethJoin, ethLeave } from "./ethernet";
import { csumAdd, csumFinish, pseudoSum } from "./checksum";
import { Cnt } from "./counters";
import { Ip, Proto, sendReply } from "./ipv4";
import { udpBind, udpSend, udpUnbind, UdpHdr } from "./udp";
import { Stack } from "./stack";
import { St } from "./state";
import { stringToBytes } from "../../hal/natives";

export interface MdnsOptions {
  /** The HTTP port announced as _http._tcp (default 80; 0: no service, the host name only). */
  port?: number;
  /** The service's TXT strings (default ["path=/"]; at most 200 bytes in all). */
  txt?: string[];
  /** Console lines (a rename after a conflict). Default: console.log. */
  log?: (line: string) => void;
  /** Called with the new host name (without ".local") after a conflict. */
  onRename?: (name: string) => void;
  /** Lets the group's frames in at the link (default: the netif's addMulticast, when it has one). */
  join?: (mac: Uint8Array) => void;
  random?: () => number;
}

export interface Mdns {
  start(): void;
  stop(): void;
  /** The host name answered (without ".local"): the given one, or -2, -3 ... after conflicts. */
  name(): string;
  /** "stopped", "waiting" (for an address), "probing", "announcing" or "running". */
  state(): string;
  /** The counters by name (a snapshot built per read). */
  readonly counters: { [name: string]: number };
}

const enum S { STOPPED, WAITING, PROBING, ANNOUNCING, RUNNING }
const enum C {
  RX, TX, QUERIES, ANSWERS, LEGACY, UNICAST, PROBES, ANNOUNCES, CONFLICTS, RENAMES, LOST_TIES, SUPPRESSED,
  DROP_SHORT, DROP_MALFORMED, DROP_SOURCE, DROP_OTHER,
  COUNT,
}
/** The records, in message order; their bits in an answer set (1 << R). NAME_H, NAME_I: views of
 * the host and instance names alone (the probe's questions). */
const enum R { A, SRV, TXT, PTR, DPTR, COUNT, NAME_H = COUNT, NAME_I, VIEWS }
const enum W {
  STATE = C.COUNT,
  PROBES, ANNOUNCES, SUFFIX, PORT,
  /** Per record: its owner name's length in wire form. */
  NAME_LEN,
  COUNT = NAME_LEN + R.COUNT,
}
const enum K {
  PORT = 5353,
  GROUP = 0xe00000fb,          // 224.0.0.251
  MSG = UdpHdr.TX_DATA,
  HOST_TTL = 120,              // RFC 6762 10: host names and SRV
  OTHER_TTL = 4500,            // everything else
  LEGACY_TTL = 10,
  PROBE_MS = 250,
  ANNOUNCE_MS = 1000,
  TIE_LOST_MS = 1000,
  RENAME_BURST = 15,           // renames before they slow down
  RENAME_SLOW_MS = 5000,
  PROBE_COUNT = 3,
  ANNOUNCE_COUNT = 2,
  FLAGS_RESPONSE = Dns.QR | Dns.AA,
  BUF = 480,                   // the records without TXT (host name up to 63 bytes)
  TXT_MAX = 200,
  HOST_MAX = Dns.LABEL_MAX,
}

var GROUP_MAC = new Uint8Array([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);

interface M extends Mdns {
  s: St;
  hn: () => string;
  lg: (line: string) => void;
  rf: ((name: string) => void) | undefined;
  jn: ((mac: Uint8Array) => void) | undefined;
  rn: () => number;
  c: Uint32Array;
  /** When the next probe or announcement is due (ms). */
  due: number;
  /** The name given at start, the one in use. */
  base: string;
  nm: string;
  txt: string[];
  rec: Uint8Array;
  /** Views of rec: the records (R), the host and instance names. */
  v: Uint8Array[];
  fn: (src: number, srcPort: number, rx: Uint8Array, off: number, len: number) => void;
}

/** Writes a record's type, class, TTL and a 0 rdata length after its name; offset of the rdata. */
function head(b: Uint8Array, at: number, type: number, cls: number, ttl: number): number {
  wr16(b, at + Dns.RR_TYPE, type);
  wr16(b, at + Dns.RR_CLASS, cls);
  wr32(b, at + Dns.RR_TTL, ttl);
  wr16(b, at + Dns.RR_RDLEN, 0);
  return at + Dns.RR_FIXED;
}

/** Ends the record whose rdata started at rd (rdata length written); the offset past it. */
function tail(b: Uint8Array, rd: number, end: number): number {
  wr16(b, rd - 2, end - rd);
  return end;
}

/** Builds the records for the name in use and the stack's address into rec; false when the name
 * cannot be written. */
function build(r: M): boolean {
  var b = r.rec, c = r.c, v = r.v, host = r.nm + ".local", inst = r.nm + "._http._tcp.local";
  var at = 0, rd: number, i: number, n: number;
  var starts = [0, 0, 0, 0, 0, 0];
  // A
  n = nameWrite(b, 0, host);
  if (n < 0) return false;
  c[W.NAME_LEN + R.A] = n;
  rd = head(b, n, Dns.TYPE_A, Dns.CLASS_IN | Dns.CLASS_BIT, K.HOST_TTL);
  wr32(b, rd, r.s.addr);
  at = tail(b, rd, rd + 4);
  starts[R.SRV] = starts[R.TXT] = starts[R.PTR] = starts[R.DPTR] = at;
  if (c[W.PORT]) {
    // SRV: priority 0, weight 0, port, target
    n = nameWrite(b, at, inst);
    if (n < 0) return false;
    c[W.NAME_LEN + R.SRV] = c[W.NAME_LEN + R.TXT] = n - at;
    rd = head(b, n, Dns.TYPE_SRV, Dns.CLASS_IN | Dns.CLASS_BIT, K.HOST_TTL);
    wr32(b, rd, 0);
    wr16(b, rd + 4, c[W.PORT]);
    at = tail(b, rd, nameWrite(b, rd + 6, host));
    // TXT: length-prefixed strings (one empty string when there are none: RFC 6763 6.1)
    starts[R.TXT] = at;
    rd = head(b, nameWrite(b, at, inst), Dns.TYPE_TXT, Dns.CLASS_IN | Dns.CLASS_BIT, K.OTHER_TTL);
    for (at = rd, i = 0; i < r.txt.length; i++) {
      b[at] = r.txt[i].length;
      b.set(stringToBytes(r.txt[i]), at + 1);
      at += r.txt[i].length + 1;
    }
    if (at === rd) b[at++] = 0;
    at = tail(b, rd, at);
    // PTR: service type -> instance; DNS-SD's service list -> service type
    starts[R.PTR] = at;
    n = nameWrite(b, at, "_http._tcp.local");
    c[W.NAME_LEN + R.PTR] = n - at;
    rd = head(b, n, Dns.TYPE_PTR, Dns.CLASS_IN, K.OTHER_TTL);
    at = tail(b, rd, nameWrite(b, rd, inst));
    starts[R.DPTR] = at;
    n = nameWrite(b, at, "_services._dns-sd._udp.local");
    c[W.NAME_LEN + R.DPTR] = n - at;
    rd = head(b, n, Dns.TYPE_PTR, Dns.CLASS_IN, K.OTHER_TTL);
    at = tail(b, rd, nameWrite(b, rd, "_http._tcp.local"));
  }
  starts[R.COUNT] = at;
  for (i = 0; i < R.COUNT; i++) v[i] = b.subarray(starts[i], starts[i + 1]);
  v[R.NAME_H] = b.subarray(0, c[W.NAME_LEN + R.A]);
  v[R.NAME_I] = b.subarray(starts[R.SRV], starts[R.SRV] + c[W.NAME_LEN + R.SRV]);
  return true;
}

/** Copies record k into tx at `at`: its TTL replaced when ttl >= 0, its cache-flush bit cleared
 * when shared; the offset past it. */
function put(r: M, at: number, k: number, ttl: number, shared: boolean): number {
  var tx = r.s.tx, v = r.v[k], n = r.c[W.NAME_LEN + k];
  tx.set(v, at);
  if (ttl >= 0) wr32(tx, at + n + Dns.RR_TTL, ttl);
  if (shared) tx[at + n + Dns.RR_CLASS] &= ~(Dns.CLASS_BIT >> 8);
  return at + v.length;
}

/** Writes a DNS header at tx[42..). */
function header(tx: Uint8Array, id: number, flags: number, qd: number, an: number, ns: number, ar: number): void {
  wr16(tx, K.MSG + Dns.ID, id);
  wr16(tx, K.MSG + Dns.FLAGS, flags);
  wr16(tx, K.MSG + Dns.QDCOUNT, qd);
  wr16(tx, K.MSG + Dns.ANCOUNT, an);
  wr16(tx, K.MSG + Dns.NSCOUNT, ns);
  wr16(tx, K.MSG + Dns.ARCOUNT, ar);
}

function bits(set: number): number {
  for (var n = 0; set; set >>= 1) n += set & 1;
  return n;
}

/** Sends the records of `ans` (answers) and `add` (additional) as a response to dst:port, with the
 * given TTL (-1: theirs); `id` and the question rx[q0..q1) for a legacy query (q1 > q0). */
function respond(r: M, ans: number, add: number, dst: number, port: number, ttl: number, id: number,
  rx: Uint8Array, q0: number, q1: number): void {
  var tx = r.s.tx, at = K.MSG + Dns.HEADER, k: number, legacy = q1 > q0;
  header(tx, id, K.FLAGS_RESPONSE, legacy ? 1 : 0, bits(ans), 0, bits(add));
  if (legacy) {
    tx.set(rx.subarray(q0, q1), at);
    at += q1 - q0;
  }
  for (k = 0; k < R.COUNT; k++) if ((ans >> k) & 1) at = put(r, at, k, ttl, legacy || k >= R.PTR);
  for (k = 0; k < R.COUNT; k++) if ((add >> k) & 1) at = put(r, at, k, ttl, legacy || k >= R.PTR);
  r.c[C.TX]++;
  if (dst === K.GROUP) udpSend.call(r.s, dst, port, K.PORT, at - K.MSG);
  else reply(r.s, port, at - K.MSG);
}

/** Sends the len-byte UDP payload at tx[42..) from port 5353 to the sender of the datagram in rx
 * (its MAC and address: no ARP lookup, as ICMP's replies). */
function reply(s: St, port: number, len: number): void {
  var tx = s.tx, ulen = len + UdpHdr.HEADER;
  wr16(tx, Ip.PAYLOAD + UdpHdr.SRC_PORT, K.PORT);
  wr16(tx, Ip.PAYLOAD + UdpHdr.DST_PORT, port);
  wr16(tx, Ip.PAYLOAD + UdpHdr.LENGTH, ulen);
  wr16(tx, Ip.PAYLOAD + UdpHdr.CHECKSUM, 0);
  wr16(tx, Ip.PAYLOAD + UdpHdr.CHECKSUM,
    csumFinish(csumAdd(tx, Ip.PAYLOAD, ulen, pseudoSum(s.addr, rd32(s.rx, Ip.SRC), Proto.UDP, ulen))) || 0xffff);
  if (sendReply(s, Proto.UDP, ulen) > 0) s.c[Cnt.UDP_TX]++;
}

/** A probe: questions (type ANY) for our names, the first asking for a unicast answer, our A and
 * SRV records in the authority section. */
function probe(r: M): void {
  var tx = r.s.tx, c = r.c, svc = c[W.PORT] ? 1 : 0, at = K.MSG + Dns.HEADER;
  header(tx, 0, 0, 1 + svc, 0, 1 + svc, 0);
  tx.set(r.v[R.NAME_H], at);
  at += r.v[R.NAME_H].length;
  wr16(tx, at, Dns.TYPE_ANY);
  wr16(tx, at + 2, Dns.CLASS_IN | (c[W.PROBES] ? 0 : Dns.CLASS_BIT));
  at += Dns.Q_FIXED;
  if (svc) {
    tx.set(r.v[R.NAME_I], at);
    at += r.v[R.NAME_I].length;
    wr16(tx, at, Dns.TYPE_ANY);
    wr16(tx, at + 2, Dns.CLASS_IN);
    at += Dns.Q_FIXED;
  }
  at = put(r, at, R.A, -1, true);
  if (svc) at = put(r, at, R.SRV, -1, true);
  c[C.PROBES]++;
  c[C.TX]++;
  udpSend.call(r.s, K.GROUP, K.PORT, K.PORT, at - K.MSG);
}

/** (Re)starts probing `delay` ms from now (the name in use, the current address). */
function reprobe(r: M, delay: number): void {
  var c = r.c;
  if (!r.s.addr) { c[W.STATE] = S.WAITING; return; }
  if (!build(r)) {
    r.lg("mdns: cannot use the name " + r.nm + ".local");
    c[W.STATE] = S.STOPPED;
    return;
  }
  c[W.STATE] = S.PROBING;
  c[W.PROBES] = 0;
  r.due = r.s.clock.now() + delay;
}

/** Another host has our name: take the next one (<base>-2, -3 ...) and probe it. */
function conflict(r: M): void {
  var c = r.c, old = r.nm, sfx = "-" + (c[W.SUFFIX] = c[W.SUFFIX] < 2 ? 2 : c[W.SUFFIX] + 1);
  c[C.CONFLICTS]++;
  c[C.RENAMES]++;
  r.nm = r.base.substring(0, K.HOST_MAX - sfx.length) + sfx;
  r.lg("mdns: " + old + ".local is taken on this network, now " + r.nm + ".local");
  if (r.rf) r.rf(r.nm);
  reprobe(r, c[C.RENAMES] > K.RENAME_BURST ? K.RENAME_SLOW_MS : 0);
}

/** The stack's tick: probes, then announcements, when due (one test when idle). */
function mdnsTick(r: M, now: number): void {
  var c = r.c, state = c[W.STATE];
  if (state === S.WAITING && r.s.addr) reprobe(r, r.rn() * K.PROBE_MS);
  if (state < S.PROBING || state === S.RUNNING || now < r.due) return;
  if (state === S.PROBING && c[W.PROBES] < K.PROBE_COUNT) {
    probe(r);
    c[W.PROBES]++;
    r.due = now + K.PROBE_MS;
    return;
  }
  c[W.STATE] = S.ANNOUNCING;
  if (state === S.PROBING) c[W.ANNOUNCES] = 0;
  respond(r, c[W.PORT] ? (1 << R.COUNT) - 1 : 1 << R.A, 0, K.GROUP, K.PORT, -1, 0, r.s.rx, 0, 0);
  c[C.ANNOUNCES]++;
  if (++c[W.ANNOUNCES] >= K.ANNOUNCE_COUNT) c[W.STATE] = S.RUNNING;
  r.due = now + K.ANNOUNCE_MS;
}

/** Which of our records a question (name at rx[at], type) asks for, as bits of R. */
function match(r: M, rx: Uint8Array, off: number, at: number, end: number, type: number): number {
  var v = r.v, any = type === Dns.TYPE_ANY;
  if (nameEq(rx, off, at, end, v[R.A], 0, 0, v[R.A].length) === 1) return any || type === Dns.TYPE_A ? 1 << R.A : 0;
  if (!r.c[W.PORT]) return 0;
  if (nameEq(rx, off, at, end, v[R.SRV], 0, 0, v[R.SRV].length) === 1) {
    return (any || type === Dns.TYPE_SRV ? 1 << R.SRV : 0) | (any || type === Dns.TYPE_TXT ? 1 << R.TXT : 0);
  }
  if (!(any || type === Dns.TYPE_PTR)) return 0;
  if (nameEq(rx, off, at, end, v[R.PTR], 0, 0, v[R.PTR].length) === 1) return 1 << R.PTR;
  return nameEq(rx, off, at, end, v[R.DPTR], 0, 0, v[R.DPTR].length) === 1 ? 1 << R.DPTR : 0;
}

/**
 * Walks n records from rx[p]. kind 0, a query's known answers: clears from `ans` each PTR of
 * ours with at least half its TTL left. kind 1, a response: looks for an A record of our host
 * name with another address (-2: a conflict). kind 2, a probe's authority section: an A record
 * of our host name with a later address wins the tie (-3). Otherwise the answer set left; -1
 * when a record is broken.
 */
function walk(r: M, rx: Uint8Array, off: number, end: number, p: number, n: number, ans: number, kind: number): number {
  var k: number, rd: number, type: number, rdlen: number, ours = r.s.addr, theirs: number, j: number;
  for (k = 0; k < n; k++) {
    rd = nameSkip(rx, p, end);
    if (rd < 0 || rd + Dns.RR_FIXED > end) return -1;
    type = rd16(rx, rd + Dns.RR_TYPE);
    rdlen = rd16(rx, rd + Dns.RR_RDLEN);
    if (rd + Dns.RR_FIXED + rdlen > end) return -1;
    if ((rd16(rx, rd + Dns.RR_CLASS) & Dns.CLASS_MASK) !== Dns.CLASS_IN) {
      // (another class: not ours)
    } else if (kind && type === Dns.TYPE_A && rdlen === 4 && nameEq(rx, off, p, end, r.v[R.A], 0, 0, r.v[R.A].length) === 1) {
      theirs = rd32(rx, rd + Dns.RR_FIXED);
      if (kind === 1 && theirs !== ours) return -2;
      if (kind === 2 && theirs > ours) return -3;
    } else if (!kind && type === Dns.TYPE_PTR && rd32(rx, rd + Dns.RR_TTL) >= K.OTHER_TTL / 2) {
      for (j = R.PTR; j <= R.DPTR; j++) {
        if ((ans >> j) & 1 && nameEq(rx, off, p, end, r.v[j], 0, 0, r.v[j].length) === 1 &&
          nameEq(rx, off, rd + Dns.RR_FIXED, end, r.v[j], 0, r.c[W.NAME_LEN + j] + Dns.RR_FIXED, r.v[j].length) === 1) {
          ans &= ~(1 << j);
          r.c[C.SUPPRESSED]++;
        }
      }
    }
    p = rd + Dns.RR_FIXED + rdlen;
  }
  return ans;
}

/** Port 5353's UDP handler. One check and one counter per reason to drop, in this order. */
function mdnsInput(r: M, src: number, srcPort: number, rx: Uint8Array, off: number, len: number): void {
  var c = r.c, s = r.s, end = off + len, state = c[W.STATE], p = off + Dns.HEADER, k: number, q: number;
  var flags = rd16(rx, off + Dns.FLAGS), qd = rd16(rx, off + Dns.QDCOUNT), an = rd16(rx, off + Dns.ANCOUNT);
  var ns = rd16(rx, off + Dns.NSCOUNT), ar = rd16(rx, off + Dns.ARCOUNT), ans = 0, qu = Dns.CLASS_BIT, q1 = 0;
  c[C.RX]++;
  if (len < Dns.HEADER) { c[C.DROP_SHORT]++; return; }
  if (((src ^ s.addr) & s.mask) !== 0) { c[C.DROP_SOURCE]++; return; }
  // an opcode or error code; a response from another port than 5353 (RFC 6762 6, 18)
  if ((flags & (Dns.OPCODE | Dns.RCODE)) || (flags & Dns.QR && srcPort !== K.PORT) || state < S.PROBING) {
    c[C.DROP_OTHER]++;
    return;
  }
  if ((qd + an + ns + ar) * (1 + Dns.Q_FIXED) > end - p) { c[C.DROP_MALFORMED]++; return; }
  for (k = 0; k < qd; k++, p = q + Dns.Q_FIXED) {
    q = nameSkip(rx, p, end);
    if (q < 0 || q + Dns.Q_FIXED > end) { c[C.DROP_MALFORMED]++; return; }
    if (!(flags & Dns.QR) && state >= S.ANNOUNCING) {
      var cls = rd16(rx, q + 2), hit = (cls & Dns.CLASS_MASK) === Dns.CLASS_IN || (cls & Dns.CLASS_MASK) === Dns.TYPE_ANY ?
        match(r, rx, off, p, end, rd16(rx, q)) : 0;
      ans |= hit;
      if (hit) qu &= cls;
    }
    if (!k) q1 = q + Dns.Q_FIXED;
  }
  if (flags & Dns.QR) {
    k = walk(r, rx, off, end, p, an + ns + ar, 0, 1);
    if (k === -1) c[C.DROP_MALFORMED]++;
    if (k === -2) conflict(r);
    return;
  }
  c[C.QUERIES]++;
  if (state === S.PROBING) {
    // a probe for our name at the same time (its proposed records in the authority section)
    p = skipTo(rx, p, end, an);
    k = p < 0 ? -1 : walk(r, rx, off, end, p, ns, 0, 2);
    if (k === -1) c[C.DROP_MALFORMED]++;
    if (k === -3) {
      c[C.LOST_TIES]++;
      reprobe(r, K.TIE_LOST_MS);
    }
    return;
  }
  if (!ans) return;
  ans = walk(r, rx, off, end, p, an, ans, 0);
  if (ans < 0) { c[C.DROP_MALFORMED]++; return; }
  if (!ans) return;
  c[C.ANSWERS]++;
  var add = (ans & (1 << R.PTR) ? (1 << R.SRV) | (1 << R.TXT) | (1 << R.A) : 0) | (ans & (1 << R.SRV) ? 1 << R.A : 0);
  if (srcPort !== K.PORT) {
    c[C.LEGACY]++;
    respond(r, ans, add & ~ans, src, srcPort, K.LEGACY_TTL, rd16(rx, off + Dns.ID), rx, off + Dns.HEADER, q1);
  } else if (qu) {
    c[C.UNICAST]++;
    respond(r, ans, add & ~ans, src, K.PORT, -1, 0, rx, 0, 0);
  } else respond(r, ans, add & ~ans, K.GROUP, K.PORT, -1, 0, rx, 0, 0);
}

/** The offset past n records from rx[p] (-1: broken). */
function skipTo(rx: Uint8Array, p: number, end: number, n: number): number {
  for (var k = 0; k < n && p >= 0; k++) {
    p = nameSkip(rx, p, end);
    p = p < 0 || p + Dns.RR_FIXED > end ? -1 : p + Dns.RR_FIXED + rd16(rx, p + Dns.RR_RDLEN);
  }
  return p > end ? -1 : p;
}

var STATES = "stopped waiting probing announcing running";
var NAMES = "rx tx queries answers legacy unicast probes announces conflicts renames lostTies suppressed -Short -Malformed -Source -Other";

var PROTO = {
  start: function (this: M): void {
    var r = this, s = r.s;
    if (r.c[W.STATE] !== S.STOPPED) return;
    if (!udpBind.call(s, K.PORT, r.fn)) {
      r.lg("mdns: UDP port 5353 is in use or no UDP port is free");
      return;
    }
    ethJoin(s, GROUP_MAC);
    if (r.jn) r.jn(GROUP_MAC);
    r.base = r.nm = String(r.hn()).substring(0, K.HOST_MAX);
    r.c[W.SUFFIX] = 0;
    reprobe(r, r.rn() * K.PROBE_MS);
  },
  stop: function (this: M): void {
    var r = this, c = r.c;
    if (c[W.STATE] === S.STOPPED) return;
    if (c[W.STATE] >= S.ANNOUNCING && r.s.addr) respond(r, c[W.PORT] ? (1 << R.COUNT) - 1 : 1 << R.A, 0, K.GROUP, K.PORT, 0, 0, r.s.rx, 0, 0);
    c[W.STATE] = S.STOPPED;
    udpUnbind.call(r.s, K.PORT);
    ethLeave(r.s, GROUP_MAC);
  },
  name: function (this: M): string {
    return this.nm;
  },
  state: function (this: M): string {
    return STATES.split(" ")[this.c[W.STATE]];
  },
  get counters(): { [name: string]: number } {
    var out: { [name: string]: number } = {}, names = NAMES.split(" "), c = (this as any as M).c;
    for (var i = 0; i < C.COUNT; i++) out[names[i].replace("-", "drop")] = c[i];
    return out;
  },
};

/** A responder for hostname() + ".local" on the stack (start() to begin). */
export function createMdns(stack: Stack, hostname: () => string, opts?: MdnsOptions): Mdns {
  var o = opts || {}, r = Object.create(PROTO) as M, netif = stack.netif as any, txtLen = 0, i: number;
  r.s = stack as any as St;
  r.hn = hostname;
  r.lg = o.log || function (line: string): void { console.log(line); };
  r.rf = o.onRename;
  r.jn = o.join || (netif && typeof netif.addMulticast === "function" ? function (mac: Uint8Array): void { netif.addMulticast(mac); } : undefined);
  r.rn = o.random || Math.random;
  r.c = new Uint32Array(W.COUNT);
  r.c[W.PORT] = o.port === undefined ? 80 : o.port;
  r.txt = o.txt || ["path=/"];
  for (i = 0; i < r.txt.length; i++) txtLen += r.txt[i].length + 1;
  if (txtLen > K.TXT_MAX) throw new Error("mdns: TXT strings over " + K.TXT_MAX + " bytes");
  r.rec = new Uint8Array(K.BUF + txtLen);
  r.v = [];
  r.due = 0;
  r.nm = r.base = "";
  r.fn = function (src: number, srcPort: number, rx: Uint8Array, off: number, len: number): void {
    mdnsInput(r, src, srcPort, rx, off, len);
  };
  stack.onTick(function (now: number): void {
    mdnsTick(r, now);
  });
  stack.onAddress(function (): void {
    if (r.c[W.STATE] !== S.STOPPED) reprobe(r, r.rn() * K.PROBE_MS);
  });
  return r;
}
