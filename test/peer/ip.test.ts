// The IP layer against the Linux kernel as a real peer: the simulated board (device bundle in a
// vm context, emulated ENC28J60) on a TAP device inside a namespace this test creates
// (192.0.2.0/24 only, no route out; see test/peer/lib/netns.ts).
//   - ping with 0, 1, 56 and 1472 data bytes and a payload pattern: exact replies (ping itself
//     compares every byte and reports "wrong data byte", duplicates and errors);
//   - arping resolves the device; a fragmented ping over EMTU_R (2000 bytes) is given up and counted
//     (reassembly itself: ip-rfc.test.ts);
//   - UDP to a closed port: the kernel reports ECONNREFUSED (our ICMP port unreachable, checked by
//     the kernel: checksum, quoted header);
//   - a real dnsmasq leases an address (2-minute lease, T1 20 s / T2 35 s through options 58/59);
//     the renewal at T1 is a unicast DHCPREQUEST from the leased address to the server (seen by
//     an AF_PACKET sniffer in the namespace) and dnsmasq ACKs it again; stop() sends a DHCPRELEASE
//     that dnsmasq logs.

import { strict as assert } from "assert";
import * as fs from "fs";
import { ChildProcess } from "child_process";
import { requirePeerTests, startPeerBench, PeerBench, DHCP_POOL } from "./lib/netns";

function pingOk(out: string, count: number): void {
  assert.match(out, new RegExp(`${count} packets transmitted, ${count} received, 0% packet loss`), out);
  assert.doesNotMatch(out, /wrong data|errors|DUP!|corrupted|truncated/i, out);
}

