// tools/inline.ts: single-use functions pasted into their caller's statements.
import { strict as assert } from "assert";
import * as vm from "vm";
import { inlineFunctions } from "../../../tools/inline";
import { childNodes, FUNCTION_TYPES, Node, parseScript } from "../../../tools/ast";

/** Names of the function declarations left in the code. */
function declared(code: string): string[] {
  const out: string[] = [];
  const visit = (n: Node): void => {
    if (n.type === "FunctionDeclaration") out.push(n.id.name);
    for (const c of childNodes(n)) visit(c);
  };
  visit(parseScript(code));
  return out.sort();
}

function functionCount(code: string): number {
  let k = 0;
  const visit = (n: Node): void => { if (FUNCTION_TYPES.has(n.type)) k++; for (const c of childNodes(n)) visit(c); };
  visit(parseScript(code));
  return k;
}

/** The program's `main()` result, as JSON, run in a fresh context. */
function run(code: string): string {
  return vm.runInNewContext(code + "\n;JSON.stringify(main())", {});
}

/** Inlines, checks `gone` were inlined and the rest kept, and that main() gives the same result. */
function same(code: string, gone: string[]): string {
  const r = inlineFunctions(code);
  const before = declared(code), after = declared(r.code);
  assert.deepEqual(before.filter((n) => after.indexOf(n) < 0).sort(), gone.slice().sort(), r.code);
  assert.equal(r.functions, gone.length);
  assert.equal(run(r.code), run(code), r.code);
  return r.code;
}

/** Inlines nothing, and says why for `name`. */
function kept(code: string, name: string, reason?: string): void {
  const r = inlineFunctions(code);
  assert.equal(r.functions, 0, r.code);
  assert.equal(r.code, code);
  if (reason) assert.deepEqual(r.blocked.filter((b) => b.name === name).map((b) => b.reason), [reason]);
}

