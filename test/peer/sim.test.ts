// The simulated board end to end: the user-space gateway (no root) serving the device's page to
// Node's HTTP client, and the TAP back-end in a test-made namespace (ping, ARP, DHCP from a
// real dnsmasq, the console making the device connect to a listener in the namespace).

import { strict as assert } from "assert";
import * as http from "http";
import * as fs from "fs";
import { spawn, ChildProcess } from "child_process";
import { requirePeerTests, startPeerBench, PeerBench, SIM_CLI, SIM_BUNDLE, DHCP_POOL } from "./lib/netns";

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => { // one connection per request
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (d: string) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode || 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("GET " + url + " timed out after " + timeoutMs + " ms")));
    req.on("error", reject);
  });
}

function waitFor(proc: ChildProcess, getOut: () => string, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = getOut().match(re);
      if (m) { cleanup(); resolve(m); return true; }
      return false;
    };
    const onData = (): void => { check(); };
    const onExit = (): void => { if (!check()) { cleanup(); reject(new Error("the sim exited before printing " + re + ":\n" + getOut())); } };
    const t = setTimeout(() => { cleanup(); reject(new Error("timed out waiting for " + re + ":\n" + getOut())); }, timeoutMs);
    const cleanup = (): void => { clearTimeout(t); proc.stdout!.off("data", onData); proc.off("exit", onExit); };
    proc.stdout!.on("data", onData);
    proc.on("exit", onExit);
    check();
  });
}

