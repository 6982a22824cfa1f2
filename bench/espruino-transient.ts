// What the per-request transient variables are, on Espruino's real interpreter: one request
// (keep-alive GET /api/status, or a new-connection GET / gzip), the SPI exchange at which the
// usage peaks (the prelude counts exchanges), then the same request again with E.dumpVariables()
// printed at that exchange, diffed against a dump at idle. The variables only the peak has are
// grouped by what holds them: each function call's scope (its parameters, locals and the return
// slot), and the temporaries the C stack holds locked (arguments being passed, values being
// computed), which nothing in the variable graph links to.
//
//   make bundle-all && ESPRUINO=/work/espruino/bin/espruino-pico32 [ESPRUINO_BUNDLE=pico]
//     [TRANSIENT_KIND=api|gzip] flock /work/tmp/interp.lock node build/bench/espruino-transient.js
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSim } from "../sim/run";
import { EspruinoBoard } from "../sim/espruino/engine";
import { parseDump } from "./espruino-map";
import { get, pause } from "./espruino-util";

const ROOT = path.resolve(__dirname, "..", "..");

interface Node { size: number; name: string; links: number[]; type: number }

/** parseDump plus each line's type (the flags column). */
function dump(lines: string[]): Map<number, Node> {
  const nodes = parseDump(lines) as Map<number, Node>;
  for (const l of lines) {
    const m = /^(\d+),(\d+),(\d+),/.exec(l.trim());
    if (m && nodes.has(Number(m[1]))) nodes.get(Number(m[1]))!.type = Number(m[3]);
  }
  return nodes;
}

async function main(): Promise<void> {
  if (process.env.TRANSIENT_LOAD) {   // the analysis again, on dumps TRANSIENT_SAVE kept
    const d = JSON.parse(fs.readFileSync(process.env.TRANSIENT_LOAD, "utf8"));
    report(new Map(d.idle), new Map(d.peak));
    return;
  }
  const bin = process.env.ESPRUINO || "/work/espruino/bin/espruino-pico32";
  const bundle = process.env.ESPRUINO_BUNDLE || "pico";
  const kinds = (process.env.TRANSIENT_KIND || "api gzip").split(/[ ,]+/).filter(Boolean);
  const lines: string[] = [];
  const sim = await startSim({
    bundle: path.join(ROOT, "dist", bundle + ".js"), port: 0, storage: fs.mkdtempSync(path.join(os.tmpdir(), "esptrans-")),
    out: (l) => lines.push(l), espruino: bin, espruinoOptions: { peak: true, bootTimeoutMs: 180000 },
  });
  const board = sim.board as EspruinoBoard;
  try {
    await sim.ready;
    await pause(1000);
    const base = "http://127.0.0.1:" + sim.port;
    for (const kind of kinds) {
      const keep = kind === "api";
      const agent = keep ? new (require("http").Agent)({ keepAlive: true, maxSockets: 1 }) : undefined;
      const request = async (): Promise<void> => {
        const r = await get(base + (keep ? "/api/status" : "/"), { agent, gzip: kind === "gzip" });
        if (r.status !== 200) throw new Error(kind + ": status " + r.status);
      };
      await request(); await request();
      await pause(300);
      const idle = dump(await board.capture("E.dumpVariables()"));
      const runs: { peak: number; pn: number; n: number; base: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const b0 = await board.query("(__bridge.peak=0)+(__bridge.n=0)+(__bridge.at=0)+process.memory(false).usage");
        await request();
        await pause(200);
        const r = await board.query("[__bridge.peak,__bridge.pn,__bridge.n]");
        runs.push({ base: b0, peak: r[0], pn: r[1], n: r[2] });
      }
      console.log(kind + ": transient (peak - usage before) per run: " + runs.map((r) => (r.peak - r.base) + " at exchange " + r.pn + " of " + r.n).join("; "));
      const at = runs[runs.length - 1].pn;
      lines.length = 0;
      const b1 = await board.query("(__bridge.peak=0)+(__bridge.n=0)+(__bridge.at=" + at + ")+process.memory(false).usage");
      await request();
      await pause(500);
      const r1 = await board.query("[__bridge.peak,__bridge.pn,__bridge.n]");
      await board.query("__bridge.at=0");
      const s = lines.indexOf("@@dump<"), e = lines.indexOf("@@dump>");
      if (s < 0 || e < 0) { console.log(kind + ": no dump printed"); continue; }
      const peak = dump(lines.slice(s + 1, e));
      if (process.env.TRANSIENT_SAVE) fs.writeFileSync(process.env.TRANSIENT_SAVE + "-" + kind + ".json", JSON.stringify({ idle: [...idle], peak: [...peak] }));
      console.log(kind + ": dumped at exchange " + at + "; that run: transient " + (r1[0] - b1) + " at exchange " + r1[1] + " of " + r1[2]);
      report(idle, peak);
      if (agent) agent.destroy();
    }
  } finally {
    await sim.close();
  }
}

