// PHY over MII (BUSY timing), link state and LINKIF, INT pin, DMA copy and checksum.
import { strict as assert } from "assert";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { txn, bank, bfs, bfc, ptr16, wcr, rcrEth, rcrMac, phyRead, phyWrite, waitMiiIdle, OP_WCR, OP_RCR, ECON1, EIE, EIR } from "./spi-helpers";

describe("emulator: PHY, INT and DMA", () => {
  let emu: Enc28j60Emulator;
  beforeEach(() => { emu = new Enc28j60Emulator(); });

  it("reads PHID1/PHID2 through MIREGADR/MICMD/MISTAT/MIRD", () => {
    assert.equal(phyRead(emu, 0x02), 0x0083);
    assert.equal(phyRead(emu, 0x03), 0x1400);
    assert.equal(phyRead(new Enc28j60Emulator({ phyRevision: 5 }), 0x03), 0x1405);
    assert.equal(phyRead(emu, 0x14), 0x3422); // PHLCON reset value
    assert.equal(phyRead(emu, 0x07), 0x0000); // unimplemented address
  });

  it("MISTAT.BUSY is set for about 10.24 us after MIIRD; MIRD is valid only after", () => {
    wcr(emu, 2, 0x14, 0x02);
    bank(emu, 2);
    assert.equal(txn(emu, [OP_RCR | 0x18, 0, 0])[2], 0x00); // MIRDL before the read
    txn(emu, [OP_WCR | 0x12, 0x01]);
    const t0 = emu.now();
    bank(emu, 3);
    let busyPolls = 0, tIdle = 0;
    for (let i = 0; i < 100; i++) {
      if ((txn(emu, [OP_RCR | 0x0a, 0, 0])[2] & 1) === 0) { tIdle = emu.now(); break; }
      busyPolls++;
    }
    assert.ok(busyPolls >= 2, String(busyPolls)); // 3-byte polls at 10.5 MHz: ~2.3 us each
    const dt = tIdle - t0;
    assert.ok(dt >= 0.01024 && dt < 0.01024 + 0.006, String(dt));
    bank(emu, 2);
    txn(emu, [OP_WCR | 0x12, 0x00]);
    assert.equal(rcrMac(emu, 2, 0x18), 0x83);
    assert.equal(rcrMac(emu, 2, 0x19), 0x00);
  });

  it("a PHY write starts when MIWRH is written and lands after BUSY", () => {
    wcr(emu, 2, 0x14, 0x14); // PHLCON
    txn(emu, [OP_WCR | 0x16, 0x76]);
    assert.equal(emu.readPhy(0x14), 0x3422); // MIWRL alone does nothing
    txn(emu, [OP_WCR | 0x17, 0x34]);
    bank(emu, 3);
    assert.equal(txn(emu, [OP_RCR | 0x0a, 0, 0])[2] & 1, 1);
    assert.equal(emu.readPhy(0x14), 0x3422);
    waitMiiIdle(emu);
    assert.equal(emu.readPhy(0x14), 0x3476);
    assert.equal(phyRead(emu, 0x14), 0x3476);
  });

  it("PHCON2.HDLDIS and PHCON1.PDPXMD are writable; PHSTAT2 shows LSTAT and DPXSTAT", () => {
    phyWrite(emu, 0x10, 0x0100);
    assert.equal(phyRead(emu, 0x10), 0x0100);
    assert.equal(phyRead(emu, 0x11) & 0x0600, 0x0400);
    phyWrite(emu, 0x00, 0x0100);
    assert.equal(phyRead(emu, 0x11) & 0x0600, 0x0600);
    phyWrite(emu, 0x11, 0x0000); // read-only
    assert.equal(phyRead(emu, 0x11) & 0x0400, 0x0400);
  });

  it("PHSTAT1.LLSTAT latches low until read", () => {
    assert.equal(phyRead(emu, 0x01), 0x1804);
    emu.setLink(false);
    emu.setLink(true);
    assert.equal(phyRead(emu, 0x01) & 0x04, 0); // went down since last read
    assert.equal(phyRead(emu, 0x01) & 0x04, 0x04);
    assert.equal(phyRead(emu, 0x11) & 0x0400, 0x0400);
    emu.setLink(false);
    assert.equal(phyRead(emu, 0x11) & 0x0400, 0);
  });

  it("link change sets EIR.LINKIF only with PHIE.PGEIE|PLNKIE; reading PHIR clears it", () => {
    emu.setLink(false);
    assert.equal(rcrEth(emu, 0, EIR) & 0x10, 0);
    assert.equal(phyRead(emu, 0x13) & 0x10, 0x10); // PLNKIF, cleared by the read
    assert.equal(phyRead(emu, 0x13), 0);
    phyWrite(emu, 0x12, 0x0012);
    const levels: boolean[] = [];
    emu.onIntChange((l) => levels.push(l));
    wcr(emu, 0, EIE, 0x90); // INTIE | LINKIE
    emu.setLink(true);
    assert.equal(rcrEth(emu, 0, EIR) & 0x10, 0x10);
    assert.equal(emu.intLevel(), false);
    bfc(emu, EIR, 0x10); // LINKIF is not cleared by BFC
    assert.equal(rcrEth(emu, 0, EIR) & 0x10, 0x10);
    assert.equal(phyRead(emu, 0x13) & 0x14, 0x14); // PLNKIF | PGIF
    assert.equal(rcrEth(emu, 0, EIR) & 0x10, 0);
    assert.equal(emu.intLevel(), true);
    assert.deepEqual(levels, [false, true]);
  });

  it("INT is asserted only while an enabled flag and INTIE are set", () => {
    wcr(emu, 0, EIE, 0x08); // TXIE without INTIE
    bfs(emu, EIR, 0x08);
    assert.equal(emu.intLevel(), true);
    bfs(emu, EIE, 0x80);
    assert.equal(emu.intLevel(), false);
    bfc(emu, EIE, 0x80); // drivers clear INTIE while servicing
    assert.equal(emu.intLevel(), true);
    bfs(emu, EIE, 0x80);
    bfc(emu, EIR, 0x08);
    assert.equal(emu.intLevel(), true);
    bfs(emu, EIR, 0x01); // RXERIF not enabled
    assert.equal(emu.intLevel(), true);
  });

  function onesComplement(bytes: number[]): number {
    let s = 0;
    for (let i = 0; i < bytes.length; i += 2) s += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    return ~s & 0xffff;
  }

  function dmaRun(e: Enc28j60Emulator, st: number, nd: number, csum: boolean): number {
    ptr16(e, 0x10, st);
    ptr16(e, 0x12, nd);
    if (csum) bfs(e, ECON1, 0x10); else bfc(e, ECON1, 0x10);
    bfc(e, EIR, 0x20);
    bfs(e, ECON1, 0x20);
    for (let i = 0; i < 10000; i++) if ((txn(e, [OP_RCR | ECON1, 0])[1] & 0x20) === 0) return i;
    throw new Error("DMA never finished");
  }

  it("DMA checksum: datasheet example {89h, ABh, CDh} gives A953h in EDMACSH:EDMACSL", () => {
    emu.mem.set([0x89, 0xab, 0xcd], 0x1000);
    dmaRun(emu, 0x1000, 0x1002, true);
    assert.equal(rcrEth(emu, 0, 0x17), 0xa9);
    assert.equal(rcrEth(emu, 0, 0x16), 0x53);
    assert.equal(rcrEth(emu, 0, EIR) & 0x20, 0x20);
  });

  it("DMA checksum of an IPv4 header with a correct checksum is 0; matches a reference over random data", () => {
    const hdr = [0x45, 0x00, 0x00, 0x54, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x01, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02];
    const cs = onesComplement(hdr);
    hdr[10] = cs >> 8; hdr[11] = cs & 0xff;
    emu.mem.set(hdr, 0x1900);
    dmaRun(emu, 0x1900, 0x1900 + 19, true);
    assert.equal(rcrEth(emu, 0, 0x16) | (rcrEth(emu, 0, 0x17) << 8), 0);
    const data: number[] = [];
    for (let i = 0; i < 1001; i++) data.push((i * 131 + 7) & 0xff);
    emu.mem.set(data, 0x0100);
    dmaRun(emu, 0x0100, 0x0100 + 1000, true);
    assert.equal((rcrEth(emu, 0, 0x17) << 8) | rcrEth(emu, 0, 0x16), onesComplement(data));
  });

  it("DMA source wraps inside the receive ring; copy goes to EDMADST", () => {
    ptr16(emu, 0x08, 0x0000);
    ptr16(emu, 0x0a, 0x00ff);
    emu.mem.set([1, 2], 0x00fe);
    emu.mem.set([3, 4], 0x0000);
    emu.mem[0x0100] = 0x99;
    ptr16(emu, 0x14, 0x1000); // EDMADST
    dmaRun(emu, 0x00fe, 0x0001, false);
    assert.deepEqual(Array.from(emu.mem.subarray(0x1000, 0x1004)), [1, 2, 3, 4]);
    dmaRun(emu, 0x00fe, 0x0001, true);
    assert.equal((rcrEth(emu, 0, 0x17) << 8) | rcrEth(emu, 0, 0x16), onesComplement([1, 2, 3, 4]));
  });

  it("DMAIF drives INT with DMAIE|INTIE", () => {
    wcr(emu, 0, EIE, 0xa0);
    dmaRun(emu, 0, 10, true);
    assert.equal(emu.intLevel(), false);
  });
});

