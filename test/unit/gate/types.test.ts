// TypeScript for users and for the project's device code (issue #16, item 6): a user's app.ts
// compiled by tools/app-ts.ts (ES5, the gate, clear errors), the Espruino declarations
// (@types/espruino + hal/espruino-augment.d.ts) and the library's (types/enc28j60.d.ts), and the
// host build's subset checked against them. See docs/typescript.md.

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import * as ts from "typescript";
import { compileApp, ROOT, LIBRARY_MODULES } from "../../../tools/app-ts";
import { checkSource } from "../../../tools/gate";
import { interpreterCommand } from "../../../sim/espruino/engine";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "app-ts-"));
let n = 0;

/** Writes code to a fresh app file and compiles it. */
function compile(code: string, name?: string): ReturnType<typeof compileApp> & { file: string } {
  const file = path.join(TMP, name || `app${++n}.ts`);
  fs.writeFileSync(file, code);
  return Object.assign(compileApp(file), { file });
}

/** The errors of a compile, one string (for assert.match). */
function errs(r: { errors: string[] }): string {
  return r.errors.join("\n");
}

const TEN_LINES = `// The ENC28J60 on SPI2 (CS B10, INT B1), DHCP, one route reading a pin.
var eth = require("ENC28J60").connect(SPI2, B10, { int: B1 });
eth.setIP(function (err, ip) {
  console.log(err ? "no address: " + err : "up at http://" + ip!.ip + "/");
});
eth.on("link", function (up) { LED1.write(up); });
eth.createServer().get("/button", function (req, res) {
  res.json({ pressed: digitalRead(BTN) === 1, at: getTime() });
});
`;

after(() => fs.rmSync(TMP, { recursive: true, force: true }));

