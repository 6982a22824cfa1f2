import * as assert from "assert";
import * as vm from "vm";
import { flatten, PREFIX } from "../../../tools/flatten";

/** Runs code as a script in a fresh context; returns the context. */
function run(code: string): any {
  const ctx: any = { out: [] as any[] };
  vm.createContext(ctx);
  vm.runInContext(code, ctx);
  return ctx;
}

describe("flatten: the bundle's wrapper removed, its names prefixed globals", () => {
  it("renames the wrapper's declarations and their references, not shadowing inner names, properties or labels", () => {
    const src = '"use strict";!function(){var a=1,b={a:2};function c(x){return a+x}' +
      'function d(a){return a+b.a}function e(){var c=10;return c}' +
      'function f(){try{throw 5}catch(a){return a}}' +
      'function g(){l:for(var i=0;i<2;i++){continue l}return typeof c}' +
      'var h=function a(){return typeof a};' +
      'out.push(c(1),d(3),e(),f(),g(),h(),b.a)}();';
    const r = flatten(src);
    assert.equal(r.renamed, 8); // a b c d e f g h
    const ctx = run(r.code);
    assert.deepEqual(ctx.out, [2, 5, 10, 5, "function", "function", 2]);
    for (const n of ["a", "b", "c", "d", "e", "f", "g", "h"]) assert.ok(PREFIX + n in ctx, PREFIX + n + " is a global");
    assert.ok(!("a" in ctx) && !("c" in ctx), "no unprefixed global");
    assert.ok(!/^"use strict";!function/.test(r.code));
  });

  it("gives the same results as the wrapped bundle (a real board bundle)", () => {
    // a bundle-shaped program with closures over the wrapper's names
    const src = '"use strict";!function(){var n=0;function t(){return function(){return++n}}var e=t();e();e();out.push(n,e())}();';
    const wrapped = run(src).out, flat = run(flatten(src).code).out;
    assert.deepEqual(flat, wrapped);
  });

  it("gives the most used names the shortest: one character for the 52 most used, then two", () => {
    // 60 top-level names: n0 used once more than n1 and so on; n59 most of all
    let src = '"use strict";!function(){';
    for (let i = 0; i < 60; i++) src += "var n" + i + "=" + i + ";";
    for (let i = 0; i < 60; i++) src += ("out.push(n" + i + ");").repeat(i + 1);
    src += "}();";
    const r = flatten(src);
    assert.equal(r.renamed, 60);
    assert.equal(r.names.length, 60);
    assert.equal(r.names[0], PREFIX + "a", "the most used (n59) is named first");
    assert.ok(r.names.slice(0, 52).every((n) => n.length === PREFIX.length + 1), "52 names of one character");
    assert.ok(r.names.slice(52).every((n) => n.length === PREFIX.length + 2), "then two");
    assert.equal(new Set(r.names).size, 60, "all different");
    const ctx = run(r.code);
    assert.equal(ctx[PREFIX + "a"], 59);
    const want: number[] = [];
    for (let i = 0; i < 60; i++) for (let k = 0; k <= i; k++) want.push(i);
    assert.deepEqual(ctx.out, want, "the same program");
  });

  it("skips a short name an identifier of the bundle already has (a global it reads)", () => {
    const r = flatten('"use strict";!function(){var x=1,y=2;out.push(x+x+y,typeof _a)}();');
    assert.ok(r.names.indexOf(PREFIX + "a") < 0, "_a is the bundle's own free name: not given");
    const ctx = run(r.code);
    assert.deepEqual(ctx.out, [4, "undefined"]);
  });

  it("refuses what it cannot flatten: another shape, a top-level this/return/arguments, a taken prefixed name", () => {
    assert.throws(() => flatten("var a=1;"), /is not '"use strict";!function/);
    assert.throws(() => flatten('"use strict";!function(){var a=this}();'), /uses this/);
    assert.throws(() => flatten('"use strict";!function(){var a=arguments}();'), /uses arguments/);
    assert.throws(() => flatten('"use strict";!function(){var a=1;function b(){var _a=2;return a+_a}}();'), /'_a' is already a name/);
  });
});
