// IP layer bench: host time per received ping (echo request -> reply through the whole stack over
// a zero-allocation test-double link), against a naive baseline, and V8 heap bytes allocated per
// packet in steady state.
//
// Baseline: the same echo work written the obvious way (byte loops for both checksums and the
// payload copy, header fields written one by one), defined below in naivePing(). On the host V8
// JIT-compiles those loops and the E.sum shim is itself a JS loop, so the host ratio only shows
// that the stack's bookkeeping (validation, dispatch, counters) costs little; the gain that matters
// on a board (native E.sum / set instead of interpreted per-byte loops, espruino.md) is printed as
// a cost-model estimate, clearly labelled, not as a measurement.
//
// Allocation: global.gc() (node --expose-gc), then process.memoryUsage().heapUsed before and after
// N packets while a PerformanceObserver counts GC events; with no GC inside the window the
// heapUsed difference is exactly what was allocated on the V8 heap (minus nothing: V8 never
// frees without a GC). The harness's own cost is measured with an empty loop and subtracted.
import { PerformanceObserver } from "perf_hooks";
import { installEspruinoShims } from "../hal/host/espruino-shims";
installEspruinoShims();
import { createStack, Stack } from "../firmware/net/stack";
import { Netif } from "../hal/netif";

const N = 10000;
const WARMUP = 20000;
const OUR_MAC = [2, 0, 0, 0, 0, 1];
const PEER_MAC = [2, 0, 0, 0, 0, 0x99];
const ME = 0xc0000202;
const PEER = 0xc0000201;

function sum16(b: number[]): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) + (i + 1 < b.length ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function ipb(a: number): number[] {
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];
}

/** An Ethernet frame with an ICMP echo request (or UDP datagram) from PEER to ME. */
function requestFrame(size: number, proto = 1): Uint8Array {
  const data = Array.from({ length: size }, (_, i) => (i * 7) & 255);
  let l4: number[];
  if (proto === 1) {
    l4 = [8, 0, 0, 0, 0x12, 0x34, 0, 1, ...data];
    const c = sum16(l4);
    l4[2] = c >> 8; l4[3] = c & 255;
  } else {
    l4 = [0x30, 0x39, 0, 7, (8 + size) >> 8, (8 + size) & 255, 0, 0, ...data];
    const c = sum16([...ipb(PEER), ...ipb(ME), 0, 17, (8 + size) >> 8, (8 + size) & 255, ...l4]) || 0xffff;
    l4[6] = c >> 8; l4[7] = c & 255;
  }
  const tl = 20 + l4.length;
  const ip = [0x45, 0, tl >> 8, tl & 255, 0, 1, 0, 0, 64, proto, 0, 0, ...ipb(PEER), ...ipb(ME)];
  const c = sum16(ip);
  ip[10] = c >> 8; ip[11] = c & 255;
  return Uint8Array.from([...OUR_MAC, ...PEER_MAC, 8, 0, ...ip, ...l4]);
}

/** A link that hands out prebuilt frames (rotating through `frames`) and counts what is sent. */
class BenchNetif implements Netif {
  readonly mac = Uint8Array.from(OUR_MAC);
  readonly rx = new Uint8Array(new ArrayBuffer(1600), 2, 1518);
  readonly tx = new Uint8Array(new ArrayBuffer(1600), 2, 1518);
  frames: Uint8Array[] = [];
  next = 0;
  budget = 0;
  sent = 0;
  sentBytes = 0;
  receive(): number {
    if (this.budget <= 0) return 0;
    this.budget--;
    const f = this.frames[this.next];
    this.next = this.next + 1 === this.frames.length ? 0 : this.next + 1;
    this.rx.set(f);
    return f.length;
  }
  send(len: number): boolean {
    this.sent++;
    this.sentBytes += len;
    return true;
  }
  linkUp(): boolean {
    return true;
  }
}

