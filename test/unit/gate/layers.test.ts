// The tree's one direction of dependencies (docs/architecture.md), checked on the sources:
// device layers import only downwards, device code never imports host code, and tests import
// helpers from harness files, never from other test files.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

/** Layer rank of a device path (lower = further down); undefined for host-only code. */
function rank(rel: string): number | undefined {
  if (rel.startsWith("hal/host/")) return undefined;
  if (rel.startsWith("hal/")) return 0;
  if (rel.startsWith("drivers/")) return 1;
  if (rel.startsWith("firmware/net/")) return 2;
  if (rel.startsWith("firmware/tcp/")) return 3;
  if (rel.startsWith("firmware/http/")) return 4;
  if (rel.startsWith("firmware/lib/")) return 4.5;   // the library module: over HTTP, under the demo app
  if (rel.startsWith("firmware/app/")) return 5;
  if (rel.startsWith("boards/")) return 6;
  return undefined;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return out;
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(rel));
    else if (e.name.endsWith(".ts")) out.push(rel);
  }
  return out;
}

/** Relative imports of a file, resolved to repository paths. */
function importsOf(rel: string): string[] {
  const src = fs.readFileSync(path.join(ROOT, rel), "utf8");
  const out: string[] = [];
  const re = /(?:from|import|require)\s*\(?\s*["'](\.\.?\/[^"']+)["']/g;
  for (let m = re.exec(src); m; m = re.exec(src)) out.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1])));
  return out;
}

/** The upward or host-ward imports of the device files (empty when the layering holds). */
function layerViolations(files: string[], imports: (f: string) => string[] = importsOf): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const r = rank(f);
    if (r === undefined) continue;
    for (const to of imports(f)) {
      const t = rank(to);
      if (t === undefined) bad.push(`${f} imports host-only ${to}`);
      else if (t > r) bad.push(`${f} imports ${to}, a layer above it`);
    }
  }
  return bad;
}

describe("layers: dependencies point down only", () => {
  const device = ["hal", "drivers", "firmware", "boards"].flatMap(tsFiles);

  it("finds the device sources", () => {
    assert.ok(device.length > 30, `${device.length} files`);
  });

  it("device code imports only from its own layer or below, never host code", () => {
    assert.deepEqual(layerViolations(device), []);
  });

  it("the check catches an upward import and a host-only import", () => {
    const fake: Record<string, string[]> = {
      "hal/netif.ts": ["firmware/net/stack"],                // hal -> firmware: up
      "firmware/net/arp.ts": ["hal/host/mock-spi", "hal/types"], // device -> host-only, and a fine one
      "firmware/app/app.ts": ["firmware/net/stack", "drivers/enc28j60/driver"],
      "boards/pico.ts": ["boards/start", "firmware/app/app"],
    };
    assert.deepEqual(layerViolations(Object.keys(fake), (f) => fake[f]), [
      "hal/netif.ts imports firmware/net/stack, a layer above it",
      "firmware/net/arp.ts imports host-only hal/host/mock-spi",
    ]);
  });

  it("no test file imports another test file (helpers live in harness files)", () => {
    const tests = ["test"].flatMap(tsFiles);
    const bad: string[] = [];
    for (const f of tests) for (const to of importsOf(f)) if (/\.test$/.test(to) || /\.test\.(ts|js)$/.test(to)) bad.push(`${f} imports ${to}`);
    assert.deepEqual(bad, []);
  });
});
