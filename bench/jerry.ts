// `make bench` with JERRY=/path/to/jerry[:/path2] (JerryScript 3.0 builds with Kaluma's options,
// see README "Kaluma"): the Kaluma bundles on JerryScript's desktop engine. Figures only.
// - heap the device alone takes (bytes, live after a full GC: the free heap is probed by filling
//   it with typed arrays before the bundle loads, after boot, halfway and after the load), on a
//   384 KB build with the emulator and the peer in the same heap; on a smaller build (180 KB) the
//   boot and a short run are replayed from a Node recording (test/unit/jerry/replay.ts);
// - the run's peak allocation (jerry --mem-stats: everything in the heap, garbage not yet
//   collected included) and the harness's own share;
// - time per request on jerry relative to the same run on Node (both run the emulator and the
//   peer too: a ratio of the whole simulation, not of the device alone);
// - the checksum's word sum: the natives' fallback (32-bit words) against a 16-bit word loop and
//   a byte loop, per 1,460-byte segment, on jerry.
// JERRY_REQUESTS (default 1000) sets the load.

import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import { prepare, prepareReplay, runJerry, runNode, jerryBinaries, heapOf, bundlePath, WORK, ROOT } from "../test/unit/jerry/jerry-run";

const KB = (n: number): string => (n / 1024).toFixed(1) + " KB";

interface Bench { requests: number; ms: number; freeBefore: number; freeHarness: number; freeBoot: number; freeMid: number; freeAfter: number }

function benchLine(lines: string[]): Bench | null {
  const l = lines.filter((x) => x.startsWith("BENCH "))[0];
  return l ? JSON.parse(l.slice(6)) : null;
}

/** Bytes of the page files (dist/www). */
function pageBytes(): number {
  const dir = path.join(ROOT, "dist", "www");
  return fs.existsSync(dir) ? fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0) : 0;
}

/** The replay with free-heap probes around the bundle (a small build's boot figures). */
function replayProbe(bin: string, board: string): string {
  const { record, scripts } = prepareReplay({ board, mode: "trace" });
  if (!record.ok) return "recording failed: " + record.error;
  const probe = path.join(WORK, "probe.js");
  fs.writeFileSync(probe, "(function(){var h=[],i,k=0,t=0,s=[16384,2048,512],z,n,u;for(i=0;i<1024;i++)h.push(0);gc();" +
    "for(z=0;z<3;z++)for(n=0;n<1000&&k<1024;n++){u=new Uint8Array(s[z]);try{u[0]=1}catch(e){break}h[k++]=u;t+=s[z]}" +
    "for(i=0;i<k;i++)h[i]=0;u=null;gc();print('FREE '+t)})();\n");
  // config, trace, replay, [probe], bundle, [probe], go, [probe]
  const run = runJerry(bin, [scripts[0], scripts[1], scripts[2], probe, scripts[3], probe, scripts[4], probe]);
  if (!run.ok) return "replay failed: " + run.error;
  const free = run.lines.filter((l) => l.startsWith("FREE ")).map((l) => Number(l.slice(5)));
  const plain = runJerry(bin, scripts);
  return `replayed boot and one gzip page request: device ${KB(free[0] - free[1])} after boot, ${KB(free[0] - free[2])} after the run` +
    ` (live, after GC; harness ${KB(plain.heapSize! - free[0])}; the page files, ${KB(pageBytes())}, are shared with the double here, a board holds its own copy); run's peak allocation ${plain.peak ? KB(plain.peak) : "?"} of ${KB(plain.heapSize || 0)}` +
    ` (everything, garbage included)`;
}

/** The device alone, timed: a replay of R keep-alive gzip page requests on jerry and on Node. */
function replayTime(bin: string, board: string, r: number): string {
  const { record, scripts } = prepareReplay({ board, mode: "trace", requests: r - 1, timed: true });
  if (!record.ok) return "recording failed: " + record.error;
  const time = (lines: string[]): number => Number((lines.filter((l) => l.startsWith("TIME "))[0] || "TIME NaN").slice(5));
  const j = runJerry(bin, scripts), n = runNode(scripts);
  if (!j.ok || !n.ok) return "timed replay failed: " + (j.error || n.error);
  const tj = time(j.lines) / r, tn = time(n.lines) / r;
  return `the device alone (replayed, no emulator or peer): ${tj.toFixed(2)} ms per keep-alive gzip page request on jerry, ${tn.toFixed(2)} ms on Node (${(tj / tn).toFixed(0)}x; ${r} requests)`;
}

