import { strict as assert } from "assert";
import { csumAdd, csumFinish, pseudoSum, csumView } from "../../../firmware/net/checksum";
import { refChecksum, ipBytes } from "./wire";
import { makeHostE } from "../../../hal/host/espruino-shims";

// Deterministic PRNG (xorshift32) so a failure is reproducible.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

describe("net/checksum", () => {
  it("the host E.sum shim sums typed-array elements exactly", () => {
    const E = makeHostE();
    const r = rng(7);
    for (let n = 0; n < 50; n++) {
      const v = new Uint16Array(Math.floor(r() * 800));
      for (let i = 0; i < v.length; i++) v[i] = Math.floor(r() * 65536);
      let ref = 0;
      v.forEach((x) => (ref += x));
      assert.equal(E.sum(v), ref);
    }
  });

  it("matches the reference for random buffers, lengths (odd too) and even/odd offsets", () => {
    const r = rng(12345);
    for (let n = 0; n < 2000; n++) {
      const backing = new ArrayBuffer(1700);
      const byteOffset = Math.floor(r() * 8);                // odd byteOffsets exercise the slow path
      const buf = new Uint8Array(backing, byteOffset, 1600);
      for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(r() * 256);
      if (n % 10 === 0) buf.fill(0xff);                      // all-ones: folding corner
      if (n % 10 === 1) buf.fill(0);
      const off = Math.floor(r() * 60);
      const len = n < 40 ? n : Math.floor(r() * (buf.length - off));
      const got = csumFinish(csumAdd(buf, off, len, 0));
      assert.equal(got, refChecksum(buf, off, off + len), `off=${off} len=${len} byteOffset=${byteOffset}`);
    }
  });

  it("accumulates across even-length pieces and an initial value", () => {
    const r = rng(99);
    for (let n = 0; n < 300; n++) {
      const buf = new Uint8Array(1500);
      for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(r() * 256);
      const len = 1 + Math.floor(r() * 1400);
      const cut = Math.floor((r() * len) / 2) * 2;
      const init = Math.floor(r() * 0x3ffff);
      const acc = csumAdd(buf, 10 + cut, len - cut, csumAdd(buf, 10, cut, init));
      assert.equal(csumFinish(acc), refChecksum(buf, 10, 10 + len, init));
    }
  });

  it("pseudoSum equals summing the 12-byte pseudo-header", () => {
    const r = rng(5);
    for (let n = 0; n < 500; n++) {
      const src = Math.floor(r() * 4294967296) >>> 0;
      const dst = Math.floor(r() * 4294967296) >>> 0;
      const len = Math.floor(r() * 65536);
      const proto = n & 1 ? 6 : 17;
      const ph = [...ipBytes(src), ...ipBytes(dst), 0, proto, len >> 8, len & 255];
      assert.equal(csumFinish(pseudoSum(src, dst, proto, len)), refChecksum(ph));
    }
  });

  it("a reused window sees the buffer's current bytes; other buffers are not confused", () => {
    const a = new Uint8Array(64);
    const b = new Uint8Array(64);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 64; i++) { a[i] = (i * 7 + round) & 255; b[i] = (i * 13 + round * 3) & 255; }
      assert.equal(csumFinish(csumAdd(a, 4, 40, 0)), refChecksum(a, 4, 44));
      assert.equal(csumFinish(csumAdd(b, 4, 40, 0)), refChecksum(b, 4, 44));
      assert.equal(csumFinish(csumAdd(a, 6, 40, 0)), refChecksum(a, 6, 46));
    }
  });

  it("csumView over a fixed aligned view equals csumAdd", () => {
    const buf = new Uint8Array(new ArrayBuffer(100), 2, 60);
    for (let i = 0; i < 60; i++) buf[i] = (i * 31 + 5) & 255;
    const v = new Uint16Array(buf.buffer, buf.byteOffset + 14, 10);
    assert.equal(csumFinish(csumView(v)), refChecksum(buf, 14, 34));
  });
});
