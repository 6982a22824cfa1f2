// Host tool: upload a board bundle (dist/<board>.js) with the `espruino` CLI (npm package
// `espruino` 0.1.67) and save it to flash as the Storage file `.bootcde`, which Espruino runs
// at every boot, together with the page files (dist/www/<name>, built by tools/gen-assets.ts)
// as Storage files www/<name> (one CLI run: each file is one `--storage name:file` option; the
// CLI writes them before .bootcde). The program is pretokenised first with the CLI's own
// tokeniser (reserved words and operators as the one-byte tokens Espruino's lexer reads, about
// 15% smaller in flash) and uploaded as a data file (base64 chunks, binary-safe), then a tiny
// loader `load(".bootcde")` is sent after the CLI's usual reset(). Page files that do not fit
// next to the program are left out, the gzip copy first (the server then sends the plain page).
// Offline by construction:
//   - the board description is a local file (boards/json/<board>.json) and the CLI is told not
//     to query the board for it (a bare --board name would download www.espruino.com/json/...);
//   - MODULE_URL points at the local tree (".|modules"), compilation/online minification are off;
//   - the CLI runs behind a guard that makes every HTTP/HTTPS/TLS request and every TCP
//     connection other than to the board's own tcp:// address throw, and reports it.
// The CLI exits 0 even when nothing answered, so its verbose output is parsed: success needs a
// prompt from the board, "Upload Complete" and no error printed by the board. Every run is
// bounded by a timeout.
//
//   node build/tools/flash.js --board pico --port /dev/ttyACM0     (what `make flash` runs)
//   node build/tools/flash.js --board pico --dry-run out.js        (the exact code it would send)
// Options: --file F.js (upload F instead of dist/<board>.js; no page files unless --www is given),
// --www DIR (page files from DIR), --no-www, --image DIR (store every file of a `make image` folder
// under its Storage name, bytes unchanged: .bootcde, ENC28J60, www/...), --baud N, --timeout-ms N,
// --watch-ms N (listen this long after the upload for errors from the started program), --verbose.

import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { WWW_OUT, writePageFiles } from "./gen-assets";

export const ROOT = path.resolve(__dirname, "..", "..");
export const CLI_PATH = path.join(ROOT, "node_modules", "espruino", "bin", "espruino-cli.js");
export const BOARD_JSON_DIR = path.join(ROOT, "boards", "json");
/** The Storage file Espruino runs at boot. */
export const BOOT_FILE = ".bootcde";
/** Where the pretokenised program and its loader are written before an upload. */
export const FLASH_BUILD = path.join(ROOT, "build", "flash");

let cliTokens: { tokenise(code: string): string; untokenise(code: string): string } | undefined;

/**
 * The espruino CLI's own pretokeniser (its plugins/pretokenise.js), used as a library. Without a
 * connected board's version it turns only reserved words and operators into tokens, which every
 * Espruino since 2v00 reads.
 */
export function cliPretokeniser(): { tokenise(code: string): string; untokenise(code: string): string } {
  if (cliTokens) return cliTokens;
  const file = path.join(path.dirname(CLI_PATH), "..", "plugins", "pretokenise.js");
  const Espruino: any = {
    Core: { Config: { add: () => undefined }, Env: { getBoardData: () => ({}) } },
    Config: { PRETOKENISE: 1 },
    Plugins: {},
    addProcessor: () => undefined,
  };
  vm.runInNewContext(fs.readFileSync(file, "utf8"), { Espruino, acorn: require("acorn"), console });
  const p = Espruino.Plugins.Pretokenise;
  if (!p || typeof p.tokenise !== "function" || typeof p.untokenise !== "function") throw new Error(`espruino CLI: no pretokeniser in ${file}`);
  cliTokens = { tokenise: (c) => p.tokenise(c), untokenise: (c) => p.untokenise(c) };
  return cliTokens;
}

/** The JavaScript tokens of code, for comparing code that differs only in spacing. */
export function tokenStream(code: string): string[] {
  const out: string[] = [];
  for (const t of require("acorn").tokenizer(code, { ecmaVersion: 2020 })) out.push(code.slice(t.start, t.end));
  return out;
}

/** The program as it is stored in flash: the bundle, pretokenised. */
export function storedProgram(file: string): string {
  return cliPretokeniser().tokenise(fs.readFileSync(file, "latin1"));
}
/** Printed (to stderr) by the guard inside the CLI process whenever it blocks network access. */
export const GUARD_MARK = "flash-offline-guard: blocked";

