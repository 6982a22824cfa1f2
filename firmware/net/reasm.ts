// IPv4 reassembly (RFC 791 3.2, RFC 1122 3.3.2), bounded for a small board.
//
// At most Size.REASM_SLOTS datagrams (1 or 2, StackConfig.reassemblySlots) are reassembled at a
// time, each up to EMTU_R bytes (header included; StackConfig.reassembly, at least 576 and at
// most what the driver's rx holds after Ethernet's header). Everything is allocated in
// createStack(): one Uint8Array holds the slots' bytes (the first fragment's 20-byte IPv4 header,
// then the data), then a block map per slot (one byte per 8 data bytes: 1 once received). Per
// fragment nothing is allocated: the fragment's data is copied with one native set() from a view
// of rx kept while fragments repeat their size, the map is checked with one native indexOf and
// marked with one fill().
//
// Rules, each drop counted under ip.*:
//   - a fragment whose data does not fit EMTU_R: the datagram is given up (dropFragTooBig);
//   - a fragment that is not the last but whose data is not a multiple of 8 bytes, or carries no
//     data: dropped (dropFragBad); a last fragment that disagrees with the end already known, or
//     a fragment past that end: the datagram is given up (dropFragBad);
//   - any overlap with data already received (exact duplicates included, RFC 5722's rule for
//     IPv6 applied here): the datagram is given up (dropFragOverlap);
//   - a datagram not complete REASM_TIMEOUT_MS after its first fragment: given up
//     (dropFragTimeout) and, when its fragment zero was received and it was sent to our address,
//     ICMP time exceeded (code 1: reassembly time exceeded) goes to its source (RFC 1122 3.3.2;
//     none about a broadcast or multicast datagram, 3.2.2), rate-limited with ICMP's token bucket;
//   - a fragment of a new datagram when every slot is busy: the datagram started first is given
//     up (dropFragEvicted) and the slot reused, so a stream of fragments that never complete
//     cannot block reassembly for longer than it keeps sending; unfragmented traffic never
//     touches this code.
// A datagram is complete when the bytes received (which never overlap) add up to its end: the
// whole datagram is then copied into rx at 14 (20-byte header, total length, no fragment
// fields, options of the first fragment left out) and delivered like any other (ipv4.ts).
//
// The time-out is 10 s, not RFC 1122's suggested 60 to 120 s: a slot held by a datagram that lost
// a fragment blocks half or all of a small board's reassembly, while the fragments of one datagram
// leave their sender back to back (a LAN delivers them within milliseconds, a long path within a
// second or two). The RFC's figure is a "SHOULD lie between"; this bound is stated here and in
// README.md.

import { Cnt } from "./counters";
import { rd16, rd32 } from "./bytes";
import { Eth } from "./ethernet";
import { Ip } from "./ipv4";
import { icmpTimeExceeded } from "./icmp";
import { ReasmPart, Size, St, T, W } from "./state";

/** A slot's words in c, from W.REASM + k * Size.REASM_FIELDS. */
const enum R {
  USED = 0,     // 0: free; 1: in use
  SRC = 1,      // the datagram's key: source, destination, id << 8 | protocol
  DST = 2,
  KEY = 3,
  GOT = 4,      // data bytes received
  END = 5,      // data bytes in all (0: the last fragment not seen yet)
}
const enum K {
  TIMEOUT_MS = 10000,  // see above
  BLOCK = 8,           // fragment offsets count 8-byte blocks (RFC 791)
  BLOCK_SHIFT = 3,
  MIN_EMTU_R = 576,    // RFC 1122 3.3.2: EMTU_R >= 576
  MTU = 1500,          // Ethernet's
  HEADER_QUOTE = 28,   // ICMP errors quote the IP header and 8 data bytes
}

/**
 * Sets up reassembly for the stack (createStack): `size` the largest datagram (default: the MTU,
 * `mtu` or 1,500; at most what rx holds after the Ethernet header; a value under 576 is raised
 * to 576 where rx allows), `slots` 1 or 2 (default 2 when the size is 1,500 or more, else 1);
 * size 0 turns it off (fragments dropped, ip.dropFragment).
 */
