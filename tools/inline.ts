// Statement-level inliner for single-use functions (issue #12). On Espruino every function object
// costs about 4 variables for as long as it exists plus one per parameter, and every call binds
// its parameters and locals as new variables and costs interpreter work. A function declaration
// called from exactly one statement of another function is pasted into that function instead:
//   function f(a, b) { var t = a + b; g(t); return t * 2; }
//   ...  x = f(p.q, 1);   ->   {var a_1=p.q,t_2=void 0;t_2 = a_1 + (1); g(t_2);
//                              ;x = (t_2 * 2);}
// (terser's own inlining makes a function expression called in place instead: a new closure per
// call on Espruino, see tools/bundle.ts). Run on esbuild's output, before terser, which then
// shortens the names; the TypeScript source keeps its functions.
//
// What may be inlined (anything else is left alone, and said why in `blocked`):
// - a function declaration placed directly in a function body (or the program), its name
//   declared once there and referenced exactly once: as the callee of a call that a statement
//   evaluates before anything else but literals and names nothing can change meanwhile (`f(..);`,
//   `var x = f(..);`, `x = f(..);`, `return f(..);`, `if (f(..) > 1)`, `g(y, f(..));` with g
//   never assigned and y the caller's own; a `var` list is split before the declarator with the
//   call); not in a loop's test, not after `&&`, `||` or `?`; inside another function that is
//   not the bundle's wrapper (its vars would become the firmware's globals) and not f itself;
//   at most as many arguments as parameters;
// - its body: no nested function, no `this`, `arguments`, `eval`, `with`, no directive, and
//   no `return` except one final `return [expr];` (Espruino has no labels to jump out of a block);
// - every name the body takes from outside means the same at the call site (nothing shadows it);
// - the variables it adds to the caller (its locals and the parameters not replaced, below):
//   when the caller holds closures (nested functions, which keep its scope alive) they stay for
//   good, so fewer than the function object costs (4 + one per parameter); when the caller calls
//   anything else, they live under those calls too (Espruino declares a function's vars on entry),
//   which raises the per-request transient peak: at most SMALL of them then.
// Parameters and locals get new names no identifier in the code has; all are declared and
// initialised at the call site (the arguments in order, once; missing ones and the locals
// `void 0`), so a call in a loop starts from fresh values on every iteration as it did before.
// A parameter the body never assigns, given a literal or a name nothing changes while the body
// runs, is replaced by that literal or name instead. Repeated to a fixed point: inlined code can
// hold the single call of another function.

import { Node, FUNCTION_TYPES, childNodes, declaredNames, parseScript } from "./ast";

/** What inlineFunctions() did: functions and parameters inlined, and the single-use functions
 *  it left, with the reason (`early return` and so on). */
export interface InlineResult {
  code: string;
  functions: number;
  params: number;
  inlined: string[];
  blocked: { name: string; params: number; reason: string }[];
}

interface Scope { node: Node; parent: Scope | null; names: Set<string>; }
interface Occurrence { id: Node; scope: Scope; binding: Scope | null; }


function resolve(name: string, s: Scope | null): Scope | null {
  for (; s; s = s.parent) if (s.names.has(name)) return s;
  return null;
}

/** True when an Identifier under `parent` (as its `key`) names no variable: a property, a label. */
function notAName(parent: Node | null, key: string): boolean {
  return !!parent && ((parent.type === "MemberExpression" && key === "property" && !parent.computed) ||
    (parent.type === "Property" && key === "key" && !parent.computed) ||
    ((parent.type === "LabeledStatement" || parent.type === "BreakStatement" || parent.type === "ContinueStatement") && key === "label"));
}

interface Analysis {
  parents: Map<Node, Node>;
  scopeOf: Map<Node, Scope>;          // function / catch clause / program -> its scope
  occurrences: Occurrence[];
  used: Set<string>;                  // every identifier name in the code
}

