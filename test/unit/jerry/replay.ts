// A Kaluma board's program replayed on a small heap: instead of the emulator and the peer
// (scenario.ts, about 150 KB of JerryScript heap with their code), a recorded trace of what the
// device saw in the same run on Node (every SPI answer, millis() and INT reading, and every event
// loop turn that ran something) answers it. The program must then do exactly what it did on
// Node: the frames it hands to the chip ("> hex"), the CRC-32 of every byte it clocked out and the
// numbers of answers it consumed are printed and compared with the recording run. A program that
// goes another way runs out of (or past) the trace and says so.
// Runs after config.js (__JERRY_CONFIG) and trace.js (__TRACE), before the board's bundle.

import { installKalumaDouble, ReplayChip, TraceText } from "../../../hal/host/kaluma-double";
import { fallbacks } from "../../../hal/natives";
import type { JerryConfig } from "./scenario";

declare function print(...s: any[]): void;

const g: any = globalThis;
const cfg: JerryConfig = g.__JERRY_CONFIG;
const chip = new ReplayChip(g.__TRACE as TraceText);
g.__TRACE = null;
Math.random = (): number => chip.random();
const files: { [path: string]: Uint8Array } = {};
for (const n of Object.keys(cfg.page)) files["/www-" + n] = fallbacks.stringToBytes(cfg.page[n]);
cfg.page = {};
const loop = installKalumaDouble(g, {
  emu: chip, wiring: cfg.wiring, files, uid: "e6614c311b7e6e2f", heapTotal: cfg.heapTotal,
  print: (s: string) => print(s), eShim: cfg.eShim, printFrames: !cfg.timed, noCrc: !!cfg.timed, copyFiles: false,
});

g.__scenario = {
  run(): void {
    for (const k of Object.keys(files)) delete files[k];   // the device read its copies at boot
    const turns = chip.turns();
    const t0 = Date.now();
    for (let i = 0; i < turns.length; i++) loop.replayTurn(turns[i][0] === 1, turns[i].slice(1));
    if (cfg.timed) { print("TIME " + (Date.now() - t0)); return; }
    print("DONE trace: mosi " + loop.mosiCrc().toString(16) + ", miso " + chip.misoUsed + ", millis " + chip.millisUsed +
      ", reads " + chip.readsUsed + ", turns " + turns.length);
  },
};
