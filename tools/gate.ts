// The Espruino compatibility gate. Parses a bundle with a real JavaScript parser and reports,
// with file, line, column and construct, everything Espruino cannot run (see
// ../shared/reference/espruino.md, "Does not work"). `node build/tools/gate.js dist/*.js`
// exits non-zero on any finding; tools/bundle.ts runs it on every bundle it writes.

import * as acorn from "acorn";
import * as fs from "fs";
import { Node, childNodes } from "./ast";


export interface Finding {
  file: string;
  line: number;
  column: number;
  construct: string;
  snippet: string;
}

const TSC_HELPERS = new Set([
  "__extends", "__spreadArray", "__spread", "__spreadArrays", "__assign", "__rest", "__read", "__values",
  "__awaiter", "__generator", "__makeTemplateObject", "__classPrivateFieldGet", "__classPrivateFieldSet",
  "__createBinding", "__exportStar", "__importStar", "__importDefault", "__decorate", "__esDecorate",
]);
const MISSING_GLOBALS = new Set(["Map", "Set", "WeakMap", "WeakSet", "WeakRef", "Symbol", "Proxy", "Reflect", "BigInt"]);
const MISSING_STATICS: Record<string, Set<string>> = {
  Math: new Set(["imul", "clz32", "trunc", "fround", "sign", "cbrt", "log2", "log10", "hypot"]),
  Number: new Set(["isInteger", "isSafeInteger", "EPSILON", "MAX_SAFE_INTEGER", "MIN_SAFE_INTEGER", "isFinite", "isNaN"]),
  Array: new Set(["from", "of"]),
  Object: new Set(["freeze", "isFrozen", "seal", "entries", "values", "fromEntries", "getOwnPropertySymbols"]),
  ArrayBuffer: new Set(["isView"]),
};
const MISSING_METHODS = new Set(["copyWithin", "BYTES_PER_ELEMENT"]);
const ELEMENT_SIZE: Record<string, number> = {
  Uint16Array: 2, Int16Array: 2, Uint32Array: 4, Int32Array: 4, Float32Array: 4, Float64Array: 8,
};
/** Modules Espruino resolves itself; anything else is a local file the bundler failed to inline. */
export const ESPRUINO_MODULES = new Set(["Storage", "NetworkJS", "net", "http", "Flash", "Wifi", "ESP32", "crypto", "fs", "dgram"]);

/**
 * Regular-expression features Espruino's small regex engine lacks (measured on 2v29: each of
 * these silently fails to match): counted repetition `{n}`, a quantifier on a group, lookaround.
 */
export function regexProblem(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") { i++; continue; }
    if (inClass) { if (c === "]") inClass = false; continue; }
    if (c === "[") { inClass = true; continue; }
    if (c === "{" && /^\{\d+(,\d*)?\}/.test(pattern.slice(i))) return "counted repetition {n}";
    if (c === ")" && /[*+?{]/.test(pattern[i + 1] || "")) return "quantified group";
    if (c === "(" && pattern[i + 1] === "?" && /[=!<]/.test(pattern[i + 2] || "")) return "lookaround";
  }
  return undefined;
}

function propName(n: Node): string | undefined {
  if (!n.computed && n.property.type === "Identifier") return n.property.name;
  if (n.computed && n.property.type === "Literal" && typeof n.property.value === "string") return n.property.value;
  return undefined;
}

function lineCol(code: string, pos: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = code.indexOf("\n"); i !== -1 && i < pos; i = code.indexOf("\n", i + 1)) { line++; last = i; }
  return { line, column: pos - last };
}

/** Identifiers read in a subtree, not descending into nested functions (their bodies run later). */
function readsIn(n: Node, out: Map<string, number>): void {
  for (const c of childNodes(n)) {
    if (c.type === "FunctionExpression" || c.type === "ArrowFunctionExpression" || c.type === "FunctionDeclaration") continue;
    if (c.type === "Identifier") {
      if (!out.has(c.name)) out.set(c.name, c.start);
    } else if (c.type === "MemberExpression" && !c.computed) {
      readsIn({ type: "Wrap", start: c.start, end: c.end, obj: c.object } as unknown as Node, out);
    } else if (c.type === "Property" && !c.computed) {
      readsIn({ type: "Wrap", start: c.start, end: c.end, v: c.value } as unknown as Node, out);
    } else {
      readsIn(c, out);
    }
  }
}

