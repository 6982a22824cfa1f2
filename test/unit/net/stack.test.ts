import { strict as assert } from "assert";
import { Stack, parseIp, formatIp, arpLookup, arpMacOf, ethJoin } from "../../../firmware/net/stack";
import { setup } from "./harness";
import {
  FakeNetif, FakeClock, OUR_MAC, PEER_MAC, BCAST_MAC, ip, ipBytes, ethFrame, arpPacket, ipv4Packet, icmpEcho,
  udpDatagram, udpFrame, udpChecksumOk, refChecksum, parseFrame, rd16, rd32, Bytes,
} from "./wire";

const ME = ip("192.0.2.2");
const PEER = ip("192.0.2.1");
const OTHER = ip("192.0.2.77");
const FAR = ip("198.51.100.7");

function deliver(netif: FakeNetif, stack: Stack, frame: Bytes): Uint8Array[] {
  netif.push(frame);
  stack.poll();
  assert.equal(stack.counters.eth.errors, 0, "no exception in the receive path");
  return netif.take();
}

function pingFrame(size: number, dst = ME, id = 0x4242, seq = 7): Bytes {
  const data = Array.from({ length: size }, (_, i) => (i * 37 + 11) & 255);
  return ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst, proto: 1, payload: icmpEcho(8, id, seq, data) }));
}

function assertIpHeaderOk(f: Uint8Array): void {
  assert.equal(f[14], 0x45);
  assert.equal(refChecksum(f, 14, 34), 0, "IPv4 header checksum");
  assert.equal(f[22], 64, "TTL 64");
}

function tickFor(stack: Stack, clock: FakeClock, ms: number): void {
  for (let t = 0; t < ms; t += 100) {
    clock.t += 100;
    stack.tick();
  }
}

