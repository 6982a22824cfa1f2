// Builds one Espruino-ready file per board: dist/<board>.js.
//   build/device/boards/<board>.js (tsc, ES5, ES modules)
//   -> esbuild: one IIFE, no require of local files left
//   -> inline: single-use functions pasted into their caller's statements (tools/inline.ts)
//   -> terser: minified, ecma 5 (Espruino re-reads source on every pass)
//   -> hoist: functions and vars first in every scope (Espruino does not hoist)
//   -> signs: `a+(+b)` for `a+ +b`, which the CLI's pretokeniser would store as `a++b`
//   -> flatten: no outer function; its names become globals `_<name>` (about 600 variables less
//      on Espruino: a function defined at the top level keeps no scope link)
//   -> gate: anything Espruino cannot run fails the build with file, line and construct.
// Usage: node build/tools/bundle.js <board>...

import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import { minify } from "terser";
import { hoist } from "./hoist";
import { flatten } from "./flatten";
import { separateSigns } from "./signs";
import { wordLiterals } from "./literals";
import { inlineFunctions } from "./inline";
import { checkSource, formatFinding, GateOptions, KALUMA_MODULES } from "./gate";

const ROOT = path.resolve(__dirname, "..", "..");
const REQUIRE_ALIAS = "__espruino_require__";

export interface BundleResult {
  board: string;
  file: string;
  bytes: number;
  /** Functions and parameters the inliner removed (tools/inline.ts). */
  inlined: { functions: number; params: number };
}

/** Letters for a mangled name's first character, then letters and digits (terser's frequency
 *  order without "_" and "$"). */
const NAME_FIRST = "etnrisouaflchpdvmgybwESxTNCkLAOMDPHBjFIqRUzWXVJKQGYZ";
const NAME_REST = NAME_FIRST + "0516372984";

/** The n-th mangled name (n from 0): a, b, ... then two characters and so on. */
export function lettersOnlyName(n: number): string {
  let s = NAME_FIRST[n % NAME_FIRST.length];
  n = Math.floor(n / NAME_FIRST.length);
  while (n > 0) {
    n--;
    s += NAME_REST[n % NAME_REST.length];
    n = Math.floor(n / NAME_REST.length);
  }
  return s;
}


/** Kaluma (JerryScript) boards are named kaluma-<board>; every other board runs Espruino. */
export function isKalumaBoard(board: string): boolean {
  return /^kaluma-/.test(board);
}

/**
 * Where a board's bundle goes: dist/<board>.js, and dist/kaluma/<board>.js for Kaluma boards
 * (their bundles require Kaluma's modules, so they stay out of the Espruino bundles' folder).
 */
export function bundleDir(board: string): string {
  return isKalumaBoard(board) ? path.join(ROOT, "dist", "kaluma") : path.join(ROOT, "dist");
}

/** The gate's settings for a board's engine. */
export function gateOptions(board: string): GateOptions {
  return isKalumaBoard(board) ? { modules: KALUMA_MODULES } : {};
}

export async function bundleBoard(board: string, outDir = bundleDir(board)): Promise<BundleResult> {
  const entry = path.join(ROOT, "build", "device", "boards", `${board}.js`);
  if (!fs.existsSync(entry)) throw new Error(`bundle: no device build for board '${board}' (${path.relative(ROOT, entry)}); run 'make device' or check boards/${board}.ts exists`);
  const file = path.join(outDir, `${board}.js`);
  const inlined = { functions: 0, params: 0 };
  const code = await buildEntry(entry, path.relative(ROOT, file), isKalumaBoard(board), { inlined });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(file, code + "\n");
  return { board, file, bytes: Buffer.byteLength(code + "\n"), inlined };
}

/** What a module's entry writes its exports to; the bundle says `exports` (Espruino's module scope). */
export const EXPORTS_ALIAS = "__espruino_exports__";

/** buildEntry()'s choices for a library body (tools/image.ts): the prefix of its global names, and
 *  what `__espruino_exports__` becomes (a global the body defines, instead of `exports`). */
