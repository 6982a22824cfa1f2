// The make targets a newcomer types: `make run` builds incrementally (nothing when nothing
// changed), `make flash` checks BOARD and PORT before building anything, `make run BOARD=<b>`
// without a board says it simulates that board's configuration. Run in the tree itself; every
// make is bounded in time.

import { strict as assert } from "assert";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { spawn, spawnSync } from "child_process";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

function make(args: string[], timeoutMs: number): { status: number | null; out: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync("make", ["--no-print-directory", ...args], { cwd: ROOT, encoding: "utf8", timeout: timeoutMs });
  return { status: r.status, out: (r.stdout || "") + (r.stderr || ""), ms: Date.now() - t0 };
}

function serialDevices(): string[] {
  return fs.readdirSync("/dev").filter((n) => /^tty(ACM|USB)\d+$/.test(n));
}

describe("make: run, sim and flash as a newcomer meets them", function () {
  this.timeout(300000);

  before(function () {
    if (spawnSync("make", ["--version"]).status !== 0 || !fs.existsSync(path.join(ROOT, "Makefile"))) this.skip();
  });

  it("`make sim-build` (what make run / npm run sim build) does nothing the second time, within 3 s", () => {
    const first = make(["sim-build"], 280000);
    assert.equal(first.status, 0, first.out);
    const second = make(["sim-build"], 20000);
    assert.equal(second.status, 0, second.out);
    assert.ok(second.ms < 3000, "second build took " + second.ms + " ms");
    assert.doesNotMatch(second.out, /tsc|bundle\.js|gen-assets/, "nothing rebuilt:\n" + second.out);
    assert.equal(make(["-q", "sim-build"], 20000).status, 0, "up to date");
  });

  it("`make run` on a terminal: Ctrl-C interrupts a line and a console route the firmware runs; the exit after is clean (0, no make Interrupt)", async function () {
    if (spawnSync("script", ["--version"]).status !== 0) this.skip();
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "encsim-make-pty-"));
    // the pty's process group holds script's shell, make, the recipe shells and node, as in a
    // terminal; SHELL=/bin/sh (dash) as in CI. A Ctrl-C that became a SIGINT would reach make.
    const cmd = "make --no-print-directory run SIM_ARGS='--port 0 --storage " + storage + "'";
    const proc = spawn("script", ["-qfec", cmd, "/dev/null"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, SHELL: "/bin/sh" } });
    let text = "";
    proc.stdout!.on("data", (d: Buffer) => { text += d.toString(); });
    proc.stderr!.on("data", (d: Buffer) => { text += d.toString(); });
    const exited = new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
    const wait = (from: number, re: RegExp, ms: number): Promise<RegExpMatchArray> => new Promise((resolve, reject) => {
      const t0 = Date.now();
      const poll = (): void => {
        const m = text.slice(from).match(re);
        if (m) resolve(m);
        else if (Date.now() - t0 > ms || proc.exitCode !== null) reject(new Error("no " + re + " within " + ms + " ms:\n" + text));
        else setTimeout(poll, 50);
      };
      poll();
    });
    try {
      const port = Number((await wait(0, /gateway on 127\.0\.0\.1:(\d+)/, 120000))[1]);
      await wait(0, /sim: open http/, 30000);
      let m = text.length;
      proc.stdin!.write("for (;;) {}\r");
      await new Promise((r) => setTimeout(r, 500));
      proc.stdin!.write("\x03");                              // Ctrl-C while the line runs
      await wait(m, /Execution Interrupted/, 5000);
      m = text.length;
      proc.stdin!.write('srv.get("/spin", function (req, res) { for (;;) {} }) && undefined\r');   // (the default app's server)
      await wait(m, /=undefined/, 10000);
      m = text.length;
      const answer = new Promise<string>((resolve) => {
        const sock = net.connect(port, "127.0.0.1", () => sock.write("GET /spin HTTP/1.0\r\n\r\n"));
        let got = "";
        sock.setTimeout(20000, () => sock.destroy());
        sock.on("data", (d) => { got += d.toString("latin1"); });
        sock.on("close", () => resolve(got));
        sock.on("error", () => resolve(got));
      });
      await new Promise((r) => setTimeout(r, 500));
      proc.stdin!.write("\x03");                              // Ctrl-C while the firmware runs the route
      await wait(m, /Execution Interrupted \(Ctrl-C\)/, 1500);
      assert.match(await answer, /^HTTP\/1\.[01] 500 /);
      m = text.length;
      proc.stdin!.write("2+2\r");
      await wait(m, /=4/, 10000);
      proc.stdin!.write("\x03");                              // Ctrl-C on an empty line: the sim exits, make with it
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("still running"), 15000))]);
      assert.equal(code, 0, text);
      assert.doesNotMatch(text, /\*\*\*|Interrupt\b(?!ed)/, "make saw no interrupt:\n" + text);
    } finally {
      if (proc.exitCode === null && proc.pid) proc.kill("SIGKILL");
      fs.rmSync(storage, { recursive: true, force: true });
    }
  });

  it("`make flash` without PORT says PORT= is required before building anything", () => {
    const r = make(["flash", "BOARD=pico"], 20000);
    assert.equal(r.status, 2, r.out);
    assert.match(r.out, /flash: PORT= is required \(try: make flash BOARD=pico PORT=\/dev\/tty/);
    assert.doesNotMatch(r.out, /usage:|tsc|bundle/);
    assert.ok(r.ms < 5000, r.ms + " ms");
  });

  it("`make flash` with a misspelt board lists the boards; with a missing port says so at once", () => {
    const r = make(["flash", "BOARD=pcio", "PORT=/dev/ttyACM0"], 20000);
    assert.equal(r.status, 2, r.out);
    assert.match(r.out, /flash: unknown board 'pcio'; boards: pico espruino-wifi nucleo-f401re stm32f4discovery esp32/);
    const p = make(["flash", "BOARD=pico", "PORT=/dev/ttyNOSUCH9"], 20000);
    assert.equal(p.status, 2, p.out);
    assert.match(p.out, /serial device \/dev\/ttyNOSUCH9 does not exist/);
    assert.doesNotMatch(p.out, /tsc|bundle/);
    assert.ok(p.ms < 5000, p.ms + " ms");
  });

  it("`make run BOARD=esp32` with no board attached says it simulates the esp32's configuration", function () {
    if (serialDevices().length) this.skip();
    const r = make(["-n", "run", "BOARD=esp32"], 20000);
    assert.match(r.out, /run: no esp32 attached .*simulating the esp32 board's configuration instead/);
    assert.match(r.out, /node build\/sim\/cli\.js --board esp32/);
    const plain = make(["-n", "run"], 20000);
    assert.match(plain.out, /node build\/sim\/cli\.js\s*$/m);
    assert.match(make(["-n", "run", "SIM_ARGS=--port 8081"], 20000).out, /node build\/sim\/cli\.js --port 8081/);
  });
});
