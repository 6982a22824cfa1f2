// The simulated board: a Node `vm` context that offers only the Espruino globals the firmware
// uses, with the emulated ENC28J60 on SPI1. The device bundle (dist/sim.js, the same ES5 code
// that is flashed) runs inside it.
//
// Everything the device sees is created inside the context by a prelude script (so typed
// arrays, errors and objects belong to the context's realm, as on a board); the prelude reaches
// the host through one bridge function that it keeps in a closure and removes from the global
// object. The only non-Espruino global is SIM_CONFIG (the sim's command-line configuration).

import * as vm from "vm";
import * as fs from "fs";
import * as path from "path";
import * as util from "util";
import { makeHostE } from "../hal/host/espruino-shims";

/** What the sim needs from the chip on the SPI bus (Enc28j60Emulator has all of it). */
export interface SpiChip {
  transaction(buf: Uint8Array, len: number): void;
  csLow(): void;
  exchange(byte: number): number;
  csHigh(): void;
  intLevel(): boolean;
  onIntChange(fn: (level: boolean) => void): void;
  /** The RESET pin (optional: chips without it ignore the pin). */
  hardwareReset?(): void;
}

/** How the chip is wired on the simulated board (boards/sim.ts uses the same pin names). */
export const SIM_WIRING = {
  sck: "D18",
  miso: "D19",
  mosi: "D23",
  cs: "D5",
  int: "D4",
  reset: "D27",
  led: "D2",
};

/** Pin globals offered by the simulated board. */
export const SIM_PIN_NAMES: string[] = (() => {
  const names: string[] = [];
  for (let i = 0; i <= 31; i++) names.push("D" + i);
  names.push("LED1", "BTN1");
  return names;
})();

/** Globals the sim adds to a fresh vm context (besides the ECMAScript builtins it keeps). */
export const SIM_GLOBALS: string[] = [
  "SPI1",
  "digitalWrite",
  "digitalRead",
  "pinMode",
  "setWatch",
  "clearWatch",
  "getTime",
  "getSerial",
  "setTimeout",
  "setInterval",
  "clearTimeout",
  "clearInterval",
  "E",
  "process",
  "require",
  "console",
  "print",
  "global",
  "SIM_CONFIG",
].concat(SIM_PIN_NAMES);

/**
 * ECMAScript builtins a vm context has but Espruino does not: removed, so firmware that uses
 * them fails in the sim as it would on a board. (The bundle gate rejects them too.)
 */
export const ABSENT_ON_ESPRUINO: string[] = [
  "Map", "Set", "WeakMap", "WeakSet", "Symbol", "Proxy", "Reflect", "BigInt", "BigInt64Array",
  "BigUint64Array", "WeakRef", "FinalizationRegistry", "SharedArrayBuffer", "Atomics",
  "WebAssembly", "Intl", "AggregateError",
];

/** Members of builtins that Espruino lacks (shared/reference/espruino.md): removed as well. */
export const ABSENT_MEMBERS: string[] = [
  "Math.imul", "Math.clz32", "Math.trunc", "Number.isInteger", "Array.from", "Object.freeze",
  "ArrayBuffer.prototype.slice", "Uint8Array.prototype.copyWithin", "Uint16Array.prototype.copyWithin",
  "Uint32Array.prototype.copyWithin", "Object.getPrototypeOf(Uint8Array.prototype).copyWithin",
];

/** Configuration passed into the bundle as the SIM_CONFIG global (read by boards/sim.ts). */
export interface SimConfig {
  ip?: string;
  netmask?: string;
  gateway?: string;
  mac?: string;
  slots?: number;
}

