// The simulated board's vm engine runs a user's app that uses Espruino's own require("http")
// over the NetworkJS driver: fetched by a host client through the sim's gateway. The modules
// live in the device's realm (nothing leads back to the host's constructors).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSim, Sim } from "../../../sim/run";
import { appBundle, HTTP_APP } from "./njs-bundle";
import { get } from "./njs-http";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

describe("sim (vm engine): a user's app with require('http') over NetworkJS", function () {
  this.timeout(60000);
  let sim: Sim | null = null;
  let dir = "";
  afterEach(async () => {
    if (sim) await sim.close();
    sim = null;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("serves its own page to a host client through the gateway (Espruino's head: Connection: close)", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "njs-sim-"));
    const bundle = path.join(dir, "app.js");
    fs.writeFileSync(bundle, await appBundle(path.join(ROOT, "dist", "sim.js"), HTTP_APP));
    const lines: string[] = [];
    sim = await startSim({ bundle, port: 0, ip: "192.0.2.2", storage: path.join(dir, "storage"), out: (l) => lines.push(l) });
    await sim.ready;
    const base = "http://127.0.0.1:" + sim.port;
    for (let i = 1; i <= 3; i++) {
      const r = await get(base + "/sensor?n=" + i);
      assert.equal(r.status, 200);
      assert.equal(r.body, "hello from Espruino's http: GET /sensor?n=" + i + " #" + i);
      assert.equal(r.headers.connection, "close");
      assert.equal(r.headers.server, "Espruino 2v29");
    }
    const big = await get(base + "/big");
    assert.equal(big.body.length, 32 * 65, "2 KB through 536-byte sends");
    assert.equal(big.body, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\n".repeat(32));
    assert.ok(lines.indexOf("app: http server on 80 over NetworkJS") >= 0, lines.join("\n"));
    assert.ok(!lines.some((l) => /Uncaught|WARNING/.test(l)), lines.join("\n"));
    // the modules belong to the device's realm
    for (const x of ["require('http').createServer.constructor", "require('net').connect({host:'192.0.2.1',port:1}).on.constructor",
      "require('dgram').createSocket('udp4').constructor.constructor"]) {
      assert.equal(sim.board.evalLine("(" + x + ")('return typeof Buffer + typeof setImmediate')()"), "=\"undefinedundefined\"", x);
    }
    const until = Date.now() + 5000;
    while (sim.board.evalLine("njs.inUse()") !== "=1" && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(sim.board.evalLine("njs.inUse()"), "=1", "the listener only (the net socket above was refused and closed)");
  });
});
