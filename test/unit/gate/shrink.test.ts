// The library body's byte savers (tools/image.ts buildModule): engine globals aliased and the
// prefix alone as the most used name (tools/flatten.ts), `true`/`false`/`undefined` for terser's
// `!0`/`!1`/`void 0` (tools/literals.ts), internal property names shortened (tools/bundle.ts):
// the same results, fewer bytes as stored.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { flatten } from "../../../tools/flatten";
import { wordLiterals } from "../../../tools/literals";
import { cliPretokeniser } from "../../../tools/flash";
import { buildModule, ENGINE_ALIASES, INTERNAL_PROPS } from "../../../tools/image";
import { PIECES } from "../../../tools/pieces";

function run(code: string): any {
  const ctx: any = { out: [] as any[] };
  vm.createContext(ctx);
  vm.runInContext(code, ctx);
  return ctx;
}

describe("the library body's byte savers", function () {
  this.timeout(120000);

  it("flatten: aliases an engine global where that saves bytes, declared first; the most used name is the prefix alone", () => {
    let src = '"use strict";!function(){var a=1;function b(){return new Uint8Array(a)}';
    for (let i = 0; i < 6; i++) src += "var c" + i + "=new Uint8Array(" + i + ")," + "d" + i + "=Math.max(a," + i + ")+a+a+a;";
    src += 'var x=new Uint16Array(1);out.push(b().length,c5.length,d5,x.length,a)}();';
    const r = flatten(src, "$", ["Uint8Array", "Uint16Array", "Math"], true);
    assert.deepEqual(run(r.code).out, run(src).out);
    // a: the most used, `$`; Uint8Array (7 uses) and Math (6) aliased, Uint16Array (1 use) not
    assert.match(r.code, /^"use strict";var \$\w+=Uint8Array,\$\w+=Math;/);
    assert.ok(/\$=1/.test(r.code), r.code);
    assert.ok(/new Uint16Array\(1\)/.test(r.code), r.code);
    assert.equal((r.code.match(/Uint8Array/g) || []).length, 1);
    assert.ok(r.names.indexOf("$") >= 0 && r.names.length === r.renamed);
    // without `bare`, no name is the prefix alone
    assert.ok(!/[^\w$]\$[^\w$]/.test(flatten(src, "$").code));
  });

  it("literals: !0, !1 and void 0 as the words, spaced where needed, with the same values", () => {
    const src = 'var a=!0,b=!1,c=void 0;function f(x){if(x)return!0;return!1}var o={t:!0};out.push(a,b,c,f(1),f(0),o.t,!!0,typeof void 0,(!0).toString(),!10)';
    const w = wordLiterals(src);
    assert.deepEqual(run(w).out, run(src).out);
    assert.ok(/return true;return false/.test(w), w);
    assert.ok(/a=true,b=false,c=undefined/.test(w), w);
    assert.ok(/!10/.test(w), "other numbers untouched");
    const tok = cliPretokeniser();
    assert.ok(tok.tokenise(w).length < tok.tokenise(src).length, "shorter as stored");
  });

  it("the library body: internal property names shortened, the public API's kept; engine globals aliased", async () => {
    const http = PIECES.filter((p) => p.name === "http");
    const code = (await buildModule(http)).code;
    const props = new Set<string>();
    for (const m of code.matchAll(/\.([A-Za-z_$][\w$]*)/g)) props.add(m[1]);
    const left = Array.from(props).filter((p) => INTERNAL_PROPS.test(p));
    assert.deepEqual(left, [], "internal names still in the body");
    for (const p of ["createServer", "getStatus", "setIP", "getIP", "hostname", "counters", "sendPool", "slots"]) assert.ok(code.indexOf(p) >= 0, p);
    assert.match(code, /^"use strict";var _ENC28J60=\{\};var \$\w*=Uint8Array,/);
    assert.ok(ENGINE_ALIASES.indexOf("Uint8Array") >= 0);
    // the body and its record of names in dist/lib/ agree
    assert.ok(fs.existsSync(path.join(__dirname, "..", "..", "..", "..", "dist", "lib", "ENC28J60+http.js")));
  });
});
