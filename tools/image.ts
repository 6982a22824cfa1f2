// `make image BOARD=<b> [APP=<file.js>] [PIECES=...] [WWW=<dir>]`: writes exactly what `make flash`
// stores into dist/<b>/storage/, one file per Storage entry, named as in Storage (".bootcde",
// "ENC28J60", "www/index.html", ...), each as the bytes Storage will hold (programs pretokenised
// by the espruino CLI's own tokeniser, as tools/flash.ts stores them).
//   - With APP: the app is the boot code (.bootcde); when it requires "ENC28J60", the library
//     module with the pieces it uses (tools/pieces.ts) is the Storage file "ENC28J60"; the page
//     files are WWW's files, else those of a www/ folder next to the app, else none.
//   - Without APP: the default app, examples/demo/app.js (a normal app on the public API) with
//     its www/.
//   - An app that names BOARD (and does not define it) gets the board's wiring from
//     boards/<b>.ts as the boot file .boot2: `var BOARD = { name, spi, cs, sck, miso, mosi, int,
//     reset, baud, led }` (on the simulated board also the sim's --mac, --ip, --slots...), so one
//     app file runs on every board.
//   - A page file with no gzip copy gets one (www/<name>.gz) when that is at least a tenth smaller.
// Page files that do not fit the board's Storage area next to the programs are left out, the gzip
// copies first (as flash.ts does); where the originals do not fit either, the gzip copies go in
// their place (the library serves a lone www/<name>.gz at /<name>, always gzip). Prints what went in and why.
//   node build/tools/image.js --board pico [--app app.js] [--pieces "http"] [--www dir] [--out dir]

import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { buildEntry, EXPORTS_ALIAS } from "./bundle";
import { choosePieces, moduleEntrySource, Piece, PieceChoice } from "./pieces";
import { BOOT_FILE, cliPretokeniser, imageProblem, loadBoardJson, PageFile, storageProblem } from "./flash";
import { checkSource, formatFinding, ESPRUINO_MODULES } from "./gate";

export const ROOT = path.resolve(__dirname, "..", "..");
/** The module's Storage name: what `require(...)` asks for. */
export const MODULE_NAME = "ENC28J60";
/**
 * The library's body: a boot file, which Espruino evaluates at the global scope at every start
 * and reset() (.boot0 to .boot3, before .bootcde; .boot0 is left to the user, and to the sim's
 * board prelude). Stored as the Storage module itself, Espruino would evaluate it in a scope of
 * its own, which every function then keeps a link to and every closure copies: measured on
 * espruino-wifi32 with the hello app (core + http), 4,946 variables that way, 4,524 this way.
 */
export const LIBRARY_BOOT_FILE = ".boot1";
/** The global the body defines with the module's exports; the Storage module hands it out. */
export const LIBRARY_GLOBAL = "_ENC28J60";
/** The body's own global names start with this (flattened: `$a`, `$b`, ... the most used first). */
export const LIBRARY_PREFIX = "$";
const DEVICE = path.join(ROOT, "build", "device");
/** Engine globals the library's body refers to by a short global of its own where that saves
 *  bytes (`var $x=Uint8Array;` first, then `new $x(n)`: the same constructor, one variable). */
export const ENGINE_ALIASES = ["Uint8Array", "Uint16Array", "Uint32Array", "Int32Array", "Float64Array", "Math", "Error", "JSON", "Object", "String", "parseInt"];
/**
 * Property names the library's body shortens (terser, the same name throughout the body): fields
 * of its internal records and options between its own modules, which no app, console line, sim
 * or Espruino itself reads (not the public API: eth, srv, req, res and their documented fields,
 * connect()'s options, getStatus()/getIP() keys, NetworkJS's driver, HAL calls on Espruino's
 * objects). A name another module starts to use publicly must leave this list.
 */
