// The real-interpreter engine of the simulated board: Espruino's own Linux build runs the bundle,
// booted from its flash file exactly as `make flash` leaves a board (.boot0 = the prelude that
// adapts the board, .bootcde = the pretokenised bundle, www/ = the page files), with the
// project's ENC28J60 emulator on the board's SPI bus through a synchronous bridge (two named
// pipes, see prelude.js) and the INT line in a file-backed GPIO pin (Espruino built with
// SYSFS_GPIO_DIR="gpio", so its setWatch sees the edges). Espruino's own console is the console.
//
// A 32-bit build (a board's memory layout) that the kernel cannot run (no ia32 emulation) runs
// through qemu-i386 when it is installed.

import { spawn, spawnSync, execFileSync, ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import { SimBoard, SimConfig, SpiChip, SIM_WIRING } from "../board";
import { storedProgram } from "../../tools/flash";
import { flashImage, FLASH_FILE, StorageFile } from "./flash";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const PRELUDE_FILE = path.join(ROOT, "sim", "espruino", "prelude.js");

/** The serial number the prelude gives non-sim boards (their MAC derives from it). */
export const BOARD_SERIAL = "33ffd605-41573033-15720843";
/** Each INT level is held this long in the GPIO file: Espruino's IO thread polls it every 1 ms. */
const INT_HOLD_MS = 2;

const enum Op { SEND = 0x53, WRITE = 0x57, NULL = 0x4e }
const enum Hdr { LEN = 4 }

/** The board file's wiring: the SPI global and the pin names (boards/<board>.ts, start({...})). */
export interface BoardWiring { spi: string; pins: { [role: string]: string } }

export function boardWiring(board: string): BoardWiring {
  const file = path.join(ROOT, "boards", board + ".ts");
  if (!fs.existsSync(file)) throw new Error("espruino engine: no board file " + path.relative(ROOT, file) + " for the bundle " + board + ".js");
  const src = fs.readFileSync(file, "utf8");
  const pins: { [role: string]: string } = {};
  let spi = "";
  for (const m of src.matchAll(/\b(spi|sck|miso|mosi|cs|int|reset|led)\s*:\s*([A-Z][A-Za-z0-9]*)\b/g)) {
    if (m[1] === "spi") spi = m[2]; else pins[m[1]] = m[2];
  }
  if (!spi || !pins.cs) throw new Error("espruino engine: cannot read the SPI wiring from " + path.relative(ROOT, file));
  return { spi, pins };
}

/** How to run this binary here: directly, or through qemu-i386 for a 32-bit i386 build the kernel refuses. */
export function interpreterCommand(bin: string): { cmd: string; args: string[]; bits: number; via?: string } {
  if (!fs.existsSync(bin)) throw new Error("espruino engine: ESPRUINO=" + bin + " does not exist");
  const head = Buffer.alloc(20);
  const fd = fs.openSync(bin, "r");
  fs.readSync(fd, head, 0, 20, 0);
  fs.closeSync(fd);
  if (head.readUInt32BE(0) !== 0x7f454c46) throw new Error("espruino engine: " + bin + " is not an ELF executable (Espruino's Linux build expected)");
  const bits = head[4] === 1 ? 32 : 64;
  const i386 = bits === 32 && head.readUInt16LE(18) === 3;
  if (!i386 || process.arch !== "x64") return { cmd: bin, args: [], bits };
  // A kernel without ia32 emulation refuses it (ENOEXEC; execvp then hands it to /bin/sh, which
  // fails on the binary): it runs only when its own --help answers.
  const direct = spawnSync(bin, ["--help"], { timeout: 10000, encoding: "latin1" });
  if (!direct.error && /Usage:/.test((direct.stdout || "") + (direct.stderr || ""))) return { cmd: bin, args: [], bits };
  const qemu = spawnSync("qemu-i386", ["--version"], { timeout: 10000, stdio: "ignore" });
  if (!qemu.error) return { cmd: "qemu-i386", args: [bin], bits, via: "qemu-i386" };
  throw new Error("espruino engine: " + bin + " is a 32-bit (i386) build and this kernel cannot run 32-bit programs " +
    "(ia32 emulation is off). Either enable it (kernel option ia32_emulation=1) or install qemu's user-mode " +
    "emulator (`apt-get install qemu-user`), which the engine then uses by itself.");
}

/** The prelude as stored: without comment lines, trailing comments and indentation (it sits in flash; less to lex). */
export function stripComments(src: string): string {
  return src.split("\n").map((l) => l.replace(/\s+\/\/ [^"]*$/, "").trim()).filter((l) => l && !l.startsWith("//")).join("\n");
}

export interface EspruinoBoardOptions {
  espruino: string;
  bundle: string;
  chip: SpiChip;
  /** SIM_CONFIG for the sim bundle (mac, address, slots); other boards get DHCP and their own slots. */
  config: SimConfig;
  /** The page files (dist/www): stored as www/<name>. */
  www: string;
  out: (line: string) => void;
  /** Working directory (flash file, GPIO files, pipes); default a new temporary one, removed at stop. */
  dir?: string;
  /** A command put in front of the interpreter (e.g. valgrind and its options). */
  wrap?: string[];
  /** Extra Storage files (after the page files). */
  extraFiles?: StorageFile[];
  /** Omit the program (.bootcde): the interpreter with the prelude alone (the bench's baseline). */
  noProgram?: boolean;
  /** Sample process.memory() at every bridge exchange; the highest usage is __bridge.peak (the bench's peak). */
  peak?: boolean;
  /** How long the boot may take before it counts as hung (default 120 s). */
  bootTimeoutMs?: number;
}

export interface EspruinoBoard extends SimBoard {
  engine: "espruino";
  /** The interpreter's process. */
  child: ChildProcess;
  pid: number;
  /** Resolves once the firmware printed its start line; rejects with a clear message (out of memory, an error, an exit, a hang). */
  booted: Promise<void>;
  /** Evaluates an expression in the interpreter and resolves with its JSON value. */
  query(expr: string, timeoutMs?: number): Promise<any>;
  /** Runs code in the interpreter and resolves with the console lines it printed (e.g. E.dumpVariables()). */
  capture(code: string, timeoutMs?: number): Promise<string[]>;
  /** Console lines that report an error (Uncaught, ERROR, out of memory). */
  errors: string[];
  /** The MAC the firmware uses (for the gateway's DHCP snooping). */
  mac: string;
  /** The pipes' raw request count including bridge calibration (counters.spiTransactions counts chip work only). */
  bridgeCalls: number;
  dir: string;
  exited: Promise<number | null>;
}

export function startEspruinoBoard(o: EspruinoBoardOptions): EspruinoBoard {
  const run = interpreterCommand(o.espruino);
  const board = path.basename(o.bundle, ".js");
  const wiring = boardWiring(board);
  const own = !o.dir;
  const dir = o.dir || fs.mkdtempSync(path.join(os.tmpdir(), "espruino-board-"));
  fs.mkdirSync(dir, { recursive: true });

  // Pins: the board's names onto the Linux build's D pins, wired as the sim board is.
  const linux: { [role: string]: string } = { ...SIM_WIRING };
  const pins: { [name: string]: string } = {};
  for (const role of Object.keys(wiring.pins)) pins[wiring.pins[role]] = linux[role] || wiring.pins[role];
  const pinNumber = (name: string): number => Number((pins[name] || name).replace(/^D/, ""));
  const gpio = path.join(dir, "gpio");
  fs.mkdirSync(gpio, { recursive: true });
  for (const f of ["export", "unexport"]) fs.writeFileSync(path.join(gpio, f), "");
  for (let i = 0; i <= 32; i++) {
    fs.mkdirSync(path.join(gpio, "gpio" + i), { recursive: true });
    fs.writeFileSync(path.join(gpio, "gpio" + i, "value"), i === pinNumber(wiring.pins.cs) || i === pinNumber(wiring.pins.reset || "") ? "1" : "0");
    fs.writeFileSync(path.join(gpio, "gpio" + i, "direction"), "in ");
  }
  const valueFile = (name: string): string => path.join(gpio, "gpio" + pinNumber(name), "value");

  // The bridge's pipes, opened read-write here so that neither side blocks on open.
  const reqPath = path.join(dir, "spi.req");
  const resPath = path.join(dir, "spi.res");
  for (const p of [reqPath, resPath]) { fs.rmSync(p, { force: true }); execFileSync("mkfifo", [p]); }
  const reqFd = fs.openSync(reqPath, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const resFd = fs.openSync(resPath, fs.constants.O_RDWR);

  // Storage, as `make flash` leaves a board.
  const cfg: any = { req: "spi.req", res: "spi.res", spi: wiring.spi, pins, reset: wiring.pins.reset };
  if (board === "sim") cfg.sim = o.config; else cfg.serial = BOARD_SERIAL;
  if (o.peak) cfg.peak = 1;
  const files: StorageFile[] = [{ name: ".boot0", data: Buffer.from(stripComments(fs.readFileSync(PRELUDE_FILE, "utf8")) + "(" + JSON.stringify(cfg) + ");", "latin1") }];
  if (!o.noProgram) files.push({ name: ".bootcde", data: Buffer.from(storedProgram(o.bundle), "latin1") });
  for (const f of fs.readdirSync(o.www).sort()) files.push({ name: "www/" + f, data: fs.readFileSync(path.join(o.www, f)) });
  for (const f of o.extraFiles || []) files.push(f);
  fs.writeFileSync(path.join(dir, FLASH_FILE), flashImage(files));

  const counters = { spiTransactions: 0, spiBytes: 0, watchEvents: 0, uncaught: 0 };
  const chip = o.chip;

  // INT: the chip's level into the pin's GPIO file, each level held INT_HOLD_MS.
  const intFd = wiring.pins.int ? fs.openSync(valueFile(wiring.pins.int), "r+") : -1;
  let fileLevel = true;
  let lastChange = 0;
  const queue: boolean[] = [];
  let timer: NodeJS.Timeout | null = null;
  function writeInt(level: boolean): void {
    if (intFd < 0) return;
    fs.writeSync(intFd, level ? "1" : "0", 0);
    if (fileLevel && !level) counters.watchEvents++;
    fileLevel = level;
    lastChange = performance.now();
  }
  function drainInt(): void {
    timer = null;
    while (queue.length) {
      const wait = lastChange + INT_HOLD_MS - performance.now();
      if (wait > 0) { timer = setTimeout(drainInt, wait); return; }
      writeInt(queue.shift()!);
    }
  }
  writeInt(chip.intLevel());
  chip.onIntChange((level) => {
    const last = queue.length ? queue[queue.length - 1] : fileLevel;
    if (last === level) return;
    queue.push(level);
    if (!timer) drainInt();
  });
  // RESET: the firmware drives the pin's GPIO file; every change resets the chip (as the vm
  // board does). Read before each bridge request and every millisecond.
  const resetFd = wiring.pins.reset ? fs.openSync(valueFile(wiring.pins.reset), "r") : -1;
  const one = Buffer.alloc(1);
  let resetLevel = 0x31;
  function checkReset(): void {
    if (resetFd < 0 || fs.readSync(resetFd, one, 0, 1, 0) !== 1 || one[0] === resetLevel) return;
    resetLevel = one[0];
    if (chip.hardwareReset) chip.hardwareReset();
  }
  let stopped = false;
  const chipClock = setInterval(() => { if (!stopped) { checkReset(); chip.intLevel(); } }, 1);
  chipClock.unref();

  // The bridge's host side.
  const reqSock = new net.Socket({ fd: reqFd, readable: true, writable: false });
  let pending: Buffer = Buffer.alloc(0);
  let bridgeCalls = 0;
  reqSock.on("data", (d: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, d]) : d;
    for (;;) {
      if (pending.length < Hdr.LEN) return;
      const op = pending[0], len = pending[1] | (pending[2] << 8);
      if (pending.length < Hdr.LEN + len) return;
      const buf = new Uint8Array(pending.subarray(Hdr.LEN, Hdr.LEN + len));
      pending = pending.subarray(Hdr.LEN + len);
      bridgeCalls++;
      checkReset();
      if (op === Op.SEND || op === Op.WRITE) {
        counters.spiTransactions++;
        counters.spiBytes += len;
        chip.transaction(buf, len);
        if (op === Op.SEND) fs.writeSync(resFd, buf);
      } else if (op === Op.NULL) {
        fs.writeSync(resFd, buf);
      }
    }
  });
  reqSock.on("error", () => { /* the interpreter went away */ });

  const full = (o.wrap || []).concat([run.cmd], run.args);
  const cmd = full[0];
  const child = spawn(cmd, full.slice(1), { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  const errors: string[] = [];
  const recent: string[] = [];
  const queries = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextQuery = 1;
  let bootOk: () => void = () => {};
  let bootFail: (e: Error) => void = () => {};
  let bootState: "booting" | "up" | "failed" = "booting";
  const booted = new Promise<void>((res, rej) => { bootOk = res; bootFail = rej; });
  booted.catch(() => {});
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const mac = board === "sim" ? (o.config.mac || "02:45:4e:43:00:02") : require("../../boards/mac").macFromSerial(BOARD_SERIAL);

  function fail(why: string): void {
    if (bootState !== "booting") return;
    bootState = "failed";
    bootFail(new Error("espruino engine: the bundle " + board + ".js was rejected on " + path.basename(o.espruino) + ": " + why));
  }
  function outOfMemory(): void {
    // Espruino keeps running after it ran out: ask it how full it is, then report.
    query("process.memory()", 15000).then(
      (m) => fail("out of memory at boot (" + m.usage + " of " + m.total + " variables used, " + m.blocksize + "-byte blocks): " +
        "the firmware does not fit this interpreter's memory; Espruino then stops its timers and watches, so the device would be dead"),
      () => fail("out of memory at boot (the interpreter no longer answers)"));
  }
  let capturing: { id: number; lines: string[]; done: (l: string[]) => void } | null = null;
  function line(raw: string): void {
    if (capturing) {
      if (raw.indexOf("@@e" + capturing.id) >= 0) { const c = capturing; capturing = null; c.done(c.lines); }
      else capturing.lines.push(raw.replace(/\r/g, ""));
      return;
    }
    const b = /@@b(\d+)/.exec(raw);
    if (b && pendingCaptures.has(Number(b[1]))) { const id = Number(b[1]); capturing = { id, lines: [], done: pendingCaptures.get(id)! }; pendingCaptures.delete(id); return; }
    const l = raw.replace(/\r/g, "").replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/^>+/, "");
    const q = /^@@q(\d+) (.*)$/.exec(l);
    if (q) {
      const w = queries.get(Number(q[1]));
      if (w) { queries.delete(Number(q[1])); clearTimeout(w.timer); try { w.resolve(q[2] === "undefined" ? undefined : JSON.parse(q[2])); } catch (e) { w.reject(e as Error); } }
      return;
    }
    recent.push(l);
    if (recent.length > 40) recent.shift();
    o.out(l);
    if (/Uncaught|ERROR|Out of Memory|MEMORY/.test(l)) {
      counters.uncaught++;
      errors.push(l);
      if (bootState === "booting") {
        if (/Out of Memory|MEMORY/.test(l)) outOfMemory();
        else if (/Uncaught/.test(l)) fail("the firmware failed at boot: " + l.trim());
      }
    }
    if (bootState === "booting" && /enc28j60: \S+ up,/.test(l)) { bootState = "up"; bootOk(); }
  }
  let partial = "";
  child.stdout!.setEncoding("latin1");
  child.stdout!.on("data", (d: string) => {
    partial += d;
    let k: number;
    while ((k = partial.indexOf("\n")) >= 0) { line(partial.slice(0, k)); partial = partial.slice(k + 1); }
  });
  child.stderr!.setEncoding("latin1");
  child.stderr!.on("data", (d: string) => {
    for (const l of d.split("\n")) if (l.trim() && !/^espruino: (Interactive mode|Size of|Added SIG)/.test(l.trim()) && !/^==\d+==/.test(l)) o.out(l.replace(/\r/g, ""));
  });
  child.stdin!.on("error", () => {});
  child.on("error", (e) => fail("could not start " + cmd + ": " + e.message));
  void exited.then((code) => {
    fail("the interpreter exited (code " + code + ") before the firmware started; last output:\n" + recent.slice(-10).join("\n"));
    for (const w of queries.values()) { clearTimeout(w.timer); w.reject(new Error("espruino engine: the interpreter exited")); }
    queries.clear();
  });
  const bootTimer = setTimeout(() => fail("no start line from the firmware within " + Math.round((o.bootTimeoutMs || 120000) / 1000) + " s; last output:\n" + recent.slice(-10).join("\n")), o.bootTimeoutMs || 120000);
  bootTimer.unref();
  void booted.then(() => clearTimeout(bootTimer), () => clearTimeout(bootTimer));

  function query(expr: string, timeoutMs = 30000): Promise<any> {
    const id = nextQuery++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { queries.delete(id); reject(new Error("espruino engine: no answer to " + expr + " within " + timeoutMs + " ms")); }, timeoutMs);
      queries.set(id, { resolve, reject, timer: t });
      // \x10 at the start of a line: Espruino does not echo it
      child.stdin!.write("\x10print(\"@@q" + id + " \"+JSON.stringify(" + expr + "))\n");
    });
  }

  const pendingCaptures = new Map<number, (l: string[]) => void>();
  function capture(code: string, timeoutMs = 120000): Promise<string[]> {
    const id = nextQuery++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { pendingCaptures.delete(id); reject(new Error("espruino engine: " + code + " did not finish within " + timeoutMs + " ms")); }, timeoutMs);
      pendingCaptures.set(id, (l) => { clearTimeout(t); resolve(l); });
      child.stdin!.write("\x10print(\"@@b" + id + "\");" + code + ";print(\"@@e" + id + "\")\n");
    });
  }

  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearInterval(chipClock);
    if (timer) clearTimeout(timer);
    clearTimeout(bootTimer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const k = setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); }, 3000);
      k.unref();
    }
    void exited.then(() => {
      reqSock.destroy();
      try { fs.closeSync(resFd); } catch { /* closed */ }
      for (const f of [intFd, resetFd]) if (f >= 0) try { fs.closeSync(f); } catch { /* closed */ }
      if (own) fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  const b: EspruinoBoard = {
    engine: "espruino",
    context: vm.createContext({}), // no vm: the program runs in the interpreter
    load(): void { /* booted from flash at start */ },
    evalLine(l: string): string { child.stdin!.write(l + "\n"); return ""; },
    pinLevel(name: string): boolean {
      try { return fs.readFileSync(valueFile(name), "latin1").charAt(0) === "1"; } catch { return false; }
    },
    counters,
    stop,
    child,
    pid: child.pid || 0,
    booted,
    query,
    capture,
    errors,
    mac,
    get bridgeCalls() { return bridgeCalls; },
    dir,
    exited,
  };
  return b;
}

/** The MAC the firmware will use on the real interpreter: the sim bundle's from SIM_CONFIG, a board's from BOARD_SERIAL. */
export function firmwareMac(bundle: string, simMac: string): string {
  return path.basename(bundle, ".js") === "sim" ? simMac : require("../../boards/mac").macFromSerial(BOARD_SERIAL);
}