export interface EntryOptions {
  prefix?: string; exportsTo?: string; names?: string[];
  /** Internal property names to shorten (terser), engine globals to alias, the prefix alone as a name (flatten). */
  props?: RegExp; aliases?: string[]; bare?: boolean;
  /** `true`/`false`/`undefined` for `!0`/`!1`/`void 0` (shorter pretokenised, tools/literals.ts). */
  words?: boolean;
  /** With props: filled with each shortened property name's short name (for the console, tests). */
  propMap?: { [name: string]: string };
  /** Filled with what the inliner did (tools/inline.ts); `noInline`: leave the functions as they are. */
  inlined?: { functions: number; params: number };
  noInline?: boolean;
}

/**
 * One device entry (build/device/...js) as Espruino-ready code: esbuild, terser, hoist, signs,
 * flatten, gate (`shown`: the name the gate's findings give). Throws what the gate rejects.
 * With o.names, the flattened global names are pushed there.
 */
export async function buildEntry(entry: string, shown: string, kaluma = false, o: EntryOptions = {}): Promise<string> {
  const built = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    target: "es5",
    platform: "node",
    write: false,
    legalComments: "none",
    logLevel: "silent",
    // esbuild wraps a bare `require` in a Proxy-based shim; Espruino's own require (for
    // "Storage" and friends) must stay a plain call, so hide it behind a name and restore it.
    // NATIVES_HAVE_E: hal/natives.ts's engine choice, known per board (the other branch is dropped)
    define: { require: REQUIRE_ALIAS, NATIVES_HAVE_E: kaluma ? "false" : "true" },
  });
  // single-use functions into their callers' statements (before terser, which then shortens
  // the inlined names and folds the parameter copies)
  const inl = o.noInline ? { code: built.outputFiles[0].text, functions: 0, params: 0 } : inlineFunctions(built.outputFiles[0].text);
  if (o.inlined) { o.inlined.functions = inl.functions; o.inlined.params = inl.params; }
  const bundled = inl.code;
  const cache: any = o.props ? {} : undefined;
  const min = await minify(bundled, {
    nameCache: cache,
    ecma: 5,
    toplevel: true,
    // reduce_funcs: false: terser would otherwise paste single-use functions into their caller
    // as function expressions called in place, a new closure on every call in Espruino (43 of
    // them, many per packet: checksums, TCP segment handling). The gate rejects any left.
    compress: { passes: 2, ecma: 5, unsafe: false, hoist_funs: false, hoist_vars: false, keep_fargs: true, reduce_funcs: false },
    // names of letters and digits only: flatten() prefixes the wrapper's names with "_", which
    // then meets no mangled name
    // o.props: internal property names (whole names) shortened too, the same throughout the bundle
    mangle: { toplevel: true, nth_identifier: { get: lettersOnlyName }, ...(o.props ? { properties: { regex: o.props, nth_identifier: { get: lettersOnlyName } } } : {}) },
    format: { ecma: 5, comments: false, ascii_only: true, semicolons: true },
  });
  if (!min.code) throw new Error(`bundle: terser produced nothing for ${shown}`);
  if (o.propMap && cache && cache.props) for (const k of Object.keys(cache.props.props || {})) o.propMap[k.replace(/^\$/, "")] = cache.props.props[k];
  const hoisted = separateSigns(hoist(min.code.split(REQUIRE_ALIAS).join("require").split(EXPORTS_ALIAS).join(o.exportsTo || "exports")));
  const flat = flatten(o.words ? wordLiterals(hoisted) : hoisted, o.prefix, o.aliases, o.bare);
  if (o.names) for (const n of flat.names) o.names.push(n);
  const code = flat.code;
  const findings = checkSource(code, shown, kaluma ? { modules: KALUMA_MODULES } : {});
  if (findings.length) {
    throw new Error(`bundle: ${shown}: the ${kaluma ? "JerryScript (Kaluma)" : "Espruino"} gate rejected the bundle:\n${findings.map(formatFinding).join("\n")}`);
  }
  return code;
}

async function main(): Promise<void> {
  const boards = process.argv.slice(2);
  if (!boards.length) {
    console.error("usage: node build/tools/bundle.js <board>...");
    process.exit(2);
  }
  let failed = 0;
  for (const b of boards) {
    try {
      const r = await bundleBoard(b);
      console.log(`bundle: ${path.relative(ROOT, r.file)} ${r.bytes} bytes (${(r.bytes / 1024).toFixed(1)} KB) - gate ok - inlined ${r.inlined.functions} functions, ${r.inlined.params} parameters`);
    } catch (e: any) {
      console.error(e.message);
      failed++;
    }
  }
  if (failed) process.exit(1);
}

if (require.main === module) void main();
