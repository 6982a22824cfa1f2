// The simulated board as a newcomer drives it: the sim as a process (what `make run` starts), its
// console on stdin, signals, and real sockets on 127.0.0.1 through the gateway. Every wait is
// bounded; the sim is killed by pid at the end.

import { strict as assert } from "assert";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { spawn, spawnSync, ChildProcess } from "child_process";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const CLI = path.join(ROOT, "build", "sim", "cli.js");
const BUNDLE = path.join(ROOT, "dist", "sim.js");

interface SimProc { proc: ChildProcess; out(): string; port: number; send(line: string): void; since(mark: number, re: RegExp, ms: number): Promise<RegExpMatchArray>; mark(): number }

function waitOut(proc: ChildProcess, get: () => string, from: number, re: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = get().slice(from).match(re);
      if (m) { done(); resolve(m); return true; }
      return false;
    };
    const onData = (): void => { check(); };
    const onExit = (): void => { if (!check()) { done(); reject(new Error("the sim exited before printing " + re + ":\n" + get())); } };
    const t = setTimeout(() => { done(); reject(new Error("timed out (" + ms + " ms) waiting for " + re + ":\n" + get())); }, ms);
    const done = (): void => { clearTimeout(t); proc.stdout!.off("data", onData); proc.stderr!.off("data", onData); proc.off("exit", onExit); };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.on("exit", onExit);
    check();
  });
}

async function startSimProc(args: string[] = []): Promise<SimProc> {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), "encsim-proc-"));
  const proc = spawn(process.execPath, [CLI, "--port", "0", "--bundle", BUNDLE, "--storage", storage, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let text = "";
  proc.stdout!.on("data", (d: Buffer) => { text += d.toString(); });
  proc.stderr!.on("data", (d: Buffer) => { text += d.toString(); });
  proc.on("exit", () => fs.rmSync(storage, { recursive: true, force: true }));
  const m = await waitOut(proc, () => text, 0, /sim: open http:\/\/127\.0\.0\.1:(\d+)\//, 30000);
  await waitOut(proc, () => text, 0, /sim: device address \S+ \(dhcp\)/, 30000);
  return {
    proc, port: Number(m[1]), out: () => text,
    send: (line) => { proc.stdin!.write(line + "\n"); },
    mark: () => text.length,
    since: (mark, re, ms) => waitOut(proc, () => text, mark, re, ms),
  };
}

async function stopSim(s: SimProc | null): Promise<void> {
  if (!s || s.proc.exitCode !== null || s.proc.signalCode !== null || !s.proc.pid) return;
  const gone = new Promise((r) => { const t = setTimeout(r, 5000); s.proc.once("exit", () => { clearTimeout(t); r(null); }); });
  s.proc.kill("SIGTERM");
  await gone;
  if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill("SIGKILL");
}

/** One raw HTTP exchange: sends `request`, optionally half-closes at once, collects until the server closes. */
function exchange(port: number, request: string, halfClose: boolean, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    let got = "";
    const t = setTimeout(() => { sock.destroy(); reject(new Error("no end of the answer within " + ms + " ms; got " + JSON.stringify(got.slice(0, 200)))); }, ms);
    sock.setEncoding("latin1");
    sock.on("connect", () => { sock.write(request); if (halfClose) sock.end(); });
    sock.on("data", (d: string) => { got += d; });
    sock.on("end", () => { if (!halfClose) sock.end(); });
    sock.on("close", () => { clearTimeout(t); resolve(got); });
    sock.on("error", (e) => { clearTimeout(t); reject(e); });
  });
}