/**
 * Runs before the CLI inside its process (node -e): network access other than to the board's own
 * tcp:// address (FLASH_ALLOW_HOST, FLASH_ALLOW_PORT) throws and is reported on stderr.
 * Serial devices are file descriptors and are not affected.
 */
export const OFFLINE_GUARD = `
(function () {
  var MARK = ${JSON.stringify(GUARD_MARK)};
  function describe(a) {
    try {
      if (typeof a === "string") return a;
      if (a && a.href) return a.href;
      if (a && (a.host || a.hostname)) return (a.hostname || a.host) + (a.port ? ":" + a.port : "") + (a.path || "");
      return JSON.stringify(a);
    } catch (e) { return "?"; }
  }
  function refuse(what, target) {
    var msg = MARK + " " + what + " " + target;
    process.stderr.write(msg + "\\n");
    throw new Error(msg);
  }
  function blocker(what) { return function (a) { refuse(what, describe(a)); }; }
  var http = require("http"), https = require("https"), tls = require("tls"), net = require("net");
  http.request = blocker("http.request"); http.get = blocker("http.get");
  https.request = blocker("https.request"); https.get = blocker("https.get");
  tls.connect = blocker("tls.connect");
  if (typeof globalThis.fetch === "function") globalThis.fetch = blocker("fetch");
  var allowHost = process.env.FLASH_ALLOW_HOST || "";
  var allowPort = Number(process.env.FLASH_ALLOW_PORT || 0);
  var original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function () {
    var a = arguments[0];
    if (Array.isArray(a)) a = a[0];
    var host, port;
    if (a && typeof a === "object") { if (a.path) return original.apply(this, arguments); host = a.host || "localhost"; port = Number(a.port); }
    else { port = Number(a); host = typeof arguments[1] === "string" ? arguments[1] : "localhost"; }
    if (!(allowHost && host === allowHost && port === allowPort)) refuse("tcp connect", host + ":" + port);
    return original.apply(this, arguments);
  };
})();
require(process.argv[1]);
`;

export interface BoardJson {
  BOARD?: string;
  info: { name: string; binary_version: string; builtin_modules: string[]; default_console_baudrate?: string; variables?: number };
  chip: { family: string; part: string; speed: number; saved_code?: { address: number; page_size: number; pages: number } };
  devices?: { [name: string]: any };
}

export function boardJsonPath(board: string): string {
  return path.join(BOARD_JSON_DIR, `${board}.json`);
}

/** Reads and checks a board description: the fields the espruino CLI relies on must be there. */
export function loadBoardJson(board: string): BoardJson {
  const file = boardJsonPath(board);
  if (!/^[a-z0-9-]+$/.test(board) || !fs.existsSync(file)) {
    const known = fs.existsSync(BOARD_JSON_DIR) ? fs.readdirSync(BOARD_JSON_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)) : [];
    throw new UsageError(`unknown board '${board}' (no ${path.relative(ROOT, file)}); boards: ${known.join(", ")}`);
  }
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as BoardJson;
  const problems: string[] = [];
  if (!json.info || typeof json.info.binary_version !== "string" || !/^\d+v\d+/.test(json.info.binary_version))
    problems.push("info.binary_version (e.g. \"2v29\"; without it the CLI assumes firmware older than 1v96 and will not write Storage)");
  if (!json.info || !Array.isArray(json.info.builtin_modules) || json.info.builtin_modules.indexOf("Storage") < 0)
    problems.push("info.builtin_modules including \"Storage\" (otherwise the CLI looks modules up online)");
  if (!json.chip || typeof json.chip.family !== "string") problems.push("chip.family");
  if (problems.length) throw new Error(`${path.relative(ROOT, file)}: missing ${problems.join("; ")}`);
  return json;
}

export class UsageError extends Error {}
/** A missing or wrong port: said plainly, without the usage text. */
export class PortError extends Error {
  /** 2: no port given (a usage mistake), 1: the port is not there or not serial. */
  constructor(message: string, readonly exitCode: number = 1) { super(message); }
}

/** Is the board's console a USB CDC port (flow-controlled, no throttling needed)? */
export function hasUsbConsole(json: BoardJson): boolean {
  return !!(json.devices && json.devices.USB);
}

