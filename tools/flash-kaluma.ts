// Host tool: put a Kaluma board's program and page on the board with the @kaluma/cli npm package
// (1.0.0; node_modules/.bin/kaluma), offline, as `make flash BOARD=kaluma-pico2 PORT=...` does:
//   kaluma put dist/www/index.html.gz /www-index.html.gz --port PORT   (then index.html)
//   kaluma write dist/kaluma/<board>.js --port PORT                     (runs it at once and at boot)
// The page files go first: the program reads them when it starts. Kaluma's file system is
// LittleFS at /, and `kaluma put` cannot make a folder, so the files sit at the root as
// /www-<name> (boards/kaluma-start.ts serves them at /<name>).
// The CLI prints errors and still exits 0, and waits forever for a board that does not answer,
// so every run is bounded by a timeout and judged by its output; it runs behind flash.ts's
// offline guard (no network). Its serial access needs the `serialport` package's native
// bindings: when they are missing that is said plainly (the dry run does not need them).
//
//   node build/tools/flash-kaluma.js --board kaluma-pico2 --port /dev/ttyACM0
//   node build/tools/flash-kaluma.js --board kaluma-pico2 --dry-run build/flash/kaluma-pico2-serial.bin
// The dry run plays the board's side with tools/kaluma-fake-serial.ts: the real CLI runs through,
// the exact bytes it would send are written to the given file, and what a board would have
// received (program, files) is compared with the sources.

import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { OFFLINE_GUARD, GUARD_MARK, checkPort, PortError } from "./flash";
import { WWW_OUT, writePageFiles } from "./gen-assets";

const ROOT = path.resolve(__dirname, "..", "..");
export const KALUMA_CLI = path.join(ROOT, "node_modules", "@kaluma", "cli", "bin", "kaluma.js");
const FAKE = path.join(__dirname, "kaluma-fake-serial.js");
export const KALUMA_BOARDS = ["kaluma-pico2", "kaluma-pico"];
/** Page files at the root of Kaluma's file system: /www-<name>. */
export const PAGE_PREFIX = "/www-";

export interface KalumaStep { args: string[]; what: string; kind: "put" | "write"; src: string; dest: string; bytes: number }

export function bundleFor(board: string): string {
  return path.join(ROOT, "dist", "kaluma", `${board}.js`);
}

/** The CLI runs, in order: the page files (gzip copy first), then the program. */
export function planKaluma(board: string, port: string): KalumaStep[] {
  if (KALUMA_BOARDS.indexOf(board) < 0) throw new Error(`unknown Kaluma board '${board}'; boards: ${KALUMA_BOARDS.join(", ")}`);
  const bundle = bundleFor(board);
  if (!fs.existsSync(bundle)) throw new Error(`no bundle ${path.relative(ROOT, bundle)}: run 'make bundle BOARD=${board}' first`);
  if (!fs.existsSync(path.join(WWW_OUT, "index.html"))) writePageFiles(WWW_OUT);
  const pages = fs.readdirSync(WWW_OUT).sort().reverse();   // index.html.gz, then index.html
  const steps: KalumaStep[] = pages.map((n) => {
    const src = path.join(WWW_OUT, n);
    return { kind: "put" as const, args: ["put", src, PAGE_PREFIX + n, "--port", port], what: `put ${path.relative(ROOT, src)} ${PAGE_PREFIX + n}`, src, dest: PAGE_PREFIX + n, bytes: fs.statSync(src).size };
  });
  steps.push({ kind: "write", args: ["write", bundle, "--port", port], what: `write ${path.relative(ROOT, bundle)}`, src: bundle, dest: "(program flash)", bytes: fs.statSync(bundle).size });
  return steps;
}

interface CliRun { code: number | null; output: string; timedOut: boolean }