describe("net/stack: Ethernet, ARP, IPv4, ICMP, UDP (test-double link)", () => {
  it("parseIp/formatIp round-trip and reject junk", () => {
    assert.equal(parseIp("192.0.2.2"), 0xc0000202);
    assert.equal(formatIp(0xc0000202), "192.0.2.2");
    assert.equal(formatIp(parseIp("255.255.255.255")), "255.255.255.255");
    for (const bad of ["1.2.3", "1.2.3.256", "a.b.c.d", "1..2.3", "1.2.3.4.5", ""]) assert.ok(isNaN(parseIp(bad)), bad);
  });

  it("announces its static address with a gratuitous ARP at start-up", () => {
    const { netif, stack } = setup();
    const sent = netif.take();
    assert.equal(sent.length, 1);
    assert.deepEqual(Array.from(sent[0]), ethFrame(BCAST_MAC, OUR_MAC, 0x0806, arpPacket(1, OUR_MAC, ME, [0, 0, 0, 0, 0, 0], ME)));
    assert.equal(stack.dhcpState(), "static");
    assert.equal(stack.addr, ME);
  });

  it("sends a gratuitous ARP when the link comes up", () => {
    const { netif, clock, stack } = setup(undefined, false);
    assert.equal(netif.take().length, 0);
    tickFor(stack, clock, 300);
    assert.equal(netif.take().length, 0);
    netif.link = true;
    tickFor(stack, clock, 100);
    const sent = netif.take();
    assert.equal(sent.length, 1);
    assert.equal(rd16(sent[0], 12), 0x0806);
    assert.equal(rd32(sent[0], 28), ME);
    assert.equal(rd32(sent[0], 38), ME);
  });

  it("answers an ARP request for our address with exact bytes and caches the requester", () => {
    const { netif, stack } = setup();
    netif.take();
    const sent = deliver(netif, stack, ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, [0, 0, 0, 0, 0, 0], ME)));
    assert.equal(sent.length, 1);
    assert.deepEqual(Array.from(sent[0]), ethFrame(PEER_MAC, OUR_MAC, 0x0806, arpPacket(2, OUR_MAC, ME, PEER_MAC, PEER)));
    assert.ok(arpLookup(stack, PEER) >= 0);
    assert.deepEqual(Array.from(arpMacOf(stack, arpLookup(stack, PEER))), PEER_MAC);
    assert.equal(stack.counters.arp.repliesOut, 1);
  });

  it("ignores ARP for other addresses and does not cache their senders", () => {
    const { netif, stack } = setup();
    netif.take();
    const sent = deliver(netif, stack, ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, [0, 0, 0, 0, 0, 0], OTHER)));
    assert.equal(sent.length, 0);
    assert.equal(arpLookup(stack, PEER), -1);
    assert.equal(stack.counters.arp.ignored, 1);
  });

  it("filters Ethernet destinations: other unicast and unjoined multicast dropped, joined multicast and broadcast kept", () => {
    const { netif, stack } = setup();
    netif.take();
    const c = () => stack.counters;   // a snapshot per read
    const arpReq = arpPacket(1, PEER_MAC, PEER, [0, 0, 0, 0, 0, 0], ME);
    deliver(netif, stack, ethFrame([0x02, 0, 0, 0, 0, 0x02], PEER_MAC, 0x0806, arpReq));
    deliver(netif, stack, ethFrame([0x01, 0, 0x5e, 0, 0, 0xfb], PEER_MAC, 0x0806, arpReq));
    assert.equal(c().eth.dropNotForUs, 2);
    assert.equal(c().arp.rx, 0);
    assert.ok(ethJoin(stack, Uint8Array.from([0x01, 0, 0x5e, 0, 0, 0xfb])));
    assert.equal(deliver(netif, stack, ethFrame([0x01, 0, 0x5e, 0, 0, 0xfb], PEER_MAC, 0x0806, arpReq)).length, 1);
    assert.equal(deliver(netif, stack, ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpReq)).length, 1);
    assert.equal(c().arp.rx, 2);
    deliver(netif, stack, ethFrame(OUR_MAC, PEER_MAC, 0x86dd, new Array(40).fill(0)));
    assert.equal(c().eth.dropType, 1);
  });

  for (const size of [0, 1, 56, 1472]) {
    it(`replies to a ${size}-byte ping with the exact payload`, () => {
      const { netif, stack } = setup();
      netif.take();
      const req = pingFrame(size);
      const sent = deliver(netif, stack, req);
      assert.equal(sent.length, 1);
      const f = sent[0];
      const p = parseFrame(f);
      assert.deepEqual(p.dst, PEER_MAC);
      assert.deepEqual(p.src, OUR_MAC);
      assert.equal(p.type, 0x0800);
      assertIpHeaderOk(f);
      assert.equal(p.ipSrc, ME);
      assert.equal(p.ipDst, PEER);
      assert.equal(p.proto, 1);
      assert.equal(f.length, 14 + 20 + 8 + size);
      const icmp = Array.from(p.l4);
      const reqIcmp = req.slice(34);
      assert.equal(icmp[0], 0, "echo reply");
      assert.equal(icmp[1], 0);
      assert.deepEqual(icmp.slice(4), reqIcmp.slice(4), "identifier, sequence and payload unchanged");
      assert.equal(refChecksum(icmp), 0, "ICMP checksum");
      assert.equal(stack.counters.icmp.echoOut, 1);
    });
  }

  it("replies correctly to many random pings (incremental checksum against the reference)", () => {
    const { netif, stack } = setup();
    netif.take();
    let seed = 1;
    for (let n = 0; n < 300; n++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const size = seed % 200;
      const data = Array.from({ length: size }, (_, i) => (seed >> (i % 16)) & 255);
      const req = ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 1, payload: icmpEcho(8, seed & 0xffff, n, data) }));
      const f = deliver(netif, stack, req)[0];
      assert.equal(refChecksum(f, 34, f.length), 0);
      assert.deepEqual(Array.from(f.subarray(38)), req.slice(38));
    }
  });

  it("ignores pings to broadcast addresses", () => {
    const { netif, stack } = setup();
    netif.take();
    assert.equal(deliver(netif, stack, pingFrame(8, ip("192.0.2.255"))).length, 0);
    assert.equal(deliver(netif, stack, pingFrame(8, 0xffffffff)).length, 0);
    assert.equal(stack.counters.icmp.ignoredBroadcast, 2);
  });

  it("answers a ping carrying IP options (skipped) without options in the reply", () => {
    const { netif, stack } = setup();
    netif.take();
    const data = [1, 2, 3, 4, 5];
    const opts = [0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00];   // router alert + NOPs + EOL
    const req = ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 1, options: opts, payload: icmpEcho(8, 1, 2, data) }));
    const f = deliver(netif, stack, req)[0];
    assertIpHeaderOk(f);
    assert.deepEqual(Array.from(f.subarray(38)), [0, 1, 0, 2, ...data]);
    assert.equal(stack.counters.ip.options, 1);
  });

  it("delivers UDP to a bound port and sends with a correct checksum", () => {
    const { netif, stack } = setup();
    netif.take();
    const got: any[] = [];
    assert.ok(stack.udp.bind(7, (src, sport, rx, off, len) => {
      got.push({ src, sport, data: Array.from(rx.subarray(off, off + len)) });
      netif.tx.set(rx.subarray(off, off + len), 42);
      assert.equal(stack.udp.send(src, sport, 7, len), 1);
    }));
    assert.equal(stack.udp.bind(7, () => undefined), false, "port already bound");
    // The peer is known (it ARPed us), so the echo goes straight out.
    deliver(netif, stack, ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, [0, 0, 0, 0, 0, 0], ME)));
    for (const [data, withCsum] of [[[1, 2, 3], true], [[9, 8, 7, 6], false], [[], true]] as [number[], boolean][]) {
      const sent = deliver(netif, stack, udpFrame(OUR_MAC, PEER, ME, 5555, 7, data, withCsum));
      assert.equal(sent.length, 1);
      const p = parseFrame(sent[0]);
      assertIpHeaderOk(sent[0]);
      assert.deepEqual(p.dst, PEER_MAC);
      assert.equal(p.ipDst, PEER);
      assert.equal(p.proto, 17);
      assert.deepEqual(Array.from(p.l4), udpDatagram(ME, PEER, 7, 5555, data, true));
      assert.ok(udpChecksumOk(ME, PEER, p.l4));
      assert.deepEqual(got[got.length - 1], { src: PEER, sport: 5555, data });
    }
  });

  it("accepts UDP to the subnet broadcast and 255.255.255.255", () => {
    const { netif, stack } = setup();
    netif.take();
    let n = 0;
    stack.udp.bind(9999, () => n++);
    deliver(netif, stack, udpFrame(BCAST_MAC, PEER, ip("192.0.2.255"), 1, 9999, [1]));
    deliver(netif, stack, udpFrame(BCAST_MAC, PEER, 0xffffffff, 1, 9999, [1]));
    deliver(netif, stack, udpFrame(OUR_MAC, PEER, ip("192.0.3.255"), 1, 9999, [1]));
    assert.equal(n, 2);
    assert.equal(stack.counters.ip.dropNotForUs, 1);
  });

  it("answers UDP to a closed port with a rate-limited port unreachable quoting the datagram", () => {
    const { netif, clock, stack } = setup();
    netif.take();
    const frame = udpFrame(OUR_MAC, PEER, ME, 4000, 5000, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const sent = deliver(netif, stack, frame);
    assert.equal(sent.length, 1);
    const p = parseFrame(sent[0]);
    assertIpHeaderOk(sent[0]);
    assert.equal(p.ipDst, PEER);
    assert.deepEqual(p.dst, PEER_MAC);
    assert.equal(p.proto, 1);
    const icmp = Array.from(p.l4);
    assert.deepEqual(icmp.slice(0, 2), [3, 3]);
    assert.equal(refChecksum(icmp), 0);
    assert.deepEqual(icmp.slice(8), frame.slice(14, 14 + 28), "original IP header + 8 bytes");
    // Burst of 4 tokens: 3 more replies, then silence until tokens come back.
    let replies = 0;
    for (let i = 0; i < 10; i++) replies += deliver(netif, stack, frame).length;
    assert.equal(replies, 3);
    assert.equal(stack.counters.icmp.rateLimited, 7);
    tickFor(stack, clock, 1000);
    replies = 0;
    for (let i = 0; i < 10; i++) replies += deliver(netif, stack, frame).length;
    assert.ok(replies >= 3 && replies <= 4, `replies after refill: ${replies}`);
    // Never for broadcast destinations.
    tickFor(stack, clock, 2000);
    assert.equal(deliver(netif, stack, udpFrame(BCAST_MAC, PEER, 0xffffffff, 4000, 5000, [1])).length, 0);
  });

  it("poll() drains waiting frames up to its bound (64), the rest on the next call", () => {
    const { netif, stack } = setup();
    netif.take();
    for (let i = 0; i < 70; i++) netif.push(pingFrame(4, ME, 1, i));
    stack.poll();
    assert.equal(netif.take().length, 64);
    assert.equal(netif.inbox.length, 6);
    stack.poll();
    assert.equal(netif.take().length, 6);
  });

  it("hands other protocols to onProtocol handlers with offsets and addresses", () => {
    const { netif, stack } = setup();
    netif.take();
    const calls: any[] = [];
    stack.onProtocol(6, (rx, off, len, src, dst) => calls.push({ off, len, src, dst, first: rx[off], last: rx[off + len - 1] }));
    const seg = Array.from({ length: 24 }, (_, i) => i + 100);
    deliver(netif, stack, ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 6, payload: seg })));
    deliver(netif, stack, ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 6, payload: seg, options: [1, 1, 1, 0] })));
    // Ethernet padding beyond the IP total length is not part of the segment.
    deliver(netif, stack, [...ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 6, payload: seg.slice(0, 4) })), 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(calls, [
      { off: 34, len: 24, src: PEER, dst: ME, first: 100, last: 123 },
      { off: 38, len: 24, src: PEER, dst: ME, first: 100, last: 123 },
      { off: 34, len: 4, src: PEER, dst: ME, first: 100, last: 103 },
    ]);
    deliver(netif, stack, ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 99, payload: seg })));
    assert.equal(stack.counters.ip.dropProto, 1);
  });
});

