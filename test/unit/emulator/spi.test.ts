// SPI command decoding, banks, register semantics and reset behaviour of the emulator,
// driven with raw byte sequences from the datasheet's SPI instruction table.
import { strict as assert } from "assert";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { txn, bank, bfs, bfc, wcr, rcrEth, rcrMac, OP_RCR, OP_WCR, OP_BFS, OP_BFC, OP_SRC, ECON1, ECON2, EIE, EIR, ESTAT } from "./spi-helpers";

describe("emulator: SPI opcodes and registers", () => {
  let emu: Enc28j60Emulator;
  beforeEach(() => { emu = new Enc28j60Emulator(); });

  it("RCR of an ETH register answers in the 2nd byte", () => {
    bank(emu, 3);
    assert.deepEqual(txn(emu, [OP_RCR | 0x12, 0]), [0x00, 0x06]); // EREVID B7
  });

  it("RCR of MAC/MII registers answers a dummy byte first, value in the 3rd byte", () => {
    bank(emu, 2);
    // MACLCON2 resets to 0x37, MAMXFLH to 0x06
    const r = txn(emu, [OP_RCR | 0x09, 0, 0]);
    assert.equal(r[2], 0x37);
    assert.notEqual(r[1], 0x37);
    assert.equal(txn(emu, [OP_RCR | 0x0b, 0, 0])[2], 0x06);
    bank(emu, 3);
    txn(emu, [OP_WCR | 0x04, 0x5a]); // MAADR1
    assert.equal(txn(emu, [OP_RCR | 0x04, 0, 0])[2], 0x5a);
    // EBSTSD (bank 3, 0x06) and EREVID are ETH registers: no dummy
    txn(emu, [OP_WCR | 0x06, 0x77]);
    assert.equal(txn(emu, [OP_RCR | 0x06, 0])[1], 0x77);
    // MISTAT (bank 3, 0x0A) needs the dummy byte
    const ms = txn(emu, [OP_RCR | 0x0a, 0, 0]);
    assert.equal(ms[2], 0x00);
  });

  it("counts transactions, bytes per direction and opcodes", () => {
    emu.resetCounters();
    txn(emu, [OP_RCR | ESTAT, 0]);
    txn(emu, [OP_WCR | EIE, 0x00]);
    txn(emu, [0x3a, 0, 0, 0, 0]);
    txn(emu, [0x7a, 1, 2, 3]);
    bfs(emu, ECON1, 0x00);
    bfc(emu, ECON1, 0x00);
    const c = emu.counters;
    assert.equal(c.transactions, 6);
    assert.deepEqual(c.byOpcode, { RCR: 1, RBM: 1, WCR: 1, WBM: 1, BFS: 1, BFC: 1, SRC: 0, invalid: 0 });
    assert.equal(c.bytesClocked, 2 + 2 + 5 + 4 + 2 + 2);
    assert.equal(c.bytesFromChip, 1 + 4);
    assert.equal(c.bytesToChip, 1 + 2 + 1 + 4 + 2 + 2);
  });

  it("flags extra bytes after a complete RCR/WCR and does not act on them", () => {
    emu.resetCounters();
    txn(emu, [OP_WCR | EIE, 0x11, 0x22, 0x33]);
    assert.equal(emu.counters.extraBytes, 2);
    assert.equal(rcrEth(emu, 0, EIE), 0x11);
    txn(emu, [OP_RCR | EIE, 0, 0]);
    assert.equal(emu.counters.extraBytes, 3);
  });

  it("counts unknown opcodes and ignores them", () => {
    emu.resetCounters();
    txn(emu, [0x20 | 0x05, 0x12]); // 001 00101 is not RBM
    txn(emu, [0xc0, 0x12]);
    assert.equal(emu.counters.byOpcode.invalid, 2);
  });

  it("selects banks with ECON1.BSEL; common registers are in every bank", () => {
    for (let b = 0; b < 4; b++) {
      bank(emu, b);
      txn(emu, [OP_WCR | EIE, 0x40 | b]);
      assert.equal(rcrEth(emu, b, ECON1) & 3, b);
    }
    for (let b = 0; b < 4; b++) {
      bank(emu, b);
      assert.equal(txn(emu, [OP_RCR | EIE, 0])[1], 0x43);
    }
    // address 0x06 is ETXNDL in bank 0, EHT6 in bank 1, MAIPGL in bank 2, EBSTSD in bank 3
    wcr(emu, 0, 0x06, 0x11);
    wcr(emu, 1, 0x06, 0x22);
    wcr(emu, 2, 0x06, 0x33);
    wcr(emu, 3, 0x06, 0x44);
    assert.equal(emu.readReg(0, 0x06), 0x11);
    assert.equal(emu.readReg(1, 0x06), 0x22);
    assert.equal(emu.readReg(2, 0x06), 0x33); // MAIPGL is 7 bits
    assert.equal(emu.readReg(3, 0x06), 0x44);
  });

  it("BFS/BFC work on ETH registers and are refused on MAC/MII registers", () => {
    bank(emu, 0);
    bfs(emu, EIE, 0x81);
    assert.equal(rcrEth(emu, 0, EIE), 0x81);
    bfc(emu, EIE, 0x01);
    assert.equal(rcrEth(emu, 0, EIE), 0x80);
    emu.resetCounters();
    bank(emu, 2);
    txn(emu, [OP_WCR | 0x02, 0x30]); // MACON3
    bfs(emu, 0x02, 0x01);
    bfc(emu, 0x02, 0x10);
    assert.equal(rcrMac(emu, 2, 0x02), 0x30);
    bank(emu, 3);
    bfs(emu, 0x04, 0xff); // MAADR1
    assert.equal(rcrMac(emu, 3, 0x04), 0x00);
    assert.equal(emu.counters.bitOpRefused, 3);
    // EHT (bank 1) is an ETH register: BFS works
    bank(emu, 1);
    bfs(emu, 0x00, 0x0f);
    assert.equal(rcrEth(emu, 1, 0x00), 0x0f);
  });

  it("has the datasheet reset values", () => {
    const b0 = (a: number): number => emu.readReg(0, a);
    assert.equal(b0(0x00) | (b0(0x01) << 8), 0x05fa); // ERDPT
    assert.equal(b0(0x08) | (b0(0x09) << 8), 0x05fa); // ERXST
    assert.equal(b0(0x0a) | (b0(0x0b) << 8), 0x1fff); // ERXND
    assert.equal(b0(0x0c) | (b0(0x0d) << 8), 0x05fa); // ERXRDPT
    assert.equal(emu.readReg(0, ECON2), 0x80); // AUTOINC
    assert.equal(emu.readReg(0, ECON1), 0x00);
    assert.equal(emu.readReg(0, ESTAT) & 1, 1); // CLKRDY
    assert.equal(emu.readReg(1, 0x18), 0xa1); // ERXFCON
    assert.equal(emu.readReg(2, 0x08), 0x0f); // MACLCON1
    assert.equal(emu.readReg(2, 0x09), 0x37); // MACLCON2
    assert.equal(emu.readReg(2, 0x0a) | (emu.readReg(2, 0x0b) << 8), 1536); // MAMXFL
    assert.equal(emu.readReg(3, 0x15), 0x04); // ECOCON
    assert.equal(emu.readReg(3, 0x18) | (emu.readReg(3, 0x19) << 8), 0x1000); // EPAUS
    assert.equal(emu.readReg(3, 0x12), 0x06);
  });

  it("masks 13-bit pointers and unimplemented bits", () => {
    wcr(emu, 0, 0x03, 0xff); // EWRPTH
    assert.equal(rcrEth(emu, 0, 0x03), 0x1f);
    wcr(emu, 0, 0x0e, 0x12); // ERXWRPT is read-only
    assert.equal(rcrEth(emu, 0, 0x0e), 0x00);
    wcr(emu, 3, 0x12, 0x55); // EREVID is read-only
    assert.equal(rcrEth(emu, 3, 0x12), 0x06);
  });

  it("honours the revision option", () => {
    const e = new Enc28j60Emulator({ revision: 0x04 });
    assert.equal(rcrEth(e, 3, 0x12), 0x04);
  });

  it("EIR: software can set/clear TXIF, DMAIF, TXERIF, RXERIF but not PKTIF/LINKIF", () => {
    bfs(emu, EIR, 0xff);
    assert.equal(rcrEth(emu, 0, EIR), 0x2b);
    bfc(emu, EIR, 0x08);
    assert.equal(rcrEth(emu, 0, EIR), 0x23);
    txn(emu, [OP_WCR | EIR, 0x00]);
    assert.equal(rcrEth(emu, 0, EIR), 0x00);
  });

  it("ECON2.PKTDEC reads back 0", () => {
    bfs(emu, ECON2, 0x40);
    assert.equal(rcrEth(emu, 0, ECON2), 0x80);
  });

  it("SRC resets registers (ECOCON kept) and opens an invalid-access window of about 1 ms", () => {
    wcr(emu, 3, 0x15, 0x01); // ECOCON
    wcr(emu, 0, EIE, 0xc0);
    wcr(emu, 1, 0x18, 0x00);
    emu.resetCounters();
    txn(emu, [OP_SRC]);
    assert.equal(emu.counters.byOpcode.SRC, 1);
    // Inside the window: CLKRDY reads 0, other reads are garbage, writes are ignored
    assert.equal(txn(emu, [OP_RCR | ESTAT, 0])[1] & 1, 0);
    assert.equal(txn(emu, [OP_RCR | EIE, 0])[1], 0xff);
    txn(emu, [OP_WCR | EIE, 0x12]);
    assert.ok(emu.counters.invalidAccess >= 3);
    emu.advance(0.5);
    assert.equal(txn(emu, [OP_RCR | ESTAT, 0])[1] & 1, 0);
    emu.advance(0.6);
    assert.equal(txn(emu, [OP_RCR | ESTAT, 0])[1] & 1, 1);
    assert.equal(rcrEth(emu, 0, EIE), 0x00); // reset value; the write in the window was lost
    assert.equal(rcrEth(emu, 1, 0x18), 0xa1);
    assert.equal(rcrEth(emu, 3, 0x15), 0x01); // ECOCON survives SRC
  });

  it("SPI time makes the reset window pass for a polling host", () => {
    txn(emu, [OP_SRC]);
    let polls = 0;
    while ((txn(emu, [OP_RCR | ESTAT, 0])[1] & 1) === 0) {
      polls++;
      if (polls > 100000) throw new Error("never ready");
    }
    // 2 bytes at 10.5 MHz = 1.52 us per poll: about 1 ms / 1.52 us polls
    assert.ok(polls > 500 && polls < 800, String(polls));
  });

  it("fault clkrdyEarly: CLKRDY reads 1 at once but the chip still ignores accesses", () => {
    emu.faults.clkrdyEarly = true;
    txn(emu, [OP_SRC]);
    assert.equal(txn(emu, [OP_RCR | ESTAT, 0])[1] & 1, 1);
    bank(emu, 3);
    assert.equal(txn(emu, [OP_RCR | 0x12, 0])[1], 0xff); // EREVID garbage
    txn(emu, [OP_WCR | EIE, 0x40]);
    emu.advance(1.1);
    assert.equal(rcrEth(emu, 0, EIE), 0x00);
    assert.equal(rcrEth(emu, 3, 0x12), 0x06);
  });

  it("SRC is ignored in power save (erratum 19)", () => {
    wcr(emu, 0, EIE, 0x40);
    bfs(emu, ECON2, 0x20);
    emu.resetCounters();
    txn(emu, [OP_SRC]);
    assert.equal(emu.counters.srcIgnored, 1);
    assert.equal(rcrEth(emu, 0, EIE), 0x40);
    assert.equal(rcrEth(emu, 0, ESTAT) & 1, 0, "CLKRDY 0 in power save");
    bfc(emu, ECON2, 0x20);
    assert.equal(rcrEth(emu, 0, ESTAT) & 1, 0, "oscillator start-up timer");
    emu.advance(0.3);
    assert.equal(rcrEth(emu, 0, ESTAT) & 1, 1);
    txn(emu, [OP_SRC]);
    emu.advance(2);
    assert.equal(rcrEth(emu, 0, EIE), 0x00);
  });

  it("hardwareReset also resets ECOCON", () => {
    wcr(emu, 3, 0x15, 0x01);
    emu.hardwareReset();
    emu.advance(2);
    assert.equal(rcrEth(emu, 3, 0x15), 0x04);
  });

  it("an absent chip answers 0xFF", () => {
    emu.absent = true;
    bank(emu, 3);
    assert.deepEqual(txn(emu, [OP_RCR | 0x12, 0]), [0xff, 0xff]);
  });

  it("csLow/exchange/csHigh work byte by byte like transaction()", () => {
    emu.csLow();
    assert.equal(emu.exchange(OP_RCR | ECON2), 0x00);
    assert.equal(emu.exchange(0), 0x80);
    emu.csHigh();
    emu.csLow();
    emu.exchange(OP_WCR | EIE);
    emu.exchange(0x08);
    emu.csHigh();
    assert.equal(rcrEth(emu, 0, EIE), 0x08);
  });
});
