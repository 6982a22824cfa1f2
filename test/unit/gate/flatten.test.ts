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

  it("refuses what it cannot flatten: another shape, a top-level this/return/arguments, a taken prefixed name", () => {
    assert.throws(() => flatten("var a=1;"), /is not '"use strict";!function/);
    assert.throws(() => flatten('"use strict";!function(){var a=this}();'), /uses this/);
    assert.throws(() => flatten('"use strict";!function(){var a=arguments}();'), /uses arguments/);
    assert.throws(() => flatten('"use strict";!function(){var a=1;function b(){var _a=2;return a+_a}}();'), /'_a' is already a name/);
  });
});
