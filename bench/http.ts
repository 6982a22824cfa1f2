// HTTP bench: (1) the server alone over a null TCP (parser + response cost, requests/s on this
// host, bytes allocated per request in steady state with global.gc), (2) the whole device over
// the emulated wire (driver + IP + TCP + HTTP, a project-TCP client on the far end): requests/s
// (host wall clock) for the small /api/led JSON and the page, with and without keep-alive, SPI
// bytes per request, frames per request.
import { installEspruinoShims } from "../hal/host/espruino-shims";
installEspruinoShims();
import { createHttpServer } from "../firmware/http/server";
import { TcpApi, TcpHandler } from "../firmware/http/tcp-api";
import { Rig } from "../test/unit/http/rig";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { bundleBoard } from "../tools/bundle";

const gc: (() => void) | undefined = (global as any).gc;

function nullTcp(): TcpApi & { h: TcpHandler | null; bytes: number } {
  const t = {
    h: null as TcpHandler | null, bytes: 0,
    listen(_p: number, h: TcpHandler) { t.h = h; return true; },
    write(_c: number, _b: Uint8Array, _o: number, len: number) { t.bytes += len; return len; },
    space() { return 1 << 20; },
    close() { /* */ }, abort() { /* */ },
  };
  return t;
}

function serverOnly(): void {
  const tcp = nullTcp();
  const srv = createHttpServer(tcp, { slots: 4 });
  srv.asset("/", "<!doctype html><title>x</title><p>small page</p>", { type: "text/html" });
  srv.route("/api/x", "GET,POST", (req, res) => {
    const w = res.begin(200, "application/json");
    w.str('{"ok":true,"n":').num(req.bodyLen).str("}");
    res.end();
  });
  const reqs: [string, Uint8Array][] = [
    ["GET asset", new Uint8Array(Buffer.from("GET / HTTP/1.1\r\nHost: 192.0.2.2\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n"))],
    ["GET handler", new Uint8Array(Buffer.from("GET /api/x?a=1 HTTP/1.1\r\nHost: 192.0.2.2\r\nAccept: */*\r\n\r\n"))],
    ["POST form", new Uint8Array(Buffer.from("POST /api/x HTTP/1.1\r\nHost: 192.0.2.2\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\nname=abcd"))],
    ["404", new Uint8Array(Buffer.from("GET /missing HTTP/1.1\r\nHost: 192.0.2.2\r\n\r\n"))],
  ];
  const h = tcp.h!;
  h.open(0);
  console.log("http server alone (null TCP, in-place parse, keep-alive):");
  console.log("  request          req/s (host)   bytes allocated/request (steady state)");
  for (const [name, bytes] of reqs) {
    for (let i = 0; i < 2000; i++) h.data(0, bytes, 0, bytes.length);     // warm up (JIT)
    const n = 100000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) h.data(0, bytes, 0, bytes.length);
    const ns = Number(process.hrtime.bigint() - t0);
    let alloc = "n/a (run with node --expose-gc)";
    if (gc) {
      const m = 2000;
      gc(); gc();
      const a0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < m; i++) h.data(0, bytes, 0, bytes.length);
      const a1 = process.memoryUsage().heapUsed;
      alloc = ((a1 - a0) / m).toFixed(1);
    }
    console.log(`  ${name.padEnd(16)} ${String(Math.round(n / (ns / 1e9))).padStart(10)}     ${alloc}`);
  }
  // split requests: every request in two segments (copied into a pool buffer)
  const b = reqs[1][1];
  const half = 20;
  const m = 2000;
  if (gc) {
    for (let i = 0; i < 500; i++) { h.data(0, b, 0, half); h.data(0, b, half, b.length - half); }
    gc(); gc();
    const a0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < m; i++) { h.data(0, b, 0, half); h.data(0, b, half, b.length - half); }
    const a1 = process.memoryUsage().heapUsed;
    console.log(`  ${"split in two".padEnd(16)} ${"".padStart(10)}     ${((a1 - a0) / m).toFixed(1)}  (one subarray view per stashed segment)`);
  }
}

