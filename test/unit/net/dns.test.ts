// The DNS resolver (firmware/net/dns.ts) against a scripted server: queries decoded with the
// independent decoder of dns-msg.ts, answers built with its encoder (compression pointers written
// by hand where a test needs them).

import { strict as assert } from "assert";
import { setup } from "./harness";
import { createResolver, Resolver, ResolverOptions } from "../../../firmware/net/dns";
import { Stack } from "../../../firmware/net/stack";
import { FakeNetif, FakeClock, OUR_MAC, PEER_MAC, ip, ipBytes, ethFrame, arpPacket, udpFrame, udpChecksumOk, parseFrame, Bytes } from "./wire";
import { dnsMsg, parseMsg, encName, Rr } from "./dns-msg";

const SERVER = ip("192.0.2.1");
const ME = ip("192.0.2.2");
const A = 1, CNAME = 5, QR_RD_RA = 0x8180;

interface Sent { port: number; id: number; name: string; type: number; cls: number; flags: number; dst: number }
interface Bench { netif: FakeNetif; clock: FakeClock; stack: Stack; dns: Resolver; server: number; results: [number, number][] }

function mk(opts: ResolverOptions = {}): Bench {
  const { netif, clock, stack } = setup();
  const b = { netif, clock, stack, server: SERVER, results: [] } as unknown as Bench;
  let seed = 1;
  b.dns = createResolver(stack, () => b.server, { random: () => ((seed = (seed * 16807) % 2147483647) / 2147483647), ...opts });
  // the server's MAC known (as after any exchange with it)
  netif.push(ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, SERVER, [0, 0, 0, 0, 0, 0], ME)));
  stack.poll();
  netif.take();
  return b;
}

function lookup(b: Bench, name: string): void {
  b.dns.resolve(name, (ipv, err) => b.results.push([ipv, err]));
}

/** The DNS queries the stack sent since the last call (UDP checksum and addressing checked). */
function queries(b: Bench): Sent[] {
  const out: Sent[] = [];
  let frames = b.netif.take();
  // ARP requests for the server (its entry aged out) are answered, as the server would
  if (frames.some((f) => parseFrame(f).type === 0x0806)) {
    b.netif.push(ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, SERVER, OUR_MAC, ME)));
    b.stack.poll();
    frames = frames.concat(b.netif.take());
  }
  for (const f of frames) {
    const p = parseFrame(f);
    if (p.type !== 0x0800 || p.proto !== 17) continue;
    assert.ok(udpChecksumOk(p.ipSrc, p.ipDst, p.l4));
    assert.equal((p.l4[2] << 8) | p.l4[3], 53);
    const m = parseMsg(p.l4, 8);
    assert.equal(m.qd.length, 1);
    out.push({ port: (p.l4[0] << 8) | p.l4[1], id: m.id, name: m.qd[0].name, type: m.qd[0].type, cls: m.qd[0].cls, flags: m.flags, dst: p.ipDst });
  }
  return out;
}

function answer(b: Bench, q: Sent, msg: Bytes, from = SERVER, sport = 53, dport = q.port): void {
  b.netif.push(udpFrame(OUR_MAC, from, ME, sport, dport, msg));
  b.stack.poll();
}

function reply(q: Sent, an: Rr[], flags = QR_RD_RA, name = q.name): Bytes {
  return dnsMsg({ id: q.id, flags, qd: [{ name, type: 1 }], an });
}

function tick(b: Bench, ms: number): void {
  for (let t = 0; t < ms; t += 100) { b.clock.t += 100; b.stack.tick(); }
}

const aRec = (name: string, addr: string, ttl = 300): Rr => ({ name, type: A, ttl, data: ipBytes(ip(addr)) });

