// The HTTP server and the page routes on a real Espruino interpreter (ESPRUINO=/path/to/espruino,
// Espruino's Linux build): test/unit/http/espruino-selftest.js is bundled like a board, run on
// Espruino and in a Node vm with the host shims, and every output line must be identical
// (responses to requests split, pipelined, erroneous, with back-pressure; the status JSON; the
// page decoded through E.toArrayBuffer/atob on Espruino and through the fallbacks in Node).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import { bundleBoard } from "../../../tools/bundle";
import { makeHostE } from "../../../hal/host/espruino-shims";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const ESPRUINO = process.env.ESPRUINO;

describe("http device self-test (bundled like a board; on a real Espruino with ESPRUINO=...)", function () {
  this.timeout(60000);
  const entry = path.join(ROOT, "build", "device", "boards", "_httpselftest.js");
  let outDir = "";
  let file = "";
  let node: string[] = [];

  // Always: the self-test bundles (gate included) and runs in a Node vm with the host shims,
  // so a change to the server's or the page's API breaks `make test` even without ESPRUINO.
  before(async () => {
    fs.writeFileSync(entry, fs.readFileSync(path.join(ROOT, "test", "unit", "http", "espruino-selftest.js"), "utf8"));
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), "http-esp-"));
    file = (await bundleBoard("_httpselftest", outDir)).file;
    const lines: string[] = [];
    vm.runInContext(fs.readFileSync(file, "utf8"), vm.createContext({ E: makeHostE(), print: (s: any) => lines.push(String(s)) }));
    node = lines.filter((l) => l.startsWith("@@"));
  });
  after(() => {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
    fs.rmSync(entry, { force: true });
  });

  it("bundles, passes the gate and runs every case in Node", () => {
    assert.ok(node.length >= 25, "node ran " + node.length + " cases");
    assert.ok(node.some((l) => l.startsWith("@@page0 ") && l.includes('\\"states\\":{')), "the status JSON was printed");
    // traffic and drops from the live counter arrays (named only when non-zero)
    const page0 = node.find((l) => l.startsWith("@@page0 ")) || "";
    assert.ok(page0.includes('\\"traffic\\":[8,9,3,4,5,6,0,'), page0);
    assert.ok(page0.includes('\\"drops\\":{\\"enc.rxOverflows\\":1,\\"eth.dropShort\\":2,\\"tcp.dropNoListener\\":7}'), page0);
  });

  it("answers exactly as in Node on a real Espruino interpreter: server cases and the page's routes", function () {
    if (!ESPRUINO) {
      console.log("    (skipped: set ESPRUINO to an Espruino Linux binary)");
      this.skip();
    }
    if (!fs.existsSync(ESPRUINO!)) throw new Error(`ESPRUINO=${ESPRUINO} does not exist`);
    const r = spawnSync(ESPRUINO!, [file], { encoding: "latin1", timeout: 30000 });
    const esp = r.stdout.split("\n").filter((l) => l.startsWith("@@"));
    assert.equal(esp.length, node.length, "Espruino printed " + esp.length + " lines:\n" + r.stdout.slice(-2000));
    for (let i = 0; i < node.length; i++) {
      const split = (l: string) => { const k = l.indexOf(" "); return [l.slice(0, k), l.slice(k + 1)]; };
      const [ke, ve] = split(esp[i]);
      const [kn, vn] = split(node[i]);
      assert.equal(ke, kn);
      // Espruino's JSON.stringify escapes non-ASCII as \uXXXX, Node's does not: compare values
      assert.equal(JSON.stringify(JSON.parse(ve)), JSON.stringify(JSON.parse(vn)), ke);
    }
  });
});