/** Statement index at which each name is declared (function declarations and var) in one scope. */
function declarationOrder(body: Node[], report: (n: Node | { start: number }, what: string) => void): void {
  const declaredAt = new Map<string, number>();
  const mark = (name: string, i: number) => { if (!declaredAt.has(name)) declaredAt.set(name, i); };
  const scan = (n: Node, i: number): void => {
    for (const c of childNodes(n)) {
      if (c.type === "FunctionDeclaration") { mark(c.id.name, i); continue; }
      if (c.type === "FunctionExpression" || c.type === "ArrowFunctionExpression") continue;
      if (c.type === "VariableDeclaration" && c.kind === "var") {
        for (const d of c.declarations) if (d.id.type === "Identifier") mark(d.id.name, i);
      }
      scan(c, i);
    }
  };
  body.forEach((s, i) => {
    if (s.type === "FunctionDeclaration") mark(s.id.name, i);
    else scan({ type: "Wrap", start: s.start, end: s.end, s } as unknown as Node, i);
  });
  body.forEach((s, i) => {
    if (s.type === "FunctionDeclaration") return;
    const reads = new Map<string, number>();
    readsIn({ type: "Wrap", start: s.start, end: s.end, s } as unknown as Node, reads);
    for (const [name, pos] of reads) {
      const at = declaredAt.get(name);
      if (at !== undefined && at > i) report({ start: pos }, `'${name}' used before its declaration runs (Espruino does not hoist)`);
    }
  });
}

/** What differs between engines: the modules require() may name (default: Espruino's own). */
export interface GateOptions {
  modules?: Set<string>;
}

/** The modules a Kaluma program may require (Kaluma 1.3's built-in spi, storage and fs). */
export const KALUMA_MODULES = new Set(["spi", "storage", "fs"]);

