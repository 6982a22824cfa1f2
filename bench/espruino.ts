// Figures from Espruino's own interpreter (sim/espruino/engine.ts), when ESPRUINO names its Linux
// build (several builds: separate them with ':'). Per build and bundle (ESPRUINO_BUNDLES, default
// "sim pico"): boot (or a clear out-of-memory report), variables after boot, the memory map (what
// each part holds, and each TCP slot), variables after N requests (ESPRUINO_REQUESTS, default
// 1000) and the peak under load (20 parallel clients; sampled at every SPI exchange), SPI
// transactions and wall time per request. With VALGRIND=1 and a build valgrind can run (native,
// not through qemu): instructions per request and idle per second (callgrind, interpreter thread),
// the bridge's own cost and the Linux port's idle loop measured alone and subtracted.
// Every figure is also given as a ratio to its budget (issue #12, "Fit every board").
//
//   ESPRUINO=/path/espruino make bench-espruino          (this module only)
//   ESPRUINO=/a:/b ESPRUINO_BUNDLES=sim ESPRUINO_REQUESTS=200 VALGRIND=1 node build/bench/run.js espruino
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSim, Sim } from "../sim/run";
import { EspruinoBoard, interpreterCommand, startEspruinoBoard } from "../sim/espruino/engine";
import { memoryMap } from "./espruino-map";
import { get, pause, phase, topFunctions, loopTurns, Callgrind, startCallgrind } from "./espruino-util";

const ROOT = path.resolve(__dirname, "..", "..");

/** Issue #12's budgets (variables on the board's own interpreter; host instructions). */
export const BUDGET = {
  idleVars: 2500, peakVars: 2700, perSlotVars: 60, transientVars: 50,
  keepAliveInstr: 5e6, pageGzipInstr: 25e6, idleInstrPerS: 0.5e6, growth: 0,
};

function ratio(v: number, budget: number): string {
  return budget > 0 ? " (budget " + budget.toLocaleString("en") + ", " + (v / budget).toFixed(1) + "x)" : " (budget " + budget + ")";
}
/** The longest the load may run (ESPRUINO_LOAD_S, default 300 s). */
function loadSeconds(): number { return Number(process.env.ESPRUINO_LOAD_S || 300); }
function say(tag: string, s: string): void { console.log("espruino " + tag + ": " + s); }

async function boot(bin: string, bundle: string, o: { slots?: number; ip?: boolean; wrap?: string[]; out?: string[] } = {}): Promise<{ sim?: Sim; board?: EspruinoBoard; error?: string; ms: number }> {
  const t0 = performance.now();
  const lines = o.out || [];
  try {
    const sim = await startSim({
      bundle: path.join(ROOT, "dist", bundle + ".js"), port: 0, storage: fs.mkdtempSync(path.join(os.tmpdir(), "espbench-")),
      slots: o.slots, ip: o.ip ? "192.0.2.2" : undefined, out: (l) => lines.push(l), espruino: bin,
      // through qemu a page takes seconds: the load's clients wait in the gateway's queue for the
      // device as long as the load may run, so the device serves them (not the gateway's own 503)
      queueWaitMs: loadSeconds() * 1000,
      espruinoOptions: { peak: !o.wrap, wrap: o.wrap, bootTimeoutMs: o.wrap ? 600000 : 180000 },
    });
    return { sim, board: sim.board as EspruinoBoard, ms: performance.now() - t0 };
  } catch (e) {
    return { error: (e as Error).message, ms: performance.now() - t0 };
  }
}

/** CPU seconds (user + system) the process has used so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  try {
    const f = fs.readFileSync("/proc/" + pid + "/stat", "latin1");
    const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch { return NaN; }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const r = await Promise.race([p, new Promise<T>((_, rej) => { t = setTimeout(() => rej(new Error(what + ": no answer within " + ms / 1000 + " s")), ms); })]);
  if (t) clearTimeout(t);
  return r;
}

/** Sequential requests of one kind: SPI transactions and wall ms per request. */
async function perRequest(sim: Sim, kind: string, n: number, ready?: () => Promise<void>): Promise<{ spi: number; ms: number; failed: number; why: string }> {
  const base = "http://127.0.0.1:" + sim.port;
  const keep = kind === "api";
  const spi0 = sim.board.counters.spiTransactions;
  const t0 = performance.now();
  let failed = 0, why = "";
  const agent = keep ? new (require("http").Agent)({ keepAlive: true, maxSockets: 1 }) : undefined;
  if (keep) await get(base + "/api/status", { agent }).catch(() => undefined); // the connection is open before counting
  if (ready) await ready();
  const s0 = keep ? sim.board.counters.spiTransactions : spi0;
  const t1 = keep ? performance.now() : t0;
  for (let i = 0; i < n; i++) {
    try {
      const r = await get(base + (kind === "api" ? "/api/status" : "/"), { agent, gzip: kind === "gzip" });
      if (r.status !== 200) { failed++; why = why || kind + " #" + i + ": status " + r.status; }
    } catch (e) { failed++; why = why || kind + " #" + i + ": " + (e as Error).message; }
  }
  const spi = (sim.board.counters.spiTransactions - s0) / n;
  const ms = (performance.now() - t1) / n;
  if (agent) agent.destroy();
  return { spi, ms, failed, why };
}

