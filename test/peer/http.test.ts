// The device's HTTP server against Linux clients (curl, ab, raw sockets from python3) inside a
// test-made network namespace: TAP at 192.0.2.1/24, the simulated board at 192.0.2.2, no route
// out. Test asset: `device.addTestAsset(path, size)` on the device console registers `size`
// bytes with byte i = (i*31 + (i>>8)) & 255 (firmware/app/app.ts).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { requirePeerTests, startPeerBench, PeerBench } from "./lib/netns";
import { pageFiles } from "../../tools/gen-assets";
import * as L from "../../firmware/http/limits";

// The page as `make bundle` builds it into dist/www (the sim preloads Storage with it).
const PAGE_HTML = pageFiles()["index.html"].toString("latin1");

// Sends stdin as one write to 192.0.2.2:80 (or in pieces with a pause), prints everything
// received until the device closes or 10 s pass, as latin-1.
const RAW_CLIENT = `
import socket, sys, time
data = sys.stdin.buffer.read()
pause = float(sys.argv[1]) if len(sys.argv) > 1 else 0
s = socket.create_connection(("192.0.2.2", 80), timeout=10)
if pause:
    for i in range(0, len(data), 5):
        s.sendall(data[i:i+5]); time.sleep(pause)
else:
    s.sendall(data)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b: break
        out += b
except socket.timeout:
    out += b"<timeout>"
sys.stdout.write(out.decode("latin-1"))
`;

// Debian's python3 directly (a pyenv shim on PATH costs a second per start).
const PY = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 255;
  return b;
}

