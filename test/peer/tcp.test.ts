// TCP against the Linux kernel as the peer, inside a test-made network namespace (192.0.2.0/24,
// no route out): socat and small Python clients/listeners talk to the simulated board's echo
// service (port 7) and to its console (`device.connect/send/received/close`, firmware/app/app.ts).
// Urgent data (Python's MSG_OOB) reaches a handler installed from the console; Linux's own
// keep-alive probes the device, which answers them; an app on the library (--app) with
// net.connect's keepAlive probes Linux, and gives up with -3 once Linux falls silent.
// Bulk transfers run with 5% of frames dropped on the emulated wire (sim --loss 0.05 --seed N).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { requirePeerTests, startPeerBench, PeerBench } from "./lib/netns";

// Echo client: sends N pseudo-random bytes (seeded) to host:port while reading the echo, then
// half-closes and reads until EOF; prints "OK <sent> <received>" or the first mismatch.
const ECHO_CLIENT = `
import socket, sys, threading, random, time
host, port, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = random.Random(seed).randbytes(n)
s = socket.create_connection((host, port), timeout=30)
s.settimeout(60)
def sender():
    for i in range(0, n, 4096):
        s.sendall(data[i:i+4096])
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=sender); t.start()
got = bytearray(); deadline = time.time() + 200
while time.time() < deadline:
    b = s.recv(65536)
    if not b: break
    got += b
t.join(30); s.close()
if bytes(got) == data: print("OK", n, len(got))
else:
    i = next((k for k in range(min(len(got), n)) if got[k] != data[k]), min(len(got), n))
    print("MISMATCH at", i, "received", len(got), "of", n)
`;

// Listener for the device's active open: greets, reads until the device's FIN, then (half-close
// the other way) sends once more after that FIN and closes. Prints what the device sent.
const LISTENER = `
import socket, sys
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("192.0.2.1", int(sys.argv[1]))); srv.listen(1); srv.settimeout(20)
print("listening", flush=True)
c, a = srv.accept(); c.settimeout(20)
c.sendall(b"hello from linux\\n")
got = bytearray()
while True:
    b = c.recv(4096)
    if not b: break
    got += b
c.sendall(b"after your FIN\\n")
c.close()
print("GOT", got.decode(), end="", flush=True)
`;

// Device as the sink/source of bulk data: not needed, echo covers both directions at once.
const MANY = `
import socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ok = 0
for i in range(n):
    s = socket.create_connection((host, port), timeout=10); s.settimeout(10)
    msg = ("conn %d\\n" % i).encode()
    s.sendall(msg); s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        b = s.recv(4096)
        if not b: break
        got += b
    s.close()
    if got == msg: ok += 1
print("OK", ok)
`;

// Accepts connections one after another, reads each until EOF, closes it; counts the bytes.
const SINK_LISTENER = `
import socket, sys
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("192.0.2.1", int(sys.argv[1]))); srv.listen(8); srv.settimeout(60)
print("listening", flush=True)
n = 0
while n < int(sys.argv[2]):
    c, a = srv.accept(); c.settimeout(20)
    while c.recv(4096): pass
    c.close(); n += 1
    print("closed", n, flush=True)
`;

// Urgent data from Linux: "abc", then send(b"xyz!", MSG_OOB) (Linux marks the last byte urgent:
// the urgent pointer is the octet after "!", stream offset 7), then "tail"; NODELAY and pauses
// keep the three apart.
const OOB_CLIENT = `
import socket, sys, time
s = socket.create_connection(("192.0.2.2", int(sys.argv[1])), timeout=10)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.sendall(b"abc"); time.sleep(0.3)
s.send(b"xyz!", socket.MSG_OOB); time.sleep(0.3)
s.sendall(b"tail"); time.sleep(0.3)
s.close()
print("OK", flush=True)
`;

// Linux's keep-alive on a connection to the echo service: probes after 1 s idle, 1 s apart, the
// connection reset after 2 unanswered ones; 6 s idle, then the echo must still work.
const KEEPALIVE_CLIENT = `
import socket, sys, time
s = socket.create_connection(("192.0.2.2", 7), timeout=10)
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
def echo(m):
    s.sendall(m); got = b""
    while len(got) < len(m): got += s.recv(100)
    assert got == m, got
echo(b"before\\n")
print("idle", flush=True)
time.sleep(6)
echo(b"after\\n")
s.close()
print("OK", flush=True)
`;

// An app on the library (the sim's --app: the module with the networkjs and keepalive pieces):
// dial() opens a connection to Linux with keep-alive after 2 s idle, 1 s apart, 3 probes.
const KEEPALIVE_APP = `var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27, ip: "192.0.2.2", netmask: "255.255.255.0", gateway: "192.0.2.1" });
var ev = [];
function dial() {
  var s = require("net").connect({ host: "192.0.2.1", port: 5010, keepAlive: 2000, keepAliveInterval: 1000, keepAliveCount: 3 }, function () { ev.push("connect"); });
  s.on("error", function (e) { ev.push("error " + e.code); });
  s.on("close", function () { ev.push("close"); });
}
`;