/** n requests from 20 parallel clients (keep-alive API, new-connection page plain and gzip). */
async function load(sim: Sim, n: number): Promise<{ ok: number; busy: number; failed: number; refused: number; sampledPeak: number; firstError: string; firstBusy: string }> {
  const base = "http://127.0.0.1:" + sim.port;
  const board = sim.board as EspruinoBoard;
  let next = 0, ok = 0, busy = 0, failed = 0, sampledPeak = 0, done = false, firstError = "", firstBusy = "";
  const sampler = (async () => {
    while (!done) {
      try { const m = await board.query("process.memory(false)", 60000); if (m.usage > sampledPeak) sampledPeak = m.usage; } catch { /* busy */ }
      await pause(200);
    }
  })();
  // A connection over the firmware's slots is refused (reset): the client waits and tries again.
  // Keep-alive requests go in pairs on one connection, closed after (an idle keep-alive
  // connection holds a slot: 20 of them would starve everyone else).
  let refused = 0;
  async function one(url: string, o: { agent?: any; gzip?: boolean }): Promise<void> {
    for (let tries = 0; ; tries++) {
      try {
        const r = await get(url, { agent: o.agent, gzip: o.gzip, timeoutMs: 60000 });
        if (r.status === 200) ok++; else if (r.status === 503) { busy++; firstBusy = firstBusy || r.body.toString().trim(); } else { failed++; firstError = firstError || "status " + r.status; }
        return;
      } catch (e) {
        if (tries < 30 && Date.now() < deadline) { refused++; await pause(Math.min(1000, 100 * (tries + 1))); continue; }
        failed++; firstError = firstError || (e as Error).message;
        return;
      }
    }
  }
  const deadline = Date.now() + loadSeconds() * 1000;
  async function client(): Promise<void> {
    while (next < n && Date.now() < deadline) {
      const i = next++;
      if (i % 3 === 0) await one(base + "/", { gzip: true });
      else if (i % 3 === 1) await one(base + "/", {});
      else {
        next++;
        const agent = new (require("http").Agent)({ keepAlive: true, maxSockets: 1 });
        await one(base + "/api/status", { agent });
        await one(base + "/api/status", { agent });
        agent.destroy();
      }
    }
  }
  const clients: Promise<void>[] = [];
  for (let k = 0; k < 20; k++) clients.push(client());
  await Promise.all(clients);
  done = true;
  await sampler;
  return { ok, busy, failed, refused, sampledPeak, firstError, firstBusy };
}

