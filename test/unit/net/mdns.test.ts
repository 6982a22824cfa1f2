// The mDNS responder (firmware/net/mdns.ts) against scripted frames: probing, announcing,
// answering (multicast, QU, legacy unicast), conflicts and renames, tie-breaks, goodbye, and
// bogus messages. Messages decoded with the independent decoder of dns-msg.ts.

import { strict as assert } from "assert";
import { setup } from "./harness";
import { createMdns, Mdns, MdnsOptions } from "../../../firmware/net/mdns";
import { Stack } from "../../../firmware/net/stack";
import { setAddress } from "../../../firmware/net/ipv4";
import { FakeNetif, FakeClock, OUR_MAC, PEER_MAC, ip, ipBytes, ethFrame, udpFrame, udpChecksumOk, parseFrame, Bytes, rd16 } from "./wire";
import { dnsMsg, parseMsg, encName, Dec, Rr } from "./dns-msg";

const ME = ip("192.0.2.2");
const PEER = ip("192.0.2.9");
const GROUP = ip("224.0.0.251");
const GROUP_MAC = [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb];
const A = 1, PTR = 12, TXT = 16, SRV = 33, ANY = 255;

interface Out { dst: number; dstMac: number[]; sport: number; dport: number; m: Dec; ttl: number }
interface Bench { netif: FakeNetif; clock: FakeClock; stack: Stack; mdns: Mdns; log: string[]; renames: string[]; joined: number[][] }

function mk(opts: MdnsOptions = {}, cfg?: any): Bench {
  const { netif, clock, stack } = setup(cfg);
  const b = { netif, clock, stack, log: [], renames: [], joined: [] } as unknown as Bench;
  b.mdns = createMdns(stack, () => "espruino", {
    random: () => 0.5, log: (l) => b.log.push(l), onRename: (n) => b.renames.push(n), join: (m) => b.joined.push(Array.from(m)), ...opts,
  });
  return b;
}

function sent(b: Bench): Out[] {
  const out: Out[] = [];
  for (const f of b.netif.take()) {
    const p = parseFrame(f);
    if (p.type !== 0x0800 || p.proto !== 17 || (rd16(p.l4, 0) !== 5353 && rd16(p.l4, 2) !== 5353)) continue;
    assert.ok(udpChecksumOk(p.ipSrc, p.ipDst, p.l4), "UDP checksum");
    out.push({ dst: p.ipDst, dstMac: p.dst, sport: rd16(p.l4, 0), dport: rd16(p.l4, 2), m: parseMsg(p.l4, 8), ttl: p.ttl });
  }
  return out;
}

function tick(b: Bench, ms: number): Out[] {
  const out: Out[] = [];
  for (let t = 0; t < ms; t += 100) { b.clock.t += 100; b.stack.tick(); out.push(...sent(b)); }
  return out;
}

function recv(b: Bench, msg: Bytes, o: { src?: number; sport?: number; dst?: number } = {}): void {
  const dst = o.dst === undefined ? GROUP : o.dst;
  b.netif.push(udpFrame(dst === GROUP ? GROUP_MAC : OUR_MAC, o.src || PEER, dst, o.sport || 5353, 5353, msg));
  b.stack.poll();
}

/** Started and past probing and announcing. */
function running(opts: MdnsOptions = {}): Bench {
  const b = mk(opts);
  b.mdns.start();
  tick(b, 4000);
  assert.equal(b.mdns.state(), "running");
  return b;
}

const query = (qd: { name: string; type: number; cls?: number }[], an: Rr[] = [], id = 0): Bytes => dnsMsg({ id, qd, an });

