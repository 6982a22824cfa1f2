// Espruino does not hoist: a function declaration or `var` must be executed before any line
// that uses it. This pass rewrites a script so that, in every scope (the program and each
// function body), all function declarations and one `var a,b,c;` statement come first, and
// the original `var` statements become plain assignments where they stood.
// Run it after minifying (terser emits `return x; var y` patterns).

import MagicString from "magic-string";
import { Node, FUNCTION_TYPES, childNodes, parseScript } from "./ast";

interface Scope {
  body: Node[];          // the statement list of the scope
  insertAt: number;      // where hoisted declarations go
  functions: Node[];     // function declarations anywhere in the scope (not in nested functions)
  vars: { decl: Node; parent: Node }[];
}

function directivesEnd(body: Node[], fallback: number): number {
  let pos = fallback;
  for (const s of body) {
    if (s.type === "ExpressionStatement" && typeof s.directive === "string") pos = s.end;
    else break;
  }
  return pos;
}

function collect(scope: Scope, n: Node, parent: Node, nested: Node[]): void {
  for (const c of childNodes(n)) {
    if (FUNCTION_TYPES.has(c.type)) {
      if (c.type === "FunctionDeclaration") scope.functions.push(c);
      nested.push(c);
      continue;
    }
    if (c.type === "VariableDeclaration" && c.kind === "var") scope.vars.push({ decl: c, parent: n });
    collect(scope, c, n, nested);
  }
}

function declaredNames(decl: Node): string[] {
  return decl.declarations.map((d: Node) => {
    if (d.id.type !== "Identifier") throw new Error(`hoist: destructuring declaration at ${d.start} cannot be hoisted`);
    return d.id.name as string;
  });
}

/** Turns `var a=1,b,c=f()` into `a=1,c=f()` (or nothing) in place. */
function rewriteVar(ms: MagicString, decl: Node, parent: Node): void {
  const ds: Node[] = decl.declarations;
  const forInLeft = (parent.type === "ForInStatement" || parent.type === "ForOfStatement") && parent.left === decl;
  if (forInLeft) {
    ms.remove(decl.start, ds[0].start);
    return;
  }
  const kept = ds.filter((d) => d.init);
  if (kept.length === 0) {
    ms.remove(decl.start, ds[ds.length - 1].end);
    return;
  }
  ms.remove(decl.start, kept[0].start);
  for (let i = 0; i + 1 < kept.length; i++) {
    const from = ds.indexOf(kept[i]);
    const to = ds.indexOf(kept[i + 1]);
    if (to > from + 1) ms.remove(ds[from + 1].start, kept[i + 1].start);
  }
  const last = kept[kept.length - 1];
  if (last !== ds[ds.length - 1]) ms.remove(last.end, ds[ds.length - 1].end);
}

/** Every identifier name in a subtree (nested functions included: conservative). */
function identifiers(n: Node, out: Set<string>): Set<string> {
  if (n.type === "Identifier") out.add(n.name);
  for (const c of childNodes(n)) identifiers(c, out);
  return out;
}

/**
 * The scope's first statement, when it is a `var` whose initialisers use no name this scope
 * declares (other than earlier declarators of that same statement): it can stay as written and
 * declare the scope's other vars too, instead of being split into a declaration and assignments.
 */
function leadVar(scope: Scope, declared: Set<string>): Node | undefined {
  const first = scope.body.find((s) => s.start >= scope.insertAt);
  if (!first || first.type !== "VariableDeclaration" || first.kind !== "var") return undefined;
  const before = new Set<string>();
  for (const d of first.declarations as Node[]) {
    if (d.init) for (const name of identifiers(d.init, new Set())) if (declared.has(name) && !before.has(name)) return undefined;
    before.add(d.id.name);   // (processScope ran declaredNames on it first: no destructuring here)
  }
  return first;
}

function processScope(ms: MagicString, owner: Node, body: Node[], insertAt: number, container: Node): Node[] {
  const scope: Scope = { body, insertAt: directivesEnd(body, insertAt), functions: [], vars: [] };
  const nested: Node[] = [];
  collect(scope, container, container, nested);
  const declared = new Set<string>(scope.functions.map((f) => f.id.name as string));
  for (const { decl } of scope.vars) for (const name of declaredNames(decl)) declared.add(name);
  const lead = leadVar(scope, declared);
  const names: string[] = [];
  const seen = new Set<string>(lead ? declaredNames(lead) : []);
  for (const { decl, parent } of scope.vars) {
    if (decl === lead) continue;
    for (const name of declaredNames(decl)) if (!seen.has(name)) { seen.add(name); names.push(name); }
    rewriteVar(ms, decl, parent);
  }
  if (names.length) {
    if (lead) ms.appendLeft(lead.declarations[lead.declarations.length - 1].end, `,${names.join(",")}`);
    else ms.appendLeft(scope.insertAt, `var ${names.join(",")};`);
  }
  for (const f of scope.functions) {
    if (f.start === scope.insertAt) continue;
    ms.move(f.start, f.end, scope.insertAt);
  }
  void owner;
  return nested;
}

function processFunction(ms: MagicString, fn: Node): void {
  if (fn.body.type !== "BlockStatement") {
    // Arrow function with an expression body: no declarations possible at its top level,
    // but nested functions inside the expression still need processing.
    const nested: Node[] = [];
    collect({ body: [], insertAt: 0, functions: [], vars: [] }, fn.body, fn, nested);
    for (const n of nested) processFunction(ms, n);
    return;
  }
  const nested = processScope(ms, fn, fn.body.body, fn.body.start + 1, fn.body);
  // Parameters may hold function expressions (default values are rejected by the gate anyway).
  for (const n of nested) processFunction(ms, n);
}

export function hoist(code: string): string {
  const ast = parseScript(code);
  const ms = new MagicString(code);
  const nested = processScope(ms, ast, ast.body, 0, ast);
  for (const n of nested) processFunction(ms, n);
  return ms.toString();
}