describe("net/stack: ARP resolution on output", () => {
  function payload(netif: FakeNetif, n: number): void {
    for (let i = 0; i < n; i++) netif.tx[34 + i] = (i * 3) & 255;
  }

  it("resolves an unknown neighbour, holds the frame and sends it when the reply comes", () => {
    const { netif, stack } = setup();
    netif.take();
    payload(netif, 20);
    assert.equal(stack.ipSend(6, OTHER, 20), 0);
    const sent = netif.take();
    assert.equal(sent.length, 1);
    assert.deepEqual(Array.from(sent[0]), ethFrame(BCAST_MAC, OUR_MAC, 0x0806, arpPacket(1, OUR_MAC, ME, [0, 0, 0, 0, 0, 0], OTHER)));
    const otherMac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
    const out = deliver(netif, stack, ethFrame(OUR_MAC, otherMac, 0x0806, arpPacket(2, otherMac, OTHER, OUR_MAC, ME)));
    assert.equal(out.length, 1);
    const p = parseFrame(out[0]);
    assert.deepEqual(p.dst, otherMac);
    assert.equal(p.ipDst, OTHER);
    assert.equal(p.proto, 6);
    assertIpHeaderOk(out[0]);
    assert.deepEqual(Array.from(p.l4), Array.from({ length: 20 }, (_, i) => (i * 3) & 255));
    // Now cached: the next send goes straight out.
    payload(netif, 20);
    assert.equal(stack.ipSend(6, OTHER, 20), 1);
    assert.deepEqual(parseFrame(netif.take()[0]).dst, otherMac);
    assert.equal(stack.counters.arp.heldSent, 1);
  });

  it("routes off-subnet destinations through the gateway", () => {
    const { netif, stack } = setup();
    netif.take();
    assert.equal(stack.ipSend(17, FAR, 8), 0);
    const req = netif.take()[0];
    assert.equal(rd32(req, 38), PEER, "ARP asks for the gateway");
    const out = deliver(netif, stack, ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, PEER, OUR_MAC, ME)));
    assert.equal(parseFrame(out[0]).ipDst, FAR);
    assert.deepEqual(parseFrame(out[0]).dst, PEER_MAC);
  });

  it("holds one frame only: a second destination is not held, the caller regenerates", () => {
    const { netif, stack } = setup();
    netif.take();
    assert.equal(stack.ipSend(6, OTHER, 20), 0);
    assert.equal(stack.ipSend(6, ip("192.0.2.78"), 20), 0);
    assert.equal(stack.counters.arp.held, 1);
    assert.equal(stack.counters.arp.notHeld, 1);
    assert.equal(netif.take().length, 2, "two ARP requests");
  });

  it("retries with back-off, then gives up and drops the held frame", () => {
    const { netif, clock, stack } = setup();
    netif.take();
    const t0 = clock.t;
    stack.ipSend(6, OTHER, 20);
    netif.take();
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      clock.t += 100;
      stack.tick();
      if (netif.take().length) times.push(clock.t - t0);
    }
    assert.deepEqual(times, [500, 1500, 3500], "retries at +0.5 s, +1 s, +2 s");
    assert.equal(stack.counters.arp.giveUps, 1);
    assert.equal(stack.counters.arp.heldDropped, 1);
    assert.equal(arpLookup(stack, OTHER), -1);
    // A late reply resolves nothing and sends nothing (not for a pending entry).
    assert.equal(deliver(netif, stack, ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, OTHER, OUR_MAC, ME))).length, 0);
  });

  it("ages entries: unused ones expire, used ones are refreshed by unicast", () => {
    const { netif, clock, stack } = setup();
    netif.take();
    deliver(netif, stack, ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, [0, 0, 0, 0, 0, 0], ME)));
    tickFor(stack, clock, 49000);
    assert.equal(netif.take().length, 0);
    assert.equal(stack.ipSend(17, PEER, 8), 1);
    netif.take();
    tickFor(stack, clock, 1500);
    const refresh = netif.take();
    assert.equal(refresh.length, 1);
    assert.deepEqual(Array.from(refresh[0].subarray(0, 6)), PEER_MAC, "unicast refresh");
    assert.equal(rd32(refresh[0], 38), PEER);
    // The peer answers: the entry lives another 60 s.
    deliver(netif, stack, ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, PEER, OUR_MAC, ME)));
    tickFor(stack, clock, 30000);
    assert.ok(arpLookup(stack, PEER) >= 0);
    tickFor(stack, clock, 31000);
    assert.equal(arpLookup(stack, PEER), -1, "expired when not used");
    assert.equal(stack.counters.arp.expired, 1);
  });

  it("evicts the oldest entry when the cache is full", () => {
    const { netif, clock, stack } = setup();
    netif.take();
    for (let i = 0; i < 9; i++) {
      const mac = [0x02, 0, 0, 0, 1, i];
      clock.t += 10;
      deliver(netif, stack, ethFrame(BCAST_MAC, mac, 0x0806, arpPacket(1, mac, ip(`192.0.2.${10 + i}`), [0, 0, 0, 0, 0, 0], ME)));
    }
    assert.equal(arpLookup(stack, ip("192.0.2.10")), -1);
    for (let i = 1; i < 9; i++) assert.ok(arpLookup(stack, ip(`192.0.2.${10 + i}`)) >= 0);
    assert.equal(stack.counters.arp.evicted, 1);
  });

  it("maps multicast destinations to 01:00:5e MACs without ARP", () => {
    const { netif, stack } = setup();
    netif.take();
    assert.equal(stack.ipSend(17, ip("224.0.0.251"), 8), 1);
    const f = netif.take()[0];
    assert.deepEqual(Array.from(f.subarray(0, 6)), [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);
    assert.equal(stack.counters.arp.requestsOut, 0);
  });

  it("updates a cached MAC from an unsolicited reply and counts an address conflict", () => {
    const { netif, stack } = setup();
    netif.take();
    deliver(netif, stack, ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, [0, 0, 0, 0, 0, 0], ME)));
    const moved = [0x02, 0xaa, 0, 0, 0, 0x99];
    assert.equal(deliver(netif, stack, ethFrame(BCAST_MAC, moved, 0x0806, arpPacket(2, moved, PEER, BCAST_MAC, PEER))).length, 0);
    assert.deepEqual(Array.from(arpMacOf(stack, arpLookup(stack, PEER))), moved);
    const thief = [0x02, 0xbb, 0, 0, 0, 1];
    const defended = deliver(netif, stack, ethFrame(BCAST_MAC, thief, 0x0806, arpPacket(1, thief, ME, [0, 0, 0, 0, 0, 0], ME)));
    assert.equal(defended.length, 1, "defended with an announcement (RFC 5227 2.4 (b))");
    assert.deepEqual(Array.from(defended[0]), ethFrame(BCAST_MAC, OUR_MAC, 0x0806, arpPacket(1, OUR_MAC, ME, [0, 0, 0, 0, 0, 0], ME)));
    assert.equal(stack.counters.arp.conflicts, 1);
    assert.equal(arpLookup(stack, ME), -1);
  });

  it("unbinding a UDP port closes it", () => {
    const { netif, stack } = setup();
    netif.take();
    let n = 0;
    stack.udp.bind(5000, () => n++);
    deliver(netif, stack, udpFrame(OUR_MAC, PEER, ME, 4000, 5000, [1]));
    stack.udp.unbind(5000);
    const sent = deliver(netif, stack, udpFrame(OUR_MAC, PEER, ME, 4000, 5000, [1]));
    assert.equal(n, 1);
    assert.equal(sent.length, 1);
    assert.equal(sent[0][34], 3, "port unreachable");
    assert.equal(stack.counters.udp.noPort, 1);
  });

  it("reports no route, link down, too big and driver refusal", () => {
    const { netif, clock, stack } = setup({ ip: ME, mask: 0xffffff00 });
    netif.take();
    assert.equal(stack.ipSend(17, FAR, 8), -1);
    assert.equal(stack.ipSend(17, PEER, 1485), -4);
    netif.link = false;
    tickFor(stack, clock, 100);
    assert.equal(stack.ipSend(17, PEER, 8), -2);
    netif.link = true;
    tickFor(stack, clock, 100);
    netif.take();
    netif.sendOk = false;
    assert.equal(stack.ipSend(17, 0xffffffff, 8), -3);
    assert.equal(stack.counters.eth.txFail, 1);
  });
});
