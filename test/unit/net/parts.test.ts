// The stack's optional parts (firmware/net/state.ts, Parts): what a stack made without them
// (createStackWith, as the library builds it without its pieces acd, reasm, counters) does with
// fragments, a DHCP lease, an ARP packet claiming its address and its counters; and that each
// part given alone brings its behaviour back.
import { strict as assert } from "assert";
import { createStackWith, Parts, Stack, StackConfig, stackCount } from "../../../firmware/net/stack";
import { Cnt, counterNames } from "../../../firmware/net/counters";
import { REASM } from "../../../firmware/net/reasm";
import { ACD } from "../../../firmware/net/acd";
import { createTcpWith, counterNames as tcpCounterNames } from "../../../firmware/tcp/tcp";
import { createEnc28j60With, driverCounterNames } from "../../../drivers/enc28j60/driver";
import { countsOnly } from "../../../firmware/lib/eth";
import {
  FakeNetif, FakeClock, OUR_MAC, PEER_MAC, BCAST_MAC, ip, ipBytes, be32, ethFrame, arpPacket, ipv4Packet, icmpEcho,
  udpFrame, dhcpMessage, dhcpOptions, parseFrame, rd16, rd32, Bytes,
} from "./wire";

const ME = ip("192.0.2.2");
const PEER = ip("192.0.2.1");
const THIEF = [0x02, 0xbb, 0, 0, 0, 1];
const NONE: Parts = { reasm: null, acd: null, names: null };

function mk(parts: Parts, cfg: StackConfig = { ip: ME, mask: 0xffffff00, gateway: PEER }): { netif: FakeNetif; clock: FakeClock; stack: Stack; log: string[] } {
  const netif = new FakeNetif();
  netif.link = true;
  const clock = new FakeClock();
  const log: string[] = [];
  const stack = createStackWith(netif, clock, { log: (s: string) => log.push(s), ...cfg }, parts);
  netif.take();
  return { netif, clock, stack, log };
}

function feed(r: { netif: FakeNetif; stack: Stack }, frames: Bytes[]): Uint8Array[] {
  for (const f of frames) { r.netif.push(f); r.stack.poll(); }
  assert.equal(stackCount(r.stack, Cnt.ETH_ERRORS), 0, "no exception in the receive path");
  return r.netif.take();
}

/** A 1,200-byte ping in 3 fragments (512-byte pieces). */
function fragmentedPing(): Bytes[] {
  const req = icmpEcho(8, 7, 1, Array.from({ length: 1192 }, (_, i) => i & 255));
  const out: Bytes[] = [];
  for (let at = 0; at < req.length; at += 512) {
    out.push(ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 1, id: 0x99,
      flagsFrag: (at + 512 < req.length ? 0x2000 : 0) | (at >> 3), payload: req.slice(at, at + 512) })));
  }
  return out;
}

