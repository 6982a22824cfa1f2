import { strict as assert } from "assert";
import * as path from "path";
import { spawnSync } from "child_process";
import { parseArgs } from "../../../sim/cli";

const CLI = path.resolve(__dirname, "..", "..", "..", "sim", "cli.js");

describe("sim command line", function () {
  this.timeout(30000);

  it("parses the documented options", () => {
    const o = parseArgs(["--tap", "tap0", "--ip", "192.0.2.2", "--netmask", "255.255.255.0", "--gateway", "192.0.2.1",
      "--mac", "02:00:00:00:00:09", "--port", "0", "--pcap", "x.pcap", "--slots", "6", "--loss", "0.05", "--seed", "11", "--exit-on-eof"]);
    assert.equal(o.tap, "tap0");
    assert.equal(o.ip, "192.0.2.2");
    assert.equal(o.netmask, "255.255.255.0");
    assert.equal(o.gateway, "192.0.2.1");
    assert.equal(o.mac, "02:00:00:00:00:09");
    assert.equal(o.port, 0);
    assert.equal(o.pcap, "x.pcap");
    assert.equal(o.slots, 6);
    assert.equal(o.loss, 0.05);
    assert.equal(o.seed, 11);
    assert.equal(o.exitOnEof, true);
    assert.match(o.bundle, /dist\/sim\.js$/);
  });

  it("refuses bad options with a message and exit code 1", () => {
    assert.throws(() => parseArgs(["--loss", "1.5"]), /--loss must be in \[0, 1\)/);
    assert.throws(() => parseArgs(["--port"]), /option --port needs a value/);
    assert.throws(() => parseArgs(["--frobnicate"]), /unknown option --frobnicate/);
    const r = spawnSync(process.execPath, [CLI, "--slots", "many"], { encoding: "utf8", timeout: 20000 });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "sim: option --slots needs a number\n");
  });

  it("--tap with a device that does not exist: exit 1 and says how to create it (never creates one)", () => {
    const r = spawnSync(process.execPath, [CLI, "--tap", "encsimnotap9", "--ip", "192.0.2.2", "--bundle", __filename], { encoding: "utf8", timeout: 20000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /tap-bridge: no TAP device encsimnotap9 here \(create it first: ip tuntap add dev encsimnotap9 mode tap\)/);
  });
});
