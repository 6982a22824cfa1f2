// IPv4 reassembly (RFC 791, RFC 1122 3.3.2) with scripted fragments over the test-double link:
// in order, out of order, delivery to ICMP and UDP, EMTU_R, overlap and duplicates (RFC 5722
// style), bad fragments, the time-out with ICMP time exceeded, slot eviction under a flood, and
// the settings (size, slots, off).
import { strict as assert } from "assert";
import { Stack, StackConfig } from "../../../firmware/net/stack";
import { setup } from "./harness";
import {
  FakeNetif, FakeClock, OUR_MAC, PEER_MAC, BCAST_MAC, ip, ethFrame, arpPacket, ipv4Packet, icmpEcho, udpDatagram,
  parseFrame, refChecksum, Bytes,
} from "./wire";

const ME = ip("192.0.2.2");
const PEER = ip("192.0.2.1");
const OTHER = ip("192.0.2.9");
const OTHER_MAC = [0x02, 0, 0, 0, 0, 0x09];

interface Frag { at: number; len: number; mf: boolean }

/** The IP payload `payload` cut as `cuts` (byte offset, length, more fragments), each in its own frame. */
function fragments(payload: Bytes, cuts: Frag[], o: { src?: number; id?: number; proto?: number; dstMac?: Bytes; srcMac?: Bytes } = {}): Bytes[] {
  return cuts.map((c) => ethFrame(o.dstMac ?? OUR_MAC, o.srcMac ?? PEER_MAC, 0x0800, ipv4Packet({
    src: o.src ?? PEER, dst: ME, proto: o.proto ?? 1, id: o.id ?? 0x4321,
    flagsFrag: (c.mf ? 0x2000 : 0) | (c.at >> 3), payload: payload.slice(c.at, c.at + c.len),
  })));
}

/** Cuts n bytes into pieces of `size` (a multiple of 8), the last one shorter. */
function even(n: number, size: number): Frag[] {
  const out: Frag[] = [];
  for (let at = 0; at < n; at += size) out.push({ at, len: Math.min(size, n - at), mf: at + size < n });
  return out;
}

function pattern(n: number, seed = 0): Bytes {
  return Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8) + seed) & 255);
}

interface Rig { netif: FakeNetif; clock: FakeClock; stack: Stack }

function mk(cfg: Partial<StackConfig> = {}): Rig {
  const r = setup({ ip: ME, mask: 0xffffff00, gateway: PEER, ...cfg });
  r.netif.take();
  // the peers' MACs known, so that errors sent by ipSend leave at once
  for (const [mac, a] of [[PEER_MAC, PEER], [OTHER_MAC, OTHER]] as [Bytes, number][]) {
    r.netif.push(ethFrame(OUR_MAC, mac, 0x0806, arpPacket(2, mac, a, OUR_MAC, ME)));
  }
  r.stack.poll();
  r.netif.take();
  return r;
}

function feed(r: Rig, frames: Bytes[]): Uint8Array[] {
  for (const f of frames) {
    r.netif.push(f);
    r.stack.poll();
  }
  assert.equal(r.stack.counters.eth.errors, 0, "no exception in the receive path");
  return r.netif.take();
}

function assertEchoReply(f: Uint8Array, req: Bytes): void {
  const p = parseFrame(f);
  assert.deepEqual(p.dst, PEER_MAC);
  assert.equal(p.ipDst, PEER);
  assert.equal(p.ipSrc, ME);
  assert.equal(refChecksum(f, 14, 34), 0, "IP header checksum");
  assert.equal(p.l4.length, req.length);
  assert.equal(p.l4[0], 0, "echo reply");
  assert.equal(refChecksum(p.l4), 0, "ICMP checksum");
  assert.deepEqual(Array.from(p.l4.subarray(4)), req.slice(4), "identifier, sequence and every data byte");
}

