// Shared plumbing for every real-peer test: a network namespace made by the test, a TAP device
// in it with the kernel at 192.0.2.1/24 (no route out), and the simulated board attached to the
// TAP (`node build/sim/cli.js --tap tap0`, run inside the namespace).
//
// Address plan: kernel 192.0.2.1, device 192.0.2.2 (static) or by DHCP from a server the test
// starts in beforeSim (pool 192.0.2.100-192.0.2.150). Nothing leaves the namespace.
// Cleanup: stop() kills only the processes this module started (by pid) and deletes the
// namespace; a root-level mocha `after` hook and a process exit hook do the same for benches a
// failing test left behind; stale namespaces of dead test runs (encsim-<deadpid>-<n>) are
// deleted on the next start.

import { spawn as spawnChild, execFileSync, ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..", "..");
export const SIM_CLI = path.join(REPO_ROOT, "build", "sim", "cli.js");
/** The device bundle the sim runs: dist/sim.js (`make bundle BOARD=sim`); SIM_BUNDLE=file overrides. */
export const SIM_BUNDLE = process.env.SIM_BUNDLE ? path.resolve(process.env.SIM_BUNDLE) : path.join(REPO_ROOT, "dist", "sim.js");
export const HOST_IP = "192.0.2.1";
export const DEVICE_IP = "192.0.2.2";
export const DHCP_POOL = { start: "192.0.2.100", end: "192.0.2.150" };

function which(cmd: string): boolean {
  for (const dir of (process.env.PATH || "").split(":")) {
    try { fs.accessSync(path.join(dir, cmd), fs.constants.X_OK); return true; } catch { /* next */ }
  }
  return false;
}

/** Why real-peer tests cannot run here (null when they can). */
export function peerTestsUnavailable(tools: string[] = []): string | null {
  if (process.platform !== "linux") return "real-peer tests need Linux";
  if (!process.getuid || process.getuid() !== 0) return "real-peer tests need root (network namespaces, TAP devices)";
  if (!fs.existsSync("/dev/net/tun")) return "no /dev/net/tun";
  const missing = ["ip", "python3", "ping"].concat(tools).filter((t) => !which(t));
  if (missing.length) return "missing tools: " + missing.join(", ") + " (run `make peer-deps` as root)";
  if (!fs.existsSync(SIM_CLI)) return "no " + SIM_CLI + " (run `make build`)";
  if (!fs.existsSync(SIM_BUNDLE)) return "no " + SIM_BUNDLE + " (run `make bundle BOARD=sim`)";
  return null;
}

/**
 * Skips the test (or suite, from a before hook) with a clear message when real-peer tests
 * cannot run; in CI (CI=true) throws instead, so they never silently skip there.
 * `tools`: extra commands this test needs (e.g. ["socat", "dnsmasq"]).
 */
export function requirePeerTests(ctx: Mocha.Context, tools: string[] = []): void {
  const why = peerTestsUnavailable(tools);
  if (!why) return;
  if (process.env.CI === "true") throw new Error("real-peer tests must run in CI but cannot: " + why);
  // eslint-disable-next-line no-console
  console.log("      (skipped: " + why + ")");
  ctx.skip();
}

export interface RunResult { code: number; stdout: string; stderr: string }

export interface PeerBench {
  ns: string;
  tap: string;
  hostIp: string;
  deviceIp: string;
  /** The sim process (node inside the namespace). */
  sim: ChildProcess;
  /** Runs a command inside the namespace, bounded (default 15 s; killed on timeout, code -1). */
  run(cmd: string, args: string[], opts?: { timeoutMs?: number; input?: string }): Promise<RunResult>;
  /** Starts a long-running command inside the namespace; stop() kills it (by pid). */
  spawn(cmd: string, args: string[]): ChildProcess;
  /** Evaluates one line in the device's console; resolves with the text after "=", rejects on "Uncaught ...". */
  consoleEval(expr: string, timeoutMs?: number): Promise<string>;
  /** Everything the sim printed so far (stdout and stderr). */
  simOutput(): string;
  /** Resolves with the first match of re in the sim's output from now on (or already there, if fromStart). */
  waitForOutput(re: RegExp, timeoutMs?: number, fromStart?: boolean): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

export interface PeerBenchOptions {
  name: string;
  /** Device address: default 192.0.2.2 (static); "dhcp" lets the device ask a DHCP server. */
  deviceIp?: string;
  simArgs?: string[];
  /** Runs after the TAP is up and before the sim starts (e.g. `bench.spawn("dnsmasq", [...])`: killed by stop()). */
  beforeSim?: (ns: string, bench: PeerBench) => Promise<void>;
  /** Bound on the wait for the device to answer (default 30 s). */
  readyTimeoutMs?: number;
}

let counter = 0;
interface Entry { ns: string; children: ChildProcess[]; storage: string }
const live = new Set<Entry>();

function ip(args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10000 });
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
}

