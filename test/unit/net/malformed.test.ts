import { strict as assert } from "assert";
import { setup } from "./harness";
import { Stack, stackCount, stackDrops } from "../../../firmware/net/stack";
import {
  OUR_MAC, PEER_MAC, BCAST_MAC, ip, ethFrame, arpPacket, ipv4Packet, icmpEcho, udpDatagram, refChecksum, Bytes,
} from "./wire";

const ME = ip("192.0.2.2");
const PEER = ip("192.0.2.1");
const Z6 = [0, 0, 0, 0, 0, 0];

function ipFrame(o: Parameters<typeof ipv4Packet>[0]): Bytes {
  return ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet(o));
}

function ping(): Bytes {
  return icmpEcho(8, 1, 1, [1, 2, 3, 4, 5, 6, 7, 8]);
}

/** Recomputes the IPv4 header checksum of a hand-edited frame (header at 14, ihl from the frame). */
function fixIpChecksum(f: Bytes): Bytes {
  const ihl = (f[14] & 15) * 4;
  f[24] = 0; f[25] = 0;
  const c = refChecksum(f, 14, 14 + Math.max(ihl, 20));
  f[24] = c >> 8; f[25] = c & 255;
  return f;
}

interface Case { name: string; frame: Bytes; layer: string; counter: string }

const udpBase = udpDatagram(PEER, ME, 1000, 2000, [1, 2, 3, 4]);

