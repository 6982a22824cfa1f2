// Issue #15's IP-layer items against the Linux kernel as a real peer (the simulated board on a TAP
// in a namespace this test creates; 192.0.2.0/24 only, no route out; see test/peer/lib/netns.ts):
//   - reassembly: pings that Linux itself fragments (a route to the device with MTU 576, locked)
//     get exact replies, up to EMTU_R (1,500); UDP reassembled to a closed port is refused (the
//     kernel checks our ICMP error); overlapping fragments crafted on a raw socket are dropped
//     and counted, a clean set with the same data is answered;
//   - the link-layer broadcast filter: a TCP SYN to the device's address sent to
//     ff:ff:ff:ff:ff:ff (an AF_PACKET socket) gets no SYN-ACK, the same SYN to its MAC does;
//   - DHCP with a real dnsmasq: the lease was probed and option 6 asked for; a host claiming the
//     bound address (gratuitous ARP) is defended against once and wins the second time (the
//     device says so on its console and DHCPDECLINEs it, dnsmasq logs it); then a second host on
//     the wire (an AF_PACKET ARP responder with its own MAC) answers the probes for the next
//     address offered: the device declines it too and binds the third. (stop() and its
//     DHCPRELEASE: ip.test.ts's dnsmasq run.)

import { strict as assert } from "assert";
import * as fs from "fs";
import { ChildProcess } from "child_process";
import { requirePeerTests, startPeerBench, PeerBench } from "./lib/netns";

const DEVICE_MAC = "02:45:4e:43:00:02";   // the sim's default (boards/sim.ts)

function pingOk(out: string, count: number): void {
  assert.match(out, new RegExp(`${count} packets transmitted, ${count} received, 0% packet loss`), out);
  assert.doesNotMatch(out, /wrong data|errors|DUP!|corrupted|truncated/i, out);
}

async function counter(bench: PeerBench, name: string): Promise<number> {
  return Number(await bench.consoleEval("device.stack.counters." + name));
}

// Sends ICMP echo fragments built by hand on a raw IP socket (IP_HDRINCL: the kernel keeps the
// fragment fields), then waits 2 s for the echo reply: prints "reply <n data bytes ok>" or "none".
// argv: device address, identification, then "offset:length:mf" for each fragment of the ICMP message.
const RAWFRAG = [
  "import socket, struct, sys, time",
  "dst, ident, cuts = sys.argv[1], int(sys.argv[2]), sys.argv[3:]",
  "def csum(b):",
  "    if len(b) % 2: b += b'\\0'",
  "    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))",
  "    s = (s >> 16) + (s & 0xffff); s += s >> 16",
  "    return ~s & 0xffff",
  "data = bytes((i * 7 + 3) & 255 for i in range(1000))",
  "icmp = struct.pack('!BBHHH', 8, 0, 0, 0x5151, ident) + data",
  "icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]",
  "r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
  "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)",
  "src = socket.inet_aton('192.0.2.1'); d = socket.inet_aton(dst)",
  "for c in cuts:",
  "    off, ln, mf = (int(x) for x in c.split(':'))",
  "    part = icmp[off:off + ln]",
  "    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(part), ident, (0x2000 if mf else 0) | (off >> 3), 64, 1, 0, src, d)",
  "    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]",
  "    s.sendto(hdr + part, (dst, 0))",
  "r.settimeout(0.2); end = time.time() + 2; got = 'none'",
  "while time.time() < end:",
  "    try: p = r.recv(4096)",
  "    except socket.timeout: continue",
  "    ihl = (p[0] & 15) * 4",
  "    if p[ihl] == 0 and struct.unpack('!HH', p[ihl + 4:ihl + 8]) == (0x5151, ident):",
  "        got = 'reply %d %s' % (len(p) - ihl - 8, p[ihl + 8:] == data); break",
  "print(got)",
].join("\n");