/** Deletes namespaces left by test runs whose process is gone. */
export function cleanupStaleNamespaces(): string[] {
  let list = "";
  try { list = execFileSync("ip", ["netns", "list"], { encoding: "utf8", timeout: 10000 }); } catch { return []; }
  const removed: string[] = [];
  for (const line of list.split("\n")) {
    const m = /^(encsim-(\d+)-\d+)\b/.exec(line.trim());
    if (m && Number(m[2]) !== process.pid && !alive(Number(m[2]))) {
      try { ip(["netns", "del", m[1]]); removed.push(m[1]); } catch { /* already gone */ }
    }
  }
  return removed;
}

function killSync(children: ChildProcess[]): void {
  for (const c of children) {
    if (c.pid && c.exitCode === null && c.signalCode === null) {
      try { process.kill(c.pid, "SIGKILL"); } catch { /* gone */ }
    }
  }
}

function waitExit(c: ChildProcess, ms: number): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null || !c.pid) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    c.once("exit", () => { clearTimeout(t); resolve(); });
  });
}

/** Stops every bench still running (used by the root after hook and the exit hook). */
export async function stopAllPeerBenches(): Promise<void> {
  for (const b of Array.from(live)) await stopEntry(b);
}

async function stopEntry(b: Entry): Promise<void> {
  for (const c of b.children) {
    if (c.pid && c.exitCode === null && c.signalCode === null) { try { process.kill(c.pid, "SIGTERM"); } catch { /* gone */ } }
  }
  for (const c of b.children) await waitExit(c, 3000);
  killSync(b.children);
  for (const c of b.children) await waitExit(c, 2000);
  try { ip(["netns", "del", b.ns]); } catch { /* already gone */ }
  fs.rmSync(b.storage, { recursive: true, force: true });
  live.delete(b);
}

process.on("exit", () => {
  for (const b of live) {
    killSync(b.children);
    try { execFileSync("ip", ["netns", "del", b.ns], { stdio: "ignore", timeout: 5000 }); } catch { /* best effort */ }
  }
});
// A root-level hook: registered when a spec file imports this module during mocha's loading.
declare const after: ((fn: () => Promise<void>) => void) | undefined;
if (typeof after === "function") after(stopAllPeerBenches);

