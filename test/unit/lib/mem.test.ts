// The library's boot memory model (firmware/lib/eth-mem.ts): connect() sizes MTU, send pool and
// TCP slots to the variables free, keeps what the options give, says what memory changed, and
// refuses with a message (never an out-of-memory) when not even one slot fits.
import { strict as assert } from "assert";
import { costOf, PIECE_VARS, sizeFor } from "../../../firmware/lib/eth-mem";

describe("library: sized to the memory connect() finds", () => {
  const saved = PIECE_VARS.slice();
  beforeEach(() => { PIECE_VARS[0] = 520; PIECE_VARS[1] = 12; });   // the HTTP server piece included
  after(() => { PIECE_VARS[0] = saved[0]; PIECE_VARS[1] = saved[1]; });

  it("takes full frames and TCP's default pool when memory is not known or plentiful, saying nothing", () => {
    for (const free of [Infinity, 6461]) {
      const z = sizeFor(free);
      assert.deepEqual([z.mtu, z.poolDefault, z.slots, z.wanted, z.note], [1500, true, 4, 4, ""]);
    }
  });

  it("on the Pico (3,198 free before connect, measured on espruino-pico32) takes MTU 576 and a 2 KB pool, said", () => {
    const z = sizeFor(3198);
    assert.deepEqual([z.mtu, z.pool, z.poolDefault, z.slots], [576, 2048, false, 4]);
    assert.equal(z.note, "3198 variables free: MTU 576, send pool 2048 bytes, 4 TCP slots (sized to memory)");
    assert.ok(3198 - costOf(576, 2048, 4) >= 450 + 800, "the peak's reserve and the user's share stay free");
  });

  it("gives fewer slots when even the smallest buffers leave too little, and refuses below one", () => {
    const z = sizeFor(costOf(576, 1024, 2) + 450);
    assert.deepEqual([z.mtu, z.pool, z.slots, z.wanted], [576, 1024, 2, 4]);
    assert.match(z.note, /MTU 576, send pool 1024 bytes, 2 of 4 TCP slots \(sized to memory\)/);
    assert.throws(() => sizeFor(1200), /ENC28J60: out of memory: 1200 variables free, at least \d+ needed \(MTU 576, send pool 1024 bytes, 1 TCP slot\)/);
  });

  it("keeps what the options give and sizes only the rest", () => {
    const z = sizeFor(3198, 1500, undefined, 2);
    assert.equal(z.mtu, 1500);
    assert.equal(z.wanted, 2);
    assert.ok(!z.poolDefault, "the pool shrank to fit next to the full frames");
    const big = sizeFor(Infinity, 576, 4096, 6);
    assert.deepEqual([big.mtu, big.pool, big.slots, big.note], [576, 4096, 6, ""]);
    // a configuration the memory cannot hold: fewer slots, said
    const few = sizeFor(costOf(1500, 8192, 1) + 450 + 10, 1500, 8192, 4);
    assert.deepEqual([few.mtu, few.pool, few.slots], [1500, 8192, 1]);
    assert.match(few.note, /1 of 4 TCP slots/);
  });
});
