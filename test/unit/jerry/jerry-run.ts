// Runs a Kaluma board's bundle on JerryScript's desktop engine (`jerry`, JERRY=/path) and the same
// run on Node, for the jerry tests and `make bench`. jerry has no I/O but print(), so the whole
// world runs inside it: four scripts in one realm, in order,
//   config.js   var __JERRY_CONFIG = {...}      (mode, wiring, the page files, heap size)
//   scenario.js test/unit/jerry/scenario.ts bundled by esbuild: emulator, Kaluma double, peer
//   <bundle>    dist/kaluma/<board>.js, exactly as `make flash` writes it
//   go.js       __scenario.run()
// and what it prints is the result. On Node the same four scripts run in a vm context whose
// print() collects the lines. Every run is bounded by a timeout.

import { spawnSync } from "child_process";
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { pageFiles } from "../../../tools/gen-assets";
import type { JerryConfig } from "./scenario";
import { encodeTrace, Trace } from "../../../hal/host/kaluma-double";

export const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
export const WORK = path.join(ROOT, "build", "jerry");

/** The ENC28J60 wiring of the Kaluma boards (boards/kaluma-pico*.ts: both use the same pins). */
export const KALUMA_WIRING = { bus: 0, sck: 18, mosi: 19, miso: 16, cs: 17, int: 20, reset: 21 };

export interface RunOptions {
  board: string;              // kaluma-pico or kaluma-pico2
  mode: "wire" | "bench" | "trace";
  requests?: number;
  heapKb?: number;            // what process.memoryUsage() reports as heapTotal
  /** Install Espruino's E from the natives' fallbacks (firmware that still calls E.*). */
  eShim?: boolean;
  /** bench: probe the free heap at boot and during the load (jerry only). */
  probe?: boolean;
  /** replay: print how long the replayed turns took. */
  timed?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  ok: boolean;
  lines: string[];
  /** jerry's --mem-stats "Peak allocated" (bytes), when it printed it. */
  peak?: number;
  heapSize?: number;
  error?: string;
  ms: number;
}

export function bundlePath(board: string): string {
  return path.join(ROOT, "dist", "kaluma", `${board}.js`);
}

/** Writes the four scripts; returns their paths. */
export function prepare(o: RunOptions): string[] {
  fs.mkdirSync(WORK, { recursive: true });
  const page: { [n: string]: string } = {};
  const files = pageFiles();
  for (const n of Object.keys(files)) page[n] = files[n].toString("latin1");
  const cfg: JerryConfig = {
    mode: o.mode, wiring: KALUMA_WIRING, page, heapTotal: (o.heapKb || 384) * 1024,
    requests: o.requests || 0, probe: !!o.probe, timed: !!o.timed, eShim: o.eShim === undefined ? needsE() : o.eShim,
  };
  const config = path.join(WORK, `config-${o.mode}${o.probe ? "-probe" : ""}.js`);
  fs.writeFileSync(config, `var __JERRY_CONFIG = ${JSON.stringify(cfg)};\n`);
  const scenario = script("scenario");
  const go = path.join(WORK, "go.js");
  fs.writeFileSync(go, "__scenario.run();\n");
  const bundle = bundlePath(o.board);
  if (!fs.existsSync(bundle)) throw new Error(`no ${path.relative(ROOT, bundle)}: run 'make bundle BOARD=${o.board}'`);
  return [config, scenario, bundle, go];
}

/** test/unit/jerry/<name>.ts (built) as one minified script for jerry: build/jerry/<name>.js. */
function script(name: string): string {
  const out = path.join(WORK, `${name}.js`);
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, "build", "test", "unit", "jerry", `${name}.js`)],
    bundle: true, format: "iife", target: "es2017", platform: "neutral", outfile: out, minify: true,
    logLevel: "silent", legalComments: "none",
  });
  return out;
}

/**
 * The replay of a board's run for a small heap: records the wire scenario on Node (mode "trace")
 * and writes the scripts that replay it: config.js, trace.js (__TRACE), replay.js, the bundle, go.js.
 * Returns the recording run (its lines are what the replay must print) and the replay's scripts.
 */
