// The DHCP client's RFC 2131 / RFC 5227 duties against a scripted server: the ARP probe of a
// lease before it is used, DHCPDECLINE on a conflict and the 10 s wait, the defence of the
// address in use (once, then given up), DHCPRELEASE on stop(), INIT-REBOOT with the last
// address, and the DNS server of option 6.
import { strict as assert } from "assert";
import { setup } from "./harness";
import { Stack, StackConfig, stackDnsServer } from "../../../firmware/net/stack";
import {
  FakeNetif, FakeClock, OUR_MAC, PEER_MAC, BCAST_MAC, ip, ipBytes, be32, ethFrame, arpPacket, udpFrame, udpChecksumOk,
  dhcpMessage, dhcpOptions, parseFrame, rd16, rd32, Bytes,
} from "./wire";

const SERVER = ip("192.0.2.1");
const LEASED = ip("192.0.2.100");
const DNS1 = ip("192.0.2.53");
const THIEF = [0x02, 0xbb, 0, 0, 0, 1];
const Z6 = [0, 0, 0, 0, 0, 0];

interface Sent { at: number; f: Uint8Array }
interface Rig { netif: FakeNetif; clock: FakeClock; stack: Stack; log: string[]; sent: Sent[]; addrEvents: number; answerArp: boolean }

function mk(cfg: Partial<StackConfig> = {}): Rig {
  const log: string[] = [];
  const r = setup({ hostname: "acd", random: () => 0.5, log: (s: string) => log.push(s), ...cfg } as StackConfig) as unknown as Rig;
  r.log = log;
  r.sent = [];
  r.addrEvents = 0;
  r.answerArp = true;
  r.stack.onAddress(() => r.addrEvents++);
  return r;
}

/** Frames sent since the last call, recorded with their time; ARP requests for the server answered (when asked). */
function collect(r: Rig): Uint8Array[] {
  const out = r.netif.take();
  for (const f of out) {
    r.sent.push({ at: r.clock.t, f });
    if (r.answerArp && rd16(f, 12) === 0x0806 && rd32(f, 38) === SERVER && f[21] === 1 && rd32(f, 28) !== 0) {
      r.netif.push(ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, SERVER, OUR_MAC, rd32(f, 28))));
      r.stack.poll();
      out.push(...collect(r));
    }
  }
  return out;
}

function step(r: Rig, ms: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let t = 0; t < ms; t += 100) {
    r.clock.t += 100;
    r.stack.tick();
    out.push(...collect(r));
  }
  return out;
}

function feed(r: Rig, frame: Bytes): Uint8Array[] {
  r.netif.push(frame);
  r.stack.poll();
  assert.equal(r.stack.counters.eth.errors, 0);
  return collect(r);
}

interface Msg { type: number; xid: number; ciaddr: number; ipSrc: number; ipDst: number; dstMac: number[]; opts: Map<number, number[]> }

function dhcpOf(frames: Uint8Array[]): Msg[] {
  const out: Msg[] = [];
  for (const f of frames) {
    const p = parseFrame(f);
    if (p.type !== 0x0800 || p.proto !== 17) continue;
    assert.ok(udpChecksumOk(p.ipSrc, p.ipDst, p.l4));
    const opts = dhcpOptions(p.l4, 8, p.l4.length - 8);
    out.push({ type: (opts.get(53) || [0])[0], xid: rd32(p.l4, 12), ciaddr: rd32(p.l4, 20), ipSrc: p.ipSrc, ipDst: p.ipDst, dstMac: p.dst, opts });
  }
  return out;
}

function arpOf(frames: Uint8Array[]): { op: number; spa: number; tpa: number; sha: number[]; tha: number[]; dst: number[] }[] {
  return frames.filter((f) => rd16(f, 12) === 0x0806).map((f) => ({
    op: f[21], spa: rd32(f, 28), tpa: rd32(f, 38), sha: Array.from(f.subarray(22, 28)), tha: Array.from(f.subarray(32, 38)), dst: Array.from(f.subarray(0, 6)),
  }));
}