const cases: Case[] = [
  { name: "runt Ethernet frame", frame: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], layer: "eth", counter: "dropShort" },
  { name: "unknown EtherType", frame: ethFrame(OUR_MAC, PEER_MAC, 0x88cc, new Array(46).fill(0)), layer: "eth", counter: "dropType" },
  { name: "truncated IPv4 header", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping() }).slice(0, 30), layer: "ip", counter: "dropShort" },
  { name: "IP version 6 in an IPv4 frame", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping(), versionIhl: 0x65 }), layer: "ip", counter: "dropVersion" },
  { name: "IHL 4", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping(), versionIhl: 0x44 }), layer: "ip", counter: "dropIhl" },
  { name: "IHL 0", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping(), versionIhl: 0x40 }), layer: "ip", counter: "dropIhl" },
  { name: "IHL 15 beyond the total length", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping(), versionIhl: 0x4f }), layer: "ip", counter: "dropLength" },
  { name: "total length beyond the frame", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping(), totalLength: 200 }), layer: "ip", counter: "dropLength" },
  { name: "total length below the header", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping(), totalLength: 12 }), layer: "ip", counter: "dropLength" },
  { name: "bad header checksum", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping(), badChecksum: true }), layer: "ip", counter: "dropChecksum" },
  { name: "first fragment (MF) of a size not a multiple of 8", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping().concat([0]), flagsFrag: 0x2000 }), layer: "ip", counter: "dropFragBad" },
  { name: "fragment ending past EMTU_R (offset)", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping(), flagsFrag: 0x00b9 }), layer: "ip", counter: "dropFragTooBig" },
  { name: "TCP SYN to our address sent to the Ethernet broadcast", frame: ethFrame(BCAST_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 6, payload: new Array(20).fill(0) })), layer: "ip", counter: "dropLinkBroadcast" },
  { name: "UDP to our address sent to the Ethernet broadcast", frame: ethFrame(BCAST_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 17, payload: udpBase })), layer: "ip", counter: "dropLinkBroadcast" },
  { name: "IP multicast to our MAC", frame: ipFrame({ src: PEER, dst: ip("224.0.0.251"), proto: 17, payload: new Array(8).fill(0) }), layer: "ip", counter: "dropNotForUs" },
  { name: "multicast source", frame: ipFrame({ src: ip("224.0.0.1"), dst: ME, proto: 1, payload: ping() }), layer: "ip", counter: "dropSource" },
  { name: "not our address", frame: ipFrame({ src: PEER, dst: ip("192.0.2.3"), proto: 1, payload: ping() }), layer: "ip", counter: "dropNotForUs" },
  { name: "unknown protocol", frame: ipFrame({ src: PEER, dst: ME, proto: 132, payload: [1, 2, 3, 4] }), layer: "ip", counter: "dropProto" },
  { name: "ICMP shorter than its header", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: [8, 0, 0xf7, 0xff] }), layer: "icmp", counter: "dropShort" },
  { name: "ICMP bad checksum", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping().map((b, i) => (i === 9 ? b ^ 1 : b)) }), layer: "icmp", counter: "dropChecksum" },
  { name: "ICMP timestamp (unsupported type)", frame: ipFrame({ src: PEER, dst: ME, proto: 1, payload: icmpEcho(13, 1, 1, new Array(12).fill(0)) }), layer: "icmp", counter: "dropType" },
  { name: "UDP shorter than its header", frame: ipFrame({ src: PEER, dst: ME, proto: 17, payload: [0, 1, 0, 2, 0] }), layer: "udp", counter: "dropShort" },
  { name: "UDP length beyond the IP payload", frame: ipFrame({ src: PEER, dst: ME, proto: 17, payload: udpBase.map((b, i) => (i === 5 ? 40 : b)) }), layer: "udp", counter: "dropLength" },
  { name: "UDP length below 8", frame: ipFrame({ src: PEER, dst: ME, proto: 17, payload: udpBase.map((b, i) => (i === 5 ? 7 : b)) }), layer: "udp", counter: "dropLength" },
  { name: "UDP bad checksum", frame: ipFrame({ src: PEER, dst: ME, proto: 17, payload: udpBase.map((b, i) => (i === 9 ? b ^ 0x80 : b)) }), layer: "udp", counter: "dropChecksum" },
  { name: "ARP truncated", frame: ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, Z6, ME).slice(0, 20)), layer: "arp", counter: "dropShort" },
  { name: "ARP hlen 8", frame: ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, Z6, ME).map((b, i) => (i === 4 ? 8 : b))), layer: "arp", counter: "dropMalformed" },
  { name: "ARP plen 16", frame: ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, Z6, ME).map((b, i) => (i === 5 ? 16 : b))), layer: "arp", counter: "dropMalformed" },
  { name: "ARP htype 6", frame: ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, Z6, ME).map((b, i) => (i === 1 ? 6 : b))), layer: "arp", counter: "dropMalformed" },
  { name: "ARP ptype IPv6", frame: ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, Z6, ME).map((b, i) => (i === 2 ? 0x86 : i === 3 ? 0xdd : b))), layer: "arp", counter: "dropMalformed" },
  { name: "ARP opcode 3", frame: ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(3, PEER_MAC, PEER, Z6, ME)), layer: "arp", counter: "dropMalformed" },
  { name: "ARP broadcast sender MAC", frame: ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, BCAST_MAC, PEER, Z6, ME)), layer: "arp", counter: "dropMalformed" },
];