function overWire(path: string, keepAlive: boolean, n: number): void {
  const rig = new Rig({ slots: 6 });
  const req = `GET ${path} HTTP/1.1\r\nHost: 192.0.2.2\r\n${keepAlive ? "" : "Connection: close\r\n"}\r\n`;
  let k = rig.connect();
  // warm-up request
  // a response is complete when its Content-Length bytes follow the head
  const done = (_cnt: number): boolean => {
    const t = k.text();
    const he = t.indexOf("\r\n\r\n");
    const m = /Content-Length: (\d+)/.exec(t);
    return he > 0 && !!m && t.length >= he + 4 + +m[1];
  };
  rig.write(k, req);
  rig.until(() => done(1), 5000);
  if (!keepAlive) { rig.until(() => k.peerClosed, 5000); rig.ptcp.close(k.c); }
  rig.emu.resetCounters();
  const f0 = rig.dev.driver.counters.rxFrames + rig.dev.driver.counters.txFrames;
  const v0 = rig.emu.now();
  const t0 = process.hrtime.bigint();
  let ok = 0;
  k.data = [];
  for (let i = 0; i < n; i++) {
    if (!keepAlive) k = rig.connect();
    rig.write(k, req);
    if (!rig.until(() => done(1), 5000)) break;
    k.data = [];
    ok++;
    if (!keepAlive) { rig.until(() => k.peerClosed, 5000); rig.ptcp.close(k.c); rig.run(2); }
  }
  const ns = Number(process.hrtime.bigint() - t0);
  const c = rig.emu.counters;
  const frames = rig.dev.driver.counters.rxFrames + rig.dev.driver.counters.txFrames - f0;
  console.log(`  ${(path + (keepAlive ? " keep-alive" : " close")).padEnd(24)} ${String(ok).padStart(4)} ok ${String(Math.round(ok / (ns / 1e9))).padStart(7)} req/s  ` +
    `${String(Math.round((c.bytesToChip + c.bytesFromChip) / Math.max(1, ok))).padStart(6)} SPI B/req  ${String(Math.round(c.transactions / Math.max(1, ok))).padStart(4)} SPI tx/req  ` +
    `${(frames / Math.max(1, ok)).toFixed(1).padStart(5)} frames/req  ${((rig.emu.now() - v0) / Math.max(1, ok)).toFixed(1).padStart(6)} virtual ms/req`);
}

// The server alone on a real Espruino interpreter (ESPRUINO=/path/to/espruino, Linux build):
// microseconds per request of interpreter time (this host's CPU, not a board's).
const ESPRUINO_TIMING = `
import { createHttpServer } from "../firmware/http/server.js";
var tcp = { h: null, listen: function (p, h) { tcp.h = h; return true; }, write: function (c, b, o, l) { return l; }, space: function () { return 100000; }, close: function () {}, abort: function () {} };
var srv = createHttpServer(tcp, { slots: 4 });
srv.asset("/", "<!doctype html><p>small page</p>", { type: "text/html" });
srv.route("/api/x", "GET,POST", function (req, res) { var w = res.begin(200, "application/json"); w.str('{"ok":true,"n":').num(req.bodyLen).str("}"); res.end(); });
var reqs = [
  ["GET asset (7 headers)", "GET / HTTP/1.1\\r\\nHost: 192.0.2.2\\r\\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\\r\\nAccept: text/html,*/*\\r\\nAccept-Encoding: gzip, deflate\\r\\nAccept-Language: en\\r\\nConnection: keep-alive\\r\\n\\r\\n"],
  ["GET handler", "GET /api/x HTTP/1.1\\r\\nHost: 192.0.2.2\\r\\nAccept: */*\\r\\n\\r\\n"],
  ["POST form", "POST /api/x HTTP/1.1\\r\\nHost: 192.0.2.2\\r\\nContent-Type: application/x-www-form-urlencoded\\r\\nContent-Length: 9\\r\\n\\r\\nname=abcd"],
  ["404", "GET /missing HTTP/1.1\\r\\nHost: 192.0.2.2\\r\\n\\r\\n"]
];
tcp.h.open(0);
for (var i = 0; i < reqs.length; i++) {
  var b = E.toUint8Array(reqs[i][1]);
  var n = 300, t0 = getTime();
  for (var k = 0; k < n; k++) tcp.h.data(0, b, 0, b.length);
  print("@@  " + reqs[i][0] + ", " + b.length + " bytes: " + ((getTime() - t0) * 1e6 / n).toFixed(0) + " us/request");
}
`;

async function onEspruino(): Promise<void> {
  const bin = process.env.ESPRUINO;
  if (!bin || !fs.existsSync(bin)) { console.log("on a real Espruino interpreter: skipped (set ESPRUINO to an Espruino Linux binary)"); return; }
  const root = path.resolve(__dirname, "..", "..");
  const entry = path.join(root, "build", "device", "boards", "_httptime.js");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "http-bench-"));
  try {
    fs.writeFileSync(entry, ESPRUINO_TIMING);
    const b = await bundleBoard("_httptime", out);
    const r = spawnSync(bin, [b.file], { encoding: "latin1", timeout: 60000 });
    console.log("server alone on Espruino (Linux build, this host's CPU; a board is far slower):");
    for (const l of r.stdout.split("\n")) if (l.startsWith("@@")) console.log(l.slice(2));
  } finally {
    fs.rmSync(entry, { force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  serverOnly();
  await onEspruino();
  console.log("whole device over the emulated wire (host wall clock; SPI counted by the emulator):");
  overWire("/api/led", true, 300);
  overWire("/api/led", false, 150);
  overWire("/", true, 150);
  overWire("/", false, 100);
}

if (require.main === module) run();