describe("emulator: PHY extras", () => {
  it("MIISCAN keeps MIRD updated with the selected PHY register", () => {
    const emu = new Enc28j60Emulator();
    wcr(emu, 2, 0x14, 0x11); // PHSTAT2
    txn(emu, [OP_WCR | 0x12, 0x02]); // MIISCAN
    bank(emu, 3);
    assert.equal(txn(emu, [OP_RCR | 0x0a, 0, 0])[2] & 0x06, 0x06); // SCAN | NVALID
    emu.advance(0.02);
    assert.equal(txn(emu, [OP_RCR | 0x0a, 0, 0])[2] & 0x06, 0x02); // data valid
    assert.equal(rcrMac(emu, 2, 0x19) & 0x04, 0x04); // LSTAT (bit 10) in MIRDH
    emu.setLink(false);
    assert.equal(rcrMac(emu, 2, 0x19) & 0x04, 0);
    bank(emu, 2);
    txn(emu, [OP_WCR | 0x12, 0x00]);
    emu.setLink(true);
    assert.equal(rcrMac(emu, 2, 0x19) & 0x04, 0, "scan stopped: MIRD keeps the last value");
  });

  it("PHCON1.PRST resets the PHY registers", () => {
    const emu = new Enc28j60Emulator();
    phyWrite(emu, 0x14, 0x3476);
    phyWrite(emu, 0x10, 0x0100);
    phyWrite(emu, 0x00, 0x8000);
    assert.equal(phyRead(emu, 0x14), 0x3422);
    assert.equal(phyRead(emu, 0x10), 0x0000);
    assert.equal(phyRead(emu, 0x00), 0x0000);
  });

  it("SRC resets the PHY configuration too (drivers configure the PHY after SRC)", () => {
    const emu = new Enc28j60Emulator();
    phyWrite(emu, 0x10, 0x0100);
    txn(emu, [0xff]);
    emu.advance(1.5);
    assert.equal(phyRead(emu, 0x10), 0x0000);
  });
});
