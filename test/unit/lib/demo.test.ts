// The default app, examples/demo/app.js: a normal app on the public API of require("ENC28J60")
// that `make sim`/`make run`, `make image` and `make flash` use without APP=. On the simulated
// board (vm engine, as `make sim` starts it): the page from www/ (gzip, ETag), /api/status from
// eth.getStatus()/getIP()/process.memory(), /api/led driving the sim's LED pin, /api/settings saved
// in Storage and used at the next start (name, host name, a static address); `make image
// BOARD=<b>` writes the example's Storage files with the board's wiring as .boot2.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { spawnSync } from "child_process";
import { startSim, Sim } from "../../../sim/run";
import { parseArgs, DEFAULT_APP as SIM_DEFAULT_APP } from "../../../sim/cli";
import { buildImage, buildModule, boardSource, usesBoard, BOARD_FILE, DEFAULT_APP, LIBRARY_BOOT_FILE, MODULE_NAME, readImage } from "../../../tools/image";
import { PIECES } from "../../../tools/pieces";
import { flash, BOOT_FILE, cliPretokeniser } from "../../../tools/flash";
import { compileApp } from "../../../tools/app-ts";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const PAGE = path.join(ROOT, "examples", "demo", "www", "index.html");

interface Reply { status: number; body: string; headers: http.IncomingHttpHeaders; raw: Buffer }

function request(port: number, p: string, o: { method?: string; body?: string; type?: string; headers?: http.OutgoingHttpHeaders } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...(o.headers || {}) };
    if (o.body !== undefined) { headers["Content-Type"] = o.type || "application/x-www-form-urlencoded"; headers["Content-Length"] = Buffer.byteLength(o.body); }
    const req = http.request({ host: "127.0.0.1", port, path: p, method: o.method || (o.body !== undefined ? "POST" : "GET"), agent: false, timeout: 15000, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => { const raw = Buffer.concat(parts); resolve({ status: res.statusCode || 0, body: raw.toString("latin1"), headers: res.headers, raw }); });
    });
    req.on("timeout", () => req.destroy(new Error("timed out: " + p)));
    req.on("error", reject);
    req.end(o.body);
  });
}