export async function startPeerBench(opts: PeerBenchOptions): Promise<PeerBench> {
  cleanupStaleNamespaces();
  const ns = "encsim-" + process.pid + "-" + counter++;
  const tap = "tap0";
  const entry = { ns, children: [] as ChildProcess[], storage: path.join(os.tmpdir(), ns + "-storage") };
  ip(["netns", "add", ns]);
  live.add(entry);
  const bench = makeBench(entry, ns, tap);
  try {
    ip(["-n", ns, "link", "set", "lo", "up"]);
    ip(["-n", ns, "tuntap", "add", "dev", tap, "mode", "tap"]);
    ip(["-n", ns, "addr", "add", HOST_IP + "/24", "dev", tap]);
    ip(["-n", ns, "link", "set", tap, "up"]);
    // IPv4 only on this link: no IPv6 router solicitations/MLD chatter towards the device.
    execFileSync("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + tap + ".disable_ipv6=1"], { stdio: "ignore", timeout: 10000 });
    if (opts.beforeSim) await opts.beforeSim(ns, bench);
    const dhcp = opts.deviceIp === "dhcp";
    const devIp = dhcp ? "" : opts.deviceIp || DEVICE_IP;
    const args = [SIM_CLI, "--tap", tap, "--bundle", SIM_BUNDLE, "--storage", entry.storage];
    if (!dhcp) args.push("--ip", devIp, "--netmask", "255.255.255.0", "--gateway", HOST_IP);
    bench.startSim(args.concat(opts.simArgs || []));
    const limit = opts.readyTimeoutMs || 30000;
    const m = await bench.waitForOutput(/sim: device address (\d+\.\d+\.\d+\.\d+)/, limit, true);
    bench.deviceIp = m[1];
    const deadline = Date.now() + limit;
    for (;;) {
      const r = await bench.run("ping", ["-c", "1", "-W", "1", bench.deviceIp], { timeoutMs: 3000 });
      if (r.code === 0) break;
      if (Date.now() > deadline) throw new Error("the simulated device at " + bench.deviceIp + " does not answer ping\n" + bench.simOutput());
      await new Promise((r2) => setTimeout(r2, 200));
    }
    return bench;
  } catch (e) {
    await bench.stop();
    throw new Error("startPeerBench(" + opts.name + "): " + (e as Error).message);
  }
}

function makeBench(entry: Entry, ns: string, tap: string): PeerBench & { startSim(args: string[]): void } {
  let output = "";
  let simProc: ChildProcess | null = null;
  const listeners = new Set<() => void>();
  let evalChain: Promise<unknown> = Promise.resolve();
  const onOutput = (d: Buffer): void => { output += d.toString(); for (const l of Array.from(listeners)) l(); };

  const bench: PeerBench & { startSim(args: string[]): void } = {
    ns, tap, hostIp: HOST_IP, deviceIp: "",
    get sim(): ChildProcess { return simProc!; },
    startSim(args: string[]): void {
      simProc = spawnChild("ip", ["netns", "exec", ns, process.execPath].concat(args), { stdio: ["pipe", "pipe", "pipe"] });
      entry.children.push(simProc);
      simProc.stdout!.on("data", onOutput);
      simProc.stderr!.on("data", onOutput);
      simProc.stdin!.on("error", () => { /* sim gone */ });
      simProc.on("exit", (code, sig) => { output += "\n[sim exited: " + (sig || code) + "]\n"; for (const l of Array.from(listeners)) l(); });
    },
    run(cmd, args, o = {}): Promise<RunResult> {
      return new Promise((resolve) => {
        const c = spawnChild("ip", ["netns", "exec", ns, cmd].concat(args), { stdio: ["pipe", "pipe", "pipe"] });
        entry.children.push(c);
        let stdout = "", stderr = "";
        c.stdout!.on("data", (d: Buffer) => { stdout += d.toString(); });
        c.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
        c.stdin!.on("error", () => { /* exited early */ });
        if (o.input !== undefined) c.stdin!.end(o.input); else c.stdin!.end();
        const t = setTimeout(() => { if (c.pid) { try { process.kill(c.pid, "SIGKILL"); } catch { /* gone */ } } }, o.timeoutMs || 15000);
        c.on("error", (e) => { clearTimeout(t); resolve({ code: -1, stdout, stderr: stderr + e.message }); });
        c.on("close", (code) => {
          clearTimeout(t);
          const i = entry.children.indexOf(c);
          if (i >= 0) entry.children.splice(i, 1);
          resolve({ code: code === null ? -1 : code, stdout, stderr });
        });
      });
    },
    spawn(cmd, args): ChildProcess {
      const c = spawnChild("ip", ["netns", "exec", ns, cmd].concat(args), { stdio: ["pipe", "pipe", "pipe"] });
      entry.children.push(c);
      c.stdin!.on("error", () => { /* exited */ });
      return c;
    },
    simOutput: () => output,
    waitForOutput(re, timeoutMs = 10000, fromStart = false): Promise<RegExpMatchArray> {
      const startAt = fromStart ? 0 : output.length;
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = output.substring(startAt).match(re);
          if (m) { done(); resolve(m); return; }
          if (simProc && (simProc.exitCode !== null || simProc.signalCode !== null)) { done(); reject(new Error("the sim exited while waiting for " + re + "\n" + output)); }
        };
        const t = setTimeout(() => { done(); reject(new Error("timed out after " + timeoutMs + " ms waiting for " + re + " in the sim output:\n" + output)); }, timeoutMs);
        const done = (): void => { clearTimeout(t); listeners.delete(check); };
        listeners.add(check);
        check();
      });
    },
    consoleEval(expr, timeoutMs = 10000): Promise<string> {
      if (/[\r\n]/.test(expr)) return Promise.reject(new Error("consoleEval: one line only"));
      const step = evalChain.then(async () => {
        if (!simProc || !simProc.stdin!.writable) throw new Error("the sim is not running");
        const p = bench.waitForOutput(/^(=|Uncaught )(.*)$/m, timeoutMs);
        simProc.stdin!.write(expr + "\n");
        const m = await p;
        if (m[1] !== "=") throw new Error("device console: Uncaught " + m[2]);
        return m[2];
      });
      evalChain = step.catch(() => undefined);
      return step;
    },
    stop: () => stopEntry(entry),
  };
  return bench;
}
