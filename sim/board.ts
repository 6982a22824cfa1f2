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
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import { makeHostE } from "../hal/host/espruino-shims";
import { loadEspruinoNet } from "./espruino-net/load";

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
  // plausible stubs for the sensors and buses a maker's code reads (values documented in sim/README.md)
  "analogRead",
  "analogWrite",
  "Serial1",
  "Serial2",
  "I2C1",
  "I2C2",
  // internal: how the host runs a console-made callback or function under a time bound (not enumerable)
  "__sim_call",
  "__sim_guard",
  "__sim_guarded",
].concat(SIM_PIN_NAMES);

/** How long a callback made from the console may run before the sim interrupts it (ms). */
export const CALLBACK_LIMIT_MS = 2000;

/**
 * Globals and members only Node has: a ReferenceError naming one of these means "this code
 * relies on Node", the only runtime error the sim treats as fatal (and only in firmware code).
 */
export const NODE_ONLY_GLOBALS: string[] = [
  "Buffer", "setImmediate", "clearImmediate", "module", "exports", "__dirname", "__filename",
  "queueMicrotask", "structuredClone", "TextEncoder", "TextDecoder", "fetch", "URL", "URLSearchParams",
  "performance", "AbortController", "EventTarget", "Event", "MessageChannel", "BroadcastChannel",
  "Blob", "crypto", "navigator", "Worker",
];

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
  /** The board whose configuration is simulated (its name on the page and in DHCP); default "sim". */
  board?: string;
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
  /** Called before (true) and after (false) a console callback runs: a terminal lets Ctrl-C through as SIGINT then. */
  onConsoleCode?: (running: boolean) => void;
  /** JsVar count reported by process.memory() (default 12000); usage is estimateBlocks() of the firmware's globals + WALK_CORRECTION (an estimate). */
  vars?: number;
}

export interface SimBoard {
  context: vm.Context;
  /** Runs the bundle; throws an Error with a clear message when it fails to load. */
  /** Runs code at the global scope (as the boot code); then the "init" event unless bootFile
   *  (a Storage .boot0-.boot3 file, which Espruino runs before the boot code). */
  load(code: string, filename: string, bootFile?: boolean): void;
  /**
   * Console: evaluates a line in the device's global scope; returns Espruino-style output. Ctrl-C
   * (SIGINT) interrupts it ("Execution Interrupted"); timers and watches it creates are "console
   * callbacks": their errors are printed, never fatal, and one that runs longer than
   * CALLBACK_LIMIT_MS (or gets a SIGINT) is interrupted.
   */
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
  if (/is not available on an Espruino board/.test(msg)) return true;
  const mod = /^Module (\S+) not found/.exec(msg);
  if (mod) return require("module").builtinModules.indexOf(mod[1].replace(/^node:/, "")) >= 0;
  const ref = /^(\S+) is not defined$/.exec(msg);
  return name === "ReferenceError" && !!ref && NODE_ONLY_GLOBALS.indexOf(ref[1]) >= 0;
}

