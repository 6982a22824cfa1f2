// Transmit path: control byte, padding/CRC, status vector, timing, faults, loopback.
import { strict as assert } from "assert";
import { crc32 } from "zlib";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { txn, bfs, bfc, ptr16, rbm, wbm, wcr, rcrEth, initChip, frame, phyWrite, MAC, BCAST, ECON1, EIR, ESTAT, OP_RCR } from "./spi-helpers";

const TXST = 0x1800;

/** Datasheet section 7.1 steps 1-5 with raw commands; returns ETXND. */
function startSend(emu: Enc28j60Emulator, data: Uint8Array, ctrl = 0x00): number {
  ptr16(emu, 0x04, TXST); // ETXST
  ptr16(emu, 0x02, TXST); // EWRPT
  wbm(emu, [ctrl, ...Array.from(data)]);
  const end = TXST + data.length;
  ptr16(emu, 0x06, end); // ETXND
  bfc(emu, EIR, 0x0a); // TXIF | TXERIF
  bfs(emu, ECON1, 0x08); // TXRTS
  return end;
}

/** Poll ECON1.TXRTS (bounded); returns the number of polls. */
function waitTx(emu: Enc28j60Emulator, max = 10000): number {
  for (let i = 0; i < max; i++) if ((txn(emu, [OP_RCR | ECON1, 0])[1] & 0x08) === 0) return i;
  return -1;
}

function statusVector(emu: Enc28j60Emulator, end: number): number[] {
  ptr16(emu, 0x00, end + 1);
  return rbm(emu, 7);
}