/**
 * Whether the program fits the board's Storage area (chip.saved_code) next to the other files
 * uploaded with it (`others`: their sizes); null when it fits or the board JSON does not say.
 * Storage keeps a 32-byte header per file, so leave that much for each.
 */
export function storageProblem(json: BoardJson, bytes: number, others: number[] = []): string | null {
  const sc = json.chip.saved_code;
  if (!sc) return null;
  const besides = others.reduce((sum, n) => sum + n + 32, 0);
  const room = sc.page_size * sc.pages - 32 - besides;
  if (bytes <= room) return null;
  return `the program is ${bytes} bytes (${(bytes / 1024).toFixed(1)} KB) but ${json.info.name}'s Storage area holds ${room} bytes (${Math.floor(room / 1024)} KB)` +
    (others.length ? ` next to the page files (${besides} bytes with headers)` : "");
}

/**
 * Whether a set of Storage files (name -> bytes) fits the board's Storage area, each with its
 * 32-byte header: null, or a sentence saying by how much it does not and what is biggest.
 */
export function imageProblem(json: BoardJson, sizes: { [name: string]: number }): string | null {
  const sc = json.chip.saved_code;
  if (!sc) return null;
  const names = Object.keys(sizes).sort((a, b) => sizes[b] - sizes[a]);
  const total = names.reduce((sum, n) => sum + sizes[n] + 32, 0), area = sc.page_size * sc.pages;
  if (total <= area) return null;
  return `the Storage files are ${total} bytes with their headers (${names.slice(0, 3).map((n) => `${n} ${sizes[n]}`).join(", ")}${names.length > 3 ? ", ..." : ""})` +
    ` but ${json.info.name}'s Storage area holds ${area} (${Math.floor(area / 1024)} KB): ${total - area} bytes too many`;
}

/**
 * The page files to upload with a program of `bytes` bytes: all of them when they fit the
 * board's Storage area, else without the gzip copies (the server sends the plain page), else all
 * (and the size check refuses the upload).
 */
export function pagesThatFit(json: BoardJson, bytes: number, pages: PageFile[]): PageFile[] {
  if (!storageProblem(json, bytes, pages.map((p) => p.bytes))) return pages;
  const plain = pages.filter((p) => !/\.gz$/.test(p.name));
  return storageProblem(json, bytes, plain.map((p) => p.bytes)) ? pages : plain;
}

export interface CliPlan {
  args: string[];
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

export interface FlashOptions {
  board: string;
  port?: string;        // serial device path, or tcp://host:port
  file?: string;        // default dist/<board>.js
  /**
   * Folder whose files are uploaded as Storage files www/<name> (the page). Default: dist/www
   * (made from page.html if missing) when uploading dist/<board>.js, none with `file`; null: none.
   */
  www?: string | null;
  dryRun?: string;      // write the code the CLI would send to this .js file instead of uploading
  /**
   * A Storage image folder (tools/image.ts, `make image`): every file in it is stored under its
   * name, bytes unchanged (.bootcde, ENC28J60, www/...); replaces file and www.
   */
  image?: string;
  baud?: number;
  timeoutMs?: number;
  /** How long to keep listening after the upload for errors from the started program (default 3000). */
  watchMs?: number;
  /**
   * Throttled writes (19 bytes per 50 ms, as the Espruino IDE does for non-USB links). Default:
   * off for USB consoles (USB has flow control), on for UART consoles and tcp:// links (an
   * Espruino reading telnet drops input when its FIFO fills: "FIFO_FULL"), on for uploads under
   * 1 KB (see below).
   */
  throttle?: boolean;
}

function bundlePath(opts: FlashOptions): string {
  return path.resolve(ROOT, opts.file || path.join("dist", `${opts.board}.js`));
}

/** A file uploaded next to the program: Storage name, path on disk, size. */
export interface PageFile { name: string; file: string; bytes: number }

/** The page files to upload (sorted by name), per FlashOptions.www. */
export function pageFilesFor(opts: FlashOptions): PageFile[] {
  let dir = opts.www === undefined ? (opts.file ? null : WWW_OUT) : opts.www;
  if (!dir) return [];
  dir = path.resolve(ROOT, dir);
  if (!fs.existsSync(dir)) {
    if (dir !== WWW_OUT) throw new Error(`no page folder ${shown(dir)}`);
    writePageFiles(dir);
  }
  return fs.readdirSync(dir).sort().map((n) => {
    const file = path.join(dir as string, n);
    // the CLI splits "--storage name:file" at the first ':' and allows 28-character names
    if (file.indexOf(":") >= 0 || n.length > 24) throw new Error(`cannot upload ${shown(file)}: Storage names are www/ + at most 24 characters, and the path may not hold ':'`);
    return { name: "www/" + n, file, bytes: fs.statSync(file).size };
  });
}

/** A path as the user should read it: relative inside the project, absolute outside. */
function shown(p: string): string {
  const rel = path.relative(ROOT, p);
  return rel.startsWith("..") ? p : rel;
}

function watchMs(opts: FlashOptions): number {
  return opts.watchMs === undefined ? 3000 : opts.watchMs;
}

/** The exact espruino CLI command line (and environment) for an upload or a dry run. */
/** The files of an image folder (Storage name, path, size): .bootcde first, then by name. */
export function imageFiles(dir: string): PageFile[] {
  const out: PageFile[] = [];
  const walk = (d: string, prefix: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f, prefix + e.name + "/");
      else out.push({ name: prefix + e.name, file: f, bytes: fs.statSync(f).size });
    }
  };
  if (!fs.existsSync(dir)) throw new Error(`no Storage image ${shown(dir)}: run 'make image'`);
  walk(dir, "");
  for (const f of out) {
    if (f.file.indexOf(":") >= 0 || f.name.length > 28) throw new Error(`cannot upload ${shown(f.file)}: Storage names have at most 28 characters, and the path may not hold ':'`);
  }
  if (!out.some((f) => f.name === BOOT_FILE)) throw new Error(`the image ${shown(dir)} has no ${BOOT_FILE}`);
  return out.sort((a, b) => (a.name === BOOT_FILE ? -1 : b.name === BOOT_FILE ? 1 : a.name < b.name ? -1 : 1));
}

