// The IP layer over the real ENC28J60 driver talking SPI to the register-level emulator:
// frames enter with emu.deliver() and leave through emu.takeSent(), as on the wire.
import { strict as assert } from "assert";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { createHostHal } from "../../../hal/host/host-hal";
import { createEnc28j60 } from "../../../drivers/enc28j60/driver";
import { createStack, Stack, StackConfig } from "../../../firmware/net/stack";
import {
  OUR_MAC, PEER_MAC, BCAST_MAC, ip, ipBytes, be32, ethFrame, arpPacket, ipv4Packet, icmpEcho, udpFrame, udpDatagram,
  refChecksum, rd16, rd32, dhcpMessage, dhcpOptions, Bytes, FakeClock,
} from "./wire";

const ME = ip("192.0.2.2");
const PEER = ip("192.0.2.1");

function rig(cfg: StackConfig = { ip: ME, mask: 0xffffff00, gateway: PEER }) {
  const emu = new Enc28j60Emulator();
  const hal = createHostHal(emu);
  const drv = createEnc28j60(hal, Uint8Array.from(OUR_MAC));
  drv.init();
  drv.service();
  const clock = new FakeClock();
  const stack = createStack(drv, clock, cfg);
  drv.flush();
  emu.takeSent();
  const exchange = (frame: Bytes): Uint8Array[] => {
    assert.ok(emu.deliver(Uint8Array.from(frame)), "accepted by the chip");
    drv.service();
    stack.poll();
    drv.flush();
    assert.equal(stack.counters.eth.errors, 0);
    return emu.takeSent().map((s) => s.frame);
  };
  return { emu, drv, stack, clock, exchange };
}

/** Strips Ethernet padding using the IPv4 total length. */
function ipPart(f: Uint8Array): Uint8Array {
  return f.subarray(0, 14 + rd16(f, 16));
}

