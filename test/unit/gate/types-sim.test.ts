// types/enc28j60.d.ts against the library itself: a TypeScript app that uses every declared name
// of require("ENC28J60") compiles with tools/app-ts.ts, then runs on the simulated board (vm
// engine) over the real module; a declared name the module lacks would throw there. Runs when the
// library module (firmware/lib/eth.ts, `make sim APP=`, issue #16) is in the tree.

import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { compileApp, ROOT } from "../../../tools/app-ts";

/** The sim's wiring (boards/sim.ts); the rest uses every name types/enc28j60.d.ts declares. */
const APP = `const enum Port { HTTP = 80 }
var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27, slots: 3, hostname: "tsapp" });
var said: string[] = [];
eth.on("link", function (up: boolean) { said.push("link " + up); });
eth.on("ip", function (ip) { console.log("ts: ip event " + ip.ip + " " + ip.dhcp); });
eth.setIP(function (err, ip) { console.log(err ? "ts: no address " + err.message : "ts: address " + ip!.ip); });
eth.setHostname("ts-app");
var stopFn: () => void = eth.stop;   // (declared; not called, so the build leaves the stop piece out)
var srv = eth.createServer({ port: Port.HTTP, inBuffers: 2, outBuffers: 2 });
srv.get("/info", function (req, res) {
  var i = eth.getIP(), s = eth.getStatus();
  res.json({ ip: i.ip, subnet: i.subnet, netmask: i.netmask, gateway: i.gateway, mac: i.mac, dhcp: i.dhcp,
    host: eth.getHostname(), link: s.link, slots: s.slots, frames: s.frames.length, port: srv.port });
})
  .get("/q", function (req, res) {
    res.header("X-App", "ts").send(200, "text/plain", req.methodName + " " + req.path() + " n=" + req.query("n") + " v" + req.version);
  })
  .post("/form", function (req, res) { res.json({ v: req.form("v") }, 201); })
  .put("/json", function (req, res) { var b = req.json(); res.json({ got: b && b.a, text: req.text().length }); })
  .del("/json", function (req, res) { res.send(204, "text/plain"); })
  .get("/w", function (req, res) { var w = res.begin(200, "application/json"); w.str("{\\"s\\":").jstr("a\\"b").str(",\\"n\\":").num(42).str("}"); res.end(); })
  .get("/stream", function (req, res) { res.stream(200, "text/plain", 6, function (off, len) { return E.toUint8Array("abcdef".substr(off, len)); }); })
  .prefix("/p/", function (req, res) { res.send(200, "text/plain", "prefix " + req.path()); })
  .asset("/a.txt", "hello", { type: "text/plain" });
eth.service();
`;

function request(port: number, p: string, method = "GET", body?: string, type?: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: p, method, agent: false, timeout: 10000,
      headers: body !== undefined ? { "Content-Type": type || "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) } : {} }, (res) => {
      let b = "";
      res.setEncoding("latin1");
      res.on("data", (d) => (b += d));
      res.on("end", () => resolve({ status: res.statusCode || 0, body: b, headers: res.headers }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

describe("types/enc28j60.d.ts against the library: a TypeScript app using every declared name runs in the sim", function () {
  this.timeout(120000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "types-sim-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("compiles, then serves every route as declared", async () => {
    const ts = path.join(tmp, "app.ts");
    fs.writeFileSync(ts, APP);
    const r = compileApp(ts);
    assert.deepEqual(r.errors, []);
    const app = path.join(tmp, "app.js");
    fs.writeFileSync(app, r.js!);
    // (loaded here: sim/run's app option comes with the library module)
    const { startSim } = require("../../../sim/run");
    const lines: string[] = [];
    const storage = fs.mkdtempSync(path.join(tmp, "storage-"));
    let sim: any = null;
    try {
      sim = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app, port: 0, storage, out: (l: string) => lines.push(l), onFatal: (m: string) => lines.push("FATAL " + m) });
      await sim.ready;
      const all = () => lines.join("\n");
      const info = await request(sim.port, "/info");
      assert.equal(info.status, 200, all());
      const i = JSON.parse(info.body);
      assert.match(i.ip, /^192\.0\.2\.\d+$/);
      assert.equal(i.subnet, i.netmask);
      assert.match(i.gateway, /^\d+\.\d+\.\d+\.\d+$/);
      assert.match(i.mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      assert.equal(i.dhcp, "bound");
      assert.equal(i.host, "ts-app");
      assert.equal(i.link, true);
      assert.equal(i.slots, 3);
      assert.equal(i.frames, 2);
      assert.equal(i.port, 80);
      const q = await request(sim.port, "/q?n=5");
      assert.equal(q.body, "GET /q n=5 v11");
      assert.equal(q.headers["x-app"], "ts");
      const f = await request(sim.port, "/form", "POST", "v=42");
      assert.equal(f.status, 201);
      assert.deepEqual(JSON.parse(f.body), { v: "42" });
      const j = await request(sim.port, "/json", "PUT", '{"a":7}', "application/json");
      assert.deepEqual(JSON.parse(j.body), { got: 7, text: 7 });
      assert.equal((await request(sim.port, "/json", "DELETE")).status, 204);
      assert.deepEqual(JSON.parse((await request(sim.port, "/w")).body), { s: 'a"b', n: 42 });
      assert.equal((await request(sim.port, "/stream")).body, "abcdef");
      assert.equal((await request(sim.port, "/p/x/y")).body, "prefix /p/x/y");
      const a = await request(sim.port, "/a.txt");
      assert.equal(a.body, "hello");
      assert.match(String(a.headers["content-type"]), /text\/plain/);
      assert.ok(lines.some((l) => /^ts: address 192\.0\.2\.\d+$/.test(l)), all());
      assert.ok(lines.some((l) => /^ts: ip event 192\.0\.2\.\d+ bound$/.test(l)), all());
      assert.ok(!lines.some((l) => /FATAL|Uncaught/.test(l)), all());
    } finally {
      if (sim) await sim.close();
    }
  });
});