export const INTERNAL_PROPS = new RegExp("^(?:" + [
  // firmware/http: a request's record and the server's pools
  "resConn", "bStatus", "headOf", "outPool", "outUsed", "inPool", "inUsed", "bType", "xLen", "routes", "failed",
  // a request's offsets into its bytes (req.path(), query(), form(), text() read them) and the core server's option from eth-http.ts
  // (not contentType: terser keeps the names of DOM properties)
  "pathOff", "pathEnd", "queryOff", "queryEnd", "bodyOff", "bodyLen", "maxConnections",
  // firmware/tcp: the record and createTcp()'s options
  "sbuf", "nfree", "finWait2TimeoutMs", "challengeAckLimit", "synRcvdTimeoutMs", "idleEvictMs",
  "maxRetries", "synRetries", "recvWindow", "memoryBytes", "u16", "u32", "f64", "stk", "flg", "lst", "lSt", "rwin",
  "stateCounts", "unlisten", "gen",
  // firmware/net: the stack's record and StackConfig
  "addrFns", "onProtocol", "onAddress", "onTick", "reassemblySlots", "dhcpProbes", "dhcpFallback",
  "dhcpBaseMs", "dhcpTries", "lastIp", "txHdr", "rxHdr", "rxSrc", "linkUp", "protos", "dues", "ticks", "netif",
  "dhcpState",
  // the stack's address (the record; connect()'s options say ip; not mask: terser keeps DOM property names)
  "addr",
  // hal/espruino.ts: the HAL's clock, timers, INT pin (terser keeps the names of the engine's own properties, e.g. now, transfer)
  "clock", "timers", "onFalling",
  // drivers/enc28j60's options; firmware/lib's eth record, sizing and the stack's parts (eth.ts NET_PARTS)
  "freeBatch", "maxFrame", "revision", "ipCb", "ipBy", "poolDefault", "runner", "reasm", "acd",
  // the names of TCP's and the driver's counters the "counters" piece puts in NET_PARTS (eth.ts, eth-counters.ts)
  "tcpNames", "drvNames",
].join("|") + ")$");
/** The default app (make image/flash/sim without APP). */
export const DEFAULT_APP = path.join(ROOT, "examples", "demo", "app.js");
/** The boot file with the board's wiring (`var BOARD = {...}`), for apps that name BOARD. */
export const BOARD_FILE = ".boot2";
/** The fields of BOARD read from boards/<b>.ts (pins as Espruino's pin globals). */
const BOARD_PINS = ["spi", "cs", "sck", "miso", "mosi", "int", "reset", "led"];

/** An app that uses the generated BOARD (names it without defining it). */
export function usesBoard(appSource: string): boolean {
  const code = appSource.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
  return /\bBOARD\b/.test(code) && !/\b(?:var|let|const)\s+BOARD\b|(?:^|[;{}\s])BOARD\s*=[^=]/.test(code);
}

/**
 * The boot file .boot2 for a board: `var BOARD = {...}` with the wiring of boards/<board>.ts
 * (its pins as pin globals, the SPI clock, the LED). On the simulated board the sim's command
 * line (SIM_CONFIG: --board's name and slots, --mac, --ip/--netmask/--gateway) is added, so
 * `make sim SIM_ARGS="--ip ..."` works for an app as for the firmware bundle.
 */
export function boardSource(board: string): string {
  const file = path.join(ROOT, "boards", board + ".ts");
  if (!/^[a-z0-9-]+$/.test(board) || !fs.existsSync(file)) throw new Error(`image: no board file boards/${board}.ts`);
  const src = fs.readFileSync(file, "utf8");
  const v: { [k: string]: string } = {};
  for (const m of src.matchAll(/^\s*(\w+)\s*:\s*([A-Z][A-Za-z0-9]*|\d+)\s*,/gm)) if (BOARD_PINS.indexOf(m[1]) >= 0 || m[1] === "baud") v[m[1]] = m[2];
  if (!v.spi || !v.cs) throw new Error(`image: cannot read the ENC28J60's SPI and CS from boards/${board}.ts`);
  const fields = [`name:${JSON.stringify(board)}`].concat(BOARD_PINS.concat(["baud"]).filter((k) => v[k]).map((k) => `${k}:${v[k]}`));
  let code = `// boards/${board}.ts: the ENC28J60's wiring, for the app (make image writes it as ${BOARD_FILE})\nvar BOARD={${fields.join(",")}};\n`;
  if (board === "sim") {
    code += `if("object"==typeof SIM_CONFIG&&SIM_CONFIG){BOARD.name=SIM_CONFIG.board||"sim";BOARD.slots=SIM_CONFIG.slots||8;BOARD.mac=SIM_CONFIG.mac;` +
      `BOARD.ip=SIM_CONFIG.ip;BOARD.netmask=SIM_CONFIG.netmask;BOARD.gateway=SIM_CONFIG.gateway;}\n`;
  }
  return code;
}

/** A gzip copy of a page file (deterministic: no time stamp, OS byte "Unix"). */
function gzipped(data: Buffer): Buffer {
  const gz = zlib.gzipSync(data, { level: 9 });
  gz[9] = 3;
  return gz;
}

/** The Storage module "ENC28J60": the exports of the body, or a clear error when it is missing. */
export const MODULE_STUB = `if("undefined"==typeof ${LIBRARY_GLOBAL})throw new Error(${JSON.stringify(
  `${MODULE_NAME}: the library's body (Storage file ${LIBRARY_BOOT_FILE}) is not loaded: store it (make flash APP=...) and reset()`)});module.exports=${LIBRARY_GLOBAL};`;

