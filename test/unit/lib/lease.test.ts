// The library keeps the last DHCP address in Storage ("enc-lease") and asks for it again first at
// the next start (INIT-REBOOT, RFC 2131 3.2 and 4.3.2; issue #15 item 6): the sim's DHCP server then
// sees a REQUEST with option 50 and no DISCOVER (test/peer/get.test.ts shows getIP() naming the DNS
// server a real DHCP server hands out; the sim's gateway hands out none).
// With { lease: false } nothing is written. Runs the app on the simulated board (vm engine).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSim, Sim } from "../../../sim/run";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

function app(opts: string): string {
  return `var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27${opts} });
eth.setIP(function (err, ip) {
  var d = eth.stack.counters.dhcp;
  console.log("lease: " + (err ? "none" : ip.ip + " dns " + ip.dns) + " sent " + d.tx + " offers " + d.offers + " reboots " + d.reboots + " acks " + d.acks);
});
`;
}

describe("library: the last DHCP address kept for INIT-REBOOT", function () {
  this.timeout(120000);
  const tmp: string[] = [];
  const mk = (prefix: string): string => { const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix)); tmp.push(d); return d; };
  after(() => { for (const d of tmp) fs.rmSync(d, { recursive: true, force: true }); });

  async function boot(appFile: string, storage: string): Promise<string> {
    const lines: string[] = [];
    let sim: Sim | null = null;
    try {
      sim = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app: appFile, port: 0, storage, out: (l) => lines.push(l), onFatal: (m) => lines.push("FATAL " + m) });
      await sim.ready;
      for (let t = Date.now(); !lines.some((l) => /^lease: /.test(l)) && Date.now() - t < 15000;) await new Promise((r) => setTimeout(r, 50));
      const l = lines.find((x) => /^lease: /.test(x));
      assert.ok(l, lines.join("\n"));
      assert.ok(!lines.some((x) => /FATAL|Uncaught/.test(x)), lines.join("\n"));
      return l!;
    } finally {
      if (sim) await sim.close();
    }
  }

  it("is written at the lease, asked for again at the next start (no DISCOVER)", async () => {
    const dir = mk("lease-");
    const file = path.join(dir, "app.js");
    fs.writeFileSync(file, app(""));
    const storage = mk("lease-storage-");
    const first = await boot(file, storage);
    assert.match(first, /^lease: 192\.0\.2\.\d+ dns undefined sent \d+ offers 1 reboots 0 acks 1$/);
    const ip = /^lease: (\S+)/.exec(first)![1];
    assert.equal(fs.readFileSync(path.join(storage, "enc-lease"), "latin1"), ip);
    const written = fs.statSync(path.join(storage, "enc-lease")).mtimeMs;
    const second = await boot(file, storage);
    assert.match(second, new RegExp("^lease: " + ip.replace(/\./g, "\\.") + " dns undefined sent \\d+ offers 0 reboots 1 acks 1$"), "INIT-REBOOT: " + second);
    assert.equal(fs.statSync(path.join(storage, "enc-lease")).mtimeMs, written, "not written again for the same address");
    // a kept address that is not an address is ignored: DHCP from the start
    fs.writeFileSync(path.join(storage, "enc-lease"), "not an address");
    assert.match(await boot(file, storage), /offers 1 reboots 0 acks 1$/);
  });

  it("{ lease: false } keeps nothing in Storage", async () => {
    const dir = mk("lease-off-");
    const file = path.join(dir, "app.js");
    fs.writeFileSync(file, app(", lease: false"));
    const storage = mk("lease-storage-");
    assert.match(await boot(file, storage), /offers 1 reboots 0 acks 1$/);
    assert.ok(!fs.existsSync(path.join(storage, "enc-lease")));
  });

  it("eth.stop() (the stop piece) gives the lease back with a DHCPRELEASE and drops the address; setIP() starts again", async () => {
    const dir = mk("stop-");
    const file = path.join(dir, "app.js");
    fs.writeFileSync(file, `var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27, lease: false });
var stopped = false;
eth.on("ip", function (i) {
  if (stopped && i.ip === "0.0.0.0") {
    console.log("stopped: " + i.dhcp + " releases " + eth.stack.counters.dhcp.releases);
    stopped = false;
    eth.setIP(function (err, ip) { console.log("lease: " + (err ? "none" : ip.ip + " again")); });
  }
});
eth.setIP(function (err, ip) {
  if (err) return console.log("lease: none");
  console.log("bound " + ip.ip);
  stopped = true;
  eth.stop();
});
`);
    const storage = mk("stop-storage-");
    const lines: string[] = [];
    const release: string[] = [];
    let sim: Sim | null = null;
    try {
      sim = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app: file, port: 0, storage, out: (l) => lines.push(l), onFatal: (m) => lines.push("FATAL " + m) });
      // a DHCPRELEASE from the device: UDP 68 -> 67, option 53 (message type) = 7
      sim.wire.observe((f, fromDevice) => {
        if (fromDevice && f.length > 282 && f[23] === 17 && ((f[36] << 8) | f[37]) === 67 && f[282] === 53 && f[284] === 7) release.push(f.subarray(30, 34).join("."));
      });
      await sim.ready;
      for (let t = Date.now(); !lines.some((l) => /^lease: /.test(l)) && Date.now() - t < 20000;) await new Promise((r) => setTimeout(r, 50));
      assert.ok(!lines.some((x) => /FATAL|Uncaught/.test(x)), lines.join("\n"));
      const bound = /^bound (\S+)/.exec(lines.find((l) => /^bound /.test(l)) || "");
      assert.ok(bound, lines.join("\n"));
      assert.ok(lines.includes("stopped: stopped releases 1"), lines.join("\n"));
      assert.deepEqual(release, [bound![1].split(".").slice(0, 3).join(".") + ".1"], "one DHCPRELEASE, unicast to the server");
      assert.ok(lines.includes("lease: " + bound![1] + " again"), lines.join("\n"));
    } finally {
      if (sim) await sim.close();
    }
  });
});
