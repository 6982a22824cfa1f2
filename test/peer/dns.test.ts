// The DNS resolver and the mDNS responder (firmware/net/dns.ts, mdns.ts) against real peers, on
// the simulated board (vm engine) on a TAP in a namespace this test creates (192.0.2.0/24 only,
// see test/peer/lib/netns.ts):
//   - resolver: a real dnsmasq on the test network is the DNS server (--address, --host-record,
//     --cname, a local domain for NXDOMAIN); a port where nothing answers gives the time-out;
//   - mDNS: `getent hosts <name>.local` on the test host resolves through glibc's NSS, nss-mdns
//     (mdns4_minimal) and a real avahi-daemon, confined to the test: its own mount namespace
//     (a tmpfs on /run, so its socket /run/avahi-daemon/socket is private; its own config, no
//     D-Bus, the TAP only), run inside the test's network namespace; `getent` runs in the same
//     two namespaces (nsenter). A second avahi-daemon publishes a clashing name from its static
//     hosts file: the device renames itself to <name>-2, says so on its console, and
//     `getent hosts <name>-2.local` finds it. `dig @<device> -p 5353` checks the legacy-unicast
//     path (ID, TTL 10) and the DNS-SD records (PTR, SRV, TXT).
// The device's pieces are the firmware's own modules (build/device, the ES5 device build),
// bundled here into one line and typed on the device's console, then wired to `device.stack`
// as the coordinator's wiring will do: createResolver(stack, server) and createMdns(stack, name).

import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ChildProcess } from "child_process";
import { requirePeerTests, startPeerBench, PeerBench, REPO_ROOT } from "./lib/netns";

const NET_DIR = path.join(REPO_ROOT, "build", "device", "firmware", "net");

/** dns.ts and mdns.ts from the device build as one line of ES5: `var DNS16 = {createResolver, createMdns}`. */
function moduleLine(): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const esbuild = require("esbuild");
  const r = esbuild.buildSync({
    stdin: { contents: 'export { createResolver } from "./dns.js"; export { createMdns } from "./mdns.js";', resolveDir: NET_DIR },
    bundle: true, format: "iife", globalName: "DNS16", target: "es5", platform: "neutral", write: false, minify: true, logLevel: "silent",
  });
  const code = r.outputFiles[0].text.trim();
  assert.ok(!/[\r\n]/.test(code), "one line");
  return code;
}

function avahiConf(dir: string, name: string): string {
  const f = path.join(dir, name + ".conf");
  fs.writeFileSync(f, [
    "[server]", "use-ipv4=yes", "use-ipv6=no", "allow-interfaces=tap0", "enable-dbus=no", "host-name=" + name,
    "ratelimit-interval-usec=1000000", "ratelimit-burst=1000",
    "[wide-area]", "enable-wide-area=no",
    "[publish]", "publish-addresses=no", "publish-hinfo=no", "publish-workstation=no", "publish-domain=no", "publish-aaaa-on-ipv4=no",
    "[reflector]", "[rlimits]", "",
  ].join("\n"));
  return f;
}

/** Starts an avahi-daemon in its own mount namespace (tmpfs /run; /etc/avahi/hosts replaced by
 * `hosts`) inside the test's network namespace; resolves with its pid once its socket is there. */
async function startAvahi(b: PeerBench, dir: string, name: string, hosts: string, log: { text: string }): Promise<ChildProcess> {
  const hostsFile = path.join(dir, name + ".hosts");
  fs.writeFileSync(hostsFile, hosts);
  const script = [
    "set -e",
    "mount -t tmpfs tmpfs /run",
    "mkdir -p /run/avahi-daemon",
    "mount --bind " + hostsFile + " /etc/avahi/hosts",
    "exec avahi-daemon --no-drop-root --no-chroot --no-rlimits -f " + avahiConf(dir, name),
  ].join("\n");
  const p = b.spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", script]);
  p.stdout!.on("data", (d: Buffer) => { log.text += d.toString(); });
  p.stderr!.on("data", (d: Buffer) => { log.text += d.toString(); });
  const deadline = Date.now() + 15000;
  while (!/Server startup complete/.test(log.text)) {
    if (p.exitCode !== null || Date.now() > deadline) throw new Error("avahi-daemon did not start:\n" + log.text);
    await new Promise((r) => setTimeout(r, 100));
  }
  return p;
}