describe("inliner for single-use functions (tools/inline.ts)", () => {
  describe("call statements it inlines", () => {
    it("`f(a, b);`", () => {
      same("var log = [];function f(a, b) { log.push(a + b); }\nfunction main() { f(1, 2); return log; }", ["f"]);
    });
    it("`var x = f(a);`", () => {
      same("function f(a) { var t = a * 2; return t + 1; }\nfunction main() { var x = f(20); return x; }", ["f"]);
    });
    it("`x = f(a);`", () => {
      same("function f(a) { return a * 3; }\nfunction main() { var x; x = f(5); return x; }", ["f"]);
    });
    it("`return f(a);`, and a body without return gives undefined", () => {
      same("function f(a) { return [a, a]; }\nfunction main() { return f(7); }", ["f"]);
      same("var n = 0;function f(a) { n += a; }\nfunction main() { var x = f(7); return [x === undefined, n]; }", ["f"]);
    });
    it("a call evaluated first in an if's test, a switch, a throw, a for's init", () => {
      same("function f(a) { return a > 1; }\nfunction main() { if (f(2) && true) return 1; return 0; }", ["f"]);
      same("function f(a) { return a & 3; }\nfunction main() { switch (f(6)) { case 2: return 'two'; } return 'no'; }", ["f"]);
      same("function f(a) { return new Error('x' + a); }\nfunction main() { try { throw f(1); } catch (e) { return e.message; } }", ["f"]);
      same("function f(a) { return a - 2; }\nfunction main() { var s = 0; for (var i = f(5); i < 6; i++) s += i; return s; }", ["f"]);
    });
    it("after literals and the caller's own names (nothing else can change them meanwhile)", () => {
      same("function g(a, b, c) { return a + b + c; }\nfunction f(x) { return x * 2; }\nfunction main() { var t = 1, z = g(0, 0, 0); return g(t, 'k', f(3)) + z; }", ["f"]);
    });
    it("in the second declarator of a `var` list (split before it)", () => {
      const out = same("var k = 1;function f(a) { k++; return a + k; }\nfunction main() { var a = k, b = f(a), c = b + a; return [a, b, c]; }", ["f"]);
      assert.ok(!/function f/.test(out));
    });
    it("in an if's branch without braces", () => {
      same("function f(a) { var t = a + 1; return t; }\nfunction main(){ var x = 0; if (x === 0) x = f(4); else x = 9; return x; }", ["f"]);
    });
    it("to a fixed point: a chain of single-use functions", () => {
      const code = "function h(z) { return z + 1; }\nfunction g(y) { var r = h(y); return r * 2; }\nfunction f(x) { return g(x) + 3; }\nfunction main() { var v = f(4); return v; }";
      const out = same(code, ["f", "g", "h"]);
      assert.equal(functionCount(out), 1);
      assert.equal(inlineFunctions(code).params, 3);
    });
    it("a helper declared inside its caller (no closure left to make per call)", () => {
      same("function main() { var base = 10; function f(a) { return base + a; } var r = f(5); return r; }", ["f"]);
    });
  });

  describe("semantics preserved", () => {
    it("a call in a loop: locals start undefined on every iteration, as parameters take each argument", () => {
      same("function acc(v, w) { var seen, n; if (v > 2) seen = v; n = (n || 0) + 1; return [seen, n, w]; }\n" +
        "function main() { var out = []; for (var i = 0; i < 6; i++) { var r = acc(i); out.push(r); } return out; }", ["acc"]);
    });
    it("arguments evaluated once, in order; missing ones undefined", () => {
      same("var log = [];function t(x) { log.push(x); return x; }\nfunction pair(a, b, c) { log.push('body'); return [a, b, typeof c]; }\n" +
        "function main() { var p = pair(t(1), t(2)); return [p, log]; }", ["pair"]);
    });
    it("a parameter the body assigns does not change the caller's variable", () => {
      same("function f(a) { a = a + 1; return a; }\nfunction main() { var a = 1; var b = f(a); return [a, b]; }", ["f"]);
    });
    it("callee names that clash with the caller's get new names", () => {
      same("function f(i) { var out = i * 2; return out; }\nfunction main() { var out = [], i = 3, i_1 = 5; var x = f(i_1); out.push(x, i); return out; }", ["f"]);
    });
    it("an object literal returned into an expression statement", () => {
      same("var n = 0;function f() { n++; return { a: n }; }\nfunction main() { f(); return n; }", ["f"]);
    });
    it("a return value that is a sequence stays one value", () => {
      same("var n = 0;function f(a) { return n++, a; }\nfunction main() { var x = f(2); return [x, n]; }", ["f"]);
    });
    it("a parameter replaced by the caller's name or a literal; not when a later argument assigns", () => {
      const out = same("function f(a, b) { return a * 10 + b; }\nfunction main() { var x = 4; var y = f(x, 2); return y; }", ["f"]);
      assert.ok(!/var a_/.test(out) && !/b_/.test(out), out);
      same("function f(a, b) { return [a, b]; }\nfunction main() { var x = 4; var y = f(x, x = 5); return [y, x]; }", ["f"]);
      same("function f(a, b) { return [a, b]; }\nfunction main() { var x = 4; var y = f(x, x++); return [y, x]; }", ["f"]);
      same("function f(a, o) { var r = [a]; for (var a in o) r.push(a); return r; }\nfunction main() { var x = 4; var y = f(x, { k: 1 }); return [y, x]; }", ["f"]);
    });
    it("a catch clause in the body keeps its name", () => {
      same("function f(a) { var r; try { throw a; } catch (e) { r = e + 1; } return r; }\nfunction main() { var e = 'outer'; var x = f(1); return [x, e]; }", ["f"]);
    });
  });

  describe("what it leaves alone", () => {
    it("a function called twice, or passed as a value", () => {
      kept("function f(a) { return a; }\nfunction main() { var x = f(1); var y = f(2); return x + y; }", "f");
      kept("function f(a) { return a; }\nfunction main() { return [1].map(f); }", "f");
    });
    it("a recursive function", () => {
      kept("function f(a) { if (a) f(a - 1); }\nfunction main() { return 1; }", "f", "recursive");
    });
    it("this, arguments, a nested function", () => {
      kept("function f(a) { return this; }\nfunction main() { var x = f(1); return x; }", "f", "this");
      kept("function f(a) { return arguments.length; }\nfunction main() { var x = f(1); return x; }", "f", "arguments");
      kept("function f(a) { return function () { return a; }; }\nfunction main() { var x = f(1); return x; }", "f", "nested function");
    });
    it("an early return (Espruino has no labels to leave a block)", () => {
      kept("function f(a) { if (a) return 1; return 2; }\nfunction main() { var x = f(1); return x; }", "f", "early return");
      kept("function f(a) { for (;;) { return a; } }\nfunction main() { var x = f(1); return x; }", "f", "early return");
    });
    it("a call not evaluated first in its statement, or only maybe, or repeatedly", () => {
      kept("var g = [];function f(a) { return a; }\nfunction main() { var x = g.length + f(1); return x; }", "f", "call form");
      kept("function f(a) { return a; }\nfunction main(c) { var x = c && f(1); return x; }", "f", "call form");
      kept("function f(a) { return a; }\nfunction main(c) { var x = c ? f(1) : 0; return x; }", "f", "call form");
      kept("function f(a) { return a; }\nfunction main(c) { while (f(c)) c--; return c; }", "f", "call form");
      kept("var t = 1;function f(a) { t = 2; return a; }\nfunction main() { return t + f(1); }", "f", "call form");
      kept("var k = 1;function f(a) { k++; return a; }\nfunction main() { var s = 0; for (var i = k, n = f(3); i < n; i++) s += i; return s; }", "f", "call form");
      kept("var k = 1;function f(a) { k++; return a; }\nfunction main(c) { if (c) var a = k, b = f(a); return [a, b]; }", "f", "call form");
    });
    it("a caller's names that something else may change meanwhile", () => {
      kept("function f(a) { return a; }\nfunction main() { var v = 1, k = function () { v++; }; return v + f(1); }", "f", "call form");
    });
    it("a call at the top level or in the bundle's wrapper (its vars would stay for good)", () => {
      kept("function f(a) { var t = a; return t; }\nvar x = f(1);", "f", "called at the top level");
      kept("(function () { function f(a) { var t = a; return t; } var x = f(1); })();", "f", "called at the top level");
    });
    it("more arguments than parameters", () => {
      kept("function f(a) { return a; }\nfunction main() { var x = f(1, 2); return x; }", "f", "more arguments than parameters");
    });
    it("a name the body uses that the call site shadows", () => {
      kept("var k = 1;function f(a) { return a + k; }\nfunction main() { var k = 5; var x = f(1); return x; }", "f", "a name it uses is shadowed at the call site");
    });
    it("a caller holding closures: fewer variables added than the function object costs (4 + 1 per parameter)", () => {
      kept("function f(a) { var b = 1, c = 2, d = 3, e = 4; return a + b + c + d + e; }\nfunction main() { var o = { p: 1 }; var x = f(o.p); return [x, function () { return x; }]; }", "f", "caller holds closures");
      same("function f(a) { var b = 1, c = 2, d = 3, e = 4; return a + b + c + d + e; }\nfunction main() { var x = f(1); var g = function () { return x; }; return [x, g()]; }", ["f"]);
    });
    it("a caller that calls other functions: at most 4 variables added (they would live under those calls)", () => {
      const callee = "function f(a) { var b = a + 1, c = b + 1, d = c + 1, e = d + 1; return e; }\n";
      kept(callee + "function g(v) { return v; }\nfunction main() { var o = { p: 1 }; var x = f(o.p); return g(x) + g(2); }", "f", "caller calls on with its variables");
      same(callee + "function main() { var o = { p: 1 }; var x = f(o.p); return x * 2; }", ["f"]);
      same(callee.replace(", e = d + 1; return e;", "; return d;") + "function g(v) { return v; }\nfunction main() { var o = { p: 1 }; var x = f(o.p); return g(x) + g(2); }", ["f"]);
    });
  });
});