export interface SimBoardOptions {
  chip: SpiChip;
  config: SimConfig;
  /** Folder backing require("Storage"); created if missing. */
  storageDir: string;
  /** Where console.log/print and error reports go (one call per line, without newline). */
  out: (line: string) => void;
  /**
   * Called when device code uses something Espruino does not have (a Node global, a Node
   * module, process.env...), outside the console. The sim exits non-zero.
   */
  onFatal: (message: string) => void;
  /** JsVar count reported by process.memory() (default 12000); usage is estimateBlocks() of the firmware's globals + UNSEEN_VARS (an estimate). */
  vars?: number;
}

export interface SimBoard {
  context: vm.Context;
  /** Runs the bundle; throws an Error with a clear message when it fails to load. */
  load(code: string, filename: string): void;
  /** Console: evaluates a line in the device's global scope; returns Espruino-style output. */
  evalLine(line: string): string;
  /** Level of a pin as the board sees it. */
  pinLevel(name: string): boolean;
  counters: { spiTransactions: number; spiBytes: number; watchEvents: number; uncaught: number };
  /** Cancels every timer and watch (the device stops running). */
  stop(): void;
}

/** True for errors that mean "this code relies on something only Node has". */
export function isNodeOnlyError(e: any): boolean {
  const msg = String((e && e.message) || e);
  const name = e && e.constructor && e.constructor.name;
  if (name === "ReferenceError") return true;
  return /is not available on an Espruino board|^Module .* not found/.test(msg);
}

export function describeError(e: any): string {
  if (e && typeof e === "object" && "message" in e) {
    const name = (e.constructor && e.constructor.name) || "Error";
    return name + ": " + e.message;
  }
  return String(e);
}

/** True when `code` is an unfinished statement (open bracket, string...): the console waits for more lines. */
export function isIncomplete(code: string): boolean {
  try {
    new vm.Script(code, { filename: "console" });
    return false;
  } catch (e) {
    return e instanceof SyntaxError && /Unexpected end of input|Unterminated template/.test(e.message);
  }
}

/** Formats a value the way Espruino's console echoes it after `=`. */
export function formatValue(v: any): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "function") return "function " + (v.name || "") + "() { ... }";
  if (ArrayBuffer.isView(v)) {
    const ctor = v.constructor && v.constructor.name;
    return "new " + ctor + "([" + Array.prototype.join.call(v, ", ") + "])";
  }
  return util.inspect(v, { depth: 2, breakLength: 100 });
}

// The prelude: runs once inside the context, receives the bridge and the pin names, defines the
// Espruino globals as context functions, and returns the helpers the host calls back.
/** sim/prelude.js: the device-side half, an ES5 file the gate checks (see its header). */
const PRELUDE_FILE = path.join(__dirname, "..", "..", "sim", "prelude.js");
const PRELUDE = fs.readFileSync(PRELUDE_FILE, "utf8");

/**
 * Espruino-style size in JsVar blocks of everything reachable from `roots`, using the costs
 * measured on Espruino (shared/reference/espruino.md): an object 2 blocks per property (name +
 * value), a function 8, a typed array ceil(bytes/12)+4, a string ceil(length/9)+1. State held
 * only in closures is invisible to this walk, so it is a lower bound.
 */
export function estimateBlocks(roots: any[], limit = 200000): number {
  const seen = new Set<any>();
  const stack = roots.slice();
  let blocks = 0;
  while (stack.length && seen.size < limit) {
    const v = stack.pop();
    if (typeof v === "string") { blocks += Math.ceil(v.length / 9) + 1; continue; }
    if (v === null || (typeof v !== "object" && typeof v !== "function") || seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v)) { blocks += Math.ceil(v.byteLength / 12) + 4; continue; }
    if (v instanceof ArrayBuffer) { blocks += Math.ceil(v.byteLength / 12) + 4; continue; }
    if (typeof v === "function") blocks += 8;
    let names: string[];
    try { names = Object.getOwnPropertyNames(v); } catch { continue; }
    if (typeof v === "function") names = names.filter((n) => n !== "prototype" && n !== "length" && n !== "name");
    for (const n of names) {
      blocks += 2;
      const d = Object.getOwnPropertyDescriptor(v, n);
      if (d && "value" in d) stack.push(d.value);
    }
  }
  return blocks;
}