async function memoryFigures(bin: string, bundle: string, requests: number): Promise<void> {
  const tag = path.basename(bin) + " " + bundle;
  const out: string[] = [];
  const b = await boot(bin, bundle, { out });
  if (!b.sim) {
    say(tag, "BOOT FAILED after " + (b.ms / 1000).toFixed(1) + " s: " + b.error);
    const where = out.filter((l) => /OUT OF MEMORY|^\.\.\.|Uncaught/.test(l)).slice(0, 3).join(" | ");
    if (where) say(tag, "where: " + where);
    return;
  }
  const sim = b.sim, board = b.board!;
  try {
    const ip = await withTimeout(sim.ready, 120000, "DHCP");
    await pause(1000);
    const m = await board.query("process.memory()");
    const base = await board.query("__bridge.boot");
    say(tag, "booted in " + (b.ms / 1000).toFixed(1) + " s, address " + ip + " by DHCP; " + m.total + " variables of " + m.blocksize + " bytes");
    say(tag, "variables used after boot " + m.usage + ratio(m.usage, BUDGET.idleVars) + "; free " + m.free + "; the interpreter with the engine's prelude alone " + base);
    const map = memoryMap(await board.capture("E.dumpVariables()"));
    say(tag, "memory map (variables; each to the most specific part that reaches it): " + map.parts.map(([k, v]) => k + " " + v).join("; ") +
      "; outside device (the program's module-level functions and tables, timers, the watch, the prelude, the interpreter's own) " + map.outside + " (of " + map.total + " in E.dumpVariables)");
    say(tag, "memory map, retained by each part's object alone (what freeing it would free): " + map.retained.map(([k, v]) => k + " " + v).join("; "));
    const c0 = cpuSeconds(board.pid), s0 = board.counters.spiTransactions;
    await pause(5000);
    const idleCpu = (cpuSeconds(board.pid) - c0) / 5;
    say(tag, "idle: " + (idleCpu * 100).toFixed(1) + "% of a host core (the interpreter's process" + (interpreterCommand(bin).via ? ", through " + interpreterCommand(bin).via : "") + "), " +
      ((board.counters.spiTransactions - s0) / 5).toFixed(1) + " SPI transactions/s");
    // The transient variables of one request at a time: the peak (sampled at every SPI exchange)
    // from just before the requests (a keep-alive connection already open), minus the usage then.
    let base0 = 0;
    const mark = async (): Promise<void> => { base0 = await board.query("(__bridge.peak=0)+process.memory(false).usage"); };
    const transient = async (): Promise<number> => (await board.query("__bridge.peak")) - base0;
    const api = await perRequest(sim, "api", 20, mark);
    const tApi = await transient();
    await mark();
    const gz = await perRequest(sim, "gzip", 10);
    const tGz = await transient();
    await mark();
    const plain = await perRequest(sim, "plain", 10);
    const tPlain = await transient();
    say(tag, "transient variables, one request at a time (peak at any SPI exchange minus the usage before): keep-alive GET /api/status " + tApi + ratio(tApi, BUDGET.transientVars) +
      ", new-connection GET / gzip " + tGz + ", plain " + tPlain);
    say(tag, "SPI transactions per request: keep-alive GET /api/status " + api.spi.toFixed(1) + ", new-connection GET / gzip " + gz.spi.toFixed(1) + ", plain " + plain.spi.toFixed(1) +
      "; wall ms per request " + api.ms.toFixed(1) + " / " + gz.ms.toFixed(1) + " / " + plain.ms.toFixed(1) + (api.failed + gz.failed + plain.failed ? "; FAILED " + (api.failed + gz.failed + plain.failed) + " (first: " + (api.why || gz.why || plain.why) + ")" : ""));
    const after0 = (await board.query("process.memory()")).usage;
    await board.query("__bridge.peak=0");     // (the peak under load, not the boot's)
    const l = await load(sim, requests);
    await pause(2000);
    const states = await board.query("device.status().states").catch(() => "?");
    const m1 = await board.query("process.memory()");
    const peak = Math.max(await board.query("__bridge.peak"), l.sampledPeak);
    say(tag, requests + " requests from 20 parallel clients: " + l.ok + " ok, " + l.busy + " busy (503" + (l.firstBusy ? ", the first: \"" + l.firstBusy + "\"" : "") + "), " + l.refused + " connections refused and retried, " + l.failed + " failed" + (l.firstError ? " (first: " + l.firstError + ")" : "") + (l.ok + l.busy + l.failed < requests ? "; STOPPED at the time limit (ESPRUINO_LOAD_S)" : "") + "; TCP slots after: " + JSON.stringify(states) + "; console errors " + board.errors.length);
    say(tag, "variables after " + requests + " requests " + m1.usage + " (growth " + (m1.usage - after0) + ratio(m1.usage - after0, BUDGET.growth) + "); peak under load " + peak + ratio(peak, BUDGET.peakVars) +
      "; peak - idle under that load " + (peak - after0));
  } catch (e) {
    say(tag, "FAILED: " + (e as Error).message);
  } finally {
    await sim.close();
  }
  if (bundle === "sim") await slotFigures(bin, tag);
}

/** Variables per TCP slot (with its HTTP connection): boots with 1 and 2 slots (static address). */
async function slotFigures(bin: string, tag: string): Promise<void> {
  const used: number[] = [];
  for (const slots of [1, 2]) {
    const b = await boot(bin, "sim", { slots, ip: true });
    if (!b.sim) { say(tag, "slot figure: boot with " + slots + " slots failed: " + b.error); return; }
    await pause(1000);
    used.push((await b.board!.query("process.memory()")).usage);
    await b.sim.close();
  }
  say(tag, "variables with 1 slot " + used[0] + ", 2 slots " + used[1] + ": per additional TCP slot (with its HTTP connection) " + (used[1] - used[0]) + ratio(used[1] - used[0], BUDGET.perSlotVars));
}