describe("sim as a process: console, signals, gateway", function () {
  this.timeout(120000);
  let sim: SimProc | null = null;

  before(function () {
    if (!fs.existsSync(CLI) || !fs.existsSync(BUNDLE)) {
      if (process.env.CI === "true") throw new Error("missing " + CLI + " or " + BUNDLE + " (make bundle-all)");
      this.skip();
    }
  });
  after(async () => { await stopSim(sim); });

  it("a mistake in a console callback is printed (Uncaught ...) and the board runs on", async () => {
    sim = await startSimProc();
    let m = sim.mark();
    sim.send("setTimeout(function(){ nope(); }, 10)");
    await sim.since(m, /Uncaught ReferenceError: nope is not defined/, 10000);
    m = sim.mark();
    sim.send("setTimeout(function(){ Buffer.from('x'); }, 10)");   // Node-only, but typed by a user
    await sim.since(m, /Uncaught ReferenceError: Buffer is not defined/, 10000);
    m = sim.mark();
    sim.send("1 + 1");
    await sim.since(m, /^=2$/m, 10000);
    assert.equal(sim.proc.exitCode, null, "still running");
    assert.doesNotMatch(sim.out(), /fatal/);
    const page = await exchange(sim.port, "GET / HTTP/1.0\r\n\r\n", false, 15000);
    assert.match(page, /^HTTP\/1\.[01] 200 /);
  });

  it("the console runs a line as Espruino does: `1+` is an error, not glued to the next line; `device` is a short summary", async () => {
    let m = sim!.mark();
    sim!.send("1+");
    sim!.send("2");
    await sim!.since(m, /^=2$/m, 10000);
    assert.match(sim!.out().slice(m), /Uncaught SyntaxError/);
    m = sim!.mark();
    sim!.send("(function () {");
    sim!.send("  return 40 + 2;");
    sim!.send("})()");
    await sim!.since(m, /^=42$/m, 10000);
    m = sim!.mark();
    sim!.send("device");
    const s = await sim!.since(m, /^=\{[\s\S]*?\n\}.*$/m, 10000);
    assert.ok(s[0].split("\n").length < 30, "a summary, not a dump:\n" + s[0]);
    assert.match(s[0], /status: function/);
    assert.doesNotMatch(s[0], /Uint8Array\(\[/);
  });

  it("says why a console connection ended: refused", async () => {
    const m = sim!.mark();
    sim!.send('device.connect("192.0.2.1", 5000)');
    await sim!.since(m, /^conn \d+ refused$/m, 15000);
  });

  it("Ctrl-C (SIGINT) interrupts a busy loop typed on the console; the page answers again", async () => {
    let m = sim!.mark();
    sim!.send("for (;;) {}");
    await new Promise((r) => setTimeout(r, 500));
    sim!.proc.kill("SIGINT");
    await sim!.since(m, /^Execution Interrupted$/m, 10000);
    m = sim!.mark();
    sim!.send("2 + 2");
    await sim!.since(m, /^=4$/m, 10000);
    const page = await exchange(sim!.port, "GET /api/status HTTP/1.0\r\n\r\n", false, 15000);
    assert.match(page, /^HTTP\/1\.[01] 200 /);
  });

  it("a callback made on the console that never returns is interrupted after the bound; the device goes on", async () => {
    let m = sim!.mark();
    sim!.send("var iv = setInterval(function(){ for (;;) {} }, 50)");
    await sim!.since(m, /Execution Interrupted: a callback ran longer than \d+ ms/, 15000);
    await sim!.since(m, /\(interval \d+ cleared\)/, 5000);
    m = sim!.mark();
    sim!.send("3 + 3");
    await sim!.since(m, /^=6$/m, 10000);
    const page = await exchange(sim!.port, "GET /api/status HTTP/1.0\r\n\r\n", false, 15000);
    assert.match(page, /^HTTP\/1\.[01] 200 /);
  });

  it("a route handler registered on the console that never returns: the bound or Ctrl-C interrupts it, that request gets 500, the device goes on", async () => {
    let m = sim!.mark();
    sim!.send('device.http.route("/spin", "GET", function (req, res) { for (;;) {} })');
    sim!.send('device.http.route("/fine", "GET", function (req, res) { res.send(200, "text/plain", "fine " + req.path()); })');
    await sim!.since(m, /^=undefined$[\s\S]*^=undefined$/m, 10000);
    // the bound
    let t0 = Date.now();
    let got = await exchange(sim!.port, "GET /spin HTTP/1.0\r\n\r\n", false, 20000);
    assert.match(got, /^HTTP\/1\.[01] 500 /, got);
    assert.ok(Date.now() - t0 >= 1900, "answered after the bound, not before: " + (Date.now() - t0) + " ms");
    await sim!.since(m, /^Execution Interrupted: a function made on the console, called by the firmware, ran longer than \d+ ms$/m, 5000);
    // Ctrl-C, twice: each request gets its 500 at once
    for (let i = 0; i < 2; i++) {
      m = sim!.mark();
      t0 = Date.now();
      const answer = exchange(sim!.port, "GET /spin HTTP/1.1\r\nHost: x\r\n\r\n", false, 20000);
      await new Promise((r) => setTimeout(r, 500));
      sim!.proc.kill("SIGINT");
      got = await answer;
      assert.match(got, /^HTTP\/1\.[01] 500 /, got);
      assert.ok(Date.now() - t0 < 1800, "Ctrl-C, not the bound: " + (Date.now() - t0) + " ms");
      await sim!.since(m, /^Execution Interrupted \(Ctrl-C\)$/m, 5000);
    }
    assert.equal(sim!.proc.exitCode, null, "still running");
    // no slot or response state lost: more requests than the device has slots, one at a time, and a few at once
    for (let i = 0; i < 10; i++) assert.match(await exchange(sim!.port, "GET /fine HTTP/1.0\r\n\r\n", false, 15000), /^HTTP\/1\.[01] 200 [\s\S]*\r\n\r\nfine \/fine$/);
    const many = await Promise.all(Array.from({ length: 6 }, () => exchange(sim!.port, "GET /api/status HTTP/1.0\r\n\r\n", false, 20000)));
    for (const a of many) assert.match(a, /^HTTP\/1\.[01] 200 /);
    m = sim!.mark();
    sim!.send("5 + 5");
    await sim!.since(m, /^=10$/m, 10000);
  });

  it("answers a request whose client half-closes at once (printf ... | nc -N)", async () => {
    for (let i = 0; i < 3; i++) {
      const got = await exchange(sim!.port, "GET / HTTP/1.0\r\n\r\n", true, 15000);
      assert.match(got, /^HTTP\/1\.[01] 200 /, "attempt " + i + ": " + JSON.stringify(got.slice(0, 100)));
      assert.match(got, /<html/i);
    }
  });

  it("every one of 20 simultaneous connections gets a response: 200, or 503 with Retry-After; never an empty close", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () =>
      exchange(sim!.port, "GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false, 40000)));
    let ok = 0;
    for (const a of answers) {
      assert.ok(a.length > 0, "an empty close");
      const st = /^HTTP\/1\.[01] (\d{3}) /.exec(a);
      assert.ok(st, "not an HTTP response: " + JSON.stringify(a.slice(0, 80)));
      if (st![1] === "200") ok++;
      else { assert.equal(st![1], "503"); assert.match(a, /\r\nRetry-After: \d+\r\n/i); }
    }
    assert.ok(ok >= 7, ok + " of 20 got 200");
  });

  it("ab -k -n 300 -c 20 as ab does it (idle keep-alive connections held open): every answer complete, no connection closed under a client", async () => {
    // ab starts requests while fewer than n are started and keeps a finished keep-alive connection
    // open and idle; a server closing such a connection counts as a "Length" failure in ab 2.3.
    // The gateway lets an idle connection's device slot go to the ones waiting and keeps the
    // client's connection open, so nobody waits for the device's 5 s keep-alive idle close.
    const total = 300, conc = 20;
    let started = 0, done = 0;
    const problems: string[] = [];
    const socks: net.Socket[] = [];
    const t0 = Date.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("not done in 30 s: " + done + " answers; " + problems.join("; "))), 30000);
      const finish = (): void => { clearTimeout(timer); resolve(); };
      for (let i = 0; i < conc; i++) {
        const sock = net.connect(sim!.port, "127.0.0.1");
        socks.push(sock);
        let buf = Buffer.alloc(0);
        let waiting = false;
        const send = (): void => {
          if (started >= total) return;
          started++;
          waiting = true;
          sock.write("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: 127.0.0.1\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n");
        };
        sock.on("connect", send);
        sock.on("data", (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          const he = buf.indexOf("\r\n\r\n");
          if (he < 0) return;
          const head = buf.subarray(0, he).toString("latin1");
          const len = Number((/\r\nContent-Length: (\d+)/i.exec(head) || [])[1]);
          if (!(len >= 0)) { problems.push("no length: " + head); return; }
          if (buf.length - he - 4 < len) return;
          if (buf.length - he - 4 > len) problems.push("more bytes than the length");
          if (!/^HTTP\/1\.[01] 200 /.test(head)) problems.push(head.split("\r\n")[0]);
          if (!/keep-alive/i.test(head)) problems.push("not kept alive");
          buf = Buffer.alloc(0);
          waiting = false;
          if (++done === total) finish(); else send();
        });
        sock.on("close", () => { if (done < total) problems.push("closed by the server " + (waiting ? "with a request unanswered (" + buf.length + " bytes of it)" : "while idle")); });
        sock.on("error", (e) => problems.push(e.message));
      }
    }).finally(() => { for (const x of socks) x.destroy(); });
    assert.deepEqual(problems, []);
    assert.equal(done, total);
    assert.ok(Date.now() - t0 < 20000, (Date.now() - t0) + " ms");
  });

  it("a keep-alive connection reused as the device closes it for idleness (5 s) still gets its answer", async function () {
    // the device closes a keep-alive connection idle for 5 s; a client's next request crossing
    // that close is sent again on a new device connection, and an idle client connection is kept
    const one = (delay: number): Promise<string> => new Promise((resolve) => {
      const sock = net.connect(sim!.port, "127.0.0.1");
      let buf = "", n = 0;
      const statuses: string[] = [];
      const ask = (): void => { sock.write("GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n"); };
      sock.setEncoding("latin1");
      sock.on("connect", ask);
      sock.on("data", (d: string) => {
        buf += d;
        const he = buf.indexOf("\r\n\r\n");
        if (he < 0) return;
        const len = Number((/\r\nContent-Length: (\d+)/i.exec(buf.slice(0, he)) || [])[1]);
        if (buf.length < he + 4 + len) return;
        statuses.push(buf.slice(9, 12));
        buf = "";
        if (++n === 1) setTimeout(ask, delay); else sock.end();
      });
      sock.on("close", () => resolve(delay + " ms: " + statuses.join(",") + (n < 2 ? " closed after " + n + " answers" : "")));
      sock.on("error", () => { /* close follows */ });
    });
    const delays = [4900, 4960, 5000, 5040, 5080, 5120, 5200];   // (7: each its own device connection)
    const got = await Promise.all(delays.map(one));
    assert.deepEqual(got, delays.map((d) => d + " ms: 200,200"));
  });

  it("the page: labelled name field, an icon (no /favicon.ico 404), plain drop names; settings say what is wrong", async () => {
    const page = await exchange(sim!.port, "GET / HTTP/1.0\r\n\r\n", false, 15000);
    assert.match(page, /<label for="nm">/);
    assert.match(page, /<link rel="icon" href="data:/);
    assert.match(page, /SynFull:'refused: all slots busy'/);
    assert.match(page, /the device is offline/, "the LED toggle says why it did nothing");
    const post = (type: string, body: string): Promise<string> => exchange(sim!.port,
      "POST /api/settings?js=1 HTTP/1.0\r\nContent-Type: " + type + "\r\nContent-Length: " + Buffer.byteLength(body) + "\r\n\r\n" + body, false, 15000);
    assert.match(await post("application/json", "{name:"), /^HTTP\/1\.[01] 400 [\s\S]*"error":"invalid JSON"/);
    assert.match(await post("application/x-www-form-urlencoded", "name=%E2%98%95"), /^HTTP\/1\.[01] 400 [\s\S]*cannot store \(Latin-1 only\)/);
    assert.match(await post("application/json", '{"name":"caf\u00e9 \u2615"}'), /^HTTP\/1\.[01] 400 [\s\S]*cannot store/);
    assert.match(await post("application/x-www-form-urlencoded", "name=why%3F"), /^HTTP\/1\.[01] 200 [\s\S]*"name":"why\?"/);
    assert.match(await post("application/x-www-form-urlencoded", "name=caf%C3%A9"), /^HTTP\/1\.[01] 200 /);
  });

  it("SIGTERM ends the sim even while a console line never returns", async () => {
    sim!.send("for (;;) {}");
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    const exited = new Promise<void>((r) => sim!.proc.once("exit", () => r()));
    sim!.proc.kill("SIGTERM");
    await Promise.race([exited, new Promise((_r, j) => setTimeout(() => j(new Error("the sim ignored SIGTERM")), 5000))]);
    assert.ok(Date.now() - t0 < 5000);
  });

  it("SIGTERM when idle: clean exit 0 with the wire summary", async () => {
    sim = await startSimProc();
    const code = await new Promise<number | null>((r) => { sim!.proc.once("exit", (c) => r(c)); sim!.proc.kill("SIGTERM"); });
    assert.equal(code, 0);
    assert.match(sim.out(), /sim: wire: \d+ frames to the device/);
  });

  it("SIGTERM ends the sim at once while a route handler from the console spins (before its bound)", async () => {
    await stopSim(sim);
    sim = await startSimProc();
    const m = sim.mark();
    sim.send('device.http.route("/spin", "GET", function (req, res) { for (;;) {} })');
    await sim.since(m, /^=undefined$/m, 10000);
    exchange(sim.port, "GET /spin HTTP/1.0\r\n\r\n", false, 20000).catch(() => { /* the sim goes away */ });
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    const exited = new Promise<void>((r) => sim!.proc.once("exit", () => r()));
    sim.proc.kill("SIGTERM");
    await Promise.race([exited, new Promise((_r, j) => setTimeout(() => j(new Error("the sim did not end within 1 s of SIGTERM")), 1000))]);
    assert.ok(Date.now() - t0 < 1000);
    assert.doesNotMatch(sim.out(), /Execution Interrupted/, "ended by the signal, not after the bound");
  });

  it("on a terminal (a pty from script(1)): Up recalls a line, Ctrl-C interrupts a line or a callback, Ctrl-C on an empty line exits 0", async function () {
    if (spawnSync("script", ["--version"]).status !== 0) this.skip();
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "encsim-pty-"));
    // exec: script(1) runs the line with $SHELL -c; a shell left waiting in the pty's process group
    // would itself die of the Ctrl-C that node handles (dash does, e.g. with SHELL=/bin/sh in CI)
    const cmd = "exec " + [process.execPath, CLI, "--port", "0", "--bundle", BUNDLE, "--storage", storage].map((a) => "'" + a + "'").join(" ");
    const proc = spawn("script", ["-qfec", cmd, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    let text = "";
    proc.stdout!.on("data", (d: Buffer) => { text += d.toString(); });
    proc.stderr!.on("data", (d: Buffer) => { text += d.toString(); });
    const exited = new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
    const wait = (from: number, re: RegExp, ms: number) => waitOut(proc, () => text, from, re, ms);
    try {
      await wait(0, /sim: open http/, 30000);
      let m = text.length;
      proc.stdin!.write("6*7\r");
      await wait(m, /=42/, 10000);
      m = text.length;
      proc.stdin!.write("\x1b[A\r");                       // Up arrow, Enter: the same line again
      await wait(m, /=42/, 10000);
      assert.doesNotMatch(text, /SyntaxError/);
      m = text.length;
      proc.stdin!.write("setTimeout(function(){ for (;;) {} }, 10)\r");
      await wait(m, /=\d+/, 10000);
      await new Promise((r) => setTimeout(r, 500));
      proc.stdin!.write("\x03");                             // Ctrl-C while the callback runs
      await wait(m, /Execution Interrupted \(Ctrl-C\)/, 1500);
      m = text.length;
      proc.stdin!.write("for (;;) {}\r");
      await new Promise((r) => setTimeout(r, 500));
      proc.stdin!.write("\x03");                             // Ctrl-C while the line runs
      await wait(m, /Execution Interrupted/, 5000);
      m = text.length;
      proc.stdin!.write("2+2\r");
      await wait(m, /=4/, 10000);
      proc.stdin!.write("\x03");                             // Ctrl-C on an empty line: exit
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("still running"), 10000))]);
      assert.equal(code, 0, text);
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });

  it("a port in use: says which option changes it", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = spawnSync(process.execPath, [CLI, "--port", String(port), "--bundle", BUNDLE, "--storage", fs.mkdtempSync(path.join(os.tmpdir(), "encsim-busy-"))],
        { encoding: "utf8", timeout: 30000, input: "" });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp("port 127\\.0\\.0\\.1:" + port + " is already in use .*--port N \\(make run SIM_ARGS=\"--port 8081\""));
    } finally {
      blocker.close();
    }
  });

  it("--help describes every option with its default", () => {
    const r = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8", timeout: 20000 });
    assert.equal(r.status, 0);
    for (const o of ["--port N", "--board NAME", "--ip", "--slots N", "--storage DIR", "--tap IFNAME", "--exit-on-eof"]) assert.ok(r.stdout.includes(o), o);
    assert.match(r.stdout, /--port N\s+gateway port on 127\.0\.0\.1 \(default 8080/);
    assert.match(r.stdout, /SIM_ARGS=/);
    assert.match(r.stdout, /boards: .*esp32.*pico/);
  });

  it("--board esp32: the esp32's name and slots on the sim, said at start and served on the page", async () => {
    await stopSim(sim);
    sim = await startSimProc(["--board", "esp32"]);
    assert.match(sim.out(), /sim: simulating the esp32 board's configuration \(its name and 12 TCP slots\)/);
    const st = await exchange(sim.port, "GET /api/status HTTP/1.0\r\n\r\n", false, 15000);
    assert.match(st, /"board":"esp32"/);
    const bad = spawnSync(process.execPath, [CLI, "--board", "esp23", "--port", "0"], { encoding: "utf8", timeout: 20000, input: "" });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown board 'esp23'; boards: .*esp32/);
  });
});
