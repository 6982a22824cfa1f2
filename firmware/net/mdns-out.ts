// mDNS messages out (mdns.ts's responder): the records built once per name and address in one
// buffer, and the messages made of them (responses, announcements, goodbyes, probes), copied into
// tx with native set(). Also the responder's record (M), its counters and word layout.

import { rd32, wr16, wr32 } from "./bytes";
import { Dns, nameWrite } from "./dns-wire";
import { csumAdd, csumFinish, pseudoSum } from "./checksum";
import { Cnt } from "./counters";
import { Ip, Proto, sendReply } from "./ipv4";
import { udpSend, UdpHdr } from "./udp";
import { St } from "./state";
import { stringToBytes } from "../../hal/natives";

/** The public methods (mdns.ts). */
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

export const enum C {
  RX, TX, QUERIES, ANSWERS, LEGACY, UNICAST, PROBES, ANNOUNCES, CONFLICTS, RENAMES, LOST_TIES, SUPPRESSED,
  DROP_SHORT, DROP_MALFORMED, DROP_SOURCE, DROP_OTHER,
  COUNT,
}
/** The records, in message order; their bits in an answer set (1 << R). */
export const enum R { A, SRV, TXT, PTR, DPTR, COUNT }
export const enum W {
  STATE = C.COUNT,
  PROBES, ANNOUNCES, SUFFIX, PORT,
  ADDR,                        // the address in the records
  TXT_LEN,                     // the TXT strings' bytes
  OFF,                         // where the message being handled starts in rx
  /** Per record: its owner name's length in wire form. */
  NAME_LEN,
  COUNT = NAME_LEN + R.COUNT,
}
export const enum K {
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
  // The records take 5 h + 199 bytes + the TXT strings for a host name of h chars (A h + 22,
  // SRV 2 h + 43, TXT h + 29, PTR h + 47, the service list's PTR 58).
  RECS_PER_CHAR = 5,
  RECS_FIXED = 200,
  SUFFIX_ROOM = 6,
  TXT_MAX = 200,
  HOST_MAX = Dns.LABEL_MAX,
}

