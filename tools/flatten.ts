// Flattens the bundle's outer function: `"use strict";!function(){...}();` becomes the body alone,
// so that its functions and variables are the interpreter's globals, each renamed with PREFIX.
//
// Why: on Espruino a function keeps a link to the scopes it was defined in. Defined at the top
// level it has none; one level down (inside the bundle's wrapper) it has one more variable; two
// levels down (a closure inside a factory inside the wrapper) the scopes are copied into a new
// array: three more. Measured on Espruino 2v29 (13-byte blocks, 10 functions of 2 parameters):
// 60 variables at the top level, 70 in a wrapper, 100 nested in a factory in a wrapper. Without
// the wrapper, the whole Pico bundle needs about 600 variables less at boot.
//
// The renaming keeps the firmware's names apart from a user's: the wrapper's names become PREFIX and
// a short name, the most used first (`_a`, `_b`, ... `_a0`), and the flattening refuses a bundle in
// which PREFIX and one of terser's names is already used.
// A name is renamed only where it means the wrapper's declaration (a parameter, `var`, function
// or catch clause of the same name in an inner function shadows it there).

import { childNodes, declaredNames, FUNCTION_TYPES, Node, parseScript } from "./ast";

/** What the wrapper's names start with once they are globals. */
export const PREFIX = "_";

interface Edit { start: number; end: number; text: string }

const NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NAME_MORE = NAME_CHARS + "0123456789";

/** The n-th short name (n from 0): a..Z, then two characters (a0..) and so on. */
export function shortName(n: number): string {
  let s = NAME_CHARS[n % NAME_CHARS.length];
  n = Math.floor(n / NAME_CHARS.length);
  while (n > 0) {
    n--;
    s += NAME_MORE[n % NAME_MORE.length];
    n = Math.floor(n / NAME_MORE.length);
  }
  return s;
}


/** The wrapper function of `"use strict";!function(){...}();`, or an Error saying what differs. */
function wrapperOf(program: Node): Node {
  const body = program.body as Node[];
  const last = body[body.length - 1];
  const call = last && last.type === "ExpressionStatement" && last.expression.type === "UnaryExpression" &&
    last.expression.operator === "!" ? last.expression.argument : null;
  const fn = call && call.type === "CallExpression" && call.arguments.length === 0 ? call.callee : null;
  const before = body.slice(0, -1).every((s) => s.type === "ExpressionStatement" && typeof s.directive === "string");
  if (!fn || fn.type !== "FunctionExpression" || fn.params.length || fn.id || !before) {
    throw new Error("flatten: the bundle is not '\"use strict\";!function(){...}();' (esbuild's IIFE after terser)");
  }
  return fn;
}

/** Throws when the wrapper's body relies on being a function: `this`, `arguments`, a `return`. */
function checkFlattenable(fn: Node): void {
  const visit = (n: Node): void => {
    if (FUNCTION_TYPES.has(n.type)) return;
    if (n.type === "ThisExpression" || (n.type === "Identifier" && n.name === "arguments") || n.type === "ReturnStatement") {
      throw new Error("flatten: the bundle's top level uses " + (n.type === "Identifier" ? "arguments" : n.type === "ThisExpression" ? "this" : "return"));
    }
    for (const c of childNodes(n)) visit(c);
  };
  for (const c of childNodes(fn.body)) visit(c);
}

/** The bundle without its wrapper, the wrapper's names prefixed (PREFIX unless `prefix`, e.g. the
 *  library module's own, tools/image.ts); `renamed` counts the names, `names` lists them as renamed.
 *  `aliases`: engine globals to give short names (below); `bare`: the most used name is the prefix alone. */