/** The error vm raises when it stops a run (SIGINT or time bound), else "". */
export function interruption(e: any): string {
  const code = e && e.code;
  if (code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") return "sigint";
  if (code === "ERR_SCRIPT_EXECUTION_TIMEOUT") return "timeout";
  return "";
}

export function describeError(e: any): string {
  if (e && typeof e === "object" && "message" in e) {
    const name = (e.constructor && e.constructor.name) || "Error";
    return name + ": " + e.message;
  }
  return String(e);
}

/**
 * True when `code` leaves a bracket, a template string or a comment open: the console waits for
 * more lines, as Espruino's does. Anything else (`1+` included) is run as it is.
 */
export function isIncomplete(code: string): boolean {
  let depth = 0;
  try {
    for (const t of acorn.tokenizer(code, { ecmaVersion: 2020 })) {
      const l = t.type.label;
      if (l === "{" || l === "(" || l === "[" || l === "${") depth++;
      else if (l === "}" || l === ")" || l === "]") depth--;
    }
  } catch (e) {
    return /Unterminated (template|comment)/.test(String((e as Error).message));
  }
  return depth > 0;
}

/**
 * Console code with every function it makes guarded: the body of `function f(a) { body }` becomes
 * `return __sim_guard(() => { body })` (an arrow keeps `this`, `arguments` and the parameters), and
 * `(a) => expr` becomes `(a) => __sim_guard(() => (expr))`. When the firmware calls such a function
 * (an HTTP route handler registered on the console, a callback passed to a firmware API), the sim
 * runs its body under Ctrl-C and CALLBACK_LIMIT_MS (prelude.js, __sim_guard); called from console
 * code it just runs. Generators and async functions are left as they are. Code that does not parse
 * is returned unchanged (its SyntaxError is the engine's). Positions and lines are kept.
 */
export function guardFunctions(code: string): string {
  let ast: acorn.Node;
  try { ast = acorn.parse(code, { ecmaVersion: 2020 }); } catch { return code; }
  const edits: { pos: number; open: boolean; text: string }[] = [];
  walk.full(ast, (n: any) => {
    if (n.type !== "FunctionDeclaration" && n.type !== "FunctionExpression" && n.type !== "ArrowFunctionExpression") return;
    if (n.generator || n.async) return;
    const b = n.body;
    if (b.type === "BlockStatement") {
      // after a directive prologue ("use strict" stays the function's own)
      let at = b.start + 1;
      for (const st of b.body) { if (st.type === "ExpressionStatement" && typeof st.directive === "string") at = st.end; else break; }
      edits.push({ pos: at, open: true, text: "return __sim_guard(() => {" }, { pos: b.end - 1, open: false, text: "});" });
    } else {
      edits.push({ pos: b.start, open: true, text: "__sim_guard(() => (" }, { pos: b.end, open: false, text: "))" });
    }
  });
  if (!edits.length) return code;
  // from the end; at one position a closing text is inserted before an opening one (`{}`)
  edits.sort((x, y) => y.pos - x.pos || (x.open === y.open ? 0 : x.open ? 1 : -1));
  let out = code;
  for (const e of edits) out = out.slice(0, e.pos) + e.text + out.slice(e.pos);
  return out;
}

/** A value echoed in full up to this many characters; larger objects are summarised. */
export const ECHO_MAX_CHARS = 1200;
/** Typed arrays longer than this are echoed with their first elements only. */
const ECHO_MAX_ELEMENTS = 32;

/** Formats a value the way Espruino's console echoes it after `=`; large objects as a short summary. */
export function formatValue(v: any): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "function") return "function " + (v.name || "") + "() { ... }";
  if (ArrayBuffer.isView(v)) {
    const ctor = v.constructor && v.constructor.name;
    const n = (v as any).length as number;
    if (n > ECHO_MAX_ELEMENTS) return "new " + ctor + "(" + n + ") [" + Array.prototype.slice.call(v, 0, 8).join(", ") + ", ...]";
    return "new " + ctor + "([" + Array.prototype.join.call(v, ", ") + "])";
  }
  const full = util.inspect(v, { depth: 2, breakLength: 100 });
  return full.length <= ECHO_MAX_CHARS ? full : summarise(v);
}

