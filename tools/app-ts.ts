// A user's app written in TypeScript, compiled the way the project compiles device code: the
// compiler options of tsconfig.device.json (ES5, lib es5, strict, no emitted helpers), Espruino's
// declarations (@types/espruino + hal/espruino-augment.d.ts) and the library's public API
// (types/enc28j60.d.ts), then the Espruino gate (tools/gate.ts) on the emitted ES5. One ES5 file
// out, or the compiler's diagnostics and the gate's findings (at their place in app.ts) and a
// non-zero exit:
//
//   node build/tools/app-ts.js app.ts out.js
//
// `make flash/sim/image APP=app.ts` calls this first and uses out.js as the app. See docs/typescript.md.

import * as fs from "fs";
import * as path from "path";
import { SourceMap } from "module";
import * as ts from "typescript";
import { checkSource, Finding } from "./gate";

/** The project root (this file runs as build/tools/app-ts.js). */
export const ROOT = path.resolve(__dirname, "..", "..");

/** Declarations an app is compiled against, besides @types/espruino (the augmentation references it). */
export const APP_DECLARATIONS = [path.join(ROOT, "hal", "espruino-augment.d.ts"), path.join(ROOT, "types", "enc28j60.d.ts")];

/**
 * The library's own modules: stored in the board's Storage under these names by `make flash`,
 * so require() finds them although the gate's list holds only Espruino's built-in modules.
 */
export const LIBRARY_MODULES = ["ENC28J60"];

/** What a TypeScript helper in the emitted ES5 stands for in app.ts (the gate names the helper). */
const HELPER_SOURCE: { [helper: string]: string } = {
  __extends: "class ... extends (no class inheritance on Espruino: compose, or copy methods onto the prototype)",
  __spreadArray: "spread [...a] or f(...a) (use concat() or apply())",
  __assign: "object spread {...o} (copy the properties in a loop)",
  __rest: "rest element in destructuring",
  __awaiter: "async/await (use callbacks)",
  __generator: "generator or async function (use callbacks)",
  __makeTemplateObject: "tagged template",
  __values: "for...of over an iterable (loop over an array with an index)",
  __read: "destructuring of an iterable",
};

/** Declaration files parsed once per process (tests compile many apps). */
const parsed: { [file: string]: ts.SourceFile } = {};

export interface AppResult {
  ok: boolean;
  /** The ES5 program (also when the gate found something, for inspection). */
  js?: string;
  /** One line (or block) per problem: "app.ts(3,5): error TS2345: ..." or "app.ts(7,1): gate: ...". */
  errors: string[];
}

/** tsconfig.device.json's compiler options, for one script emitted in memory with a source map. */
export function appCompilerOptions(): ts.CompilerOptions {
  const file = path.join(ROOT, "tsconfig.device.json");
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const conv = ts.convertCompilerOptionsFromJson(read.config.compilerOptions, ROOT, file);
  if (conv.errors.length) throw new Error(ts.flattenDiagnosticMessageText(conv.errors[0].messageText, "\n"));
  const o = conv.options;
  delete o.outDir;
  delete o.rootDir;
  delete o.incremental;
  delete o.tsBuildInfoFile;
  o.noEmit = false;
  o.declaration = false;
  o.sourceMap = true;
  o.inlineSourceMap = false;
  o.typeRoots = [path.join(ROOT, "node_modules", "@types")];
  // Checked as a module, so the app's top-level names are its own: @types/espruino declares
  // global functions http, net, fs, url (libraries, not globals on a board), which would make
  // Espruino's usual `var http = require("http")` a duplicate identifier. The emitted file stays a
  // script (compileApp drops the `export {};` this adds; an app with import/export is refused).
  o.moduleDetection = ts.ModuleDetectionKind.Force;
  return o;
}

/** Where a position of the emitted JS came from in app.ts (1-based), when the source map knows. */
function original(map: SourceMap | null, line: number, column: number): { line: number; column: number } | null {
  if (!map) return null;
  const e = map.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
  return typeof e.originalLine === "number" ? { line: e.originalLine + 1, column: (e.originalColumn || 0) + 1 } : null;
}