/**
 * What estimateBlocks() cannot see once the firmware runs: function code, closure scopes and
 * module-level state. Measured on Espruino 2v29 (32-bit, 14-byte blocks, sim bundle, static
 * address; bench/espruino.ts): the interpreter used 6,843 / 7,087 / 8,760 variables with 1 / 2 /
 * 8 slots where the walk counted 1,752 / 2,004 / 3,533, so 5,083-5,227 more at every size (the
 * per-slot figures agree). process.memory() in the vm is therefore estimate + this, and still an
 * estimate: the sim says so at start; `--espruino` gives the interpreter's own figures.
 */
export const UNSEEN_VARS = 5200;

interface Watch { id: number; fn: Function; pin: string; edge: string; repeat: boolean; lastTime: number }

export function createSimBoard(opts: SimBoardOptions): SimBoard {
  const { chip, out } = opts;
  const hostE = makeHostE();
  const t0 = performance.now();
  const vars = opts.vars || 12000;
  const blocksize = 14;
  const counters = { spiTransactions: 0, spiBytes: 0, watchEvents: 0, uncaught: 0 };
  const levels = new Map<string, boolean>();
  const modes = new Map<string, string>();
  for (const n of SIM_PIN_NAMES) { levels.set(n, false); modes.set(n, "input"); }
  levels.set(SIM_WIRING.cs, true);
  levels.set(SIM_WIRING.reset, true);
  levels.set(SIM_WIRING.int, chip.intLevel());
  const watches = new Map<number, Watch>();
  const timers = new Map<number, NodeJS.Timeout>();
  let nextWatch = 1;
  let nextTimer = 1;
  let stopped = false;
  fs.mkdirSync(opts.storageDir, { recursive: true });

  const context = vm.createContext({});
  let helpers: { watchEvent: Function; emit: Function; absent: Function };

  function uncaught(e: any): void {
    counters.uncaught++;
    out("Uncaught " + describeError(e));
    if (isNodeOnlyError(e)) opts.onFatal("the firmware used something Espruino does not have: " + describeError(e));
  }
  function callDevice(fn: Function, args: any[]): void {
    if (stopped) return;
    resync = true;
    try { fn.apply(undefined, args); } catch (e) { uncaught(e); }
  }

  // The board's clock (getTime, watch times). It follows the wall clock, except that inside one
  // run of device code (a timer, a watch, the load, a console line) it moves by at most
  // MAX_STEP_MS between two readings: a pause of the host (GC, another process on the CPU) is not
  // something a board's tight polling loop ever sees, and would break bounded waits such as the
  // driver's post-reset wait. The lost time is caught up when the next run of device code starts.
  const MAX_STEP_MS = 2;
  let lastMs = 0;
  let lastWall = 0;
  let resync = true;
  function boardMs(): number {
    const w = performance.now() - t0;
    const d = w - lastWall;
    lastWall = w;
    if (resync) { resync = false; if (w > lastMs) lastMs = w; return lastMs; }
    if (d > 0) lastMs += d > MAX_STEP_MS ? MAX_STEP_MS : d;
    return lastMs;
  }

  function setLevel(name: string, level: boolean): void {
    const old = levels.get(name);
    levels.set(name, level);
    if (old === level) return;
    if (name === SIM_WIRING.cs) { if (level) chip.csHigh(); else chip.csLow(); }
    // RESET low holds the chip in reset; the invalid-access window starts again at release.
    if (name === SIM_WIRING.reset && chip.hardwareReset) chip.hardwareReset();
    const time = boardMs() / 1000;
    for (const w of watches.values()) {
      if (w.pin !== name) continue;
      if (w.edge === "falling" && level) continue;
      if (w.edge === "rising" && !level) continue;
      const last = w.lastTime;
      w.lastTime = time;
      if (!w.repeat) watches.delete(w.id);
      counters.watchEvents++;
      // Espruino queues watch events and runs them from its idle loop, never inside the code
      // that caused the edge (here: an SPI transaction that cleared or raised INT).
      setImmediate(() => callDevice(helpers.watchEvent, [w.fn, level, time, last]));
    }
  }
  chip.onIntChange((level) => setLevel(SIM_WIRING.int, level));
  // The chip's own clock: the emulator completes timed events (a transmission, an MII read)
  // lazily at its next access; a board's chip does them on its own, raising INT. Poll INT
  // every millisecond so frames leave and TXIF rises without the firmware touching the bus.
  const chipClock = setInterval(() => { if (!stopped) chip.intLevel(); }, 1);
  chipClock.unref(); // the firmware's own timers, the console and the back-ends keep the sim alive

  function storagePath(name: string): string {
    return path.join(opts.storageDir, encodeURIComponent(name).replace(/^\./, "%2E"));
  }

  const ops: Record<string, (...a: any[]) => any> = {
    pinWrite(name: string, v: boolean) {
      if (name === SIM_WIRING.int) return; // driven by the chip
      if (modes.get(name) === "input") modes.set(name, "output");
      setLevel(name, v);
    },
    pinRead(name: string) { return !!levels.get(name); },
    pinMode(name: string, m: string) { modes.set(name, m); },
    pinGetMode(name: string) { return modes.get(name); },
    spiSetup() { /* the modelled bus runs at any rate */ },
    spi(b: Uint8Array, cs: string | undefined) {
      counters.spiBytes += b.length;
      if (cs === SIM_WIRING.cs) {
        counters.spiTransactions++;
        levels.set(cs, false);
        chip.transaction(b, b.length);
        levels.set(cs, true);
      } else if (cs === undefined && levels.get(SIM_WIRING.cs) === false) {
        for (let i = 0; i < b.length; i++) b[i] = chip.exchange(b[i]);
      } else {
        if (cs !== undefined) { setLevel(cs, false); setLevel(cs, true); }
        b.fill(0xff); // nothing answers on this chip select
      }
    },
    setWatch(fn: Function, pin: string, edge: string, repeat: boolean) {
      const id = nextWatch++;
      watches.set(id, { id, fn, pin, edge, repeat, lastTime: boardMs() / 1000 });
      return id;
    },
    clearWatch(id: number | undefined) {
      if (id === undefined) watches.clear();
      else if (!watches.delete(id)) throw new Error("Unknown Watch " + id);
    },
    getTime() { return boardMs() / 1000; },
    getSerial() { return "53494d2d" + (opts.config.mac || "").replace(/[^0-9a-f]/gi, ""); },
    setTimeout(fn: Function, ms: number, extra: any[]) {
      const id = nextTimer++;
      timers.set(id, setTimeout(() => { timers.delete(id); callDevice(fn, extra); }, Math.max(0, ms)));
      return id;
    },
    setInterval(fn: Function, ms: number, extra: any[]) {
      const id = nextTimer++;
      timers.set(id, setInterval(() => callDevice(fn, extra), Math.max(1, ms)));
      return id;
    },
    clearTimer(id: number | undefined) {
      if (id === undefined) { for (const t of timers.values()) clearTimeout(t); timers.clear(); return; }
      const t = timers.get(id);
      if (t) { clearTimeout(t); timers.delete(id); }
    },
    "E.toString"(b: Uint8Array) { return hostE.toString(b); },
    "E.getSizeOf"(v: any) { return estimateBlocks([v]); },
    "E.CRC32"(b: Uint8Array) { return hostE.CRC32(b); },
    memory() {
      const unseen = Object.prototype.hasOwnProperty.call(globalObj, "device") ? UNSEEN_VARS : 0;
      const usage = Math.min(vars, estimateBlocks(deviceRoots()) + unseen);
      return [vars - usage, usage, vars, blocksize];
    },
    "storage.read"(name: string, offset?: number, length?: number) {
      const p = storagePath(name);
      if (!fs.existsSync(p)) return undefined;
      const s = fs.readFileSync(p).toString("latin1");
      const o = offset || 0;
      return length === undefined ? s.substring(o) : s.substring(o, o + length);
    },
    "storage.write"(name: string, data: string, offset?: number, size?: number) {
      const p = storagePath(name);
      if (offset === undefined) { fs.writeFileSync(p, Buffer.from(data, "latin1")); return true; }
      let cur = fs.existsSync(p) ? fs.readFileSync(p) : Buffer.alloc(size || offset + data.length, 0xff);
      if (cur.length < offset + data.length) cur = Buffer.concat([cur, Buffer.alloc(offset + data.length - cur.length, 0xff)]);
      Buffer.from(data, "latin1").copy(cur, offset);
      fs.writeFileSync(p, cur);
      return true;
    },
    "storage.list"() {
      return fs.readdirSync(opts.storageDir).map((f) => decodeURIComponent(f)).sort();
    },
    "storage.erase"(name: string) { fs.rmSync(storagePath(name), { force: true }); },
    "storage.free"() {
      let used = 0;
      for (const f of fs.readdirSync(opts.storageDir)) used += fs.statSync(path.join(opts.storageDir, f)).size;
      return Math.max(0, 1024 * 1024 - used);
    },
    print(args: any[]) {
      out(args.map((a) => (typeof a === "string" ? a : formatValue(a))).join(" "));
    },
  };

  function bridge(op: string, a?: any, b?: any, c?: any, d?: any): any {
    const f = ops[op];
    if (!f) throw new Error("sim bridge: unknown operation " + op);
    return f(a, b, c, d);
  }

  const prelude = vm.runInContext(PRELUDE, context, { filename: PRELUDE_FILE });
  helpers = prelude(vm.runInContext("this", context), bridge, SIM_PIN_NAMES.slice(), SIM_WIRING);
  // The firmware's own globals: everything on the global object that the sim did not put there.
  const builtins = new Set<string>((vm.runInContext("Object.getOwnPropertyNames(globalThis)", vm.createContext({})) as string[]).concat(SIM_GLOBALS));
  const globalObj = vm.runInContext("this", context);
  function deviceRoots(): any[] {
    const roots: any[] = [];
    for (const n of Object.getOwnPropertyNames(globalObj)) {
      if (builtins.has(n)) continue;
      const d = Object.getOwnPropertyDescriptor(globalObj, n);
      if (d && "value" in d) roots.push(d.value);
    }
    return roots;
  }
  const cfg = JSON.stringify(opts.config);
  vm.runInContext("this.SIM_CONFIG = JSON.parse(" + JSON.stringify(cfg) + ");", context);
  helpers.absent(ABSENT_ON_ESPRUINO, ABSENT_MEMBERS);

  return {
    context,
    counters,
    load(code: string, filename: string): void {
      try {
        resync = true;
        vm.runInContext(code, context, { filename });
        helpers.emit("init");
      } catch (e) {
        stopAll();
        const why = isNodeOnlyError(e)
          ? "it uses something Espruino does not have (a Node global, a Node module or process.env): "
          : "it threw while loading: ";
        throw new Error("sim: the bundle " + filename + " was rejected, " + why + describeError(e));
      }
    },
    evalLine(line: string): string {
      try {
        resync = true;
        const v = vm.runInContext(line, context, { filename: "console" });
        return "=" + formatValue(v);
      } catch (e) {
        return "Uncaught " + describeError(e);
      }
    },
    pinLevel(name: string): boolean { return !!levels.get(name); },
    stop: stopAll,
  };

  function stopAll(): void {
    stopped = true;
    clearInterval(chipClock);
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
    watches.clear();
  }
}