export function reasmSetup(s: St, size: number | undefined, slots: number | undefined, mtu: number | undefined): void {
  var c = s.c, room = s.rx.length - Eth.HEADER;
  s.rxIp = s.rx.subarray(Eth.HEADER, Ip.PAYLOAD);
  s.rs = [];
  if (size === 0) return;
  if (size === undefined) size = mtu || K.MTU;
  if (size > room) size = room;
  if (size < K.MIN_EMTU_R) size = Math.min(K.MIN_EMTU_R, room);
  var n = slots === undefined ? (size >= 1500 ? 2 : 1) : slots < 1 ? 1 : slots > Size.REASM_SLOTS ? Size.REASM_SLOTS : slots;
  var map = (size - Ip.MIN_HEADER + K.BLOCK - 1) >> K.BLOCK_SHIFT;
  var rb = s.rb = new Uint8Array(n * (size + map));
  for (var k = 0; k < n; k++) s.rs.push(rb.subarray(k * size, k * size + size));
  c[W.REASM_SLOTS] = n;
  c[W.REASM_SIZE] = size;
  c[W.REASM_MAP] = map;
}

/** Frees slot k (its words at w). */
function reasmFree(s: St, w: number): void {
  s.c[w + R.USED] = 0;
  s.c[W.REASM_USED]--;
}

/**
 * The fragment in rx (header ihl bytes, total length tl; checked and addressed to us by
 * ipInput). Returns the length of the complete datagram now in rx at 14 (20-byte header), or 0
 * when there is nothing to deliver yet (kept, or dropped and counted).
 */
