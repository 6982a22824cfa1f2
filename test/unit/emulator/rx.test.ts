// Receive path: ring layout, header and status vector, filters, limits, overflow, faults.
import { strict as assert } from "assert";
import { crc32 } from "zlib";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { txn, bank, bfs, bfc, ptr16, read16, rbm, wcr, rcrEth, initChip, frame, MAC, BCAST, ECON1, ECON2, EIE, EIR, OP_WCR } from "./spi-helpers";

interface Pkt { at: number; next: number; count: number; status: number; data: number[] }

/** Read the packet at ptr the way the datasheet describes (ERDPT, RBM header, RBM data). */
function readPacket(emu: Enc28j60Emulator, at: number): Pkt {
  ptr16(emu, 0x00, at);
  const h = rbm(emu, 6);
  const next = h[0] | (h[1] << 8);
  const count = h[2] | (h[3] << 8);
  const status = (h[4] | (h[5] << 8)) * 65536 + count;
  const data = count <= 1600 ? rbm(emu, count) : [];
  return { at, next, count, status, data };
}

/** Free a packet: ERXRDPT = next - 1 (or ERXND), then PKTDEC. */
function freePacket(emu: Enc28j60Emulator, next: number, st: number, nd: number, pktdec = true): void {
  const rd = next - 1 < st || next - 1 > nd ? nd : next - 1;
  ptr16(emu, 0x0c, rd);
  if (pktdec) bfs(emu, ECON2, 0x40);
}

function fcsBytes(f: Uint8Array): number[] {
  const c = crc32(f) >>> 0;
  return [c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24];
}

const bit = (s: number, n: number): number => Math.floor(s / 2 ** n) % 2;

function epktcnt(emu: Enc28j60Emulator): number { return rcrEth(emu, 1, 0x19); }