describe("emulator: transmit", () => {
  let emu: Enc28j60Emulator;
  beforeEach(() => { emu = new Enc28j60Emulator(); initChip(emu); });

  it("sends a frame with MACON3 padding and CRC, writes the status vector at ETXND+1, sets TXIF", () => {
    const f = frame(BCAST, 42);
    const end = startSend(emu, f);
    assert.equal(rcrEth(emu, 0, ECON1) & 0x08, 0x08);
    const polls = waitTx(emu);
    assert.ok(polls > 0, "transmission takes time");
    const sent = emu.takeSent();
    assert.equal(sent.length, 1);
    const padded = new Uint8Array(60); padded.set(f);
    assert.deepEqual(Array.from(sent[0].frame), Array.from(padded));
    assert.equal(emu.takeSent().length, 0);
    const sv = statusVector(emu, end);
    assert.equal(sv[0] | (sv[1] << 8), 64); // byte count incl. padding and CRC
    assert.equal(sv[2] & 0x80, 0x80); // done
    assert.equal(sv[2] & 0x10, 0); // no CRC error
    assert.equal(sv[2] & 0x40, 0x40); // type field > 1500
    assert.equal(sv[3] & 0x02, 0x02); // broadcast
    assert.equal(sv[3] & 0x01, 0);
    assert.equal(sv[3] & 0x20, 0); // no late collision
    assert.equal(sv[4] | (sv[5] << 8), 64); // bytes on wire
    assert.equal(rcrEth(emu, 0, EIR) & 0x0a, 0x08);
    assert.equal(emu.counters.txFrames, 1);
  });

  it("status vector flags multicast (bit 24) and VLAN frames (bit 51)", () => {
    const end = startSend(emu, frame([0x01, 0x00, 0x5e, 0, 0, 1], 100, 1, 0x8100));
    waitTx(emu);
    const sv = statusVector(emu, end);
    assert.equal(sv[3] & 0x03, 0x01);
    assert.equal(sv[6] & 0x08, 0x08);
  });

  it("takes about 0.8 us per byte on the wire plus the preamble", () => {
    const f = frame(MAC, 1514);
    startSend(emu, f);
    const tSet = emu.now(); // TXRTS was set by the last transaction
    let done = -1;
    emu.onTransmit((_fr, t) => { done = t; });
    assert.ok(waitTx(emu) > 0);
    const dt = done - tSet;
    const wire = (8 + 1518) * 0.0008;
    assert.ok(Math.abs(dt - wire) < 0.01, `${dt} vs ${wire}`);
  });

  it("completes lazily on advance() as well", () => {
    startSend(emu, frame(MAC, 1000));
    assert.equal(emu.readReg(0, ECON1) & 0x08, 0x08);
    emu.advance(2);
    assert.equal(emu.readReg(0, ECON1) & 0x08, 0);
    assert.equal(emu.takeSent().length, 1);
  });

  it("onTransmit gets the frame and its completion time", () => {
    const got: Array<[number, number]> = [];
    emu.onTransmit((fr, t) => got.push([fr.length, t]));
    startSend(emu, frame(MAC, 100));
    emu.advance(1);
    assert.equal(got.length, 1);
    assert.equal(got[0][0], 100);
    assert.ok(got[0][1] > 0 && got[0][1] <= emu.now());
  });

  it("no padding and no CRC when MACON3 asks for none: the host's last 4 bytes are the FCS", () => {
    wcr(emu, 2, 0x02, 0x00);
    const body = frame(MAC, 60);
    const c = crc32(body) >>> 0;
    const withFcs = new Uint8Array(64);
    withFcs.set(body);
    withFcs.set([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24], 60);
    const end = startSend(emu, withFcs);
    waitTx(emu);
    assert.deepEqual(Array.from(emu.takeSent()[0].frame), Array.from(body));
    assert.equal(statusVector(emu, end)[2] & 0x10, 0);
    withFcs[63] ^= 1;
    const end2 = startSend(emu, withFcs);
    waitTx(emu);
    assert.equal(statusVector(emu, end2)[2] & 0x10, 0x10); // CRC error reported
  });

  it("the per-packet control byte overrides MACON3 (POVERRIDE|PCRCEN without PPADEN)", () => {
    const f = frame(MAC, 42);
    const end = startSend(emu, f, 0x03);
    waitTx(emu);
    assert.equal(emu.takeSent()[0].frame.length, 42);
    const sv = statusVector(emu, end);
    assert.equal(sv[0], 46);
    const end2 = startSend(emu, f, 0x07); // POVERRIDE|PCRCEN|PPADEN
    waitTx(emu);
    assert.equal(emu.takeSent()[0].frame.length, 60);
    assert.equal(statusVector(emu, end2)[0], 64);
  });

  it("PADCFG 011 pads to 64 bytes", () => {
    wcr(emu, 2, 0x02, 0x70);
    startSend(emu, frame(MAC, 42));
    waitTx(emu);
    assert.equal(emu.takeSent()[0].frame.length, 64);
  });

  it("aborts giants (> MAMXFL) unless HFRMEN: TXIF, TXERIF, TXABRT, status bit 30", () => {
    const end = startSend(emu, frame(MAC, 1515));
    waitTx(emu);
    assert.equal(emu.takeSent().length, 0);
    const sv = statusVector(emu, end);
    assert.equal(sv[3] & 0x40, 0x40);
    assert.equal(sv[2] & 0x80, 0);
    assert.equal(rcrEth(emu, 0, EIR) & 0x0a, 0x0a);
    assert.equal(rcrEth(emu, 0, ESTAT) & 0x02, 0x02);
    bfc(emu, ESTAT, 0x02);
    assert.equal(rcrEth(emu, 0, ESTAT) & 0x02, 0);
    wcr(emu, 2, 0x02, 0x36);
    startSend(emu, frame(MAC, 1515));
    waitTx(emu);
    assert.equal(emu.takeSent().length, 1);
  });

  it("fault lateCollision: the next N sends abort with status bit 29, ESTAT.LATECOL stays 0", () => {
    emu.faults.lateCollision = 2;
    for (let i = 0; i < 2; i++) {
      const end = startSend(emu, frame(MAC, 200));
      assert.ok(waitTx(emu) >= 0);
      const sv = statusVector(emu, end);
      assert.equal(sv[3] & 0x20, 0x20);
      assert.equal(sv[2] & 0x80, 0);
      assert.equal(rcrEth(emu, 0, EIR) & 0x0a, 0x0a);
      assert.equal(rcrEth(emu, 0, ESTAT) & 0x12, 0x02); // TXABRT, not LATECOL (erratum 15)
    }
    assert.equal(emu.takeSent().length, 0);
    assert.equal(emu.counters.txLateCollisions, 2);
    const end = startSend(emu, frame(MAC, 200));
    waitTx(emu);
    assert.equal(statusVector(emu, end)[2] & 0x80, 0x80);
    assert.equal(emu.takeSent().length, 1);
  });

  it("fault txStall: TXRTS sticks and nothing is sent until ECON1.TXRST is toggled", () => {
    emu.faults.txStall = true;
    startSend(emu, frame(MAC, 100));
    assert.equal(waitTx(emu, 3000), -1);
    emu.advance(100);
    assert.equal(rcrEth(emu, 0, ECON1) & 0x08, 0x08);
    bfc(emu, ECON1, 0x08); // clearing TXRTS does not help
    assert.equal(rcrEth(emu, 0, ECON1) & 0x08, 0x08);
    assert.equal(emu.takeSent().length, 0);
    bfs(emu, ECON1, 0x80); // TXRST
    bfc(emu, ECON1, 0x80);
    assert.equal(rcrEth(emu, 0, ECON1) & 0x08, 0);
    startSend(emu, frame(MAC, 100));
    assert.ok(waitTx(emu) >= 0);
    assert.equal(emu.takeSent().length, 1);
  });

  it("TXRTS cannot be set while TXRST holds the transmitter in reset", () => {
    bfs(emu, ECON1, 0x80);
    startSend(emu, frame(MAC, 100));
    assert.equal(rcrEth(emu, 0, ECON1) & 0x08, 0);
    emu.advance(5);
    assert.equal(emu.takeSent().length, 0);
  });

  it("clearing TXRTS cancels a transmission in progress", () => {
    startSend(emu, frame(MAC, 1500));
    bfc(emu, ECON1, 0x08);
    emu.advance(5);
    assert.equal(emu.takeSent().length, 0);
    assert.equal(rcrEth(emu, 0, EIR) & 0x08, 0x08);
  });

  it("erratum 9: half duplex without PHCON2.HDLDIS loops own frames back into the receiver", () => {
    const e = new Enc28j60Emulator();
    initChip(e);
    phyWrite(e, 0x10, 0x0000); // HDLDIS cleared
    startSend(e, frame(BCAST, 100));
    waitTx(e);
    assert.equal(rcrEth(e, 1, 0x19), 1); // EPKTCNT: own broadcast came back
    assert.equal(e.counters.rxLoopedBack, 1);
    phyWrite(e, 0x10, 0x0100);
    startSend(e, frame(BCAST, 100));
    waitTx(e);
    assert.equal(rcrEth(e, 1, 0x19), 1);
    // full duplex (MACON3.FULDPX) never loops back
    const f = new Enc28j60Emulator();
    initChip(f, { fullDuplex: true });
    startSend(f, frame(BCAST, 100));
    waitTx(f);
    assert.equal(rcrEth(f, 1, 0x19), 0);
  });

  it("with the link down the frame goes nowhere but the transmission completes", () => {
    emu.setLink(false);
    const end = startSend(emu, frame(MAC, 100));
    assert.ok(waitTx(emu) >= 0);
    assert.equal(emu.takeSent().length, 0);
    assert.equal(statusVector(emu, end)[2] & 0x80, 0x80);
    assert.equal(emu.counters.txNoLink, 1);
  });

  it("overwriting the buffer during a transmission changes what goes out (and is counted)", () => {
    const f = frame(MAC, 300, 1);
    startSend(emu, f);
    ptr16(emu, 0x02, TXST + 1 + 100); // EWRPT inside the frame in flight
    wbm(emu, [0xde, 0xad]);
    ptr16(emu, 0x06, TXST + 10); // ETXND while TXRTS: counted
    emu.advance(1);
    const out = emu.takeSent()[0].frame;
    assert.equal(out[100], 0xde);
    assert.equal(out[101], 0xad);
    assert.equal(emu.counters.txBufferWrites, 1);
    assert.equal(emu.counters.txRegWrites, 2);
    // writing elsewhere (the next frame's area) is fine
    startSend(emu, f);
    ptr16(emu, 0x02, 0x1f00);
    wbm(emu, [1, 2, 3]);
    emu.advance(1);
    assert.deepEqual(Array.from(emu.takeSent()[0].frame), Array.from(f));
    assert.equal(emu.counters.txBufferWrites, 1);
  });

  it("status vector wraps at 0x1FFF", () => {
    const f = frame(MAC, 60);
    ptr16(emu, 0x04, 0x1fff - 61); // control byte + 60 bytes end at 0x1FFF - 1
    ptr16(emu, 0x02, 0x1fff - 61);
    wbm(emu, [0, ...Array.from(f)]);
    ptr16(emu, 0x06, 0x1fff - 1);
    bfs(emu, ECON1, 0x08);
    waitTx(emu);
    assert.equal(emu.mem[0x1fff] | (emu.mem[0] << 8), 64);
    assert.equal(emu.mem[1] & 0x80, 0x80);
  });
});