export function prepareReplay(o: RunOptions): { record: RunResult; scripts: string[] } {
  const rec = prepare({ ...o, mode: "trace" });
  const ctx: any = {};
  const record = runNode(rec, o.timeoutMs, ctx);
  if (!record.ok) return { record, scripts: [] };
  const text = encodeTrace(ctx.__trace as Trace);
  const trace = path.join(WORK, "trace.js");
  fs.writeFileSync(trace, `var __TRACE = ${JSON.stringify(text)};\n`);
  return { record, scripts: [rec[0], trace, script("replay"), rec[2], rec[3]] };
}

/** Whether the device code still calls Espruino's E (firmware not yet on hal/natives.ts). */
export function needsE(): boolean {
  const dir = path.join(ROOT, "firmware");
  const walk = (d: string): boolean => fs.readdirSync(d, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".ts") && /\bE\.(sum|CRC32|toString|toUint8Array)\(/.test(fs.readFileSync(path.join(d, e.name), "utf8")));
  return walk(dir);
}

function peakOf(stderr: string): { peak?: number; heapSize?: number } {
  const p = /Peak allocated = (\d+) bytes/.exec(stderr);
  const h = /Heap size = (\d+) bytes/.exec(stderr);
  return { peak: p ? Number(p[1]) : undefined, heapSize: h ? Number(h[1]) : undefined };
}

/** Runs the scripts on jerry (binary path). */
export function runJerry(jerry: string, scripts: string[], timeoutMs = 600000): RunResult {
  const t0 = Date.now();
  const r = spawnSync(jerry, ["--mem-stats", ...scripts], { encoding: "latin1", timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 });
  const ms = Date.now() - t0;
  const lines = (r.stdout || "").split("\n").filter((l) => l.length > 0);
  const stats = peakOf((r.stderr || "") + (r.stdout || ""));
  const clean = lines.filter((l) => !/^(Heap stats:|  [A-Z][a-z ]+ = \d+ bytes)$/.test(l));
  if (r.error || r.status !== 0) {
    const why = r.error ? String(r.error.message) : r.status === 10 ? "exit 10: out of memory (jerry's fatal ERR_OUT_OF_MEMORY)" : `exit ${r.status}${r.signal ? " (" + r.signal + ")" : ""}`;
    return { ok: false, lines: clean, error: why + ((r.stderr || "").trim() ? ": " + (r.stderr || "").trim().slice(-500) : ""), ms, ...stats };
  }
  return { ok: true, lines: clean, ms, ...stats };
}

/** Runs the same scripts on Node in a fresh vm context (print collects lines). */
export function runNode(scripts: string[], timeoutMs = 600000, globals: any = {}): RunResult {
  const lines: string[] = [];
  globals.print = (...a: any[]) => { for (const s of a.join(" ").split("\n")) lines.push(s); };
  const ctx = vm.createContext(globals);
  const t0 = Date.now();
  try {
    for (const s of scripts) vm.runInContext(fs.readFileSync(s, "utf8"), ctx, { filename: s, timeout: timeoutMs });
  } catch (e: any) {
    return { ok: false, lines, error: String(e && e.stack ? e.stack : e), ms: Date.now() - t0 };
  }
  return { ok: true, lines, ms: Date.now() - t0 };
}

/** The JERRY variable as a list of binaries (JERRY=/a:/b allows several builds). */
export function jerryBinaries(): string[] {
  return (process.env.JERRY || "").split(":").filter((p) => p.length > 0);
}

/** The heap size of a jerry build in bytes (its --mem-stats on an empty script), 0 if unknown. */
export function heapOf(jerry: string): number {
  fs.mkdirSync(WORK, { recursive: true });
  const empty = path.join(WORK, "empty.js");
  fs.writeFileSync(empty, "\n");
  const r = spawnSync(jerry, ["--mem-stats", empty], { encoding: "latin1", timeout: 10000 });
  const m = /Heap size = (\d+) bytes/.exec((r.stdout || "") + (r.stderr || ""));
  return m ? Number(m[1]) : 0;
}
