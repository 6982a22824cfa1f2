// mDNS responder (RFC 6762) with one DNS-SD service (RFC 6763). Optional per build: only a
// program that calls createMdns contains it; nothing else imports this module.
//
//   var mdns = createMdns(stack, function () { return "espruino"; }, { port: 80, log: print });
//   mdns.start();   // probes "espruino.local", then answers and announces it; stop(): goodbye
//
// Records (mdns-out.ts: built once per name and address in one buffer, copied into answers with
// native set()):
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
// TTL at most 10 s, no cache-flush bits (6.7); a query sent to our own address is answered
// unicast too (5.5). PTR answers carry SRV, TXT and A as additional records; known answers (PTR
// with at least half their TTL left) are not repeated (7.1).
// Answers go out at once (no 20-120 ms delay for shared records), names uncompressed.
// Messages from off-link sources, with an opcode or error code, or broken (cut short, counts
// larger than the message, bad names) are dropped and counted.


import { rd16, rd32 } from "./bytes";
import { Dns, nameEq, nameSkip } from "./dns-wire";
import { ethJoin, ethLeave } from "./ethernet";
import { Ip } from "./ipv4";
import { udpBind, udpUnbind } from "./udp";
import { Stack } from "./stack";
import { St } from "./state";
import { build, C, GROUP_MAC, K, M, Mdns, MdnsOptions, probe, R, respond, W } from "./mdns-out";

export { Mdns, MdnsOptions };

const enum S { STOPPED, WAITING, PROBING, ANNOUNCING, RUNNING }

/** A line on the console (opts.log, else console.log). */
function say(r: M, line: string): void {
  if (r.lg) r.lg(line);
  else console.log(line);
}

/** (Re)starts probing `delay` ms from now (the name in use, the current address). */
function reprobe(r: M, delay: number): void {
  var c = r.c;
  if (!r.s.addr) { c[W.STATE] = S.WAITING; return; }
  if (!build(r)) {
    say(r, "mdns: cannot use the name " + r.nm + ".local");
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
  say(r, "mdns: " + old + ".local is taken on this network, now " + r.nm + ".local");
  if (r.rf) r.rf(r.nm);
  reprobe(r, c[C.RENAMES] > K.RENAME_BURST ? K.RENAME_SLOW_MS : 0);
}

/** The stack's tick: probes, then announcements, when due (one test when idle). */
function mdnsTick(r: M, now: number): void {
  var c = r.c, state = c[W.STATE], addr = r.s.addr;
  // a new address (or none): probe with it (the records carry the address built into them)
  if (state >= S.PROBING ? addr !== c[W.ADDR] : state === S.WAITING && addr) {
    reprobe(r, r.rn() * K.PROBE_MS);
    return;
  }
  if (state < S.PROBING || state === S.RUNNING || now < r.due) return;
  if (state === S.PROBING && c[W.PROBES] < K.PROBE_COUNT) {
    probe(r);
    c[W.PROBES]++;
    r.due = now + K.PROBE_MS;
    return;
  }
  c[W.STATE] = S.ANNOUNCING;
  if (state === S.PROBING) c[W.ANNOUNCES] = 0;
  respond(r, c[W.PORT] ? (1 << R.COUNT) - 1 : 1 << R.A, 0, K.GROUP, K.PORT, -1, 0);
  c[C.ANNOUNCES]++;
  if (++c[W.ANNOUNCES] >= K.ANNOUNCE_COUNT) c[W.STATE] = S.RUNNING;
  r.due = now + K.ANNOUNCE_MS;
}

/** When mdnsTick() next has work: at once when the address changed under it, the next probe or
 *  announcement while probing and announcing, else never (Infinity). */
function mdnsDue(r: M): number {
  var c = r.c, state = c[W.STATE], addr = r.s.addr;
  if (state >= S.PROBING ? addr !== c[W.ADDR] : state === S.WAITING && addr) return 0;
  return state === S.PROBING || state === S.ANNOUNCING ? r.due : Infinity;
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
  c[W.OFF] = off;
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
    respond(r, ans, add & ~ans, src, srcPort, K.LEGACY_TTL, q1);
  } else if (qu || rd32(rx, Ip.DST) !== K.GROUP) {   // asked for, or a query sent to our address (5.5)
    c[C.UNICAST]++;
    respond(r, ans, add & ~ans, src, K.PORT, -1, 0);
  } else respond(r, ans, add & ~ans, K.GROUP, K.PORT, -1, 0);
}

