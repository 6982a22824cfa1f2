// Helpers of bench/espruino.ts: HTTP GETs through the sim's gateway, and callgrind phases
// (zero the counters, run, dump, read the interpreter thread's instruction total).
import * as http from "http";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync, spawnSync } from "child_process";
import * as zlib from "zlib";
import { interpreterCommand } from "../sim/espruino/engine";

export function pause(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

export function get(url: string, o: { agent?: http.Agent; gzip?: boolean; timeoutMs?: number } = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: o.agent || false, timeout: o.timeoutMs || 60000, headers: o.gzip ? { "Accept-Encoding": "gzip" } : {} }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => {
        let body: Buffer = Buffer.concat(parts);
        if (res.headers["content-encoding"] === "gzip") body = zlib.gunzipSync(body);
        resolve({ status: res.statusCode || 0, body });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

export interface Callgrind { dir: string; wrap: string[]; parts: number }

/** The valgrind command for a build valgrind can run here (not one that needs qemu). */
export function startCallgrind(bin: string): Callgrind {
  if (spawnSync("valgrind", ["--version"], { stdio: "ignore" }).error) throw new Error("valgrind is not installed (apt-get install valgrind)");
  const run = interpreterCommand(bin);
  if (run.via) throw new Error(path.basename(bin) + " runs through " + run.via + " here; valgrind needs a build the kernel runs natively (e.g. a 64-bit build)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "espcg-"));
  return { dir, parts: 0, wrap: ["valgrind", "--tool=callgrind", "--separate-threads=yes", "--callgrind-out-file=" + path.join(dir, "cg.out.%p")] };
}

/** Zeroes the counters of the callgrind process pid, runs fn, dumps: the interpreter thread's instructions, the dump file and the wall seconds. */
export async function phase(cg: Callgrind, pid: number, fn: () => Promise<void>): Promise<{ instr: number; file: string; s: number }> {
  execFileSync("callgrind_control", ["-z", String(pid)], { stdio: "ignore" });
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  execFileSync("callgrind_control", ["-d", String(pid)], { stdio: "ignore" });
  // zeroing does not dump; every -d writes part N for each thread
  // files cg.out.<pid>.<part>-<thread>; thread 01 is the interpreter
  const re = new RegExp("^cg\\.out\\." + pid + "\\.(\\d+)-01$");
  const files = fs.readdirSync(cg.dir).filter((f) => re.test(f)).sort((a, b) => Number(re.exec(a)![1]) - Number(re.exec(b)![1]));
  const file = path.join(cg.dir, files[files.length - 1]);
  const m = /^summary: (\d+)/m.exec(fs.readFileSync(file, "latin1"));
  return { instr: m ? Number(m[1]) : NaN, file, s };
}

/** Turns of the interpreter's idle loop (calls of jsiIdle) in a dump; NaN when not found. */
export function loopTurns(file: string): number {
  const r = spawnSync("callgrind_annotate", ["--tree=calling", "--threshold=100", file], { encoding: "latin1", maxBuffer: 64 << 20 });
  const m = /=> \S*:jsiIdle \(([\d,]+)x\)/.exec(r.stdout || "");
  return m ? Number(m[1].replace(/,/g, "")) : NaN;
}

/** The functions with the most instructions of their own in a dump (callgrind_annotate). */
export function topFunctions(file: string, n: number): string[] {
  const r = spawnSync("callgrind_annotate", ["--inclusive=no", "--threshold=100", file], { encoding: "latin1", maxBuffer: 64 << 20 });
  const out: string[] = [];
  for (const l of (r.stdout || "").split("\n")) {
    const m = /^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(?:\S+:)?(\S+) /.exec(l);
    if (!m || Number(m[2]) >= 100 || !/^[A-Za-z_]\w*$/.test(m[3]) || /PROGRAM|\?\?\?|main$|start_thread|clone|jsiLoop$|_start|libc_start|jshInputThread/.test(m[3])) continue;
    out.push(m[3] + " " + m[2] + "%");
    if (out.length >= n) break;
  }
  return out;
}