/** Runs a command in the avahi-daemon's mount namespace and the test's network namespace. */
function inAvahi(b: PeerBench, avahi: ChildProcess, cmd: string[], timeoutMs = 15000) {
  return b.run("nsenter", ["-t", String(avahi.pid), "-m", "-n", "--"].concat(cmd), { timeoutMs });
}

const TOOLS = ["dnsmasq", "avahi-daemon", "getent", "dig", "unshare", "nsenter"];

describe("DNS resolver against a real dnsmasq (TAP)", function () {
  this.timeout(120000);
  let bench: PeerBench | null = null;
  let dnsLog = "";

  before(async function () {
    requirePeerTests(this, TOOLS);
    bench = await startPeerBench({
      name: "dns",
      beforeSim: async (_ns, b) => {
        const d = b.spawn("dnsmasq", ["--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=53",
          "--interface=" + b.tap, "--bind-interfaces", "--log-queries", "--log-facility=-", "--pid-file=",
          "--address=/web.test/192.0.2.80", "--host-record=files.test,192.0.2.81", "--cname=www.test,files.test",
          "--local=/test/", "--local-ttl=30"]);
        d.stdout!.on("data", (x: Buffer) => { dnsLog += x.toString(); });
        d.stderr!.on("data", (x: Buffer) => { dnsLog += x.toString(); });
        await new Promise((r) => setTimeout(r, 500));
      },
    });
    await bench.consoleEval(moduleLine());
    await bench.consoleEval("var R = DNS16.createResolver(device.stack, function () { return 0xc0000201; })");
  });
  after(async () => {
    if (bench) await bench.stop();
  });

  async function resolve(name: string, timeoutMs = 15000): Promise<[string, number]> {
    const tag = "R" + Math.floor(Math.random() * 1e9);
    const p = bench!.waitForOutput(new RegExp(tag + " (\\S+) (-?\\d+)"), timeoutMs);
    await bench!.consoleEval(`R.resolve(${JSON.stringify(name)}, function (ip, err) { console.log("${tag} " + (err ? 0 : [ip >>> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255].join(".")) + " " + err); })`);
    const m = await p;
    return [m[1], Number(m[2])];
  }

  it("resolves an --address and a --host-record name", async () => {
    assert.deepEqual(await resolve("web.test"), ["192.0.2.80", 0]);
    assert.deepEqual(await resolve("FILES.test"), ["192.0.2.81", 0]);
    assert.match(dnsLog, /query\[A\] web\.test from 192\.0\.2\.2/, dnsLog);
  });

  it("follows dnsmasq's CNAME (www.test -> files.test)", async () => {
    assert.deepEqual(await resolve("www.test"), ["192.0.2.81", 0]);
  });

  it("answers a second lookup from the cache (no second query)", async () => {
    const before = (dnsLog.match(/query\[A\] web\.test/g) || []).length;
    assert.deepEqual(await resolve("web.test"), ["192.0.2.80", 0]);
    assert.equal((dnsLog.match(/query\[A\] web\.test/g) || []).length, before);
    assert.ok(Number(await bench!.consoleEval("R.counters.hits")) >= 1);
  });

  it("a name in the local domain that does not exist: -6 (NXDOMAIN)", async () => {
    assert.deepEqual(await resolve("nothing.test"), ["0", -6]);
  });

  it("no server answering (a host without DNS): -3 after the retries", async () => {
    // dnsmasq listens on 53 of 192.0.2.1 only: ask another address of the namespace's host side
    await bench!.run("ip", ["addr", "add", "192.0.2.53/24", "dev", bench!.tap]);
    await bench!.consoleEval("var R2 = DNS16.createResolver(device.stack, function () { return 0xc0000235; }, { timeoutMs: 300, tries: 2 })");
    const tag = "T" + Date.now();
    const p = bench!.waitForOutput(new RegExp(tag + " (-?\\d+)"), 10000);
    await bench!.consoleEval(`R2.resolve("web.test", function (ip, err) { console.log("${tag} " + err); })`);
    const m = await p;
    assert.equal(Number(m[1]), -3);
    assert.equal(await bench!.consoleEval("R2.pending()"), "0");
  });

  it("no exceptions on the device's receive path", async () => {
    assert.equal(await bench!.consoleEval("device.stack.counters.eth.errors"), "0");
    assert.equal(await bench!.consoleEval("R.counters.dropMalformed + R.counters.dropId + R.counters.dropQuestion"), "0");
  });
});