// A TCP SYN to port 80 of the device's address, in an Ethernet frame to the given MAC, sent on
// the TAP with an AF_PACKET socket; prints "synack" when the device answers within 2 s, else "none".
// argv: interface, destination MAC, device address.
const RAWSYN = [
  "import socket, struct, sys, time",
  "ifname, mac, dst = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', '')), socket.inet_aton(sys.argv[3])",
  "def csum(b):",
  "    if len(b) % 2: b += b'\\0'",
  "    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))",
  "    s = (s >> 16) + (s & 0xffff); s += s >> 16",
  "    return ~s & 0xffff",
  "src = socket.inet_aton('192.0.2.1'); sport = 40000 + int(time.time() * 1000) % 20000",
  "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800)); s.bind((ifname, 0))",
  "me = s.getsockname()[4]",
  "tcp = struct.pack('!HHIIBBHHH', sport, 80, 12345, 0, 0x50, 0x02, 8192, 0, 0)",
  "tcp = tcp[:16] + struct.pack('!H', csum(src + dst + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)) + tcp[18:]",
  "ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, 1, 0, 64, 6, 0, src, dst)",
  "ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]",
  "s.send(mac + me + b'\\x08\\x00' + ip + tcp)",
  "s.settimeout(0.2); end = time.time() + 2; got = 'none'",
  "while time.time() < end:",
  "    try: f = s.recv(2048)",
  "    except socket.timeout: continue",
  "    if len(f) >= 54 and f[23] == 6 and f[26:30] == dst and struct.unpack('!HH', f[34:38]) == (80, sport) and f[47] & 0x12 == 0x12:",
  "        got = 'synack'; break",
  "print(got)",
].join("\n");

// The "second host": once the file argv[2] exists, answers ARP requests (probes included) for the
// first address probed on the wire from then on, and only that one, with its own MAC
// 02:00:00:00:00:bb, for at most 150 s. Prints "claimed <address>" once. argv: interface, file.
const ARP_OWNER = [
  "import os, socket, struct, sys, time",
  "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806)); s.bind((sys.argv[1], 0))",
  "mine = bytes.fromhex('0200000000bb'); claimed = None; end = time.time() + 150",
  "s.settimeout(0.5)",
  "while time.time() < end:",
  "    try: f = s.recv(2048)",
  "    except socket.timeout: continue",
  "    if len(f) < 42 or f[20:22] != b'\\x00\\x01' or f[22:28] == mine: continue",
  "    sha, spa, tpa = f[22:28], f[28:32], f[38:42]",
  "    if claimed is None and spa == b'\\0\\0\\0\\0' and os.path.exists(sys.argv[2]):",
  "        claimed = tpa; print('claimed', socket.inet_ntoa(tpa), flush=True)",
  "    if tpa != claimed: continue",
  "    s.send(sha + mine + b'\\x08\\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 2) + mine + tpa + sha + spa)",
].join("\n");

// Announces (a gratuitous ARP request) that <address> is at 02:00:00:00:00:cc. argv: interface, address.
const ARP_CLAIM = [
  "import socket, struct, sys",
  "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806)); s.bind((sys.argv[1], 0))",
  "mac = bytes.fromhex('0200000000cc'); a = socket.inet_aton(sys.argv[2])",
  "s.send(b'\\xff' * 6 + mac + b'\\x08\\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac + a + b'\\0' * 6 + a)",
].join("\n");