describe("net/reasm: IPv4 reassembly", () => {
  it("reassembles a 1,200-byte ping sent in 3 fragments, in order, and answers it exactly", () => {
    const r = mk();
    const req = icmpEcho(8, 7, 1, pattern(1200));
    const out = feed(r, fragments(req, even(req.length, 512)));
    assert.equal(out.length, 1);
    assertEchoReply(out[0], req);
    const ipc = r.stack.counters.ip;
    assert.equal(ipc.fragments, 3);
    assert.equal(ipc.reassembled, 1);
  });

  it("reassembles fragments out of order (last first) and with an odd-sized last fragment", () => {
    const r = mk();
    const req = icmpEcho(8, 7, 2, pattern(1001, 5));
    const cuts = even(req.length, 336);
    const out = feed(r, fragments(req, [cuts[3], cuts[1], cuts[0], cuts[2]]));
    assert.equal(out.length, 1);
    assertEchoReply(out[0], req);
  });

  it("delivers a reassembled UDP datagram to its port with the whole payload, checksum verified", () => {
    const r = mk();
    const data = pattern(1400, 9);
    let got: number[] | null = null, from = 0;
    r.stack.udp.bind(5000, (src, _sp, rx, off, len) => { got = Array.from(rx.subarray(off, off + len)); from = src; });
    const dgram = udpDatagram(PEER, ME, 4000, 5000, data);
    feed(r, fragments(dgram, even(dgram.length, 600), { proto: 17, id: 0x77 }));
    assert.deepEqual(got, data);
    assert.equal(from, PEER);
    // one byte changed in the middle fragment: the UDP checksum over the whole datagram fails
    got = null;
    const bad = dgram.slice();
    bad[700] ^= 1;
    feed(r, fragments(bad, even(bad.length, 600), { proto: 17, id: 0x78 }));
    assert.equal(got, null);
    assert.equal(r.stack.counters.udp.dropChecksum, 1);
  });

  it("takes datagrams up to EMTU_R (the MTU by default) and gives up a larger one", () => {
    const r = mk();   // EMTU_R: the MTU, 1,500
    const fits = icmpEcho(8, 1, 1, pattern(1500 - 20 - 8));
    const out = feed(r, fragments(fits, even(fits.length, 744)));
    assert.equal(out.length, 1);
    assertEchoReply(out[0], fits);
    const big = icmpEcho(8, 1, 2, pattern(1500 - 20 - 8 + 1));
    assert.equal(feed(r, fragments(big, even(big.length, 744), { id: 9 })).length, 0);
    assert.equal(r.stack.counters.ip.dropFragTooBig, 1);
    assert.equal(r.stack.counters.ip.reassembled, 1);
    // the slot was freed: a new datagram from another host is reassembled
    const next = icmpEcho(8, 1, 3, pattern(900));
    assert.equal(feed(r, fragments(next, even(next.length, 448), { src: OTHER, srcMac: OTHER_MAC, id: 10 })).length, 1);
  });

  it("EMTU_R follows the MTU (576 on a small board), StackConfig.reassembly sets it, 0 turns reassembly off", () => {
    const small = mk({ mtu: 576 });   // (a board's mtu: EMTU_R follows it)
    const ok = icmpEcho(8, 1, 1, pattern(576 - 28));
    assert.equal(feed(small, fragments(ok, even(ok.length, 280))).length, 1);
    const over = icmpEcho(8, 1, 2, pattern(576 - 28 + 8));
    assert.equal(feed(small, fragments(over, even(over.length, 280), { id: 2 })).length, 0);
    // the second fragment ends past 556 data bytes (the datagram given up), the third too
    assert.equal(small.stack.counters.ip.dropFragTooBig, 2);
    const set = mk({ reassembly: 700 });
    const mid = icmpEcho(8, 1, 3, pattern(700 - 28));
    assert.equal(feed(set, fragments(mid, even(mid.length, 344))).length, 1);
    const over700 = icmpEcho(8, 1, 4, pattern(700 - 28 + 1));
    assert.equal(feed(set, fragments(over700, even(over700.length, 344), { id: 5 })).length, 0);
    assert.equal(set.stack.counters.ip.dropFragTooBig, 1);
    const off = mk({ reassembly: 0 });
    assert.equal(feed(off, fragments(ok, even(ok.length, 280))).length, 0);
    assert.equal(off.stack.counters.ip.dropFragment, 2);
    assert.equal(off.stack.counters.ip.reassembled, 0);
  });

  it("drops the whole datagram on an overlap, and on an exact duplicate (RFC 5722 style)", () => {
    const r = mk();
    const req = icmpEcho(8, 7, 3, pattern(1000));
    // the second fragment starts 8 bytes inside the first
    assert.equal(feed(r, fragments(req, [{ at: 0, len: 504, mf: true }, { at: 496, len: 1008 - 496, mf: false }])).length, 0);
    assert.equal(r.stack.counters.ip.dropFragOverlap, 1);
    // what is left of that datagram (its end) completes nothing
    assert.equal(feed(r, fragments(req, [{ at: 504, len: 1008 - 504, mf: false }])).length, 0);
    // a duplicate first fragment
    assert.equal(feed(r, fragments(req, [{ at: 0, len: 504, mf: true }, { at: 0, len: 504, mf: true }, { at: 504, len: 504, mf: false }], { id: 2 })).length, 0);
    assert.equal(r.stack.counters.ip.dropFragOverlap, 2);
    assert.equal(r.stack.counters.ip.reassembled, 0);
    // and the same request, fragmented cleanly, is answered
    const out = feed(r, fragments(req, even(req.length, 504), { id: 3 }));
    assert.equal(out.length, 1);
    assertEchoReply(out[0], req);
  });

  it("drops bad fragments: not the last but not a multiple of 8, two different ends, data past the end", () => {
    const r = mk();
    const req = icmpEcho(8, 7, 4, pattern(600));
    assert.equal(feed(r, fragments(req, [{ at: 0, len: 300, mf: true }])).length, 0);
    assert.equal(r.stack.counters.ip.dropFragBad, 1);
    // an end at 400, then another at 608
    feed(r, fragments(req, [{ at: 200, len: 200, mf: false }, { at: 400, len: 208, mf: false }], { id: 2 }));
    assert.equal(r.stack.counters.ip.dropFragBad, 2);
    // data at 400..600 received, then a last fragment ending at 200
    feed(r, fragments(req, [{ at: 400, len: 200, mf: true }, { at: 8, len: 192, mf: false }], { id: 3 }));
    assert.equal(r.stack.counters.ip.dropFragBad, 3);
    // a fragment past an end already known
    feed(r, fragments(req, [{ at: 8, len: 192, mf: false }, { at: 200, len: 200, mf: true }], { id: 4 }));
    assert.equal(r.stack.counters.ip.dropFragBad, 4);
    assert.equal(r.stack.counters.ip.reassembled, 0);
    assert.equal(r.stack.counters.eth.errors, 0);
  });

  it("gives up after 10 s and sends ICMP time exceeded (code 1) when fragment zero came, quoting its header", () => {
    const r = mk();
    const req = icmpEcho(8, 7, 5, pattern(1000));
    const frames = fragments(req, even(req.length, 504));
    feed(r, [frames[0]]);
    for (let t = 0; t < 9900; t += 100) { r.clock.t += 100; r.stack.tick(); }
    assert.equal(r.netif.take().length, 0, "nothing before 10 s");
    r.clock.t += 200;
    r.stack.tick();
    const sent = r.netif.take();
    assert.equal(sent.length, 1);
    const p = parseFrame(sent[0]);
    assert.equal(p.ipDst, PEER);
    assert.deepEqual(Array.from(p.l4.subarray(0, 2)), [11, 1], "time exceeded, reassembly");
    assert.equal(refChecksum(p.l4), 0);
    assert.deepEqual(Array.from(p.l4.subarray(8)), frames[0].slice(14, 14 + 28), "the first fragment's header and 8 data bytes");
    assert.equal(r.stack.counters.ip.dropFragTimeout, 1);
    assert.equal(r.stack.counters.icmp.timeExceeded, 1);
    // the rest arriving late completes nothing
    assert.equal(feed(r, [frames[1]]).length, 0);
    // a datagram to the subnet broadcast: no ICMP error about it (RFC 1122 3.2.2)
    const rb = mk();
    const bcast = ethFrame(BCAST_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ip("192.0.2.255"), proto: 17, id: 5, flagsFrag: 0x2000, payload: pattern(504) }));
    feed(rb, [bcast]);
    assert.equal(rb.stack.counters.ip.fragments, 1);
    for (let t = 0; t < 11000; t += 100) { rb.clock.t += 100; rb.stack.tick(); }
    assert.equal(rb.netif.take().length, 0);
    assert.equal(rb.stack.counters.ip.dropFragTimeout, 1);
    // without fragment zero: given up silently
    const r2 = mk();
    feed(r2, [frames[1]]);
    for (let t = 0; t < 11000; t += 100) { r2.clock.t += 100; r2.stack.tick(); }
    assert.equal(r2.netif.take().length, 0);
    assert.equal(r2.stack.counters.ip.dropFragTimeout, 1);
  });

  it("reassembles two datagrams at once (2 slots with a 1,500-byte EMTU_R), interleaved", () => {
    const r = mk();
    const a = icmpEcho(8, 1, 1, pattern(900, 1)), b = icmpEcho(8, 2, 2, pattern(1100, 2));
    const fa = fragments(a, even(a.length, 304)), fb = fragments(b, even(b.length, 304), { src: OTHER, srcMac: OTHER_MAC });
    const out = feed(r, [fa[0], fb[0], fa[1], fb[1], fb[2], fa[2], fb[3]]);
    assert.equal(out.length, 2);
    assert.equal(parseFrame(out[0]).ipDst, PEER);
    assert.equal(parseFrame(out[1]).ipDst, OTHER);
    assert.equal(r.stack.counters.ip.reassembled, 2);
  });

  it("a fragment flood never holds more than its slots, and normal traffic and new datagrams get through", () => {
    const r = mk({ reassemblySlots: 1 });
    const flood: Bytes[] = [];
    for (let id = 1; id <= 200; id++) flood.push(...fragments(pattern(1000, id), [{ at: 0, len: 504, mf: true }], { id, proto: 17 }));
    const st = r.stack as unknown as { rb: Uint8Array; fv: Uint8Array };
    const rb = st.rb;
    feed(r, flood.slice(0, 1));
    const fv = st.fv;
    assert.equal(feed(r, flood.slice(1)).length, 0);
    assert.equal(r.stack.counters.ip.dropFragEvicted, 199, "each new datagram takes the one slot");
    assert.equal(rb.length, 1500 + 185, "one slot: 1,500 bytes and its block map (one byte per 8 of the 1,480 data bytes)");
    assert.ok(st.rb === rb && st.fv === fv, "the same buffer and the same view of rx for every fragment of one size");
    // an unfragmented ping is answered at once, a fragmented one too (the flood's datagram evicted)
    const ping = icmpEcho(8, 3, 3, pattern(56));
    const out1 = feed(r, [ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 1, payload: ping }))]);
    assert.equal(out1.length, 1);
    const big = icmpEcho(8, 3, 4, pattern(1200));
    const out2 = feed(r, fragments(big, even(big.length, 512), { id: 999 }));
    assert.equal(out2.length, 1);
    assertEchoReply(out2[0], big);
    assert.equal(r.stack.counters.ip.dropFragEvicted, 200);
    // and after the time-out nothing is left: the next 10 s tick finds no slot in use
    for (let t = 0; t < 11000; t += 100) { r.clock.t += 100; r.stack.tick(); }
    assert.equal(r.stack.counters.ip.dropFragTimeout, 0, "the completed datagram left no slot behind");
  });

  it("fragments sent to a link-layer broadcast with our unicast address are dropped before reassembly", () => {
    const r = mk();
    const req = icmpEcho(8, 7, 6, pattern(800));
    assert.equal(feed(r, fragments(req, even(req.length, 400), { dstMac: BCAST_MAC })).length, 0);
    assert.equal(r.stack.counters.ip.dropLinkBroadcast, 3);
    assert.equal(r.stack.counters.ip.fragments, 0);
  });
});