describe("net/stack: malformed input gets a clean drop and a counter", () => {
  for (const k of cases) {
    it(k.name, () => {
      const { netif, stack } = setup();
      netif.take();
      const before = JSON.parse(JSON.stringify(stack.counters));
      netif.push(k.frame);
      stack.poll();
      assert.equal(netif.take().length, 0, "nothing sent");
      assert.equal(stack.counters.eth.errors, 0, "no exception");
      assert.equal(stack.counters[k.layer][k.counter], before[k.layer][k.counter] + 1);
      // Exactly one counter named drop* (or the ARP malformed/short one) moved across all layers.
      let moved = 0;
      for (const layer of Object.keys(stack.counters))
        for (const name of Object.keys(stack.counters[layer]))
          if (/^drop/.test(name) && stack.counters[layer][name] !== before[layer][name]) moved++;
      assert.equal(moved, 1, "one drop counter");
    });
  }

  it("fixIpChecksum helper self-check (hand-edited frames stay otherwise valid)", () => {
    const f = ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping() });
    const g = fixIpChecksum(f.slice());
    assert.deepEqual(g, f);
  });

  /** The non-zero drop counters as the snapshot names them, and as stackDrops reports them. */
  function dropsBothWays(stack: Stack): { want: string[]; seen: string[] } {
    const want: string[] = [], seen: string[] = [];
    const snap = stack.counters;
    for (const layer in snap) {
      for (const name in snap[layer]) if (name.indexOf("drop") === 0 && snap[layer][name] > 0) want.push(`${layer}.${name}=${snap[layer][name]}`);
    }
    stackDrops(stack, (layer, name, n) => seen.push(`${layer}.${name}=${n}`));
    return { want, seen };
  }

  it("stackDrops reports every non-zero drop counter as the snapshot names it, stackCount reads one", () => {
    const { stack } = setup();
    let r = dropsBothWays(stack);
    assert.deepEqual(r.seen, r.want);
    // Every counter non-zero and distinct: each drop counter must map to its own name.
    const c = (stack as unknown as { c: Uint32Array }).c;
    const named = Object.keys(stack.counters).reduce((n, layer) => n + Object.keys(stack.counters[layer]).length, 0);
    for (let i = 0; i < named; i++) c[i] = 1000 + i;
    r = dropsBothWays(stack);
    assert.equal(r.want.length, 28);
    assert.deepEqual(r.seen, r.want);
    assert.equal(stackCount(stack, 25 /* Cnt.IP_RX */), stack.counters.ip.rx);
    assert.equal(stackCount(stack, 26 /* Cnt.IP_TX */), stack.counters.ip.tx);
  });

  it("survives 5,000 randomly mutated and truncated frames without exceptions, leaks or hangs", () => {
    const { netif, clock, stack } = setup();
    netif.take();
    const seeds: Bytes[] = [
      ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping() }),
      ipFrame({ src: PEER, dst: ME, proto: 17, payload: udpBase }),
      ipFrame({ src: PEER, dst: ME, proto: 6, payload: new Array(20).fill(0) }),
      ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, Z6, ME)),
      ethFrame(OUR_MAC, PEER_MAC, 0x0806, arpPacket(2, PEER_MAC, ip("192.0.2.9"), OUR_MAC, ME)),
    ];
    let s = 2463534242;
    const rnd = (n: number) => {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      return s % n;
    };
    stack.onProtocol(6, () => undefined);
    stack.udp.bind(2000, () => undefined);
    for (let n = 0; n < 5000; n++) {
      const f = seeds[rnd(seeds.length)].slice();
      const flips = 1 + rnd(4);
      for (let k = 0; k < flips; k++) f[14 + rnd(f.length - 14)] = rnd(256);
      if (rnd(4) === 0) fixIpChecksum(f);           // get past the header checksum now and then
      const cut = rnd(3) === 0 ? rnd(f.length + 1) : f.length;
      netif.push(f.slice(0, cut));
      stack.poll();
      if (n % 50 === 0) {
        clock.t += 100;
        stack.tick();
      }
      netif.take();
    }
    assert.equal(stack.counters.eth.errors, 0);
    assert.equal(netif.inbox.length, 0);
    const r = dropsBothWays(stack);
    assert.ok(r.want.length >= 5, r.want.join(" "));
    assert.deepEqual(r.seen, r.want);
    // Still works afterwards.
    netif.push(ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping() }));
    stack.poll();
    const out = netif.take();
    assert.equal(out.length, 1);
    assert.equal(out[0][34], 0);
  });

  it("a throwing protocol handler is contained and counted", () => {
    const { netif, stack } = setup();
    netif.take();
    stack.onProtocol(6, () => { throw new Error("handler bug"); });
    netif.push(ipFrame({ src: PEER, dst: ME, proto: 6, payload: new Array(20).fill(0) }));
    netif.push(ipFrame({ src: PEER, dst: ME, proto: 1, payload: ping() }));
    stack.poll();
    assert.equal(stack.counters.eth.errors, 1);
    assert.equal(netif.take().length, 1, "the next frame is still handled");
  });
});