/** An app that loads the library module. */
export function usesModule(appSource: string): boolean {
  return /require\s*\(\s*["']ENC28J60["']\s*\)/.test(appSource);
}

/** The library with these pieces: `code`, the body (the boot file, Espruino-ready code, not
 *  pretokenised; cached in dist/lib/), `names`, the globals it defines. */
export async function buildModule(pieces: Piece[]): Promise<{ code: string; file: string; names: string[]; props: { [name: string]: string } }> {
  const tag = [MODULE_NAME].concat(pieces.map((p) => p.name)).join("+");
  const dir = path.join(DEVICE, "module");
  fs.mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, tag + ".js");
  if (!fs.existsSync(path.join(DEVICE, "firmware", "lib", "eth.js"))) throw new Error("image: no device build of the library (build/device/firmware/lib/eth.js): run 'make device'");
  const rel = (f: string): string => { const r = path.relative(dir, path.join(DEVICE, f)); return r.startsWith(".") ? r : "./" + r; };
  const source = moduleEntrySource(pieces, EXPORTS_ALIAS, dir, rel);
  const out = path.join(ROOT, "dist", "lib", tag + ".js");
  const namesFile = path.join(ROOT, "dist", "lib", tag + ".names.json");
  // the internal property names shortened (INTERNAL_PROPS) and their short names in this body
  const propsFile = path.join(ROOT, "dist", "lib", tag + ".props.json");
  // The last build of the same pieces, when nothing it is made from changed since (the device
  // build, and the tools that bundle it): `make run` and `make sim` start without rebuilding it.
  // (the module entries of build/device/module/ left out: another app's pieces write theirs there)
  const newest = (d: string): number => d === dir ? 0 : fs.readdirSync(d, { withFileTypes: true }).reduce((t, e) =>
    Math.max(t, e.isDirectory() ? newest(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).mtimeMs), 0);
  if (fs.existsSync(out) && fs.existsSync(namesFile) && fs.existsSync(propsFile) && fs.existsSync(entry) && fs.readFileSync(entry, "utf8") === source) {
    const made = Math.min(fs.statSync(out).mtimeMs, fs.statSync(namesFile).mtimeMs, fs.statSync(propsFile).mtimeMs);
    if (made > Math.max(newest(DEVICE), newest(__dirname))) {
      return { code: fs.readFileSync(out, "utf8"), file: out, names: JSON.parse(fs.readFileSync(namesFile, "utf8")), props: JSON.parse(fs.readFileSync(propsFile, "utf8")) };
    }
  }
  fs.writeFileSync(entry, source);
  const names: string[] = [], props: { [name: string]: string } = {};
  let code = await buildEntry(entry, path.relative(ROOT, out), false, { prefix: LIBRARY_PREFIX, exportsTo: LIBRARY_GLOBAL, names, props: INTERNAL_PROPS, aliases: ENGINE_ALIASES, bare: true, words: true, propMap: props });
  code = code.replace(/^("use strict";)?/, (d) => d + "var " + LIBRARY_GLOBAL + "={};");
  names.push(LIBRARY_GLOBAL);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, code + "\n");
  fs.writeFileSync(namesFile, JSON.stringify(names));
  fs.writeFileSync(propsFile, JSON.stringify(props));
  return { code: code + "\n", file: out, names, props };
}

/** The app's own top-level names that the library's body also defines (they would overwrite it). */
export function clashingNames(appSource: string, libraryNames: string[]): string[] {
  const own = new Set<string>();
  const re = /\b(?:var|let|const|function)\s+([A-Za-z_$][\w$]*)|(?:^|[^.\w$])([A-Za-z_$][\w$]*)\s*=(?!=)/g;
  for (let m; (m = re.exec(appSource));) own.add(m[1] || m[2]);
  return libraryNames.filter((n) => own.has(n));
}

export interface ImageOptions {
  board: string;
  app?: string;
  pieces?: string;
  www?: string | null;
  out?: string;
}

export interface StorageImage {
  dir: string;
  /** Storage name -> the bytes stored (latin1 string). */
  files: { [name: string]: string };
  choice: PieceChoice | null;
  /** What was printed. */
  lines: string[];
}

/** Where make image writes a board's Storage files. */
export function imageDir(board: string): string {
  return path.join(ROOT, "dist", board, "storage");
}

