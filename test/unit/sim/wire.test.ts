import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { createWire, createLossFilter, readPcap, WireChip } from "../../../sim/wire";
import { createDhcpServer, snoopDhcpAck, ipToNum, macToBytes } from "../../../sim/dhcp";

function hasTshark(): boolean {
  try { execFileSync("tshark", ["--version"], { stdio: "ignore" }); return true; } catch { return false; }
}

function fakeChip() {
  let tx: (f: Uint8Array, t: number) => void = () => {};
  const chip = {
    delivered: [] as Uint8Array[],
    deliver(f: Uint8Array) { chip.delivered.push(f); return true; },
    onTransmit(fn: (f: Uint8Array, t: number) => void) { tx = fn; },
    transmit(f: Uint8Array) { tx(f, 0); },
  };
  return chip;
}

/** An Ethernet frame: dst, src, ethertype 0x88b5 (local experimental), payload byte i. */
function frame(i: number, fromDevice: boolean): Uint8Array {
  const f = new Uint8Array(60);
  f.set(fromDevice ? [2, 0, 0, 0, 0, 1] : [2, 0, 0, 0, 0, 2], 0);
  f.set(fromDevice ? [2, 0, 0, 0, 0, 2] : [2, 0, 0, 0, 0, 1], 6);
  f[12] = 0x88; f[13] = 0xb5; f[14] = i & 255;
  return f;
}

const dirs: string[] = [];
function tmp(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "simwire-"));
  dirs.push(d);
  return path.join(d, name);
}
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

describe("sim wire: loss injection", () => {
  it("is seeded: the same seed drops the same frames, another seed others, at about the rate asked", () => {
    const pattern = (seed: number) => { const l = createLossFilter(0.05, seed); const d: number[] = []; for (let i = 0; i < 10000; i++) if (l.drop()) d.push(i); return d; };
    const a = pattern(7), b = pattern(7), c = pattern(8);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.ok(a.length > 400 && a.length < 600, "dropped " + a.length + " of 10000 at p=0.05");
    const none = createLossFilter(0, 7);
    for (let i = 0; i < 100; i++) assert.equal(none.drop(), false);
  });

  it("drops in both directions on the wire, deterministically", () => {
    const runOnce = () => {
      const chip = fakeChip();
      const wire = createWire(chip, { loss: 0.3, seed: 99 });
      const got: number[] = [];
      wire.onFromDevice((f) => got.push(f[14]));
      for (let i = 0; i < 200; i++) { chip.transmit(frame(i, true)); wire.toDevice(frame(i, false)); }
      wire.close();
      return { got, delivered: chip.delivered.map((f) => f[14]), c: { ...wire.counters } };
    };
    const r1 = runOnce(), r2 = runOnce();
    assert.deepEqual(r1, r2);
    assert.equal(r1.c.fromDevice + r1.c.lostFromDevice, 200);
    assert.equal(r1.c.toDevice + r1.c.lostToDevice, 200);
    assert.ok(r1.c.lostFromDevice > 20 && r1.c.lostToDevice > 20);
    assert.equal(r1.got.length, r1.c.fromDevice);
  });
});

