// The default app (examples/demo) on Espruino's own interpreter (the sim's real-interpreter
// engine), booted from its Storage files as `make image BOARD=sim` writes them: the library sizes
// itself to the memory left after the app's functions, the page and the JSON API are served, 20
// status requests leave no growth. Needs an interpreter: ESPRUINO_BOARDS with an espruino-wifi
// entry (espruino-wifi=/path/espruino-8190, the Espruino WiFi's 8,190 variables), else ESPRUINO
// (its first build). CI has neither: skipped with a message.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { startSim } from "../../../sim/run";
import { DEFAULT_APP } from "../../../tools/image";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const BOARDS = (process.env.ESPRUINO_BOARDS || "").split(/\s+/).map((x) => x.split("="));
const BIN = (BOARDS.find((x) => x[0] === "espruino-wifi") || [])[1] || (process.env.ESPRUINO || "").split(":")[0];

function request(port: number, p: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: p, method: body === undefined ? "GET" : "POST", agent: false, timeout: 30000,
      headers: body === undefined ? {} : { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) } }, (res) => {
      let b = "";
      res.setEncoding("latin1");
      res.on("data", (d) => (b += d));
      res.on("end", () => resolve({ status: res.statusCode || 0, body: b }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out: " + p)));
    req.on("error", reject);
    req.end(body);
  });
}

describe("the default app on Espruino's interpreter (ESPRUINO_BOARDS=espruino-wifi=... or ESPRUINO=...)", function () {
  this.timeout(600000);
  before(function () {
    if (!BIN) {
      console.log("    (skipped: set ESPRUINO_BOARDS with espruino-wifi=/path/to/espruino-8190, or ESPRUINO=/path/to/espruino, to boot examples/demo on Espruino's interpreter)");
      this.skip();
    }
  });

  it("boots sized to memory, serves the page, the status, the LED and the settings; no out of memory, no growth over 20 requests", async () => {
    const out: string[] = [];
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "esp-demo-"));
    const s = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app: DEFAULT_APP, port: 0, storage, espruino: BIN, out: (l) => out.push(l) });
    try {
      await s.ready;
      const b = s.board as any;
      assert.ok(out.some((l) => /^enc28j60: \d+ variables free: MTU \d+, send pool \d+ bytes, \d+( of \d+)? TCP slots \(sized to memory\)$/.test(l)), out.join("\n"));
      // (setIP()'s callback line may reach the console just after the sim saw the address)
      for (let t = Date.now(); !out.some((l) => /^demo: http:/.test(l)) && Date.now() - t < 10000;) await new Promise((r) => setTimeout(r, 100));
      assert.ok(out.some((l) => /^demo: http:\/\/192\.0\.2\.2\/ \(sim, DHCP\)$/.test(l)), out.join("\n"));
      const page = await request(s.port, "/");
      assert.equal(page.status, 200, out.join("\n"));
      assert.equal(page.body, fs.readFileSync(path.join(ROOT, "examples", "demo", "www", "index.html"), "latin1"));
      const st = JSON.parse((await request(s.port, "/api/status")).body);
      assert.equal(st.ip, "192.0.2.2");
      assert.equal(st.dhcp, "bound");
      assert.ok(st.mem[0] > 0 && st.mem[1] > 5000, "memory " + st.mem);
      assert.ok(st.states.LISTEN === 1, JSON.stringify(st.states));
      assert.deepEqual(JSON.parse((await request(s.port, "/api/led", "on=1")).body), { led: true });
      assert.equal(await b.query("ledOn"), true);
      const saved = await request(s.port, "/api/settings?js=1", "name=Real+one");
      assert.equal(JSON.parse(saved.body).name, "Real one", saved.body);
      assert.equal(await b.query('require("Storage").read("enc-settings")'), '{"name":"Real one"}');
      const before = await b.query("process.memory().usage");
      for (let i = 0; i < 20; i++) assert.equal((await request(s.port, "/api/status")).status, 200);
      const after = await b.query("process.memory().usage");
      assert.ok(after - before <= 20, `no growth over 20 requests: ${before} -> ${after}`);
      assert.ok(!out.some((l) => /OUT OF MEMORY|Uncaught|LOW_MEMORY/.test(l)), out.join("\n"));
    } finally {
      await s.close();
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });
});
