// RFC 6528 ISNs: exact 32-bit multiply without Math.imul, keyed hash of the 4-tuple + clock.
import * as assert from "assert";
import { mul32, isnHash, isn, newSecret } from "../../../firmware/tcp/isn";

describe("tcp isn", () => {
  it("mul32 equals Math.imul (unsigned) on edge and pseudo-random values", () => {
    const vals = [0, 1, 0xffff, 0x10000, 0xffffffff, 0x80000000, 0xcc9e2d51, 0x1b873593, 0x12345678];
    let x = 0x9e3779b9;
    for (let i = 0; i < 200; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      vals.push(x);
    }
    for (const a of vals) for (const b of vals.slice(0, 40)) assert.strictEqual(mul32(a, b), Math.imul(a, b) >>> 0, `${a} * ${b}`);
  });

  it("depends on every part of the 4-tuple and the key; advances 250 per ms", () => {
    const k = new Uint32Array([1, 2, 3, 4]);
    const base = isnHash(k, 0xc0000202, 7, 0xc0000201, 40000);
    const variants = [
      isnHash(k, 0xc0000203, 7, 0xc0000201, 40000), isnHash(k, 0xc0000202, 8, 0xc0000201, 40000),
      isnHash(k, 0xc0000202, 7, 0xc0000209, 40000), isnHash(k, 0xc0000202, 7, 0xc0000201, 40001),
      isnHash(new Uint32Array([1, 2, 3, 5]), 0xc0000202, 7, 0xc0000201, 40000),
    ];
    assert.strictEqual(new Set([base, ...variants]).size, 6);
    assert.strictEqual((isn(k, 1, 2, 3, 4, 1000) - isn(k, 1, 2, 3, 4, 0)) >>> 0, 250000);
    const s1 = new Uint32Array(4), s2 = new Uint32Array(4);
    newSecret(s1);
    newSecret(s2);
    assert.notDeepStrictEqual(Array.from(s1), Array.from(s2));
  });
});
