// The emulator's clock: injected time source, advance(), SPI time.
import { strict as assert } from "assert";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { txn, bfs, bfc, ptr16, wbm, wcr, initChip, frame, MAC, ECON1, EIR, EIE, OP_RCR, OP_SRC, ESTAT } from "./spi-helpers";

function send(emu: Enc28j60Emulator, len: number): void {
  ptr16(emu, 0x04, 0x1800);
  ptr16(emu, 0x02, 0x1800);
  wbm(emu, [0, ...Array.from(frame(MAC, len))]);
  ptr16(emu, 0x06, 0x1800 + len);
  bfc(emu, EIR, 0x08);
  bfs(emu, ECON1, 0x08);
}

describe("emulator: time", () => {
  it("the internal clock moves by bytes * 8 / spiHz per transaction", () => {
    const emu = new Enc28j60Emulator({ spiHz: 8_000_000 });
    const t0 = emu.now();
    txn(emu, [OP_RCR | ESTAT, 0, 0, 0]); // 4 bytes = 32 bits at 8 MHz = 4 us
    assert.ok(Math.abs(emu.now() - t0 - 0.004) < 1e-9);
    emu.advance(2.5);
    assert.ok(Math.abs(emu.now() - t0 - 2.504) < 1e-9);
  });

  it("an injected clock drives completion; SPI time can be excluded", () => {
    let t = 1000;
    const emu = new Enc28j60Emulator({ now: () => t, spiTimeInClock: false });
    initChip(emu, { skipPhy: true });
    assert.equal(emu.now(), 1000);
    assert.equal(emu.nextEventTime(), -1);
    send(emu, 1000);
    assert.ok(Math.abs(emu.nextEventTime() - (1000 + (8 + 1004) * 0.0008)) < 1e-9);
    for (let i = 0; i < 200; i++) txn(emu, [OP_RCR | ECON1, 0]);
    assert.equal(emu.readReg(0, ECON1) & 0x08, 0x08, "no time passed: still sending");
    t += 0.5;
    assert.equal(emu.readReg(0, ECON1) & 0x08, 0x08);
    t += 0.5;
    assert.equal(emu.readReg(0, ECON1) & 0x08, 0);
    const s = emu.takeSent();
    assert.equal(s.length, 1);
    assert.ok(s[0].time > 1000.8 && s[0].time <= 1001, String(s[0].time));
  });

  it("with an injected clock, SPI time is added on top by default", () => {
    const emu = new Enc28j60Emulator({ now: () => 50 });
    txn(emu, [OP_RCR | ESTAT, 0]);
    assert.ok(emu.now() > 50);
  });

  it("the reset window ends on the injected clock", () => {
    let t = 0;
    const emu = new Enc28j60Emulator({ now: () => t, spiTimeInClock: false });
    txn(emu, [OP_SRC]);
    assert.equal(emu.inResetWindow(), true);
    t = 0.99;
    assert.equal(txn(emu, [OP_RCR | ESTAT, 0])[1] & 1, 0);
    t = 1.0;
    assert.equal(txn(emu, [OP_RCR | ESTAT, 0])[1] & 1, 1);
  });

  it("TXIF asserts INT when the transmission completes on advance()", () => {
    const emu = new Enc28j60Emulator();
    initChip(emu);
    wcr(emu, 0, EIE, 0x88);
    const levels: boolean[] = [];
    emu.onIntChange((l) => levels.push(l));
    send(emu, 500);
    assert.deepEqual(levels, []);
    emu.advance(1);
    assert.deepEqual(levels, [false]);
    bfc(emu, EIR, 0x08);
    assert.deepEqual(levels, [false, true]);
  });
});