function label(n: Node): string { return n.name.length > 40 ? n.name.slice(0, 40) + "..." : n.name; }

/**
 * The peak's own variables (absent at idle, or a different type or size there), grouped by
 * their roots: a call's scope list (an Array the C stack holds: the closure scopes it links to,
 * then the call's own scope, a function-type variable holding its parameters, its locals and
 * the return slot), or a temporary the C stack holds.
 */
function report(idle: Map<number, Node>, peak: Map<number, Node>): void {
  const fresh = new Map<number, Node>();
  for (const [ref, n] of peak) {
    const o = idle.get(ref);
    if (!o || o.size !== n.size || o.type !== n.type) fresh.set(ref, n);
  }
  let idleBlocks = 0, peakBlocks = 0, blocks = 0;
  for (const n of idle.values()) idleBlocks += n.size;
  for (const n of peak.values()) peakBlocks += n.size;
  for (const n of fresh.values()) blocks += n.size;
  console.log("  blocks in the dumps: idle " + idleBlocks + ", peak " + peakBlocks + " (difference " + (peakBlocks - idleBlocks) + "); the peak's own variables " + fresh.size + " (" + blocks + " blocks)");
  const linked = new Set<number>();
  for (const n of fresh.values()) for (const c of n.links) if (fresh.has(c)) linked.add(c);
  const fromOld = new Set<number>();
  for (const [ref, n] of peak) if (!fresh.has(ref)) for (const c of n.links) if (fresh.has(c)) fromOld.add(c);
  const owned = new Set<number>();
  const take = (r: number): number => {
    let b = 0;
    const stack = [r];
    while (stack.length) {
      const v = stack.pop()!;
      if (owned.has(v) || !fresh.has(v)) continue;
      owned.add(v); b += fresh.get(v)!.size;
      for (const c of fresh.get(v)!.links) stack.push(c);
    }
    return b;
  };
  const value = (nameRef: number): string => {
    const nm = peak.get(nameRef);
    if (!nm) return "?";
    const v = nm.links.length ? peak.get(nm.links[0]) : undefined;
    return label(nm) + (v ? "=" + (v.type === 7 ? "fn" : label(v).slice(0, 12)) + (fresh.has(nm.links[0]) ? "" : "'") : "");
  };
  const roots = [...fresh.keys()].filter((r) => !linked.has(r) && !fromOld.has(r)).sort((a, b) => a - b);
  let scopeBlocks = 0, levels = 0, tempBlocks = 0;
  for (const r of roots) {
    const n = fresh.get(r)!;
    if (n.type !== 3) continue;
    // the scope list: its last element is the call's own scope
    const own = n.links.length ? peak.get(n.links[n.links.length - 1]) : undefined;
    const scope = own && own.links.length ? own.links[0] : -1;
    const sc = peak.get(scope);
    const b = take(r);
    scopeBlocks += b; levels++;
    console.log("  " + String(b).padStart(4) + "  call level: scope list of " + n.links.length + (sc ? "; own scope: " + sc.links.map(value).join(" ") : ""));
  }
  const temps: string[] = [];
  for (const r of roots) {
    if (owned.has(r)) continue;
    const b = take(r);
    tempBlocks += b;
    temps.push(label(fresh.get(r)!) + (b > 1 ? " (" + b + ")" : ""));
  }
  let replaced = 0;
  for (const r of fromOld) if (!owned.has(r)) replaced += take(r);
  console.log("  " + levels + " call levels hold " + scopeBlocks + " blocks; temporaries the C stack holds " + tempBlocks + ": " + temps.join(", "));
  console.log("  new values of lasting variables (typed-array contents, properties set; mostly replacing old ones): " + replaced + " blocks");
}

if (require.main === module) main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