function analyse(program: Node): Analysis {
  const parents = new Map<Node, Node>(), scopeOf = new Map<Node, Scope>();
  const occurrences: Occurrence[] = [], used = new Set<string>();
  const visit = (n: Node, parent: Node | null, key: string, scope: Scope): void => {
    if (parent) parents.set(n, parent);
    if (n.type === "Identifier") {
      used.add(n.name);
      if (!notAName(parent, key)) occurrences.push({ id: n, scope, binding: null });
      return;
    }
    let inner = scope;
    if (FUNCTION_TYPES.has(n.type)) {
      inner = { node: n, parent: scope, names: declaredNames(n) };
      scopeOf.set(n, inner);
    } else if (n.type === "CatchClause" && n.param && n.param.type === "Identifier") {
      inner = { node: n, parent: scope, names: new Set([n.param.name]) };
      scopeOf.set(n, inner);
    }
    for (const k of Object.keys(n)) {
      if (k === "type" || k === "start" || k === "end" || k === "loc" || k === "range") continue;
      const v = n[k];
      // a function declaration's name belongs to the scope around it
      const s = n.type === "FunctionDeclaration" && k === "id" ? scope : inner;
      if (Array.isArray(v)) { for (const x of v) if (x && typeof x.type === "string") visit(x, n, k, s); }
      else if (v && typeof v.type === "string") visit(v, n, k, s);
    }
  };
  const top: Scope = { node: program, parent: null, names: declaredNames({ params: [], body: program } as unknown as Node) };
  scopeOf.set(program, top);
  visit(program, null, "", top);
  for (const o of occurrences) o.binding = resolve(o.id.name, o.scope);
  return { parents, scopeOf, occurrences, used };
}

/** The function a node is in (null at the program's top level). */
function enclosingFunction(a: Analysis, n: Node): Node | null {
  for (let p = a.parents.get(n); p; p = a.parents.get(p)) if (FUNCTION_TYPES.has(p.type)) return p;
  return null;
}

/** The bundle's wrapper: a function expression called at the program's top level. */
function isWrapper(a: Analysis, fn: Node): boolean {
  return fn.type === "FunctionExpression" && enclosingFunction(a, fn) === null;
}

/** True when fn has a nested function other than `except`. */
function hasNested(fn: Node, except: Node): boolean {
  const visit = (n: Node): boolean => childNodes(n).some((c) => (FUNCTION_TYPES.has(c.type) && c !== except) || visit(c));
  return visit(fn.body);
}

/** True when fn's body (nested functions aside) calls anything but `call`. */
function callsElsewhere(fn: Node, call: Node): boolean {
  const visit = (n: Node): boolean => childNodes(n).some((c) => !FUNCTION_TYPES.has(c.type) &&
    (((c.type === "CallExpression" || c.type === "NewExpression") && c !== call) || visit(c)));
  return visit(fn.body);
}

/** Why the body cannot be pasted ("" when it can). */
function bodyProblem(fn: Node): string {
  const body = fn.body.body as Node[];
  if (body.length && body[0].type === "ExpressionStatement" && typeof body[0].directive === "string") return "directive";
  if (fn.params.some((p: Node) => p.type !== "Identifier") || new Set(fn.params.map((p: Node) => p.name)).size !== fn.params.length) return "parameters";
  const last = body[body.length - 1];
  let problem = "";
  const visit = (n: Node): void => {
    if (problem) return;
    if (FUNCTION_TYPES.has(n.type)) problem = "nested function";
    else if (n.type === "ThisExpression") problem = "this";
    else if (n.type === "Identifier" && (n.name === "arguments" || n.name === "eval")) problem = n.name;
    else if (n.type === "WithStatement") problem = "with";
    else if (n.type === "ReturnStatement" && n !== last) problem = "early return";
    for (const c of childNodes(n)) visit(c);
  };
  for (const s of body) visit(s);
  return problem;
}

/** The expression a statement evaluates first, where a call can be computed just before the
 *  statement (null for loops' tests and anything else). A `var` list: the declarator holding
 *  `call` (the list is split before it); a `for`'s: its first declarator only. */
function firstExpression(s: Node, call: Node): Node | null {
  switch (s.type) {
    case "ExpressionStatement": return s.expression;
    case "ReturnStatement": case "ThrowStatement": return s.argument;
    case "IfStatement": return s.test;
    case "SwitchStatement": return s.discriminant;
    case "ForInStatement": return s.right;
    case "ForStatement": return s.init && s.init.type !== "VariableDeclaration" ? s.init : s.init ? s.init.declarations[0].init : null;
    case "VariableDeclaration": return (s.declarations as Node[]).find((d) => d.start <= call.start && call.end <= d.end)?.init || null;
  }
  return null;
}

const FOUND = 2, SAFE = 1, UNSAFE = 0;

/** Walks e in evaluation order: FOUND when `call` is reached with nothing before it but literals
 *  and the names `safe` accepts (the inlined body may then run before them), UNSAFE when
 *  something else is evaluated first (or the call only maybe), SAFE when neither. */
