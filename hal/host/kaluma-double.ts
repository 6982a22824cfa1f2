// A Kaluma-shaped API double over the ENC28J60 emulator (host code that must also run on
// JerryScript's desktop engine `jerry`: no Node APIs, no Buffer). It installs on a global object
// the names a Kaluma 1.3 program sees (read from Kaluma 1.3.0-beta.2's src/global.c and its spi,
// storage and fs modules) and behaves as Kaluma does where a HAL could get it wrong:
// - require("spi").SPI: transfer()/send() clock out the WHOLE ArrayBuffer under the array they
//   are given (Kaluma ignores a view's offset and length), only while CS is low; transfer returns
//   a new Uint8Array. Mode, bit order, clock and pins are checked against the wiring.
// - CS, RESET and INT are GPIO numbers: digitalWrite(cs) frames the emulator's transaction, a
//   rising RESET after a low one resets the chip, digitalRead(int) reads its INT line.
// - setWatch(fn, pin, FALLING): falling INT edges are queued and the callbacks run from the event
//   loop (turn()), never inside an SPI call. clearTimeout/clearInterval with a non-number throw.
// - millis(): the emulator's clock, an integer. setTimeout/setInterval: virtual timers run by turn().
// - require("storage") (getItem/setItem/removeItem), require("fs") (readdir, readFile).
// - process.memoryUsage(): fixed figures (desktop JerryScript offers no heap figure to JS).

import { fallbacks } from "../natives";

/** The far side of the pins and the bus: the ENC28J60 emulator, or a replay of a recorded run. */
export interface Chip {
  now(): number;
  csLow(): void;
  csHigh(): void;
  exchange(byte: number): number;
  intLevel(): boolean;
  hardwareReset(): void;
  onIntChange(fn: (level: boolean) => void): void;
  /** A byte clocked out whose answer is discarded (SPI send); default exchange(). */
  discard?(byte: number): void;
  /** millis(); default Math.floor(now()). */
  millis?(): number;
}

/**
 * What the program saw from the outside world, in order, recorded on one run (record) so that a
 * second run of the same program can be fed exactly the same (replay) without the emulator and
 * the peer: every byte an SPI transfer returned, every millis() and INT reading, and every event
 * loop turn that ran something (INT callbacks, timer ids). What the program sent is summed up as
 * a CRC-32 of every byte it clocked out (MOSI) and the frames it handed to the chip to transmit.
 */
export interface Trace {
  miso: number[];
  millis: number[];
  reads: number[];
  /** Per busy turn: 1 when INT callbacks ran, then the ids of the timers that fired. */
  turns: number[][];
  /** Math.random() draws the program made (DHCP transaction ids, TCP's ISN secret). */
  random: number[];
}

export interface KalumaDoubleOptions {
  emu: Chip;
  /** The board's wiring as GPIO numbers (what the board file passes to the HAL). */
  wiring: { bus: number; sck: number; mosi: number; miso: number; cs: number; int: number; reset: number };
  /** Files in Kaluma's file system, by absolute path ("/www-index.html"). */
  files: { [path: string]: Uint8Array };
  /** board.uid (Kaluma: the flash chip's unique id, hex). */
  uid: string;
  /** heapTotal reported by process.memoryUsage() (heapUsed is reported as 0). */
  heapTotal: number;
  /** Where console.log and print go. */
  print: (s: string) => void;
  /** Also install Espruino's E (the natives' JS fallbacks): for firmware that still calls E.*. */
  eShim?: boolean;
  /** Record what the program sees into this trace. */
  record?: Trace;
  /** Print every frame the program hands to the chip for transmission ("> hex"). */
  printFrames?: boolean;
  /** Leave out the MOSI CRC (timing runs: the double's own per-byte work should not count). */
  noCrc?: boolean;
  /**
   * readFile returns a copy, as Kaluma does (default). false: the double's own array, shared with
   * the program (a replay on a small heap, where the double drops its references after boot).
   */
  copyFiles?: boolean;
}

export interface KalumaLoop {
  /** One turn of Kaluma's event loop: INT watches, then due timers. Returns callbacks run. */
  turn(): number;
  /** Timers pending (setTimeout not yet run, setInterval not cleared). */
  timers(): number;
  /** Bytes clocked over SPI and SPI calls so far. */
  spiBytes(): number;
  spiCalls(): number;
  /** CRC-32 of every byte the program clocked out (MOSI). */
  mosiCrc(): number;
  /** Runs the timers with these ids (in order) and, with edge, the INT watches: a replayed turn. */
  replayTurn(edge: boolean, ids: number[]): void;
}

/** The ENC28J60's Write Buffer Memory opcode: a send() starting with it carries a frame to transmit. */
const WBM = 0x7a;
const HEX = "0123456789abcdef";

