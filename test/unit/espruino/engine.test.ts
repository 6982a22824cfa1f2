// The real-interpreter engine (sim/espruino/): its flash image and wiring always; with ESPRUINO
// set to Espruino's Linux build (see README, "The simulated board on Espruino's own
// interpreter"), the whole board on the interpreter: DHCP, ping, the page byte-identical plain
// and gzip, the API, a 404, the LED pin, 200 requests without a console error, and the pico
// bundle's boot with its slots; with ESPRUINO_BOARDS, each board's bundle on its own variable
// count under 20 parallel clients. CI has neither: those skip.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { flashImage } from "../../../sim/espruino/flash";
import { boardWiring, stripComments, interpreterCommand, EspruinoBoard } from "../../../sim/espruino/engine";
import { startSim, Sim, GATEWAY_MAC } from "../../../sim/run";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const ESPRUINO = process.env.ESPRUINO;

function request(url: string, o: { method?: string; body?: string; gzip?: boolean; type?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (o.gzip) headers["Accept-Encoding"] = "gzip";
    if (o.body !== undefined) { headers["Content-Type"] = o.type || "application/x-www-form-urlencoded"; headers["Content-Length"] = Buffer.byteLength(o.body); }
    const req = http.request(url, { method: o.method || "GET", headers, agent: false, timeout: 60000 }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode || 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(o.body);
  });
}

/** An ICMP echo request from the gateway to the device (Ethernet + IPv4 + ICMP). */
function echoRequest(dstMac: string, dstIp: string, id: number, payload: Buffer): Buffer {
  const mac = (m: string): Buffer => Buffer.from(m.split(":").map((x) => parseInt(x, 16)));
  const ip = (s: string): Buffer => Buffer.from(s.split(".").map(Number));
  const sum = (b: Buffer): number => { let s = 0; for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] || 0); while (s >> 16) s = (s & 0xffff) + (s >> 16); return ~s & 0xffff; };
  const icmp = Buffer.concat([Buffer.from([8, 0, 0, 0, id >> 8, id & 255, 0, 1]), payload]);
  icmp.writeUInt16BE(sum(icmp), 2);
  const iph = Buffer.concat([Buffer.from([0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0]), ip("192.0.2.1"), ip(dstIp)]);
  iph.writeUInt16BE(20 + icmp.length, 2);
  iph.writeUInt16BE(sum(iph), 10);
  return Buffer.concat([mac(dstMac), mac(GATEWAY_MAC), Buffer.from([8, 0]), iph, icmp]);
}