describe("net/mdns: responder", () => {
  it("joins the group, probes 3 times 250-300 ms apart (first QU), then announces twice 1 s apart", () => {
    const b = mk();
    b.mdns.start();
    assert.deepEqual(b.joined, [GROUP_MAC]);
    const out: [number, Out][] = [];
    for (let t = 0; t < 4000; t += 100) { b.clock.t += 100; b.stack.tick(); for (const o of sent(b)) out.push([b.clock.t, o]); }
    const probes = out.filter(([, o]) => !(o.m.flags & 0x8000));
    const ann = out.filter(([, o]) => o.m.flags & 0x8000);
    assert.equal(probes.length, 3);
    for (let i = 1; i < 3; i++) {
      const gap = probes[i][0] - probes[i - 1][0];
      assert.ok(gap >= 250 && gap <= 300, "probe gap " + gap);
    }
    for (const [, p] of probes) {
      assert.equal(p.dst, GROUP);
      assert.deepEqual(p.dstMac, GROUP_MAC);
      assert.equal(p.sport, 5353);
      assert.deepEqual(p.m.qd.map((q) => [q.name, q.type, q.cls & 0x7fff]), [["espruino.local", ANY, 1], ["espruino._http._tcp.local", ANY, 1]]);
      assert.deepEqual(p.m.ns.map((r) => [r.name, r.type, r.cls]), [["espruino.local", A, 1], ["espruino._http._tcp.local", SRV, 1]]);
      assert.deepEqual(p.m.ns[0].data, ipBytes(ME));
    }
    assert.equal(probes[0][1].m.qd[0].cls & 0x8000, 0x8000, "first probe asks for a unicast answer");
    assert.equal(probes[1][1].m.qd[0].cls & 0x8000, 0);
    assert.equal(ann.length, 2);
    assert.ok(ann[0][0] - probes[2][0] >= 250, "announced after the last probe's wait");
    assert.equal(ann[1][0] - ann[0][0], 1000);
    const a = ann[0][1].m;
    assert.equal(a.flags, 0x8400);
    const recs = a.an.map((r) => [r.name, r.type, r.cls, r.ttl]);
    assert.deepEqual(recs, [
      ["espruino.local", A, 0x8001, 120],
      ["espruino._http._tcp.local", SRV, 0x8001, 120],
      ["espruino._http._tcp.local", TXT, 0x8001, 4500],
      ["_http._tcp.local", PTR, 1, 4500],
      ["_services._dns-sd._udp.local", PTR, 1, 4500],
    ]);
    assert.deepEqual(a.an[0].data, ipBytes(ME));
    assert.deepEqual(a.an[1].data.slice(0, 6), [0, 0, 0, 0, 0, 80]);
    assert.equal(a.an[1].target, "espruino.local");
    assert.equal(a.an[3].target, "espruino._http._tcp.local");
    assert.equal(a.an[4].target, "_http._tcp.local");
    assert.deepEqual(a.an[2].data, [6, ...Buffer.from("path=/")]);
    assert.equal(b.mdns.state(), "running");
    assert.equal(tick(b, 5000).length, 0, "quiet after announcing");
  });

  it("waits for an address before probing", () => {
    const b = mk({}, { hostname: "x", random: () => 0.5 });   // DHCP, no address
    b.mdns.start();
    assert.equal(tick(b, 1000).filter((o) => o.sport === 5353).length, 0);
    assert.equal(b.mdns.state(), "waiting");
  });

  it("answers an A query for <host>.local by multicast, ignoring case", () => {
    const b = running();
    recv(b, query([{ name: "ESPRUINO.local", type: A }]));
    const o = sent(b);
    assert.equal(o.length, 1);
    assert.equal(o[0].dst, GROUP);
    assert.equal(o[0].dport, 5353);
    assert.deepEqual(o[0].m.an.map((r) => [r.name, r.type, r.data]), [["espruino.local", A, ipBytes(ME)]]);
    assert.equal(o[0].m.ar.length, 0);
  });

  it("answers a QU question unicast to the querier's port 5353", () => {
    const b = running();
    recv(b, query([{ name: "espruino.local", type: A, cls: 0x8001 }]));
    const o = sent(b);
    assert.equal(o.length, 1);
    assert.equal(o[0].dst, PEER);
    assert.deepEqual(o[0].dstMac, PEER_MAC, "to the querier's MAC, no ARP");
    assert.equal(o[0].dport, 5353);
    assert.equal(b.mdns.counters.unicast, 1);
  });

  it("answers a query sent to our own address unicast", () => {
    const b = running();
    recv(b, query([{ name: "espruino.local", type: A }]), { dst: ME });
    const o = sent(b);
    assert.equal(o.length, 1);
    assert.equal(o[0].dst, PEER);
    assert.equal(o[0].dport, 5353);
  });

  it("answers a legacy query (source port != 5353) unicast with its ID and question, TTL 10, no cache-flush bit", () => {
    const b = running();
    recv(b, query([{ name: "espruino.local", type: A }], [], 0x4242), { sport: 40000 });
    const o = sent(b);
    assert.equal(o.length, 1);
    assert.equal(o[0].dst, PEER);
    assert.equal(o[0].dport, 40000);
    assert.equal(o[0].sport, 5353);
    assert.equal(o[0].m.id, 0x4242);
    assert.deepEqual(o[0].m.qd, [{ name: "espruino.local", type: A, cls: 1 }]);
    assert.deepEqual(o[0].m.an.map((r) => [r.name, r.cls, r.ttl, r.data]), [["espruino.local", 1, 10, ipBytes(ME)]]);
  });

  it("DNS-SD: PTR for _http._tcp with SRV, TXT and A as additional records; the service list", () => {
    const b = running();
    recv(b, query([{ name: "_http._tcp.local", type: PTR }]));
    let o = sent(b)[0].m;
    assert.deepEqual(o.an.map((r) => [r.name, r.type]), [["_http._tcp.local", PTR]]);
    assert.equal(o.an[0].target, "espruino._http._tcp.local");
    assert.deepEqual(o.ar.map((r) => r.type), [A, SRV, TXT]);
    recv(b, query([{ name: "_services._dns-sd._udp.local", type: PTR }]));
    o = sent(b)[0].m;
    assert.equal(o.an[0].target, "_http._tcp.local");
    recv(b, query([{ name: "espruino._http._tcp.local", type: SRV }]));
    o = sent(b)[0].m;
    assert.deepEqual(o.an.map((r) => r.type), [SRV]);
    assert.deepEqual(o.ar.map((r) => r.type), [A]);
    recv(b, query([{ name: "espruino._http._tcp.local", type: ANY }]));
    assert.deepEqual(sent(b)[0].m.an.map((r) => r.type), [SRV, TXT]);
  });

  it("does not repeat a known answer (PTR with more than half its TTL)", () => {
    const b = running();
    const known: Rr = { name: "_http._tcp.local", type: PTR, ttl: 4000, data: encName("espruino._http._tcp.local") };
    recv(b, query([{ name: "_http._tcp.local", type: PTR }], [known]));
    assert.equal(sent(b).length, 0);
    assert.equal(b.mdns.counters.suppressed, 1);
    recv(b, query([{ name: "_http._tcp.local", type: PTR }], [{ ...known, ttl: 100 }]));
    assert.equal(sent(b).length, 1, "a stale known answer is refreshed");
  });

  it("ignores questions for other names and types, and everything before it announces", () => {
    const b = running();
    recv(b, query([{ name: "other.local", type: A }, { name: "espruino.local", type: 28 }, { name: "espruino.locale", type: A }]));
    assert.equal(sent(b).length, 0);
    const c = mk();
    c.mdns.start();
    c.clock.t += 100; c.stack.tick(); sent(c);
    recv(c, query([{ name: "espruino.local", type: A }]));
    assert.equal(sent(c).length, 0, "not answered while probing");
  });

  it("a response claiming our name with another address while probing: renames to -2 and says so", () => {
    const b = mk();
    b.mdns.start();
    tick(b, 400);
    recv(b, dnsMsg({ flags: 0x8400, an: [{ name: "espruino.local", type: A, cls: 0x8001, ttl: 120, data: ipBytes(PEER) }] }));
    assert.equal(b.mdns.name(), "espruino-2");
    assert.deepEqual(b.renames, ["espruino-2"]);
    assert.match(b.log.join("\n"), /espruino\.local is taken.*now espruino-2\.local/);
    const out = tick(b, 4000);
    const probes = out.filter((o) => !(o.m.flags & 0x8000));
    assert.equal(probes.length, 3);
    assert.equal(probes[0].m.qd[0].name, "espruino-2.local");
    const ann = out.filter((o) => o.m.flags & 0x8000);
    assert.equal(ann[0].m.an[0].name, "espruino-2.local");
    assert.equal(ann[0].m.an[1].name, "espruino-2._http._tcp.local");
    recv(b, query([{ name: "espruino-2.local", type: A }]));
    assert.equal(sent(b).length, 1);
    // a second conflict: -3
    recv(b, dnsMsg({ flags: 0x8400, an: [{ name: "espruino-2.local", type: A, cls: 0x8001, data: ipBytes(PEER) }] }));
    assert.equal(b.mdns.name(), "espruino-3");
    assert.equal(b.mdns.counters.conflicts, 2);
  });

  it("a response with our own address is no conflict", () => {
    const b = running();
    recv(b, dnsMsg({ flags: 0x8400, an: [{ name: "espruino.local", type: A, cls: 0x8001, data: ipBytes(ME) }] }));
    assert.equal(b.mdns.name(), "espruino");
    assert.equal(b.mdns.counters.conflicts, 0);
  });

  it("a simultaneous probe with a later address wins the tie: we probe again 1 s later, same name", () => {
    const b = mk();
    b.mdns.start();
    tick(b, 400);
    const probeFrom = (addr: number): Bytes => dnsMsg({ qd: [{ name: "espruino.local", type: ANY }], ns: [{ name: "espruino.local", type: A, ttl: 120, data: ipBytes(addr) }] });
    recv(b, probeFrom(ip("192.0.2.1")));   // earlier address: we win, nothing changes
    assert.equal(b.mdns.counters.lostTies, 0);
    recv(b, probeFrom(ip("192.0.2.200")));
    assert.equal(b.mdns.counters.lostTies, 1);
    assert.equal(b.mdns.name(), "espruino");
    assert.equal(tick(b, 900).length, 0);
    const out = tick(b, 4000);
    assert.equal(out.filter((o) => !(o.m.flags & 0x8000)).length, 3);
    assert.equal(b.mdns.state(), "running");
  });

  it("stop() sends a goodbye (TTL 0) and unbinds; start() again probes again", () => {
    const b = running();
    b.mdns.stop();
    const o = sent(b);
    assert.equal(o.length, 1);
    assert.deepEqual(o[0].m.an.map((r) => r.ttl), [0, 0, 0, 0, 0]);
    assert.equal(b.mdns.state(), "stopped");
    recv(b, query([{ name: "espruino.local", type: A }]));
    assert.equal(sent(b).length, 0);
    b.mdns.start();
    assert.equal(tick(b, 4000).length, 5);
  });

  it("port 0: the host name only (no service records)", () => {
    const b = running({ port: 0 });
    recv(b, query([{ name: "_http._tcp.local", type: PTR }, { name: "espruino.local", type: ANY }]));
    const o = sent(b);
    assert.deepEqual(o[0].m.an.map((r) => r.type), [A]);
  });

  it("a 63-character host name, renamed, and custom TXT strings fit their buffer", () => {
    const long = "h".repeat(63);
    const { netif, clock, stack } = setup();
    const b = { netif, clock, stack, log: [], renames: [], joined: [] } as unknown as Bench;
    b.mdns = createMdns(stack, () => long, { random: () => 0.5, log: (l) => b.log.push(l), txt: ["path=/x", "v=1", ""] });
    b.mdns.start();
    let ann = tick(b, 4000).filter((o) => o.m.flags & 0x8000);
    assert.equal(ann[0].m.an[0].name, long + ".local");
    assert.deepEqual(ann[0].m.an[2].data, [7, ...Buffer.from("path=/x"), 3, ...Buffer.from("v=1"), 0]);
    for (let n = 2; n <= 12; n++) {
      recv(b, dnsMsg({ flags: 0x8400, an: [{ name: b.mdns.name() + ".local", type: A, cls: 0x8001, data: ipBytes(PEER) }] }));
      assert.equal(b.mdns.name(), long.substring(0, 63 - String(n).length - 1) + "-" + n);
    }
    ann = tick(b, 4000).filter((o) => o.m.flags & 0x8000);
    assert.equal(ann[0].m.an[0].name, b.mdns.name() + ".local");
    assert.equal(ann[0].m.an[1].target, b.mdns.name() + ".local");
    assert.equal(b.mdns.state(), "running");
  });

  it("no TXT strings: one empty string (RFC 6763 6.1)", () => {
    const b = mk({ txt: [] });
    b.mdns.start();
    const ann = tick(b, 4000).filter((o) => o.m.flags & 0x8000);
    assert.deepEqual(ann[0].m.an[2].data, [0]);
    assert.equal(ann[0].m.an[3].target, "espruino._http._tcp.local");
  });

  it("a new address: probes and announces it", () => {
    const b = running();
    setAddress(b.stack as any, ip("192.0.2.50"), 0xffffff00, 0);
    const out = tick(b, 4000);
    const ann = out.filter((o) => o.m.flags & 0x8000);
    assert.deepEqual(ann[0].m.an[0].data, ipBytes(ip("192.0.2.50")));
  });

  describe("bogus messages are dropped and counted, never a crash", () => {
    const cases: [string, string, () => Bytes, { src?: number; sport?: number }?][] = [
      ["shorter than a header", "dropShort", () => [0, 0, 0, 0, 0, 1]],
      ["from another subnet", "dropSource", () => query([{ name: "espruino.local", type: A }]), { src: ip("198.51.100.1") }],
      ["an opcode", "dropOther", () => dnsMsg({ flags: 0x2000, qd: [{ name: "espruino.local", type: A }] })],
      ["a response from another port", "dropOther", () => dnsMsg({ flags: 0x8400, an: [{ name: "espruino.local", type: A, data: ipBytes(PEER) }] }), { sport: 4000 }],
      ["huge counts", "dropMalformed", () => dnsMsg({ qd: [{ name: "espruino.local", type: A }], counts: [1, 65535, 65535, 65535] })],
      ["a question cut short", "dropMalformed", () => query([{ name: "espruino.local", type: A }]).slice(0, 20)],
      ["a pointer loop in a question", "dropOther", () => [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]],
      ["a response record cut short", "dropMalformed", () => dnsMsg({ flags: 0x8400, an: [{ name: "x.local", type: A, data: [1, 2, 3, 4] }] }).slice(0, -2)],
    ];
    for (const [what, counter, make, o] of cases) {
      it(what, () => {
        const b = running();
        recv(b, make(), o);
        assert.equal(sent(b).length, 0);
        if (counter !== "dropOther" || what !== "a pointer loop in a question") assert.equal(b.mdns.counters[counter], 1, JSON.stringify(b.mdns.counters));
        assert.equal(b.stack.counters.eth.errors, 0);
        assert.equal(b.mdns.name(), "espruino");
        recv(b, query([{ name: "espruino.local", type: A }]));
        assert.equal(sent(b).length, 1, "still answers");
      });
    }

    it("random bytes never throw (bounded fuzz)", () => {
      const b = running();
      let seed = 11;
      const rnd = (): number => ((seed = (seed * 48271) % 2147483647) & 255);
      const good = query([{ name: "espruino.local", type: A }, { name: "_http._tcp.local", type: PTR }]);
      for (let i = 0; i < 2000; i++) {
        const m = good.map((v) => (rnd() < 16 ? rnd() : v)).slice(0, 1 + ((rnd() * good.length) >> 8) + (rnd() & 1 ? good.length : 0));
        recv(b, m, { sport: rnd() & 1 ? 5353 : 40000 });
        b.netif.take();
      }
      assert.equal(b.stack.counters.eth.errors, 0);
    });
  });
});