/** A gate finding about a require of the library's own modules (found in Storage on the board). */
function libraryRequire(f: Finding): boolean {
  const m = /^require of a module .* cannot resolve \((.*)\)$/.exec(f.construct);
  return !!m && LIBRARY_MODULES.indexOf(m[1]) >= 0;
}

/** Compiles app.ts (a script: require(), no import/export) to one ES5 program and gates it. */
export function compileApp(appFile: string): AppResult {
  const file = path.resolve(appFile);
  const shown = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) return { ok: false, errors: [`${shown}: no such file`] };
  const options = appCompilerOptions();
  const host = ts.createCompilerHost(options);
  const out: { [ext: string]: string } = {};
  host.writeFile = (name, text) => { out[name.endsWith(".map") ? "map" : "js"] = text; };
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, lang, onError, create) => {
    if (path.resolve(name) === file || !/\.d\.ts$/.test(name)) return getSourceFile(name, lang, onError, create);
    return parsed[name] || (parsed[name] = getSourceFile(name, lang, onError, create)!);
  };
  const program = ts.createProgram([file].concat(APP_DECLARATIONS), options, host);
  const source = program.getSourceFile(file)!;
  const fmt: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => "\n",
  };

  const moduleSyntax = source.statements.find((s) =>
    ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s) ||
    (ts.canHaveModifiers(s) && (ts.getModifiers(s) || []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)));
  if (moduleSyntax) {
    const at = source.getLineAndCharacterOfPosition(moduleSyntax.getStart(source));
    return { ok: false, errors: [`${shown}(${at.line + 1},${at.character + 1}): error: an app is a script run as the board's boot code: no import or export; use var eth = require("ENC28J60") and Espruino's globals`] };
  }

  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length) {
    return { ok: false, errors: diagnostics.map((d) => ts.formatDiagnostic(d, fmt).trimEnd()) };
  }
  const emitted = program.emit(source);
  if (emitted.emitSkipped || out.js === undefined) {
    return { ok: false, errors: [`${shown}: error: nothing emitted`].concat(emitted.diagnostics.map((d) => ts.formatDiagnostic(d, fmt).trimEnd())) };
  }
  const js = out.js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n").replace(/(^|\n)export \{\};\n$/, "$1");
  let map: SourceMap | null = null;
  try { map = out.map ? new SourceMap(JSON.parse(out.map)) : null; } catch (e) { map = null; }

  const findings = checkSource(js, shown).filter((f) => !libraryRequire(f));
  const errors = findings.map((f) => {
    const at = original(map, f.line, f.column);
    const where = at ? `${shown}(${at.line},${at.column})` : `${shown} (compiled line ${f.line}, column ${f.column})`;
    const helper = /^TypeScript helper (\w+)$/.exec(f.construct);
    const what = helper && HELPER_SOURCE[helper[1]] ? `${f.construct}, from ${HELPER_SOURCE[helper[1]]}` : f.construct;
    return `${where}: gate: ${what}: Espruino cannot run this\n    compiled: ...${f.snippet}...`;
  });
  return { ok: errors.length === 0, js, errors };
}

if (require.main === module) {
  const [appFile, outFile] = process.argv.slice(2);
  if (!appFile || !outFile || process.argv.length > 4) {
    console.error("usage: node build/tools/app-ts.js app.ts out.js");
    process.exit(2);
  }
  const r = compileApp(appFile);
  if (!r.ok) {
    for (const e of r.errors) console.error(e);
    console.error(`app-ts: ${appFile}: ${r.errors.length} problem(s); ${outFile} not written`);
    try { fs.unlinkSync(outFile); } catch (e) { /* none was there */ }
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  fs.writeFileSync(outFile, r.js!);
  console.log(`app-ts: ${appFile} -> ${outFile} (${Buffer.byteLength(r.js!)} bytes of ES5, gate ok)`);
}
