// The make targets a newcomer types: `make run` builds incrementally (nothing when nothing
// changed), `make flash` checks BOARD and PORT before building anything, `make run BOARD=<b>`
// without a board says it simulates that board's configuration. Run in the tree itself; every
// make is bounded in time.

import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";

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