describe("IP layer, issue #15: reassembly and the broadcast filter against the Linux kernel", function () {
  this.timeout(120000);
  let bench: PeerBench | null = null;

  before(async function () {
    requirePeerTests(this, ["python3"]);
    bench = await startPeerBench({ name: "ip-rfc" });
    // Linux fragments what it sends to the device: a locked 576-byte MTU on the route to it.
    const r = await bench.run("ip", ["route", "add", bench.deviceIp + "/32", "dev", bench.tap, "mtu", "lock", "576"]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    if (bench) await bench.stop();
  });

  for (const size of [1200, 1472]) {
    it(`answers a ${size}-byte ping that Linux sent in fragments of 576, exactly`, async () => {
      const before = await counter(bench!, "ip.reassembled");
      const r = await bench!.run("ping", ["-c", "3", "-i", "0.3", "-W", "2", "-M", "dont", "-s", String(size), "-p", "a55a0ff0", bench!.deviceIp], { timeoutMs: 20000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      pingOk(r.stdout, 3);
      assert.match(r.stdout, new RegExp(`${size + 8} bytes from `));
      assert.equal(await counter(bench!, "ip.reassembled") - before, 3, "3 datagrams reassembled");
    });
  }

  it("gives up a ping over EMTU_R (1,500), counted, and keeps answering", async () => {
    const before = await counter(bench!, "ip.dropFragTooBig");
    const r = await bench!.run("ping", ["-c", "1", "-W", "1", "-M", "dont", "-s", "1473", bench!.deviceIp], { timeoutMs: 10000 });
    assert.notEqual(r.code, 0);
    assert.ok(await counter(bench!, "ip.dropFragTooBig") > before);
    const ok = await bench!.run("ping", ["-c", "1", "-W", "2", bench!.deviceIp], { timeoutMs: 10000 });
    pingOk(ok.stdout, 1);
  });

  it("a fragmented UDP datagram to a closed port is reassembled and refused (ICMP port unreachable)", async () => {
    const py = [
      "import socket",
      "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
      "s.setsockopt(socket.IPPROTO_IP, 10, 0)",   // IP_MTU_DISCOVER = IP_PMTUDISC_DONT: fragments allowed
      "s.settimeout(3)",
      `s.connect(('${bench!.deviceIp}', 9))`,
      "s.send(bytes(1400))",
      "try:",
      "    s.recv(100); print('answered')",
      "except ConnectionRefusedError:",
      "    print('refused')",
      "except socket.timeout:",
      "    print('timeout')",
    ].join("\n");
    const before = await counter(bench!, "ip.reassembled");
    const r = await bench!.run("python3", ["-c", py], { timeoutMs: 10000 });
    assert.equal(r.stdout.trim(), "refused", r.stdout + r.stderr);
    assert.equal(await counter(bench!, "ip.reassembled") - before, 1);
  });

  it("drops a datagram whose fragments overlap (counted) and answers the same data fragmented cleanly", async () => {
    const before = await counter(bench!, "ip.dropFragOverlap");
    const bad = await bench!.run("python3", ["-c", RAWFRAG, bench!.deviceIp, "701", "0:512:1", "504:504:0"], { timeoutMs: 10000 });
    assert.equal(bad.stdout.trim(), "none", bad.stdout + bad.stderr);
    assert.equal(await counter(bench!, "ip.dropFragOverlap") - before, 1);
    const dup = await bench!.run("python3", ["-c", RAWFRAG, bench!.deviceIp, "702", "0:512:1", "0:512:1", "512:496:0"], { timeoutMs: 10000 });
    assert.equal(dup.stdout.trim(), "none", "an exact duplicate is an overlap too: " + dup.stdout + dup.stderr);
    const good = await bench!.run("python3", ["-c", RAWFRAG, bench!.deviceIp, "703", "512:496:0", "0:512:1"], { timeoutMs: 10000 });
    assert.equal(good.stdout.trim(), "reply 1000 True", good.stdout + good.stderr);
  });

  it("ignores a TCP SYN to its address sent to ff:ff:ff:ff:ff:ff (counted), answers it sent to its MAC", async () => {
    const before = await counter(bench!, "ip.dropLinkBroadcast");
    const b = await bench!.run("python3", ["-c", RAWSYN, bench!.tap, "ff:ff:ff:ff:ff:ff", bench!.deviceIp], { timeoutMs: 10000 });
    assert.equal(b.stdout.trim(), "none", b.stdout + b.stderr);
    assert.equal(await counter(bench!, "ip.dropLinkBroadcast") - before, 1);
    const u = await bench!.run("python3", ["-c", RAWSYN, bench!.tap, DEVICE_MAC, bench!.deviceIp], { timeoutMs: 10000 });
    assert.equal(u.stdout.trim(), "synack", u.stdout + u.stderr);
  });

  it("the device's counters show no receive-path exception", async () => {
    assert.equal(await bench!.consoleEval("device.stack.counters.eth.errors"), "0");
  });
});

describe("IP layer, issue #15: DHCP conflicts (RFC 5227) with a real dnsmasq", function () {
  this.timeout(180000);
  let bench: PeerBench | null = null;
  let dnsmasqLog = "", owner = "";
  const leases = "/tmp/encsim-iprfc-dnsmasq-" + process.pid + ".leases";
  const arm = "/tmp/encsim-iprfc-arm-" + process.pid;

  before(async function () {
    requirePeerTests(this, ["dnsmasq", "python3"]);
    fs.rmSync(arm, { force: true });
    bench = await startPeerBench({
      name: "ip-rfc-dhcp",
      deviceIp: "dhcp",
      readyTimeoutMs: 60000,
      beforeSim: async (_ns, b) => {
        const o: ChildProcess = b.spawn("python3", ["-u", "-c", ARP_OWNER, b.tap, arm]);
        o.stdout!.on("data", (d: Buffer) => { owner += d.toString(); });
        o.stderr!.on("data", (d: Buffer) => { owner += d.toString(); });
        // three addresses: the first lease is given up to a claimer, the next offered is taken by
        // the ARP owner while the device probes it, the third is free
        const d: ChildProcess = b.spawn("dnsmasq", ["--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=0",
          "--interface=" + b.tap, "--bind-interfaces", "--log-dhcp", "--log-facility=-", "--no-ping",
          "--dhcp-range=192.0.2.120,192.0.2.122,255.255.255.0,10m", "--dhcp-option=6,192.0.2.53",
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
    fs.rmSync(arm, { force: true });
  });

  async function until(what: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  }

  it("probed its lease with ARP and asked for option 6 (DNS servers)", async () => {
    assert.equal(await counter(bench!, "dhcp.probes"), 3);
    assert.match(dnsmasqLog, /requested options: .*6:dns-server/, dnsmasqLog);
  });

  it("defends its address once against a host claiming it, gives it up the second time (DECLINE)", async () => {
    const ip = bench!.deviceIp;
    const esc = ip.replace(/\./g, "\\.");
    await bench!.run("python3", ["-c", ARP_CLAIM, bench!.tap, ip]);
    await bench!.waitForOutput(new RegExp(`ip: ${esc} is in use by 02:00:00:00:00:cc too: defended`), 5000, true);
    assert.equal(JSON.parse(await bench!.consoleEval("device.stack.dhcpState()")), "bound");
    fs.writeFileSync(arm, "");   // from now on the ARP owner takes the next address probed
    await bench!.run("python3", ["-c", ARP_CLAIM, bench!.tap, ip]);
    await bench!.waitForOutput(new RegExp(`ip: ${esc} is in use by 02:00:00:00:00:cc too: given up`), 5000, true);
    await until(() => new RegExp(`DHCPDECLINE\\(tap0\\) ${esc}`).test(dnsmasqLog), 5000);
    assert.match(dnsmasqLog, new RegExp(`DHCPDECLINE\\(tap0\\) ${esc}`), dnsmasqLog);
    assert.equal(await bench!.consoleEval("device.stack.addr"), "0");
    assert.equal(await counter(bench!, "dhcp.conflicts"), 1);
  });

  it("10 s later: declines the next address, which another host answers for while it probes, and takes the third", async () => {
    const first = bench!.deviceIp;
    await until(() => /claimed (\S+)/.test(owner), 30000);
    const m = /claimed (\S+)/.exec(owner);
    assert.ok(m, "the ARP owner saw a probe: " + owner);
    const taken = m![1], esc = taken.replace(/\./g, "\\.");
    assert.notEqual(taken, first);
    await bench!.waitForOutput(new RegExp(`ip: ${esc} is in use by 02:00:00:00:00:bb: declined`), 5000, true);
    await until(() => new RegExp(`DHCPDECLINE\\(tap0\\) ${esc}`).test(dnsmasqLog), 5000);
    assert.match(dnsmasqLog, new RegExp(`DHCPDECLINE\\(tap0\\) ${esc}`), dnsmasqLog);
    // 10 s later again: the third address, probed and taken
    let state = "";
    const deadline = Date.now() + 40000;
    while (Date.now() < deadline) {
      state = JSON.parse(await bench!.consoleEval("device.stack.dhcpState()"));
      if (state === "bound") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(state, "bound", bench!.simOutput());
    const third = (await bench!.consoleEval("device.stack.addr")).trim();
    const n = Number(third), dotted = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
    assert.ok(dotted !== first && dotted !== taken && /^192\.0\.2\.12[0-2]$/.test(dotted), dotted);
    assert.equal(await counter(bench!, "dhcp.declines"), 2);
    const r = await bench!.run("ping", ["-c", "2", "-i", "0.2", "-W", "2", dotted], { timeoutMs: 10000 });
    pingOk(r.stdout, 2);
  });
});