describe("http: real peers (curl, ab, python) in a network namespace", function () {
  this.timeout(180000);
  let bench: PeerBench | null = null;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "http-peer-"));
  const url = (p: string) => "http://192.0.2.2" + p;

  before(async function () {
    requirePeerTests(this, ["curl", "ab"]);
    bench = await startPeerBench({ name: "http", simArgs: ["--slots", "8"] });
  });
  after(async () => {
    if (bench) await bench.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function curl(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const r = await bench!.run("curl", ["-sS", "--max-time", "20"].concat(args), { timeoutMs: 25000 });
    return { code: r.code, out: r.stdout, err: r.stderr };
  }
  async function raw(req: string, pause = 0): Promise<string> {
    const r = await bench!.run(PY, ["-c", RAW_CLIENT].concat(pause ? [String(pause)] : []), { input: req, timeoutMs: 30000 });
    return r.stdout;
  }
  function statusOf(resp: string): number {
    const m = /^HTTP\/1\.1 (\d{3}) /.exec(resp);
    return m ? +m[1] : -1;
  }

  it("GET / byte-exact; HEAD; ETag -> 304; gzip only when accepted", async () => {
    const f = path.join(tmp, "page.html");
    const g = await curl(["-D", "-", "-o", f, url("/")]);
    assert.equal(g.code, 0, g.err);
    assert.match(g.out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(fs.readFileSync(f, "latin1"), PAGE_HTML);
    const etag = /ETag: ("[^"]+")/.exec(g.out)![1];
    const h = await curl(["-I", url("/")]);
    assert.match(h.out, new RegExp("Content-Length: " + PAGE_HTML.length + "\r\n"));
    const nm = await curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: " + etag, url("/")]);
    assert.equal(nm.out, "304");
    const gz = path.join(tmp, "page.gz");
    const c = await curl(["-D", "-", "-o", gz, "-H", "Accept-Encoding: gzip", url("/")]);
    assert.match(c.out, /Content-Encoding: gzip\r\n/);
    assert.equal(zlib.gunzipSync(fs.readFileSync(gz)).toString("latin1"), PAGE_HTML);
    const dec = await curl(["--compressed", url("/")]);
    assert.equal(Buffer.from(dec.out, "utf8").toString("latin1"), PAGE_HTML);
    const id = await curl(["-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip;q=0", url("/")]);
    assert.doesNotMatch(id.out, /Content-Encoding/);
  });

  it("404, 405 with Allow, OPTIONS, HTTP/1.0, keep-alive reuse in one curl run", async () => {
    assert.equal((await curl(["-o", "/dev/null", "-w", "%{http_code}", url("/nope")])).out, "404");
    const d = await curl(["-D", "-", "-o", "/dev/null", "-X", "DELETE", url("/")]);
    assert.match(d.out, /^HTTP\/1\.1 405 /);
    assert.match(d.out, /Allow: GET, HEAD, OPTIONS\r\n/);
    const o = await curl(["-D", "-", "-o", "/dev/null", "-X", "OPTIONS", url("/api/led")]);
    assert.match(o.out, /^HTTP\/1\.1 204 /);
    const h10 = await curl(["-0", "-D", "-", "-o", "/dev/null", url("/")]);
    assert.match(h10.out, /Connection: close\r\n/);
    const ka = await curl(["-v", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", url("/"), url("/api/status"), url("/api/led")]);
    assert.equal(ka.code, 0, ka.err);
    assert.equal((ka.err.match(/Re-using existing connection|Reusing existing/g) || []).length, 2, ka.err);
  });

  it("every error status from raw requests, well-formed, connection closed", async () => {
    const cases: [string, number][] = [
      ["garbage\r\n\r\n", 400],
      ["GET / HTTP/1.1\r\n\r\n", 400],
      [`POST /api/led HTTP/1.1\r\nHost: d\r\nContent-Length: ${L.BODY_MAX + 1}\r\n\r\n`, 413],
      [`GET /${"u".repeat(L.REQUEST_LINE_MAX)} HTTP/1.1\r\nHost: d\r\n\r\n`, 414],
      [`GET / HTTP/1.1\r\nHost: d\r\n${("X-Pad: " + "p".repeat(100) + "\r\n").repeat(11)}\r\n`, 431],
      ["BREW / HTTP/1.1\r\nHost: d\r\n\r\n", 501],
      ["GET / HTTP/2.0\r\nHost: d\r\n\r\n", 505],
    ];
    for (const [req, status] of cases) {
      const resp = await raw(req);
      assert.equal(statusOf(resp), status, resp.slice(0, 100));
      assert.match(resp, /\r\nConnection: close\r\n/);
      assert.doesNotMatch(resp, /<timeout>/, "the device closed the connection");
      const len = +/Content-Length: (\d+)/.exec(resp)![1];
      assert.equal(resp.length - resp.indexOf("\r\n\r\n") - 4, len);
    }
  });

  it("408 for a client that stops mid-headers; split and pipelined requests", async () => {
    const slow = await raw("GET / HTTP/1.1\r\nHost:");
    assert.equal(statusOf(slow), 408);
    const split = await raw("GET /api/led HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n", 0.02);
    assert.equal(statusOf(split), 200);
    const piped = await raw("GET /api/led HTTP/1.1\r\nHost: d\r\n\r\nHEAD / HTTP/1.1\r\nHost: d\r\n\r\nGET /nope HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n");
    assert.deepEqual(piped.match(/HTTP\/1\.1 \d{3}/g), ["HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 404"]);
  });

  it("POST form and JSON; query strings; the LED state seen by the board", async () => {
    const on = await curl(["-d", "on=1", url("/api/led")]);
    assert.deepEqual(JSON.parse(on.out), { led: true });
    assert.equal(await bench!.consoleEval("device.led()"), "true");
    const off = await curl(["-X", "POST", "-d", "", url("/api/led?on=0")]);
    assert.deepEqual(JSON.parse(off.out), { led: false });
    assert.equal(await bench!.consoleEval("device.led()"), "false");
    const js = await curl(["-H", "Content-Type: application/json", "-d", '{"name":"Peer test \\u00e9"}', url("/api/settings")]);
    assert.deepEqual(JSON.parse(js.out), { ok: true, name: "Peer test \u00e9" });
    const form = await curl(["-D", "-", "-o", "/dev/null", "--data-urlencode", "name=Form & Co", url("/api/settings")]);
    assert.match(form.out, /^HTTP\/1\.1 303 /);
    assert.equal(await bench!.consoleEval("device.settings.name"), '"Form & Co"');
    const st = JSON.parse((await curl([url("/api/status")])).out);
    assert.equal(st.name, "Form & Co");
    assert.equal(st.ip, "192.0.2.2");
  });

  it("curl: a body over the limit gets 413 (with and without Expect: 100-continue); Expect honoured", async () => {
    for (const n of [L.BODY_MAX + 1, 5000]) {
      const f = path.join(tmp, "body" + n);
      fs.writeFileSync(f, "on=" + "1".repeat(n));
      const r = await curl(["-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@" + f, url("/api/led")]);
      assert.equal(r.out, "413", r.err);
    }
    const e = await curl(["-v", "-H", "Expect: 100-continue", "-d", "on=toggle", url("/api/led")]);
    assert.match(e.err, /HTTP\/1\.1 100 Continue/);
    assert.deepEqual(Object.keys(JSON.parse(e.out)), ["led"]);
  });

  it("a 200 KB asset arrives byte-exact", async () => {
    assert.equal(await bench!.consoleEval('device.addTestAsset("/t.bin", 204800)'), "204800");
    const f = path.join(tmp, "t.bin");
    const r = await curl(["-o", f, "-w", "%{http_code} %{size_download}", url("/t.bin")]);
    assert.equal(r.out, "200 204800", r.err);
    assert.ok(fs.readFileSync(f).equals(pattern(204800)));
  });

  for (const keepAlive of [false, true]) {
    it(`ab ${keepAlive ? "-k " : ""}-n 500 -c 4: zero failures`, async () => {
      const args = (keepAlive ? ["-k"] : []).concat(["-n", "500", "-c", "4", "-s", "10", url("/api/led")]);
      const r = await bench!.run("ab", args, { timeoutMs: 150000 });
      const out = r.stdout + r.stderr;
      assert.equal(r.code, 0, out);
      assert.match(out, /Complete requests:\s+500\n/, out);
      assert.match(out, /Failed requests:\s+0\n/, out);
      assert.doesNotMatch(out, /Non-2xx responses/, out);
      if (keepAlive) assert.match(out, /Keep-Alive requests:\s+500\n/, out);
      const rps = /Requests per second:\s+([\d.]+)/.exec(out);
      console.log(`      ab ${keepAlive ? "-k" : "  "}: ${rps ? rps[1] : "?"} requests/s`);
    });
  }
});