/** The page files for an app: www (a folder), else www/ next to the app, else none. */
function appPages(o: ImageOptions & { app: string }): PageFile[] {
  const dir = o.www === undefined ? path.join(path.dirname(path.resolve(o.app)), "www") : o.www;
  if (!dir) return [];
  if (!fs.existsSync(dir)) {
    if (o.www) throw new Error(`image: no page folder ${o.www}`);
    return [];
  }
  return fs.readdirSync(dir).filter((n) => fs.statSync(path.join(dir, n)).isFile()).sort().map((n) => {
    if (n.length > 24) throw new Error(`image: ${n}: Storage names are www/ + at most 24 characters`);
    return { name: "www/" + n, file: path.join(dir, n), bytes: fs.statSync(path.join(dir, n)).size };
  });
}

/** Builds the Storage image (see the head of this file) and writes it to o.out or dist/<board>/storage/. */
export async function buildImage(o: ImageOptions): Promise<StorageImage> {
  const lines: string[] = [];
  const files: { [name: string]: string } = {};
  let choice: PieceChoice | null = null;
  const tok = cliPretokeniser();
  const app = o.app || DEFAULT_APP;
  if (!fs.existsSync(app)) throw new Error(`image: no app file ${app}`);
  const src = fs.readFileSync(app, "latin1");
  if (!o.app) lines.push(`image: the default app, ${path.relative(ROOT, app)} (a normal app on the ${MODULE_NAME} library: copy it to make your own)`);
  if (usesBoard(src)) {
    files[BOARD_FILE] = boardSource(o.board);
    lines.push(`image: ${BOARD_FILE}: the board's wiring as BOARD (boards/${o.board}.ts): ${/var BOARD=(\{[^\n]*\});/.exec(files[BOARD_FILE])![1]}`);
  }
  for (const f of checkSource(src, app, { modules: new Set(Array.from(ESPRUINO_MODULES).concat([MODULE_NAME])) })) lines.push(`image: warning: ${formatFinding(f)}`);
  files[BOOT_FILE] = tok.tokenise(src);
  if (usesModule(src) || o.pieces) {
    choice = choosePieces(src, o.pieces, appPages({ ...o, app }).length > 0);
    let mod = await buildModule(choice.pieces);
    // Default pieces (acd, lease) the app did not name are left out, one at a time (the last in
    // PIECES first: lease, then acd), while the programs, with the page files at their smallest
    // (the gzip copies alone), would not fit the board's Storage area with them
    const json0 = fs.existsSync(path.join(ROOT, "boards", "json", o.board + ".json")) ? loadBoardJson(o.board) : null;
    const defaults = choice.pieces.filter((p) => choice!.why[p.name] === "default").reverse();
    if (json0 && defaults.length) {
      const sized = (body: string): { [name: string]: number } => {
        const z: { [name: string]: number } = { [BOOT_FILE]: files[BOOT_FILE].length, [LIBRARY_BOOT_FILE]: tok.tokenise(body).length, [MODULE_NAME]: MODULE_STUB.length };
        if (files[BOARD_FILE]) z[BOARD_FILE] = files[BOARD_FILE].length;
        for (const p of appPages({ ...o, app })) z[p.name] = Math.min(p.bytes, gzipped(fs.readFileSync(p.file)).length);
        return z;
      };
      const left: Piece[] = [];
      for (const d of defaults) {
        if (!imageProblem(json0, sized(mod.code))) break;
        choice.pieces = choice.pieces.filter((p) => p !== d);
        delete choice.why[d.name];
        left.push(d);
        mod = await buildModule(choice.pieces);
      }
      const fits = !imageProblem(json0, sized(mod.code));
      for (const p of left) {
        lines.push(`image: left out the default piece ${p.name} (${p.uses.replace(/^in every build unless left out \(PIECES=-\w+\): /, "")}) ` +
          `to make room in ${json0.info.name}'s Storage area${fits ? "" : " (not enough: see below)"}; PIECES=+${p.name} keeps it`);
      }
    }
    const clash = clashingNames(src, mod.names);
    if (clash.length) throw new Error(`image: ${app} defines ${clash.join(", ")}, a global name of the ${MODULE_NAME} library (its names start with ${LIBRARY_PREFIX}): rename it in the app`);
    files[LIBRARY_BOOT_FILE] = tok.tokenise(mod.code);
    files[MODULE_NAME] = MODULE_STUB;
    lines.push(`image: library ${MODULE_NAME} (the module ${MODULE_NAME}, its body ${LIBRARY_BOOT_FILE}): core (driver, IP, DHCP, TCP)` +
      choice.pieces.map((p) => ` + ${p.name} (${choice!.why[p.name]})`).join("") +
      (choice.pieces.length ? "" : ", no pieces") + `; ${mod.code.length} bytes, ${files[LIBRARY_BOOT_FILE].length} pretokenised`);
  }
  let pages = appPages({ ...o, app });
  // gzip copies of the page files that have none, where that saves a tenth (Storage names: www/ + 24)
  const gz: { [name: string]: Buffer } = {};
  for (const p of pages.slice()) {
    const data = fs.readFileSync(p.file);
    if (/\.gz$/.test(p.name) || p.name.length + 3 > 28 || pages.some((q) => q.name === p.name + ".gz")) continue;
    const z = gzipped(data);
    if (z.length > data.length * 0.9) continue;
    gz[p.name + ".gz"] = z;
    pages.push({ name: p.name + ".gz", file: p.file + ".gz", bytes: z.length });
  }
  pages.sort((a, b) => (a.name < b.name ? -1 : 1));
  const json = fs.existsSync(path.join(ROOT, "boards", "json", o.board + ".json")) ? loadBoardJson(o.board) : null;
  if (json) {
    const others = Object.keys(files).filter((k) => k !== BOOT_FILE).map((k) => files[k].length);
    const sizes = (l: PageFile[]): number[] => others.concat(l.map((p) => p.bytes));
    const all = pages;
    const plain = all.filter((p) => !/\.gz$/.test(p.name));
    // the originals only, else (a board whose Storage holds neither) the gzip copies in their
    // place: the library serves a lone www/<name>.gz at /<name>, always as gzip (eth-files.ts)
    const packed = all.filter((p) => /\.gz$/.test(p.name) || !all.some((q) => q.name === p.name + ".gz"));
    if (storageProblem(json, files[BOOT_FILE].length, sizes(all))) {
      if (!storageProblem(json, files[BOOT_FILE].length, sizes(plain))) pages = plain;
      else if (!storageProblem(json, files[BOOT_FILE].length, sizes(packed))) pages = packed;
    }
    const dropped = all.filter((p) => pages.indexOf(p) < 0);
    if (dropped.length) lines.push(`image: left out (no room next to the programs): ${dropped.map((p) => p.name).join(", ")}`);
    const sized: { [name: string]: number } = {};
    for (const k of Object.keys(files)) sized[k] = files[k].length;
    for (const p of pages) sized[p.name] = p.bytes;
    const tooBig = imageProblem(json, sized);
    if (tooBig) lines.push(`image: WARNING: ${tooBig}: an upload to this board would fail`);
  }
  for (const p of pages) files[p.name] = gz[p.name] ? gz[p.name].toString("latin1") : fs.readFileSync(p.file, "latin1");
  const dir = path.resolve(o.out || imageDir(o.board));
  fs.rmSync(dir, { recursive: true, force: true });
  for (const name of Object.keys(files).sort()) {
    const f = path.join(dir, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, files[name], "latin1");
  }
  const total = Object.keys(files).reduce((n, k) => n + files[k].length + 32, 0);
  const sc = json && json.chip.saved_code;
  lines.push(`image: ${path.relative(ROOT, dir) || dir}: ${Object.keys(files).sort().map((k) => `${k} (${files[k].length})`).join(", ")}` +
    `; ${total} bytes with Storage headers` + (sc ? ` of ${sc.page_size * sc.pages} on ${json!.info.name} (${Math.round(100 * total / (sc.page_size * sc.pages))}%)` : ""));
  return { dir, files, choice, lines };
}