export var GROUP_MAC = new Uint8Array([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);

export interface M extends Mdns {
  s: St;
  hn: () => string;
  lg: ((line: string) => void) | undefined;
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
  /** Views of rec: the records (R). */
  v: Uint8Array[];
  fn: (src: number, srcPort: number, rx: Uint8Array, off: number, len: number) => void;
}

/** Writes a record's type, class, TTL and rdata length after its name at b[at]; the offset of its
 * rdata. */
function head(b: Uint8Array, at: number, type: number, cls: number, ttl: number, rdlen: number): number {
  wr16(b, at + Dns.RR_TYPE, type);
  wr16(b, at + Dns.RR_CLASS, cls);
  wr32(b, at + Dns.RR_TTL, ttl);
  wr16(b, at + Dns.RR_RDLEN, rdlen);
  return at + Dns.RR_FIXED;
}

/** Builds the records for the name in use and the stack's address into rec (views of each in
 * r.v); false when the name cannot be written. */
export function build(r: M): boolean {
  var b = r.rec, c = r.c, v = r.v, host = r.nm + ".local", inst = r.nm + "._http._tcp.local", svc = "_http._tcp.local";
  var at: number, rd: number, i: number, n: number, hl: number, il: number, tl = 0;
  var starts = [0, 0, 0, 0, 0, 0];
  // A
  hl = nameWrite(b, 0, host);
  if (hl < 0) return false;
  c[W.NAME_LEN + R.A] = hl;
  c[W.ADDR] = r.s.addr;
  wr32(b, head(b, hl, Dns.TYPE_A, Dns.CLASS_IN | Dns.CLASS_BIT, K.HOST_TTL, 4), r.s.addr);
  at = hl + Dns.RR_FIXED + 4;
  starts[R.SRV] = starts[R.TXT] = starts[R.PTR] = starts[R.DPTR] = at;
  if (c[W.PORT]) {
    // SRV: priority 0, weight 0, port, target
    n = nameWrite(b, at, inst);
    if (n < 0) return false;
    il = c[W.NAME_LEN + R.SRV] = c[W.NAME_LEN + R.TXT] = n - at;
    rd = head(b, n, Dns.TYPE_SRV, Dns.CLASS_IN | Dns.CLASS_BIT, K.HOST_TTL, 6 + hl);
    wr32(b, rd, 0);
    wr16(b, rd + 4, c[W.PORT]);
    starts[R.TXT] = at = nameWrite(b, rd + 6, host);
    // TXT: length-prefixed strings (one empty string when there are none: RFC 6763 6.1)
    for (i = 0; i < r.txt.length; i++) tl += r.txt[i].length + 1;
    at = rd = head(b, nameWrite(b, at, inst), Dns.TYPE_TXT, Dns.CLASS_IN | Dns.CLASS_BIT, K.OTHER_TTL, tl || 1);
    b[at] = 0;
    for (i = 0; i < r.txt.length; i++) {
      b[at] = r.txt[i].length;
      b.set(stringToBytes(r.txt[i]), at + 1);
      at += r.txt[i].length + 1;
    }
    // PTR: service type -> instance; DNS-SD's service list -> service type
    starts[R.PTR] = at = tl ? at : at + 1;
    n = nameWrite(b, at, svc);
    c[W.NAME_LEN + R.PTR] = n - at;
    starts[R.DPTR] = at = nameWrite(b, head(b, n, Dns.TYPE_PTR, Dns.CLASS_IN, K.OTHER_TTL, il), inst);
    n = nameWrite(b, at, "_services._dns-sd._udp.local");
    c[W.NAME_LEN + R.DPTR] = n - at;
    at = nameWrite(b, head(b, n, Dns.TYPE_PTR, Dns.CLASS_IN, K.OTHER_TTL, c[W.NAME_LEN + R.PTR]), svc);
  }
  starts[R.COUNT] = at;
  for (i = 0; i < R.COUNT; i++) v[i] = b.subarray(starts[i], starts[i + 1]);
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

/**
 * Sends the records of `ans` (answers) and `add` (additional) as a response with the given TTL
 * (-1: theirs): to the group, or (dst not the group) to the sender of the query in rx from
 * port 5353 to `port`, to its MAC (no ARP lookup, as ICMP's replies). A legacy query (q1 > 0,
 * its message at rx[c[W.OFF]..)): its ID and its first question (up to q1) repeated.
 */
export function respond(r: M, ans: number, add: number, dst: number, port: number, ttl: number, q1: number): void {
  var s = r.s, tx = s.tx, rx = s.rx, off = r.c[W.OFF], at = K.MSG + Dns.HEADER, k: number, an = 0, ar = 0, ulen: number;
  tx.fill(0, K.MSG, at);
  tx[K.MSG + Dns.FLAGS] = K.FLAGS_RESPONSE >> 8;
  if (q1) {
    tx[K.MSG + Dns.ID] = rx[off + Dns.ID];
    tx[K.MSG + Dns.ID + 1] = rx[off + Dns.ID + 1];
    tx[K.MSG + Dns.QDCOUNT + 1] = 1;
    tx.set(rx.subarray(off + Dns.HEADER, q1), at);
    at += q1 - off - Dns.HEADER;
  }
  for (k = 0; k < R.COUNT; k++) if ((ans >> k) & 1) { at = put(r, at, k, ttl, q1 > 0 || k >= R.PTR); an++; }
  for (k = 0; k < R.COUNT; k++) if ((add >> k) & 1) { at = put(r, at, k, ttl, q1 > 0 || k >= R.PTR); ar++; }
  tx[K.MSG + Dns.ANCOUNT + 1] = an;
  tx[K.MSG + Dns.ARCOUNT + 1] = ar;
  r.c[C.TX]++;
  if (dst === K.GROUP) {
    udpSend.call(s, dst, port, K.PORT, at - K.MSG);
    return;
  }
  ulen = at - Ip.PAYLOAD;
  wr16(tx, Ip.PAYLOAD + UdpHdr.SRC_PORT, K.PORT);
  wr16(tx, Ip.PAYLOAD + UdpHdr.DST_PORT, port);
  wr16(tx, Ip.PAYLOAD + UdpHdr.LENGTH, ulen);
  wr16(tx, Ip.PAYLOAD + UdpHdr.CHECKSUM, 0);
  wr16(tx, Ip.PAYLOAD + UdpHdr.CHECKSUM,
    csumFinish(csumAdd(tx, Ip.PAYLOAD, ulen, pseudoSum(s.addr, rd32(rx, Ip.SRC), Proto.UDP, ulen))) || 0xffff);
  if (sendReply(s, Proto.UDP, ulen) > 0) s.c[Cnt.UDP_TX]++;
}

/** A probe: questions (type ANY) for our names, the first asking for a unicast answer, our A and
 * SRV records in the authority section. (A question's name is copied with its whole record; the
 * rest is overwritten by what follows.) */
export function probe(r: M): void {
  var tx = r.s.tx, c = r.c, svc = c[W.PORT] ? 1 : 0, at = K.MSG + Dns.HEADER;
  tx.fill(0, K.MSG, at);
  tx[K.MSG + Dns.QDCOUNT + 1] = tx[K.MSG + Dns.NSCOUNT + 1] = 1 + svc;
  tx.set(r.v[R.A], at);
  at += c[W.NAME_LEN + R.A];
  wr16(tx, at, Dns.TYPE_ANY);
  wr16(tx, at + 2, Dns.CLASS_IN | (c[W.PROBES] ? 0 : Dns.CLASS_BIT));
  at += Dns.Q_FIXED;
  if (svc) {
    tx.set(r.v[R.SRV], at);
    at += c[W.NAME_LEN + R.SRV];
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