describe("simulated board: gateway back-end (make sim)", function () {
  this.timeout(60000);
  let sim: ChildProcess | null = null;
  let out = "";
  const storage = "/tmp/encsim-gw-storage-" + process.pid;

  before(function () {
    const missing = [SIM_CLI, SIM_BUNDLE].filter((f) => !fs.existsSync(f));
    if (missing.length) {
      if (process.env.CI === "true") throw new Error("missing " + missing.join(", ") + " (make build bundle-all)");
      this.skip();
    }
  });
  after(async () => {
    if (sim && sim.exitCode === null && sim.pid) {
      process.kill(sim.pid, "SIGTERM");
      await new Promise((r) => { const t = setTimeout(r, 5000); sim!.once("exit", () => { clearTimeout(t); r(null); }); });
    }
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it("serves the device's page on 127.0.0.1 through the emulated wire, by DHCP, within seconds", async () => {
    // The firmware bundle on the sim (node build/sim/cli.js --bundle dist/sim.js; `make sim` runs the
    // default app, test/peer/browser.test.ts and test/unit/lib/demo.test.ts), on a free port.
    sim = spawn(process.execPath, [SIM_CLI, "--port", "0", "--bundle", SIM_BUNDLE, "--storage", storage], { stdio: ["pipe", "pipe", "pipe"] });
    sim.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    sim.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
    const addr = await waitFor(sim, () => out, /sim: device address (\S+) \(dhcp\)/, 20000);
    assert.equal(addr[1], "192.0.2.2");
    const m = await waitFor(sim, () => out, /sim: open (http:\/\/127\.0\.0\.1:(\d+)\/)/, 5000);
    assert.notEqual(Number(m[2]), 0);
    const res = await httpGet(m[1], 15000);
    assert.equal(res.status, 200, res.body);
    assert.match(String(res.headers["content-type"]), /^text\/html/);
    assert.match(res.body, /<html/i);
    // the console works on the same process
    sim.stdin!.write("1 + 2\n");
    await waitFor(sim, () => out, /^=3$/m, 5000);
    // a 200 KB body through the relay, byte-exact (back-pressure on both TCP legs)
    sim.stdin!.write('device.addTestAsset("/big.bin", 204800)\n');
    await waitFor(sim, () => out, /^=204800$/m, 5000);
    const big = await httpGet(m[1] + "big.bin", 30000);
    assert.equal(big.status, 200);
    assert.equal(big.body.length, 204800);
    let bad = -1;
    for (let i = 0; i < 204800 && bad < 0; i++) if (big.body.charCodeAt(i) !== ((i * 31 + (i >> 8)) & 255)) bad = i;
    assert.equal(bad, -1, "first wrong byte");
    // SIGTERM: clean exit, code 0
    const code = await new Promise<number | null>((r) => { sim!.once("exit", (c) => r(c)); process.kill(sim!.pid!, "SIGTERM"); });
    assert.equal(code, 0);
  });

  it("with 5% seeded loss and a pcap: the page still arrives byte-exact, the capture shows the exchange, frames were lost", async () => {
    const pcap = "/tmp/encsim-gw-" + process.pid + ".pcap";
    const lossy = spawn(process.execPath, [SIM_CLI, "--port", "0", "--bundle", SIM_BUNDLE, "--storage", storage, "--loss", "0.05", "--seed", "7", "--pcap", pcap], { stdio: ["pipe", "pipe", "pipe"] });
    let lout = "";
    lossy.stdout!.on("data", (d: Buffer) => { lout += d.toString(); });
    lossy.stderr!.on("data", (d: Buffer) => { lout += d.toString(); });
    try {
      const m = await waitFor(lossy, () => lout, /sim: open (http:\/\/127\.0\.0\.1:\d+\/)/, 30000);
      const clean = await httpGet(m[1], 30000);
      assert.equal(clean.status, 200);
      for (let i = 0; i < 4; i++) {
        const r = await httpGet(m[1], 30000);
        assert.equal(r.status, 200);
        assert.equal(r.body, clean.body);
      }
      const code = await new Promise<number | null>((r) => { lossy.once("exit", (c) => r(c)); process.kill(lossy.pid!, "SIGTERM"); });
      assert.equal(code, 0);
      const w = /sim: wire: (\d+) frames to the device, (\d+) from it, lost (\d+) to \/ (\d+) from/.exec(lout);
      assert.ok(w, lout);
      assert.ok(Number(w![3]) + Number(w![4]) > 0, "no frame was lost: " + w![0]);
      if (!fs.existsSync("/usr/bin/tshark") && process.env.CI !== "true") return;
      const { execFileSync } = await import("child_process");
      // Five connections from the gateway to the device's port 80 (a lost GET shows up as a
      // TCP retransmission, which tshark does not dissect as HTTP again, so count streams).
      const t = execFileSync("tshark", ["-r", pcap, "-Y", "ip.src == 192.0.2.1 && ip.dst == 192.0.2.2 && tcp.dstport == 80", "-T", "fields", "-e", "tcp.stream"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      assert.equal(new Set(t.trim().split("\n")).size, 5, "TCP streams in the capture: " + t);
    } finally {
      if (lossy.exitCode === null) lossy.kill("SIGKILL");
      fs.rmSync(pcap, { force: true });
    }
  });

  it("exits non-zero with a clear message when the bundle touches a Node global", async () => {
    const bad = "/tmp/encsim-bad-" + process.pid + ".js";
    fs.writeFileSync(bad, "var x = Buffer.from('a');\n");
    try {
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const p = spawn(process.execPath, [SIM_CLI, "--port", "0", "--bundle", bad], { stdio: ["ignore", "pipe", "pipe"] });
        let err = "";
        p.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
        const t = setTimeout(() => p.kill("SIGKILL"), 15000);
        p.on("exit", (code) => { clearTimeout(t); resolve({ code, err }); });
      });
      assert.equal(r.code, 2);
      assert.match(r.err, /sim: the bundle encsim-bad-\d+\.js was rejected, it uses something Espruino does not have .*ReferenceError: Buffer is not defined/);
    } finally {
      fs.rmSync(bad, { force: true });
    }
  });
});

describe("simulated board: TAP back-end in a test-made namespace", function () {
  this.timeout(90000);
  let bench: PeerBench | null = null;

  before(async function () {
    requirePeerTests(this, ["arping", "socat"]);
    bench = await startPeerBench({ name: "sim-tap" });
  });
  after(async () => { if (bench) await bench.stop(); });

  it("answers ping from the kernel", async () => {
    const r = await bench!.run("ping", ["-c", "3", "-i", "0.2", "-W", "2", bench!.deviceIp], { timeoutMs: 15000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /3 packets transmitted, 3 received, 0% packet loss/);
  });

  it("answers ARP with its MAC", async () => {
    const r = await bench!.run("arping", ["-c", "2", "-w", "5", "-I", bench!.tap, bench!.deviceIp], { timeoutMs: 15000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout.toLowerCase(), /02:45:4e:43:00:02/);
  });

  it("console: evaluates an expression and makes the device connect to a listener in the namespace", async () => {
    assert.equal(await bench!.consoleEval("6 * 7"), "42");
    await assert.rejects(bench!.consoleEval("noSuchThing()"), /Uncaught ReferenceError: noSuchThing is not defined/);
    const listener = bench!.spawn("socat", ["-d", "-d", "TCP-LISTEN:5000,bind=192.0.2.1,reuseaddr", "STDOUT"]);
    let log = "";
    listener.stderr!.on("data", (d: Buffer) => { log += d.toString(); });
    const deadline = Date.now() + 5000;
    while (!/listening on/.test(log) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(log, /listening on/);
    const id = await bench!.consoleEval('device.connect("192.0.2.1", 5000)');
    assert.ok(Number(id) >= 0, "connect returned " + id);
    const until = Date.now() + 10000;
    while (!/accepting connection from .*192\.0\.2\.2:\d+/.test(log) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.match(log, /accepting connection from AF=2 192\.0\.2\.2:\d+ on AF=2 192\.0\.2\.1:5000/);
  });
});

describe("simulated board: TAP back-end with DHCP from dnsmasq", function () {
  this.timeout(90000);
  let bench: PeerBench | null = null;

  before(async function () {
    requirePeerTests(this, ["dnsmasq"]);
    bench = await startPeerBench({
      name: "sim-dhcp",
      deviceIp: "dhcp",
      beforeSim: async (_ns, b) => {
        b.spawn("dnsmasq", ["--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=0",
          "--interface=" + b.tap, "--bind-interfaces", "--dhcp-range=" + DHCP_POOL.start + "," + DHCP_POOL.end + ",255.255.255.0,1h",
          "--dhcp-leasefile=/tmp/encsim-dnsmasq-" + process.pid + ".leases", "--pid-file="]);
      },
    });
  });
  after(async () => {
    if (bench) await bench.stop();
    fs.rmSync("/tmp/encsim-dnsmasq-" + process.pid + ".leases", { force: true });
  });

  it("gets an address from the pool, prints it, and answers ping there", async () => {
    const n = Number(bench!.deviceIp.split(".")[3]);
    assert.ok(bench!.deviceIp.startsWith("192.0.2.") && n >= 100 && n <= 150, bench!.deviceIp);
    assert.match(bench!.simOutput(), new RegExp("sim: device address " + bench!.deviceIp.replace(/\./g, "\\.") + " \\(dhcp\\)"));
    const r = await bench!.run("ping", ["-c", "1", "-W", "2", bench!.deviceIp], { timeoutMs: 10000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});
