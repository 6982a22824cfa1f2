// tools/flash.ts against the real espruino CLI (node_modules/espruino), offline:
//  - dry run (-o): the exact code the CLI would send, replayed against a stand-in Storage;
//  - uploads to fake boards on 127.0.0.1 (the CLI's tcp:// port type): one that answers like
//    Espruino's REPL, one that never answers, one that reports an error;
//  - ports that are missing or do not exist.
// Every run is bounded (the tool's own timeout and mocha's).
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { BOOT_FILE, GUARD_MARK, cliPretokeniser, decodeUpload, flash, loadBoardJson, pagesThatFit, planCli, runCli, failureInLine, pageFilesFor, storedProgram, tokenStream } from "../../../tools/flash";

/**
 * The program goes to flash pretokenised: .bootcde must hold exactly the CLI tokeniser's output
 * for the bundle, which must untokenise to the bundle token for token, and must be smaller than
 * the source whenever the source has a reserved word or operator to tokenise.
 */
function assertStoredProgram(stored: string | undefined, file: string, msg = ".bootcde"): void {
  const code = fs.readFileSync(file, "latin1");
  assert.ok(stored !== undefined, `${msg}: nothing stored`);
  assert.equal(stored, storedProgram(file), `${msg}: not the pretokenised bundle`);
  assert.equal(tokenStream(cliPretokeniser().untokenise(stored!)).join(" "), tokenStream(code).join(" "), `${msg}: does not untokenise to the bundle`);
  if (/\b(var|function|return|print)\b|===/.test(code)) assert.ok(stored!.length < code.length, `${msg}: not pretokenised`);
}
import { writePageFiles, WWW_OUT } from "../../../tools/gen-assets";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const FLASH_JS = path.join(ROOT, "build", "tools", "flash.js");
const BOARDS = ["pico", "espruino-wifi", "nucleo-f401re", "stm32f4discovery", "esp32"];

// A small ES5 program with everything that needs escaping on the way to Storage.
const SAMPLE =
  'var s=require("Storage");function f(a){return a+1}' +
  'var t="quote\\" back\\\\ tab\\t nl\\n \\u00e9 \\x00\\x01";' +
  "var big=[];for(var i=0;i<300;i++)big.push(i*7);setTimeout(function(){print(f(1),t,big.length)},10);\n" +
  // filler so the sample spans several 1 KB Storage chunks
  'var words="' + "lorem ipsum dolor sit amet ".repeat(100) + '";\n';
// Smaller than the CLI's 512-byte write block (the tool must still see the upload finish).
const TINY = 'print("hi");\n';

let tmp: string;
let bundle: string;        // dist/pico.js when it can be built, else the sample
let sample: string;
let www: string;           // the page files, as `make bundle` writes them to dist/www

function noProxyEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of Object.keys(process.env)) if (!/_proxy$/i.test(k)) env[k] = process.env[k];
  return env;
}

/** Runs the flash tool as `make flash` does, bounded; resolves with exit status and output. */
function runTool(args: string[], timeoutMs: number): Promise<{ status: number | null; out: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FLASH_JS, ...args], { cwd: ROOT, env: noProxyEnv() });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, out, ms: Date.now() - t0 });
    });
  });
}

type Reply = (data: string, socket: net.Socket) => void;