/** The offset past n records from rx[p] (-1: broken). */
function skipTo(rx: Uint8Array, p: number, end: number, n: number): number {
  for (var k = 0; k < n && p >= 0; k++) {
    p = nameSkip(rx, p, end);
    p = p < 0 || p + Dns.RR_FIXED > end ? -1 : p + Dns.RR_FIXED + rd16(rx, p + Dns.RR_RDLEN);
  }
  return p > end ? -1 : p;
}


var PROTO = {
  start: function (this: M): void {
    var r = this, s = r.s;
    if (r.c[W.STATE] !== S.STOPPED) return;
    if (!udpBind.call(s, K.PORT, r.fn)) {
      say(r, "mdns: UDP port 5353 is in use or no UDP port is free");
      return;
    }
    ethJoin(s, GROUP_MAC);
    if (r.jn) r.jn(GROUP_MAC);
    r.base = r.nm = String(r.hn()).substring(0, K.HOST_MAX);
    r.c[W.SUFFIX] = 0;
    // the records' buffer, for this name with room for a rename suffix (at most 6 chars: "-99999")
    r.rec = new Uint8Array(K.RECS_PER_CHAR * (r.nm.length + K.SUFFIX_ROOM) + K.RECS_FIXED + r.c[W.TXT_LEN]);
    reprobe(r, r.rn() * K.PROBE_MS);
    if (s.wk) s.wk();   // the runner looks at the first probe's time (eth-run.ts)
  },
  stop: function (this: M): void {
    var r = this, c = r.c;
    if (c[W.STATE] === S.STOPPED) return;
    if (c[W.STATE] >= S.ANNOUNCING && r.s.addr) respond(r, c[W.PORT] ? (1 << R.COUNT) - 1 : 1 << R.A, 0, K.GROUP, K.PORT, 0, 0);
    c[W.STATE] = S.STOPPED;
    udpUnbind.call(r.s, K.PORT);
    ethLeave(r.s, GROUP_MAC);
  },
  name: function (this: M): string {
    return this.nm;
  },
  state: function (this: M): string {
    return "stopped waiting probing announcing running".split(" ")[this.c[W.STATE]];   // (as S)
  },
  get counters(): { [name: string]: number } {
    var out: { [name: string]: number } = {}, c = (this as any as M).c;
    var names = "rx tx queries answers legacy unicast probes announces conflicts renames lostTies suppressed -Short -Malformed -Source -Other".split(" ");   // (as C)
    for (var i = 0; i < C.COUNT; i++) out[names[i].replace("-", "drop")] = c[i];
    return out;
  },
};

/** A responder for hostname() + ".local" on the stack (start() to begin). */
export function createMdns(stack: Stack, hostname: () => string, opts?: MdnsOptions): Mdns {
  var o = opts || {}, r = Object.create(PROTO) as M, netif = stack.netif as any, txtLen = 0, i: number;
  r.s = stack as any as St;
  r.hn = hostname;
  r.lg = o.log;
  r.rf = o.onRename;
  r.jn = o.join || (netif && typeof netif.addMulticast === "function" ? function (mac: Uint8Array): void { netif.addMulticast(mac); } : undefined);
  r.rn = o.random || Math.random;
  r.c = new Uint32Array(W.COUNT);
  r.c[W.PORT] = o.port === undefined ? 80 : o.port;
  r.txt = o.txt || ["path=/"];
  for (i = 0; i < r.txt.length; i++) txtLen += r.txt[i].length + 1;
  if (txtLen > K.TXT_MAX) throw new Error("mdns: TXT strings over " + K.TXT_MAX + " bytes");
  r.c[W.TXT_LEN] = txtLen;
  r.v = [];
  r.due = 0;
  r.nm = r.base = "";
  r.fn = function (src: number, srcPort: number, rx: Uint8Array, off: number, len: number): void {
    mdnsInput(r, src, srcPort, rx, off, len);
  };
  stack.onTick(function (now: number): void {
    mdnsTick(r, now);
  }, function (): number {
    return mdnsDue(r);
  });
  return r;
}