export function planCli(opts: FlashOptions, json: BoardJson): CliPlan {
  const image = opts.image ? imageFiles(path.resolve(ROOT, opts.image)) : null;
  const file = bundlePath(opts);
  const program = image ? fs.readFileSync(image[0].file, "latin1") : storedProgram(file);
  const pages = image ? image.slice(1) : pagesThatFit(json, program.length, pageFilesFor(opts));
  const bytes = pages.reduce((sum, p) => sum + p.bytes, program.length);
  fs.mkdirSync(FLASH_BUILD, { recursive: true });
  const stored = image ? image[0].file : path.join(FLASH_BUILD, path.basename(file, ".js") + ".bootcde");
  const loader = path.join(FLASH_BUILD, "load-bootcde.js");
  if (!image) fs.writeFileSync(stored, program, "latin1");
  fs.writeFileSync(loader, `load(${JSON.stringify(BOOT_FILE)})\n`);
  const tcp = !!opts.port && opts.port.startsWith("tcp://");
  // The CLI (0.1.67) only reports the end of an unthrottled write when the data exceeds its
  // 512-byte block; a smaller upload would never finish. Tiny uploads therefore go throttled.
  const throttled = !opts.dryRun && (bytes < 1024 || (opts.throttle !== undefined ? opts.throttle : tcp || !hasUsbConsole(json)));
  const baud = opts.baud || Number(json.info.default_console_baudrate) || 115200;
  const args = [
    "-v", // the verbose log is what tells success from failure (the CLI exits 0 either way)
    "--no-ble",
    "--board", boardJsonPath(opts.board),
    "--config", "MODULE_URL=.|modules",
    "--config", `BOARD_JSON_URL=${BOARD_JSON_DIR}`,
    "--config", "COMPILATION=false",
    "--config", "MINIFICATION_LEVEL=",
    "--config", "PRETOKENISE=0", // tokenised here already (see storedProgram)
    "--config", `SERIAL_THROTTLE_SEND=${throttled ? 1 : 2}`,
  ];
  // The CLI writes the last --storage file first: the page files go out before the program.
  args.push("--storage", `${BOOT_FILE}:${stored}`);
  for (const p of pages) args.push("--storage", `${p.name}:${p.file}`);
  if (opts.dryRun) args.push("-o", path.resolve(opts.dryRun));
  else args.push("-p", opts.port as string, "-b", String(baud), "--sleep", String(watchMs(opts) / 1000));
  args.push(loader);
  const env: NodeJS.ProcessEnv = {};
  for (const k of Object.keys(process.env)) if (!/_proxy$/i.test(k)) env[k] = process.env[k];
  if (tcp) {
    const hp = (opts.port as string).slice(6);
    const i = hp.lastIndexOf(":");
    env.FLASH_ALLOW_HOST = i >= 0 ? hp.slice(0, i) || "localhost" : hp;
    env.FLASH_ALLOW_PORT = i >= 0 ? hp.slice(i + 1) : "23";
  }
  // Throttled writes go 19 bytes per 50 ms; every 1 KB Storage.write chunk adds 250 ms.
  const kb = Math.ceil(bytes / 1024);
  const timeoutMs = opts.timeoutMs || (opts.dryRun ? 30000 : 20000 + watchMs(opts) + kb * (throttled ? 3500 : 600));
  return { args, env, timeoutMs };
}