function evaluatedFirst(e: Node, call: Node, safe: (id: Node) => boolean): number {
  if (e === call) return FOUND;
  const seq = (list: Node[], after: number): number => {
    for (const x of list) { const r = x ? evaluatedFirst(x, call, safe) : SAFE; if (r !== SAFE) return r; }
    return after;
  };
  switch (e.type) {
    case "Literal": return e.regex ? UNSAFE : SAFE;
    case "Identifier": return safe(e) ? SAFE : UNSAFE;
    case "CallExpression": case "NewExpression": return seq([e.callee].concat(e.arguments), UNSAFE);
    case "MemberExpression": return seq(e.computed ? [e.object, e.property] : [e.object], UNSAFE);
    case "BinaryExpression": return seq([e.left, e.right], UNSAFE);
    case "LogicalExpression": case "ConditionalExpression": case "UnaryExpression":
      return seq([e.type === "LogicalExpression" ? e.left : e.type === "ConditionalExpression" ? e.test : e.argument], UNSAFE);
    case "SequenceExpression": return seq(e.expressions, SAFE);
    case "ArrayExpression": return seq(e.elements, SAFE);
    case "ObjectExpression": return seq(e.properties.map((p: Node) => p.value), SAFE);
    case "AssignmentExpression":
      if (e.operator !== "=") return UNSAFE;
      return seq(e.left.type === "Identifier" ? [e.right] : e.left.type === "MemberExpression" ? (e.left.computed ? [e.left.object, e.left.property, e.right] : [e.left.object, e.right]) : [], UNSAFE);
  }
  return UNSAFE;
}

/** Most variables a callee may add to a caller that calls other functions: 4 kept the Pico's
 *  per-request transient as it was (2: 19 variables less saved at boot; 6: 5 more transient). */
const SMALL = 4;

const STATEMENT = /Statement$|^VariableDeclaration$/;

/** The statement that evaluates the call `f(..)` first (the inlined body goes just before it);
 *  or a reason there is none. */
function callSite(a: Analysis, id: Node, safe: (id: Node) => boolean): { stmt: Node; call: Node } | string {
  const call = a.parents.get(id);
  if (!call || call.type !== "CallExpression" || call.callee !== id) return "not called";
  let stmt = a.parents.get(call) as Node;
  while (!STATEMENT.test(stmt.type) && !FUNCTION_TYPES.has(stmt.type)) stmt = a.parents.get(stmt) as Node;
  if (!STATEMENT.test(stmt.type) || stmt.type === "BlockStatement") return "call form";
  if (stmt.type === "VariableDeclaration" && /^For/.test((a.parents.get(stmt) as Node).type)) stmt = a.parents.get(stmt) as Node;
  const holder = a.parents.get(stmt) as Node;
  if (holder.type === "LabeledStatement") return "call form";
  // (a `var` list split before a later declarator needs a statement list around it)
  if (stmt.type === "VariableDeclaration" && stmt.declarations[0].end < call.start && !/^(BlockStatement|Program|SwitchCase)$/.test(holder.type)) return "call form";
  const first = firstExpression(stmt, call);
  return first && evaluatedFirst(first, call, safe) === FOUND ? { stmt, call } : "call form";
}

/** True when the identifier is assigned there (a `var` with an initialiser or in a for-in included). */
function isWrite(a: Analysis, id: Node): boolean {
  const p = a.parents.get(id) as Node;
  return (p.type === "AssignmentExpression" && p.left === id) || p.type === "UpdateExpression" ||
    (p.type === "ForInStatement" && p.left === id) || (p.type === "VariableDeclarator" && p.id === id &&
      (!!p.init || /^ForIn/.test((a.parents.get(a.parents.get(p) as Node) as Node).type)));
}

/** True when the expression assigns anything. */
function writes(e: Node): boolean {
  return e.type === "AssignmentExpression" || e.type === "UpdateExpression" || childNodes(e).some(writes);
}

/** True when nothing but its declaration ever writes (a declaration's initialiser belongs to the
 *  scope's own function, which a call can only run as a new activation) the name `o` stands for. */
function neverWritten(a: Analysis, o: Occurrence, byBinding: Map<Scope, Map<string, Occurrence[]>>): boolean {
  if (!o.binding) return false;
  return (byBinding.get(o.binding)?.get(o.id.name) || []).every((x) => {
    const p = a.parents.get(x.id) as Node;
    return !((p.type === "AssignmentExpression" && p.left === x.id) || p.type === "UpdateExpression" || (p.type === "ForInStatement" && p.left === x.id));
  });
}

