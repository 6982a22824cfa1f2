// The user story of issue #16's "Done when": a user's app on the simulated board
// (examples/fetch.js: require("ENC28J60").connect(...), DHCP, Espruino's own
// require("http").get("http://files.test/data.bin", ...)) fetches a file from a real HTTP server
// on the test network, the name looked up through the DNS server that DHCP handed out.
//
// The test network (a namespace this test makes, test/peer/lib/netns.ts; 192.0.2.0/24 only, no
// route out): the kernel's tap0 at 192.0.2.1 with dnsmasq as the DHCP server (pool .100-.150,
// option 6: itself) and the DNS server (files.test and chunks.test -> 192.0.2.80, refused.test ->
// 192.0.2.81, the rest of .test NXDOMAIN); python3's http.server on 192.0.2.80:80 serving a
// 7,000-byte binary file (Content-Length, several TCP segments); a small Node server on
// 192.0.2.80:8080 answering chunked. 192.0.2.81 is the kernel's too, with nothing on port 80: a
// connection there is refused (RST).
//
// The app prints `got <url> <status> <length> bytes crc32 <crc>` (or `got <url> error <code>
// <message>`) on the console; the test compares the length and CRC-32 with the file's. A name
// that does not exist and a refused connection reach the app's 'error' listener with Espruino's
// codes (-6 not found, -9 connection reset); afterwards the driver holds no socket
// (eth.networkjs.inUse()) and more fetches than it has sockets still work.
//
// On the vm engine (always; CI) and on Espruino's own interpreter (its C http module over the
// driver) when ESPRUINO=/path/to/espruino is set: skipped with a message without it.

import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requirePeerTests, startPeerBench, PeerBench, REPO_ROOT, DHCP_POOL } from "./lib/netns";

const APP = path.join(REPO_ROOT, "examples", "fetch.js");
const FILES_IP = "192.0.2.80";
const REFUSED_IP = "192.0.2.81";
const FILE_SIZE = 7000;

/** CRC-32 (IEEE 802.3), as Espruino's E.CRC32. */
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Every byte value, in an order that is not a plain ramp (a byte lost or moved changes the CRC). */
function fileBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = (x >>> 16) & 255; }
  return b;
}

/** The chunked server (Node, in the namespace): the file in 1,000-byte chunks, a tick apart. */
const CHUNKED_SERVER = `
const http = require("http"), fs = require("fs");
const data = fs.readFileSync(process.argv[2]);
http.createServer((req, res) => {
  if (req.url !== "/chunked.bin") { res.writeHead(404); res.end("no"); return; }
  res.writeHead(200, { "Content-Type": "application/octet-stream" });
  let i = 0;
  const next = () => { if (i >= data.length) { res.end(); return; } res.write(data.subarray(i, i + 1000)); i += 1000; setTimeout(next, 2); };
  next();
}).listen(8080, "${FILES_IP}", () => console.log("listening"));
`;

interface GetBench { bench: PeerBench; dir: string; data: Buffer; dnsLog: () => string }