function opts(type: number, extra: Bytes[] = []): Bytes[] {
  return [[53, type], [54, ...ipBytes(SERVER)], [51, ...be32(600)], [1, 255, 255, 255, 0], [3, ...ipBytes(SERVER)], [6, ...ipBytes(DNS1), ...ipBytes(ip("192.0.2.54"))], ...extra];
}

function reply(xid: number, type: number, yi = LEASED): Bytes {
  return udpFrame(BCAST_MAC, SERVER, 0xffffffff, 67, 68, dhcpMessage(2, xid, OUR_MAC, yi, type === 6 ? [[53, 6], [54, ...ipBytes(SERVER)]] : opts(type)));
}

/** DISCOVER, OFFER, REQUEST, ACK: the ACK's time. */
function toAck(r: Rig): number {
  const d = dhcpOf(step(r, 100))[0];
  assert.equal(d.type, 1);
  const q = dhcpOf(feed(r, reply(d.xid, 2)))[0];
  assert.equal(q.type, 3);
  assert.equal(feed(r, reply(q.xid, 5)).length, 0, "nothing sent at the ACK: the first probe waits 0-1 s");
  return r.clock.t;
}

function untilState(r: Rig, state: string, ms: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let t = 0; t < ms && r.stack.dhcpState() !== state; t += 100) out.push(...step(r, 100));
  assert.equal(r.stack.dhcpState(), state);
  return out;
}

