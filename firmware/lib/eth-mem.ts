// The library's boot memory model: connect() sizes what it allocates (IP MTU, TCP send pool, TCP
// slots) to the variables free when it is called, so a small board (the Pico's 5,100) boots with
// fewer or smaller buffers instead of dying of out of memory, which Espruino cannot catch. What
// the options give is kept; what they leave open is the richest choice that still leaves the
// traffic's peak and a share for the user's own code free. Said on the console and in getStatus().
//
// The figures: measured on espruino-wifi32 (2v29, 32-bit) with the library body at the global
// scope (.boot1) and the hello app: connect() 1,340 variables with MTU 576, a 2,048-byte pool and
// 4 slots (1,320 with 2), 1,483 with MTU 1,500, 1,814 with MTU 576 and TCP's default pool, 2,431
// with MTU 1,500 and the default pool; the HTTP server piece 544 with 4 slots (521 with 2). The
// peak under 20 parallel clients is about 400 above idle (issue #12's bench). Update them when
// the stack or a piece changes.

/** The model's numbers (const enum: tsc writes them in place). */
export const enum Mem {
  DEFAULT_SLOTS = 4,
  /** connect() without its frame buffers, send pool and slots. */
  CORE_VARS = 1040,
  /** What one TCP slot adds (state, counters). */
  SLOT_VARS = 12,
  /** Bytes per variable for flat buffers (below every board's block size: errs on the safe side). */
  BLOCK_BYTES = 12,
  /** Ethernet header (14) and the driver's receive extras, on each of the two frame buffers. */
  FRAME_EXTRA = 22,
  /** Kept free for the traffic's transients and peak. */
  RESERVE_VARS = 450,
  /** Kept free for the user's own code, when the options leave the sizes to the library. */
  USER_VARS = 800,
  /** TCP's send pool chunk, and its default: 2 MSS per slot plus one chunk. */
  CHUNK = 512,
  IP_TCP_HEADERS = 40,
  MTU_FULL = 1500,
  MTU_SMALL = 576,
  POOL_SMALL = 2048,
  POOL_MIN = 1024,
}

/** Variables the pieces will allocate once used (e.g. the HTTP server): [fixed, per slot]. */
export var PIECE_VARS = [0, 0];

export interface Sizing {
  mtu: number;
  /** Bytes of the TCP send pool (what TCP's default would be, when that was chosen). */
  pool: number;
  /** True: TCP's default pool (not passed on). */
  poolDefault: boolean;
  slots: number;
  wanted: number;
  /** Variables free when connect() began (Infinity: not known, e.g. on the host). */
  free: number;
  /** What memory changed, in words ("" when nothing did). */
  note: string;
}

function poolBytes(mtu: number, slots: number): number {
  return slots * (Math.ceil(2 * (mtu - Mem.IP_TCP_HEADERS) / Mem.CHUNK) + 1) * Mem.CHUNK;
}

/** The variables connect() and the pieces take for this configuration (pool 0: TCP's default). */
export function costOf(mtu: number, pool: number, slots: number): number {
  return Mem.CORE_VARS + Math.ceil((2 * (mtu + Mem.FRAME_EXTRA)) / Mem.BLOCK_BYTES) +
    Math.ceil((pool || poolBytes(mtu, slots)) / Mem.BLOCK_BYTES) + slots * (Mem.SLOT_VARS + PIECE_VARS[1]) + PIECE_VARS[0];
}

/**
 * The sizes for `free` variables: o.mtu, o.sendPool and o.slots where given, else the richest of
 * MTU 1,500/576 and TCP's default pool/2,048/1,024 bytes that leaves RESERVE_VARS + USER_VARS
 * free; failing that the smallest, with the slots that leave RESERVE_VARS free (fewer than
 * wanted). Throws when not even one slot fits.
 */
export function sizeFor(free: number, mtu?: number, pool?: number, slots?: number): Sizing {
  var wanted = slots || Mem.DEFAULT_SLOTS;
  var mtus = mtu ? [mtu] : [Mem.MTU_FULL, Mem.MTU_SMALL];
  var pools = pool ? [pool] : [0, Mem.POOL_SMALL, Mem.POOL_MIN];
  var best: number[] | null = null, bestCost = 0, cheap: number[] = [mtus[0], pools[0]], cheapCost = Infinity;
  for (var i = 0; i < mtus.length; i++) {
    for (var j = 0; j < pools.length; j++) {
      var c = costOf(mtus[i], pools[j], wanted);
      if (c + Mem.RESERVE_VARS + Mem.USER_VARS <= free && c > bestCost) { best = [mtus[i], pools[j]]; bestCost = c; }
      if (c < cheapCost) { cheap = [mtus[i], pools[j]]; cheapCost = c; }
    }
  }
  var n = wanted, note = "";
  if (!best) {
    best = cheap;
    while (n > 0 && costOf(best[0], best[1], n) + Mem.RESERVE_VARS > free) n--;
    if (!n) throw new Error("ENC28J60: out of memory: " + free + " variables free, at least " + (costOf(best[0], best[1], 1) + Mem.RESERVE_VARS) + " needed (MTU " + best[0] + ", send pool " + (best[1] || poolBytes(best[0], 1)) + " bytes, 1 TCP slot)");
  }
  if (free !== Infinity && (best[0] !== mtus[0] || best[1] !== pools[0] || n < wanted)) {
    note = free + " variables free: MTU " + best[0] + ", send pool " + (best[1] || poolBytes(best[0], n)) + " bytes, " +
      n + (n < wanted ? " of " + wanted : "") + " TCP slots (sized to memory)";
  }
  return { mtu: best[0], pool: best[1] || poolBytes(best[0], n), poolDefault: !best[1], slots: n, wanted: wanted, free: free, note: note };
}