export function flatten(code: string, prefix: string = PREFIX, aliases: string[] = [], bare = false): { code: string; renamed: number; names: string[] } {
  const PREFIX = prefix;
  const program = parseScript(code);
  const wrapper = wrapperOf(program);
  checkFlattenable(wrapper);
  const top = declaredNames(wrapper);
  // `aliases`: engine globals (e.g. Uint8Array) that get a short global of their own, declared
  // first (`var $x=Uint8Array;`), where that saves bytes: renamed like the wrapper's names
  const aliased = new Set<string>();
  for (const a of aliases) if (!top.has(a)) { top.add(a); aliased.add(a); }
  // every identifier in the bundle: a new name must not be one of them
  const used = new Set<string>();
  const collect = (n: Node): void => {
    if (n.type === "Identifier") used.add(n.name);
    for (const c of childNodes(n)) collect(c);
  };
  collect(program);
  for (const name of top) {
    if (used.has(PREFIX + name)) throw new Error("flatten: '" + PREFIX + name + "' is already a name in the bundle; choose another PREFIX");
  }

  // the references to rename (Identifier nodes); their new names are chosen once all are known
  const refs: Node[] = [];
  const rename = (id: Node): void => { refs.push(id); };
  // scopes: the inner functions' (and catch clauses') names, innermost last
  const visit = (n: Node, parent: Node | null, key: string, scopes: Set<string>[]): void => {
    if (n.type === "Identifier") {
      // not a reference: a property name, a label
      if (parent && ((parent.type === "MemberExpression" && key === "property" && !parent.computed) ||
        (parent.type === "Property" && key === "key" && !parent.computed) ||
        ((parent.type === "LabeledStatement" || parent.type === "BreakStatement" || parent.type === "ContinueStatement") && key === "label"))) return;
      if (!top.has(n.name)) return;
      for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].has(n.name)) return;
      rename(n);
      return;
    }
    let inner = scopes;
    if (FUNCTION_TYPES.has(n.type) && n !== wrapper) {
      // a function declaration's own name belongs to the scope around it (visited there)
      if (n.type === "FunctionDeclaration") visit(n.id, n, "id-outer", scopes);
      inner = scopes.concat([declaredNames(n)]);
    } else if (n.type === "CatchClause" && n.param && n.param.type === "Identifier") {
      inner = scopes.concat([new Set([n.param.name])]);
    }
    for (const k of Object.keys(n)) {
      if (k === "type" || k === "start" || k === "end" || k === "loc" || k === "range") continue;
      if (n.type === "FunctionDeclaration" && k === "id") continue;
      const v = n[k];
      if (Array.isArray(v)) { for (const x of v) if (x && typeof x.type === "string") visit(x, n, k, inner); }
      else if (v && typeof v.type === "string") visit(v, n, k, inner);
    }
  };
  // the wrapper's own declarations are renamed where they stand (its scope is not in `scopes`)
  for (const s of wrapper.body.body as Node[]) visit(s, wrapper.body, "body", []);

  // new names by use: the most used name gets the shortest (terser names in order of declaration,
  // not of use: the library body's most used globals had three characters; about 400 bytes less
  // in the Pico's library body). A name any identifier in the bundle already has is skipped.
  const uses = new Map<string, number>();
  for (const name of top) uses.set(name, 0);
  for (const id of refs) uses.set(id.name, (uses.get(id.name) || 0) + 1);
  const order = Array.from(top).sort((a, b) => (uses.get(b) as number) - (uses.get(a) as number) || (a < b ? -1 : a > b ? 1 : 0));
  const newName = new Map<string, string>();
  let next = 0;
  // (bare: the most used name is PREFIX alone, e.g. `$`)
  let first = bare && !used.has(PREFIX);
  for (const name of order) {
    let n: string;
    if (first) { n = PREFIX; first = false; } else do n = PREFIX + shortName(next++); while (used.has(n));
    newName.set(name, n);
  }
  // an alias only where its uses save more than its declaration costs (`name=Name,`), else the
  // engine's name stays (and the short name it took is not used)
  const keep = new Set<string>();
  for (const a of aliased) {
    const n = newName.get(a) as string, k = uses.get(a) as number;
    if (k * (a.length - n.length) > a.length + n.length + 2) keep.add(a);
  }
  const kept = refs.filter((id) => !aliased.has(id.name) || keep.has(id.name));
  const edits: Edit[] = kept.map((id) => ({ start: id.start, end: id.end, text: newName.get(id.name) as string }));
  let out = code;
  edits.sort((a, b) => b.start - a.start);
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  // drop the wrapper: `!function(){` before its body, `}();` after it (positions before the edits
  // inside are unaffected: the wrapper's head precedes them all, its tail follows them)
  const last = (program.body as Node[])[(program.body as Node[]).length - 1];
  const shift = edits.reduce((d, e) => d + e.text.length - (e.end - e.start), 0);
  const bodyStart = wrapper.body.start + 1, bodyEnd = wrapper.body.end - 1 + shift;
  const decl = Array.from(keep).map((a) => newName.get(a) + "=" + a);
  out = out.slice(0, last.start) + (decl.length ? "var " + decl.join(",") + ";" : "") + out.slice(bodyStart, bodyEnd) + out.slice(last.end + shift);
  const names = order.filter((n) => !aliased.has(n) || keep.has(n)).map((n) => newName.get(n) as string);
  return { code: out, renamed: names.length, names: names };
}