/** A boot that runs out of memory (a board-sized interpreter today, issue #12) must say so clearly; then the test is skipped with that message. */
function skipIfOutOfMemory(ctx: Mocha.Context, e: Error, bundle: string): never {
  assert.match(e.message, /out of memory at boot \(\d+ of \d+ variables used/, e.message);
  console.log("    (" + bundle + " bundle: " + e.message.replace(/^.*?: out of memory/, "out of memory").slice(0, 120) + "... - issue #12)");
  ctx.skip();
  throw e;
}

describe("real-interpreter engine: flash image and wiring", () => {
  it("lays Storage files out as Espruino's jsflash.c does (32-byte header, 4-byte alignment, erased 0xFF)", () => {
    const img = flashImage([{ name: ".boot0", data: Buffer.from("print(1)") }, { name: "www/index.html", data: Buffer.from("hello world!!") }], 1024);
    assert.equal(img.readUInt32LE(0), 8);
    assert.equal(img.toString("latin1", 4, 10), ".boot0");
    assert.equal(img[10], 0);
    assert.equal(img.toString("latin1", 32, 40), "print(1)");
    assert.equal(img.readUInt32LE(40), 13);
    assert.equal(img.toString("latin1", 44, 58), "www/index.html");
    assert.equal(img.toString("latin1", 72, 85), "hello world!!");
    assert.deepEqual([...img.subarray(85, 96)], new Array(11).fill(0xff));
    assert.throws(() => flashImage([{ name: "x".repeat(29), data: Buffer.from("a") }]), /1 to 28 characters/);
    assert.throws(() => flashImage([{ name: "big", data: Buffer.alloc(2000) }], 1024), /do not fit/);
  });

  it("reads each board's SPI wiring from its board file", () => {
    assert.deepEqual(boardWiring("pico"), { spi: "SPI2", pins: { sck: "B13", miso: "B14", mosi: "B15", cs: "B10", int: "B1", reset: "A7", led: "B12" } });
    assert.equal(boardWiring("sim").spi, "SPI1");
    assert.throws(() => boardWiring("nosuchboard"), /no board file/);
  });

  it("stores the prelude without comments, and refuses a missing interpreter clearly", () => {
    const p = stripComments(fs.readFileSync(path.join(ROOT, "sim", "espruino", "prelude.js"), "utf8"));
    assert.ok(!/\/\/ /.test(p), p);
    assert.ok(p.startsWith("(function (cfg) {"));
    assert.throws(() => interpreterCommand("/nonexistent/espruino"), /does not exist/);
  });
});

describe("real-interpreter engine on Espruino (ESPRUINO=...)", function () {
  this.timeout(600000);
  let sim: Sim | null = null;
  const lines: string[] = [];
  before(function () {
    if (!ESPRUINO) {
      console.log("    (skipped: set ESPRUINO to an Espruino Linux build, e.g. one made as the README says, to run the board on the real interpreter)");
      this.skip();
    }
  });
  afterEach(async () => { if (sim) await sim.close(); sim = null; });

  it("sim bundle: DHCP, ping, / byte-identical plain and gzip, /api/status, 404, POST /api/led sets the pin, 200 requests without a console error", async function () {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "esptest-"));
    try {
      sim = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), port: 0, storage, espruino: ESPRUINO, out: (l) => lines.push(l) });
    } catch (e) {
      skipIfOutOfMemory(this, e as Error, "sim");
    }
    const s = sim!;
    const board = s.board as EspruinoBoard;
    const ip = await s.ready;
    assert.match(ip, /^192\.0\.2\./);
    const base = "http://127.0.0.1:" + s.port;

    const payload = Buffer.from("engine ping payload 0123456789");
    const replies: Buffer[] = [];
    s.wire.observe((f, fromDevice) => { if (fromDevice && f[12] === 8 && f[13] === 0 && f[23] === 1 && f[34] === 0) replies.push(Buffer.from(f)); });
    s.wire.toDevice(echoRequest(board.mac, ip, 0x4242, payload));
    for (let i = 0; i < 100 && !replies.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(replies.length, 1, "one echo reply");
    assert.equal(replies[0].readUInt16BE(38), 0x4242);
    assert.deepEqual(replies[0].subarray(42, 42 + payload.length), payload);

    const page = fs.readFileSync(path.join(ROOT, "dist", "www", "index.html"));
    const plain = await request(base + "/");
    assert.equal(plain.status, 200);
    assert.ok(plain.body.equals(page), "plain page byte-identical to dist/www/index.html");
    const gz = await request(base + "/", { gzip: true });
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.ok(gz.body.equals(fs.readFileSync(path.join(ROOT, "dist", "www", "index.html.gz"))), "gzip page byte-identical");
    assert.ok(zlib.gunzipSync(gz.body).equals(page));
    const st = await request(base + "/api/status");
    assert.equal(st.status, 200);
    assert.equal(JSON.parse(st.body.toString()).board, "sim");
    assert.equal((await request(base + "/nope")).status, 404);

    assert.equal(board.pinLevel("D2"), false);
    assert.equal((await request(base + "/api/led", { method: "POST", body: "on=1" })).status, 200);
    for (let i = 0; i < 20 && !board.pinLevel("D2"); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(board.pinLevel("D2"), true, "the LED pin is high");
    assert.equal((await request(base + "/api/led", { method: "POST", body: "on=0" })).status, 200);
    for (let i = 0; i < 20 && board.pinLevel("D2"); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(board.pinLevel("D2"), false, "the LED pin is low again");

    for (let i = 0; i < 200; i++) {
      const r = await request(base + (i % 4 === 0 ? "/" : "/api/status"), { gzip: i % 8 === 0 });
      assert.equal(r.status, 200, "request " + i);
    }
    assert.deepEqual(board.errors, [], "console errors");
  });

  it("pico bundle: boots with its TCP slots and serves the page", async function () {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "esptest-"));
    sim = await startSim({ bundle: path.join(ROOT, "dist", "pico.js"), port: 0, storage, espruino: ESPRUINO, out: (l) => lines.push(l) });
    await sim.ready;
    const r = await request("http://127.0.0.1:" + sim.port + "/");
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(fs.readFileSync(path.join(ROOT, "dist", "www", "index.html"))));
  });
});

