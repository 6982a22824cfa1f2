// The link-layer broadcast filter (RFC 1122 3.3.6) and IP multicast delivery, with TCP listening:
// a datagram that came to a link-layer broadcast or multicast address but whose IP destination
// is not an IP broadcast or multicast address is dropped and counted; TCP never answers a segment
// addressed to an IP broadcast or multicast address; UDP gets multicast through a joined group.
import { strict as assert } from "assert";
import { ethJoin } from "../../../firmware/net/stack";
import { createTcp } from "../../../firmware/tcp/tcp";
import { setup } from "./harness";
import {
  OUR_MAC, PEER_MAC, BCAST_MAC, ip, ipBytes, be16, be32, ethFrame, ipv4Packet, icmpEcho, udpDatagram, refChecksum,
  parseFrame, Bytes,
} from "./wire";

const ME = ip("192.0.2.2");
const PEER = ip("192.0.2.1");
const SUBNET_BCAST = ip("192.0.2.255");
const MDNS = ip("224.0.0.251");
const MDNS_MAC = [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb];
const OTHER_GROUP_MAC = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x42];

/** A TCP SYN (20-byte header, no options) from PEER:40000 to dst:80, checksum over the pseudo-header. */
function syn(dst: number): Bytes {
  const h = [...be16(40000), ...be16(80), ...be32(1000), ...be32(0), 0x50, 0x02, ...be16(8192), 0, 0, 0, 0];
  const pseudo = [...ipBytes(PEER), ...ipBytes(dst), 0, 6, ...be16(h.length)];
  const c = refChecksum([...pseudo, ...h]);
  h[16] = c >> 8; h[17] = c & 255;
  return ipv4Packet({ src: PEER, dst, proto: 6, payload: h });
}

function rig() {
  const r = setup();
  r.netif.take();
  const tcp = createTcp(r.stack as any, { slots: 2 });
  let opened = 0;
  tcp.listen(80, { open: () => { opened++; }, data: () => {}, drained: () => {}, peerClosed: () => {}, end: () => {} });
  const feed = (f: Bytes): Uint8Array[] => {
    r.netif.push(f);
    r.stack.poll();
    assert.equal(r.stack.counters.eth.errors, 0);
    return r.netif.take().filter((x) => ((x[12] << 8) | x[13]) === 0x0800);   // (ARP for the peer aside)
  };
  return { ...r, tcp, feed, opened: () => opened };
}

function isSynAck(f: Uint8Array): boolean {
  const p = parseFrame(f);
  return p.proto === 6 && (p.l4[13] & 0x12) === 0x12;
}

