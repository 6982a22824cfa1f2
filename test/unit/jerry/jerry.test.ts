// The Kaluma bundles (dist/kaluma/kaluma-pico*.js) on a Kaluma-shaped API double backed by the
// ENC28J60 emulator, serving the page and the API to a peer (test/unit/jerry/scenario.ts).
// On Node always; on JerryScript's desktop engine when JERRY=/path/to/jerry is set (a JerryScript
// 3.0 build with Kaluma's configuration, see README "Kaluma"): there every frame on the wire, in
// both directions, must be exactly what the same run prints on Node.
import { strict as assert } from "assert";
import * as fs from "fs";
import { checkSource, KALUMA_MODULES } from "../../../tools/gate";
import { prepare, prepareReplay, runNode, runJerry, jerryBinaries, bundlePath, heapOf } from "./jerry-run";

/** Below this heap the emulator and the peer do not fit next to the device: the run is replayed. */
const WORLD_HEAP = 300 * 1024;

const BOARDS = ["kaluma-pico", "kaluma-pico2"];

describe("Kaluma bundles on the Kaluma double (Node)", function () {
  this.timeout(120000);
  for (const board of BOARDS) {
    it(`${board}: boots by DHCP and serves the page, gzip, the API, 404 and a close`, function () {
      if (!fs.existsSync(bundlePath(board))) this.skip();
      const r = runNode(prepare({ board, mode: "wire" }));
      assert.ok(r.ok, r.error);
      const said = r.lines.filter((l) => !/^[<>] /.test(l));
      assert.match(said[0], new RegExp(`^enc28j60: ${board} up, DHCP`));
      const http = said.filter((l) => l.startsWith("HTTP "));
      assert.equal(http.length, 6, said.join("\n"));
      assert.match(http[0], /^HTTP HTTP\/1\.1 200 OK \| 6\d\d\d bytes/);
      assert.match(http[1], /^HTTP HTTP\/1\.1 200 OK \| 2\d\d\d bytes/);
      assert.match(http[2], /^HTTP HTTP\/1\.1 200 OK \| \d+ bytes/);
      assert.match(http[3], /^HTTP HTTP\/1\.1 200 /, "POST /api/led on=1");
      assert.ok(said.indexOf("LED pin 1") >= 0, "the LED's GPIO is high");
      assert.match(http[4], /^HTTP HTTP\/1\.1 404 /);
      assert.match(said[said.length - 1], /^DONE wire: device 192\.0\.2\.100/);
      assert.ok(r.lines.filter((l) => /^[<>] /.test(l)).length > 40);
    });
  }
});

describe("Kaluma bundles on a real JerryScript engine (JERRY=...)", function () {
  this.timeout(900000);
  const bins = jerryBinaries();
  before(function () {
    if (!bins.length) {
      console.log("      skipped: set JERRY=/path/to/jerry (JerryScript 3.0, Kaluma's build options; README \"Kaluma\") to run the bundles on JerryScript");
      this.skip();
    }
  });
  for (const bin of bins.length ? bins : ["(JERRY not set)"]) {
    for (const board of BOARDS) {
      it(`${board} on ${bin}: the same bytes on the wire as on Node (emulator and peer inside jerry)`, function () {
        if (!fs.existsSync(bundlePath(board))) this.skip();
        const heap = heapOf(bin);
        if (heap < WORLD_HEAP) {
          console.log(`      skipped: ${Math.round(heap / 1024)} KB heap: the emulator and the peer (about 150 KB) do not fit next to the device; the replay below runs instead`);
          this.skip();
        }
        const scripts = prepare({ board, mode: "wire" });
        const node = runNode(scripts);
        assert.ok(node.ok, node.error);
        const jerry = runJerry(bin, scripts);
        assert.ok(jerry.ok, `${bin} (${Math.round(heap / 1024)} KB heap): ${jerry.error}\n${jerry.lines.slice(-5).join("\n")}`);
        assert.equal(jerry.lines.length, node.lines.length, "as many lines as on Node");
        for (let i = 0; i < node.lines.length; i++) assert.equal(jerry.lines[i], node.lines[i], `line ${i + 1} differs`);
      });
      it(`${board} on ${bin}: replaying the device's view of a Node run (DHCP, gzip page, API, close), it sends the same frames and SPI bytes`, function () {
        if (!fs.existsSync(bundlePath(board))) this.skip();
        const heap = heapOf(bin);
        if (board === "kaluma-pico2" && heap < WORLD_HEAP) {
          console.log(`      skipped: kaluma-pico2 is configured for Kaluma 1.3's 384 KB heap, this build has ${Math.round(heap / 1024)} KB`);
          this.skip();
        }
        const { record, scripts } = prepareReplay({ board, mode: "trace" });
        assert.ok(record.ok, record.error);
        assert.match(record.lines[record.lines.length - 1], /^DONE trace: mosi [0-9a-f]+, miso \d+/);
        assert.ok(record.lines.filter((l) => l.startsWith("> ")).length > 10, "the device sent frames");
        const jerry = runJerry(bin, scripts);
        assert.ok(jerry.ok, `${bin} (${Math.round(heap / 1024)} KB heap): ${jerry.error}\n${jerry.lines.slice(-5).join("\n")}`);
        assert.equal(jerry.lines.length, record.lines.length, "as many lines as the recording run");
        for (let i = 0; i < record.lines.length; i++) assert.equal(jerry.lines[i], record.lines[i], `line ${i + 1} differs`);
      });
    }
  }
});

describe("Kaluma bundles pass the gate", () => {
  for (const board of BOARDS) {
    it(`dist/kaluma/${board}.js: ES5 the gate accepts, requiring only Kaluma's spi, storage and fs`, function () {
      if (!fs.existsSync(bundlePath(board))) this.skip();
      const code = fs.readFileSync(bundlePath(board), "utf8");
      assert.deepEqual(checkSource(code, board, { modules: KALUMA_MODULES }).map((f) => `${f.line}:${f.column} ${f.construct}`), []);
      const required = (code.match(/\brequire\("[^"]*"\)/g) || []).map((r) => r.slice(9, -2)).sort();
      assert.deepEqual(Array.from(new Set(required)), ["fs", "spi", "storage"]);
      // the Espruino-only module would fail on Kaluma
      assert.ok(!/require\("Storage"\)/.test(code));
    });
  }
});
