// The library module's pieces (pay for what you use, issue #16): flash bytes (pretokenised, as
// Storage holds them) of the core's parts and of each piece, the default app's Storage use on the
// Pico, against the budgets; with ESPRUINO=<Linux build> also the variables each takes after
// boot on the real interpreter (a connect-only app, then one with the HTTP server and a route).
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildModule, buildImage } from "../tools/image";
import { PIECES, CORE_PARTS } from "../tools/pieces";
import { cliPretokeniser, loadBoardJson } from "../tools/flash";

const ROOT = path.resolve(__dirname, "..", "..");
const KB = 1024;
/** Budgets (#16 item 7): driver + IP + TCP + DHCP in flash; all pieces together. */
const CORE_BUDGET = 18 * KB;
const ALL_BUDGET = 32 * KB;
/** The Pico: 5,100 variables; the default app leaves at least half of Storage and of the variables. */
const PICO_VARS = 5100;

function ratio(n: number, budget: number): string {
  return `${(n / KB).toFixed(1)} KB of ${(budget / KB).toFixed(0)} KB (${Math.round((100 * n) / budget)}%)${n > budget ? " OVER" : ""}`;
}

/** Minified bytes per core part in a module entry (esbuild's metafile), by CORE_PARTS prefix (dhcp apart from ip). */
function partShares(entry: string): { [part: string]: number } {
  const r = esbuild.buildSync({ entryPoints: [entry], bundle: true, format: "iife", target: "es5", platform: "node", write: false, metafile: true, minify: true, define: { require: "__r" } });
  const inputs = Object.values(r.metafile!.outputs)[0].inputs;
  const out: { [part: string]: number } = {};
  for (const [k, v] of Object.entries(inputs)) {
    const rel = k.replace(/^build\/device\//, "");
    // the most specific prefix wins (firmware/net/dhcp before firmware/net/)
    let best = "", bestLen = -1;
    for (const p of CORE_PARTS) for (const pre of p.prefixes) if (rel.startsWith(pre) && pre.length > bestLen) { best = p.name; bestLen = pre.length; }
    const name = best || "other";
    out[name] = (out[name] || 0) + v.bytesInOutput;
  }
  return out;
}

/** Variables after boot on the real interpreter for an app (module with its pieces), above the prelude. */
async function varsOf(espruino: string, app: string): Promise<number | string> {
  const { startSim } = require("../sim/run") as typeof import("../sim/run");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-pieces-"));
  const file = path.join(dir, "app.js");
  fs.writeFileSync(file, app);
  const lines: string[] = [];
  let sim: import("../sim/run").Sim | null = null;
  try {
    sim = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app: file, port: 0, storage: path.join(dir, "st"), espruino, out: (l) => lines.push(l) });
    await sim.ready;
    await new Promise((r) => setTimeout(r, 1500));
    const b = sim.board as any;
    return (await b.query("process.memory().usage")) - (await b.query("__bridge.boot"));
  } catch (e: any) {
    return "failed: " + String(e && e.message || e).split("\n")[0];
  } finally {
    if (sim) await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The sim's wiring, with the sizes fixed (MTU 576, 2 KB pool, 4 slots) so that the pieces compare
 *  (left open, connect() sizes them to the memory it finds, firmware/lib/eth-mem.ts). */
const WIRING = "SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27, mtu: 576, sendPool: 2048, slots: 4 }";

export async function run(): Promise<void> {
  const tok = cliPretokeniser();
  const core = await buildModule([]);
  const coreStored = tok.tokenise(core.code).length;
  const shares = partShares(path.join(ROOT, "build", "device", "module", "ENC28J60.js"));
  const shareTotal = Object.values(shares).reduce((a, b) => a + b, 0);
  console.log("piece                 flash (pretokenised)   (core parts: the core's stored bytes shared by minified size)");
  for (const p of Object.keys(shares).sort()) {
    console.log(`  ${("core: " + p).padEnd(20)} ${String(Math.round((coreStored * shares[p]) / shareTotal)).padStart(7)}`);
  }
  const driverIpTcpDhcp = Math.round((coreStored * ((shares.driver || 0) + (shares.ip || 0) + (shares.dhcp || 0) + (shares.tcp || 0))) / shareTotal);
  console.log(`  ${"core (all)".padEnd(20)} ${String(coreStored).padStart(7)}`);
  let all = coreStored;
  for (const p of PIECES) {
    // a piece that needs others: what it adds to the module with those (files: to core + http)
    const needs = PIECES.filter((q) => (p.needs || []).indexOf(q.name) >= 0);
    const base = needs.length ? tok.tokenise((await buildModule(needs)).code).length : coreStored;
    const m = await buildModule(needs.concat([p]));
    const n = tok.tokenise(m.code).length - base;
    all += n;
    console.log(`  ${p.name.padEnd(20)} ${String(n).padStart(7)}${needs.length ? `   (with ${needs.map((q) => q.name).join(", ")})` : ""}` +
      (p.default ? "   (a default piece: in every build unless left out; make image leaves it out where the app would not fit)" : ""));
  }
  console.log(`driver + IP + TCP + DHCP: ${ratio(driverIpTcpDhcp, CORE_BUDGET)}`);
  // (the sum counts code two pieces share, e.g. DNS's wire format in dns and mdns, twice; the
  // module with every piece holds it once)
  const every = tok.tokenise((await buildModule(PIECES)).code).length;
  console.log(`all pieces (module with every piece): ${ratio(every, ALL_BUDGET)}; the core and each piece's own bytes added up: ${(all / KB).toFixed(1)} KB`);

  // The default app (examples/demo) and a ten-line app on the module, in the Pico's Storage.
  const pico = loadBoardJson("pico");
  const area = pico.chip.saved_code!.page_size * pico.chip.saved_code!.pages;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-image-"));
  try {
    const hello = path.join(tmp, "hello.js");
    fs.writeFileSync(hello, fs.readFileSync(path.join(ROOT, "examples", "hello.js")));
    for (const [name, o] of [["default app (examples/demo)", {}], ["examples/hello.js", { app: hello }]] as [string, { app?: string }][]) {
      const img = await buildImage({ board: "pico", out: path.join(tmp, "st"), ...o });
      const used = Object.keys(img.files).reduce((n, k) => n + img.files[k].length + 32, 0);
      console.log(`Pico Storage, ${name}: ${used} of ${area} bytes (${Math.round((100 * used) / area)}%; budget: at most half, ${area / 2})${used > area / 2 ? " OVER" : ""}` +
        (used > area ? `; does not fit: ${used - area} bytes too many` : `; ${area - used} bytes left for pages and the app's own files`));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const espruino = (process.env.ESPRUINO || "").split(":")[0];
  if (!espruino) {
    console.log("variables per piece: set ESPRUINO=<Espruino Linux build> (e.g. /work/espruino/bin/espruino-wifi32) for the real interpreter's figures");
    return;
  }
  const bare = await varsOf(espruino, `var eth = require("ENC28J60").connect(${WIRING});\n`);
  const withHttp = await varsOf(espruino, `var eth = require("ENC28J60").connect(${WIRING});\nvar srv = eth.createServer();\nsrv.get("/", function (req, res) { res.json({ a: digitalRead(D0) }); });\n`);
  console.log(`variables after boot on ${path.basename(espruino)} (above the board prelude): core module + connect (MTU 576, 2 KB pool, 4 slots) ${bare}; + HTTP server and one route ${withHttp}` +
    (typeof bare === "number" && typeof withHttp === "number" ? ` (http: ${withHttp - bare})` : "") +
    `; budget for the default app on the Pico: at most ${PICO_VARS / 2}`);
}