/** One line per member, nested objects and arrays as their kind and size only. */
function summarise(v: any): string {
  const keys = Object.keys(v);
  const isArray = Array.isArray(v);
  const shown = keys.slice(0, 40).map((k) => {
    const x = v[k];
    let s: string;
    if (x === null || x === undefined || typeof x === "number" || typeof x === "boolean") s = String(x);
    else if (typeof x === "string") s = x.length > 40 ? JSON.stringify(x.slice(0, 40)) + "..." : JSON.stringify(x);
    else if (typeof x === "function") s = "function";
    else if (ArrayBuffer.isView(x)) s = (x.constructor && x.constructor.name) + "(" + (x as any).length + ")";
    else if (Array.isArray(x)) s = "[ " + x.length + " items ]";
    else { const n = Object.keys(x).length; s = "{ " + n + (n === 1 ? " member }" : " members }"); }
    return "  " + (isArray ? "" : k + ": ") + s;
  });
  const more = keys.length > shown.length ? "\n  ... " + (keys.length - shown.length) + " more" : "";
  return (isArray ? "[" : "{") + "\n" + shown.join(",\n") + more + "\n" + (isArray ? "]" : "}") +
    " (a summary of " + keys.length + (isArray ? " items: type x[i]" : " members: type x.member") + " to see one)";
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
 * The difference between the interpreter's count and estimateBlocks() of the firmware's globals
 * at idle. Measured on Espruino 2v29 (32-bit, 14-byte blocks, sim bundle, 8 slots, DHCP, with
 * the real-interpreter engine): since the bundle has no wrapper function (tools/flatten.ts) the
 * walk sees every firmware function as a global and counts each as 8 variables plus names, where
 * the interpreter needs about 5 plus one per parameter and the driver, IP stack and TCP became
 * records over typed arrays: the interpreter idles at 6,019 where the walk counts 7,223, so 1,204
 * fewer. (Before: +1,930 after the first #12 round, +5,100 before it.) process.memory() in the vm
 * is therefore walk + this, still an estimate: the sim says so at start; `--espruino` gives the
 * interpreter's own figures. Recalibrate when the firmware's structure changes.
 */
export const WALK_CORRECTION = -1204;

/** Who made a timer or watch: the firmware (the bundle and its callbacks) or the console (a user). */
type Origin = "firmware" | "console";
interface Watch { id: number; fn: Function; pin: string; edge: string; repeat: boolean; lastTime: number; origin: Origin }

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
  /** Who is running now: timers and watches created now belong to it. */
  let running: Origin = "firmware";
  let nextWatch = 1;
  let nextTimer = 1;
  let stopped = false;
  fs.mkdirSync(opts.storageDir, { recursive: true });

  const context = vm.createContext({});
  let helpers: { watchEvent: Function; emit: Function; absent: Function; arm: Function; bound(n: number): number; thrownByConsole(e: any): boolean };
  // Runs the callback armed by helpers.arm() inside the context, so that vm can bound it.
  const CALL = new vm.Script("__sim_call()", { filename: "callback" });
  // Runs the body of a console-made function that the firmware called (prelude.js __sim_guard).
  const GUARDED = new vm.Script("__sim_guarded()", { filename: "console function" });

  function uncaught(e: any, origin: Origin): void {
    counters.uncaught++;
    out("Uncaught " + describeError(e));
    // Only firmware code relying on Node is fatal; a user's mistake on the console is printed and
    // the device runs on, as on Espruino.
    if (origin === "firmware" && isNodeOnlyError(e) && !helpers.thrownByConsole(e)) opts.onFatal("the firmware used something Espruino does not have: " + describeError(e));
  }
  /** Runs device code; a console callback under CALLBACK_LIMIT_MS and Ctrl-C. False when it was interrupted. */
  function callDevice(fn: Function, args: any[], origin: Origin): boolean {
    if (stopped) return true;
    resync = true;
    running = origin;
    try {
      if (origin === "firmware") fn.apply(undefined, args);
      else {
        helpers.arm(fn, args);
        const was = helpers.bound(1);
        if (opts.onConsoleCode) opts.onConsoleCode(true);
        try { CALL.runInContext(context, { timeout: CALLBACK_LIMIT_MS, breakOnSigint: true }); } finally {
          if (opts.onConsoleCode) opts.onConsoleCode(false);
          helpers.bound(was);
        }
      }
    } catch (e) {
      const why = interruption(e);
      if (!why) { uncaught(e, origin); return true; }
      out("Execution Interrupted" + (why === "timeout" ? ": a callback ran longer than " + CALLBACK_LIMIT_MS + " ms" : " (Ctrl-C)"));
      return false;
    } finally {
      running = "firmware";
    }
    return true;
  }

  // Espruino's own http/net/dgram/NetworkJS modules (sim/espruino-net), polled as its idle loop does.
  let espNet: ReturnType<typeof loadEspruinoNet>;
  const netEnv = { call: (fn: Function, self: any, args: any[]) => { callDevice(() => fn.apply(self, args), [], "firmware"); }, warn: (m: string) => out("WARNING: " + m) };
  const netLoop = setInterval(() => { if (!stopped && espNet) espNet.idle(); }, 2);

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
      setImmediate(() => {
        if (!callDevice(helpers.watchEvent, [w.fn, level, time, last], w.origin) && watches.delete(w.id)) out("(watch " + w.id + " removed)");
      });
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
    pinMode(name: string, m: string) {
      modes.set(name, m);
      // an input with a pull resistor reads its pull (nothing else drives the pin on this board)
      if (name !== SIM_WIRING.int && (m === "input_pullup" || m === "input_pulldown")) setLevel(name, m === "input_pullup");
    },
    analogRead(name: string) {
      // an output reads its level; an input a slow wave around mid-scale, like a pot or a light sensor
      if (modes.get(name) === "output") return levels.get(name) ? 1 : 0;
      const t = boardMs() / 1000;
      return Math.round((0.5 + 0.2 * Math.sin(t / 7 + name.length)) * 4095) / 4095;
    },
    getTemperature() { return Math.round((24.5 + 1.5 * Math.sin(boardMs() / 60000)) * 100) / 100; },
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
      watches.set(id, { id, fn, pin, edge, repeat, lastTime: boardMs() / 1000, origin: running });
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
      const origin = running;
      timers.set(id, setTimeout(() => { timers.delete(id); callDevice(fn, extra, origin); }, Math.max(0, ms)));
      return id;
    },
    setInterval(fn: Function, ms: number, extra: any[]) {
      const id = nextTimer++;
      const origin = running;
      timers.set(id, setInterval(() => {
        // an interval that had to be interrupted would block the device again: it is cleared
        if (!callDevice(fn, extra, origin) && timers.has(id)) { ops.clearTimer(id); out("(interval " + id + " cleared)"); }
      }, Math.max(1, ms)));
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
      const correction = Object.prototype.hasOwnProperty.call(globalObj, "device") ? WALK_CORRECTION : 0;
      const usage = Math.max(0, Math.min(vars, estimateBlocks(deviceRoots()) + correction));
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
    // require(name) of a Storage file: evaluated as Espruino evaluates a module (its top-level
    // names in a scope of their own, `exports` and `module`); pretokenised files are read back
    // to source first. undefined when there is no such file.
    module(name: string) {
      const p = storagePath(name);
      if (!fs.existsSync(p)) return undefined;
      let src = fs.readFileSync(p).toString("latin1");
      if (/[\x80-\xff]/.test(src)) src = require("../tools/flash").cliPretokeniser().untokenise(src);
      const fn = vm.runInContext("(function (exports, module) {\n" + src + "\n})", context, { filename: name });
      const mod = vm.runInContext("({ exports: {} })", context);
      fn.call(mod.exports, mod.exports, mod);
      return mod.exports;
    },
    "storage.erase"(name: string) { fs.rmSync(storagePath(name), { force: true }); },
    "storage.free"() {
      let used = 0;
      for (const f of fs.readdirSync(opts.storageDir)) used += fs.statSync(path.join(opts.storageDir, f)).size;
      return Math.max(0, 1024 * 1024 - used);
    },
    // The firmware called a function made on the console (prelude.js __sim_guard): its body runs
    // bounded; 0 when it returned or threw (the prelude passes that on), 2 when it was interrupted.
    guard() {
      const was = running;
      running = "console";   // what it creates is the console's; its errors are never fatal
      const bound = helpers.bound(1);
      if (opts.onConsoleCode) opts.onConsoleCode(true);
      try {
        GUARDED.runInContext(context, { timeout: CALLBACK_LIMIT_MS, breakOnSigint: true });
        return 0;
      } catch (e) {
        const why = interruption(e);
        if (!why) throw e;
        out("Execution Interrupted" + (why === "timeout" ? ": a function made on the console, called by the firmware, ran longer than " + CALLBACK_LIMIT_MS + " ms" : " (Ctrl-C)"));
        return 2;
      } finally {
        if (opts.onConsoleCode) opts.onConsoleCode(false);
        helpers.bound(bound);
        running = was;
      }
    },
    require(name: string) { return espNet.require(name); },
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
  espNet = loadEspruinoNet(context, netEnv);
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
    load(code: string, filename: string, bootFile?: boolean): void {
      try {
        resync = true;
        running = "firmware";
        vm.runInContext(code, context, { filename });
        if (!bootFile) helpers.emit("init");
      } catch (e) {
        stopAll();
        const why = isNodeOnlyError(e)
          ? "it uses something Espruino does not have (a Node global, a Node module or process.env): "
          : "it threw while loading: ";
        throw new Error("sim: the bundle " + filename + " was rejected, " + why + describeError(e));
      }
    },
    evalLine(line: string): string {
      running = "console";
      const was = helpers.bound(1);
      try {
        resync = true;
        const v = vm.runInContext(guardFunctions(line), context, { filename: "console", breakOnSigint: true });
        return "=" + formatValue(v);
      } catch (e) {
        if (interruption(e)) return "Execution Interrupted";
        return "Uncaught " + describeError(e);
      } finally {
        helpers.bound(was);
        running = "firmware";
      }
    },
    pinLevel(name: string): boolean { return !!levels.get(name); },
    stop: stopAll,
  };

  function stopAll(): void {
    stopped = true;
    clearInterval(chipClock);
    clearInterval(netLoop);
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
    watches.clear();
  }
}
