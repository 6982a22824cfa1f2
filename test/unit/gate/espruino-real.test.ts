// Runs the emitted bundles on a real Espruino interpreter, when the user has one:
//   ESPRUINO=/path/to/espruino make test
// (Espruino's Linux build; not installed or built by this project.) On Linux, SPI1.send is a
// stub that answers 0xFF, so a bundle that loads and runs correctly gets exactly as far as
// the driver's chip check and stops with its clear error: anything else (a SyntaxError, a
// ReferenceError from missing hoisting, a construct Espruino lacks) fails the test.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const DIST = path.join(ROOT, "dist");
const ESPRUINO = process.env.ESPRUINO;

/** Pin names the boards use that Espruino's Linux build lacks, mapped onto its D pins. */
function pinPrelude(code: string): string {
  const names = new Set<string>();
  for (const m of code.matchAll(/\b([ABC](?:1[0-5]|[0-9]))\b/g)) names.add(m[1]);
  let n = 0;
  return [...names].map((p) => `var ${p}=D${n++ % 32};`).join("");
}

describe("bundles on a real Espruino interpreter (ESPRUINO=...)", function () {
  this.timeout(30000);
  before(function () {
    if (!ESPRUINO) {
      console.log("    (skipped: set ESPRUINO to an Espruino Linux binary to run the bundles on the real interpreter)");
      this.skip();
    }
    if (!fs.existsSync(ESPRUINO)) throw new Error(`ESPRUINO=${ESPRUINO} does not exist`);
  });

  const boards = ["sim", "pico", "espruino-wifi", "nucleo-f401re", "stm32f4discovery", "esp32"];
  for (const board of boards) {
    it(`${board}: loads, starts, and stops only at the driver's chip check`, function () {
      const code = fs.readFileSync(path.join(DIST, `${board}.js`), "utf8");
      const prelude = (board === "sim" ? 'var SIM_CONFIG={ip:"192.0.2.2"};' : "") + pinPrelude(code)
        + "if(typeof getSerial!=='function')getSerial=function(){return '33ffd605-41573033-15720843'};";
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "espruino-")), `${board}.js`);
      fs.writeFileSync(file, prelude + "\n" + code);
      const r = spawnSync(ESPRUINO!, [file], { input: "", timeout: 20000, encoding: "utf8" });
      const out = (r.stdout || "") + (r.stderr || "");
      const errors = out.split("\n").filter((l) => /Uncaught|Error/.test(l) && !/^ERROR: No path defined/.test(l.trim()));
      assert.ok(/ENC28J60: no chip answers on SPI \(EREVID 0xFF\)/.test(out), `expected the chip-check error, got:\n${errors.join("\n") || out.slice(-2000)}`);
      const first = errors.find((l) => /Uncaught/.test(l));
      assert.ok(first && /ENC28J60: no chip answers/.test(first), `first uncaught error should be the chip check, was: ${first}`);
    });
  }
});