// ---- naive baseline: same work, per-byte JS loops, no native helpers -------------------------
function naiveSum(b: Uint8Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i += 2) s += (b[off + i] << 8) | (i + 1 < len ? b[off + i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function naivePing(rx: Uint8Array, len: number, tx: Uint8Array, mac: Uint8Array): number {
  if (len < 34 || rx[12] !== 8 || rx[13] !== 0 || rx[14] >> 4 !== 4) return 0;
  const ihl = (rx[14] & 15) * 4;
  const tl = (rx[16] << 8) | rx[17];
  if (naiveSum(rx, 14, ihl) !== 0xffff || rx[23] !== 1) return 0;
  const off = 14 + ihl;
  const n = tl - ihl;
  if (naiveSum(rx, off, n) !== 0xffff || rx[off] !== 8) return 0;
  for (let i = 0; i < 6; i++) { tx[i] = rx[6 + i]; tx[6 + i] = mac[i]; }
  tx[12] = 8; tx[13] = 0;
  tx[14] = 0x45; tx[15] = 0; tx[16] = (n + 20) >> 8; tx[17] = (n + 20) & 255; tx[18] = 0; tx[19] = 0;
  tx[20] = 0x40; tx[21] = 0; tx[22] = 64; tx[23] = 1; tx[24] = 0; tx[25] = 0;
  for (let i = 0; i < 4; i++) { tx[26 + i] = rx[30 + i]; tx[30 + i] = rx[26 + i]; }
  let c = ~naiveSum(tx, 14, 20) & 0xffff;
  tx[24] = c >> 8; tx[25] = c & 255;
  for (let i = 0; i < n; i++) tx[34 + i] = rx[off + i];
  tx[34] = 0; tx[36] = 0; tx[37] = 0;
  c = ~naiveSum(tx, 34, n) & 0xffff;
  tx[36] = c >> 8; tx[37] = c & 255;
  return 34 + n;
}

// ---- measurement ---------------------------------------------------------------------------
let gcEvents = 0;
const obs = new PerformanceObserver((list) => { gcEvents += list.getEntries().length; });
obs.observe({ entryTypes: ["gc"] });

const flushObserver = () => new Promise<void>((r) => setTimeout(r, 20));

interface Window { ns: number; bytes: number; gcs: number }

/** Runs fn(n) for n packets after a GC; heap bytes and GC events inside the window. */
async function measure(fn: (n: number) => void, n: number): Promise<Window> {
  // Steady state: the first windows include V8's own JIT/OSR allocations (code, feedback
  // vectors), so three windows run back to back and the last one is reported.
  await measureOnce(fn, n);
  await measureOnce(fn, n);
  return measureOnce(fn, n);
}

async function measureOnce(fn: (n: number) => void, n: number): Promise<Window> {
  const gc = (global as any).gc as (() => void) | undefined;
  if (gc) gc();
  await flushObserver();
  const g0 = gcEvents;
  const h0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  fn(n);
  const t1 = process.hrtime.bigint();
  const h1 = process.memoryUsage().heapUsed;
  await flushObserver();
  return { ns: Number(t1 - t0), bytes: h1 - h0, gcs: gcEvents - g0 };
}

function makeStack(frames: Uint8Array[]): { netif: BenchNetif; stack: Stack } {
  const netif = new BenchNetif();
  netif.frames = frames;
  const clock = { now: () => 0 };
  const stack = createStack(netif, clock, { ip: ME, mask: 0xffffff00, gateway: PEER });
  return { netif, stack };
}

function pump(netif: BenchNetif, stack: Stack): (n: number) => void {
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      netif.budget = 1;
      stack.poll();
    }
  };
}