describe("the default app: examples/demo on the public API", function () {
  this.timeout(180000);
  const tmp: string[] = [];
  const mk = (prefix: string): string => { const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix)); tmp.push(d); return d; };
  after(() => { for (const d of tmp) fs.rmSync(d, { recursive: true, force: true }); });

  it("is what the sim runs without --app or --bundle (make sim / make run), and only on the library's public API", () => {
    assert.equal(parseArgs([]).app, DEFAULT_APP);
    assert.equal(SIM_DEFAULT_APP, DEFAULT_APP);
    assert.equal(parseArgs(["--bundle", "dist/sim.js"]).app, undefined, "--bundle: the firmware bundle, no app");
    assert.equal(parseArgs(["--app", "examples/hello.js"]).app, path.resolve("examples/hello.js"));
    const src = fs.readFileSync(DEFAULT_APP, "utf8");
    const code = src.replace(/^\s*\/\/.*$/gm, "");
    // the public names only: no `device` global, no internals of the eth record or the server
    assert.doesNotMatch(code, /\bdevice\.|eth\.(stack|tcp|driver|runner|sizing|hal)\b|srv\.(http|paths|tcp)\b|\b_ENC28J60\b|\$[a-zA-Z]/);
    assert.ok(usesBoard(src), "the app takes its pins from BOARD");
    assert.ok(!usesBoard("var BOARD = { spi: SPI1 };\nBOARD.spi"), "an app that defines BOARD gets no .boot2");
    assert.ok(!usesBoard("// BOARD is not used\nvar x = 1;"));
  });

  it("make image / flash / flash-dry-run without APP= build the default app's Storage image and store it (make -n)", function () {
    const make = (args: string[]): string => {
      const r = spawnSync("make", ["-n", "--no-print-directory", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60000 });
      if (r.error) this.skip();
      return (r.stdout || "") + (r.stderr || "");
    };
    assert.match(make(["image", "BOARD=pico"]), /^node build\/tools\/image\.js --board pico\s*$/m);
    const dry = make(["flash-dry-run", "BOARD=esp32"]);
    assert.match(dry, /^node build\/tools\/image\.js --board esp32\s*$/m);
    assert.match(dry, /^node build\/tools\/flash\.js --board esp32 --image dist\/esp32\/storage --dry-run build\/flash\/esp32-upload\.js$/m);
    assert.doesNotMatch(dry, /bundle\.js esp32/, "not the firmware bundle");
    assert.match(make(["flash", "BOARD=pico", "PORT=/dev/null"]), /^node build\/tools\/flash\.js --board pico --port "\/dev\/null" --image dist\/pico\/storage$/m);
  });

  it("the library built for an app is reused while the device build is unchanged (make run starts at once), rebuilt after a change", async () => {
    const http = PIECES.filter((p) => p.name === "http");
    const a = await buildModule(http);
    const made = fs.statSync(a.file).mtimeMs;
    const b = await buildModule(http);
    assert.equal(b.code, a.code);
    assert.deepEqual(b.names, a.names);
    assert.equal(fs.statSync(b.file).mtimeMs, made, "not written again");
    await buildModule([]);   // another app's pieces do not make it stale
    assert.equal(fs.statSync((await buildModule(http)).file).mtimeMs, made);
    const dev = path.join(ROOT, "build", "device", "firmware", "lib", "eth.js");
    const later = new Date(made + 1000);
    fs.utimesSync(dev, later, later);
    const c = await buildModule(http);
    assert.ok(fs.statSync(c.file).mtimeMs > made, "built again after a device file changed");
    assert.equal(c.code, a.code);
  });

  it("a TypeScript app sees BOARD and getStatus()'s figures in the library's declarations", () => {
    const f = path.join(mk("demo-ts-"), "board.ts");
    fs.writeFileSync(f, `var eth = require("ENC28J60").connect(BOARD.spi, BOARD.cs, { sck: BOARD.sck, int: BOARD.int, reset: BOARD.reset, baud: BOARD.baud, mac: BOARD.mac });
if (BOARD.led) digitalWrite(BOARD.led, 1);
var st = eth.getStatus();
var n: number = st.packets[0] + st.segments[2] + (st.connections["ESTABLISHED"] || 0) + st.memory.mtu;
var name: string = BOARD.name;
`);
    const r = compileApp(f);
    assert.ok(r.ok, r.errors.join("\n"));
    fs.writeFileSync(f, "var k: string = BOARD.baud;\n");
    assert.match(compileApp(f).errors.join("\n"), /TS2322/, "BOARD is typed");
  });

  it("make image BOARD=pico (no APP): the example as .bootcde, the library, BOARD from boards/pico.ts as .boot2, its www/ with a gzip copy; the Pico's 48 KB is said to be too small and make flash refuses", async () => {
    const out = path.join(mk("demo-img-"), "storage");
    const img = await buildImage({ board: "pico", out });
    const files = readImage(out);
    assert.deepEqual(Object.keys(files).sort(), [LIBRARY_BOOT_FILE, BOARD_FILE, BOOT_FILE, MODULE_NAME, "www/index.html", "www/index.html.gz"].sort());
    assert.equal(files[BOOT_FILE], cliPretokeniser().tokenise(fs.readFileSync(DEFAULT_APP, "latin1")), "the app, pretokenised");
    assert.match(files[BOARD_FILE], /^\/\/ boards\/pico\.ts: .*\nvar BOARD=\{name:"pico",spi:SPI2,cs:B10,sck:B13,miso:B14,mosi:B15,int:B1,reset:A7,led:B12,baud:10500000\};\n$/);
    assert.equal(files[BOARD_FILE], boardSource("pico"));
    const page = fs.readFileSync(PAGE);
    assert.equal(files["www/index.html"], page.toString("latin1"));
    assert.ok(zlib.gunzipSync(Buffer.from(files["www/index.html.gz"], "latin1")).equals(page), "the gzip copy inflates to the page");
    assert.ok(img.lines.some((l) => /^image: the default app, examples\/demo\/app\.js/.test(l)), img.lines.join("\n"));
    assert.ok(img.lines.some((l) => /^image: WARNING: the Storage files are \d+ bytes with their headers \(\.boot1 \d+, .*\) but Espruino Pico's Storage area holds 49152 \(48 KB\): \d+ bytes too many: an upload to this board would fail$/.test(l)), img.lines.join("\n"));
    // make flash BOARD=pico: refused before the upload, with that sentence
    const r = await flash({ board: "pico", image: out, port: "/dev/null" });
    assert.equal(r.ok, false);
    assert.match(r.message, /Espruino Pico's Storage area holds 49152 \(48 KB\): \d+ bytes too many/);
    assert.equal(r.run, undefined, "the espruino CLI was not started");
  });

  it("make image / flash-dry-run BOARD=espruino-wifi (no APP): fits with the page and its gzip copy, the dry run stores every file unchanged; the CLI without --app writes the same", async () => {
    const dir = mk("demo-wifi-");
    const out = path.join(dir, "storage");
    const img = await buildImage({ board: "espruino-wifi", out });
    const files = readImage(out);
    assert.match(files[BOARD_FILE], /var BOARD=\{name:"espruino-wifi",spi:SPI2,cs:B10,sck:B13,miso:B14,mosi:B15,int:B1,reset:A7,led:B12,baud:12500000\};/);
    assert.ok(!img.lines.some((l) => /WARNING/.test(l)), img.lines.join("\n"));
    assert.ok("www/index.html.gz" in files && "www/index.html" in files, Object.keys(files).join(" "));
    assert.ok(!img.lines.some((l) => /left out/.test(l)), img.lines.join("\n"));
    // a page whose original has no room next to the programs but whose gzip copy has: the copy
    // alone (the library serves it at /index.html, always gzip)
    const big = path.join(dir, "www-big");
    fs.mkdirSync(big);
    fs.writeFileSync(path.join(big, "index.html"), fs.readFileSync(PAGE, "latin1") + "<!-- " + "padding ".repeat(2500) + "-->\n");
    const img2 = await buildImage({ board: "espruino-wifi", out: path.join(dir, "storage-big"), www: big });
    const files2 = readImage(path.join(dir, "storage-big"));
    assert.ok("www/index.html.gz" in files2 && !("www/index.html" in files2), Object.keys(files2).join(" "));
    assert.ok(img2.lines.some((l) => /left out \(no room next to the programs\): www\/index\.html$/.test(l)), img2.lines.join("\n"));
    assert.ok(!img2.lines.some((l) => /WARNING/.test(l)), img2.lines.join("\n"));
    const sent = path.join(dir, "sent.js");
    const r = await flash({ board: "espruino-wifi", image: out, dryRun: sent });
    assert.ok(r.ok, r.message);
    assert.match(r.message, /\.bootcde \(\d+ bytes\), \.boot1 \(\d+ bytes\), \.boot2 \(\d+ bytes\), ENC28J60 \(\d+ bytes\), www\/index\.html \(\d+ bytes\), www\/index\.html\.gz \(\d+ bytes\)/);
    // the command line make image runs, without --app: the same files
    const cli = path.join(dir, "cli");
    const c = spawnSync(process.execPath, [path.join(ROOT, "build", "tools", "image.js"), "--board", "espruino-wifi", "--out", cli], { encoding: "utf8", timeout: 120000 });
    assert.equal(c.status, 0, c.stdout + c.stderr);
    assert.deepEqual(readImage(cli), files);
    // every board's wiring comes from its board file
    assert.match(boardSource("esp32"), /var BOARD=\{name:"esp32",spi:SPI2,cs:D5,sck:D18,miso:D19,mosi:D23,int:D4,reset:D27,led:D2,baud:20000000\};/);
    assert.match(boardSource("nucleo-f401re"), /spi:SPI2,cs:B6,.*int:A10,reset:C7/);
    assert.match(boardSource("sim"), /var BOARD=\{name:"sim",spi:SPI1,cs:D5,sck:D18,miso:D19,mosi:D23,int:D4,reset:D27,led:D2,baud:20000000\};\nif\("object"==typeof SIM_CONFIG/);
    assert.throws(() => boardSource("nosuch"), /no board file boards\/nosuch\.ts/);
  });

  it("in the sim: the page (gzip, ETag), /api/status, /api/led on the LED pin, /api/settings saved and used at the next start", async () => {
    const storage = mk("demo-storage-");
    const lines: string[] = [];
    const start = (): Promise<Sim> => startSim({ ...parseArgs([]), port: 0, storage, out: (l) => lines.push(l), onFatal: (m) => lines.push("FATAL " + m) });
    let sim: Sim | null = await start();
    try {
      assert.equal(await sim.ready, "192.0.2.2");
      const port = sim.port;
      const said = (re: RegExp): boolean => lines.some((l) => re.test(l));
      // (setIP()'s callback line may come just after the sim saw the address)
      for (let t = Date.now(); !said(/^demo: http:/) && Date.now() - t < 10000;) await new Promise((r) => setTimeout(r, 50));
      assert.ok(said(/^demo: http:\/\/192\.0\.2\.2\/ \(sim, DHCP\)$/), lines.join("\n"));

      // the page: gzip when accepted, the same ETag, 304 for it
      const page = fs.readFileSync(PAGE);
      const plain = await request(port, "/");
      assert.equal(plain.status, 200, lines.join("\n"));
      assert.match(String(plain.headers["content-type"]), /^text\/html/);
      assert.ok(plain.raw.equals(page));
      const etag = String(plain.headers.etag);
      assert.match(etag, /^"[0-9a-f]+"$/);
      const gz = await request(port, "/", { headers: { "Accept-Encoding": "gzip" } });
      assert.equal(gz.headers["content-encoding"], "gzip");
      assert.ok(zlib.gunzipSync(gz.raw).equals(page));
      assert.equal((await request(port, "/index.html", { headers: { "If-None-Match": etag } })).status, 304);

      // the status, from the public API
      let r = await request(port, "/api/status");
      assert.equal(r.status, 200, r.body);
      assert.match(String(r.headers["content-type"]), /application\/json/);
      const st = JSON.parse(r.body);
      assert.deepEqual(Object.keys(st), ["name", "board", "ip", "mac", "up", "link", "dhcp", "led", "mem", "traffic", "states"]);
      assert.equal(st.name, "sim");
      assert.equal(st.board, "sim");
      assert.equal(st.ip, "192.0.2.2");
      assert.equal(st.mac, "02:45:4e:43:00:02", "the sim's --mac through BOARD");
      assert.equal(st.link, true);
      assert.equal(st.dhcp, "bound");
      assert.equal(st.led, false);
      assert.ok(st.up >= 0 && st.up < 120, "uptime " + st.up);
      assert.ok(st.mem[0] > 0 && st.mem[1] > st.mem[0], "memory " + st.mem);
      assert.equal(st.traffic.length, 8);
      assert.ok(st.traffic[0] > 5 && st.traffic[1] > 5 && st.traffic[2] > 3 && st.traffic[4] > 3 && st.traffic[5] > 3, "traffic " + st.traffic);
      assert.equal(st.traffic[7], 1, "the first API request");
      assert.ok(st.states.ESTABLISHED >= 1 && st.states.LISTEN === 1, JSON.stringify(st.states));
      assert.equal(JSON.parse((await request(port, "/api/status")).body).traffic[7], 2);

      // the LED: form, query, JSON, toggle; the sim's LED pin (D2) follows; a bad value is a 400
      assert.deepEqual(JSON.parse((await request(port, "/api/led")).body), { led: false });
      assert.deepEqual(JSON.parse((await request(port, "/api/led", { body: "on=1" })).body), { led: true });
      assert.equal(sim.board.evalLine("digitalRead(D2)"), "=1");
      assert.deepEqual(JSON.parse((await request(port, "/api/led", { body: "on=toggle" })).body), { led: false });
      assert.equal(sim.board.evalLine("digitalRead(D2)"), "=0");
      assert.deepEqual(JSON.parse((await request(port, "/api/led?on=on", { body: "" })).body), { led: true });
      assert.deepEqual(JSON.parse((await request(port, "/api/led", { body: '{"on":false}', type: "application/json" })).body), { led: false });
      assert.equal(sim.board.evalLine("digitalRead(D2)"), "=0");
      r = await request(port, "/api/led", { body: "on=maybe" });
      assert.equal(r.status, 400);
      assert.deepEqual(JSON.parse(r.body), { error: "on must be 1, 0 or toggle" });
      assert.equal(JSON.parse((await request(port, "/api/status")).body).led, false);

      // the settings: bad values are refused with the reason and change nothing
      r = await request(port, "/api/settings?js=1", { body: "name=Lab+1&ip=192.0.2" });
      assert.equal(r.status, 400);
      assert.deepEqual(JSON.parse(r.body), { error: "ip: a.b.c.d (or empty)" });
      r = await request(port, "/api/settings?js=1", { body: "name=a%01b" });
      assert.deepEqual([r.status, JSON.parse(r.body).error], [400, "name: 1 to 32 characters, no control characters"]);
      r = await request(port, "/api/settings?js=1", { body: "name=" + encodeURIComponent("pay \u20ac") });
      assert.deepEqual([r.status, JSON.parse(r.body).error], [400, "name: a character the device cannot store (Latin-1 only)"]);
      r = await request(port, "/api/settings?js=1", { body: "name=ok&hostname=no+spaces" });
      assert.deepEqual([r.status, JSON.parse(r.body).error], [400, "hostname: 1 to 32 letters, digits or '-' (or empty)"]);
      r = await request(port, "/api/settings", { body: "{not json", type: "application/json" });
      assert.equal(r.status, 400);
      assert.equal(sim.board.evalLine('require("Storage").read("enc-settings")'), "=undefined", "nothing stored");
      assert.equal(JSON.parse((await request(port, "/api/settings")).body).name, "sim");
      // saved: the name at once, the host name and the address from the next start
      r = await request(port, "/api/settings?js=1", { body: "name=Lab+1%3F&hostname=lab-1&ip=192.0.2.50&netmask=255.255.255.0&gateway=192.0.2.1" });
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(JSON.parse(r.body), { ok: true, name: "Lab 1?", hostname: "lab-1", ip: "192.0.2.50", netmask: "255.255.255.0", gateway: "192.0.2.1" });
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(storage, "enc-settings"), "latin1")),
        { name: "Lab 1?", hostname: "lab-1", ip: "192.0.2.50", netmask: "255.255.255.0", gateway: "192.0.2.1" });
      assert.equal(JSON.parse((await request(port, "/api/status")).body).name, "Lab 1?");
      // a plain form post (no JavaScript) goes back to the page
      r = await request(port, "/api/settings", { body: "name=Lab+2" });
      assert.equal(r.status, 303);
      assert.equal(r.headers.location, "/");
      assert.equal(JSON.parse((await request(port, "/api/settings")).body).name, "Lab 2");
      // JSON works too
      r = await request(port, "/api/settings", { body: '{"name":"Lab 3"}', type: "application/json" });
      assert.equal(JSON.parse(r.body).name, "Lab 3");
      assert.equal(sim.board.evalLine("eth.getIP().ip"), '="192.0.2.2"', "the address changes only at the next start");
      await sim.close();
      sim = null;

      // the next start: the saved static address and host name (no DHCP), the name on the page
      lines.length = 0;
      sim = await start();
      assert.equal(await Promise.race([sim.ready, new Promise((r) => setTimeout(() => r("no address"), 30000))]), "192.0.2.50", lines.join("\n"));
      assert.ok(said(/^sim: device address 192\.0\.2\.50 \(static, the app's own\)$/), lines.join("\n"));
      assert.equal(sim.board.evalLine('eth.getIP().ip + " " + eth.getIP().dhcp + " " + eth.getHostname()'), '="192.0.2.50 static lab-1"');
      const st2 = JSON.parse((await request(sim.port, "/api/status")).body);
      assert.deepEqual([st2.name, st2.ip, st2.dhcp], ["Lab 3", "192.0.2.50", "static"]);
      // back to DHCP: an empty address
      r = await request(sim.port, "/api/settings?js=1", { body: "name=Lab+3&hostname=&ip=&netmask=&gateway=" });
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(storage, "enc-settings"), "latin1")), { name: "Lab 3" });
      await sim.close();
      sim = null;

      // a corrupt settings file: said on the console, the defaults used
      fs.writeFileSync(path.join(storage, "enc-settings"), "{name:");
      lines.length = 0;
      sim = await start();
      assert.equal(await sim.ready, "192.0.2.2");
      assert.ok(said(/^demo: the Storage file enc-settings is not JSON \(.*\): the defaults are used$/), lines.join("\n"));
      assert.equal(JSON.parse((await request(sim.port, "/api/status")).body).name, "sim");
      assert.ok(!said(/Uncaught|FATAL/), lines.join("\n"));
    } finally {
      if (sim) await sim.close();
    }
  });
});