async function startGetBench(name: string, simArgs: string[], readyTimeoutMs: number): Promise<GetBench> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "encsim-get-"));
  const data = fileBytes(FILE_SIZE, 16);
  fs.writeFileSync(path.join(dir, "data.bin"), data);
  fs.writeFileSync(path.join(dir, "chunked.js"), CHUNKED_SERVER);
  let log = "";
  try {
    const bench = await startPeerBench({
      name, deviceIp: "dhcp", readyTimeoutMs,
      // (+counters: the IP stack's counters by name, read at the end; the app itself reads none)
      simArgs: ["--app", APP, "--pieces", "+counters"].concat(simArgs),
      beforeSim: async (_ns, b) => {
        for (const a of [FILES_IP, REFUSED_IP]) {
          const r = await b.run("ip", ["addr", "add", a + "/24", "dev", b.tap]);
          if (r.code !== 0) throw new Error("ip addr add " + a + ": " + r.stderr);
        }
        const d = b.spawn("dnsmasq", ["--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=53",
          "--interface=" + b.tap, "--bind-interfaces", "--log-queries", "--log-facility=-", "--pid-file=",
          "--dhcp-range=" + DHCP_POOL.start + "," + DHCP_POOL.end + ",255.255.255.0,10m", "--dhcp-leasefile=" + path.join(dir, "leases"),
          "--dhcp-option=option:dns-server," + b.hostIp,
          "--host-record=files.test," + FILES_IP, "--host-record=chunks.test," + FILES_IP, "--host-record=refused.test," + REFUSED_IP,
          "--local=/test/", "--local-ttl=60"]);
        d.stdout!.on("data", (x: Buffer) => { log += x.toString(); });
        d.stderr!.on("data", (x: Buffer) => { log += x.toString(); });
        const py = b.spawn("python3", ["-m", "http.server", "80", "--bind", FILES_IP, "--directory", dir]);
        py.stdout!.resume(); py.stderr!.resume();
        const chunked = b.spawn(process.execPath, [path.join(dir, "chunked.js"), path.join(dir, "data.bin")]);
        chunked.stdout!.resume(); chunked.stderr!.resume();
        // both servers answer (bounded) before the board starts
        const deadline = Date.now() + 15000;
        for (const url of ["http://" + FILES_IP + "/data.bin", "http://" + FILES_IP + ":8080/chunked.bin"]) {
          for (;;) {
            const r = await b.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "--max-time", "2", url], { timeoutMs: 5000 });
            if (r.stdout === "200 " + FILE_SIZE) break;
            if (Date.now() > deadline) throw new Error("the test's HTTP server does not answer " + url + ": " + r.stdout + r.stderr);
            await new Promise((r2) => setTimeout(r2, 100));
          }
        }
      },
    });
    return { bench, dir, data, dnsLog: () => log };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The app's line for url: [status, length, crc] or ["error", code, message]. */
async function got(b: PeerBench, url: string, timeoutMs: number, fromStart = false): Promise<string[]> {
  const esc = url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const m = await b.waitForOutput(new RegExp("^got " + esc + " (?:(\\d+) (\\d+) bytes crc32 (\\d+)|error (-?\\d+) (.*))$", "m"), timeoutMs, fromStart);
  return m[1] !== undefined ? [m[1], m[2], m[3]] : ["error", m[4], m[5]];
}

async function getFile(b: PeerBench, url: string, timeoutMs: number): Promise<string[]> {
  const p = got(b, url, timeoutMs);
  await b.consoleEval("getFile(" + JSON.stringify(url) + ")", timeoutMs);
  return p;
}

