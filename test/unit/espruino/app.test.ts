// A user's app on require("ENC28J60") (examples/hello.js: connect, DHCP, the HTTP server, one
// route) on the real interpreter built with the Pico's 5,100 variables: the library sizes itself
// to the memory it finds (said on the console), boots, serves its route, and leaves variables
// free. Needs ESPRUINO_BOARDS with a pico entry (pico=/path/espruino-5100); CI has none: skips.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { startSim } from "../../../sim/run";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const PICO = ((process.env.ESPRUINO_BOARDS || "").split(/\s+/).map((x) => x.split("=")).find((x) => x[0] === "pico") || [])[1];

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: p, agent: false, timeout: 20000 }, (res) => {
      let b = "";
      res.on("data", (d) => (b += d));
      res.on("end", () => resolve({ status: res.statusCode || 0, body: b }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
  });
}

describe("a user's app on require(\"ENC28J60\") on the Pico's variable count (ESPRUINO_BOARDS=pico=...)", function () {
  this.timeout(300000);
  before(function () {
    if (!PICO) {
      console.log("    (skipped: set ESPRUINO_BOARDS with pico=/path/to/espruino-5100 to boot the hello app on the Pico's variable count)");
      this.skip();
    }
  });
  it("examples/hello.js boots sized to memory, serves its route 20 times, no out of memory, no growth", async function () {
    const out: string[] = [];
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "esp-app-"));
    const s = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app: path.join(ROOT, "examples", "hello.js"), port: 0, storage, espruino: PICO, out: (l) => out.push(l) });
    try {
      await s.ready;
      assert.ok(out.some((l) => /^enc28j60: \d+ variables free: MTU 576, send pool \d+ bytes, \d+( of 4)? TCP slots \(sized to memory\)$/.test(l)), out.join("\n"));
      const b = s.board as any;
      const status = JSON.parse(await b.query("JSON.stringify(eth.getStatus().memory)"));
      assert.equal(status.mtu, 576);
      const r0 = await get(s.port, "/");
      assert.equal(r0.status, 200, out.join("\n"));
      const before = await b.query("process.memory().usage");
      for (let i = 0; i < 20; i++) assert.equal((await get(s.port, "/")).status, 200);
      const after = await b.query("process.memory().usage");
      assert.ok(after - before <= 5, `no growth over 20 requests: ${before} -> ${after}`);
      const free = await b.query("process.memory().free");
      assert.ok(free >= 1000, `variables left for the user: ${free}`);
      assert.ok(!out.some((l) => /OUT OF MEMORY|Uncaught/.test(l)), out.join("\n"));
    } finally {
      await s.close();
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });
});