describe("a user's app in TypeScript (tools/app-ts.ts)", function () {
  this.timeout(120000);

  it("a ten-line app compiles to one ES5 file that passes the gate and does what it says", () => {
    const r = compile(TEN_LINES);
    assert.deepEqual(r.errors, []);
    assert.ok(r.ok);
    const js = r.js!;
    assert.doesNotMatch(js, /=>|\blet\b|\bconst\b|\bclass\b|\bimport\b|\bexport\b/);
    assert.doesNotMatch(js, /\bip!/, "the non-null assertion is TypeScript only");
    // the plain gate has only the library's own require to say (it lives in Storage on the board)
    const left = checkSource(js, "out.js").map((f) => f.construct);
    assert.deepEqual(left, ["require of a module Espruino cannot resolve (ENC28J60)"]);
    assert.deepEqual(LIBRARY_MODULES, ["ENC28J60"]);

    // run it over a recording fake of the module
    const calls: any[] = [];
    const routes: { [p: string]: Function } = {};
    const listeners: { [e: string]: Function } = {};
    const fakeEth = {
      setIP(cb: Function) { calls.push("setIP"); cb(null, { ip: "192.0.2.7" }); return true; },
      on(ev: string, fn: Function) { listeners[ev] = fn; return fakeEth; },
      createServer() { return { get(p: string, h: Function) { routes[p] = h; return this; } }; },
    };
    const pin = (name: string) => ({ name, write(v: any) { calls.push(name + "=" + v); } });
    const sandbox: any = {
      SPI2: { name: "SPI2" }, B10: pin("B10"), B1: pin("B1"), LED1: pin("LED1"), BTN: pin("BTN"),
      digitalRead: (p: any) => (p.name === "BTN" ? 1 : 0),
      getTime: () => 12.5,
      console: { log: (s: string) => calls.push(s) },
      require: (m: string) => {
        assert.equal(m, "ENC28J60");
        return { connect: (spi: any, cs: any, o: any) => { calls.push(["connect", spi.name, cs.name, o.int.name].join(" ")); return fakeEth; } };
      },
    };
    vm.runInNewContext(js, sandbox);
    assert.deepEqual(calls, ["connect SPI2 B10 B1", "setIP", "up at http://192.0.2.7/"]);
    listeners.link(true);
    assert.equal(calls[3], "LED1=true");
    let sent: any;
    routes["/button"]({}, { json: (v: any) => { sent = v; } });
    assert.equal(JSON.stringify(sent), JSON.stringify({ pressed: true, at: 12.5 }));
  });

  it("a wrong argument to connect (a string for the CS pin) fails with the compiler's diagnostic at its place", () => {
    const r = compile(`var eth = require("ENC28J60").connect(SPI2, "B10");\n`, "cs.ts");
    assert.equal(r.ok, false);
    assert.equal(r.js, undefined);
    assert.match(errs(r), /cs\.ts\(1,45\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'Pin'/);
  });

  it("misused library API: an unknown option, an unknown event, a missing argument, a wrong handler", () => {
    const r = compile([
      `var eth = require("ENC28J60").connect(SPI2, B10, { irq: B1 });`,
      `eth.on("lnk", function () {});`,
      `eth.createServer().get("/a", function (req, res) { res.json(); });`,
      `eth.createServer().post("/b", function (req, res) { var q: number = req.query("n"); res.send(200, "text/plain", q); });`,
      `eth.setIP({ ip: 3 });`,
    ].join("\n") + "\n", "misuse.ts");
    assert.equal(r.ok, false);
    const e = errs(r);
    assert.match(e, /misuse\.ts\(1,52\): error TS2769: No overload matches this call[^]*'irq' does not exist in type 'ConnectOptions'/);
    assert.match(e, /misuse\.ts\(2,8\): error TS2769: No overload matches this call/);
    assert.match(e, /misuse\.ts\(3,\d+\): error TS2554: Expected 1-2 arguments, but got 0/);
    assert.match(e, /misuse\.ts\(4,\d+\): error TS2322: Type 'string \| null' is not assignable to type 'number'/);
    assert.match(e, /misuse\.ts\(5,\d+\): error TS2769: No overload matches this call/);
  });

  it("class inheritance and spread compile but the gate rejects them, at their lines in app.ts, naming the TypeScript construct", () => {
    const r = compile([
      "class Base { n = 1; }",
      "class Sensor extends Base {",
      "  read(): number { return this.n; }",
      "}",
      "var a = [1, 2];",
      "var b = [0, ...a];",
      "console.log(new Sensor().read() + b.length);",
    ].join("\n") + "\n", "es2015.ts");
    assert.equal(r.ok, false);
    const e = errs(r);
    assert.match(e, /es2015\.ts\(2,22\): gate: TypeScript helper __extends, from class \.\.\. extends .*: Espruino cannot run this/);
    assert.match(e, /es2015\.ts\(6,\d+\): gate: TypeScript helper __spreadArray, from spread/);
    assert.match(e, /compiled: \.\.\..*__spreadArray\(\[0\], a, true\)/);
  });

  it("what Espruino's engine cannot run although it is ES5 (no hoisting, a counted regex) is reported at its line", () => {
    const r = compile(`var ok = /a{2}/.test("aa");\nstart();\nfunction start(): void { console.log(ok); }\n`, "es5.ts");
    assert.equal(r.ok, false);
    assert.match(errs(r), /es5\.ts\(1,10\): gate: regex counted repetition/);
    assert.match(errs(r), /es5\.ts\(2,1\): gate: 'start' used before its declaration runs/);
  });

  it("ES2015 library names are not in lib es5: Map, Promise, Array.from fail in the compiler", () => {
    const r = compile(`var m = new Map<string, number>();\nvar p = Promise.resolve(1);\nvar a = Array.from("ab");\n`, "lib.ts");
    assert.equal(r.ok, false);
    const e = errs(r);
    assert.match(e, /lib\.ts\(1,13\): error TS2583: Cannot find name 'Map'/);
    assert.match(e, /lib\.ts\(2,9\): error TS2585: 'Promise' only refers to a type/);
    assert.match(e, /lib\.ts\(3,15\): error TS2550: Property 'from' does not exist/);
  });

  it("import or export: an app is a script, said clearly", () => {
    const r = compile(`var x = 1;\nexport { x };\n`, "mod.ts");
    assert.equal(r.ok, false);
    assert.match(errs(r), /mod\.ts\(2,1\): error: an app is a script .* no import or export; use var eth = require\("ENC28J60"\)/);
  });

  it("the command line: out.js and exit 0; diagnostics on stderr, no out.js (a stale one removed) and exit 1; usage and exit 2", () => {
    const cli = path.join(ROOT, "build", "tools", "app-ts.js");
    const app = path.join(TMP, "cli.ts");
    const out = path.join(TMP, "out", "cli.js");
    fs.writeFileSync(app, TEN_LINES);
    let p = spawnSync(process.execPath, [cli, app, out], { encoding: "utf8" });
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stdout, /app-ts: .*cli\.ts -> .*cli\.js \(\d+ bytes of ES5, gate ok\)/);
    assert.match(fs.readFileSync(out, "utf8"), /require\("ENC28J60"\)\.connect\(SPI2, B10/);

    fs.writeFileSync(app, `require("ENC28J60").connect(SPI2, "B10");\n`);
    p = spawnSync(process.execPath, [cli, app, out], { encoding: "utf8" });
    assert.equal(p.status, 1);
    assert.match(p.stderr, /cli\.ts\(1,35\): error TS2345/);
    assert.match(p.stderr, /1 problem\(s\); .*cli\.js not written/);
    assert.equal(fs.existsSync(out), false, "the stale out.js is removed, so nothing old gets flashed");

    p = spawnSync(process.execPath, [cli, path.join(TMP, "missing.ts"), out], { encoding: "utf8" });
    assert.equal(p.status, 1);
    assert.match(p.stderr, /missing\.ts: no such file/);

    p = spawnSync(process.execPath, [cli, app], { encoding: "utf8" });
    assert.equal(p.status, 2);
    assert.match(p.stderr, /usage: node build\/tools\/app-ts\.js app\.ts out\.js/);
  });
});

describe("a TypeScript app on Espruino's interpreter (ESPRUINO=...)", function () {
  this.timeout(60000);
  const bin = (process.env.ESPRUINO || "").split(":")[0];
  before(function () {
    if (!bin) {
      console.log("    (skipped: set ESPRUINO to an Espruino Linux binary to run a compiled TypeScript app on the real interpreter)");
      this.skip();
    }
  });

  it("the ES5 that app-ts emits (the ten-line app; const enum, default parameters, a closure per for...of pass, a template) runs", () => {
    const more = [
      "const enum Port { HTTP = 8080 }",
      "var srv2 = require(\"ENC28J60\").connect(SPI2, B10).createServer({ port: Port.HTTP });",
      "var sum = 0;",
      "for (const k of [1, 2, 3]) { setTimeout(function () { sum += k; if (k === 3) console.log(`sum ${sum}`); }, k); }",
      "var f = (a = 1, { b } = { b: 2 }) => a + b;",
      "console.log(`f ${f()} ${f(5, { b: 5 })} port ${srv2.port}`);",
    ].join("\n");
    const r = compile(TEN_LINES + more + "\n", "real.ts");
    assert.deepEqual(r.errors, []);
    // Espruino's Linux build has D pins and no board: the pins and the library module stubbed
    const stub = "exports.connect = function (spi, cs, o) { console.log('connect ' + (!!o && o.int === D11)); var e = {" +
      " setIP: function (cb) { cb(null, { ip: '192.0.2.7' }); return true; }, on: function (n, f) { f(true); return e; }," +
      " createServer: function (so) { var s = { port: so && so.port || 80, get: function (p, h) { h({}, { json: function (v) { console.log('json ' + JSON.stringify(v)); } }); return s; } }; return s; } }; return e; };";
    const prelude = "var B10 = D10, B1 = D11, LED1 = D12, BTN = D13, SPI2 = new SPI();\n" +
      "Modules.addCached('ENC28J60', " + JSON.stringify(stub) + ");\n";
    const file = path.join(TMP, "real.js");
    fs.writeFileSync(file, prelude + r.js + "\nsetTimeout(function () { console.log('done'); quit(); }, 100);\n");
    const c = interpreterCommand(bin);
    const p = spawnSync(c.cmd, c.args.concat([file]), { input: "", timeout: 30000, encoding: "latin1" });
    const out = ((p.stdout || "") + (p.stderr || "")).replace(/\r/g, "");
    assert.doesNotMatch(out, /Uncaught|Error/, out.slice(-1500));
    assert.match(out, /connect true\nup at http:\/\/192\.0\.2\.7\/\njson \{"pressed":false,"at":[\d.]+\}\nconnect false\nf 3 10 port 8080\n/);
    assert.match(out, /sum 6/);
    assert.match(out, /done/);
  });
});

describe("the library's declarations (types/enc28j60.d.ts)", function () {
  this.timeout(120000);

  it("every documented name types: connect, the WIZnet names, events, the server, requests and responses", () => {
    const r = compile(`
var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27, baud: 16000000,
  mac: "02:00:00:00:00:01", slots: 3, sendPool: 2048, mtu: 576, hostname: "kitchen" });
var maybe = require("ENC28J60").connect(SPI2, B10, undefined, function (err) { if (err) console.log(err.message); });
if (maybe) maybe.service();
var info = eth.getIP();
var s: string = info.ip + info.netmask + info.subnet + info.gateway + info.mac + info.dhcp + (info.dns || "");
eth.setIP({ ip: "192.0.2.10", netmask: "255.255.255.0", gateway: "192.0.2.1", dns: "192.0.2.1" }, function (err, ip) { if (!err && ip) s = ip.ip; });
eth.setIP();
eth.setHostname("kitchen");
var h: string = eth.getHostname();
var st = eth.getStatus();
var link: boolean = st.link;
var frames: number = st.frames[0] + st.slots;
eth.on("link", function (up: boolean) { LED1.write(up); }).on("ip", function (ip) { console.log(ip.ip); });
var srv = eth.createServer({ port: 8080, files: false, inBuffers: 2, outBuffers: 2 });
srv.get("/t", function (req, res) { res.json({ t: E.getTemperature(), q: req.query("q"), p: req.path() }); })
  .post("/led", function (req, res) { LED1.write(req.form("on") === "1"); var body = req.json(); res.json({ ok: true, body: body }, 201); })
  .put("/x", function (req, res) { res.header("Cache-Control", "no-store").send(200, "text/plain", req.text()); })
  .del("/x", function (req, res) { res.send(204, "text/plain"); })
  .prefix("/raw/", function (req, res) { var w = res.begin(200, "text/plain"); w.str("v=").num(req.version).jstr(req.methodName); res.end(); })
  .asset("/hello.txt", "hello", { type: "text/plain" })
  .asset("/big.bin", function (off, len) { return new Uint8Array(len); }, undefined, 4096)
  .listen(80);
var port: number = srv.port;
console.log(s, h, link, frames, port);
`, "api.ts");
    assert.deepEqual(r.errors, []);
  });
});

describe("Espruino's declarations: @types/espruino + hal/espruino-augment.d.ts", function () {
  this.timeout(120000);

  it("the augmentation's overloads come first: Espruino's real types, not the package's any/string", () => {
    const ok = compile(`
var buf = new Uint8Array(4);
var back: Uint8Array = SPI1.send(buf, A4);
var one: number = SPI1.send(0x55);
var str: string = SPI1.send("ab", A4);
SPI1.write(buf, A4);
SPI1.write(1, 2, "x", A4);
SPI1.setup({ sck: A5, miso: A6, mosi: A7, baud: 8000000, mode: 0, order: "msb" });
A0.write(1); B3.write(false); LED2.write(0);
var id: number = setWatch(function (e) { var t: number = e.time + e.lastTime; console.log(e.state, t); }, BTN, { edge: "falling", repeat: true, debounce: 20 });
clearWatch(id); clearWatch();
pinMode(C13, "input_pullup"); pinMode(C13);
var serial: string = getSerial();
var crc: number = E.CRC32("abc") + E.sum(buf);
var bin: string = E.toString(buf, 1, 2);
var arr: Uint8Array = E.toUint8Array("a", [1, 2], 3);
var size: number = E.getSizeOf({});
E.on("init", function () {});
var t1: number = setTimeout(function () {}, 10); clearTimeout(t1); clearTimeout();
var t2: number = setInterval(function (a: number) { console.log(a); }, 10, 7); clearInterval(t2);
var m = process.memory(false);
var free: number = m.free + m.total + m.usage + m.blocksize;
var storage = require("Storage");
var body: string | undefined = storage.read("www/index.html", 0, 64);
var ab: ArrayBuffer | undefined = storage.readArrayBuffer("www/index.html");
var names: string[] = storage.list(/^www\\//);
var wrote: boolean = storage.write("settings", "{}");
var http = require("http");
http.createServer(function (req: any, res: any) { res.end("hi"); }).listen(80);
var net = require("net");
net.connect({ host: "192.0.2.1", port: 7 }, function () {});
var drv = require("NetworkJS").create({ create: function (host: string, port: number) { return 0; } });
var n0: number = drv.create("192.0.2.1", 80);
var udp = require("dgram").createSocket("udp4");
udp.bind(5353, function (sck) { sck.addMembership("224.0.0.251", "192.0.2.2"); });
udp.on("message", function (msg, rinfo) { var from: string = rinfo.address + ":" + rinfo.port; console.log(msg.length, from); });
udp.send("ping", 7, "192.0.2.1");
udp.close();
var anyModule: number = require("Wifi").x;
var hex: number = parseInt("ff", 16) + parseInt("7");
var b64: string = btoa("hi") + atob("aGk=") + encodeURIComponent("a b") + decodeURIComponent("a%20b");
console.log(back, one, str, serial, crc, bin, arr, size, free, body, ab, names, wrote, anyModule, hex, b64, n0);
`, "espruino.ts");
    assert.deepEqual(ok.errors, []);

    const bad = compile([
      `var id: string = setWatch(function () {}, BTN, { edge: "falling" });`,
      `var r: string = SPI1.send(new Uint8Array(2), A4);`,
      `var s: number = getSerial();`,
      `var st: number = require("Storage");`,
      `setWatch(function () {}, BTN, { edge: "down" });`,
      `pinMode(A0, "pullup");`,
      `var p: string = parseInt("ff", 16);`,
      `var q: number = btoa("hi");`,
    ].join("\n") + "\n", "wrong.ts");
    const e = errs(bad);
    assert.match(e, /wrong\.ts\(1,5\): error TS2322: Type 'number' is not assignable to type 'string'/);
    assert.match(e, /wrong\.ts\(2,5\): error TS2322: Type 'Uint8Array.*' is not assignable to type 'string'/);
    assert.match(e, /wrong\.ts\(3,5\): error TS2322: Type 'string' is not assignable to type 'number'/);
    assert.match(e, /wrong\.ts\(4,5\): error TS2322: Type 'StorageModule' is not assignable to type 'number'/);
    assert.match(e, /wrong\.ts\(5,\d+\): error TS2769[^]*'"down"' is not assignable/);
    assert.match(e, /wrong\.ts\(6,\d+\): error TS2345: Argument of type '"pullup"'/);
    assert.match(e, /wrong\.ts\(7,5\): error TS2322: Type 'number' is not assignable to type 'string'/);
    assert.match(e, /wrong\.ts\(8,5\): error TS2322: Type 'string' is not assignable to type 'number'/);
    // (where the package takes `any`, as SPI.setup's options, its overload still accepts anything:
    // an augmentation adds overloads, it cannot take the package's away; docs/typescript.md)
  });

  it("every augmentation entry says why: what the package gets wrong or lacks, and Espruino's source", () => {
    const file = path.join(ROOT, "hal", "espruino-augment.d.ts");
    const text = fs.readFileSync(file, "utf8");
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES5, true);
    const undocumented: string[] = [];
    const why = (node: ts.Node): string =>
      (ts.getLeadingCommentRanges(text, node.getFullStart()) || []).map((c) => text.slice(c.pos, c.end)).join("\n");
    const entry = (node: ts.Node, name: string): void => {
      const w = why(node);
      if (!/package/.test(w) || !/jswrap_\w+\.c|boards\/\*\.py/.test(w)) undocumented.push(name);
    };
    let entries = 0;
    sf.statements.forEach((s, i) => {
      const prev = sf.statements[i - 1];
      if (ts.isFunctionDeclaration(s) && !(prev && ts.isFunctionDeclaration(prev) && prev.name!.text === s.name!.text)) { entries++; entry(s, s.name!.text); }
      if ((ts.isInterfaceDeclaration(s) || ts.isModuleDeclaration(s)) && ["Pin", "SPI", "E"].indexOf(s.name.text) >= 0) {
        const members: ts.Node[] = ts.isInterfaceDeclaration(s) ? s.members.slice() : ((s.body as ts.ModuleBlock).statements.slice());
        let first = true;
        for (const m of members) {
          const name = s.name.text + "." + ((m as any).name ? (m as any).name.text : "?");
          // (overloads of one member share the first one's comment)
          const prev = members[members.indexOf(m) - 1] as any;
          if (!first && prev && prev.name && (m as any).name && prev.name.text === (m as any).name.text) continue;
          first = false;
          entries++;
          // a member whose comment is only about its parameters (setup's options) points to its type
          if (name === "SPI.setup") { if (!/jswrap_spi_i2c\.c/.test(why(sf.statements.find((x) => ts.isInterfaceDeclaration(x) && x.name.text === "SpiSetup")!))) undocumented.push(name); continue; }
          entry(m, name);
        }
      }
    });
    assert.ok(entries >= 18, `${entries} entries found`);
    assert.deepEqual(undocumented, []);
  });

  it("the host build's subset (hal/espruino-globals.d.ts) has only names the device declarations have, with compatible types", () => {
    const file = path.join(ROOT, "hal", "espruino-globals.d.ts");
    const text = fs.readFileSync(file, "utf8");
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES5, true);
    // option records the host code builds (and passes in): the host's must be acceptable to the device's
    const INPUT = ["SpiSetup", "WatchOptions"];
    // the type of E (a namespace on the device): checked through the variable E
    const HOST_ONLY = ["EspruinoE"];
    const checks: string[] = [];
    const inner: string[] = [];
    const names = new Set<string>();
    for (const s of sf.statements) {
      // The host's Pin is checked once against the device's (below); everywhere else a Pin is the
      // device's, so records and parameters holding pins compare on their own members.
      const own = text.slice(s.getStart(sf), s.end).replace(/^declare /, "");
      inner.push(ts.isInterfaceDeclaration(s) && s.name.text === "Pin" ? own : own.replace(/\bPin\b/g, "DevicePin"));
      if (ts.isInterfaceDeclaration(s)) {
        const nm = s.name.text;
        if (HOST_ONLY.indexOf(nm) >= 0) continue;
        if (INPUT.indexOf(nm) >= 0) checks.push(`declare var h_${nm}: Host.${nm}; var d_${nm}: ${nm} = h_${nm};`);
        else checks.push(`declare var d_${nm}: ${nm}; var h_${nm}: Host.${nm} = d_${nm};`);
      } else if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) names.add((d.name as ts.Identifier).text);
      } else if (ts.isFunctionDeclaration(s)) {
        names.add(s.name!.text);
      } else {
        assert.fail(`unexpected statement in the host subset: ${text.slice(s.getStart(sf), s.end)}`);
      }
    }
    for (const nm of names) checks.push(`var v_${nm}: typeof Host.${nm} = ${nm};`);
    assert.ok(names.has("E") && names.has("setWatch") && names.has("SPI2") && names.has("getSerial"));
    const r = compile(`type DevicePin = Pin;\ndeclare namespace Host {\n${inner.join("\n")}\n}\n${checks.join("\n")}\n`, "host-subset.ts");
    assert.deepEqual(r.errors.filter((e) => / error /.test(e)), []);
  });

  it("the device build is configured with them and the host builds are not (make bundle-all's tsc -p tsconfig.device.json proves it compiles)", () => {
    const files = (config: string): string[] => {
      const read = ts.readConfigFile(path.join(ROOT, config), ts.sys.readFile);
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT);
      return parsed.fileNames.map((f) => path.relative(ROOT, f)).concat(["types:" + (parsed.options.types || []).join(",")]);
    };
    const device = files("tsconfig.device.json");
    assert.ok(device.indexOf("hal/espruino-augment.d.ts") >= 0);
    assert.ok(device.indexOf("hal/espruino-globals.d.ts") < 0);
    assert.ok(device.indexOf("types:espruino") >= 0);
    assert.ok(device.indexOf("boards/start.ts") >= 0 && device.indexOf("hal/espruino.ts") >= 0);
    const host = files("tsconfig.json");
    assert.ok(host.indexOf("hal/espruino-augment.d.ts") < 0);
    assert.ok(host.indexOf("hal/espruino-globals.d.ts") >= 0);
    assert.ok(host.indexOf("types:espruino") < 0);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    assert.equal(pkg.devDependencies["@types/espruino"], "1.95.0", "pinned exactly");
  });
});