describe("emulator: receive", () => {
  let emu: Enc28j60Emulator;
  let ring: { rxStart: number; rxEnd: number };
  beforeEach(() => { emu = new Enc28j60Emulator(); ring = initChip(emu); });

  it("writes the 6-byte header, the frame, its CRC, pads to even, updates ERXWRPT and EPKTCNT", () => {
    const f = frame(BCAST, 61);
    assert.equal(read16(emu, 0x0e), 0); // ERXWRPT
    assert.equal(emu.deliver(f), true);
    const p = readPacket(emu, 0);
    assert.equal(p.count, 65);
    assert.deepEqual(p.data, [...Array.from(f), ...fcsBytes(f)]);
    assert.equal(p.next, 6 + 65 + 1); // padded to even
    assert.equal(read16(emu, 0x0e), 72);
    assert.equal(bit(p.status, 23), 1, "received OK");
    assert.equal(bit(p.status, 25), 1, "broadcast");
    assert.equal(bit(p.status, 24), 0);
    assert.equal(bit(p.status, 20), 0);
    assert.equal(bit(p.status, 22), 1, "type field > 1500");
    assert.equal(bit(p.status, 31), 0);
    assert.equal(epktcnt(emu), 1);
    assert.equal(rcrEth(emu, 0, EIR) & 0x40, 0x40); // PKTIF
  });

  it("pads runt frames to 60 bytes like the sender's MAC", () => {
    const f = frame(MAC, 42);
    emu.deliver(f);
    const p = readPacket(emu, 0);
    assert.equal(p.count, 64);
    const padded = new Uint8Array(60); padded.set(f);
    assert.deepEqual(p.data, [...Array.from(padded), ...fcsBytes(padded)]);
  });

  it("unicast filter accepts MAADR, rejects other unicast and multicast with ERXFCON 0xA1", () => {
    assert.equal(emu.deliver(frame(MAC, 100)), true);
    assert.equal(emu.deliver(frame([0x02, 0, 0, 0, 0, 1], 100)), false);
    assert.equal(emu.deliver(frame([0x01, 0x00, 0x5e, 0, 0, 1], 100)), false);
    assert.equal(emu.counters.rxFiltered, 2);
    assert.equal(emu.lastDrop, "filter");
    const p = readPacket(emu, 0);
    assert.equal(bit(p.status, 24) + bit(p.status, 25), 0);
  });

  it("MCEN accepts multicast and flags status bit 24; promiscuous when no filter is enabled", () => {
    wcr(emu, 1, 0x18, 0xa3);
    assert.equal(emu.deliver(frame([0x01, 0x00, 0x5e, 0, 0, 1], 80)), true);
    const p = readPacket(emu, 0);
    assert.equal(bit(p.status, 24), 1);
    wcr(emu, 1, 0x18, 0x00);
    assert.equal(emu.deliver(frame([0x02, 9, 9, 9, 9, 9], 80)), true);
  });

  it("ANDOR requires every enabled filter", () => {
    wcr(emu, 1, 0x18, 0x40 | 0x80 | 0x01); // AND of unicast and broadcast: nothing can match both
    assert.equal(emu.deliver(frame(MAC, 80)), false);
    assert.equal(emu.deliver(frame(BCAST, 80)), false);
    wcr(emu, 1, 0x18, 0x40 | 0x80);
    assert.equal(emu.deliver(frame(MAC, 80)), true);
  });

  it("hash table filter: exactly one of the 64 EHT bits accepts a given group address", () => {
    const dst = [0x01, 0x00, 0x5e, 0x7f, 0x00, 0x01];
    wcr(emu, 1, 0x18, 0x04); // HTEN only
    assert.equal(emu.deliver(frame(dst, 80)), false);
    let hits = 0;
    for (let b = 0; b < 64; b++) {
      for (let i = 0; i < 8; i++) wcr(emu, 1, i, i === b >> 3 ? 1 << (b & 7) : 0);
      if (emu.deliver(frame(dst, 80))) {
        hits++;
        freeAll(emu);
      }
    }
    assert.equal(hits, 1);
  });

  it("pattern match filter: IP checksum of the EPMM-selected bytes of the 64-byte window at EPMO", () => {
    const f = frame(BCAST, 200, 3);
    wcr(emu, 1, 0x18, 0x10); // PMEN only
    wcr(emu, 1, 0x14, 20); // EPMOL
    wcr(emu, 1, 0x15, 0);
    wcr(emu, 1, 0x08, 0x0f); // EPMM0: window bytes 0..3
    for (let i = 1; i < 8; i++) wcr(emu, 1, 0x08 + i, 0);
    let s = ((f[20] << 8) | f[21]) + ((f[22] << 8) | f[23]);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    const cs = ~s & 0xffff;
    wcr(emu, 1, 0x10, cs & 0xff); // EPMCSL
    wcr(emu, 1, 0x11, (cs >> 8) ^ 1); // wrong high byte
    assert.equal(emu.deliver(f), false);
    wcr(emu, 1, 0x11, cs >> 8);
    assert.equal(emu.deliver(f), true);
  });

  it("magic packet filter: FFh x 6 then MAADR x 16 in a frame to us", () => {
    wcr(emu, 1, 0x18, 0x08); // MPEN only
    const f = frame(MAC, 14 + 6 + 96 + 10, 1);
    assert.equal(emu.deliver(f), false);
    f.fill(0xff, 20, 26);
    for (let r = 0; r < 16; r++) f.set(MAC, 26 + r * 6);
    assert.equal(emu.deliver(f), true);
  });

  function freeAll(e: Enc28j60Emulator): void {
    const wr = read16(e, 0x0e);
    ptr16(e, 0x0c, wr === 0 ? ring.rxEnd : wr - 1);
    while (epktcnt(e) > 0) bfs(e, ECON2, 0x40);
  }

  it("status: VLAN (bit 30), length check error with FRMLNEN (bit 21), no type bit for a length field", () => {
    wcr(emu, 1, 0x18, 0x00); // promiscuous
    emu.deliver(frame(MAC, 80, 1, 0x8100));
    const v = readPacket(emu, 0);
    assert.equal(bit(v.status, 30), 1);
    // 802.3 length field 100 but 66 data bytes: FRMLNEN (set by initChip's MACON3 0x32) flags it
    emu.deliver(frame(MAC, 80, 1, 100));
    const l = readPacket(emu, v.next);
    assert.equal(bit(l.status, 21), 1);
    assert.equal(bit(l.status, 22), 0);
    assert.equal(bit(l.status, 23), 1);
    // a correct length field
    emu.deliver(frame(MAC, 14 + 100, 1, 100));
    const ok = readPacket(emu, l.next);
    assert.equal(bit(ok.status, 21), 0);
  });

  it("CRCEN drops bad-CRC frames; without it they are stored with status bit 20 and not OK", () => {
    assert.equal(emu.deliver(frame(MAC, 90), { badCrc: true }), false);
    assert.equal(emu.counters.rxCrcDropped, 1);
    wcr(emu, 1, 0x18, 0x81);
    const f = frame(MAC, 90);
    assert.equal(emu.deliver(f, { badCrc: true }), true);
    const p = readPacket(emu, 0);
    assert.equal(bit(p.status, 20), 1);
    assert.equal(bit(p.status, 23), 0);
    assert.notDeepEqual(p.data.slice(90), fcsBytes(f));
    assert.deepEqual(p.data.slice(0, 90), Array.from(f));
  });

  it("drops frames longer than MAMXFL unless MACON3.HFRMEN", () => {
    assert.equal(emu.deliver(frame(MAC, 1514)), true); // 1518 with CRC
    assert.equal(emu.deliver(frame(MAC, 1515)), false);
    assert.equal(emu.counters.rxTooLong, 1);
    wcr(emu, 2, 0x02, 0x32 | 0x04);
    assert.equal(emu.deliver(frame(MAC, 1515)), true);
  });

  it("drops MAC control frames unless MACON1.PASSALL", () => {
    const pause = frame([0x01, 0x80, 0xc2, 0, 0, 1], 60, 1, 0x8808);
    wcr(emu, 1, 0x18, 0x00);
    assert.equal(emu.deliver(pause), false);
    wcr(emu, 2, 0x00, 0x0f);
    pause[14] = 0; pause[15] = 1;
    assert.equal(emu.deliver(pause), true);
    const p = readPacket(emu, 0);
    assert.equal(bit(p.status, 27), 1);
    assert.equal(bit(p.status, 28), 1);
  });

  it("receives nothing without ECON1.RXEN, MACON1.MARXEN or link", () => {
    bfc(emu, ECON1, 0x04);
    assert.equal(emu.deliver(frame(MAC, 80)), false);
    bfs(emu, ECON1, 0x04);
    wcr(emu, 2, 0x00, 0x0c);
    assert.equal(emu.deliver(frame(MAC, 80)), false);
    wcr(emu, 2, 0x00, 0x0d);
    emu.setLink(false);
    assert.equal(emu.deliver(frame(MAC, 80)), false);
    assert.equal(emu.lastDrop, "link down");
    emu.setLink(true);
    assert.equal(emu.deliver(frame(MAC, 80)), true);
  });

  it("byte-exact across many ring wraps with a datasheet-style reader", () => {
    let rnd = 12345;
    const next = (): number => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff);
    let rp = ring.rxStart;
    for (let n = 0; n < 300; n++) {
      const len = 60 + (next() % (1514 - 60 + 1));
      const f = frame(MAC, len, n);
      assert.equal(emu.deliver(f), true, `frame ${n}`);
      assert.equal(epktcnt(emu), 1);
      const p = readPacket(emu, rp);
      assert.equal(p.count, len + 4);
      assert.deepEqual(p.data, [...Array.from(f), ...fcsBytes(f)], `frame ${n}`);
      assert.equal(p.next % 2, 0);
      assert.ok(p.next >= ring.rxStart && p.next <= ring.rxEnd);
      freePacket(emu, p.next, ring.rxStart, ring.rxEnd);
      rp = p.next;
    }
    assert.equal(epktcnt(emu), 0);
  });

  it("never writes the byte at ERXRDPT; overflow drops the packet for good and sets RXERIF", () => {
    // sentinel at ERXRDPT (= ERXND initially)
    emu.mem[ring.rxEnd] = 0xee;
    let delivered = 0;
    for (let i = 0; i < 100; i++) {
      if (!emu.deliver(frame(MAC, 1000, i))) break;
      delivered++;
    }
    assert.equal(delivered, 6); // 6 x 1010 bytes fit in the 6 KB ring, the 7th would reach ERXRDPT
    assert.equal(emu.mem[ring.rxEnd], 0xee);
    assert.equal(rcrEth(emu, 0, EIR) & 0x01, 0x01);
    assert.equal(emu.counters.rxOverflow, 1);
    assert.equal(epktcnt(emu), 6);
    // free one packet: the next fits again and carries status bit 16 (a packet was dropped)
    const p = readPacket(emu, 0);
    freePacket(emu, p.next, ring.rxStart, ring.rxEnd);
    assert.equal(emu.deliver(frame(MAC, 1000, 99)), true);
    let at = p.next;
    for (let i = 0; i < 5; i++) at = readPacket(emu, at).next;
    const last = readPacket(emu, at);
    assert.equal(bit(last.status, 16), 1);
    assert.deepEqual(last.data.slice(0, 1000), Array.from(frame(MAC, 1000, 99)));
  });

  it("free-space rule: a packet that would end exactly on ERXRDPT is refused", () => {
    // ring 0..0x00ff (256 bytes), RD = 0xff. One 64+6=70-byte packet per frame.
    bfc(emu, ECON1, 0x04);
    ptr16(emu, 0x08, 0);
    ptr16(emu, 0x0a, 0xff);
    ptr16(emu, 0x0c, 0xff);
    bfs(emu, ECON1, 0x04);
    assert.equal(emu.deliver(frame(MAC, 60)), true); // WR 70
    assert.equal(emu.deliver(frame(MAC, 60)), true); // WR 140
    assert.equal(emu.deliver(frame(MAC, 60)), true); // WR 210; free = 255-210-1 = 44
    assert.equal(emu.deliver(frame(MAC, 60)), false);
    assert.equal(read16(emu, 0x0e), 210);
  });

  it("EPKTCNT is capped at 255: the 256th packet is dropped with RXERIF", () => {
    let rp = 0;
    for (let i = 0; i < 255; i++) {
      assert.equal(emu.deliver(frame(MAC, 60, i)), true, `packet ${i}`);
      const p = readPacket(emu, rp);
      freePacket(emu, p.next, ring.rxStart, ring.rxEnd, false); // space freed, no PKTDEC
      rp = p.next;
    }
    assert.equal(epktcnt(emu), 255);
    assert.equal(rcrEth(emu, 0, EIR) & 0x01, 0);
    assert.equal(emu.deliver(frame(MAC, 60)), false);
    assert.equal(rcrEth(emu, 0, EIR) & 0x01, 0x01);
    bfs(emu, ECON2, 0x40);
    assert.equal(epktcnt(emu), 254);
    assert.equal(emu.deliver(frame(MAC, 60)), true);
  });

  it("PKTDEC decrements EPKTCNT; PKTIF follows EPKTCNT and drives INT with PKTIE|INTIE", () => {
    const levels: boolean[] = [];
    emu.onIntChange((l) => levels.push(l));
    wcr(emu, 0, EIE, 0xc0);
    assert.equal(emu.intLevel(), true);
    emu.deliver(frame(MAC, 60));
    emu.deliver(frame(MAC, 60));
    assert.equal(emu.intLevel(), false);
    assert.equal(rcrEth(emu, 0, 0x1d) & 0x80, 0x80); // ESTAT.INT
    bfs(emu, ECON2, 0x40);
    assert.equal(epktcnt(emu), 1);
    assert.equal(emu.intLevel(), false);
    bfs(emu, ECON2, 0x40);
    assert.equal(epktcnt(emu), 0);
    assert.equal(rcrEth(emu, 0, EIR) & 0x40, 0);
    assert.equal(emu.intLevel(), true);
    bfs(emu, ECON2, 0x40); // stays at 0
    assert.equal(epktcnt(emu), 0);
    assert.deepEqual(levels, [false, true]);
  });

  it("a frame delivered during an open transaction lands when CS rises", () => {
    bank(emu, 1);
    emu.csLow();
    emu.exchange(0x19); // RCR EPKTCNT
    assert.equal(emu.deliver(frame(MAC, 60)), true);
    assert.equal(emu.exchange(0), 0); // not yet
    emu.csHigh();
    assert.equal(epktcnt(emu), 1);
  });

  it("ECON1.RXRST resets the receive logic: EPKTCNT 0, RXEN cleared, write pointer to ERXST", () => {
    emu.deliver(frame(MAC, 100));
    emu.deliver(frame(MAC, 100));
    bfs(emu, ECON1, 0x40);
    bfc(emu, ECON1, 0x40);
    assert.equal(epktcnt(emu), 0);
    assert.equal(rcrEth(emu, 0, ECON1) & 0x04, 0);
    assert.equal(read16(emu, 0x0e), ring.rxStart);
    assert.equal(emu.deliver(frame(MAC, 100)), false);
    bfs(emu, ECON1, 0x04);
    assert.equal(emu.deliver(frame(MAC, 100, 7)), true);
    assert.deepEqual(readPacket(emu, 0).data.slice(0, 100), Array.from(frame(MAC, 100, 7)));
  });

  it("writing ERXST loads the write pointer with ERXST (fault erxstZero: with 0, erratum 5)", () => {
    bfc(emu, ECON1, 0x04);
    ptr16(emu, 0x08, 0x0400);
    ptr16(emu, 0x0a, 0x0fff);
    ptr16(emu, 0x0c, 0x0fff);
    assert.equal(read16(emu, 0x0e), 0x0400);
    assert.equal(emu.counters.rxRingWrites, 0);
    bfs(emu, ECON1, 0x04);
    ptr16(emu, 0x0a, 0x0fff); // changing the ring while RXEN is set: counted
    assert.equal(emu.counters.rxRingWrites, 2);
    bfc(emu, ECON1, 0x04);
    emu.faults.erxstZero = true;
    ptr16(emu, 0x08, 0x0400);
    assert.equal(read16(emu, 0x0e), 0x0000);
  });

  describe("faults", () => {
    it("rxOverflow: deliveries are lost with RXERIF while set", () => {
      emu.faults.rxOverflow = true;
      assert.equal(emu.deliver(frame(MAC, 60)), false);
      assert.equal(rcrEth(emu, 0, EIR) & 0x01, 0x01);
      assert.equal(epktcnt(emu), 0);
      emu.faults.rxOverflow = false;
      bfc(emu, EIR, 0x01);
      assert.equal(emu.deliver(frame(MAC, 60)), true);
      assert.equal(bit(readPacket(emu, 0).status, 16), 1);
    });

    it("evenRdptCorruption: an even ERXRDPT corrupts the next header; RXRST and ring re-init recover", () => {
      emu.faults.evenRdptCorruption = true;
      emu.deliver(frame(MAC, 60));
      const p0 = readPacket(emu, 0);
      // the workaround (odd value) is safe
      freePacket(emu, p0.next, ring.rxStart, ring.rxEnd);
      emu.deliver(frame(MAC, 60, 2));
      const p1 = readPacket(emu, p0.next);
      assert.equal(bit(p1.status, 23), 1);
      assert.equal(p1.next % 2, 0);
      // the naive way: ERXRDPT = next (even)
      ptr16(emu, 0x0c, p1.next);
      bfs(emu, ECON2, 0x40);
      emu.deliver(frame(MAC, 60, 3));
      const bad = readPacket(emu, p1.next);
      assert.equal(bad.next % 2, 1, "garbage next pointer");
      assert.equal(bit(bad.status, 31), 1);
      assert.equal(bit(bad.status, 23), 0);
      assert.equal(emu.counters.rxCorrupted, 1);
      // recovery: receiver reset, ring pointers re-initialised, RXEN again
      bfc(emu, ECON1, 0x04);
      bfs(emu, ECON1, 0x40);
      bfc(emu, ECON1, 0x40);
      ptr16(emu, 0x08, ring.rxStart);
      ptr16(emu, 0x0a, ring.rxEnd);
      ptr16(emu, 0x0c, ring.rxEnd);
      bfs(emu, ECON1, 0x04);
      emu.deliver(frame(MAC, 80, 4));
      const good = readPacket(emu, ring.rxStart);
      assert.equal(bit(good.status, 23), 1);
      assert.deepEqual(good.data.slice(0, 80), Array.from(frame(MAC, 80, 4)));
    });

    it("unreliablePktif: PKTIF reads 0 and does not assert INT although EPKTCNT > 0", () => {
      wcr(emu, 0, EIE, 0xc0);
      emu.faults.unreliablePktif = true;
      emu.deliver(frame(MAC, 60));
      assert.equal(rcrEth(emu, 0, EIR) & 0x40, 0);
      assert.equal(emu.intLevel(), true);
      assert.equal(epktcnt(emu), 1);
    });
  });

  it("low-byte-only ERXRDPT writes do not free space", () => {
    // RD stays at ERXND until the high byte is written
    for (let i = 0; i < 6; i++) assert.equal(emu.deliver(frame(MAC, 1000, i)), true);
    const p = readPacket(emu, 0);
    txn(emu, [OP_WCR | 0x0c, (p.next - 1) & 0xff]);
    assert.equal(emu.deliver(frame(MAC, 1000)), false);
    txn(emu, [OP_WCR | 0x0d, (p.next - 1) >> 8]);
    assert.equal(emu.deliver(frame(MAC, 1000)), true);
  });
});