/** Source text of [from, to) with the given identifiers renamed. */
function renamed(code: string, from: number, to: number, ids: Node[], names: Map<string, string>): string {
  let out = "", at = from;
  for (const id of ids.filter((i) => i.start >= from && i.end <= to).sort((x, y) => x.start - y.start)) {
    out += code.slice(at, id.start) + names.get(id.name);
    at = id.end;
  }
  return out + code.slice(at, to);
}

/** A change to the code: [start, end) replaced by text; rank orders the inserts at one place. */
interface Edit { start: number; end: number; text: string; rank: number; }

interface Plan { name: string; params: number; edits: Edit[]; }

/** True when the two plans' edits cannot be applied together (overlap, or an insert inside a
 *  replaced range, or two inserts at one place). */
function clash(p: Edit[], q: Edit[]): boolean {
  return p.some((x) => q.some((y) => x.start === x.end && y.start === y.end ? x.start === y.start :
    x.start === x.end ? x.start > y.start && x.start < y.end : y.start === y.end ? y.start > x.start && y.start < x.end :
      x.start < y.end && y.start < x.end));
}

/** One round: every single-use function that can be inlined without touching another's text. */
function round(code: string, blocked: Map<string, { params: number; reason: string }>, counter: { n: number }): { code: string; done: Plan[] } {
  const a = analyse(parseScript(code));
  const byBinding = new Map<Scope, Map<string, Occurrence[]>>();
  for (const o of a.occurrences) {
    if (!o.binding) continue;
    let m = byBinding.get(o.binding);
    if (!m) byBinding.set(o.binding, m = new Map());
    const list = m.get(o.id.name);
    if (list) list.push(o); else m.set(o.id.name, [o]);
  }
  const byId = new Map<Node, Occurrence>();
  for (const o of a.occurrences) byId.set(o.id, o);
  const fresh = (base: string): string => {
    let n: string;
    do n = base + "_" + (++counter.n); while (a.used.has(n));
    a.used.add(n);
    return n;
  };
  const plans: Plan[] = [];
  for (const [node, fscope] of a.scopeOf) {
    if (node.type !== "FunctionDeclaration") continue;
    const fn = node, name: string = fn.id.name;
    const holder = a.parents.get(fn) as Node;
    const declScope = fscope.parent as Scope;
    if (!(holder.type === "Program" || (holder.type === "BlockStatement" && FUNCTION_TYPES.has((a.parents.get(holder) as Node).type)))) continue;
    const refs = (byBinding.get(declScope)?.get(name) || []).filter((o) => o.id !== fn.id);
    if (refs.length !== 1) continue;
    const block = (reason: string): void => { blocked.set(name, { params: fn.params.length, reason }); };
    // names read before the call (then after the inlined body): the caller's own, where no
    // other code can change them while the callee runs, and names nothing ever assigns
    const caller = enclosingFunction(a, refs[0].id);
    const privateLocals = !!caller && !hasNested(caller, fn) && !(fn.start > caller.start && fn.end < caller.end);
    const safe = (id: Node): boolean => {
      const o = byId.get(id);
      if (!o || !o.binding) return false;
      if (privateLocals && (o.binding.node === caller || (o.binding.node.type === "CatchClause" && enclosingFunction(a, o.binding.node) === caller))) return true;
      return neverWritten(a, o, byBinding);
    };
    const site = callSite(a, refs[0].id, safe);
    if (typeof site === "string") { if (site !== "not called") block(site); continue; }
    if (!caller || isWrapper(a, caller)) { block("called at the top level"); continue; }
    if (site.stmt.start >= fn.start && site.stmt.end <= fn.end) { block("recursive"); continue; }
    if (site.call.arguments.length > fn.params.length) { block("more arguments than parameters"); continue; }
    const problem = bodyProblem(fn);
    if (problem) { block(problem); continue; }
    const locals = Array.from(fscope.names).filter((n) => !fn.params.some((p: Node) => p.name === n));
    // the body's other names must mean the same at the call site (the body's own catch
    // clauses' names stay as they are)
    const inside = a.occurrences.filter((o) => o.id.start >= fn.body.start && o.id.end <= fn.body.end);
    let siteScope = a.scopeOf.get(caller) as Scope;
    for (let p = a.parents.get(site.stmt); p && p !== caller; p = a.parents.get(p)) if (p.type === "CatchClause" && a.scopeOf.get(p)) { siteScope = a.scopeOf.get(p) as Scope; break; }
    const outside = inside.filter((o) => o.binding !== fscope && !(o.binding && o.binding.node.start > fn.body.start && o.binding.node.end < fn.body.end));
    if (outside.some((o) => resolve(o.id.name, siteScope) !== o.binding)) { block("a name it uses is shadowed at the call site"); continue; }
    // `{var <params>=<arguments>,<locals>=void 0;<body>` before the statement, the returned
    // value in place of the call, `}` after the statement
    const own = inside.filter((o) => o.binding === fscope).map((o) => o.id);
    const args = site.call.arguments as Node[];
    // a parameter the body never assigns, given a literal or a name nothing changes meanwhile
    // (no later argument assigns anything, no catch clause in the body takes the name), is
    // replaced by it: one variable less
    const written = new Set(own.filter((id) => isWrite(a, id)).map((id) => id.name as string));
    const sub = (i: number): string | null => {
      if (written.has(fn.params[i].name)) return null;
      if (i >= args.length) return "void 0";
      const x = args[i];
      if (args.slice(i + 1).some(writes)) return null;
      if (x.type === "Literal" && !x.regex) return "(" + x.raw + ")";
      if (x.type === "Identifier" && safe(x) && !inside.some((o) => o.id.name === x.name && o.binding && o.binding.node.type === "CatchClause")) return x.name;
      return null;
    };
    const names = new Map<string, string>(), copied: Node[] = [];
    fn.params.forEach((p: Node, i: number) => { const t = sub(i); if (t) names.set(p.name, t); else copied.push(p); });
    for (const n of fscope.names) if (!names.has(n)) names.set(n, fresh(n));
    // a caller holding closures keeps the variables for good; one that calls other functions
    // keeps them alive under those calls (the transient peak): only a few
    const added = copied.length + locals.length;
    if (hasNested(caller, fn)) {
      if (added >= 4 + fn.params.length) { block("caller holds closures"); continue; }
    } else if (added > SMALL && callsElsewhere(caller, site.call)) { block("caller calls on with its variables"); continue; }
    const decls = copied.map((p: Node) => names.get(p.name) + "=" + code.slice(args[fn.params.indexOf(p)].start, args[fn.params.indexOf(p)].end))
      .concat(locals.map((n) => names.get(n) + "=void 0"));
    const body = fn.body.body as Node[];
    const last = body[body.length - 1];
    const ret = last && last.type === "ReturnStatement" ? last : null;
    const stmts = ret ? body.slice(0, -1) : body;
    const value = ret && ret.argument ? "(" + renamed(code, ret.argument.start, ret.argument.end, own, names) + ")" : "void 0";
    const head = "{" + (decls.length ? "var " + decls.join(",") + ";" : "") +
      (stmts.length ? renamed(code, stmts[0].start, stmts[stmts.length - 1].end, own, names) + "\n;" : "");
    // (a `var` list is split before the declarator with the call: `var a = x;{...var b = f(y)}`)
    const ds: Node[] = site.stmt.type === "VariableDeclaration" ? site.stmt.declarations : [];
    const k = ds.findIndex((d) => d.start <= site.call.start && site.call.end <= d.end);
    const opening: Edit = k > 0 ? { start: ds[k - 1].end, end: ds[k].start, text: ";" + head + "var ", rank: 2 } : { start: site.stmt.start, end: site.stmt.start, text: head, rank: 1 };
    plans.push({ name, params: fn.params.length, edits: [
      { start: fn.start, end: fn.end, text: "", rank: 2 }, opening,
      { start: site.call.start, end: site.call.end, text: value, rank: 2 },
      { start: site.stmt.end, end: site.stmt.end, text: "}", rank: 0 }] });
  }
  const done: Plan[] = [];
  for (const p of plans) {
    if (done.some((q) => clash(p.edits, q.edits))) continue;
    blocked.delete(p.name);
    done.push(p);
  }
  const edits = ([] as Edit[]).concat(...done.map((p) => p.edits)).sort((x, y) => x.start - y.start || x.rank - y.rank);
  let out = "", at = 0;
  for (const e of edits) { out += code.slice(at, e.start) + e.text; at = e.end; }
  return { code: out + code.slice(at), done };
}

/** Inlines single-use functions (see above) until none is left. */
export function inlineFunctions(code: string): InlineResult {
  const blocked = new Map<string, { params: number; reason: string }>();
  const counter = { n: 0 };
  const inlined: string[] = [];
  let params = 0;
  for (;;) {
    const r = round(code, blocked, counter);
    if (!r.done.length) break;
    code = r.code;
    for (const p of r.done) { inlined.push(p.name); params += p.params; }
  }
  return { code, functions: inlined.length, params, inlined, blocked: Array.from(blocked, ([name, b]) => ({ name, params: b.params, reason: b.reason })) };
}
