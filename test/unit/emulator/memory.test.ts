// Buffer memory access: RBM/WBM auto-increment and the exact wrap rules, ERXRDPT buffering.
import { strict as assert } from "assert";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { txn, bfc, ptr16, read16, wbm, rbm, wcr, rcrEth, ECON2, OP_WCR } from "./spi-helpers";

describe("emulator: buffer memory", () => {
  let emu: Enc28j60Emulator;
  beforeEach(() => { emu = new Enc28j60Emulator(); });

  it("WBM writes at EWRPT and auto-increments; RBM reads at ERDPT", () => {
    ptr16(emu, 0x02, 0x0100);
    wbm(emu, [1, 2, 3, 4, 5]);
    assert.equal(read16(emu, 0x02), 0x0105);
    assert.deepEqual(Array.from(emu.mem.subarray(0x100, 0x105)), [1, 2, 3, 4, 5]);
    ptr16(emu, 0x00, 0x0101);
    assert.deepEqual(rbm(emu, 3), [2, 3, 4]);
    assert.equal(read16(emu, 0x00), 0x0104);
  });

  it("WBM wraps 0x1FFF -> 0x0000 only", () => {
    ptr16(emu, 0x08, 0x0000); // ERXST
    ptr16(emu, 0x0a, 0x0fff); // ERXND: WBM must ignore it
    ptr16(emu, 0x02, 0x0ffe);
    wbm(emu, [0xa1, 0xa2, 0xa3]);
    assert.equal(emu.mem[0x0fff], 0xa2);
    assert.equal(emu.mem[0x1000], 0xa3);
    ptr16(emu, 0x02, 0x1ffe);
    wbm(emu, [0xb1, 0xb2, 0xb3, 0xb4]);
    assert.deepEqual([emu.mem[0x1ffe], emu.mem[0x1fff], emu.mem[0], emu.mem[1]], [0xb1, 0xb2, 0xb3, 0xb4]);
    assert.equal(read16(emu, 0x02), 0x0002);
  });

  it("RBM reading the byte at ERXND moves ERDPT to ERXST", () => {
    ptr16(emu, 0x08, 0x0000);
    ptr16(emu, 0x0a, 0x09ff);
    emu.mem[0x09fe] = 0x11; emu.mem[0x09ff] = 0x22; emu.mem[0x0000] = 0x33; emu.mem[0x0a00] = 0x99;
    ptr16(emu, 0x00, 0x09fe);
    assert.deepEqual(rbm(emu, 3), [0x11, 0x22, 0x33]);
    assert.equal(read16(emu, 0x00), 0x0001);
  });

  it("RBM wraps within a ring that does not start at 0", () => {
    ptr16(emu, 0x08, 0x0600);
    ptr16(emu, 0x0a, 0x07ff);
    emu.mem[0x07ff] = 0x44; emu.mem[0x0600] = 0x55;
    ptr16(emu, 0x00, 0x07ff);
    assert.deepEqual(rbm(emu, 2), [0x44, 0x55]);
    assert.equal(read16(emu, 0x00), 0x0601);
  });

  it("RBM outside the ring wraps 0x1FFF -> 0x0000", () => {
    ptr16(emu, 0x08, 0x0000);
    ptr16(emu, 0x0a, 0x0fff);
    emu.mem[0x1fff] = 0x66; emu.mem[0] = 0x77;
    ptr16(emu, 0x00, 0x1fff);
    assert.deepEqual(rbm(emu, 2), [0x66, 0x77]);
    assert.equal(read16(emu, 0x00), 0x0001);
  });

  it("without ECON2.AUTOINC the pointers stay put", () => {
    bfc(emu, ECON2, 0x80);
    ptr16(emu, 0x02, 0x0200);
    wbm(emu, [9, 8, 7]);
    assert.equal(emu.mem[0x200], 7);
    assert.equal(read16(emu, 0x02), 0x0200);
    ptr16(emu, 0x00, 0x0200);
    assert.deepEqual(rbm(emu, 3), [7, 7, 7]);
    assert.equal(read16(emu, 0x00), 0x0200);
  });

  it("byte-by-byte exchange follows the same wrap rules as transaction()", () => {
    ptr16(emu, 0x08, 0x0000);
    ptr16(emu, 0x0a, 0x0003);
    emu.mem.set([10, 11, 12, 13], 0);
    ptr16(emu, 0x00, 0x0002);
    emu.csLow();
    emu.exchange(0x3a);
    const got = [emu.exchange(0), emu.exchange(0), emu.exchange(0), emu.exchange(0)];
    emu.csHigh();
    assert.deepEqual(got, [12, 13, 10, 11]);
  });

  it("ERXRDPTL is buffered until ERXRDPTH is written", () => {
    ptr16(emu, 0x0c, 0x1234);
    assert.equal(read16(emu, 0x0c), 0x1234);
    txn(emu, [OP_WCR | 0x0c, 0x77]); // low byte only
    assert.equal(rcrEth(emu, 0, 0x0c), 0x34); // old value still in effect
    assert.equal(emu.readReg(0, 0x0c), 0x34);
    txn(emu, [OP_WCR | 0x0d, 0x05]);
    assert.equal(read16(emu, 0x0c), 0x0577);
    // writing the high byte alone commits the previously buffered low byte
    wcr(emu, 0, 0x0d, 0x06);
    assert.equal(read16(emu, 0x0c), 0x0677);
  });
});