export interface CliRun {
  code: number | null;
  output: string;
  timedOut: boolean;
  stoppedFor: string | null;   // the failure that made us stop the CLI early
  elapsedMs: number;
}

/**
 * Runs the espruino CLI behind the offline guard. `stopOn(line)` may return a failure reason,
 * which ends the run at once (SIGTERM, then SIGKILL). Always ends within timeoutMs (+1 s).
 */
export function runCli(plan: CliPlan, stopOn?: (line: string) => string | null, onLine?: (line: string) => void): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", OFFLINE_GUARD, CLI_PATH, ...plan.args], {
      cwd: ROOT,
      env: plan.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let partial = "";
    let stoppedFor: string | null = null;
    let timedOut = false;
    let done = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), 1000);
    };
    const feed = (chunk: Buffer): void => {
      const text = chunk.toString("latin1");
      output += text;
      partial += text;
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        const line = partial.slice(0, nl).replace(/\r$/, "");
        partial = partial.slice(nl + 1);
        if (onLine) onLine(line);
        if (stopOn && !stoppedFor) {
          const why = stopOn(line);
          if (why) {
            stoppedFor = why;
            stop();
          }
        }
      }
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, plan.timeoutMs);
    child.on("close", (code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, output, timedOut, stoppedFor, elapsedMs: Date.now() - started });
    });
  });
}

/** A failure visible in one line of the CLI's verbose output, or null. */
export function failureInLine(line: string, port: string): string | null {
  if (line.indexOf(GUARD_MARK) >= 0) return `the espruino CLI tried to use the network (${line.slice(line.indexOf(GUARD_MARK) + GUARD_MARK.length).trim()}); flashing must work offline`;
  if (line.indexOf("Unable to connect!") >= 0) return `could not open ${port}: not a serial port the espruino CLI can use, or it is busy`;
  if (line.indexOf("RECEIVE ERROR") >= 0) return `connection to ${port} failed: ${line.trim()}`;
  if (line.indexOf("Still no prompt") >= 0) return `no Espruino board answered on ${port} (no '>' prompt after a newline and Ctrl-C)`;
  if (/Module .* not found/.test(line)) return `the espruino CLI could not resolve a module: ${line.trim()}`;
  if (line.startsWith("--] ")) {
    const said = line.slice(4).replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").trim();
    if (/FIFO_FULL/.test(said)) return `the board reported an error: ${said} (its input buffer overflowed and data was lost: use a USB connection, or --throttle)`;
    if (/Uncaught|ERROR|Out of Memory|Not enough free/i.test(said)) return `the board reported an error: ${said}`;
  }
  return null;
}

/** Judges a finished upload run: null when it really uploaded, otherwise the reason. */
export function judgeUpload(run: CliRun, port: string): string | null {
  if (run.stoppedFor) return run.stoppedFor;
  for (const line of run.output.split("\n")) {
    const why = failureInLine(line.replace(/\r$/, ""), port);
    if (why) return why;
  }
  if (run.timedOut) return `timed out after ${Math.round(run.elapsedMs / 1000)} s talking to ${port}`;
  if (!/Received a prompt after sending newline|Found a prompt/.test(run.output)) return `no Espruino board answered on ${port}`;
  if (run.output.indexOf("Upload Complete") < 0) return `the upload to ${port} did not complete (espruino CLI exit code ${run.code})`;
  if (run.code !== 0) return `the espruino CLI exited with code ${run.code}`;
  return null;
}

export interface DecodedUpload {
  files: { [name: string]: string };   // Storage files as the board would hold them
  loads: string[];                     // load(...) calls, in order ("" for load())
  resets: number;
}

/**
 * Replays code the CLI sends (or wrote with -o) against a stand-in for Espruino's Storage,
 * so a test or a dry run can see exactly what ends up in flash.
 */