describe("mDNS responder against avahi-daemon, nss-mdns (getent) and dig (TAP)", function () {
  this.timeout(150000);
  let bench: PeerBench | null = null;
  let dir = "";
  let avahi: ChildProcess | null = null;
  const avahiLog = { text: "" };

  before(async function () {
    requirePeerTests(this, TOOLS);
    if (!/^hosts:.*\bmdns4?(_minimal)?\b/m.test(fs.readFileSync("/etc/nsswitch.conf", "utf8"))) {
      throw new Error("/etc/nsswitch.conf has no mdns4_minimal on its hosts line (libnss-mdns's installation adds it; run `make peer-deps`)");
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "encsim-mdns-"));
    bench = await startPeerBench({ name: "mdns" });
    await bench.consoleEval(moduleLine());
    await bench.consoleEval("var M = DNS16.createMdns(device.stack, function () { return \"enc-board\"; }, { port: 80 })");
    await bench.consoleEval("M.start()");
    const deadline = Date.now() + 10000;
    while (JSON.parse(await bench.consoleEval("M.state()")) !== "running") {
      if (Date.now() > deadline) throw new Error("mDNS never got to running: " + await bench.consoleEval("M.state()"));
      await new Promise((r) => setTimeout(r, 200));
    }
    // avahi starts after the device announced: it has nothing cached and must ask
    avahi = await startAvahi(bench, dir, "testhost", "", avahiLog);
  });
  after(async () => {
    if (bench) await bench.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("getent hosts enc-board.local resolves to the device (NSS -> nss-mdns -> avahi-daemon -> mDNS)", async () => {
    const r = await inAvahi(bench!, avahi!, ["getent", "hosts", "enc-board.local"]);
    assert.equal(r.code, 0, "getent: " + r.stdout + r.stderr + "\navahi:\n" + avahiLog.text);
    assert.match(r.stdout, new RegExp("^" + bench!.deviceIp.replace(/\./g, "\\.") + "\\s+enc-board\\.local", "m"), r.stdout);
    assert.ok(Number(await bench!.consoleEval("M.counters.answers")) >= 1, "the device answered avahi's query");
  });

  it("an unknown .local name is not found (no false answer)", async () => {
    const r = await inAvahi(bench!, avahi!, ["getent", "hosts", "nobody-here.local"], 20000);
    assert.equal(r.code, 2, r.stdout + r.stderr);
  });

  it("dig, a legacy unicast query to port 5353: the ID echoed, TTL 10, the A record", async () => {
    const r = await bench!.run("dig", ["+norec", "+time=2", "+tries=2", "-p", "5353", "@" + bench!.deviceIp, "enc-board.local", "A"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /status: NOERROR/);
    assert.match(r.stdout, new RegExp("^enc-board\\.local\\.\\s+10\\s+IN\\s+A\\s+" + bench!.deviceIp.replace(/\./g, "\\."), "m"), r.stdout);
  });

  it("dig: DNS-SD records (PTR _http._tcp, SRV port 80, TXT path=/)", async () => {
    const r = await bench!.run("dig", ["+norec", "+time=2", "+tries=2", "-p", "5353", "@" + bench!.deviceIp, "_http._tcp.local", "PTR"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^_http\._tcp\.local\.\s+10\s+IN\s+PTR\s+enc-board\._http\._tcp\.local\./m, r.stdout);
    assert.match(r.stdout, /^enc-board\._http\._tcp\.local\.\s+10\s+IN\s+SRV\s+0 0 80 enc-board\.local\./m, r.stdout);
    assert.match(r.stdout, /^enc-board\._http\._tcp\.local\.\s+10\s+IN\s+TXT\s+"path=\/"/m, r.stdout);
  });

  it("a name another host holds (avahi's static host): the device renames to -2, says so, and resolves there", async () => {
    const log2 = { text: "" };
    // a second avahi-daemon publishes clash.local with another address before the device claims it
    const other = await startAvahi(bench!, dir, "clashhost", "192.0.2.77 clash.local\n", log2);
    const deadline = Date.now() + 10000;
    while (!/Service "clash.local"|Established under name|clash\.local/.test(log2.text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1500));   // its probing and announcing done
    await bench!.consoleEval("M.stop()");
    await bench!.consoleEval("var M2 = DNS16.createMdns(device.stack, function () { return \"clash\"; }, { port: 80 })");
    const said = bench!.waitForOutput(/mdns: clash\.local is taken on this network, now clash-2\.local/, 15000);
    await bench!.consoleEval("M2.start()");
    await said;
    const until = Date.now() + 10000;
    while (JSON.parse(await bench!.consoleEval("M2.state()")) !== "running" && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.equal(JSON.parse(await bench!.consoleEval("M2.name()")), "clash-2");
    const r = await inAvahi(bench!, avahi!, ["getent", "hosts", "clash-2.local"]);
    assert.match(r.stdout, new RegExp("^" + bench!.deviceIp.replace(/\./g, "\\.") + "\\s+clash-2\\.local", "m"), r.stdout + r.stderr + avahiLog.text);
    const held = await inAvahi(bench!, avahi!, ["getent", "hosts", "clash.local"]);
    assert.match(held.stdout, /^192\.0\.2\.77\s+clash\.local/m, "the other host keeps its name: " + held.stdout + log2.text);
    void other;
  });

  it("no exceptions on the device's receive path", async () => {
    assert.equal(await bench!.consoleEval("device.stack.counters.eth.errors"), "0");
  });
});

// The same pieces on Espruino's own interpreter (the sim's real-interpreter engine): the Pico's
// bundle with the resolver and the responder created at boot (a build that wires them in, made
// here through the project's bundler and gate), booted from Storage on the TAP with DHCP.
describe("DNS resolver and mDNS on Espruino's own interpreter (ESPRUINO=..., TAP)", function () {
  this.timeout(600000);
  let bench: PeerBench | null = null;
  let dir = "";
  let dnsLog = "";
  let avahi: ChildProcess | null = null;
  const avahiLog = { text: "" };

  before(async function () {
    if (!process.env.ESPRUINO) {
      // eslint-disable-next-line no-console
      console.log("      (skipped: set ESPRUINO to an Espruino Linux build to run the resolver and mDNS on the real interpreter)");
      this.skip();
    }
    requirePeerTests(this, TOOLS);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "encsim-dnsreal-"));
    const entry = path.join(REPO_ROOT, "build", "device", "boards", "pico-dnstest.js");
    fs.writeFileSync(entry, [
      'import "./pico.js";',
      'import { createResolver } from "../firmware/net/dns.js";',
      'import { createMdns } from "../firmware/net/mdns.js";',
      "global.R = createResolver(global.device.stack, function () { return 0xc0000201; });",
      'global.M = createMdns(global.device.stack, function () { return "enc-real"; });',
      "global.M.start();",
    ].join("\n"));
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { bundleBoard } = require("../../tools/bundle");
    const built = await bundleBoard("pico-dnstest", dir);
    fs.rmSync(entry, { force: true });
    const bundle = path.join(dir, "pico.js");   // the engine takes the board's name from the file's
    fs.renameSync(built.file, bundle);
    bench = await startPeerBench({
      name: "dnsreal", deviceIp: "dhcp", readyTimeoutMs: 180000,
      simArgs: ["--espruino", process.env.ESPRUINO!, "--bundle", bundle],
      beforeSim: async (_ns, b) => {
        const d = b.spawn("dnsmasq", ["--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=53",
          "--interface=" + b.tap, "--bind-interfaces", "--log-queries", "--log-facility=-", "--pid-file=",
          "--host-record=files.test,192.0.2.81", "--cname=www.test,files.test", "--local=/test/",
          "--dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,10m", "--dhcp-leasefile=" + path.join(dir, "leases")]);
        d.stdout!.on("data", (x: Buffer) => { dnsLog += x.toString(); });
        d.stderr!.on("data", (x: Buffer) => { dnsLog += x.toString(); });
        await new Promise((r) => setTimeout(r, 500));
      },
    });
    const deadline = Date.now() + 60000;
    while (JSON.parse(await bench.consoleEval("M.state()", 30000)) !== "running") {
      if (Date.now() > deadline) throw new Error("mDNS never got to running");
      await new Promise((r) => setTimeout(r, 500));
    }
    avahi = await startAvahi(bench, dir, "realhost", "", avahiLog);
  });
  after(async () => {
    if (bench) await bench.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function resolve(name: string): Promise<number[]> {
    const tag = "Q" + Math.floor(Math.random() * 1e9);
    const p = bench!.waitForOutput(new RegExp(tag + " (\\d+) (-?\\d+)"), 60000);
    await bench!.consoleEval(`R.resolve(${JSON.stringify(name)}, function (ip, err) { console.log("${tag} " + ip + " " + err); })`, 30000);
    const m = await p;
    return [Number(m[1]), Number(m[2])];
  }

  it("resolves through dnsmasq (a CNAME to a host record) and reports NXDOMAIN as -6", async () => {
    assert.deepEqual(await resolve("www.test"), [0xc0000251, 0]);
    assert.deepEqual(await resolve("nope.test"), [0, -6]);
    assert.match(dnsLog, /query\[A\] www\.test from 192\.0\.2\.1\d\d/, dnsLog);
  });

  it("getent hosts enc-real.local finds the device through avahi-daemon", async () => {
    const r = await inAvahi(bench!, avahi!, ["getent", "hosts", "enc-real.local"], 30000);
    assert.match(r.stdout, new RegExp("^" + bench!.deviceIp.replace(/\./g, "\\.") + "\\s+enc-real\\.local", "m"), r.stdout + r.stderr + avahiLog.text);
  });

  it("no variables kept per answered query or lookup (process.memory)", async () => {
    const usage = async (): Promise<number> => Number(await bench!.consoleEval("process.memory().usage", 30000));
    await bench!.consoleEval("var L = function () { for (var i = 0; i < 10; i++) R.resolve('www.test', function () {}); }", 30000);
    const a = await usage();
    const b = await usage();   // (the same console line again: its history entry is the same size)
    for (let i = 0; i < 20; i++) {
      const r = await bench!.run("dig", ["+norec", "+time=3", "+tries=1", "-p", "5353", "@" + bench!.deviceIp, "enc-real.local", "A"], { timeoutMs: 20000 });
      assert.match(r.stdout, /status: NOERROR/);
    }
    await bench!.consoleEval("L()", 30000);   // 10 lookups answered from the cache
    const c = await usage();
    // each console line read adds its history entry (b - a); "L()" one more small one
    // eslint-disable-next-line no-console
    console.log(`      (usage ${a}, ${b}; after 20 queries and 10 lookups ${c})`);
    assert.ok(c - b <= (b - a) + 3, `usage ${a} ${b} -> ${c}`);
  });

  it("dig -p 5353: the A record and the DNS-SD records", async () => {
    const r = await bench!.run("dig", ["+norec", "+time=3", "+tries=2", "-p", "5353", "@" + bench!.deviceIp, "_http._tcp.local", "PTR"], { timeoutMs: 30000 });
    assert.match(r.stdout, /^_http\._tcp\.local\.\s+10\s+IN\s+PTR\s+enc-real\._http\._tcp\.local\./m, r.stdout);
    assert.match(r.stdout, new RegExp("^enc-real\\.local\\.\\s+10\\s+IN\\s+A\\s+" + bench!.deviceIp.replace(/\./g, "\\."), "m"), r.stdout);
    assert.equal(await bench!.consoleEval("device.stack.counters.eth.errors", 30000), "0");
  });
});
