// The optional pieces wired into the library module: an app using Espruino's own require("http")
// over require("ENC28J60") gets the NetworkJS and DNS pieces (not the project's HTTP server) and
// serves its page on the simulated board (vm engine); eth.resolve() goes through the resolver; an
// app naming mdns gets the responder, started by connect(); static files (www/, asset()) are the
// "files" piece, on top of the project's server.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as zlib from "zlib";
import * as os from "os";
import * as path from "path";
import { startSim, Sim } from "../../../sim/run";
import { choosePieces } from "../../../tools/pieces";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

/** Ten lines on Espruino's own http module, over the ENC28J60 (the sim's wiring). */
const HTTP_APP = `var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27, slots: 3 });
var hits = 0;
require("http").createServer(function (req, res) {
  hits++;
  res.writeHead(200, { "Content-Type": "text/html" });
  res.end("<h1>hello " + req.url + " " + hits + "</h1>");
}).listen(80);
eth.setIP(function (err, ip) { console.log(err ? "no address" : "app: address " + ip.ip); });
`;

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: p, agent: false, timeout: 15000 }, (res) => {
      let b = "";
      res.setEncoding("latin1");
      res.on("data", (d) => (b += d));
      res.on("end", () => resolve({ status: res.statusCode || 0, body: b }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

async function until(f: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function request(port: number, p: string, headers: { [k: string]: string } = {}): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: p, agent: false, timeout: 15000, headers }, (res) => {
      const b: Buffer[] = [];
      res.on("data", (d: Buffer) => b.push(d));
      res.on("end", () => resolve({ status: res.statusCode || 0, body: Buffer.concat(b), headers: res.headers }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

describe("library module: the optional pieces (files, dns, mdns, networkjs)", function () {
  this.timeout(120000);
  const tmp: string[] = [];
  const mk = (prefix: string): string => { const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix)); tmp.push(d); return d; };
  after(() => { for (const d of tmp) fs.rmSync(d, { recursive: true, force: true }); });

  it("chooses them from the app's source: Espruino's http brings networkjs and dns, not the project's server", () => {
    const c = choosePieces(HTTP_APP);
    // (acd: the default piece, in every build unless left out)
    assert.deepEqual(c.pieces.map((p) => p.name), ["acd", "lease", "dns", "networkjs"]);
    assert.equal(c.why.dns, "needed by networkjs");
    assert.deepEqual(choosePieces("var net = require('net'); net.createServer(function (s) {});").pieces.map((p) => p.name), ["acd", "lease", "dns", "networkjs"]);
    assert.deepEqual(choosePieces("eth.resolve('example.org', cb)").pieces.map((p) => p.name), ["acd", "lease", "dns"]);
    assert.deepEqual(choosePieces("connect(SPI1, D5, { mdns: true })").pieces.map((p) => p.name), ["acd", "lease", "mdns"]);
    assert.deepEqual(choosePieces("var s = eth.createServer();").pieces.map((p) => p.name), ["acd", "lease", "http"]);
    // UDP datagrams of the app's own (dgram) bring reassembly; reading .counters, their names
    assert.deepEqual(choosePieces("var d = require('dgram').createSocket('udp4');").pieces.map((p) => p.name), ["acd", "lease", "reasm", "dns", "networkjs"]);
    assert.deepEqual(choosePieces("console.log(eth.stack.counters.ip)", "-acd -lease").pieces.map((p) => p.name), ["counters"]);
  });

  it("files: chosen for an app on the project's server with a www/ folder or asset(), never for one on Espruino's http; PIECES= decides", () => {
    const SERVER = "var srv = eth.createServer(); srv.get('/', function (req, res) { res.json(1); });";
    assert.deepEqual(choosePieces(SERVER).pieces.map((p) => p.name), ["acd", "lease", "http"]);
    const www = choosePieces(SERVER, undefined, true);
    assert.deepEqual(www.pieces.map((p) => p.name), ["acd", "lease", "http", "files"]);
    assert.equal(www.why.files, "detected: www/ files");
    assert.deepEqual(choosePieces("var s = eth.createServer(); s.asset('/a.txt', 'hi');").pieces.map((p) => p.name), ["acd", "lease", "http", "files"]);
    // a www/ folder next to an app on Espruino's own http is not this server's: no files piece
    assert.deepEqual(choosePieces(HTTP_APP, undefined, true).pieces.map((p) => p.name), ["acd", "lease", "dns", "networkjs"]);
    assert.deepEqual(choosePieces(SERVER, "-files", true).pieces.map((p) => p.name), ["acd", "lease", "http"]);
    const named = choosePieces("", "files");
    assert.deepEqual(named.pieces.map((p) => p.name), ["http", "files"]);
    assert.equal(named.why.http, "needed by files");
  });

  it("files: an app with a www/ folder serves it (ETag, 304, gzip, / for index.html); without the piece it says so, 404s and asset() throws", async () => {
    const dir = mk("pieces-files-");
    const app = path.join(dir, "app.js");
    fs.writeFileSync(app, `var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27, slots: 3 });
eth.setIP(function (err, ip) { console.log(err ? "no address" : "app: address " + ip.ip); });
var srv = eth.createServer();
srv.get("/n", function (req, res) { res.json({ n: 1 }); });
`);
    const page = "<h1>files piece</h1>\n".repeat(20);
    fs.mkdirSync(path.join(dir, "www"));
    fs.writeFileSync(path.join(dir, "www", "index.html"), page);
    fs.writeFileSync(path.join(dir, "www", "index.html.gz"), zlib.gzipSync(page));
    fs.writeFileSync(path.join(dir, "www", "a.txt"), "plain\n");
    for (const pieces of [undefined, "-files"]) {
      const lines: string[] = [];
      let sim: Sim | null = null;
      try {
        sim = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app, pieces, port: 0, storage: mk("pieces-storage-"), out: (l) => lines.push(l), onFatal: (m) => lines.push("FATAL " + m) });
        await sim.ready;
        await until(() => lines.some((l) => /^app: address /.test(l)), 20000, "the app's address\n" + lines.join("\n"));
        assert.equal((await request(sim.port, "/n")).body.toString(), '{"n":1}');
        const root = await request(sim.port, "/");
        if (pieces === undefined) {
          assert.equal(root.status, 200, lines.join("\n"));
          assert.equal(root.body.toString(), page);
          assert.match(String(root.headers["content-type"]), /^text\/html/);
          const etag = String(root.headers.etag);
          assert.match(etag, /^"[0-9a-f]{8}"$/);
          assert.equal((await request(sim.port, "/index.html", { "If-None-Match": etag })).status, 304);
          const gz = await request(sim.port, "/index.html", { "Accept-Encoding": "gzip" });
          assert.equal(gz.headers["content-encoding"], "gzip");
          assert.equal(zlib.gunzipSync(gz.body).toString(), page);
          assert.equal((await request(sim.port, "/a.txt")).body.toString(), "plain\n");
          assert.equal(sim.board.evalLine('srv.asset("/x", "y") === srv'), "=true");
          assert.equal((await request(sim.port, "/x")).body.toString(), "y");
        } else {
          assert.equal(root.status, 404);
          assert.ok(lines.some((l) => /^http: no 'files' piece in this build \(make image PIECES=\+files\): the Storage files www\/\.\.\. are not served/.test(l)), lines.join("\n"));
          assert.match(sim.board.evalLine('try { srv.asset("/x", "y"); "no error" } catch (e) { e.message }'), /no 'files' piece in this build .*asset\(\)/);
          assert.equal(sim.board.evalLine("typeof srv.http.asset"), '="undefined"');
        }
        assert.ok(!lines.some((l) => /FATAL|Uncaught/.test(l)), lines.join("\n"));
      } finally {
        if (sim) await sim.close();
      }
    }
  });

  it("a ten-line app on require(\"ENC28J60\") and Espruino's require(\"http\") serves its page in the sim; eth.resolve answers", async () => {
    const dir = mk("pieces-app-");
    const app = path.join(dir, "app.js");
    fs.writeFileSync(app, HTTP_APP);
    const lines: string[] = [];
    let sim: Sim | null = null;
    try {
      sim = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app, port: 0, storage: mk("pieces-storage-"), out: (l) => lines.push(l), onFatal: (m) => lines.push("FATAL " + m) });
      await sim.ready;
      await until(() => lines.some((l) => /^app: address 192\.0\.2\.\d+$/.test(l)), 20000, "the app's address\n" + lines.join("\n"));
      for (let i = 1; i <= 3; i++) {
        const r = await get(sim.port, "/p" + i);
        assert.equal(r.status, 200, lines.join("\n"));
        assert.equal(r.body, "<h1>hello /p" + i + " " + i + "</h1>");
      }
      const board = sim.board;
      // the module holds what the app uses: NetworkJS and the resolver, not the project's server
      assert.equal(board.evalLine("typeof eth.resolve + ' ' + typeof eth.createServer"), '="function undefined"');
      // a dotted quad resolves at once; a name with no DNS server to ask fails with its code
      board.evalLine('eth.resolve("192.0.2.9", function (e, ip) { console.log("q1 " + (e ? e.code : ip)); })');
      board.evalLine('eth.dns = 0; eth.resolve("board.example", function (e, ip) { console.log("q2 " + (e ? e.code + " " + e.message : ip)); })');
      await until(() => lines.some((l) => /^q2 /.test(l)), 15000, "the second lookup");
      assert.ok(lines.includes("q1 192.0.2.9"), lines.join("\n"));
      const q2 = lines.find((l) => /^q2 /.test(l))!;
      assert.match(q2, /^q2 -[0-9]+ ENC28J60: board\.example: /);
      assert.equal((await get(sim.port, "/after")).status, 200, "still serving");
      assert.ok(!lines.some((l) => /FATAL|Uncaught/.test(l)), lines.join("\n"));
    } finally {
      if (sim) await sim.close();
    }
  });

  it("an app naming mdns starts the responder in connect() (probing, then running)", async () => {
    const dir = mk("pieces-mdns-");
    const app = path.join(dir, "app.js");
    fs.writeFileSync(app, `var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27, hostname: "lab", mdns: true });
eth.setIP(function (err, ip) { console.log(err ? "no address" : "app: address " + ip.ip); });
`);
    const lines: string[] = [];
    let sim: Sim | null = null;
    try {
      sim = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app, port: 0, storage: mk("pieces-storage-"), out: (l) => lines.push(l), onFatal: (m) => lines.push("FATAL " + m) });
      await sim.ready;
      const board = sim.board;
      await until(() => board.evalLine("eth.mdns.state()") === '="running"', 30000, "mDNS running: " + board.evalLine("eth.mdns.state()") + "\n" + lines.join("\n"));
      assert.equal(board.evalLine("eth.mdns.name()"), '="lab"');
      // a new host name is probed and announced again
      board.evalLine('eth.setHostname("lab2")');
      assert.notEqual(board.evalLine("eth.mdns.state()"), '="running"');
      await until(() => board.evalLine("eth.mdns.state()") === '="running"', 30000, "mDNS running again");
      assert.equal(board.evalLine("eth.mdns.name()"), '="lab2"');
    } finally {
      if (sim) await sim.close();
    }
  });
});