export function checkSource(code: string, file = "<input>", opts: GateOptions = {}): Finding[] {
  const modules = opts.modules || ESPRUINO_MODULES;
  const findings: Finding[] = [];
  const report = (n: { start: number }, construct: string) => {
    const { line, column } = lineCol(code, n.start);
    findings.push({ file, line, column, construct, snippet: code.slice(Math.max(0, n.start - 30), n.start + 50).replace(/\s+/g, " ") });
  };
  let ast: Node;
  try {
    ast = acorn.parse(code, { ecmaVersion: "latest", sourceType: "script", allowReturnOutsideFunction: false }) as Node;
  } catch (e: any) {
    const pos = typeof e.pos === "number" ? e.pos : 0;
    report({ start: pos }, `syntax error: ${e.message}`);
    return findings;
  }
  // Functions enclosing the node being visited.
  let depth = 0;
  const visit = (n: Node, parent: Node | null): void => {
    switch (n.type) {
      case "ClassDeclaration":
      case "ClassExpression":
        if (n.superClass) report(n, "class inheritance (extends)");
        break;
      case "Identifier":
        if (TSC_HELPERS.has(n.name)) report(n, `TypeScript helper ${n.name}`);
        if (MISSING_GLOBALS.has(n.name) && !(parent && parent.type === "MemberExpression" && parent.property === n && !parent.computed)
          && !(parent && parent.type === "Property" && parent.key === n && !parent.computed)) report(n, `${n.name} (missing in Espruino)`);
        break;
      case "SpreadElement": report(n, "spread"); break;
      case "RestElement": report(n, "rest parameter/element"); break;
      case "ObjectPattern":
      case "ArrayPattern": report(n, "destructuring"); break;
      case "AssignmentPattern": report(n, "default parameter/value"); break;
      case "LabeledStatement": report(n, "labelled statement"); break;
      case "BreakStatement":
      case "ContinueStatement":
        if (n.label) report(n, `labelled ${n.type === "BreakStatement" ? "break" : "continue"}`);
        break;
      case "BinaryExpression": if (n.operator === "**") report(n, "** operator"); break;
      case "AssignmentExpression":
        if (n.operator === "**=") report(n, "**= operator");
        if (n.operator === "??=" || n.operator === "||=" || n.operator === "&&=") report(n, `${n.operator} operator`);
        if (n.left.type === "MemberExpression" && propName(n.left) === "length") report(n, "assignment to .length (throws in Espruino)");
        break;
      case "ChainExpression": report(n, "optional chaining ?."); break;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        if (n.generator) report(n, "generator function");
        if (n.async) report(n, "async function");
        break;
      case "AwaitExpression": report(n, "await"); break;
      case "YieldExpression": report(n, "yield"); break;
      case "TaggedTemplateExpression": report(n, "tagged template"); break;
      case "MetaProperty": report(n, `${n.meta.name}.${n.property.name}`); break;
      case "Property": if (n.computed && parent && parent.type === "ObjectExpression") report(n, "computed property name"); break;
      case "VariableDeclaration": if (n.kind !== "var") report(n, `${n.kind} (not ES5; per-iteration bindings break in Espruino)`); break;
      case "SwitchStatement": {
        let seenDefault = false;
        for (const c of n.cases) {
          if (c.test === null) seenDefault = true;
          else if (seenDefault) { report(c, "case after default"); break; }
        }
        break;
      }
      case "MemberExpression": {
        const name = propName(n);
        if (name && n.object.type === "Identifier" && MISSING_STATICS[n.object.name] && MISSING_STATICS[n.object.name].has(name)) report(n, `${n.object.name}.${name} (missing in Espruino)`);
        if (name && MISSING_METHODS.has(name)) report(n, `.${name} (missing in Espruino)`);
        if (n.object.type === "MemberExpression" && propName(n.object) === "prototype" && n.object.object.type === "Identifier" && n.object.object.name === "Array") report(n, "Array.prototype method read as a value (undefined in Espruino)");
        if (name === "apply" && n.object.type === "MemberExpression" && propName(n.object) === "fromCharCode") report(n, "String.fromCharCode.apply (throws above 256 elements; use E.toString)");
        break;
      }
      case "Literal":
        if (n.regex) {
          const problem = regexProblem(n.regex.pattern);
          if (problem) report(n, `regex ${problem} (Espruino's regex engine does not match it)`);
        }
        break;
      case "NewExpression": {
        const size = n.callee.type === "Identifier" ? ELEMENT_SIZE[n.callee.name] : undefined;
        const off = n.arguments[1];
        if (size && off && off.type === "Literal" && typeof off.value === "number" && off.value % size !== 0) report(n, `misaligned ${n.callee.name} view at byte offset ${off.value}`);
        break;
      }
      case "CallExpression":
        // Code at the top level runs once; inside a function, a function expression called in
        // place is a new closure (about 8 JsVars) and a re-parse on every call. (Bundles have no
        // wrapper since tools/flatten.ts: their functions are at depth 1.)
        if (n.callee.type === "FunctionExpression" && depth > 0) report(n, "function expression called in place inside a function (a new closure on every call)");
        if (n.callee.type === "Identifier" && n.callee.name === "require") {
          const a = n.arguments[0];
          if (!a || a.type !== "Literal" || !modules.has(a.value)) report(n, `require of a module ${opts.modules ? "the engine" : "Espruino"} cannot resolve (${a && a.type === "Literal" ? a.value : "non-literal"})`);
        }
        break;
      case "Program":
        declarationOrder(n.body, report);
        break;
      case "BlockStatement":
        if (parent && (parent.type === "FunctionDeclaration" || parent.type === "FunctionExpression" || parent.type === "ArrowFunctionExpression")) declarationOrder(n.body, report);
        break;
    }
    const fn = n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";
    if (fn) depth++;
    for (const c of childNodes(n)) visit(c, n);
    if (fn) depth--;
  };
  visit(ast, null);
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return findings;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.construct}\n    ...${f.snippet}...`;
}

/** A Kaluma board's bundle (dist/kaluma/kaluma-<board>.js) is checked with Kaluma's modules. */
export function checkFile(file: string): Finding[] {
  const kaluma = /(^|[\\/])kaluma-[^\\/]*\.js$/.test(file);
  return checkSource(fs.readFileSync(file, "utf8"), file, kaluma ? { modules: KALUMA_MODULES } : {});
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (!files.length) {
    console.error("usage: node build/tools/gate.js <bundle.js>...");
    process.exit(2);
  }
  let bad = 0;
  for (const f of files) {
    const found = checkFile(f);
    for (const x of found) console.error(formatFinding(x));
    bad += found.length;
    if (!found.length) console.log(`gate: ${f}: ok`);
  }
  if (bad) {
    console.error(`gate: ${bad} construct(s) Espruino cannot run`);
    process.exit(1);
  }
}
