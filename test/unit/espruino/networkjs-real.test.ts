// Espruino's own http and net modules (C, libs/network/) over the project's NetworkJS driver, on
// Espruino's real Linux interpreter (ESPRUINO=path; its Linux build has NetworkJS compiled in:
// USE_NET with USE_NETWORK_JS on by default, libs/network/js/network_js.c). The same app file as
// the vm engine's test (test/unit/sim/njs-bundle.ts), booted from flash after the demo bundle,
// fetched through the sim's gateway; the failure paths against the model's answers; the
// driver's memory on the interpreter. Without ESPRUINO: skipped with a message.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSim, Sim } from "../../../sim/run";
import { EspruinoBoard } from "../../../sim/espruino/engine";
import { appBundle, HTTP_APP } from "../sim/njs-bundle";
import { get } from "../sim/njs-http";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const ESPRUINO = process.env.ESPRUINO;

describe("NetworkJS on Espruino's real interpreter (ESPRUINO=...): Espruino's own http/net over the driver", function () {
  this.timeout(600000);
  let sim: Sim | null = null;
  let dir = "";
  let consoleLines: string[] = [];
  before(function () {
    if (!ESPRUINO) {
      console.log("    (skipped: set ESPRUINO=/path/to/espruino (a Linux build of Espruino 2v29) to run Espruino's own http/net over the driver)");
      this.skip();
    }
  });
  afterEach(async function () {
    if (this.currentTest && this.currentTest.state === "failed") console.log("      the interpreter's console (last lines):\n        " + consoleLines.slice(-15).join("\n        "));
    if (sim) await sim.close();
    sim = null;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function boot(app: string): Promise<{ sim: Sim; board: EspruinoBoard; lines: string[] }> {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "njs-real-"));
    fs.mkdirSync(path.join(dir, "b"));
    const bundle = path.join(dir, "b", "sim.js");   // the name tells the engine the board's wiring
    fs.writeFileSync(bundle, await appBundle(path.join(ROOT, "dist", "sim.js"), app));
    const lines: string[] = consoleLines = [];
    sim = await startSim({ bundle, port: 0, ip: "192.0.2.2", storage: path.join(dir, "storage"), espruino: ESPRUINO, out: (l) => lines.push(l) });
    await sim.ready;
    return { sim, board: sim.board as EspruinoBoard, lines };
  }

  it("http.createServer serves a host client: 20 requests and a 2 KB answer; no growth; the driver's memory", async () => {
    const { sim: s, board, lines } = await boot(HTTP_APP);
    const base = "http://127.0.0.1:" + s.port;
    const r1 = await get(base + "/first");
    assert.equal(r1.status, 200);
    assert.equal(r1.body, "hello from Espruino's http: GET /first #1");
    assert.equal(r1.headers.connection, "close");
    assert.equal(r1.headers.server, "Espruino 2v29");
    const idle1 = await board.query("process.memory().usage");
    for (let i = 2; i <= 21; i++) {
      const r = await get(base + "/n" + i);
      assert.equal(r.body, "hello from Espruino's http: GET /n" + i + " #" + i);
    }
    const big = await get(base + "/big");
    assert.equal(big.body, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\n".repeat(32));
    await new Promise((r) => setTimeout(r, 500));
    const idle2 = await board.query("process.memory().usage");
    const peak = await board.query("peak");
    // the driver's own cost on this interpreter: variables used after creating one with N sockets
    // (600-byte buffers), kept alive in a global while measured, for N = 1 and 3 (per socket: the difference / 2)
    const cost = await board.query("[(function () { var a = process.memory().usage; global.njsX = createNetworkJs(device.tcp, device.stack.udp, null, { sockets: 1 }); var b = process.memory().usage; global.njsX = null; return b - a; })(), " +
      "(function () { var a = process.memory().usage; global.njsX = createNetworkJs(device.tcp, device.stack.udp, null, { sockets: 3 }); var b = process.memory().usage; global.njsX = null; return b - a; })()]");
    const sizes = [cost[0], cost[1], 0, await board.query("njs.n"), await board.query("njs.inUse()")];
    const counters = await board.query("njsCounters(njs)");
    console.log("      driver at boot: " + cost[0] + " variables with 1 socket, " + cost[1] + " with 3 (" + ((cost[1] - cost[0]) / 2).toFixed(1) +
      " per socket of 600 bytes); the app's driver has " + sizes[3] + " sockets; idle " + idle1 + " -> " + idle2 + " after 21 requests; in a handler up to " + (peak - idle1) +
      " above idle (Espruino's req/res objects, the strings, the driver's transients); counters " + JSON.stringify(counters));
    assert.equal(sizes[4], 1, "the listener only");
    assert.ok(idle2 - idle1 <= 20, "no growth: " + idle1 + " -> " + idle2);
    assert.ok(!lines.some((l) => /Uncaught|ERROR|WARNING|Out of Memory/i.test(l)), lines.join("\n"));
  });

  it("failures answer as the model says: refused -9, a name without a resolver -6", async () => {
    const app = HTTP_APP + "\n" + [
      "var ev = [];",
      "function track(o, tag) {",
      "  o.on('error', function (e) { ev.push(tag + ' error ' + e.code + ' ' + e.message); });",
      "  o.on('end', function () { ev.push(tag + ' end'); });",
      "  o.on('close', function (h) { ev.push(tag + ' close ' + h); });",
      "}",
      "track(require('net').connect({ host: '192.0.2.1', port: 9 }), 'net');",
      "setTimeout(function () { track(require('http').get('http://nowhere.test/'), 'http'); }, 1500);",
    ].join("\n");
    const { board } = await boot(app);
    await new Promise((r) => setTimeout(r, 4000));
    const ev = await board.query("ev");
    assert.deepEqual(ev, ["net error -9 connection reset", "net end", "net close true", "http error -6 not found"]);
    assert.equal(await board.query("njs.inUse()"), 1);
  });
});