/** opts.perFetchMs: a bound on the mean time of a 7 KB fetch (the vm engine; before the driver's window updates: 2.3 s each). */
/** opts.realMemory: process.memory() is the interpreter's own (the vm engine's is an estimate). */
function suite(title: string, opts: { simArgs: () => string[]; readyMs: number; opMs: number; perFetchMs?: number; realMemory?: boolean; skip?: () => string | null }): void {
  describe(title, function () {
    this.timeout(opts.readyMs + 20 * opts.opMs);
    let g: GetBench | null = null;
    const ok = (): string[] => [String(200), String(FILE_SIZE), String(crc32(g!.data))];

    before(async function () {
      const why = opts.skip ? opts.skip() : null;
      if (why) {
        // eslint-disable-next-line no-console
        console.log("      (skipped: " + why + ")");
        this.skip();
      }
      requirePeerTests(this, ["dnsmasq", "curl"]);
      g = await startGetBench("get", opts.simArgs(), opts.readyMs);
    });
    after(async () => {
      if (g) { await g.bench.stop(); fs.rmSync(g.dir, { recursive: true, force: true }); }
    });

    it("the app's http.get by name at boot: DHCP's DNS server asked, the file's bytes arrive (length and CRC-32)", async () => {
      const b = g!.bench;
      const n = Number(b.deviceIp.split(".")[3]);
      assert.ok(n >= 100 && n <= 150, "address from dnsmasq's pool: " + b.deviceIp);
      assert.deepEqual(await got(b, "http://files.test/data.bin", opts.opMs, true), ok(), b.simOutput());
      // getIP() names the DNS server DHCP handed out (option 6), and the name went there, from the
      // device's leased address
      assert.match(b.simOutput(), new RegExp("up at " + b.deviceIp.replace(/\./g, "\\.") + " \\(DNS server 192\\.0\\.2\\.\\d+\\)"), b.simOutput());
      assert.match(g!.dnsLog(), new RegExp("query\\[A\\] files\\.test from " + b.deviceIp.replace(/\./g, "\\.")), g!.dnsLog());
    });

    it("a chunked answer on another port (http://chunks.test:8080/...) arrives de-chunked and byte-exact", async () => {
      assert.deepEqual(await getFile(g!.bench, "http://chunks.test:8080/chunked.bin", opts.opMs), ok());
    });

    it("a name that does not exist: the app's 'error' listener gets -6 not found", async () => {
      assert.deepEqual(await getFile(g!.bench, "http://nothing.test/data.bin", opts.opMs), ["error", "-6", "not found"]);
      assert.match(g!.dnsLog(), /query\[A\] nothing\.test from/);
    });

    it("a server that refuses (RST to the SYN): -9 connection reset", async () => {
      assert.deepEqual(await getFile(g!.bench, "http://refused.test/data.bin", opts.opMs), ["error", "-9", "connection reset"]);
    });

    it("no socket leaks: none held afterwards, and more fetches than the driver has sockets all succeed", async () => {
      const b = g!.bench;
      const sockets = Number(await b.consoleEval("eth.networkjs.n", opts.opMs));
      assert.ok(sockets >= 2 && sockets <= 32, "driver sockets: " + sockets);
      const usage = async (): Promise<number> => Number(await b.consoleEval("process.memory().usage", opts.opMs));
      const u0 = await usage();
      const t0 = Date.now();
      for (let i = 0; i < sockets + 1; i++) {
        const url = i % 2 ? "http://chunks.test:8080/chunked.bin" : "http://files.test/data.bin";
        assert.deepEqual(await getFile(b, url, opts.opMs), ok(), "fetch " + i);
        if (i === 1) assert.deepEqual(await getFile(b, "http://nothing.test/x", opts.opMs), ["error", "-6", "not found"]);
      }
      const mean = (Date.now() - t0) / (sockets + 2);
      // eslint-disable-next-line no-console
      console.log("      (" + (sockets + 1) + " fetches of " + FILE_SIZE + " bytes and a failed lookup: " + Math.round(mean) + " ms each)");
      if (opts.perFetchMs) assert.ok(mean < opts.perFetchMs, "a 7 KB fetch took " + Math.round(mean) + " ms on average: the window stalls (zero-window probes)?");
      // Espruino closes each driver socket once its connection is over (after the 'close' event)
      const deadline = Date.now() + 5000;
      let inUse = "";
      while ((inUse = await b.consoleEval("eth.networkjs.inUse()", opts.opMs)) !== "0" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.equal(inUse, "0", "driver sockets still held");
      // and TCP's slots: none left but CLOSED (0) or TIME-WAIT (10, gone after 2 MSL)
      const busy = "(function () { var n = 0; for (var c = 0; c < eth.slots; c++) { var s = eth.tcp.state(c); if (s && s !== 10) n++; } return n; })()";
      let held = "";
      while ((held = await b.consoleEval(busy, opts.opMs)) !== "0" && Date.now() < deadline + 5000) await new Promise((r) => setTimeout(r, 200));
      assert.equal(held, "0", "TCP slots still held");
      // variables: each console line read stays in the console's history (a few variables each);
      // a body or a socket object kept would be hundreds
      const u1 = await usage();
      // eslint-disable-next-line no-console
      console.log("      (variables in use: " + u0 + " before, " + u1 + " after; " + (await b.consoleEval("process.memory().free", opts.opMs)) + " free)");
      if (opts.realMemory) assert.ok(u1 - u0 <= 120, "variables in use grew from " + u0 + " to " + u1);
      assert.doesNotMatch(b.simOutput(), /Uncaught|OUT OF MEMORY|NetworkJS driver \w+\(\) threw/);
      assert.equal(await b.consoleEval("eth.stack.counters.eth.errors", opts.opMs), "0");
    });
  });
}

suite("http.get to a name from a user's app (examples/fetch.js) on the simulated board, vm engine, TAP with dnsmasq DHCP+DNS", {
  simArgs: () => [], readyMs: 30000, opMs: 15000, perFetchMs: 800,
});

suite("http.get to a name from a user's app on Espruino's own interpreter (ESPRUINO=..., its C http module over the driver)", {
  simArgs: () => ["--espruino", process.env.ESPRUINO!], readyMs: 180000, opMs: 60000, realMemory: true,
  skip: () => (process.env.ESPRUINO ? null : "set ESPRUINO to an Espruino Linux build to run the app's http.get on the real interpreter"),
});