/** A fake board on 127.0.0.1: records what it receives, answers with `reply`. */
async function fakeBoard(reply: Reply): Promise<{ port: number; received: () => string; close: () => Promise<void> }> {
  let received = "";
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.setEncoding("latin1");
    s.on("data", (d: string) => {
      received += d;
      reply(d, s);
    });
    s.on("error", () => undefined);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received: () => received,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** Espruino's REPL as the CLI sees it: a prompt after every line. */
const espruinoLike: Reply = (d, s) => {
  const lines = d.split("\n").length - 1;
  for (let i = 0; i < lines; i++) s.write("\r\n>");
};

describe("tools/flash (espruino CLI, offline)", function () {
  this.timeout(120000);

  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flash-test-"));
    sample = path.join(tmp, "sample.js");
    fs.writeFileSync(sample, SAMPLE, "latin1");
    www = path.join(tmp, "www");
    writePageFiles(www);
    const dist = path.join(ROOT, "dist", "pico.js");
    // `make test` bundles every board first; otherwise build it here, once the app exists.
    if (!fs.existsSync(dist) && fs.existsSync(path.join(ROOT, "boards", "start.ts")))
      spawnSync("make", ["bundle", "BOARD=pico"], { cwd: ROOT, timeout: 110000, stdio: "ignore" });
    bundle = fs.existsSync(dist) ? dist : sample;
    if (bundle === sample) console.log("      (dist/pico.js could not be built yet: flash tests use a sample ES5 file)");
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("dry run writes the exact code: the page files into Storage www/*, the bundle into .bootcde, unchanged, then load(.bootcde)", async () => {
    const out = path.join(tmp, "out.js");
    const r = await flash({ board: "pico", file: bundle, dryRun: out, www });
    assert.ok(r.ok, r.message);
    const sent = fs.readFileSync(out, "latin1");
    const code = fs.readFileSync(bundle, "latin1");
    // the page files go first, so the program finds them when it starts
    assert.ok(sent.startsWith(`require("Storage").write("www/`), sent.slice(0, 80));
    assert.ok(sent.lastIndexOf(`require("Storage").write("www/`) < sent.indexOf(`require("Storage").write(${JSON.stringify(BOOT_FILE)},`));
    const chunks = sent.match(/^require\("Storage"\)\.write\("\.bootcde",[^\n]*/gm) || [];
    assert.ok(chunks.length > 1, "written in chunks");
    for (const c of chunks) assert.match(c, /^require\("Storage"\)\.write\("\.bootcde",atob\("[A-Za-z0-9+\/=]+"\),\d+(,\d+)?\)$/, "binary-safe base64 chunks");
    assert.match(sent, /\nload\("\.bootcde"\)\n$/);
    const decoded = decodeUpload(sent);
    assertStoredProgram(decoded.files[BOOT_FILE], bundle, "what lands in .bootcde");
    // the Pico's 48 KB hold the pretokenised bundle and the plain page, not the gzip copy too
    const pages = pagesThatFit(loadBoardJson("pico"), storedProgram(bundle).length, pageFilesFor({ board: "pico", file: bundle, www })).map((p) => p.name.slice(4));
    assert.ok(pages.indexOf("index.html") >= 0, "the plain page always goes");
    assert.deepEqual(Object.keys(decoded.files).sort(), [BOOT_FILE, ...pages.map((n) => "www/" + n)].sort());
    for (const n of pages) {
      assert.ok(Buffer.from(decoded.files["www/" + n], "latin1").equals(fs.readFileSync(path.join(www, n))), `www/${n} byte for byte`);
    }
    assert.match(r.message, /pretokenised\) to Storage \.bootcde, \S+index\.html \(\d+ bytes\) to www\/index\.html(, \S+index\.html\.gz \(\d+ bytes\) to www\/index\.html\.gz)? in \d+ chunks/);
    assert.deepEqual(decoded.loads, [BOOT_FILE]);
    assert.equal(r.run!.output.indexOf(GUARD_MARK), -1, "the CLI attempted network access");
    assert.match(r.run!.output, /No port supplied, but output file listed - not connecting/);
  });

  it("uploads the page files from dist/www with the board's bundle (make flash), none with --file unless --www", () => {
    const names = (o: Parameters<typeof pageFilesFor>[0]) => pageFilesFor(o).map((p) => p.name + ":" + p.file);
    assert.deepEqual(names({ board: "pico" }), ["www/index.html:" + path.join(WWW_OUT, "index.html"), "www/index.html.gz:" + path.join(WWW_OUT, "index.html.gz")]);
    assert.deepEqual(names({ board: "pico", file: sample }), []);
    assert.deepEqual(names({ board: "pico", file: sample, www }), ["www/index.html:" + path.join(www, "index.html"), "www/index.html.gz:" + path.join(www, "index.html.gz")]);
    assert.deepEqual(names({ board: "pico", www: null }), []);
    const args = planCli({ board: "pico", file: sample, port: "/dev/ttyACM0", www }, loadBoardJson("pico")).args.join(" ");
    assert.match(args, new RegExp(`--storage \\.bootcde:\\S+\\.bootcde --storage www/index\\.html:${path.join(www, "index.html")} --storage www/index\\.html\\.gz:${path.join(www, "index.html.gz")} `));
  });

  it("dry run works for every board's JSON (no download of board data, Storage upload enabled)", async () => {
    for (const b of BOARDS) {
      const out = path.join(tmp, `${b}.js`);
      const r = await flash({ board: b, file: sample, dryRun: out });
      assert.ok(r.ok, `${b}: ${r.message}`);
      assertStoredProgram(decodeUpload(fs.readFileSync(out, "latin1")).files[BOOT_FILE], sample, b);
      assert.doesNotMatch(r.run!.output, /pre-1v96 firmware|No list of built-in modules/, b);
    }
  });

  it("`node build/tools/flash.js --board pico --dry-run OUT.js` succeeds offline and says what it wrote", async () => {
    const out = path.join(tmp, "cli-out.js");
    const r = await runTool(["--board", "pico", "--file", sample, "--dry-run", out], 30000);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /dry run: .*writes .* pretokenised\) to Storage \.bootcde in \d+ chunks, then load\("\.bootcde"\); offline/);
    assertStoredProgram(decodeUpload(fs.readFileSync(out, "latin1")).files[BOOT_FILE], sample);
  });

  it("the offline guard really stops the CLI from downloading (a bare --board name would fetch JSON)", async () => {
    const plan = { args: ["-v", "--board", "PICO_R1_3", "-o", path.join(tmp, "x.js"), sample], env: noProxyEnv(), timeoutMs: 20000 };
    const run = await runCli(plan, (l) => failureInLine(l, "-"));
    assert.ok(run.stoppedFor, "the download attempt was not caught");
    assert.match(run.stoppedFor!, /tried to use the network \(http\.request www\.espruino\.com\/json\/PICO_R1_3\.json\)/);
  });

  it("uploads to a board that answers: what the board receives stores the bundle in .bootcde and loads it", async () => {
    // NUCLEO-F401RE: its 128 KB Storage area takes any bundle the gate lets through
    const nucleo = path.join(ROOT, "dist", "nucleo-f401re.js");
    if (bundle !== sample && fs.existsSync(nucleo)) bundle = nucleo;
    const board = await fakeBoard(espruinoLike);
    try {
      // the fake board has no input buffer to overflow: no throttling needed
      const r = await flash({ board: "nucleo-f401re", file: bundle, port: `tcp://127.0.0.1:${board.port}`, throttle: false, watchMs: 500 });
      assert.ok(r.ok, `${r.message}\n${r.run && r.run.output.slice(-2000)}`);
      assert.match(r.message, /as Storage \.bootcde \(runs at boot\)/);
      const got = board.received();
      assert.ok(got.startsWith("\n"), "the CLI first probes for a prompt with a newline");
      assert.match(got, /\x10reset\(\);\n/, "the board is reset before the upload");
      const decoded = decodeUpload(got);
      assertStoredProgram(decoded.files[BOOT_FILE], bundle);
      assert.deepEqual(decoded.loads, [BOOT_FILE]);
      assert.equal(decoded.resets, 1);
      assert.equal(r.run!.output.indexOf(GUARD_MARK), -1);
    } finally {
      await board.close();
    }
  });

  it("finishes an upload smaller than the CLI's write block (tiny programs go throttled)", async () => {
    const tiny = path.join(tmp, "tiny.js");
    fs.writeFileSync(tiny, TINY);
    const board = await fakeBoard(espruinoLike);
    try {
      const r = await flash({ board: "pico", file: tiny, port: `tcp://127.0.0.1:${board.port}`, throttle: false, watchMs: 500, timeoutMs: 20000 });
      assert.ok(r.ok, r.message);
      assertStoredProgram(decodeUpload(board.received()).files[BOOT_FILE], tiny);
    } finally {
      await board.close();
    }
  });

  it("fails clearly, non-zero and fast when nothing answers on the port", async () => {
    const board = await fakeBoard(() => undefined);
    try {
      const r = await runTool(["--board", "pico", "--file", sample, "--port", `tcp://127.0.0.1:${board.port}`, "--timeout-ms", "20000"], 30000);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /flash: FAILED: no Espruino board answered on tcp:\/\/127\.0\.0\.1:\d+/);
      assert.ok(r.ms < 15000, `took ${r.ms} ms`);
      assert.doesNotMatch(board.received(), /load\("\.bootcde"\)/, "the tool must stop the CLI instead of sending the whole program");
    } finally {
      await board.close();
    }
  });

  it("fails when the board reports an error during the upload", async () => {
    const board = await fakeBoard((d, s) => {
      if (d.indexOf("Storage") >= 0) s.write("\r\nUncaught Error: Unable to find or create file\r\n>");
      else espruinoLike(d, s);
    });
    try {
      const r = await flash({ board: "pico", file: sample, port: `tcp://127.0.0.1:${board.port}`, throttle: false });
      assert.equal(r.ok, false);
      assert.match(r.message, /^the board reported an error: Uncaught Error: Unable to find or create file$/);
    } finally {
      await board.close();
    }
  });

  describe("against a real Espruino interpreter (Linux build, telnet console on 127.0.0.1:2323)", () => {
    // Set ESPRUINO (or ESPRUINO_BIN) to an Espruino Linux binary you already have; skipped without.
    const candidates = [process.env.ESPRUINO_BIN || "", process.env.ESPRUINO || ""];
    const bin = candidates.find((p) => p && fs.existsSync(p));
    const started: import("child_process").ChildProcess[] = [];

    function startEspruino(cwd: string, args: string[]): { proc: import("child_process").ChildProcess; out: () => string } {
      const proc = spawn(bin as string, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
      started.push(proc);
      let out = "";
      proc.stdout!.on("data", (d) => (out += d.toString("latin1")));
      proc.stderr!.on("data", (d) => (out += d.toString("latin1")));
      return { proc, out: () => out };
    }
    async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (cond()) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return cond();
    }
    function portFree(port: number): Promise<boolean> {
      return new Promise((resolve) => {
        const srv = net.createServer();
        srv.once("error", () => resolve(false));
        srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
      });
    }
    function canConnect(port: number): Promise<boolean> {
      return new Promise((resolve) => {
        const s = net.connect(port, "127.0.0.1");
        s.once("connect", () => { s.destroy(); resolve(true); });
        s.once("error", () => resolve(false));
      });
    }

    afterEach(async () => {
      for (const p of started.splice(0)) {
        if (p.exitCode !== null || p.signalCode !== null) continue;
        const gone = new Promise((r) => p.once("exit", r));
        p.kill("SIGKILL");
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      }
    });

    it("reports a program that is saved but throws when it starts", async function () {
      if (!bin) return this.skip();
      if (!(await portFree(2323))) return this.skip();
      const dir = fs.mkdtempSync(path.join(tmp, "espruino-"));
      const app = path.join(dir, "bad.js");
      fs.writeFileSync(app, 'print("about to fail");\nnoSuchFunction(42);\n');
      const live = startEspruino(dir, ["--telnet"]);
      let ok = false;
      for (let i = 0; i < 100 && !ok; i++) { ok = await canConnect(2323); if (!ok) await new Promise((r) => setTimeout(r, 50)); }
      assert.ok(ok, `Espruino's telnet console did not come up:\n${live.out()}`);
      const r = await flash({ board: "pico", file: app, port: "tcp://127.0.0.1:2323", timeoutMs: 30000 });
      assert.equal(r.ok, false);
      assert.match(r.message, /^the program was saved to \.bootcde but failed when it started: Uncaught ReferenceError: "noSuchFunction" is not defined/);
    });

    it("flashes a program that is stored in .bootcde, runs at once, and runs again at the next boot", async function () {
      if (!bin) return this.skip();
      if (!(await portFree(2323))) return this.skip();
      const dir = fs.mkdtempSync(path.join(tmp, "espruino-"));
      const app = path.join(dir, "app.js");
      const program = 'var ticks=0;setInterval(function(){ticks++},100);print("APP STARTED "+(1+2*3));\n' + 'var pad="' + "x".repeat(2500) + '";\n';
      fs.writeFileSync(app, program);
      const live = startEspruino(dir, ["--telnet"]);
      let ok = false;
      for (let i = 0; i < 100 && !ok; i++) { ok = await canConnect(2323); if (!ok) await new Promise((r) => setTimeout(r, 50)); }
      assert.ok(ok, `Espruino's telnet console did not come up:\n${live.out()}`);
      const r = await flash({ board: "pico", file: app, port: "tcp://127.0.0.1:2323", timeoutMs: 30000 });
      assert.ok(r.ok, `${r.message}\n${r.run && r.run.output.slice(-1500)}`);
      assert.match(r.run!.output, /--\] APP STARTED 7/, "the program must run right after the upload");
      live.proc.kill("SIGKILL");
      await waitFor(() => live.proc.exitCode !== null || live.proc.signalCode !== null, 5000);
      // Power-cycle: a fresh interpreter on the same flash file runs .bootcde by itself.
      const boot = startEspruino(dir, []);
      assert.ok(await waitFor(() => /APP STARTED 7/.test(boot.out()), 10000), `not run at boot:\n${boot.out()}`);
    });
  });

  it("refuses, before connecting, a program larger than the board's Storage area", async () => {
    const big = path.join(tmp, "big.js");
    fs.writeFileSync(big, 'var s="' + "y".repeat(49200) + '";\n');
    const board = await fakeBoard(espruinoLike);
    try {
      const r = await flash({ board: "pico", file: big, port: `tcp://127.0.0.1:${board.port}` });
      assert.equal(r.ok, false);
      const stored = storedProgram(big).length;
      assert.ok(stored > 49120 && stored < 49210, `pretokenised size ${stored}`);
      assert.match(r.message, new RegExp(`the program is ${stored} bytes .* but Espruino Pico's Storage area holds 49120 bytes`));
      assert.equal(board.received(), "", "nothing may be sent");
      const d = await flash({ board: "pico", file: big, dryRun: path.join(tmp, "big-out.js") });
      assert.ok(d.ok, d.message);
      assert.match(d.message, /WARNING: .*an upload to this board would fail/);
      // the page files count: a program that fits alone is refused when even the plain page does
      // not fit beside it; when only the gzip copy is in the way, the copy stays home
      const size = (n: string) => fs.statSync(path.join(www, n)).size + 32;
      const pages = size("index.html") + size("index.html.gz");
      const program = (file: string, bytes: number) => { fs.writeFileSync(file, 'var s="' + "y".repeat(bytes) + '";\n'); return storedProgram(file).length; };
      const fitsPlain = path.join(tmp, "fits-plain.js");
      const plainLen = program(fitsPlain, 49120 - pages + 100);
      assert.ok(plainLen > 49120 - pages && plainLen <= 49120 - size("index.html"));
      const d2 = await flash({ board: "pico", file: fitsPlain, dryRun: path.join(tmp, "fits-plain-out.js"), www });
      assert.ok(d2.ok && !/WARNING/.test(d2.message), d2.message);
      assert.match(d2.message, /to www\/index\.html in/, "the plain page goes");
      assert.doesNotMatch(d2.message, /index\.html\.gz/, "the gzip copy is left out");
      const fits = path.join(tmp, "fits.js");
      const len = program(fits, 49120 - size("index.html") + 1);
      const r2 = await flash({ board: "pico", file: fits, port: `tcp://127.0.0.1:${board.port}`, www });
      assert.equal(r2.ok, false);
      assert.equal(r2.message, `the program is ${len} bytes (${(len / 1024).toFixed(1)} KB) but Espruino Pico's Storage area holds ${49120 - pages} bytes (${Math.floor((49120 - pages) / 1024)} KB) next to the page files (${pages} bytes with headers)`);
      assert.equal(board.received(), "", "nothing may be sent");
    } finally {
      await board.close();
    }
  });

  it("fails with a clear message and exit 2 when PORT is missing (make flash without PORT=)", async () => {
    const r = await runTool(["--board", "pico", "--file", sample, "--port", ""], 20000);
    assert.equal(r.status, 2, r.out);
    assert.match(r.out, /^flash: PORT= is required \(try: make flash BOARD=<board> PORT=\/dev\/ttyACM0/);
    assert.doesNotMatch(r.out, /usage:/, "a sentence, not the script's usage");
  });

  it("fails with a clear message and exit 1 when PORT does not exist", async () => {
    const r = await runTool(["--board", "pico", "--file", sample, "--port", "/dev/ttyDOESNOTEXIST9"], 20000);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /serial device \/dev\/ttyDOESNOTEXIST9 does not exist/);
  });

  it("fails with exit 1 when PORT exists but is no serial port the CLI can open", async () => {
    const r = await runTool(["--board", "pico", "--file", sample, "--port", "/dev/null", "--timeout-ms", "20000"], 30000);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /could not open \/dev\/null/);
  });

  it("rejects an unknown board and a dry-run name the CLI would not accept", async () => {
    const r = await runTool(["--board", "nosuchboard", "--dry-run", path.join(tmp, "a.js")], 20000);
    assert.equal(r.status, 2, r.out);
    assert.match(r.out, /unknown board 'nosuchboard'.*boards: .*pico/);
    assert.doesNotMatch(r.out, /usage:/);
    // a misspelt board is named before a missing port
    const r3 = await runTool(["--board", "pcio"], 20000);
    assert.equal(r3.status, 2, r3.out);
    assert.match(r3.out, /unknown board 'pcio'.*boards: .*esp32.*pico/);
    const r2 = await flash({ board: "pico", file: sample, dryRun: path.join(tmp, "a.txt") }).catch((e) => e);
    assert.match(String(r2.message), /--dry-run needs a \.js output file name/);
  });

  it("plans throttled writes only for UART consoles, with the console baud from the board JSON", () => {
    const args = (b: string, port: string) => planCli({ board: b, file: sample, port }, loadBoardJson(b)).args.join(" ");
    assert.match(args("pico", "/dev/ttyACM0"), /SERIAL_THROTTLE_SEND=2 .* -p \/dev\/ttyACM0 -b 115200 /);
    assert.match(args("nucleo-f401re", "/dev/ttyACM0"), /SERIAL_THROTTLE_SEND=1 .* -b 9600 /);
    assert.match(args("esp32", "/dev/ttyUSB0"), /SERIAL_THROTTLE_SEND=1 .* -b 115200 /);
    assert.match(args("esp32", "tcp://127.0.0.1:23"), /SERIAL_THROTTLE_SEND=1/);
    assert.match(planCli({ board: "pico", file: sample, port: "tcp://127.0.0.1:23", throttle: false }, loadBoardJson("pico")).args.join(" "), /SERIAL_THROTTLE_SEND=2/);
    assert.match(args("pico", "/dev/ttyACM0"), / --sleep 3 /);
    const pico = args("pico", "/dev/ttyACM0");
    assert.match(pico, /--config MODULE_URL=\.\|modules /);
    assert.match(pico, /--storage \.bootcde:\S+\/build\/flash\/sample\.bootcde /);
    assert.match(pico, /--board \S*boards\/json\/pico\.json /);
  });
});