interface Timer { id: number; when: number; ms: number; fn: () => void; repeat: boolean }

const HIGH = 1, LOW = 0, INPUT = 0, OUTPUT = 1, INPUT_PULLUP = 2, INPUT_PULLDOWN = 3, FALLING = 4;
/** The ENC28J60's SPI clock limit. */
const MAX_HZ = 20000000;

export function installKalumaDouble(g: any, o: KalumaDoubleOptions): KalumaLoop {
  const emu = o.emu, w = o.wiring;
  const pins: number[] = [];
  const modes: number[] = [];
  let csLow = false, resetLow = false, spiOpen = false, bytes = 0, calls = 0;
  const watches: Array<(pin: number) => void> = [];
  let edges = 0;
  let timers: Timer[] = [];
  let nextId = 1;
  const store: { [k: string]: string } = {};

  function fail(msg: string): never { throw new Error("kaluma double: " + msg); }
  function num(v: any, what: string): number { if (typeof v !== "number") throw new TypeError(what + " must be a number"); return v; }

  const rec = o.record;
  let crc = -1;
  const crcOn = !o.noCrc;
  function mosi(b: number): void {
    if (!crcOn) return;
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  emu.onIntChange((level) => { if (!level) edges++; });

  function pinMode(pin: number, mode: number): void {
    num(pin, "pin");
    if (mode !== INPUT && mode !== OUTPUT && mode !== INPUT_PULLUP && mode !== INPUT_PULLDOWN) fail("pinMode(" + pin + ", " + mode + ")");
    modes[pin] = mode;
  }
  function digitalWrite(pin: number, value: number): void {
    num(pin, "pin");
    if (modes[pin] !== OUTPUT) fail("digitalWrite(" + pin + ") before pinMode(" + pin + ", OUTPUT)");
    const v = value ? HIGH : LOW;
    pins[pin] = v;
    if (pin === w.cs) {
      if (!v && !csLow) { csLow = true; emu.csLow(); } else if (v && csLow) { csLow = false; emu.csHigh(); }
    } else if (pin === w.reset) {
      if (v && resetLow) emu.hardwareReset();
      resetLow = !v;
    }
  }
  function digitalRead(pin: number): number {
    num(pin, "pin");
    if (pin === w.int) {
      const v = emu.intLevel() ? HIGH : LOW;
      if (rec) rec.reads.push(v);
      return v;
    }
    return pins[pin] || LOW;
  }
  function setWatch(fn: (pin: number) => void, pin: number, events?: number): number {
    if (typeof fn !== "function") throw new TypeError("callback must be a function");
    num(pin, "pin");
    if (pin !== w.int || events !== FALLING) fail("setWatch on pin " + pin + " events " + events + " (only FALLING on INT " + w.int + " is wired)");
    watches.push(fn);
    return watches.length;
  }

  function addTimer(fn: () => void, ms: number, repeat: boolean): number {
    if (typeof fn !== "function") throw new TypeError("callback must be a function");
    num(ms, "delay");
    const t: Timer = { id: nextId++, when: Math.floor(emu.now()) + ms, ms, fn, repeat };
    timers.push(t);
    return t.id;
  }
  function clearTimer(id: number): void {
    num(id, "id");   // Kaluma: clearTimeout(undefined) throws
    timers = timers.filter((t) => t.id !== id);
  }

  class SPI {
    static MODE_0 = 0; static MODE_1 = 1; static MODE_2 = 2; static MODE_3 = 3;
    static MSB = 0; static LSB = 1;
    bus: number;
    constructor(bus: number, opt: any) {
      num(bus, "bus");
      const x = opt || {};
      if (bus !== w.bus) fail("SPI bus " + bus + " (the ENC28J60 is on " + w.bus + ")");
      if ((x.mode || 0) !== 0) fail("SPI mode " + x.mode + " (the ENC28J60 needs mode 0)");
      if ((x.bitorder || 0) !== 0) fail("SPI bit order LSB (the ENC28J60 needs MSB first)");
      if (!(x.baudrate > 0 && x.baudrate <= MAX_HZ)) fail("SPI clock " + x.baudrate + " (0 < clock <= 20 MHz)");
      if (x.sck !== w.sck || x.mosi !== w.mosi || x.miso !== w.miso) fail("SPI pins sck " + x.sck + " mosi " + x.mosi + " miso " + x.miso);
      this.bus = bus;
      spiOpen = true;
    }
    /** What Kaluma clocks out: the whole buffer under data. */
    private wire(data: Uint8Array, op: string): Uint8Array {
      if (!spiOpen) fail(op + " on a closed bus");
      if (!(data instanceof Uint8Array)) throw new TypeError("The data argument must be Uint8Array or string.");
      if (!csLow) fail(op + " with CS high");
      calls++;
      return new Uint8Array(data.buffer);
    }
    transfer(data: Uint8Array, timeout?: number): Uint8Array {
      const out = this.wire(data, "transfer");
      for (let i = 0; i < out.length; i++) {
        mosi(out[i]);
        out[i] = emu.exchange(out[i]);
        if (rec) rec.miso.push(out[i]);
      }
      bytes += out.length;
      void timeout;
      return out;
    }
    send(data: Uint8Array, timeout?: number, count?: number): number {
      const out = this.wire(data, "send");
      const n = count === undefined ? 1 : count;
      for (let c = 0; c < n; c++) {
        if (emu.discard) { if (crcOn) for (let i = 0; i < out.length; i++) mosi(out[i]); continue; }   // a replay: nothing to answer
        for (let i = 0; i < out.length; i++) { mosi(out[i]); emu.exchange(out[i]); }
      }
      if (o.printFrames && out[0] === WBM && out.length > 2) {
        let h = "";
        for (let i = 2; i < out.length; i++) h += HEX[out[i] >> 4] + HEX[out[i] & 15];
        o.print("> " + h);   // byte 1 is the per-packet control byte; the frame follows
      }
      bytes += out.length * n;
      void timeout;
      return 0;
    }
    close(): void { spiOpen = false; }
  }

  const storage = {
    getItem: (k: string): string | null => (Object.prototype.hasOwnProperty.call(store, k) ? store[k] : null),
    setItem: (k: string, v: string): void => { store[k] = String(v); },
    removeItem: (k: string): void => { delete store[k]; },
  };
  const fs = {
    readdir: (path: string): string[] => {
      if (path !== "/") fail("readdir(" + path + ")");
      return Object.keys(o.files).map((p) => p.substring(1));
    },
    readFile: (path: string): Uint8Array => {
      const f = o.files[path];
      if (!f) { const e: any = new Error("ENOENT"); e.errno = -2; throw e; }
      return o.copyFiles === false ? f : f.slice();   // Kaluma reads into a new Uint8Array of the file's size
    },
  };

  g.HIGH = HIGH; g.LOW = LOW; g.INPUT = INPUT; g.OUTPUT = OUTPUT; g.INPUT_PULLUP = INPUT_PULLUP;
  g.INPUT_PULLDOWN = INPUT_PULLDOWN; g.FALLING = FALLING; g.RISING = 2; g.CHANGE = 6;
  g.pinMode = pinMode; g.digitalWrite = digitalWrite; g.digitalRead = digitalRead;
  g.setWatch = setWatch;
  g.clearWatch = (): void => fail("clearWatch is not used by the HAL");
  g.attachInterrupt = (): void => fail("attachInterrupt runs JS inside the IRQ handler: use setWatch");
  g.millis = (): number => {
    const t = emu.millis ? emu.millis() : Math.floor(emu.now());
    if (rec) rec.millis.push(t);
    return t;
  };
  g.setTimeout = (fn: () => void, ms: number): number => addTimer(fn, ms, false);
  g.setInterval = (fn: () => void, ms: number): number => addTimer(fn, ms, true);
  g.clearTimeout = clearTimer;
  g.clearInterval = clearTimer;
  g.require = (name: string): any => {
    if (name === "spi") return { SPI };
    if (name === "storage") return storage;
    if (name === "fs") return fs;
    throw new Error("Module not found: " + name);
  };
  g.process = { memoryUsage: () => ({ heapTotal: o.heapTotal, heapUsed: 0, heapPeak: 0 }) };
  g.board = { name: "double", uid: o.uid, LED: 25 };
  g.console = { log: (...a: any[]) => o.print(a.join(" ")) };
  g.global = g;
  if (o.eShim) {
    g.E = { sum: fallbacks.sum, convolve: fallbacks.convolve, CRC32: fallbacks.crc32, toString: fallbacks.bytesToString, toUint8Array: fallbacks.stringToBytes };
  }

  return {
    turn(): number {
      let ran = 0;
      const record: number[] = [0];
      if (edges > 0) {
        edges = 0;
        record[0] = 1;
        for (let i = 0; i < watches.length; i++) { watches[i](w.int); ran++; }
      }
      const now = Math.floor(emu.now());
      const due = timers.filter((t) => t.when <= now).sort((a, b) => a.when - b.when || a.id - b.id);
      for (const t of due) {
        if (timers.indexOf(t) < 0) continue;   // cleared by an earlier callback
        if (t.repeat) t.when += t.ms > 0 ? t.ms : 1; else timers = timers.filter((x) => x !== t);
        record.push(t.id);
        t.fn();
        ran++;
      }
      if (rec && ran > 0) rec.turns.push(record);
      return ran;
    },
    replayTurn(edge: boolean, ids: number[]): void {
      if (edge) for (let i = 0; i < watches.length; i++) watches[i](w.int);
      for (const id of ids) {
        const t = timers.filter((x) => x.id === id)[0];
        if (!t) throw new Error("kaluma double: replay: timer " + id + " is not set (the program went another way)");
        if (!t.repeat) timers = timers.filter((x) => x !== t);
        t.fn();
      }
    },
    mosiCrc: () => (crc ^ -1) >>> 0,
    timers: () => timers.length,
    spiBytes: () => bytes,
    spiCalls: () => calls,
  };
}

/** Trace as text (compact, for a script on a small heap): see decodeTrace / ReplayChip. */
export interface TraceText { miso: string[]; millis: string[]; reads: string; turns: string; random: string }

/**
 * Characters per piece of the binary trace strings: JerryScript stores strings as CESU-8, so
 * charCodeAt(i) on a string with characters above 127 walks it from the start; short pieces keep
 * every read cheap.
 */
const PIECE = 64;

/**
 * The trace as compact text: SPI answers one character per byte (codes 0-255), millis() as one
 * character per increase (an increase of 0xffff or more as 0xffff then the rest), INT readings as
 * "0"/"1", turns as "edge:id.id;..." and the draws as decimal numbers.
 */
export function encodeTrace(t: Trace): TraceText {
  const miso: string[] = [];
  for (let i = 0; i < t.miso.length; i += PIECE) miso.push(String.fromCharCode.apply(null, t.miso.slice(i, i + PIECE)));
  const ms: number[] = [];
  let last = 0;
  for (const v of t.millis) {
    let d = v - last;
    if (d < 0) throw new Error("trace: millis() went back");
    while (d >= 0xffff) { ms.push(0xffff); d -= 0xffff; }
    ms.push(d);
    last = v;
  }
  const millis: string[] = [];
  for (let i = 0; i < ms.length; i += PIECE) millis.push(String.fromCharCode.apply(null, ms.slice(i, i + PIECE)));
  return {
    miso, millis, reads: t.reads.join(""),
    turns: t.turns.map((r) => r[0] + ":" + r.slice(1).join(".")).join(";"),
    random: t.random.map((v) => String(v)).join(","),
  };
}

/** The chip side of a replay: answers from a recorded trace, read as it goes (no decoding up front). */
export class ReplayChip implements Chip {
  private mp = 0;
  private tp = 0;
  private rp = 0;
  private last = 0;
  misoUsed = 0;
  millisUsed = 0;
  readsUsed = 0;
  constructor(private t: TraceText) {}
  now(): number { return this.last; }
  millis(): number {
    const s = this.t.millis;
    let d: number;
    do {
      const piece = s[(this.tp / PIECE) | 0];
      if (piece === undefined || this.tp % PIECE >= piece.length) throw new Error("replay: more millis() calls than recorded");
      d = piece.charCodeAt(this.tp++ % PIECE);
      this.last += d;
    } while (d === 0xffff);
    this.millisUsed++;
    return this.last;
  }
  csLow(): void { /* transactions are framed by the recorded bytes */ }
  csHigh(): void { /* idem */ }
  exchange(): number {
    const piece = this.t.miso[(this.mp / PIECE) | 0];
    if (piece === undefined || this.mp % PIECE >= piece.length) throw new Error("replay: more SPI bytes read than recorded");
    const v = piece.charCodeAt(this.mp++ % PIECE);
    this.misoUsed++;
    return v;
  }
  discard(): void { /* nothing was recorded for a send */ }
  intLevel(): boolean {
    if (this.rp >= this.t.reads.length) throw new Error("replay: more INT readings than recorded");
    this.readsUsed++;
    return this.t.reads.charAt(this.rp++) === "1";
  }
  hardwareReset(): void { /* the recorded answers already follow it */ }
  private draws: number[] | null = null;
  /** The program's next Math.random() draw. */
  random(): number {
    if (!this.draws) this.draws = this.t.random ? this.t.random.split(",").map(Number) : [];
    if (!this.draws.length) throw new Error("replay: more Math.random() draws than recorded");
    return this.draws.shift() as number;
  }
  onIntChange(): void { /* edges come from the recorded turns */ }
  /** Every recorded turn as [edge, timer ids...], in order. */
  turns(): number[][] {
    if (!this.t.turns) return [];
    return this.t.turns.split(";").map((r) => {
      const c = r.indexOf(":");
      const ids = r.substring(c + 1);
      return [Number(r.substring(0, c))].concat(ids ? ids.split(".").map(Number) : []);
    });
  }
}
