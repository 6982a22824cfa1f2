// `make bench`: runs every bench/<area>.js module that exports run(), in name order, and
// prints the bundle size per board. Figures only: no pass/fail thresholds here.
import * as fs from "fs";
import * as path from "path";

async function main(): Promise<void> {
  const dir = __dirname;
  const only = process.argv.slice(2);
  const modules = fs.readdirSync(dir)
    .filter((f) => f.endsWith(".js") && f !== "run.js" && !f.startsWith("_"))
    .sort();
  for (const f of modules) {
    const name = f.replace(/\.js$/, "");
    if (only.length && !only.includes(name)) continue;
    const mod = require(path.join(dir, f));
    if (typeof mod.run !== "function") continue;
    console.log(`\n=== bench: ${name} ===`);
    const t0 = Date.now();
    try {
      await mod.run();
    } catch (e: any) {
      console.log(`bench ${name} failed: ${e && e.stack ? e.stack : e}`);
      process.exitCode = 1;
    }
    console.log(`(${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

void main();