describe("sim wire: pcap capture", function () {
  this.timeout(30000); // tshark takes seconds to start
  it("writes both directions to a pcap file that tshark (or the parser) reads back", function () {
    const file = tmp("cap.pcap");
    const chip = fakeChip();
    const wire = createWire(chip, { pcap: file });
    wire.onFromDevice(() => {});
    for (let i = 0; i < 5; i++) { chip.transmit(frame(i, true)); wire.toDevice(frame(100 + i, false)); }
    wire.close();
    const p = readPcap(file);
    assert.equal(p.linktype, 1);
    assert.equal(p.frames.length, 10);
    assert.deepEqual(Array.from(p.frames[1].data), Array.from(frame(100, false)));
    if (!hasTshark()) {
      if (process.env.CI === "true") throw new Error("tshark is required in CI (tools/install-peer-deps.sh installs it)");
      return;
    }
    const outp = execFileSync("tshark", ["-r", file, "-T", "fields", "-e", "eth.src", "-e", "eth.dst", "-e", "eth.type", "-e", "frame.len"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const rows = outp.trim().split("\n");
    assert.equal(rows.length, 10);
    assert.equal(rows[0], "02:00:00:00:00:02\t02:00:00:00:00:01\t0x88b5\t60");
    assert.equal(rows[1], "02:00:00:00:00:01\t02:00:00:00:00:02\t0x88b5\t60");
  });
});

describe("sim DHCP server", function () {
  this.timeout(30000);
  const client = "02:45:4e:43:00:02";
  function request(type: number, xid: number, extra: number[] = []): Uint8Array {
    const bootp = new Uint8Array(300);
    bootp[0] = 1; bootp[1] = 1; bootp[2] = 6;
    new DataView(bootp.buffer).setUint32(4, xid);
    bootp.set(macToBytes(client), 28);
    bootp.set([99, 130, 83, 99, 53, 1, type, ...extra, 255], 236);
    const f = new Uint8Array(42 + bootp.length);
    f.fill(0xff, 0, 6); f.set(macToBytes(client), 6); f[12] = 8; f[13] = 0;
    f[14] = 0x45; new DataView(f.buffer).setUint16(16, 28 + bootp.length); f[22] = 64; f[23] = 17;
    new DataView(f.buffer).setUint32(30, 0xffffffff);
    new DataView(f.buffer).setUint16(34, 68); new DataView(f.buffer).setUint16(36, 67); new DataView(f.buffer).setUint16(38, 8 + bootp.length);
    f.set(bootp, 42);
    return f;
  }
  const server = () => createDhcpServer({
    serverIp: ipToNum("192.0.2.1"), serverMac: macToBytes("02:45:4e:43:00:01"), mask: ipToNum("255.255.255.0"),
    router: ipToNum("192.0.2.1"), poolStart: ipToNum("192.0.2.2"), poolEnd: ipToNum("192.0.2.3"), leaseSeconds: 3600,
  });

  it("offers 192.0.2.2, acknowledges the request, NAKs a wrong address; the snooper learns the lease", () => {
    const s = server();
    const offer = s.handle(request(1, 0x1234))!;
    assert.ok(offer);
    assert.deepEqual(Array.from(offer.subarray(42 + 16, 42 + 20)), [192, 0, 2, 2]);
    assert.equal(snoopDhcpAck(offer), null, "an OFFER is not a lease");
    const ack = s.handle(request(3, 0x1234, [50, 4, 192, 0, 2, 2, 54, 4, 192, 0, 2, 1]))!;
    assert.deepEqual(snoopDhcpAck(ack), { mac: client, ip: ipToNum("192.0.2.2"), mask: ipToNum("255.255.255.0"), router: ipToNum("192.0.2.1") });
    assert.deepEqual(Array.from(ack.subarray(42 + 4, 42 + 8)), [0, 0, 0x12, 0x34], "xid echoed");
    const nak = s.handle(request(3, 0x99, [50, 4, 192, 0, 2, 77]))!;
    assert.equal(nak[42 + 240 + 2], 6);
    assert.equal(s.handle(request(3, 0x98, [50, 4, 192, 0, 2, 2, 54, 4, 192, 0, 2, 9])), null, "REQUEST for another server ignored");
    assert.deepEqual({ ...s.counters }, { discover: 1, offer: 1, request: 3, ack: 1, nak: 1, release: 0, ignored: 1 });
  });

  it("its replies decode as DHCP in tshark with valid checksums", function () {
    if (!hasTshark()) { if (process.env.CI === "true") throw new Error("tshark is required in CI"); this.skip(); }
    const s = server();
    const file = tmp("dhcp.pcap");
    const chip = fakeChip();
    const wire = createWire(chip, { pcap: file });
    wire.toDevice(s.handle(request(1, 1))!);
    wire.toDevice(s.handle(request(3, 1, [50, 4, 192, 0, 2, 2]))!);
    wire.close();
    const out = execFileSync("tshark", ["-r", file, "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-T", "fields",
      "-e", "dhcp.option.dhcp", "-e", "dhcp.ip.your", "-e", "dhcp.option.subnet_mask", "-e", "dhcp.option.router", "-e", "dhcp.option.ip_address_lease_time",
      "-e", "ip.checksum.status", "-e", "udp.checksum.status"], /* 1 = good */ { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    assert.deepEqual(out.trim().split("\n"), [
      "2\t192.0.2.2\t255.255.255.0\t192.0.2.1\t3600\t1\t1",
      "5\t192.0.2.2\t255.255.255.0\t192.0.2.1\t3600\t1\t1",
    ]);
  });
});
