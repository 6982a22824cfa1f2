// Bundle size per board (minified ES5, as uploaded), with the 40 KB budget as a ratio.
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { storedProgram } from "../tools/flash";

const ROOT = path.resolve(__dirname, "..", "..");
const BUDGET = 40 * 1024;

export function run(): void {
  const dist = path.join(ROOT, "dist");
  const files = fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => f.endsWith(".js")).sort() : [];
  if (!files.length) {
    console.log("no bundles in dist/ (run make bundle-all)");
    return;
  }
  console.log("board                 bytes   KB     gzip  in flash (pretokenised)  of 40 KB target");
  for (const f of files) {
    const buf = fs.readFileSync(path.join(dist, f));
    const gz = zlib.gzipSync(buf, { level: 9 }).length;
    const stored = storedProgram(path.join(dist, f)).length;
    console.log(`${f.replace(/\.js$/, "").padEnd(20)} ${String(buf.length).padStart(7)} ${(buf.length / 1024).toFixed(1).padStart(6)} ${String(gz).padStart(7)}  ${String(stored).padStart(8)} (${((stored / buf.length) * 100).toFixed(0)}%)          ${((buf.length / BUDGET) * 100).toFixed(0)}%`);
  }
}