// ESPRUINO_BOARDS="pico=/path/espruino-5100 nucleo-f401re=/path/espruino-5376 ...": each board's
// bundle on an interpreter built with that board's variable count (README: "A board's memory").
const BOARD_BUILDS = (process.env.ESPRUINO_BOARDS || "").split(/\s+/).filter(Boolean).map((x) => x.split("="));
/** Requests in the per-board load (issue #12: 1,000), the first WARM_UP of them a warm-up. */
const LOAD = Math.max(400, Number(process.env.ESPRUINO_LOAD) || 1000);
const WARM_UP = 200;

describe("each board's bundle on its own variable count (ESPRUINO_BOARDS=board=path ...)", function () {
  this.timeout(900000);
  before(function () {
    if (!BOARD_BUILDS.length) {
      console.log("    (skipped: set ESPRUINO_BOARDS, e.g. pico=/path/to/espruino-5100, to boot each board's bundle on its own variable count)");
      this.skip();
    }
  });
  if (!BOARD_BUILDS.length) it("each board's bundle on its own build (needs ESPRUINO_BOARDS)", () => { /* skipped in before() */ });
  for (const [board, bin] of BOARD_BUILDS) {
    it(board + ": boots with every configured TCP slot, serves the page, then " + LOAD + " requests from 20 parallel clients: no out of memory, no growth after a warm-up", async function () {
      const out: string[] = [];
      const storage = fs.mkdtempSync(path.join(os.tmpdir(), "esptest-"));
      const s = await startSim({ bundle: path.join(ROOT, "dist", board + ".js"), port: 0, storage, espruino: bin, out: (l) => out.push(l) });
      try {
        await s.ready;
        const base = "http://127.0.0.1:" + s.port;
        const page = await request(base + "/", { gzip: true });
        assert.equal(page.status, 200);
        assert.ok(zlib.gunzipSync(page.body).equals(fs.readFileSync(path.join(ROOT, "dist", "www", "index.html"))));
        const st = JSON.parse((await request(base + "/api/status")).body.toString());
        assert.equal(st.board, board);
        assert.equal(st.slots, undefined, "no TCP slot was cut at boot (slots: " + JSON.stringify(st.slots) + ")");
        const before = st.mem[1] - st.mem[0];
        // 20 parallel clients, LOAD requests in all (the 1,000 by default): each gets its
        // page or a 503 (the device full). A warm-up of 200 first, then the rest: the variables
        // after the rest must equal those after the warm-up (no growth), the slots settled each time.
        const load = async (n: number): Promise<number> => {
          let next = 0, ok = 0;
          const client = async (): Promise<void> => {
            while (next < n) {
              const i = next++;
              const r = await request(base + (i % 3 ? "/api/status" : "/"), { gzip: true });
              assert.ok(r.status === 200 || r.status === 503, "request " + i + ": " + r.status);
              if (r.status === 200) ok++;
            }
          };
          await Promise.all(Array.from({ length: 20 }, client));
          // Most are served: the gateway relays as many at once as the board's HTTP server serves and
          // its clients wait in its queue. (A burst of SYNs used to reset itself on a slow board: 3 of
          // 200 served, the rest 503 from the gateway after the device's resets; now all or nearly.)
          assert.ok(ok >= n / 2, "served " + ok + " of " + n + " during the load");
          await new Promise((r) => setTimeout(r, 6000));      // keep-alive and TIME-WAIT slots settle
          assert.equal((await request(base + "/", { gzip: true })).status, 200, "serves after the load (" + ok + " of " + n + " served during it)");
          const now = JSON.parse((await request(base + "/api/status")).body.toString());
          return now.mem[1] - now.mem[0];
        };
        const warm = await load(WARM_UP);
        assert.ok(warm <= before + 20, "variables before " + before + ", after the warm-up " + warm);
        const used = await load(LOAD - WARM_UP);
        // (within 3: the figure is read by a status request during its own handling, and what that
        // request holds differs by a variable or two from one reading to the next, e.g. a counter
        // that gained a digit, a connection still settling: measured 0 to +2 on the five boards.
        // A leak of one variable per 100 requests would show as +8.)
        assert.ok(used <= warm + 3, "variables after the warm-up (" + WARM_UP + " requests) " + warm + ", after " + LOAD + " in all " + used + ": growth");
        const bad = out.filter((l) => /OUT OF MEMORY|Uncaught|LOW_MEMORY|interpreter error/.test(l));
        assert.deepEqual(bad, [], "console");
      } finally {
        await s.close();
        fs.rmSync(storage, { recursive: true, force: true });
      }
    });
  }
});