describe("net/parts: a stack without its optional parts (the library without acd, reasm, counters)", () => {
  it("without reassembly: fragments are counted and dropped, nothing answered; with REASM alone the ping is answered", () => {
    const r = mk(NONE);
    assert.equal(feed(r, fragmentedPing()).length, 0);
    const c = counterNames((r.stack as any).c).ip;
    assert.equal(c.fragments, 3);
    assert.equal(c.dropFragment, 3);
    assert.equal(c.reassembled, 0);
    // a whole ping still answered
    const ping = icmpEcho(8, 7, 2, [1, 2, 3]);
    feed(r, [ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, PEER, OUR_MAC, ME))]);
    assert.equal(feed(r, [ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 1, payload: ping }))]).length, 1);

    const w = mk({ reasm: REASM, acd: null, names: null });
    feed(w, [ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, PEER, OUR_MAC, ME))]);
    const out = feed(w, fragmentedPing());
    assert.equal(out.length, 1, "the reassembled ping answered");
    assert.equal(parseFrame(out[0]).l4.length, 1200);
  });

  it("without the names: counters gives the counts in their order and says how to get the names; with them, by layer", () => {
    const r = mk(NONE);
    feed(r, [ethFrame(OUR_MAC, PEER_MAC, 0x0806, [1, 2])]);   // a short ARP packet
    const raw = r.stack.counters as any;
    assert.equal(raw.names, "make image PIECES=+counters");
    assert.ok(raw.counts instanceof Uint32Array);
    assert.equal(raw.counts.length, Cnt.COUNT);
    assert.equal(raw.counts[Cnt.ARP_DROP_SHORT], 1);
    raw.counts[Cnt.ARP_DROP_SHORT] = 9;
    assert.equal(stackCount(r.stack, Cnt.ARP_DROP_SHORT), 1, "a snapshot, not the live counts");
    const named = mk({ reasm: null, acd: null, names: counterNames });
    feed(named, [ethFrame(OUR_MAC, PEER_MAC, 0x0806, [1, 2])]);
    assert.equal(named.stack.counters.arp.dropShort, 1);
  });

  it("TCP's and the driver's counters without their names (the library without its counters piece): the counts and how to get the names", () => {
    const r = mk(NONE);
    const bare = createTcpWith(r.stack as any, { slots: 2 }, countsOnly);
    bare.counts[1] = 4; // segOut
    const raw = bare.counters as any;
    assert.equal(raw.names, "make image PIECES=+counters");
    assert.ok(raw.counts instanceof Uint32Array);
    assert.equal(raw.counts.length, bare.counts.length);
    assert.equal(raw.counts[1], 4);
    raw.counts[1] = 9;
    assert.equal(bare.counts[1], 4, "a snapshot, not the live counts");
    const named = createTcpWith(mk(NONE).stack as any, { slots: 2 }, tcpCounterNames);
    named.counts[1] = 4;
    assert.equal(named.counters.segOut, 4);
    assert.equal(named.counters.keepAliveAborts, 0);

    const NAMES = ["rxFrames", "rxErrors", "rxOverflows", "rxResets", "txFrames", "txErrors", "txRetries", "txResets", "txStalls", "linkChanges", "miiTimeouts"];
    const d = createEnc28j60With({} as any, Uint8Array.from(OUR_MAC), undefined, countsOnly) as any;
    const dRaw = d.counters;
    assert.equal(dRaw.names, "make image PIECES=+counters");
    assert.ok(dRaw.counts instanceof Uint32Array);
    assert.equal(dRaw.counts.length, NAMES.length);
    const dn = createEnc28j60With({} as any, Uint8Array.from(OUR_MAC), undefined, driverCounterNames);
    assert.deepEqual(Object.keys(dn.counters), NAMES);
    assert.equal(dn.counters.miiTimeouts, 0);
  });

  it("without acd: an ARP packet from another MAC claiming our address is counted and dropped (not learnt, not answered); our own looped back is ignored", () => {
    const r = mk(NONE);
    // a gratuitous ARP request from the thief, and a reply naming our address as its sender
    assert.equal(feed(r, [ethFrame(BCAST_MAC, THIEF, 0x0806, arpPacket(1, THIEF, ME, [0, 0, 0, 0, 0, 0], ME))]).length, 0);
    assert.equal(feed(r, [ethFrame(OUR_MAC, THIEF, 0x0806, arpPacket(2, THIEF, ME, OUR_MAC, ME))]).length, 0);
    const c = counterNames((r.stack as any).c);
    assert.equal(c.arp.conflicts, 2);
    assert.equal(c.dhcp.defended, 0);
    assert.equal(r.stack.addr, ME, "the address kept");
    assert.deepEqual(r.log, [], "nothing said (the acd piece says what it does)");
    // our own announcement looped back: ignored, not a conflict
    assert.equal(feed(r, [ethFrame(BCAST_MAC, OUR_MAC, 0x0806, arpPacket(1, OUR_MAC, ME, [0, 0, 0, 0, 0, 0], ME))]).length, 0);
    assert.equal(counterNames((r.stack as any).c).arp.conflicts, 2);
    assert.equal(counterNames((r.stack as any).c).arp.ignored, 1);
    // with ACD alone: defended once (an announcement), said on the console
    const a = mk({ reasm: null, acd: ACD, names: null });
    const out = feed(a, [ethFrame(BCAST_MAC, THIEF, 0x0806, arpPacket(1, THIEF, ME, [0, 0, 0, 0, 0, 0], ME))]);
    assert.equal(out.length, 1);
    assert.equal(rd32(out[0], 28), ME, "our announcement");
    assert.match(a.log.join("\n"), /192\.0\.2\.2 is in use by 02:bb:00:00:00:01 too: defended/);
  });

  it("without acd: a DHCP lease is bound at the ACK, no ARP probe sent", () => {
    const server = ip("192.0.2.1"), leased = ip("192.0.2.100");
    const r = mk(NONE, { hostname: "parts", random: () => 0.5, dhcpProbes: 3 });
    const step = (): Uint8Array[] => { r.clock.t += 100; r.stack.tick(); return r.netif.take(); };
    const udp = (fs: Uint8Array[]): { type: number; xid: number }[] => fs.filter((f) => rd16(f, 12) === 0x0800).map((f) => {
      const p = parseFrame(f);
      return { type: (dhcpOptions(p.l4, 8, p.l4.length - 8).get(53) || [0])[0], xid: rd32(p.l4, 12) };
    });
    const opts = (type: number): Bytes[] => [[53, type], [54, ...ipBytes(server)], [51, ...be32(600)], [1, 255, 255, 255, 0], [3, ...ipBytes(server)]];
    const reply = (xid: number, type: number): Bytes => udpFrame(BCAST_MAC, server, 0xffffffff, 67, 68, dhcpMessage(2, xid, OUR_MAC, leased, opts(type)));
    const d = udp(step())[0];
    assert.equal(d.type, 1, "DISCOVER");
    const q = udp(feed(r, [reply(d.xid, 2)]))[0];
    assert.equal(q.type, 3, "REQUEST");
    const atAck = feed(r, [reply(q.xid, 5)]);
    assert.equal(r.stack.dhcpState(), "bound");
    assert.equal(r.stack.addr, leased);
    // the only ARP: the announcement of the address (gratuitous, sender = the address), no probe
    const arp = atAck.concat(step(), step()).filter((f) => rd16(f, 12) === 0x0806);
    assert.equal(arp.length, 1);
    assert.equal(rd32(arp[0], 28), leased);
    assert.equal(counterNames((r.stack as any).c).dhcp.probes, 0);
  });
});
