// make flash for Kaluma boards (tools/flash-kaluma.ts over the @kaluma/cli tool): the dry run
// drives the real CLI against a stand-in board and checks that the page files and the program
// arrive unchanged; a wrong or missing port is said plainly.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { flashKaluma, planKaluma, bundleFor, KALUMA_CLI } from "../../../tools/flash-kaluma";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const TOOL = path.join(ROOT, "build", "tools", "flash-kaluma.js");

describe("make flash for Kaluma boards (kaluma CLI)", function () {
  this.timeout(120000);
  before(function () {
    if (!fs.existsSync(KALUMA_CLI) || !fs.existsSync(bundleFor("kaluma-pico2"))) this.skip();
  });

  it("plans the page files (gzip first) and then the program", () => {
    const steps = planKaluma("kaluma-pico2", "/dev/ttyACM0");
    assert.deepEqual(steps.map((s) => s.kind + " " + s.dest), ["put /www-index.html.gz", "put /www-index.html", "write (program flash)"]);
    assert.ok(steps.every((s) => s.args.slice(-2).join(" ") === "--port /dev/ttyACM0"));
  });

  it("dry run: the real CLI against a stand-in board writes the program and the page unchanged", async () => {
    const out = path.join(ROOT, "build", "flash", "test-kaluma-serial.bin");
    const r = await flashKaluma("kaluma-pico2", { dryRun: out });
    assert.ok(r.ok, r.message);
    assert.match(r.message, /puts dist\/www\/index\.html\.gz \(\d+ bytes\) as \/www-index\.html\.gz; puts dist\/www\/index\.html .* writes dist\/kaluma\/kaluma-pico2\.js \(\d+ bytes\) to the program flash by YMODEM, then \.load/);
    const sent = fs.readFileSync(out);
    assert.ok(sent.length > fs.statSync(bundleFor("kaluma-pico2")).size, "everything sent is in the file");
    assert.ok(sent.includes(Buffer.from(".flash -w\r")));
  });

  it("a port that is not a Kaluma board's serial port fails with a plain sentence; a missing one at once", () => {
    const bad = spawnSync(process.execPath, [TOOL, "--board", "kaluma-pico2", "--port", "/dev/null", "--timeout-ms", "8000"], { encoding: "utf8", timeout: 60000 });
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /flash: FAILED: (could not use \/dev\/null as the board's serial port|no Kaluma board answered on \/dev\/null|the serialport package's native bindings are not built)/);
    const none = spawnSync(process.execPath, [TOOL, "--board", "kaluma-pico2", "--port", "/dev/ttyNOSUCH9"], { encoding: "utf8", timeout: 20000 });
    assert.equal(none.status, 1);
    assert.match(none.stderr, /serial device \/dev\/ttyNOSUCH9 does not exist/);
    const wrong = spawnSync(process.execPath, [TOOL, "--board", "kaluma-pcio"], { encoding: "utf8", timeout: 20000 });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /unknown Kaluma board 'kaluma-pcio'; boards: kaluma-pico2 kaluma-pico/);
  });
});