// Accepts one connection and keeps it open, silent, for a minute.
const SILENT_LISTENER = `
import socket, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("192.0.2.1", 5010)); srv.listen(1); srv.settimeout(30)
print("listening", flush=True)
c, a = srv.accept()
print("accepted", flush=True)
time.sleep(60)
`;

async function waitFor(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describe("tcp with the Linux kernel as peer", function () {
  this.timeout(120000);
  let bench: PeerBench | null = null;

  before(async function () {
    requirePeerTests(this, ["socat", "python3"]);
    bench = await startPeerBench({ name: "tcp" });
  });
  after(async () => { if (bench) await bench.stop(); });

  it("socat exchanges data with the echo service (port 7); half-close from Linux", async () => {
    const r = await bench!.run("socat", ["-t", "5", "-T", "10", "-", "TCP:192.0.2.2:7"], { input: "hello device\nsecond line\n", timeoutMs: 20000 });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(r.stdout, "hello device\nsecond line\n");
  });

  it("the device connects to a Linux listener, data both ways, half-close from the device", async () => {
    const l = bench!.spawn("python3", ["-c", LISTENER, "5001"]);
    let out = "";
    l.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    assert.ok(await waitFor(async () => /listening/.test(out), 5000), "listener did not start");
    const c = Number(await bench!.consoleEval('device.connect("192.0.2.1", 5001)'));
    assert.ok(c >= 0, "connect returned " + c);
    assert.ok(await waitFor(async () => /hello from linux/.test(await bench!.consoleEval(`device.tcp.state(${c}) + " " + device.received(${c})`)), 10000));
    assert.strictEqual(await bench!.consoleEval(`device.send(${c}, "ping from device\\n")`), "17");
    await bench!.consoleEval(`device.close(${c})`);
    assert.ok(await waitFor(async () => /GOT ping from device/.test(out), 10000), out);
    let rx = "";
    assert.ok(await waitFor(async () => { rx += await bench!.consoleEval(`device.received(${c})`); return /after your FIN/.test(rx); }, 10000), rx);
  });

  it("device as client: 50 connections in a row, the device closing first (TIME-WAIT reused, then expired)", async () => {
    const l = bench!.spawn("python3", ["-c", SINK_LISTENER, "5002", "50"]);
    let out = "";
    l.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    assert.ok(await waitFor(async () => /listening/.test(out), 5000), "listener did not start");
    for (let i = 0; i < 50; i++) {
      const c = Number(await bench!.consoleEval('device.connect("192.0.2.1", 5002)'));
      assert.ok(c >= 0, `connection ${i}: connect returned ${c}`);
      assert.ok(await waitFor(async () => (await bench!.consoleEval(`device.tcp.state(${c})`)) !== "2", 5000), `connection ${i} not established`);
      assert.strictEqual(await bench!.consoleEval(`device.send(${c}, "n${i}")`), String(`n${i}`.length));
      await bench!.consoleEval(`device.close(${c})`);
    }
    assert.ok(await waitFor(async () => /closed 50\b/.test(out), 10000), out.slice(-200));
    assert.ok(Number(await bench!.consoleEval("device.tcp.counters.reuseTimeWait")) > 0, "TIME-WAIT slots were reused");
    const busy = /SYN|ESTABLISHED|FIN-WAIT|CLOSE-WAIT|CLOSING|LAST-ACK|TIME-WAIT/;
    let st = "";
    assert.ok(await waitFor(async () => { st = await bench!.consoleEval("JSON.stringify(device.status().states)"); return !busy.test(st); }, 10000), st);
  });

  it("urgent data from Linux (MSG_OOB): the device's handler hears where it ends (stream offset 7), every byte in line", async () => {
    // a listener on the device's console: counts the bytes, notes each urgent() as the stream
    // offset where the urgent data ends
    assert.strictEqual(await bench!.consoleEval("var U = [], T = 0; device.tcp.listen(5009, { open: function () {}, data: function (c, b, o, l) { T += l; }, " +
      "drained: function () {}, peerClosed: function (c) { device.tcp.close(c); }, end: function () {}, urgent: function (c, n) { U.push(T + n); } })"), "true");
    const r = await bench!.run("python3", ["-c", OOB_CLIENT, "5009"], { timeoutMs: 20000 });
    assert.strictEqual(r.stdout.trim(), "OK", r.stderr);
    let got = "";
    assert.ok(await waitFor(async () => (got = await bench!.consoleEval("JSON.stringify(U) + ' ' + T")) === '"[7] 11"', 5000), got);
    await bench!.consoleEval("device.tcp.unlisten(5009)");
  });

  it("Linux's keep-alive probes (idle 1 s, 1 s apart, 2 allowed to fail) are answered: the idle connection lives on", async () => {
    const p = bench!.spawn("python3", ["-c", KEEPALIVE_CLIENT]);
    let out = "", err = "";
    p.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    p.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
    assert.ok(await waitFor(async () => /idle/.test(out), 10000), out + err);
    const counts = async (): Promise<number[]> => [Number(await bench!.consoleEval("device.tcp.counters.segIn")), Number(await bench!.consoleEval("device.tcp.counters.dropOutOfWindow"))];
    const c0 = await counts();
    await new Promise((r) => setTimeout(r, 4500));
    const c1 = await counts();
    assert.ok(c1[0] - c0[0] >= 3, `probes seen by the device in 4.5 s idle: ${c1[0] - c0[0]}`);
    assert.strictEqual(c1[1], c0[1], "a probe is not a drop");
    assert.ok(await waitFor(async () => /OK/.test(out), 10000), out + err);
  });

  it("50 connections in a row leave no slot held beyond TIME-WAIT", async () => {
    const r = await bench!.run("python3", ["-c", MANY, "192.0.2.2", "7", "50"], { timeoutMs: 90000 });
    assert.strictEqual(r.stdout.trim(), "OK 50", r.stderr);
    const busy = /SYN|ESTABLISHED|FIN-WAIT|CLOSE-WAIT|CLOSING|LAST-ACK|TIME-WAIT/;
    let st = "";
    assert.ok(await waitFor(async () => { st = await bench!.consoleEval("JSON.stringify(device.status().states)"); return !busy.test(st); }, 10000), st);
  });
});

describe("tcp keep-alive from the device (an app on the library, Espruino's net) with the Linux kernel as peer", function () {
  this.timeout(120000);
  let bench: PeerBench | null = null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "peer-ka-"));

  before(async function () {
    requirePeerTests(this, ["python3"]);
    fs.writeFileSync(path.join(dir, "app.js"), KEEPALIVE_APP);
    // (+counters: the console reads eth.tcp.counters by name, which only the counters piece names)
    bench = await startPeerBench({ name: "tcpka", simArgs: ["--app", path.join(dir, "app.js"), "--pieces", "+counters"], readyTimeoutMs: 60000 });
  });
  after(async () => {
    if (bench) await bench.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("Linux answers the device's probes (the idle connection lives on); Linux gone silent: 'error' -3 after 3 probes", async () => {
    const l = bench!.spawn("python3", ["-c", SILENT_LISTENER]);
    let out = "";
    l.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    assert.ok(await waitFor(async () => /listening/.test(out), 5000), "listener did not start");
    await bench!.consoleEval("dial()");
    assert.ok(await waitFor(async () => /accepted/.test(out), 10000), out);
    const ev = async (): Promise<string> => bench!.consoleEval("ev.join()");
    assert.ok(await waitFor(async () => (await ev()) === '"connect"', 5000), await ev());
    // 7 s idle: probes at about 2, 4 and 6 s (each answered restarts the 2 s idle time)
    await new Promise((r) => setTimeout(r, 7000));
    assert.strictEqual(await ev(), '"connect"');
    const probes = Number(await bench!.consoleEval("eth.tcp.counters.keepAliveProbes"));
    assert.ok(probes >= 2, "probes sent: " + probes);
    // Linux no longer has the address: the probes go unanswered
    const r = await bench!.run("ip", ["addr", "del", "192.0.2.1/24", "dev", bench!.tap]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok(await waitFor(async () => /close/.test(await ev()), 15000), await ev());
    assert.strictEqual(await ev(), '"connect,error -3,close"');
    assert.strictEqual(Number(await bench!.consoleEval("eth.tcp.counters.keepAliveAborts")), 1);
    assert.ok(Number(await bench!.consoleEval("eth.tcp.counters.keepAliveProbes")) - probes >= 3);
  });
});

describe("tcp bulk with 5% loss on the emulated wire", function () {
  this.timeout(300000);
  let bench: PeerBench | null = null;

  before(async function () {
    requirePeerTests(this, ["python3"]);
    bench = await startPeerBench({ name: "tcploss", simArgs: ["--loss", "0.05", "--seed", "11"] });
  });
  after(async () => { if (bench) await bench.stop(); });

  it("1 MB each direction through the echo service, byte-exact", async () => {
    const t0 = Date.now();
    const r = await bench!.run("python3", ["-c", ECHO_CLIENT, "192.0.2.2", "7", String(1 << 20), "5"], { timeoutMs: 240000 });
    const secs = (Date.now() - t0) / 1000;
    // eslint-disable-next-line no-console
    console.log(`      1 MiB echoed in ${secs.toFixed(1)} s with 5% loss; device counters: ${await bench!.consoleEval("JSON.stringify({rt: device.tcp.counters.retransmits, out: device.tcp.counters.segOut, in: device.tcp.counters.segIn})")}`);
    assert.strictEqual(r.stdout.trim(), `OK ${1 << 20} ${1 << 20}`, r.stderr);
  });
});