describe("net: link-layer broadcast filter (RFC 1122 3.3.6) and multicast", () => {
  it("answers a SYN to our MAC and address (the rig can see a SYN-ACK)", () => {
    const r = rig();
    // the peer's MAC is learned from its ARP reply to our request: answer it first
    r.feed(ethFrame(OUR_MAC, PEER_MAC, 0x0800, syn(ME)));
    r.feed(ethFrame(OUR_MAC, PEER_MAC, 0x0806, [0, 1, 8, 0, 6, 4, 0, 2, ...PEER_MAC, ...ipBytes(PEER), ...OUR_MAC, ...ipBytes(ME)]));
    const out = r.feed(ethFrame(OUR_MAC, PEER_MAC, 0x0800, syn(ME)));
    assert.equal(out.filter(isSynAck).length, 1, "SYN-ACK");
  });

  it("ignores a SYN with our unicast address sent to the Ethernet broadcast, counted", () => {
    const r = rig();
    const arpBefore = r.stack.counters.arp.tx;
    assert.equal(r.feed(ethFrame(BCAST_MAC, PEER_MAC, 0x0800, syn(ME))).length, 0);
    assert.equal(r.stack.counters.ip.dropLinkBroadcast, 1);
    assert.equal(r.tcp.counters.segIn, 0, "TCP never saw it");
    assert.equal(r.stack.counters.arp.tx, arpBefore, "not even an ARP request for the sender");
  });

  it("ignores a ping and a UDP datagram to our address sent to the Ethernet broadcast or a joined group", () => {
    const r = rig();
    ethJoin(r.stack, new Uint8Array(MDNS_MAC));
    let n = 0;
    r.stack.udp.bind(5353, () => { n++; });
    const ping = ipv4Packet({ src: PEER, dst: ME, proto: 1, payload: icmpEcho(8, 1, 1, [1, 2, 3]) });
    assert.equal(r.feed(ethFrame(BCAST_MAC, PEER_MAC, 0x0800, ping)).length, 0);
    assert.equal(r.feed(ethFrame(MDNS_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 17, payload: udpDatagram(PEER, ME, 5353, 5353, [1]) }))).length, 0);
    assert.equal(n, 0);
    assert.equal(r.stack.counters.ip.dropLinkBroadcast, 2);
  });

  it("TCP never answers a SYN to the subnet broadcast, the limited broadcast or a multicast address", () => {
    const r = rig();
    ethJoin(r.stack, new Uint8Array(MDNS_MAC));
    for (const [mac, dst] of [[BCAST_MAC, SUBNET_BCAST], [BCAST_MAC, 0xffffffff], [OUR_MAC, SUBNET_BCAST], [MDNS_MAC, MDNS]] as [Bytes, number][]) {
      const out = r.feed(ethFrame(mac, PEER_MAC, 0x0800, syn(dst)));
      assert.equal(out.length, 0, "no answer to a SYN for " + dst.toString(16));
    }
    assert.equal(r.opened(), 0);
    assert.equal(r.stack.counters.ip.dropLinkBroadcast, 0, "these pass the IP layer: TCP drops them");
  });

  it("UDP gets broadcasts and multicast of a joined group, not of another group nor multicast to our MAC", () => {
    const r = rig();
    const got: string[] = [];
    r.stack.udp.bind(5353, (src, sport, rx, off, len) => { got.push(`${src.toString(16)}:${sport}:${Array.from(rx.subarray(off, off + len)).join(",")}`); });
    const udp = (macDst: Bytes, dst: number, data: Bytes): Bytes =>
      ethFrame(macDst, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst, proto: 17, payload: udpDatagram(PEER, dst, 5353, 5353, data) }));
    r.feed(udp(MDNS_MAC, MDNS, [1]));                       // not joined yet: the Ethernet filter
    assert.equal(r.stack.counters.eth.dropNotForUs, 1);
    assert.ok(ethJoin(r.stack, new Uint8Array(MDNS_MAC)));
    r.feed(udp(MDNS_MAC, MDNS, [2]));                       // joined: delivered
    r.feed(udp(OTHER_GROUP_MAC, ip("224.0.0.66"), [3]));    // another group's MAC: the Ethernet filter
    r.feed(udp(OUR_MAC, MDNS, [4]));                        // multicast to our MAC: not for us
    r.feed(udp(BCAST_MAC, 0xffffffff, [5]));
    r.feed(udp(BCAST_MAC, SUBNET_BCAST, [6]));
    assert.deepEqual(got, [`${PEER.toString(16)}:5353:2`, `${PEER.toString(16)}:5353:5`, `${PEER.toString(16)}:5353:6`]);
    assert.equal(r.stack.counters.eth.dropNotForUs, 2);
    assert.equal(r.stack.counters.ip.dropNotForUs, 1);
    assert.equal(r.stack.counters.icmp.tx, 0, "no port unreachable for multicast or broadcast");
  });

  it("while it has no address (DHCP) a broadcast frame to any address still gets through", () => {
    const r = setup({ hostname: "x", random: () => 0.5 });
    r.netif.take();
    let n = 0;
    r.stack.udp.bind(4444, () => { n++; });
    r.netif.push(ethFrame(BCAST_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ip("192.0.2.77"), proto: 17, payload: udpDatagram(PEER, ip("192.0.2.77"), 1, 4444, [1]) })));
    r.stack.poll();
    assert.equal(n, 1);
    assert.equal(r.stack.counters.ip.dropLinkBroadcast, 0);
  });
});