export function decodeUpload(sent: string): DecodedUpload {
  const files: { [name: string]: string } = {};
  const loads: string[] = [];
  let resets = 0;
  const storage = {
    write(name: string, data: string, offset?: number, size?: number): boolean {
      const cur = offset === undefined || offset === 0 ? "" : files[name] || "";
      if (offset === undefined || offset === 0) {
        const total = size === undefined ? data.length : size;
        files[name] = data + "\xff".repeat(Math.max(0, total - data.length));
      } else {
        files[name] = cur.slice(0, offset) + data + cur.slice(offset + data.length);
      }
      return true;
    },
  };
  // the CLI's line-editing bytes for the REPL: ESC+newline, ESC [ n d, DLE (echo off), Ctrl-C
  const source = sent.replace(/\x1b\n/g, "\n").replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/[\x10\x03]/g, "");
  const sandbox = {
    require: (m: string) => {
      if (m === "Storage") return storage;
      throw new Error(`decodeUpload: unexpected require(${JSON.stringify(m)})`);
    },
    load: (f?: string) => { loads.push(f === undefined ? "" : f); },
    atob: (b64: string) => Buffer.from(b64, "base64").toString("latin1"),
    reset: () => { resets++; },
    print: () => undefined,
    echo: () => undefined,
  };
  vm.runInNewContext(source, sandbox, { timeout: 2000 });
  return { files, loads, resets };
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new Error(msg);
}

/** Validates PORT before the CLI runs: missing or non-existent ports fail fast and clearly. */
export function checkPort(port: string | undefined): void {
  if (!port) throw new PortError("PORT= is required (try: make flash BOARD=<board> PORT=/dev/ttyACM0, or --port; without a board: --dry-run out.js)", 2);
  if (port.startsWith("tcp://")) return;
  if (!fs.existsSync(port)) throw new PortError(`serial device ${port} does not exist (is the board plugged in? see 'ls /dev/ttyACM* /dev/ttyUSB*')`);
  const st = fs.statSync(port);
  if (!st.isCharacterDevice()) throw new PortError(`${port} is not a serial device`);
}

export interface FlashResult {
  ok: boolean;
  message: string;
  run?: CliRun;
}

