import { strict as assert } from "assert";
import { setup } from "./harness";
import { Stack, StackConfig } from "../../../firmware/net/stack";
import {
  FakeNetif, FakeClock, OUR_MAC, PEER_MAC, BCAST_MAC, ip, ipBytes, be32, ethFrame, arpPacket, udpFrame, udpChecksumOk,
  dhcpMessage, dhcpOptions, parseFrame, rd32, refChecksum, Bytes,
} from "./wire";

const SERVER = ip("192.0.2.1");
const LEASED = ip("192.0.2.100");

interface Msg { type: number; xid: number; ciaddr: number; ipSrc: number; ipDst: number; dstMac: number[]; opts: Map<number, number[]>; len: number }

/** Pulls the DHCP messages out of what the stack sent (checking each frame's headers on the way). */
function dhcpSent(frames: Uint8Array[]): Msg[] {
  const out: Msg[] = [];
  for (const f of frames) {
    const p = parseFrame(f);
    if (p.type !== 0x0800 || p.proto !== 17) continue;
    assert.equal(refChecksum(f, 14, 34), 0);
    assert.equal((p.l4[0] << 8) | p.l4[1], 68);
    assert.equal((p.l4[2] << 8) | p.l4[3], 67);
    assert.ok(udpChecksumOk(p.ipSrc, p.ipDst, p.l4), "UDP checksum");
    const off = 8;
    const m = p.l4;
    assert.equal(m[off], 1, "BOOTREQUEST");
    assert.deepEqual(Array.from(m.subarray(off + 28, off + 34)), OUR_MAC, "chaddr");
    assert.deepEqual(Array.from(m.subarray(off + 236, off + 240)), [99, 130, 83, 99]);
    const opts = dhcpOptions(m, off, m.length - off);
    out.push({ type: (opts.get(53) || [0])[0], xid: rd32(m, off + 4), ciaddr: rd32(m, off + 12), ipSrc: p.ipSrc, ipDst: p.ipDst, dstMac: p.dst, opts, len: m.length - off });
  }
  return out;
}

function leaseOpts(type: number, lease: number, extra: Bytes[] = []): Bytes[] {
  return [[53, type], [54, ...ipBytes(SERVER)], [51, ...be32(lease)], [1, 255, 255, 255, 0], [3, ...ipBytes(SERVER)], ...extra];
}

function serverReply(msg: Bytes, toIp = LEASED, broadcast = false): Bytes {
  return udpFrame(broadcast ? BCAST_MAC : OUR_MAC, SERVER, broadcast ? 0xffffffff : toIp, 67, 68, msg);
}

interface Bench { netif: FakeNetif; clock: FakeClock; stack: Stack; addrEvents: number; arpAnswered?: number }

function mk(cfg: StackConfig = { hostname: "espruino-1" }, link = true): Bench {
  const b = setup({ random: () => 0.5, dhcpProbes: 0, ...cfg }, link) as Bench;   // (probes: dhcp-acd.test.ts)
  b.addrEvents = 0;
  b.stack.onAddress(() => b.addrEvents++);
  return b;
}

/** Advances the clock in 100 ms ticks; ARP requests for the server are answered at once (as its host would). */
function step(b: Bench, ms: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let t = 0; t < ms; t += 100) {
    b.clock.t += 100;
    b.stack.tick();
    out.push(...arpAnswer(b, b.netif.take()));
  }
  return out;
}

function feed(b: Bench, frame: Bytes): Uint8Array[] {
  b.netif.push(frame);
  b.stack.poll();
  assert.equal(b.stack.counters.eth.errors, 0);
  return b.netif.take();
}

/** Runs DISCOVER/OFFER/REQUEST/ACK; returns the ACK time. */
function bindLease(b: Bench, lease: number, extra: Bytes[] = []): number {
  const d = dhcpSent(step(b, 100));
  assert.equal(d.length, 1);
  assert.equal(d[0].type, 1);
  const r = dhcpSent(feed(b, serverReply(dhcpMessage(2, d[0].xid, OUR_MAC, LEASED, leaseOpts(2, lease, extra)))));
  assert.equal(r.length, 1);
  assert.equal(r[0].type, 3);
  feed(b, serverReply(dhcpMessage(2, r[0].xid, OUR_MAC, LEASED, leaseOpts(5, lease, extra))));
  return b.clock.t;
}

/** Answers ARP requests for the server (as the server's host would). */
function arpAnswer(b: Bench, frames: Uint8Array[]): Uint8Array[] {
  b.arpAnswered = b.arpAnswered || 0;
  const out: Uint8Array[] = [];
  for (const f of frames) {
    if (((f[12] << 8) | f[13]) === 0x0806 && rd32(f, 38) === SERVER && f[21] === 1) {
      b.arpAnswered++;
      out.push(...feed(b, ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, SERVER, OUR_MAC, LEASED))));
    } else out.push(f);
  }
  return out;
}