export async function run(): Promise<void> {
  const hasGc = typeof (global as any).gc === "function";
  if (!hasGc) console.log("note: run with node --expose-gc (make bench does) for the allocation figures");
  const empty = await measure((n) => { for (let i = 0; i < n; i++) { /* harness only */ } }, N);

  console.log(`pings through the stack over a test-double link, ${N} packets per figure (last of 3 back-to-back windows after ${WARMUP} warm-up)`);
  {
    // Throwaway scenario: the first stack instance measured in a process shows ~16 B/packet (one
    // boxed number in code V8 has not finished tiering up); later instances of the same code do not.
    const { netif, stack } = makeStack([requestFrame(56)]);
    const go = pump(netif, stack);
    go(WARMUP);
    await measure(go, N);
  }
  console.log("scenario                   us/pkt  naive us  stack/naive  bytes/pkt  GCs in window");
  for (const size of [56, 1472]) {
    const frames = [requestFrame(size)];
    const { netif, stack } = makeStack(frames);
    const go = pump(netif, stack);
    go(WARMUP);
    const before = stack.counters.icmp.echoOut;
    const w = await measure(go, N);
    if (stack.counters.icmp.echoOut - before !== 3 * N) throw new Error(`expected ${3 * N} replies, got ${stack.counters.icmp.echoOut - before}`);
    // naive baseline on the same frames
    const rx = netif.rx, tx = netif.tx, mac = netif.mac;
    const f = frames[0];
    const naive = (n: number) => { for (let i = 0; i < n; i++) { rx.set(f); if (!naivePing(rx, f.length, tx, mac)) throw new Error("naive"); } };
    naive(WARMUP);
    const wn = await measure(naive, N);
    report(`ping ${size} B payload`, w, wn, empty);
  }
  {
    // Mixed sizes: every packet a different length, so the checksum window / copy view memo misses.
    const frames = Array.from({ length: 97 }, (_, i) => requestFrame((i * 151) % 1473));
    const { netif, stack } = makeStack(frames);
    const go = pump(netif, stack);
    go(WARMUP);
    // 1,000 packets per window so the views allocated on memo misses fit before a scavenge.
    report("ping, 97 sizes rotating", await measure(go, 1000), null, await measure(() => undefined, 1000), 1000);
  }
  {
    const frames = [requestFrame(64, 17)];
    const { netif, stack } = makeStack(frames);
    // learn the peer's MAC so replies go straight out
    // The application handler copies with a byte loop so that its own allocation (a subarray
    // view) does not count against the stack.
    const tx = netif.tx;
    stack.udp.bind(7, (src, sport, rxb, off, len) => {
      for (let i = 0; i < len; i++) tx[42 + i] = rxb[off + i];
      stack.udp.send(src, sport, 7, len);
    });
    const arp = Uint8Array.from([...OUR_MAC, ...PEER_MAC, 8, 6, 0, 1, 8, 0, 6, 4, 0, 2, ...PEER_MAC, ...ipb(PEER), ...OUR_MAC, ...ipb(ME)]);
    netif.frames = [arp]; netif.budget = 1; stack.poll(); netif.frames = frames; netif.next = 0;
    const go = pump(netif, stack);
    go(WARMUP);
    report("UDP echo 64 B", await measure(go, N), null, empty);
  }
  console.log("naive = the same echo work with per-byte JS loops (naivePing in bench/ip.ts); on the host V8 compiles those loops,");
  console.log("so the host ratio is not the board ratio. Board cost-model estimate of the per-byte work alone (espruino.md table),");
  for (const size of [56, 1472]) {
    const b = size + 8;
    const naive = (17.6e6 / 1500) * (b + 20) + (17.6e6 / 1500) * b * 2 + (22.9e6 / 1500) * b;
    const ours = (0.2e6 / 1500) * b + (0.4e6 / 1500) * b + (0.2e6 / 1500) * 20;
    console.log(`  ${size} B ping: JS loops ~${(naive / 1e6).toFixed(1)} M instructions vs E.sum+set ~${(ours / 1e6).toFixed(2)} M (${(naive / ours).toFixed(0)}x), plus ~40-60 statements either way`);
  }
  console.log("bytes/pkt: V8 heapUsed growth per packet with no GC in the window (harness loop subtracted; negative = noise).");
  console.log("192.0.2.x addresses are >= 2^31: an unsigned 32-bit address passed through a non-inlined call becomes a");
  console.log("V8 HeapNumber (16 B), which is why the IP layer hands addresses to ICMP/UDP inside rx rather than as arguments.");
  console.log("The stack itself creates no object, view, closure or buffer per packet when sizes repeat. The UDP row's");
  console.log("16-32 B are the unsigned addresses crossing the UDP API (source into the handler, destination back into");
  console.log("udp.send), boxed by V8;");
  console.log("the rotating-size figure is the cost of a new checksum window + copy view when the size changes");
  console.log("(on Espruino such a view is freed at once by reference counting).");
  obs.disconnect();
}

function report(name: string, w: Window, naive: Window | null, empty: Window, n = N): void {
  const us = w.ns / n / 1000;
  const bytes = (w.bytes - empty.bytes) / n;
  const gcNote = w.gcs ? `${w.gcs} (figure invalid: GC ran)` : "0";
  const naiveUs = naive ? (naive.ns / n / 1000).toFixed(2) : "-";
  const ratio = naive ? (w.ns / naive.ns).toFixed(2) : "-";
  console.log(`${name.padEnd(26)} ${us.toFixed(2).padStart(6)}  ${naiveUs.padStart(8)}  ${ratio.padStart(11)}  ${bytes.toFixed(1).padStart(9)}  ${gcNote}`);
}

if (require.main === module) void run();