describe("net/dhcp: address conflict detection (RFC 5227) and the rest of RFC 2131", () => {
  it("probes the leased address 3 times with ARP (sender 0.0.0.0) before using it, then announces it", () => {
    const r = mk();
    const tAck = toAck(r);
    assert.equal(r.stack.dhcpState(), "probing");
    assert.equal(r.stack.addr, 0);
    const out = untilState(r, "bound", 10000);
    const arp = arpOf(out);
    assert.equal(arp.length, 4);
    const times = r.sent.filter((s) => rd16(s.f, 12) === 0x0806).slice(-4).map((s) => s.at - tAck);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(arp[i], { op: 1, spa: 0, tpa: LEASED, sha: OUR_MAC, tha: Z6, dst: BCAST_MAC }, "probe " + i);
    }
    assert.ok(times[0] >= 0 && times[0] <= 1000, "PROBE_WAIT: " + times);
    assert.ok(times[1] - times[0] >= 1000 && times[1] - times[0] <= 2000, "PROBE_MIN..MAX: " + times);
    assert.ok(times[2] - times[1] >= 1000 && times[2] - times[1] <= 2000, "PROBE_MIN..MAX: " + times);
    assert.ok(times[3] - times[2] >= 2000 && times[3] - times[2] <= 2100, "ANNOUNCE_WAIT: " + times);
    assert.deepEqual(arp[3], { op: 1, spa: LEASED, tpa: LEASED, sha: OUR_MAC, tha: Z6, dst: BCAST_MAC }, "announcement");
    assert.equal(r.stack.addr, LEASED);
    assert.equal(r.addrEvents, 1);
    assert.equal(r.stack.counters.dhcp.probes, 3);
    assert.equal(stackDnsServer(r.stack), DNS1, "option 6: the first server");
  });

  for (const [what, frame] of [
    ["an ARP reply from the address's owner", ethFrame(OUR_MAC, THIEF, 0x0806, arpPacket(2, THIEF, LEASED, OUR_MAC, 0))],
    ["an ARP request from the address's owner", ethFrame(BCAST_MAC, THIEF, 0x0806, arpPacket(1, THIEF, LEASED, Z6, ip("192.0.2.7")))],
    ["another host probing the same address", ethFrame(BCAST_MAC, THIEF, 0x0806, arpPacket(1, THIEF, 0, Z6, LEASED))],
  ] as [string, Bytes][]) {
    it(`declines the lease on a conflict while probing (${what}), says so, and starts over after 10 s`, () => {
      const r = mk();
      toAck(r);
      step(r, 1500);   // the first probe is out
      const out = feed(r, frame);
      const m = dhcpOf(out);
      assert.equal(m.length, 1);
      assert.equal(m[0].type, 4, "DHCPDECLINE");
      assert.equal(m[0].ipSrc, 0);
      assert.equal(m[0].ipDst, 0xffffffff);
      assert.equal(m[0].ciaddr, 0);
      assert.deepEqual(m[0].opts.get(50), ipBytes(LEASED));
      assert.deepEqual(m[0].opts.get(54), ipBytes(SERVER));
      for (const no of [12, 55, 57]) assert.equal(m[0].opts.get(no), undefined, "option " + no + " not in a DECLINE");
      assert.equal(r.stack.dhcpState(), "init");
      assert.equal(r.stack.addr, 0);
      assert.equal(r.addrEvents, 0, "the address was never used");
      assert.equal(r.stack.counters.dhcp.declines, 1);
      assert.match(r.log.join("\n"), /192\.0\.2\.100 is in use by 02:bb:00:00:00:01: declined/);
      assert.equal(dhcpOf(step(r, 9800)).length, 0, "quiet for 10 s (RFC 2131 3.1.5)");
      const d = dhcpOf(step(r, 300));
      assert.equal(d.length, 1);
      assert.equal(d[0].type, 1, "DISCOVER again");
    });
  }

  it("defends the bound address once, gives it up on a second conflict within 10 s (DECLINE, said on the console)", () => {
    const r = mk();
    toAck(r);
    untilState(r, "bound", 10000);
    const conflict = ethFrame(BCAST_MAC, THIEF, 0x0806, arpPacket(1, THIEF, LEASED, Z6, SERVER));
    const first = arpOf(feed(r, conflict));
    assert.deepEqual(first, [{ op: 1, spa: LEASED, tpa: LEASED, sha: OUR_MAC, tha: Z6, dst: BCAST_MAC }], "one announcement");
    assert.equal(r.stack.addr, LEASED);
    assert.match(r.log.join("\n"), /192\.0\.2\.100 is in use by 02:bb:00:00:00:01 too: defended/);
    // 11 s later: defended again (the interval is over)
    step(r, 11000);
    assert.equal(arpOf(feed(r, conflict)).length, 1);
    assert.equal(r.stack.counters.dhcp.defended, 2);
    // within 10 s of that: given up
    step(r, 3000);
    const out = feed(r, conflict);
    assert.equal(r.stack.addr, 0);
    assert.equal(r.stack.dhcpState(), "init");
    const m = dhcpOf(out);
    assert.equal(m.length, 1);
    assert.equal(m[0].type, 4);
    assert.deepEqual(m[0].opts.get(50), ipBytes(LEASED));
    assert.equal(r.stack.counters.dhcp.conflicts, 1);
    assert.match(r.log.join("\n"), /too: given up/);
    assert.equal(dhcpOf(step(r, 9800)).length, 0);
    assert.equal(dhcpOf(step(r, 300))[0].type, 1);
  });

  it("a static address is defended at most once per 10 s and kept", () => {
    const r = mk({ ip: LEASED, mask: 0xffffff00, gateway: SERVER });
    collect(r);
    const conflict = ethFrame(BCAST_MAC, THIEF, 0x0806, arpPacket(2, THIEF, LEASED, Z6, LEASED));
    assert.equal(arpOf(feed(r, conflict)).length, 1);
    assert.equal(arpOf(feed(r, conflict)).length, 0, "not again within 10 s");
    assert.equal(r.stack.addr, LEASED);
    step(r, 10100);
    assert.equal(arpOf(feed(r, conflict)).length, 1);
    assert.equal(r.stack.counters.arp.conflicts, 3);
    assert.equal(dhcpOf(r.sent.map((s) => s.f)).length, 0, "no DHCP for a static address");
  });

  it("stop() releases the lease (DHCPRELEASE unicast to the server) and drops the address", () => {
    const r = mk();
    toAck(r);
    untilState(r, "bound", 10000);
    r.stack.stop!();   // (the server's MAC was not known: resolved first, then the RELEASE leaves)
    const m = dhcpOf(collect(r));
    assert.equal(m.length, 1);
    assert.equal(m[0].type, 7, "DHCPRELEASE");
    assert.equal(m[0].ciaddr, LEASED);
    assert.equal(m[0].ipSrc, LEASED);
    assert.equal(m[0].ipDst, SERVER);
    assert.deepEqual(m[0].dstMac, PEER_MAC);
    assert.deepEqual(m[0].opts.get(54), ipBytes(SERVER));
    for (const no of [50, 12, 55, 57]) assert.equal(m[0].opts.get(no), undefined, "option " + no + " not in a RELEASE");
    step(r, 100);
    assert.equal(r.stack.addr, 0, "dropped at the tick after the RELEASE left");
    assert.equal(r.stack.dhcpState(), "stopped");
    assert.equal(r.stack.counters.dhcp.releases, 1);
    assert.equal(step(r, 700000).length, 0, "silent afterwards, past the lease's T1");
  });

  it("stop() waits for the server's MAC (at most 1 s) before dropping the address", () => {
    const r = mk();
    toAck(r);
    untilState(r, "bound", 10000);
    r.answerArp = false;
    r.stack.stop!();
    const asked = arpOf(collect(r));
    assert.equal(asked.length, 1, "ARP request for the server");
    assert.equal(r.stack.dhcpState(), "releasing");
    assert.equal(r.stack.addr, LEASED);
    const out = feed(r, ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, SERVER, OUR_MAC, LEASED)));
    assert.equal(dhcpOf(out)[0].type, 7, "the held RELEASE leaves");
    step(r, 100);
    assert.equal(r.stack.addr, 0);
    assert.equal(r.stack.dhcpState(), "stopped");
  });

  it("stop() with the server's MAC known drops the address at once; an unresolved server costs at most 1 s", () => {
    const r = mk();
    toAck(r);
    untilState(r, "bound", 10000);
    step(r, 301000);   // T1: the renewal resolved the server
    assert.equal(r.stack.dhcpState(), "renewing");
    r.stack.stop!();
    assert.equal(dhcpOf(collect(r))[0].type, 7);
    assert.equal(r.stack.addr, 0);
    const q = mk();
    toAck(q);
    untilState(q, "bound", 10000);
    q.answerArp = false;
    q.stack.stop!();
    step(q, 900);
    assert.equal(q.stack.addr, LEASED);
    step(q, 200);
    assert.equal(q.stack.addr, 0);
    assert.equal(q.stack.dhcpState(), "stopped");
  });

  it("INIT-REBOOT: asks for the last address first (REQUEST, option 50, no server id), probes, binds", () => {
    const r = mk({ lastIp: LEASED });
    const q = dhcpOf(step(r, 100));
    assert.equal(q.length, 1);
    assert.equal(q[0].type, 3);
    assert.equal(q[0].ciaddr, 0);
    assert.equal(q[0].ipDst, 0xffffffff);
    assert.deepEqual(q[0].opts.get(50), ipBytes(LEASED));
    assert.equal(q[0].opts.get(54), undefined);
    assert.equal(r.stack.dhcpState(), "rebooting");
    feed(r, reply(q[0].xid, 5));
    assert.equal(r.stack.dhcpState(), "probing");
    untilState(r, "bound", 10000);
    assert.equal(r.stack.addr, LEASED);
    assert.equal(r.stack.counters.dhcp.reboots, 1);
  });

  it("INIT-REBOOT: a NAK, or no answer to 2 REQUESTs, leads to a DISCOVER", () => {
    const r = mk({ lastIp: LEASED });
    const q = dhcpOf(step(r, 100))[0];
    feed(r, reply(q.xid, 6, 0));
    assert.equal(dhcpOf(step(r, 100))[0].type, 1);
    const r2 = mk({ lastIp: LEASED });
    const all = dhcpOf(step(r2, 14000));
    assert.deepEqual(all.map((m) => m.type), [3, 3, 1], "REQUEST, REQUEST 4 s later, DISCOVER 8 s after that");
  });

  it("asks for option 6 and takes a static DNS server from the configuration", () => {
    const r = mk();
    const d = dhcpOf(step(r, 100))[0];
    assert.ok((d.opts.get(55) || []).indexOf(6) >= 0, "parameter list asks for DNS servers");
    assert.equal(stackDnsServer(r.stack), 0);
    const s = mk({ ip: LEASED, mask: 0xffffff00, dns: DNS1 });
    assert.equal(stackDnsServer(s.stack), DNS1);
  });
});