describe("net/dhcp: client against a scripted server", () => {
  it("does DISCOVER/OFFER/REQUEST/ACK with hostname, client id and exact addressing", () => {
    const b = mk();
    assert.equal(b.stack.dhcpState(), "init");
    const d = dhcpSent(step(b, 100));
    assert.equal(d.length, 1);
    const disc = d[0];
    assert.equal(disc.type, 1);
    assert.equal(disc.ipSrc, 0);
    assert.equal(disc.ipDst, 0xffffffff);
    assert.deepEqual(disc.dstMac, BCAST_MAC);
    assert.deepEqual(disc.opts.get(61), [1, ...OUR_MAC]);
    assert.equal(String.fromCharCode(...(disc.opts.get(12) as number[])), "espruino-1");
    assert.ok(disc.len >= 300, "BOOTP minimum size");
    assert.equal(b.stack.dhcpState(), "selecting");

    const req = dhcpSent(feed(b, serverReply(dhcpMessage(2, disc.xid, OUR_MAC, LEASED, leaseOpts(2, 600)))));
    assert.equal(req.length, 1);
    assert.equal(req[0].type, 3);
    assert.equal(req[0].xid, disc.xid);
    assert.equal(req[0].ipSrc, 0);
    assert.equal(req[0].ipDst, 0xffffffff);
    assert.deepEqual(req[0].opts.get(50), ipBytes(LEASED));
    assert.deepEqual(req[0].opts.get(54), ipBytes(SERVER));
    assert.equal(b.stack.dhcpState(), "requesting");

    const after = feed(b, serverReply(dhcpMessage(2, disc.xid, OUR_MAC, LEASED, leaseOpts(5, 600))));
    assert.equal(b.stack.dhcpState(), "bound");
    assert.equal(b.stack.addr, LEASED);
    assert.equal(b.stack.mask, 0xffffff00);
    assert.equal(b.stack.gateway, SERVER);
    assert.equal(b.addrEvents, 1);
    assert.equal(after.length, 1, "gratuitous ARP for the new address");
    assert.equal(rd32(after[0], 28), LEASED);
    assert.equal(rd32(after[0], 38), LEASED);
    assert.equal(b.stack.counters.dhcp.acks, 1);
  });

  it("renews at T1 by unicast to the server and stays bound", () => {
    const b = mk();
    const t0 = bindLease(b, 200);
    assert.equal(dhcpSent(step(b, 99000)).length, 0, "nothing before T1 (100 s)");
    const out = step(b, 1000);
    const ren = dhcpSent(out);
    assert.equal(ren.length, 1);
    assert.equal(b.clock.t - t0, 100000);
    assert.equal(b.stack.dhcpState(), "renewing");
    assert.equal(ren[0].type, 3);
    assert.equal(ren[0].ciaddr, LEASED);
    assert.equal(ren[0].ipSrc, LEASED);
    assert.equal(ren[0].ipDst, SERVER);
    assert.deepEqual(ren[0].dstMac, PEER_MAC, "unicast to the server's MAC");
    assert.equal(b.arpAnswered, 1, "resolved the server first");
    assert.equal(ren[0].opts.get(50), undefined);
    assert.equal(ren[0].opts.get(54), undefined);
    feed(b, serverReply(dhcpMessage(2, ren[0].xid, OUR_MAC, LEASED, leaseOpts(5, 200))));
    assert.equal(b.stack.dhcpState(), "bound");
    assert.equal(b.addrEvents, 1, "same address: no address event");
    // The new lease runs from the renewal: next renewal 100 s later.
    const t1 = b.clock.t;
    let next = dhcpSent(step(b, 100000));
    assert.equal(next.length, 1);
    assert.equal(b.clock.t - t1, 100000);
    assert.equal(next[0].ipDst, SERVER);
  });

  it("honours T1/T2 options, rebinds by broadcast at T2 and accepts the ACK", () => {
    const b = mk();
    const t0 = bindLease(b, 120, [[58, ...be32(10)], [59, ...be32(20)]]);
    const renewals = dhcpSent(step(b, 19900));
    assert.ok(renewals.length >= 2, `renewal retransmitted before T2 (${renewals.length})`);
    assert.ok(renewals.every((m) => m.ipDst === SERVER));
    const reb = dhcpSent(step(b, 100));
    assert.equal(b.clock.t - t0, 20000);
    assert.equal(b.stack.dhcpState(), "rebinding");
    assert.equal(reb.length, 1);
    assert.equal(reb[0].ipDst, 0xffffffff);
    assert.deepEqual(reb[0].dstMac, BCAST_MAC);
    assert.equal(reb[0].ciaddr, LEASED);
    assert.equal(reb[0].ipSrc, LEASED);
    feed(b, serverReply(dhcpMessage(2, reb[0].xid, OUR_MAC, LEASED, leaseOpts(5, 120, [[58, ...be32(10)], [59, ...be32(20)]]))));
    assert.equal(b.stack.dhcpState(), "bound");
    assert.equal(b.stack.counters.dhcp.rebinds, 1);
    assert.equal(b.stack.counters.dhcp.renewals, 1);
  });

  it("drops the address when the lease ends unanswered and starts over", () => {
    const b = mk();
    bindLease(b, 60);
    step(b, 59900);
    assert.equal(b.stack.addr, LEASED);
    const out = dhcpSent(step(b, 200));
    assert.equal(b.stack.addr, 0);
    assert.equal(b.addrEvents, 2);
    assert.equal(b.stack.counters.dhcp.expired, 1);
    assert.equal(b.stack.dhcpState(), "selecting");
    assert.equal(out[out.length - 1].type, 1, "a new DISCOVER");
  });

  it("restarts on NAK while requesting and while renewing", () => {
    const b = mk();
    const d = dhcpSent(step(b, 100))[0];
    const r = dhcpSent(feed(b, serverReply(dhcpMessage(2, d.xid, OUR_MAC, LEASED, leaseOpts(2, 100)))))[0];
    feed(b, serverReply(dhcpMessage(2, r.xid, OUR_MAC, 0, [[53, 6], [54, ...ipBytes(SERVER)]]), 0, true));
    assert.equal(b.stack.dhcpState(), "init");
    assert.equal(dhcpSent(step(b, 100))[0].type, 1);
    // Bind, reach T1, get a NAK.
    const b2 = mk();
    bindLease(b2, 100);
    const ren = dhcpSent(step(b2, 50000));
    feed(b2, serverReply(dhcpMessage(2, ren[0].xid, OUR_MAC, 0, [[53, 6], [54, ...ipBytes(SERVER)]])));
    assert.equal(b2.stack.addr, 0);
    assert.equal(b2.stack.counters.dhcp.naks, 1);
    assert.equal(b2.addrEvents, 2);
  });

  it("ignores a second server's offer while requesting and keeps an infinite lease without renewing", () => {
    const b = mk();
    const d = dhcpSent(step(b, 100))[0];
    const r = dhcpSent(feed(b, serverReply(dhcpMessage(2, d.xid, OUR_MAC, LEASED, leaseOpts(2, 100)))))[0];
    assert.equal(dhcpSent(feed(b, serverReply(dhcpMessage(2, d.xid, OUR_MAC, ip("192.0.2.101"), [[53, 2], [54, 192, 0, 2, 9]])))).length, 0);
    assert.equal(b.stack.counters.dhcp.dropOther, 1);
    feed(b, serverReply(dhcpMessage(2, r.xid, OUR_MAC, LEASED, leaseOpts(5, 0xffffffff))));
    assert.equal(b.stack.dhcpState(), "bound");
    assert.equal(dhcpSent(step(b, 600000)).length, 0);
    assert.equal(b.stack.dhcpState(), "bound");
  });

  it("an ACK from another server while requesting is dropped", () => {
    const b = mk();
    const d = dhcpSent(step(b, 100))[0];
    dhcpSent(feed(b, serverReply(dhcpMessage(2, d.xid, OUR_MAC, LEASED, leaseOpts(2, 100)))));
    feed(b, serverReply(dhcpMessage(2, d.xid, OUR_MAC, LEASED, [[53, 5], [54, 192, 0, 2, 9], [51, ...be32(100)]])));
    assert.equal(b.stack.dhcpState(), "requesting");
    assert.equal(b.stack.addr, 0);
  });

  it("retransmits DISCOVER with exponential back-off (4, 8, 16, 32, 64, 64 s), randomized by +-1 s", () => {
    for (const [r, shift] of [[0.5, 0], [0, -1000], [0.99999, 1000]] as [number, number][]) {
      const b = mk({ random: () => r });
      const times: number[] = [];
      const t0 = b.clock.t;
      for (let i = 0; i < 2000; i++) {
        if (dhcpSent(step(b, 100)).length) times.push(b.clock.t - t0);
      }
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      const expect = [4000, 8000, 16000, 32000, 64000, 64000].map((g) => g + shift);
      // the 100 ms tick rounds each wait up to the next tick
      gaps.slice(0, 6).forEach((g, i) => assert.ok(g >= expect[i] && g < expect[i] + 100, `gap ${i}: ${g} vs ${expect[i]}`));
      assert.equal(b.stack.dhcpState(), "selecting", "keeps trying without a fallback");
    }
  });

  it("falls back to the configured static address after N DISCOVERs", () => {
    const fb = { ip: ip("192.0.2.50"), mask: 0xffffff00, gateway: SERVER };
    const b = mk({ dhcpTries: 3, dhcpFallback: fb, dhcpBaseMs: 1000 });
    const out = step(b, 10000);
    assert.equal(dhcpSent(out).length, 3);
    assert.equal(b.stack.dhcpState(), "fallback");
    assert.equal(b.stack.addr, fb.ip);
    assert.equal(b.stack.gateway, SERVER);
    assert.equal(b.addrEvents, 1);
    const garp = out.filter((f) => ((f[12] << 8) | f[13]) === 0x0806);
    assert.equal(garp.length, 1);
    assert.equal(rd32(garp[0], 28), fb.ip);
    assert.equal(dhcpSent(step(b, 60000)).length, 0, "stops after falling back");
  });

  it("waits for the link before the first DISCOVER", () => {
    const b = mk(undefined, false);
    assert.equal(step(b, 5000).length, 0);
    b.netif.link = true;
    assert.equal(dhcpSent(step(b, 200)).length, 1);
  });

  it("skips DHCP entirely with a static configuration", () => {
    const b = mk({ ip: ip("192.0.2.2"), mask: 0xffffff00 });
    assert.equal(b.stack.dhcpState(), "static");
    assert.equal(dhcpSent(step(b, 120000)).length, 0);
  });

  describe("broken server messages are dropped with a counter", () => {
    const good = (xid: number, opts: Bytes[] = leaseOpts(2, 100)) => dhcpMessage(2, xid, OUR_MAC, LEASED, opts);
    const cases: [string, (xid: number) => Bytes, string][] = [
      ["shorter than the BOOTP header", (x) => good(x).slice(0, 200), "dropMalformed"],
      ["bad magic cookie", (x) => good(x).map((v, i) => (i === 236 ? 98 : v)), "dropMalformed"],
      ["op BOOTREQUEST", (x) => good(x).map((v, i) => (i === 0 ? 1 : v)), "dropMalformed"],
      ["hlen 16", (x) => good(x).map((v, i) => (i === 2 ? 16 : v)), "dropMalformed"],
      ["option running past the end", (x) => [...good(x, [[53, 2], [54, ...ipBytes(SERVER)]]).slice(0, -1), 51, 40, 1, 2], "dropMalformed"],
      ["option length byte missing", (x) => [...good(x, [[53, 2], [54, ...ipBytes(SERVER)]]).slice(0, -1), 51], "dropMalformed"],
      ["message type with length 2", (x) => good(x, [[53, 2, 2], [54, ...ipBytes(SERVER)]]), "dropMalformed"],
      ["server id with length 3", (x) => good(x, [[53, 2], [54, 192, 0, 2]]), "dropMalformed"],
      ["router list of 5 bytes", (x) => good(x, [[53, 2], [54, ...ipBytes(SERVER)], [3, 1, 2, 3, 4, 5]]), "dropMalformed"],
      ["offer without server id", (x) => good(x, [[53, 2]]), "dropMalformed"],
      ["offer of 0.0.0.0", (x) => dhcpMessage(2, x, OUR_MAC, 0, leaseOpts(2, 100)), "dropMalformed"],
      ["no message type", (x) => good(x, [[54, ...ipBytes(SERVER)]]), "dropOther"],
      ["another transaction id", (x) => good(x ^ 1), "dropOther"],
      ["another client's hardware address", (x) => dhcpMessage(2, x, [2, 0, 0, 0, 0, 2], LEASED, leaseOpts(2, 100)), "dropOther"],
      ["ACK while selecting", (x) => good(x, leaseOpts(5, 100)), "dropOther"],
    ];
    for (const [name, make, counter] of cases) {
      it(name, () => {
        const b = mk();
        const d = dhcpSent(step(b, 100))[0];
        const before = b.stack.counters.dhcp[counter];
        const out = feed(b, serverReply(make(d.xid)));
        assert.equal(b.stack.counters.dhcp[counter], before + 1);
        assert.equal(dhcpSent(out).length, 0);
        assert.equal(b.stack.dhcpState(), "selecting");
        // The client still completes with a good offer afterwards.
        assert.equal(dhcpSent(feed(b, serverReply(good(d.xid))))[0].type, 3);
      });
    }
  });
});