describe("net over the ENC28J60 driver + emulator", () => {
  it("answers ARP on the wire", () => {
    const { exchange } = rig();
    const out = exchange(ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, [0, 0, 0, 0, 0, 0], ME)));
    assert.equal(out.length, 1);
    assert.equal(out[0].length, 60, "padded to the minimum by the driver/chip");
    assert.deepEqual(Array.from(out[0].subarray(0, 42)), ethFrame(PEER_MAC, OUR_MAC, 0x0806, arpPacket(2, OUR_MAC, ME, PEER_MAC, PEER)));
  });

  for (const size of [0, 1, 56, 1472]) {
    it(`echoes a ${size}-byte ping exactly through the chip`, () => {
      const { exchange } = rig();
      const data = Array.from({ length: size }, (_, i) => (i * 89 + 3) & 255);
      const req = ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 1, payload: icmpEcho(8, 0x77, 3, data) }));
      const out = exchange(req);
      assert.equal(out.length, 1);
      const f = ipPart(out[0]);
      assert.equal(f.length, 42 + size);
      assert.deepEqual(Array.from(f.subarray(0, 6)), PEER_MAC);
      assert.equal(refChecksum(f, 14, 34), 0);
      assert.equal(rd32(f, 26), ME);
      assert.equal(rd32(f, 30), PEER);
      assert.equal(f[34], 0);
      assert.equal(refChecksum(f, 34, f.length), 0);
      assert.deepEqual(Array.from(f.subarray(38)), req.slice(38));
    });
  }

  it("drops malformed frames cleanly through the driver too", () => {
    const { exchange, stack } = rig();
    const good = ipv4Packet({ src: PEER, dst: ME, proto: 1, payload: icmpEcho(8, 1, 1, [1, 2, 3]) });
    assert.equal(exchange(ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 1, payload: icmpEcho(8, 1, 1, [1]), badChecksum: true }))).length, 0);
    assert.equal(exchange(ethFrame(OUR_MAC, PEER_MAC, 0x0800, good.map((b, i) => (i === 0 ? 0x44 : b)))).length, 0);
    assert.equal(exchange(ethFrame(OUR_MAC, PEER_MAC, 0x0800, ipv4Packet({ src: PEER, dst: ME, proto: 1, payload: icmpEcho(8, 1, 1, [1]), flagsFrag: 0x2000 }))).length, 0);   // MF, 13 bytes: not a multiple of 8
    assert.equal(exchange(ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, [0, 0, 0, 0, 0, 0], ME).map((b, i) => (i === 4 ? 9 : b)))).length, 0);
    assert.equal(stack.counters.ip.dropChecksum, 1);
    assert.equal(stack.counters.ip.dropIhl, 1);
    assert.equal(stack.counters.ip.dropFragBad, 1);
    assert.equal(stack.counters.arp.dropMalformed, 1);
    assert.equal(exchange(ethFrame(OUR_MAC, PEER_MAC, 0x0800, good)).length, 1, "still answers afterwards");
  });

  it("UDP echo with checksums through the chip", () => {
    const { exchange, stack, drv } = rig();
    exchange(ethFrame(BCAST_MAC, PEER_MAC, 0x0806, arpPacket(1, PEER_MAC, PEER, [0, 0, 0, 0, 0, 0], ME)));
    stack.udp.bind(7, (src, sport, rx, off, len) => {
      drv.tx.set(rx.subarray(off, off + len), 42);
      stack.udp.send(src, sport, 7, len);
    });
    const out = exchange(udpFrame(OUR_MAC, PEER, ME, 3333, 7, [10, 20, 30]));
    assert.equal(out.length, 1);
    assert.deepEqual(Array.from(ipPart(out[0]).subarray(34)), udpDatagram(ME, PEER, 7, 3333, [10, 20, 30]));
  });

  it("gets an address by DHCP through the chip", () => {
    const { emu, drv, stack, clock, exchange } = rig({ hostname: "emu", random: () => 0.5 });
    clock.t += 100;
    stack.tick();
    drv.flush();
    const disc = emu.takeSent().map((s) => s.frame);
    assert.equal(disc.length, 1);
    const d = disc[0];
    assert.equal(rd16(d, 36), 67);
    const xid = rd32(d, 42 + 4);
    assert.equal(dhcpOptions(d, 42, rd16(d, 38) - 8).get(53)![0], 1);
    const leased = ip("192.0.2.120");
    const opts = (t: number): Bytes[] => [[53, t], [54, ...ipBytes(PEER)], [51, ...be32(300)], [1, 255, 255, 255, 0], [3, ...ipBytes(PEER)]];
    const req = exchange(udpFrame(BCAST_MAC, PEER, 0xffffffff, 67, 68, dhcpMessage(2, xid, OUR_MAC, leased, opts(2))));
    assert.equal(req.length, 1);
    assert.equal(dhcpOptions(req[0], 42, rd16(req[0], 38) - 8).get(53)![0], 3);
    assert.equal(exchange(udpFrame(OUR_MAC, PEER, leased, 67, 68, dhcpMessage(2, xid, OUR_MAC, leased, opts(5)))).length, 0);
    assert.equal(stack.dhcpState(), "probing");
    assert.equal(stack.addr, 0, "not used before the ARP probes");
    // RFC 5227: three probes (sender 0.0.0.0, target the lease), then the announcement.
    const arp: Uint8Array[] = [];
    for (let t = 0; t < 8000 && stack.dhcpState() !== "bound"; t += 100) {
      clock.t += 100;
      stack.tick();
      drv.flush();
      arp.push(...emu.takeSent().map((s) => s.frame));
    }
    assert.equal(stack.dhcpState(), "bound");
    assert.equal(stack.addr, leased);
    assert.equal(arp.length, 4, "3 probes and 1 announcement");
    for (let i = 0; i < 3; i++) {
      assert.equal(rd16(arp[i], 12), 0x0806);
      assert.equal(rd32(arp[i], 28), 0, "probe: sender address 0");
      assert.equal(rd32(arp[i], 38), leased);
    }
    assert.equal(rd32(arp[3], 28), leased);
    assert.equal(rd32(arp[3], 38), leased);
    void drv;
  });
});