/** Uploads (or, with dryRun, writes out) a board bundle. Never throws for board/CLI failures. */
export async function flash(opts: FlashOptions, onLine?: (line: string) => void): Promise<FlashResult> {
  const json = loadBoardJson(opts.board);
  if (opts.image) return flashImage(opts, json, onLine);
  const file = bundlePath(opts);
  if (!fs.existsSync(file)) throw new Error(`no bundle ${path.relative(ROOT, file)}: run 'make bundle BOARD=${opts.board}' first`);
  if (!fs.existsSync(CLI_PATH)) throw new Error(`espruino CLI not found at ${path.relative(ROOT, CLI_PATH)}: run 'npm ci'`);
  const program = storedProgram(file);
  const pages = pagesThatFit(json, program.length, pageFilesFor(opts));
  if (opts.dryRun) {
    check(/\.js$/.test(opts.dryRun), `--dry-run needs a .js output file name (got '${opts.dryRun}')`);
    const out = path.resolve(opts.dryRun);
    if (fs.existsSync(out)) fs.unlinkSync(out);
    const plan = planCli(opts, json);
    const run = await runCli(plan, (line) => (line.indexOf(GUARD_MARK) >= 0 ? failureInLine(line, "-") : null), onLine);
    const guard = run.stoppedFor || (run.output.indexOf(GUARD_MARK) >= 0 ? "the espruino CLI tried to use the network" : null);
    if (guard) return { ok: false, message: guard, run };
    if (run.timedOut) return { ok: false, message: `dry run timed out after ${Math.round(run.elapsedMs / 1000)} s`, run };
    if (!fs.existsSync(out)) return { ok: false, message: `the espruino CLI wrote no ${opts.dryRun} (exit code ${run.code})`, run };
    const sent = fs.readFileSync(out, "latin1");
    const decoded = decodeUpload(sent);
    const code = fs.readFileSync(file, "latin1");
    const stored = decoded.files[BOOT_FILE];
    if (stored !== program || tokenStream(cliPretokeniser().untokenise(stored)).join(" ") !== tokenStream(code).join(" ")) {
      return { ok: false, message: `${opts.dryRun} does not write ${shown(file)}, pretokenised, to Storage ${BOOT_FILE}`, run };
    }
    if (decoded.loads.indexOf(BOOT_FILE) < 0) return { ok: false, message: `${opts.dryRun} does not load ${BOOT_FILE} after writing it`, run };
    for (const p of pages) {
      if (decoded.files[p.name] !== fs.readFileSync(p.file, "latin1")) return { ok: false, message: `${opts.dryRun} does not write ${shown(p.file)} to Storage ${p.name} unchanged`, run };
    }
    const chunks = (sent.match(/require\("Storage"\)\.write\(/g) || []).length;
    const tooBig = storageProblem(json, program.length, pages.map((p) => p.bytes));
    return {
      ok: true,
      message: `dry run: ${opts.dryRun} (${sent.length} bytes) writes ${shown(file)} (${code.length} bytes, ${program.length} pretokenised) to Storage ${BOOT_FILE}` +
        pages.map((p) => `, ${shown(p.file)} (${p.bytes} bytes) to ${p.name}`).join("") +
        ` in ${chunks} chunks, then load(${JSON.stringify(BOOT_FILE)}); offline` +
        (tooBig ? `\nflash: WARNING: ${tooBig}: an upload to this board would fail` : ""),
      run,
    };
  }
  checkPort(opts.port);
  const port = opts.port as string;
  const tooBig = storageProblem(json, program.length, pages.map((p) => p.bytes));
  if (tooBig) return { ok: false, message: tooBig };
  const plan = planCli(opts, json);
  const run = await runCli(plan, (line) => failureInLine(line, port), onLine);
  const why = judgeUpload(run, port);
  if (why) {
    // An error after load(".bootcde") went out: the program is saved but failed when it started.
    const sentLoad = /serial: Sending "[^\n]*load\(\\"\.bootcde/.exec(run.output); // the send may split after it
    const loaded = sentLoad ? sentLoad.index : -1;
    const said = why.indexOf("the board reported an error: ");
    if (loaded >= 0 && said === 0) {
      const line = why.slice("the board reported an error: ".length);
      const at = run.output.indexOf(line);
      if (at > loaded) return { ok: false, message: `the program was saved to ${BOOT_FILE} but failed when it started: ${line}`, run };
    }
    return { ok: false, message: why, run };
  }
  return {
    ok: true,
    message: `flashed ${shown(file)} to ${json.info.name} on ${port} as Storage ${BOOT_FILE} (runs at boot)` +
      (pages.length ? `, with ${pages.map((p) => p.name).join(", ")}` : ""),
    run,
  };
}

/** flash() for a Storage image folder: the same CLI run; the dry run checks every file arrives unchanged. */
async function flashImage(opts: FlashOptions, json: BoardJson, onLine?: (line: string) => void): Promise<FlashResult> {
  if (!fs.existsSync(CLI_PATH)) throw new Error(`espruino CLI not found at ${path.relative(ROOT, CLI_PATH)}: run 'npm ci'`);
  const dir = path.resolve(ROOT, opts.image as string);
  const files = imageFiles(dir);
  const sizes: { [name: string]: number } = {};
  for (const f of files) sizes[f.name] = f.bytes;
  const tooBig = imageProblem(json, sizes);
  if (opts.dryRun) {
    check(/\.js$/.test(opts.dryRun), `--dry-run needs a .js output file name (got '${opts.dryRun}')`);
    const out = path.resolve(opts.dryRun);
    if (fs.existsSync(out)) fs.unlinkSync(out);
    const run = await runCli(planCli(opts, json), (line) => (line.indexOf(GUARD_MARK) >= 0 ? failureInLine(line, "-") : null), onLine);
    if (run.stoppedFor || run.output.indexOf(GUARD_MARK) >= 0) return { ok: false, message: run.stoppedFor || "the espruino CLI tried to use the network", run };
    if (run.timedOut) return { ok: false, message: `dry run timed out after ${Math.round(run.elapsedMs / 1000)} s`, run };
    if (!fs.existsSync(out)) return { ok: false, message: `the espruino CLI wrote no ${opts.dryRun} (exit code ${run.code})`, run };
    const decoded = decodeUpload(fs.readFileSync(out, "latin1"));
    for (const f of files) {
      if (decoded.files[f.name] !== fs.readFileSync(f.file, "latin1")) return { ok: false, message: `${opts.dryRun} does not write ${shown(f.file)} to Storage ${f.name} unchanged`, run };
    }
    const extra = Object.keys(decoded.files).filter((n) => !files.some((f) => f.name === n));
    if (extra.length) return { ok: false, message: `${opts.dryRun} writes Storage files not in the image: ${extra.join(", ")}`, run };
    if (decoded.loads.indexOf(BOOT_FILE) < 0) return { ok: false, message: `${opts.dryRun} does not load ${BOOT_FILE} after writing it`, run };
    return {
      ok: true,
      message: `dry run: ${opts.dryRun} writes the image ${shown(dir)} to Storage: ${files.map((f) => `${f.name} (${f.bytes} bytes)`).join(", ")}, then load(${JSON.stringify(BOOT_FILE)}); offline` +
        (tooBig ? `\nflash: WARNING: ${tooBig}: an upload to this board would fail` : ""),
      run,
    };
  }
  checkPort(opts.port);
  const port = opts.port as string;
  if (tooBig) return { ok: false, message: tooBig };
  const run = await runCli(planCli(opts, json), (line) => failureInLine(line, port), onLine);
  const why = judgeUpload(run, port);
  if (why) return { ok: false, message: why, run };
  return { ok: true, message: `flashed the image ${shown(dir)} to ${json.info.name} on ${port}: ${files.map((f) => f.name).join(", ")} (${BOOT_FILE} runs at boot)`, run };
}

interface CliArgs extends FlashOptions {
  verbose: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
  const out: CliArgs = { board: "", verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--board") out.board = next();
    else if (a === "--port") out.port = next();
    else if (a === "--dry-run") out.dryRun = next();
    else if (a === "--file") out.file = next();
    else if (a === "--image") out.image = next();
    else if (a === "--www") out.www = next();
    else if (a === "--no-www") out.www = null;
    else if (a === "--baud") out.baud = Number(next());
    else if (a === "--timeout-ms") out.timeoutMs = Number(next());
    else if (a === "--watch-ms") out.watchMs = Number(next());
    else if (a === "--throttle") out.throttle = true;
    else if (a === "--no-throttle") out.throttle = false;
    else if (a === "--verbose" || a === "-v") out.verbose = true;
    else throw new UsageError(`unknown argument '${a}'`);
  }
  if (!out.board) throw new UsageError("--board <name> is required");
  return out;
}

const USAGE = "usage: node build/tools/flash.js --board <board> (--port <serial device|tcp://host:port> | --dry-run <out.js>) [--file F.js] [--www DIR|--no-www] [--image DIR] [--baud N] [--timeout-ms N] [--watch-ms N] [--throttle|--no-throttle] [--verbose]";

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e: any) {
    console.error(`flash: ${e.message}\n${USAGE}`);
    process.exit(2);
  }
  try {
    const onLine = args.verbose ? (l: string) => console.log(`  | ${l}`) : (l: string) => { if (l.startsWith("--] ")) console.log(`  board: ${l.slice(4)}`); };
    loadBoardJson(args.board);          // a misspelt board: the list of boards, before anything else
    if (!args.dryRun) checkPort(args.port);
    if (!args.dryRun) console.log(`flash: uploading ${args.image ? `the Storage image ${args.image}` : args.file || `dist/${args.board}.js`}${!args.image && pageFilesFor(args).length ? " and the page files" : ""} to ${args.port || "?"} (board ${args.board}), offline ...`);
    const r = await flash(args, onLine);
    if (r.ok) {
      console.log(`flash: ${r.message}`);
      process.exit(0);
    }
    console.error(`flash: FAILED: ${r.message}`);
    if (r.run && !args.verbose) {
      const tail = r.run.output.split("\n").filter((l) => l.trim() && !l.startsWith("serial: --->") && !l.startsWith("Found ")).slice(-8);
      if (tail.length) console.error(`flash: last lines from the espruino CLI:\n${tail.map((l) => `  | ${l.slice(0, 200)}`).join("\n")}`);
    }
    process.exit(1);
  } catch (e: any) {
    // a wrong board or port is a plain sentence (it names the valid choices); a wrong option shows the usage
    if (e instanceof PortError || (e instanceof UsageError && /^unknown board/.test(e.message))) console.error(`flash: ${e.message}`);
    else console.error(`flash: ${e instanceof UsageError ? e.message + "\n" + USAGE : "FAILED: " + e.message}`);
    process.exit(e instanceof PortError ? e.exitCode : e instanceof UsageError ? 2 : 1);
  }
}

if (require.main === module) void main();
