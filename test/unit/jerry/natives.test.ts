// hal/natives.ts: the per-engine helpers. On Node (as on JerryScript) there is no Espruino E
// unless the test setup installs the host shim, so the fallbacks are checked here against the
// shim's results (Espruino's semantics) and against the Internet checksum's definition.
import { strict as assert } from "assert";
import { fallbacks } from "../../../hal/natives";
import { makeHostE } from "../../../hal/host/espruino-shims";
import { csumAdd, csumFinish } from "../../../firmware/net/checksum";
import { refChecksum } from "../net/wire";

const E = makeHostE();

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
}

/** The folded one's-complement sum of 16-bit words (0 only for all zeros). */
function fold(s: number): number {
  while (s > 0xffff) s = (s % 65536) + Math.floor(s / 65536);
  return s;
}

describe("natives: the per-engine helpers' JS fallbacks", () => {
  const rnd = seeded(13);
  const buf = new Uint8Array(new ArrayBuffer(2048 + 8));
  for (let i = 0; i < buf.length; i++) buf[i] = (rnd() * 256) | 0;

  it("wordSum equals the 16-bit words' sum modulo 0xffff, folded, at every alignment and length", () => {
    for (const off of [0, 2, 4, 6, 14, 34]) {
      for (let words = 0; words <= 760; words += words < 20 ? 1 : 37) {
        const v = new Uint16Array(buf.buffer, off, words);
        const exact = E.sum(v);
        const got = fallbacks.wordSum(v);
        assert.ok(got >= 0 && got < 2 ** 32, `range ${got}`);
        assert.equal(fold(got), fold(exact), `off ${off} words ${words}`);
        assert.equal(got === 0, exact === 0);
      }
    }
    // all-ones words: the sum is a multiple of 0xffff, folded it must stay 0xffff (not 0)
    const ones = new Uint16Array(64).fill(0xffff);
    assert.equal(fold(fallbacks.wordSum(ones)), 0xffff);
    assert.equal(fallbacks.wordSum(new Uint16Array(64)), 0);
  });

  it("wordSum reuses its 32-bit view for a repeated 16-bit view (no allocation per packet)", () => {
    const v = new Uint16Array(buf.buffer, 16, 300);
    const a = fallbacks.wordSum(v);
    assert.equal(fallbacks.wordSum(v), a);
  });

  it("the checksum built on it is RFC 1071's (through csumAdd's fold and swap)", () => {
    for (const len of [20, 21, 40, 60, 577, 1480]) {
      const off = 14;
      const s = fallbacks.wordSum(new Uint16Array(buf.buffer, off, len >> 1));
      // csumAdd's own arithmetic with the fallback's sum in place of E.sum
      let t = fold(s); t = ((t & 0xff) << 8) | (t >> 8);
      if (len & 1) t += buf[off + len - 1] << 8;
      assert.equal(csumFinish(t), refChecksum(Array.from(buf.subarray(off, off + len))));
      assert.equal(csumFinish(csumAdd(buf, off, len, 0)), refChecksum(Array.from(buf.subarray(off, off + len))));
    }
  });

  it("sum adds the elements of a small array", () => {
    assert.equal(fallbacks.sum(new Int32Array([1, 2, 3, -1])), 5);
    assert.equal(fallbacks.sum([]), 0);
  });

  it("crc32 is the IEEE CRC-32 of bytes and of binary strings, as E.CRC32", () => {
    assert.equal(fallbacks.crc32("123456789"), 0xcbf43926);
    for (const n of [0, 1, 7, 100, 1500]) {
      const b = buf.subarray(3, 3 + n);
      assert.equal(fallbacks.crc32(b), E.CRC32(b) >>> 0);
      const s = E.toString(b);
      assert.equal(fallbacks.crc32(s), E.CRC32(s) >>> 0);
    }
  });

  it("bytesToString and stringToBytes are E.toString and E.toUint8Array for binary data", () => {
    for (const n of [0, 1, 255, 256, 257, 1500, 6000]) {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 255;
      const s = fallbacks.bytesToString(b);
      assert.equal(s, E.toString(b));
      assert.deepEqual(fallbacks.stringToBytes(s), E.toUint8Array(s));
      assert.ok(fallbacks.stringToBytes(s) instanceof Uint8Array);
    }
    assert.deepEqual(Array.from(fallbacks.stringToBytes("\u0141A")), [0x41, 0x41]);
  });
});