/** The Storage files of an image folder (Storage name -> bytes), as make image wrote them. */
export function readImage(dir: string): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  const walk = (d: string, prefix: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), prefix + e.name + "/");
      else out[prefix + e.name] = fs.readFileSync(path.join(d, e.name), "latin1");
    }
  };
  walk(dir, "");
  return out;
}

async function main(): Promise<void> {
  const a = process.argv.slice(2);
  const o: ImageOptions = { board: "" };
  for (let i = 0; i < a.length; i++) {
    const v = (): string => { if (i + 1 >= a.length) throw new Error(`${a[i]} needs a value`); return a[++i]; };
    if (a[i] === "--board") o.board = v();
    else if (a[i] === "--app") o.app = v() || undefined;
    else if (a[i] === "--pieces") o.pieces = v() || undefined;
    else if (a[i] === "--www") o.www = v() || undefined;
    else if (a[i] === "--no-www") o.www = null;
    else if (a[i] === "--out") o.out = v();
    else throw new Error(`unknown argument '${a[i]}'`);
  }
  if (!o.board) throw new Error("--board <name> is required");
  const img = await buildImage(o);
  for (const l of img.lines) console.log(l);
}

if (require.main === module) main().catch((e) => { console.error(`image: ${e.message}`); process.exit(1); });