async function instructionFigures(bin: string): Promise<void> {
  const tag = path.basename(bin) + " (callgrind, interpreter thread)";
  let cg: Callgrind;
  try { cg = startCallgrind(bin); } catch (e) { say(tag, "instructions skipped: " + (e as Error).message); return; }
  const M = (x: number): string => (x / 1e6).toFixed(1) + " M";
  // 1. The Linux port and the bridge alone: the prelude, no program.
  const { Enc28j60Emulator } = require("../emu/enc28j60/emulator") as typeof import("../emu/enc28j60/emulator");
  const emu = new Enc28j60Emulator({ now: () => performance.now() });
  const chip = { transaction: (b: Uint8Array, l: number) => emu.transaction(b, l), csLow() {}, exchange: (x: number) => emu.exchange(x), csHigh() {},
    intLevel: () => emu.intLevel(), onIntChange: (f: (l: boolean) => void) => emu.onIntChange(f), hardwareReset: () => emu.hardwareReset() };
  const alone = startEspruinoBoard({ espruino: bin, bundle: path.join(ROOT, "dist", "sim.js"), chip, config: {}, www: path.join(ROOT, "dist", "www"), out: () => {}, wrap: cg.wrap, noProgram: true });
  let portIdle = 0, perCall = 0, perByte = 0, perTurn = NaN;
  try {
    await alone.query("__bridge.boot", 300000);
    // the port's loop as the firmware has it: with a watch on a pin (Espruino then polls every 1 ms)
    await alone.query("setWatch(function(){}, D4, {edge:'falling', repeat:true})", 300000);
    const idle = await phase(cg, alone.pid, () => pause(10000));
    portIdle = idle.instr / idle.s;
    perTurn = idle.instr / loopTurns(idle.file);
    const small = await phase(cg, alone.pid, async () => { await alone.query("__bridge.cal(200,16)", 300000); });
    const big = await phase(cg, alone.pid, async () => { await alone.query("__bridge.cal(200,600)", 300000); });
    perByte = (big.instr - small.instr) / 200 / 584;
    perCall = small.instr / 200 - 16 * perByte;
    say(tag, "the Linux port's own idle loop (with one watch) " + M(portIdle) + "/s; the bridge " + (perCall / 1e3).toFixed(0) + " k per SPI transaction + " + perByte.toFixed(0) + " per byte (subtracted below)");
  } finally { alone.stop(); await alone.exited; }
  // 2. The firmware (sim bundle, static address).
  const b = await boot(bin, "sim", { wrap: cg.wrap, ip: true });
  if (!b.sim) { say(tag, "boot under valgrind failed: " + b.error); return; }
  const sim = b.sim, board = b.board!;
  try {
    await pause(3000);
    const i0 = board.counters.spiTransactions, j0 = board.counters.spiBytes, w0 = board.counters.watchEvents;
    const f0 = await board.query("device.driver.counters", 300000);
    const r0: number[] = await board.query("[].slice.call(device.runs || [])", 300000);
    const idleS = Number(process.env.ESPRUINO_IDLE_S || 10);
    const idle = await phase(cg, board.pid, () => pause(idleS * 1000));
    const f1 = await board.query("device.driver.counters", 300000);
    const r1: number[] = await board.query("[].slice.call(device.runs || [])", 300000);
    const runs = r1.length ? "; the runner's callbacks: " + ["services", "ticks", "INT found low at a tick", "wakes"].map((k, i) => (r1[i] - r0[i]) + " " + k).join(", ") : "";
    const rate = idle.instr / idle.s;
    const idleSpi = (board.counters.spiTransactions - i0) / idle.s, idleBridge = idleSpi * perCall + (board.counters.spiBytes - j0) / idle.s * perByte;
    const own = rate - portIdle - idleBridge;
    // The port's loop turns at a rate that varies with the host's load (under valgrind): its cost
    // per turn, measured alone, times the turns taken here, is the steadier baseline.
    const turns = loopTurns(idle.file), ownByTurn = (idle.instr - turns * perTurn) / idle.s - idleBridge;
    say(tag, "idle: " + M(rate) + "/s in all; " + idleSpi.toFixed(1) + " SPI transactions/s (bridge " + M(idleBridge) + "/s); the firmware's own " + M(own) + "/s" + ratio(own, BUDGET.idleInstrPerS) +
      (turns === turns && perTurn === perTurn ? "; per turn of the port's loop: " + (perTurn / 1e3).toFixed(2) + " k alone, " + (idle.instr / turns / 1e3).toFixed(2) + " k here, " + (turns / idle.s).toFixed(0) + " turns/s: the firmware's own " + M(ownByTurn) + "/s" + ratio(ownByTurn, BUDGET.idleInstrPerS) : "") +
      "; in " + idle.s.toFixed(1) + " s: " + (f1.rxFrames - f0.rxFrames) + " frames in, " + (f1.txFrames - f0.txFrames) + " out, " + (board.counters.watchEvents - w0) + " INT edges" + runs + "; heaviest: " + topFunctions(idle.file, 6).join(", "));
    if (process.env.ESPRUINO_CG === "idle") return;
    const base = "http://127.0.0.1:" + sim.port;
    const kinds: [string, number, number][] = [["keep-alive GET /api/status", 10, BUDGET.keepAliveInstr], ["new-connection GET / gzip", 5, BUDGET.pageGzipInstr], ["new-connection GET / plain", 5, 0]];
    // ESPRUINO_CG=api: keep-alive requests only: the status, a small JSON route and a 404 (what
    // the status JSON costs, what the request path costs without it)
    const apiKinds: [string, number, number][] = [kinds[0], ["keep-alive GET /api/led", 10, 0], ["keep-alive GET /nothing (404)", 10, 0]];
    for (const [label, n, budget] of process.env.ESPRUINO_CG === "api" ? apiKinds : kinds) {
      const keep = label.startsWith("keep");
      const url = keep ? label.split(" ")[2] : "/";
      const agent = keep ? new (require("http").Agent)({ keepAlive: true, maxSockets: 1 }) : undefined;
      if (keep) await get(base + url, { agent, timeoutMs: 300000 });
      const t0 = board.counters.spiTransactions, y0 = board.counters.spiBytes;
      let failed = 0;
      const p = await phase(cg, board.pid, async () => {
        // under valgrind a new connection can take long enough for the gateway to give up: retry
        for (let i = 0; i < n; i++) {
          for (let t = 0; t < 3; t++) {
            try { await get(base + url, { agent, gzip: label.endsWith("gzip"), timeoutMs: 300000 }); break; } catch { failed++; await pause(1000); }
          }
        }
      });
      if (agent) agent.destroy();
      const tr = (board.counters.spiTransactions - t0) / n, by = (board.counters.spiBytes - y0) / n;
      const bridge = tr * perCall + by * perByte;
      const upper = p.instr / n - bridge;
      const lower = upper - rate * p.s / n;
      say(tag, label + ": " + M(upper) + " per request with the bridge subtracted (" + M(Math.max(0, lower)) + " also subtracting idle for the " + (p.s / n).toFixed(2) + " s each took under valgrind); " +
        tr.toFixed(1) + " SPI transactions, " + by.toFixed(0) + " bytes; bridge " + M(bridge) + (budget ? ratio(upper, budget) : "") +
        (failed ? "; " + failed + " attempts failed and were retried (counted in)" : "") +
        "; heaviest interpreter functions (own instructions): " + topFunctions(p.file, 8).join(", ") + "; dump " + p.file);
    }
  } finally {
    await sim.close();
    say(tag, "callgrind dumps kept in " + cg.dir + " (callgrind_annotate FILE)");
  }
}

export async function run(): Promise<void> {
  const bins = (process.env.ESPRUINO || "").split(":").filter(Boolean);
  if (!bins.length) {
    console.log("espruino: skipped (set ESPRUINO=/path/to/espruino, Espruino's Linux build, for the figures on the real interpreter; VALGRIND=1 adds instruction counts)");
    return;
  }
  const bundles = (process.env.ESPRUINO_BUNDLES ?? "sim pico").split(/[ ,]+/).filter(Boolean);
  const requests = Number(process.env.ESPRUINO_REQUESTS || 1000);
  for (const bin of bins) {
    const run = interpreterCommand(bin);
    say(path.basename(bin), (run.bits) + "-bit build" + (run.via ? ", run through " + run.via : ""));
    // ESPRUINO_CG=idle: only the callgrind idle figure (VALGRIND=1); =api: idle and the keep-alive request
    if (!process.env.ESPRUINO_CG) for (const bundle of bundles) await memoryFigures(bin, bundle, requests);
    if (process.env.VALGRIND === "1") await instructionFigures(bin);
  }
}