function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, fake: boolean): Promise<CliRun> {
  return new Promise((resolve) => {
    const pre = fake ? ["-r", FAKE] : [];
    const child = spawn(process.execPath, [...pre, "-e", OFFLINE_GUARD, KALUMA_CLI, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "", timedOut = false;
    child.stdout.on("data", (d) => { output += d.toString("latin1"); });
    child.stderr.on("data", (d) => { output += d.toString("latin1"); });
    const timer = setTimeout(() => { timedOut = true; child.kill("SIGTERM"); setTimeout(() => child.kill("SIGKILL"), 1000); }, timeoutMs);
    child.on("close", (code) => { clearTimeout(timer); resolve({ code, output, timedOut }); });
  });
}

/** Why a CLI run failed, or null. */
export function judgeKaluma(step: KalumaStep, run: CliRun, port: string): string | null {
  const out = run.output;
  if (out.indexOf(GUARD_MARK) >= 0) return "the kaluma CLI tried to use the network; flashing must work offline";
  if (/Cannot find module|bindings\.node|Could not locate the bindings file|No native build was found/i.test(out))
    return "the serialport package's native bindings are not built (the kaluma CLI needs them to open a serial port): " +
      "run 'npm rebuild serialport' on a machine with a C++ compiler, or install @kaluma/cli where its prebuilt bindings fit; the dry run works without them";
  if (/Error: /.test(out) && !/^Done\./m.test(out)) return `could not use ${port} as the board's serial port: ${out.trim().split("\n").filter((l) => /Error: /.test(l))[0].replace(/^\[?(Error: )+/, "").replace(/\]$/, "")}`;
  if (run.timedOut) return `no Kaluma board answered on ${port} (${step.kind === "write" ? "no YMODEM request after '.flash -w'" : "no acknowledgement of the file's data"}; is Kaluma running on it, with no other program holding the port?)`;
  if (run.code !== 0) return `the kaluma CLI exited with code ${run.code}: ${out.trim().split("\n").slice(-3).join(" | ")}`;
  if (step.kind === "write" && !/^Done\./m.test(out)) return `the upload of ${path.basename(step.src)} did not complete: ${out.trim().split("\n").slice(-2).join(" | ")}`;
  if (step.kind === "put" && !/Copying /.test(out)) return `the copy of ${path.basename(step.src)} did not start: ${out.trim().split("\n").slice(-2).join(" | ")}`;
  return null;
}

export interface KalumaFlashResult { ok: boolean; message: string }

/** Flashes (or with dryRun, plays the board's side and checks what it would receive). */
export async function flashKaluma(board: string, opts: { port?: string; dryRun?: string; timeoutMs?: number }, say: (s: string) => void = () => undefined): Promise<KalumaFlashResult> {
  if (!fs.existsSync(KALUMA_CLI)) return { ok: false, message: `the kaluma CLI is not installed (${path.relative(ROOT, KALUMA_CLI)}): run 'npm ci' (package @kaluma/cli)` };
  const dry = !!opts.dryRun;
  if (!dry) checkPort(opts.port);
  const port = dry ? "/dev/fake-kaluma" : (opts.port as string);
  const steps = planKaluma(board, port);
  const env: NodeJS.ProcessEnv = {};
  for (const k of Object.keys(process.env)) if (!/_proxy$/i.test(k)) env[k] = process.env[k];
  let summaryFile = "";
  if (dry) {
    const out = path.resolve(opts.dryRun as string);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, "");
    summaryFile = out.replace(/(\.[a-z]+)?$/, ".json");
    if (fs.existsSync(summaryFile)) fs.unlinkSync(summaryFile);
    env.FLASH_KALUMA_RECORD = out;
    env.FLASH_KALUMA_SUMMARY = summaryFile;
  }
  for (const s of steps) {
    say(`flash: kaluma ${s.what} (${s.bytes} bytes)`);
    const timeout = opts.timeoutMs || 20000 + s.bytes * 2;
    const run = await runCli(s.args, env, timeout, dry);
    const why = judgeKaluma(s, run, port);
    if (why) return { ok: false, message: why };
  }
  if (!dry) return { ok: true, message: `flashed ${path.relative(ROOT, bundleFor(board))} to the Kaluma board on ${port} (it runs now and at every boot), with the page as ${steps.filter((s) => s.kind === "put").map((s) => s.dest).join(", ")}` };
  const got = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
  for (const s of steps) {
    const want = fs.readFileSync(s.src);
    const rec = s.kind === "write" ? got.program : got.files.filter((f: any) => f.path === s.dest)[0];
    if (!rec || !Buffer.from(rec.data, "base64").equals(want)) return { ok: false, message: `dry run: the board would not have received ${path.relative(ROOT, s.src)} unchanged as ${s.dest}` };
  }
  const sent = fs.statSync(path.resolve(opts.dryRun as string)).size;
  return {
    ok: true,
    message: `dry run: ${opts.dryRun} (${sent} bytes: everything the kaluma CLI would send over the serial port) ` +
      steps.map((s) => (s.kind === "write" ? `writes ${path.relative(ROOT, s.src)} (${s.bytes} bytes) to the program flash by YMODEM, then .load` : `puts ${path.relative(ROOT, s.src)} (${s.bytes} bytes) as ${s.dest}`)).join("; ") +
      `; each received unchanged by a stand-in board; board-side commands: ${got.lines.filter((l: string) => l.startsWith(".")).join(" ")}; offline`,
  };
}

async function main(): Promise<void> {
  const a = process.argv.slice(2);
  const get = (k: string): string | undefined => { const i = a.indexOf(k); return i >= 0 ? a[i + 1] : undefined; };
  const board = get("--board") || "";
  const usage = "usage: node build/tools/flash-kaluma.js --board <kaluma-board> (--port <serial device> | --dry-run <out.bin>) [--timeout-ms N]";
  if (!board) { console.error(`flash: --board is required\n${usage}`); process.exit(2); }
  if (KALUMA_BOARDS.indexOf(board) < 0) { console.error(`flash: unknown Kaluma board '${board}'; boards: ${KALUMA_BOARDS.join(" ")}`); process.exit(2); }
  try {
    const r = await flashKaluma(board, { port: get("--port"), dryRun: get("--dry-run"), timeoutMs: get("--timeout-ms") ? Number(get("--timeout-ms")) : undefined }, (s) => console.log(s));
    if (r.ok) { console.log(`flash: ${r.message}`); process.exit(0); }
    console.error(`flash: FAILED: ${r.message}`);
    process.exit(1);
  } catch (e: any) {
    console.error(`flash: ${e instanceof PortError ? "" : "FAILED: "}${e.message}`);
    process.exit(e instanceof PortError ? e.exitCode : 1);
  }
}

if (require.main === module) void main();