/** Checksum word sums on jerry: the fallback against simpler loops (microseconds per segment). */
function checksumFigures(bin: string): string {
  const entry = path.join(WORK, "csum-entry.js");
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(entry, `
    var natives = require(${JSON.stringify(path.join(ROOT, "build", "hal", "natives.js"))});
    var buf = new Uint8Array(2048); for (var i = 0; i < buf.length; i++) buf[i] = (i * 31) & 255;
    var v = new Uint16Array(buf.buffer, 16, 730), v2 = new Uint16Array(buf.buffer, 18, 730), N = 400, t, s = 0, k, j;
    function u16(a) { for (var x = 0, i = 0; i < a.length; i++) x += a[i]; return x; }
    function bytes(b, off, len) { for (var x = 0, i = 0; i < len; i++) x += b[off + i] << 8 * (~i & 1); return x; }
    t = Date.now(); for (k = 0; k < N; k++) s += natives.fallbacks.wordSum(v); var a = (Date.now() - t) * 1000 / N;
    t = Date.now(); for (k = 0; k < N; k++) s += natives.fallbacks.wordSum(v2); var a2 = (Date.now() - t) * 1000 / N;
    t = Date.now(); for (k = 0; k < N; k++) s += u16(v); var b = (Date.now() - t) * 1000 / N;
    t = Date.now(); for (k = 0; k < N; k++) s += bytes(buf, 16, 1460); var c = (Date.now() - t) * 1000 / N;
    print("CSUM " + JSON.stringify({ words32: a, words32Offset2: a2, words16: b, bytes: c, s: s }));
  `);
  const out = path.join(WORK, "csum.js");
  esbuild.buildSync({ entryPoints: [entry], bundle: true, format: "iife", target: "es2017", platform: "neutral", outfile: out, logLevel: "silent" });
  const r = runJerry(bin, [out]);
  const l = r.lines.filter((x) => x.startsWith("CSUM "))[0];
  if (!l) return "checksum figures failed: " + (r.error || r.lines.join(" "));
  const f = JSON.parse(l.slice(5));
  return `word sum of a 1,460-byte segment: ${f.words32.toFixed(0)} us as 32-bit words (fallback; ${f.words32Offset2.toFixed(0)} us 2 bytes off a 4-byte boundary), ` +
    `${f.words16.toFixed(0)} us as 16-bit words, ${f.bytes.toFixed(0)} us byte by byte`;
}

export async function run(): Promise<void> {
  const bins = jerryBinaries();
  if (!bins.length) {
    console.log("skipped: set JERRY=/path/to/jerry (JerryScript 3.0 with Kaluma's options, README \"Kaluma\") for the JerryScript figures");
    return;
  }
  const requests = Number(process.env.JERRY_REQUESTS || 1000);
  for (const bin of bins) {
    const heap = heapOf(bin);
    console.log(`\n${bin}: ${KB(heap)} heap`);
    console.log("  " + checksumFigures(bin));
    for (const board of ["kaluma-pico", "kaluma-pico2"]) {
      if (!fs.existsSync(bundlePath(board))) { console.log(`  ${board}: no bundle (make bundle-all)`); continue; }
      if (heap < 300 * 1024) {
        if (board === "kaluma-pico") console.log(`  ${board}: ${replayProbe(bin, board)}`);
        continue;
      }
      console.log(`  ${board}: ${replayTime(bin, board, 20)}`);
      const probed = runJerry(bin, prepare({ board, mode: "bench", requests, probe: true }));
      const b = benchLine(probed.lines);
      if (!probed.ok || !b) { console.log(`  ${board}: probe run failed: ${probed.error}`); continue; }
      const harness = heap - b.freeHarness;
      console.log(`  ${board}: device ${KB(b.freeHarness - b.freeBoot)} after boot, ${KB(b.freeHarness - b.freeMid)} halfway through ${requests} requests,` +
        ` ${KB(b.freeHarness - b.freeAfter)} after them (growth ${KB(b.freeBoot - b.freeAfter)}); live after GC`);
      const scripts = prepare({ board, mode: "bench", requests });
      const j = runJerry(bin, scripts);
      const n = runNode(scripts);
      const bj = benchLine(j.lines), bn = benchLine(n.lines);
      if (!j.ok || !bj || !bn) { console.log(`  ${board}: timed run failed: ${j.error || n.error}`); continue; }
      console.log(`  ${board}: run's peak allocation ${j.peak ? KB(j.peak) : "?"} (all of the heap, garbage included; the emulator, peer and harness hold about ${KB(harness)} of it)`);
      console.log(`  ${board}: ${(bj.ms / requests).toFixed(2)} ms per request (new connection, gzip page, close) on jerry, ${(bn.ms / requests).toFixed(2)} ms on Node: ${(bj.ms / bn.ms).toFixed(1)}x (whole simulation)`);
    }
  }
}
