// Random SPI traffic, deliveries, faults and time: the emulator must never throw and must keep
// its invariants (bounded pointers and counters, INT consistent with the registers).
import { strict as assert } from "assert";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { initChip, MAC, BCAST } from "./spi-helpers";

function randomFrame(rnd: () => number, dst: number[], len: number): Uint8Array {
  const f = new Uint8Array(len);
  for (let i = 0; i < len; i++) f[i] = Math.floor(rnd() * 256);
  f.set(dst.slice(0, Math.min(6, len)));
  return f;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

describe("emulator: random traffic", () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: never throws, invariants hold`, () => {
      const rnd = lcg(seed);
      const emu = new Enc28j60Emulator();
      initChip(emu);
      const buf = new Uint8Array(64);
      let levelSeen = emu.intLevel();
      emu.onIntChange((l) => { levelSeen = l; });
      for (let i = 0; i < 12000; i++) {
        const r = rnd();
        if (r < 0.6) {
          const n = 1 + Math.floor(rnd() * 8);
          for (let k = 0; k < n; k++) buf[k] = Math.floor(rnd() * 256);
          // avoid SRC most of the time so that the chip spends time configured
          if (buf[0] === 0xff && rnd() < 0.9) buf[0] = 0x1d;
          emu.transaction(buf, n);
        } else if (r < 0.8) {
          const len = 1 + Math.floor(rnd() * 1600);
          emu.deliver(randomFrame(rnd, rnd() < 0.5 ? MAC : BCAST, len), { badCrc: rnd() < 0.1 });
        } else if (r < 0.9) {
          emu.advance(rnd() * 2);
        } else if (r < 0.93) {
          emu.setLink(rnd() < 0.7);
        } else if (r < 0.96) {
          emu.faults.rxOverflow = rnd() < 0.2;
          emu.faults.evenRdptCorruption = rnd() < 0.5;
          emu.faults.unreliablePktif = rnd() < 0.3;
          if (rnd() < 0.1) emu.faults.lateCollision = 2;
          if (rnd() < 0.05) emu.faults.txStall = true;
        } else if (rnd() < 0.05) {
          emu.hardwareReset(); // random traffic may have left MIISCAN running, PWRSV set, ...
          emu.advance(1);
          initChip(emu);
        }
        const wp = emu.rxWritePointer();
        assert.ok(wp >= 0 && wp <= 0x1fff);
        assert.ok(emu.readReg(1, 0x19) <= 255);
        for (let b = 0; b < 4; b++) assert.ok((emu.readReg(0, 0x01 + 2 * b) & 0xe0) === 0, "13-bit pointers");
        const level = emu.intLevel();
        assert.equal(levelSeen, level, "onIntChange reported every edge");
        const estat = emu.readReg(0, 0x1d);
        if (!emu.inResetWindow()) assert.equal((estat & 0x80) !== 0, !emu.intLevel(), "ESTAT.INT mirrors the pin");
      }
      assert.ok(emu.counters.transactions > 6000);
      // after all that, a reset and a fresh init give a working chip
      emu.faults.rxOverflow = false;
      emu.faults.evenRdptCorruption = false;
      emu.hardwareReset();
      emu.advance(1);
      emu.setLink(true);
      initChip(emu);
      const f = randomFrame(rnd, MAC, 100);
      assert.equal(emu.deliver(f), true, emu.lastDrop);
      assert.deepEqual(Array.from(emu.mem.subarray(6, 106)), Array.from(f));
      assert.equal(emu.mem[0] | (emu.mem[1] << 8), 6 + 104);
    });
  }
});