describe("net/dns: resolver", () => {
  it("resolves a dotted quad at once, without the network", () => {
    const b = mk();
    lookup(b, "192.0.2.77");
    assert.deepEqual(b.results, [[ip("192.0.2.77"), 0]]);
    assert.equal(b.netif.take().length, 0);
  });

  it("sends one A query (RD, random ID and port) to the server and answers from the reply", () => {
    const b = mk();
    lookup(b, "Example.org");
    const q = queries(b);
    assert.equal(q.length, 1);
    assert.equal(q[0].dst, SERVER);
    assert.equal(q[0].name, "Example.org");
    assert.equal(q[0].type, A);
    assert.equal(q[0].cls, 1);
    assert.equal(q[0].flags, 0x0100);
    assert.ok(q[0].port >= 49152 && q[0].port <= 65535, "source port from the dynamic range");
    assert.equal(b.dns.pending(), 1);
    answer(b, q[0], reply(q[0], [aRec("example.ORG", "198.51.100.7")]));
    assert.deepEqual(b.results, [[ip("198.51.100.7"), 0]]);
    assert.equal(b.dns.pending(), 0);
    assert.equal(b.dns.counters.answers, 1);
  });

  it("randomises ID and source port per lookup", () => {
    const b = mk({ entries: 1 });
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      lookup(b, "h" + i + ".test");
      const q = queries(b)[0];
      seen.add(q.id + ":" + q.port);
      answer(b, q, reply(q, [aRec(q.name, "192.0.2.9")]));
    }
    assert.equal(seen.size, 8);
    assert.equal(b.results.length, 8);
  });

  it("answers from the cache until the TTL ends, with a floor and a ceiling", () => {
    const b = mk({ minTtl: 10, maxTtl: 60 });
    lookup(b, "a.test");
    let q = queries(b)[0];
    answer(b, q, reply(q, [aRec("a.test", "192.0.2.10", 2)]));   // TTL 2 s: floor 10 s
    lookup(b, "a.test");
    assert.equal(queries(b).length, 0);
    assert.equal(b.dns.counters.hits, 1);
    tick(b, 9900);
    lookup(b, "a.test");
    assert.equal(queries(b).length, 0, "still cached at 9.9 s");
    tick(b, 200);
    lookup(b, "a.test");
    q = queries(b)[0];
    assert.ok(q, "expired after 10 s");
    answer(b, q, reply(q, [aRec("a.test", "192.0.2.11", 999999)]));   // ceiling 60 s
    tick(b, 59900);
    lookup(b, "a.test");
    assert.equal(queries(b).length, 0);
    tick(b, 200);
    lookup(b, "a.test");
    assert.equal(queries(b).length, 1);
    assert.deepEqual(b.results.slice(0, 4).map((r) => r[0]), [ip("192.0.2.10"), ip("192.0.2.10"), ip("192.0.2.10"), ip("192.0.2.11")]);
  });

  it("replaces the entry expiring first when the cache is full; flush() empties it", () => {
    const b = mk({ entries: 2 });
    for (const [n, ttl] of [["x.test", 100], ["y.test", 50], ["z.test", 200]] as [string, number][]) {
      lookup(b, n);
      const q = queries(b)[0];
      answer(b, q, reply(q, [aRec(n, "192.0.2.20", ttl)]));
    }
    lookup(b, "x.test");
    lookup(b, "z.test");
    assert.equal(queries(b).length, 0, "x and z cached");
    lookup(b, "y.test");
    assert.equal(queries(b).length, 1, "y (expiring first) was replaced");
    b.dns.flush();
    lookup(b, "z.test");
    assert.equal(queries(b).length, 2 - 1 + 0, "after flush z is asked again");
  });

  it("tries again after 1, 2 s and gives up with -3 after 7 s (same ID and port), freeing the port", () => {
    const b = mk();
    lookup(b, "slow.test");
    const q0 = queries(b)[0];
    tick(b, 900);
    assert.equal(queries(b).length, 0);
    tick(b, 100);
    const q1 = queries(b);
    assert.equal(q1.length, 1, "retry at 1 s");
    assert.deepEqual([q1[0].id, q1[0].port], [q0.id, q0.port]);
    tick(b, 1900);
    assert.equal(queries(b).length, 0);
    tick(b, 100);
    assert.equal(queries(b).length, 1, "retry at 3 s");
    tick(b, 3900);
    assert.equal(b.results.length, 0);
    tick(b, 100);
    assert.deepEqual(b.results, [[0, -3]]);
    assert.equal(b.dns.counters.timeouts, 1);
    assert.equal(b.dns.counters.retries, 2);
    // the port is closed again: an answer now is refused by the stack (ICMP port unreachable)
    answer(b, q0, reply(q0, [aRec("slow.test", "192.0.2.1")]));
    assert.equal(b.results.length, 1);
    assert.equal(b.stack.counters.udp.noPort, 1);
  });

  it("takes a late answer to the first try", () => {
    const b = mk();
    lookup(b, "late.test");
    const q = queries(b)[0];
    tick(b, 1500);
    answer(b, q, reply(q, [aRec("late.test", "192.0.2.30")]));
    assert.deepEqual(b.results, [[ip("192.0.2.30"), 0]]);
  });

  it("follows a CNAME chain in any order, with compression pointers", () => {
    const b = mk();
    lookup(b, "www.example.test");
    const q = queries(b)[0];
    // question name at 12; CNAME www -> cdn.example.test written as "cdn" + pointer to "example.test" (12 + 4)
    const msg = dnsMsg({ id: q.id, flags: QR_RD_RA, qd: [{ name: "www.example.test", type: 1 }], an: [
      { name: [3, ...Buffer.from("cdn"), 0xc0, 16], type: A, ttl: 50, data: ipBytes(ip("192.0.2.40")) },
      { name: [0xc0, 12], type: CNAME, ttl: 300, data: [3, ...Buffer.from("cdn"), 0xc0, 16] },
    ] });
    answer(b, q, msg);
    assert.deepEqual(b.results, [[ip("192.0.2.40"), 0]]);
  });

  it("a CNAME loop or a chain without an A ends in -6", () => {
    const b = mk();
    lookup(b, "loop.test");
    let q = queries(b)[0];
    answer(b, q, reply(q, [{ name: "loop.test", type: CNAME, data: encName("b.test") }, { name: "b.test", type: CNAME, data: encName("loop.test") }]));
    lookup(b, "dangling.test");
    q = queries(b)[0];
    answer(b, q, reply(q, [{ name: "dangling.test", type: CNAME, data: encName("elsewhere.test") }]));
    assert.deepEqual(b.results, [[0, -6], [0, -6]]);
  });

  it("NXDOMAIN and an empty answer give -6, SERVFAIL and REFUSED -10", () => {
    const b = mk();
    for (const [flags, an] of [[0x8183, []], [0x8180, [aRec("other.test", "192.0.2.1")]], [0x8182, []], [0x8185, []]] as [number, Rr[]][]) {
      lookup(b, "n.test");
      const q = queries(b)[0];
      answer(b, q, reply(q, an, flags));
    }
    assert.deepEqual(b.results, [[0, -6], [0, -6], [0, -10], [0, -10]]);
    assert.equal(b.dns.pending(), 0);
  });

  it("no server: -4 at once; a name that cannot be sent: -6", () => {
    const b = mk();
    b.server = 0;
    lookup(b, "a.test");
    b.server = SERVER;
    lookup(b, "bad..name");
    lookup(b, "x".repeat(64) + ".test");
    lookup(b, "");
    assert.deepEqual(b.results, [[0, -4], [0, -6], [0, -6], [0, -6]]);
    assert.equal(b.netif.take().length, 0);
  });

  it("no route to the server (off-subnet, no gateway): -4", () => {
    const { netif, clock, stack } = setup({ ip: ME, mask: 0xffffff00, gateway: 0 });
    const dns = createResolver(stack, () => ip("198.51.100.53"));
    const got: number[][] = [];
    dns.resolve("a.test", (a, e) => got.push([a, e]));
    assert.deepEqual(got, [[0, -4]]);
    assert.equal(dns.pending(), 0);
    void netif; void clock;
  });

  it("more lookups than query slots: -5 busy, and the slots work again after", () => {
    const b = mk({ queries: 2 });
    lookup(b, "one.test");
    lookup(b, "two.test");
    lookup(b, "three.test");
    assert.deepEqual(b.results, [[0, -5]]);
    const q = queries(b);
    assert.equal(q.length, 2);
    for (const x of q) answer(b, x, reply(x, [aRec(x.name, "192.0.2.50")]));
    lookup(b, "three.test");
    assert.equal(queries(b).length, 1);
    assert.equal(b.dns.counters.busy, 1);
  });

  it("a callback that throws is said on the console and leaves the resolver working", () => {
    const b = mk({ queries: 1 });
    const said: string[] = [];
    const log = console.log;
    console.log = (l: string) => { said.push(l); };
    try {
      b.dns.resolve("boom.test", () => { throw new Error("user bug"); });
      const q = queries(b)[0];
      answer(b, q, reply(q, [aRec(q.name, "192.0.2.70")]));
    } finally { console.log = log; }
    assert.match(said.join("\n"), /dns: the callback of the lookup of boom\.test threw: Error: user bug/);
    assert.equal(b.stack.counters.eth.errors, 0);
    lookup(b, "next.test");
    assert.equal(queries(b).length, 1);
  });

  it("a callback may start the next lookup", () => {
    const b = mk({ queries: 1 });
    b.dns.resolve("first.test", () => lookup(b, "second.test"));
    let q = queries(b)[0];
    answer(b, q, reply(q, [aRec(q.name, "192.0.2.60")]));
    q = queries(b)[0];
    assert.equal(q.name, "second.test");
    answer(b, q, reply(q, [aRec(q.name, "192.0.2.61")]));
    assert.deepEqual(b.results, [[ip("192.0.2.61"), 0]]);
  });

  describe("bogus answers are dropped and counted, and the real one is still taken", () => {
    const cases: [string, string, (q: Sent) => Bytes, { from?: number; sport?: number }?][] = [
      ["wrong ID", "dropId", (q) => dnsMsg({ id: q.id ^ 1, flags: QR_RD_RA, qd: [{ name: q.name, type: 1 }], an: [aRec(q.name, "203.0.113.1")] })],
      ["wrong source address", "dropSource", (q) => reply(q, [aRec(q.name, "203.0.113.1")]), { from: ip("192.0.2.66") }],
      ["wrong source port", "dropSource", (q) => reply(q, [aRec(q.name, "203.0.113.1")]), { sport: 5353 }],
      ["shorter than a header", "dropShort", (q) => [q.id >> 8, q.id & 255, 0x81, 0x80, 0, 1]],
      ["cut inside the question", "dropShort", (q) => reply(q, []).slice(0, 16)],
      ["another name in the question", "dropQuestion", (q) => reply(q, [aRec("evil.test", "203.0.113.1")], QR_RD_RA, "evil.test")],
      ["two questions", "dropQuestion", (q) => dnsMsg({ id: q.id, flags: QR_RD_RA, qd: [{ name: q.name, type: 1 }, { name: q.name, type: 1 }] })],
      ["type AAAA in the question", "dropQuestion", (q) => dnsMsg({ id: q.id, flags: QR_RD_RA, qd: [{ name: q.name, type: 28 }] })],
      ["not a response (QR clear)", "dropMalformed", (q) => dnsMsg({ id: q.id, flags: 0x0100, qd: [{ name: q.name, type: 1 }] })],
      ["a pointer to itself", "dropMalformed", (q) => { const m = reply(q, []); const at = m.length; return dnsMsg({ id: q.id, flags: QR_RD_RA, qd: [{ name: q.name, type: 1 }], an: [{ name: [0xc0 | (at >> 8), at & 255], type: A, data: [1, 2, 3, 4] }] }); }],
      ["a forward pointer", "dropMalformed", (q) => dnsMsg({ id: q.id, flags: QR_RD_RA, qd: [{ name: q.name, type: 1 }], an: [{ name: [0xc0, 200], type: A, data: [1, 2, 3, 4] }] })],
      ["a huge answer count", "dropMalformed", (q) => dnsMsg({ id: q.id, flags: QR_RD_RA, qd: [{ name: q.name, type: 1 }], an: [aRec(q.name, "203.0.113.1")], counts: [1, 65535, 0, 0] })],
      ["an answer cut short", "dropMalformed", (q) => reply(q, [aRec(q.name, "203.0.113.1")]).slice(0, -2)],
      ["a reserved label type", "dropMalformed", (q) => reply(q, [{ name: [0x41, 0], type: A, data: [1, 2, 3, 4] }])],
      ["truncated (TC) without an answer", "dropTruncated", (q) => reply(q, [], 0x8380)],
    ];
    for (const [what, counter, make, from] of cases) {
      it(what, () => {
        const b = mk();
        lookup(b, "real.test");
        const q = queries(b)[0];
        answer(b, q, make(q), from && from.from, from && from.sport);
        assert.equal(b.results.length, 0, "no result from the bogus answer");
        assert.equal(b.dns.counters[counter], 1, counter + " " + JSON.stringify(b.dns.counters));
        assert.equal(b.stack.counters.eth.errors, 0, "no exception");
        answer(b, q, reply(q, [aRec(q.name, "192.0.2.99")]));
        assert.deepEqual(b.results, [[ip("192.0.2.99"), 0]]);
      });
    }
  });

  it("a pointer loop inside the compared names is malformed, not a hang (two-pointer cycle)", () => {
    const b = mk();
    lookup(b, "real.test");
    const q = queries(b)[0];
    // the answer's owner: "real", then a pointer back to its own start (every jump is backwards,
    // yet the name never ends); and a CNAME whose target does the same
    const at = reply(q, []).length;
    const msg = dnsMsg({ id: q.id, flags: QR_RD_RA, qd: [{ name: q.name, type: 1 }], an: [{ name: [4, ...Buffer.from("real"), 0xc0 | (at >> 8), at & 255], type: A, data: [1, 2, 3, 4] }] });
    answer(b, q, msg);
    assert.equal(b.dns.counters.dropMalformed, 1);
    assert.equal(b.results.length, 0);
  });

  it("random bytes as answers never throw (bounded fuzz)", () => {
    const b = mk();
    lookup(b, "fuzz.test");
    let q = queries(b)[0];
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 48271) % 2147483647) & 255);
    for (let i = 0; i < 2000; i++) {
      const good = reply(q, [aRec(q.name, "192.0.2.1")]);
      const m = good.map((v, k) => (k > 1 && rnd() < 20 ? rnd() : v)).slice(0, 2 + (rnd() * good.length >> 8) + (rnd() & 1 ? good.length : 0));
      m[0] = q.id >> 8; m[1] = q.id & 255;
      answer(b, q, m);
      if (b.results.length) { b.dns.flush(); b.results.length = 0; lookup(b, "fuzz.test"); q = queries(b)[0]; }
    }
    assert.equal(b.stack.counters.eth.errors, 0);
  });
});