export function reasmInput(s: St, ihl: number, tl: number): number {
  var c = s.c, rx = s.rx, rb = s.rb;
  var ff = rx[Ip.FLAGS_FRAG], mf = ff & Ip.MF;
  var at = (((ff & Ip.FRAG_HIGH) << 8) | rx[Ip.FLAGS_FRAG + 1]) << K.BLOCK_SHIFT;   // data offset in bytes
  var len = tl - ihl, end = at + len;
  var src = rd32(rx, Ip.SRC), dst = rd32(rx, Ip.DST), key = ((rd16(rx, Ip.ID) << 8) | rx[Ip.PROTO]) >>> 0;
  var n = c[W.REASM_SLOTS], size = c[W.REASM_SIZE], map = c[W.REASM_MAP], k: number, j: number, w = 0;
  c[Cnt.IP_FRAGMENTS]++;
  if (!rb) { c[Cnt.IP_DROP_FRAGMENT]++; return 0; }   // (reassembly 0: off)
  if (len === 0 || (mf && (len & (K.BLOCK - 1)))) { c[Cnt.IP_DROP_FRAG_BAD]++; return 0; }
  // The datagram's slot: the one with its key, else a free one, else the one started first.
  for (k = 0; k < n; k++) {
    w = W.REASM + k * Size.REASM_FIELDS;
    if (c[w + R.USED] && c[w + R.KEY] === key && c[w + R.SRC] === src && c[w + R.DST] === dst) break;
  }
  if (end + Ip.MIN_HEADER > size) {
    if (k < n) reasmFree(s, w);
    c[Cnt.IP_DROP_FRAG_BIG]++;
    return 0;
  }
  if (k === n) {
    for (k = 0; k < n && c[W.REASM + k * Size.REASM_FIELDS + R.USED]; k++);
    if (k === n) {
      for (k = 0, j = 1; j < n; j++) if (s.t[T.REASM_END + j] < s.t[T.REASM_END + k]) k = j;
      c[Cnt.IP_DROP_FRAG_EVICTED]++;
      c[W.REASM_USED]--;
    }
    w = W.REASM + k * Size.REASM_FIELDS;
    c[w + R.USED] = 1;
    c[w + R.SRC] = src;
    c[w + R.DST] = dst;
    c[w + R.KEY] = key;
    c[w + R.GOT] = 0;
    c[w + R.END] = 0;
    c[W.REASM_USED]++;
    s.t[T.REASM_END + k] = s.clock.now() + K.TIMEOUT_MS;
    rb.fill(0, n * size + k * map, n * size + k * map + map);
  }
  var m0 = n * size + k * map, known = c[w + R.END];
  var b0 = m0 + (at >> K.BLOCK_SHIFT), b1 = m0 + ((end + K.BLOCK - 1) >> K.BLOCK_SHIFT);
  // Past the end already known; a second end; an end before data already received.
  var hit = mf ? -1 : rb.indexOf(1, b1);
  if ((known && (end > known || !mf)) || (hit >= 0 && hit < m0 + map)) {
    reasmFree(s, w);
    c[Cnt.IP_DROP_FRAG_BAD]++;
    return 0;
  }
  hit = rb.indexOf(1, b0);
  if (hit >= 0 && hit < b1) { reasmFree(s, w); c[Cnt.IP_DROP_FRAG_OVERLAP]++; return 0; }
  // The data copied (a view of rx kept while fragments repeat their place and size), the blocks marked.
  if (!s.fv || c[W.FRAG_OFF] !== ihl || c[W.FRAG_LEN] !== len) {
    s.fv = rx.subarray(Eth.HEADER + ihl, Eth.HEADER + ihl + len);
    c[W.FRAG_OFF] = ihl;
    c[W.FRAG_LEN] = len;
  }
  rb.set(s.fv, k * size + Ip.MIN_HEADER + at);
  rb.fill(1, b0, b1);
  if (at === 0) rb.set(s.rxIp, k * size);
  if (!mf) c[w + R.END] = known = end;
  c[w + R.GOT] += len;
  if (!known || c[w + R.GOT] !== known) return 0;
  // Complete: no overlap, so the bytes received cover [0, end). Into rx as one datagram.
  reasmFree(s, w);
  rx.set(s.rs[k], Eth.HEADER);
  rx[Ip.VER_IHL] = Ip.VER_IHL_OUT;
  tl = known + Ip.MIN_HEADER;
  rx[Ip.TOTAL_LEN] = tl >> 8;
  rx[Ip.TOTAL_LEN + 1] = tl;
  rx[Ip.FLAGS_FRAG] = 0;
  rx[Ip.FLAGS_FRAG + 1] = 0;
  c[Cnt.IP_REASSEMBLED]++;
  return tl;
}

/** When the first datagram in reassembly times out (ms; Infinity: none). */
export function reasmDue(s: St): number {
  var c = s.c, d = Infinity;
  for (var k = 0; k < c[W.REASM_SLOTS]; k++) {
    if (c[W.REASM + k * Size.REASM_FIELDS + R.USED] && s.t[T.REASM_END + k] < d) d = s.t[T.REASM_END + k];
  }
  return d;
}

/** Gives up the datagrams whose time is over (from Stack.tick, only while a slot is in use). */
export function reasmTick(s: St, now: number): void {
  var c = s.c, rb = s.rb as Uint8Array, n = c[W.REASM_SLOTS], w: number;
  for (var k = 0; k < n; k++) {
    w = W.REASM + k * Size.REASM_FIELDS;
    if (c[w + R.USED] && now >= s.t[T.REASM_END + k]) {
      reasmFree(s, w);
      c[Cnt.IP_DROP_FRAG_TIMEOUT]++;
      // fragment zero received: its header and first 8 data bytes are quoted to the source (never
      // about a datagram to a broadcast or multicast address: RFC 1122 3.2.2)
      if (rb[n * c[W.REASM_SIZE] + k * c[W.REASM_MAP]] && c[w + R.DST] === s.addr) {
        icmpTimeExceeded(s, s.rs[k].subarray(0, K.HEADER_QUOTE), c[w + R.SRC]);
      }
    }
  }
}

/** The part for createStackWith (stack.ts; the library's piece "reasm", firmware/lib/eth-reasm.ts). */
export var REASM: ReasmPart = { setup: reasmSetup, input: reasmInput, due: reasmDue, tick: reasmTick };