describe("IP layer against the Linux kernel (TAP, static address)", function () {
  this.timeout(120000);
  let bench: PeerBench | null = null;

  before(async function () {
    requirePeerTests(this, ["arping", "python3"]);
    bench = await startPeerBench({ name: "ip-static" });
  });
  after(async () => {
    if (bench) await bench.stop();
  });

  for (const [size, pattern] of [[0, "00"], [1, "a5"], [56, "ff00a55a"], [1472, "0123456789abcdef"]] as [number, string][]) {
    it(`ping -s ${size} gets exact replies`, async () => {
      const r = await bench!.run("ping", ["-c", "3", "-i", "0.2", "-s", String(size), "-W", "2", "-p", pattern, bench!.deviceIp], { timeoutMs: 20000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      pingOk(r.stdout, 3);
      if (size >= 16) assert.match(r.stdout, new RegExp(`${size + 8} bytes from ${bench!.deviceIp.replace(/\./g, "\\.")}: icmp_seq=\\d+ ttl=64`));
    });
  }

  it("arping resolves the device", async () => {
    const r = await bench!.run("arping", ["-c", "2", "-w", "5", "-I", bench!.tap, bench!.deviceIp], { timeoutMs: 15000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // Thomas Habets' arping: "... bytes from <mac> (<ip>): index=..." and "2 packets received"
    assert.match(r.stdout, new RegExp(`from ([0-9a-f]{2}:){5}[0-9a-f]{2} \\(${bench!.deviceIp.replace(/\./g, "\\.")}\\)`), r.stdout);
    assert.match(r.stdout, /2 packets transmitted, 2 packets received/, r.stdout);
  });

  it("a UDP datagram to a closed port is refused (ICMP port unreachable)", async () => {
    const py = [
      "import socket",
      "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
      "s.settimeout(3)",
      `s.connect(('${bench!.deviceIp}', 9))`,
      "s.send(b'hello')",
      "try:",
      "    s.recv(100)",
      "    print('answered')",
      "except ConnectionRefusedError:",
      "    print('refused')",
      "except socket.timeout:",
      "    print('timeout')",
    ].join("\n");
    const r = await bench!.run("python3", ["-c", py], { timeoutMs: 10000 });
    assert.equal(r.stdout.trim(), "refused", r.stdout + r.stderr);
  });

  it("gives up a fragmented ping over EMTU_R (2,000 bytes) with a counter and keeps answering", async () => {
    const before = Number(await bench!.consoleEval("device.stack.counters.ip.dropFragTooBig"));
    const r = await bench!.run("ping", ["-c", "1", "-s", "2000", "-W", "1", bench!.deviceIp], { timeoutMs: 10000 });
    assert.notEqual(r.code, 0, "no reply to a request over EMTU_R");
    assert.match(r.stdout, /1 packets transmitted, 0 received/, r.stdout);
    const after = Number(await bench!.consoleEval("device.stack.counters.ip.dropFragTooBig"));
    assert.equal(after - before, 1, "the fragment past 1,500 bytes gives the datagram up");
    assert.equal(await bench!.consoleEval("device.stack.counters.ip.reassembled"), "0");
    const ok = await bench!.run("ping", ["-c", "1", "-W", "2", bench!.deviceIp], { timeoutMs: 10000 });
    pingOk(ok.stdout, 1);
  });

  it("the device's counters show no receive-path exception", async () => {
    const errors = await bench!.consoleEval("device.stack.counters.eth.errors");
    assert.equal(errors, "0");
    const echo = Number(await bench!.consoleEval("device.stack.counters.icmp.echoOut"));
    assert.ok(echo >= 12, `echo replies counted: ${echo}`);
  });
});

// Prints one line per DHCP packet seen on the TAP: "<op> <type> <ip src> <ip dst> <ciaddr>".
const SNIFFER = [
  "import socket, struct, sys",
  "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))",
  "s.bind((sys.argv[1], 0))",
  "while True:",
  "    f = s.recv(2048)",
  "    if len(f) < 42 + 240 or f[23] != 17: continue",
  "    ihl = (f[14] & 15) * 4",
  "    u = 14 + ihl",
  "    sp, dp = struct.unpack('!HH', f[u:u+4])",
  "    if (sp, dp) not in ((68, 67), (67, 68)): continue",
  "    b = u + 8",
  "    i, t = b + 240, 0",
  "    while i + 1 < len(f) and f[i] != 255:",
  "        if f[i] == 0: i += 1; continue",
  "        if f[i] == 53: t = f[i + 2]",
  "        i += 2 + f[i + 1]",
  "    ip = lambda o: '.'.join(str(x) for x in f[o:o+4])",
  "    print(f[b], t, ip(26), ip(30), ip(b + 12), flush=True)",
].join("\n");

describe("IP layer: DHCP from a real dnsmasq (TAP)", function () {
  this.timeout(150000);
  let bench: PeerBench | null = null;
  let dnsmasqLog = "";
  let sniffed = "";
  const leases = "/tmp/encsim-ip-dnsmasq-" + process.pid + ".leases";

  before(async function () {
    requirePeerTests(this, ["dnsmasq", "python3"]);
    bench = await startPeerBench({
      name: "ip-dhcp",
      deviceIp: "dhcp",
      readyTimeoutMs: 60000,
      beforeSim: async (_ns, b) => {
        const sniffer: ChildProcess = b.spawn("python3", ["-u", "-c", SNIFFER, b.tap]);
        sniffer.stdout!.on("data", (d: Buffer) => { sniffed += d.toString(); });
        sniffer.stderr!.on("data", (d: Buffer) => { sniffed += d.toString(); });
        const d: ChildProcess = b.spawn("dnsmasq", ["--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=0",
          "--interface=" + b.tap, "--bind-interfaces", "--log-dhcp", "--log-facility=-",
          "--dhcp-range=" + DHCP_POOL.start + "," + DHCP_POOL.end + ",255.255.255.0,2m",
          "--dhcp-option=58,20", "--dhcp-option=59,35",
          "--dhcp-leasefile=" + leases, "--pid-file="]);
        d.stdout!.on("data", (x: Buffer) => { dnsmasqLog += x.toString(); });
        d.stderr!.on("data", (x: Buffer) => { dnsmasqLog += x.toString(); });
        await new Promise((r) => setTimeout(r, 500));
      },
    });
  });
  after(async () => {
    if (bench) await bench.stop();
    fs.rmSync(leases, { force: true });
  });

  it("leases an address from the pool with the hostname and answers ping there", async () => {
    const n = ip2n(bench!.deviceIp);
    assert.ok(n >= ip2n(DHCP_POOL.start) && n <= ip2n(DHCP_POOL.end), bench!.deviceIp);
    assert.equal(JSON.parse(await bench!.consoleEval("device.stack.dhcpState()")), "bound");
    assert.match(dnsmasqLog, new RegExp(`DHCPACK\\(tap0\\) ${bench!.deviceIp.replace(/\./g, "\\.")} ([0-9a-f]{2}:){5}[0-9a-f]{2} \\S+`), dnsmasqLog);
    // --log-dhcp shows option 12 from the client
    const name = JSON.parse(await bench!.consoleEval("device.settings.name"));
    assert.match(dnsmasqLog, /client provides name: (\S+)/, dnsmasqLog);
    assert.equal((dnsmasqLog.match(/client provides name: (\S+)/) as RegExpMatchArray)[1].toLowerCase(), String(name).toLowerCase().replace(/[^a-z0-9-]/g, ""));
    const r = await bench!.run("ping", ["-c", "2", "-i", "0.2", "-W", "2", bench!.deviceIp], { timeoutMs: 10000 });
    pingOk(r.stdout, 2);
  });

  it("renews at T1 by unicast to the server and gets the lease ACKed again", async () => {
    const ip = bench!.deviceIp.replace(/\./g, "\\.");
    // T1 = 20 s after the ACK: wait (bounded) for the unicast renewal and its ACK.
    const renewal = new RegExp(`^1 3 ${ip} 192\\.0\\.2\\.1 ${ip}$`, "m");
    const deadline = Date.now() + 45000;
    while (!renewal.test(sniffed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.match(sniffed, renewal, "a REQUEST from the leased address to the server with ciaddr set:\n" + sniffed);
    const acks = () => (dnsmasqLog.match(new RegExp(`DHCPACK\\(tap0\\) ${ip} `, "g")) || []).length;
    const ackDeadline = Date.now() + 10000;
    while (acks() < 2 && Date.now() < ackDeadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(acks() >= 2, "dnsmasq ACKed the renewal:\n" + dnsmasqLog);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(JSON.parse(await bench!.consoleEval("device.stack.dhcpState()")), "bound");
    assert.ok(Number(await bench!.consoleEval("device.stack.counters.dhcp.renewals")) >= 1);
    assert.equal(await bench!.consoleEval("device.stack.counters.dhcp.rebinds"), "0", "renewed before T2");
  });

  it("probed the lease with ARP before using it (RFC 5227), and stop() releases it (dnsmasq logs the DHCPRELEASE)", async () => {
    assert.ok(Number(await bench!.consoleEval("device.stack.counters.dhcp.probes")) >= 3);
    const ip = bench!.deviceIp.replace(/\./g, "\\.");
    await bench!.consoleEval("device.stack.stop()");
    const deadline = Date.now() + 5000;
    while (!new RegExp(`DHCPRELEASE\\(tap0\\) ${ip} `).test(dnsmasqLog) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.match(dnsmasqLog, new RegExp(`DHCPRELEASE\\(tap0\\) ${ip} `), dnsmasqLog);
    assert.equal(JSON.parse(await bench!.consoleEval("device.stack.dhcpState()")), "stopped");
    const r = await bench!.run("ping", ["-c", "1", "-W", "1", bench!.deviceIp], { timeoutMs: 10000 });
    assert.notEqual(r.code, 0, "no address any more");
  });
});

function ip2n(s: string): number {
  return s.split(".").reduce((a, b) => a * 256 + Number(b), 0);
}
