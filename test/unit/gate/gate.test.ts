import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { checkSource } from "../../../tools/gate";
import { hoist } from "../../../tools/hoist";
import { loadBoardJson, pageFilesFor, pagesThatFit, storageProblem, storedProgram } from "../../../tools/flash";

/** Bytes a board bundle may take today (a ratchet towards the 40 KB target). 50 KB while the
 *  HTTP server trades code for RAM on Espruino (module-level functions over one state record,
 *  texts as switches in flash: ~1,100 variables fewer, ~4 KB more code). */
// A ratchet (bytes per bundle): raised from 47 to 52 KB by the Espruino-memory redesign of issue
// #12, which trades code for variables (the HTTP server as module-level functions over one state
// record, the shared TCP send pool, the boot's memory model). Issue #16 (pay for what you use)
// is where the size comes down again. 53 KB: the flattened bundle's "_" on every top-level name
// (about 840 bytes) for about 620 variables less at boot (tools/flatten.ts). 54 KB: the driver as
// module-level functions over one record (driver 522 -> 141 variables, about 200 bytes more).
// 55 KB: the IP stack as one record (760 -> 166 variables), the status page reading live counts
// (terser pastes the counter-name literal into each of its two readers: about 400 bytes).
// 57 KB: TCP as module-level functions over one record (tcp 769 -> 444 variables on the
// interpreter, but "before" +337 with about 2.5 KB more code: net about the same at boot, see
// docs/tcp.md).
// 58 KB: TCP loss recovery on duplicate ACKs (firmware/tcp/recovery.ts, issue #15: early and
// fast retransmit, limited transmit, ssthresh; about 1 KB of code, 7 bytes per slot).
// +4 KB: issue #15's IP-layer MUSTs and SHOULDs (54.3 -> 58.4 KB for the pico bundle alone): IPv4
// reassembly (RFC 1122 3.3.2 MUST, with ICMP time exceeded: about 1.5 KB), the link-layer
// broadcast filter, RFC 5227 probing and defence with their console messages, DHCPDECLINE,
// DHCPRELEASE, INIT-REBOOT and option 6 (about 2.5 KB), 14 new counter names.
// 62.5 KB: down again (pico 63,342 bytes, sim 63,513): the library's static files became a piece
// of their own (firmware/http/assets.ts behind hooks: the demo +190 for them), its handler
// failures a server method (+252 for the hooks and res.json in the core server), the writer's
// methods one object (-152).
// 63.2 KB: issue #15's tail-loss probe and RACK-style detection of a lost retransmission
// (firmware/tcp/recovery.ts, about 1.1 KB: pico 64,446 bytes, sim 64,617). 63.5 KB: urgent data
// on receive (RFC 9293 MUST-30/31, firmware/tcp/urgent.ts) and the keep-alive hook (pico 64,779,
// sim 64,950). 64.7 KB: issue #12's idle schedule (firmware/lib/eth-run.ts: one timer at the next
// deadline, the layers' due queries; idle work 6.6 -> 0.3 M instructions/s): pico 65,995, sim 66,166.
// 64.9 KB: a lone www/<name>.gz served at /<name> (firmware/lib/eth-files.ts, for a board whose
// Storage holds the page only compressed): pico 66,156, sim 66,327. 65.0 KB: issue #15 item 5's
// loss-recovery goals (firmware/tcp/timers.ts, recovery.ts: no 100 ms tick for a download waiting at
// its own send buffer, a second loss probe, early retransmit only on a duplicate ACK SRTT/2 after
// SND.UNA's segment went, timers due within 1 ms): pico 66,367, sim 66,538.
// 65.2 KB: issue #16 item 7, the
// stack's optional parts (IPv4 reassembly, RFC 5227 probing, the counters' names: firmware/net/
// state.ts Parts) called through the stack's record so that the library leaves out those its app
// does not use (its Pico image of examples/hello.js 54,091 -> 48,640 bytes with the other cuts, now fitting): these
// bundles have every part, +400 bytes for the indirection (pico 66,556, sim 66,727). 65.4 KB: both of
// these together (merged): pico 66,762, sim 66,933. 65.6 KB: issue #12's SYN-burst fix (a
// half-open slot kept until the stack's receive queue was seen empty, tcp/alloc.ts evictable())
// and the HTTP server's clock synced at a connection's opening: pico 66,953, sim 67,124.
// 65.3 KB: with tools/inline.ts (issue #12: 26 single-use functions pasted into their callers
// before terser; -300 bytes): pico 66,656, sim 66,827.
// 65.3 KB: issue #12's per-request round (the status reply and the response heads as one string
// each, the writer's num() native): pico 66,648, sim 66,819.
// Both merged: 65.0 KB, pico 66,327, sim 66,498.
// 65.5 KB (issue #16): TCP's and the driver's counters
// named through a naming function the record keeps (createTcpWith, createEnc28j60With), so that
// the library leaves the names out without its counters piece (its core -640 bytes): these
// bundles pass the names, +92 bytes (pico 66,741 -> 66,833, sim 66,912 -> 67,004).
// All three merged (inline, the per-request round, the counter names): pico 66,374, sim 66,545.
// 65.25 KB: issue #12's TCP fast path (sequence comparisons, timeFrom/armRexmt, the header and
// the checksum, the table cell decoders in fire() written out on the per-segment path; synchronized()'s common-segment branch):
// +255 bytes (pico 66,374 -> 66,629, sim 66,545 -> 66,800) for 19 calls fewer per request.
const SIZE_BUDGET = 65.25 * 1024;

function constructs(code: string): string[] {
  return checkSource(code, "t.js").map((f) => f.construct);
}

describe("Espruino gate", () => {
  const bad: [string, string, RegExp][] = [
    ["class inheritance", "var B=function(){};class A extends B{}", /class inheritance/],
    ["tsc __extends helper", "var __extends=function(){};__extends(A,B)", /__extends/],
    ["tsc __spreadArray helper", "var x=__spreadArray([],a,true)", /__spreadArray/],
    ["spread", "var a=[1],b=[...a]", /spread/],
    ["spread call", "f(...a)", /spread/],
    ["rest parameter", "function f(...a){}", /rest/],
    ["object destructuring", "var {a}={a:1}", /destructuring/],
    ["array destructuring", "var [a]=[1]", /destructuring/],
    ["default parameter", "function f(a){}function g(a=1){}", /default parameter/],
    ["labelled statement", "x:for(;;){break x}", /labelled/],
    ["** operator", "var a=2**3", /\*\* operator/],
    ["optional chaining", "var o={};o?.a", /optional chaining/],
    ["logical assignment", "var a;a??=1", /\?\?= operator/],
    ["generator", "function*g(){yield 1}", /generator/],
    ["async", "async function f(){await 1}", /async/],
    ["tagged template", "f`x`", /tagged template/],
    ["new.target", "function F(){return new.target}", /new\.target/],
    ["computed property", "var k='a',o={[k]:1}", /computed property/],
    ["Map", "var m=new Map()", /Map/],
    ["Set", "var s=new Set()", /Set/],
    ["Symbol", "var s=Symbol('x')", /Symbol/],
    ["Math.imul", "var x=Math.imul(2,3)", /Math\.imul/],
    ["Math.clz32", "var x=Math.clz32(2)", /Math\.clz32/],
    ["Number.isInteger", "Number.isInteger(1)", /Number\.isInteger/],
    ["Array.from", "Array.from([1])", /Array\.from/],
    ["Object.freeze", "Object.freeze({})", /Object\.freeze/],
    ["BYTES_PER_ELEMENT", "var n=Uint16Array.BYTES_PER_ELEMENT", /BYTES_PER_ELEMENT/],
    ["case after default", "switch(1){default:break;case 2:break}", /case after default/],
    ["use before declaration", "f();function f(){}", /'f' used before/],
    ["var used before declaration", "x.y=1;var x={}", /'x' used before/],
    ["use before declaration in a function", "function o(){g();function g(){}}", /'g' used before/],
    ["length assignment", "var a=[1,2];a.length=0", /\.length/],
    ["misaligned 16-bit view", "var b=new ArrayBuffer(8),v=new Uint16Array(b,1,2)", /misaligned Uint16Array/],
    ["misaligned 32-bit view", "var b=new ArrayBuffer(8),v=new Uint32Array(b,2,1)", /misaligned Uint32Array/],
    ["Array.prototype as value", "var s=Array.prototype.slice", /Array\.prototype/],
    ["fromCharCode.apply", "String.fromCharCode.apply(null,[65])", /fromCharCode\.apply/],
    ["let", "let a=1", /let/],
    ["local require left", "var m=require('./m')", /require/],
    ["syntax error", "var = 1", /syntax error/],
    ["regex counted repetition", "var r=/^[0-9a-f]{2}$/", /counted repetition/],
    ["regex quantified group", "var r=/^(ab)+$/", /quantified group/],
    ["regex lookahead", "var r=/a(?=b)/", /lookaround/],
    ["closure called in place inside a function", "!function(){function f(a){return function(b){return b+1}(a)}f(1)}()", /called in place/],
    ["closure called in place inside a top-level function", "function f(a){return function(b){return b+1}(a)}f(1)", /called in place/],
  ];
  for (const [name, code, re] of bad) {
    it(`rejects ${name}`, () => {
      const found = constructs(code);
      assert.ok(found.some((c) => re.test(c)), `expected ${re} in ${JSON.stringify(found)}`);
    });
  }

  it("reports file, line and column", () => {
    const f = checkSource("var a=1;\nvar b=[...a];\n", "dist/x.js");
    assert.equal(f.length, 1);
    assert.equal(f[0].file, "dist/x.js");
    assert.equal(f[0].line, 2);
    assert.equal(f[0].column, 8);
  });

  it("accepts plain ES5 that Espruino runs", () => {
    const ok = [
      "function f(a,b){return a+b}var x=f(1,2);",
      "var b=new ArrayBuffer(8),v=new Uint16Array(b,2,2),w=new Uint8Array(b,1,3);",
      "var o={a:1,b:function(){return this.a}};o.b();",
      "switch(1){case 1:break;default:break}",
      "var s=require('Storage');",
      "var m={size:1};m.set=function(){};var q=o.Map;",
      "function outer(){function inner(){return 1}return inner}",
      "var r=/^[0-9]+(a|b)\\{2\\}[{}()+]$/;",
      "var t=function(a){return a}(1);!function(){}();",   // start-up code at the top level (bundles have no wrapper)
    ];
    for (const code of ok) assert.deepEqual(constructs(code), [], code);
  });
});

describe("hoisting pass", () => {
  const programs = [
    "out.push(f());function f(){return g()+x}function g(){return 2}var x=3;",
    "var a=1,b,c=3;for(var i=0,j;i<2;i++){var k=i}for(var q in {x:1}){}out.push(a,b,c,i,j,k,q);",
    "!function(){\"use strict\";h();return;function h(){out.push(typeof y)}var y=5}();",
    "var u,v,w=1,z;out.push(u,w,function(){return n();function n(){var p=4;return p}}());",
  ];
  it("keeps a leading var as written and adds the scope's other vars to it", () => {
    assert.equal(hoist("function f(){var a=1,b=a;g();var c=3;function g(){}}"), "function f(){function g(){}var a=1,b=a,c;g();c=3;}");
  });
  it("splits a leading var whose initialiser needs a name the scope declares later", () => {
    // Espruino: `var a=b,b=2` reads b before it exists; g() would read b before it exists
    assert.equal(hoist("var a=b,b=2;out.push(a)"), "var a,b;a=b,b=2;out.push(a)");
    assert.equal(hoist("var a=g(),b=1;function g(){return b}out.push(a)"), "var a,b;function g(){return b}a=g(),b=1;out.push(a)");
  });
  for (const src of programs) {
    it(`keeps behaviour and satisfies the gate: ${src.slice(0, 40)}...`, () => {
      const hoisted = hoist(src);
      const run = (code: string) => { const ctx = { out: [] as unknown[] }; vm.runInNewContext(code, ctx); return ctx.out; };
      assert.deepEqual(run(hoisted), run(src));
      assert.deepEqual(constructs(hoisted), []);
    });
  }
});

describe("emitted bundles", () => {
  const dist = path.resolve(__dirname, "..", "..", "..", "..", "dist");
  const bundles = fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => f.endsWith(".js")) : [];
  it("exist for every board (make bundle-all ran)", () => {
    for (const b of ["sim", "pico", "espruino-wifi", "nucleo-f401re", "stm32f4discovery", "esp32"]) {
      assert.ok(bundles.includes(`${b}.js`), `dist/${b}.js missing`);
    }
  });
  it("sim/prelude.js (the simulated board's device-side globals) passes the gate too", () => {
    const file = path.resolve(__dirname, "..", "..", "..", "..", "sim", "prelude.js");
    assert.deepEqual(checkSource(fs.readFileSync(file, "utf8"), "sim/prelude.js").map((f) => `${f.line}:${f.column} ${f.construct}`), []);
  });
  for (const b of bundles) {
    it(`dist/${b} passes the gate and leaves only Espruino's own modules to require`, () => {
      const code = fs.readFileSync(path.join(dist, b), "utf8");
      assert.deepEqual(checkSource(code, b).map((f) => `${f.line}:${f.column} ${f.construct}`), []);
      assert.ok(!/\brequire\((?!"Storage"\))/.test(code), "only require(\"Storage\") may remain");
    });
    // The product target is "well under 40 KB"; today's bundles are about 45.6 KB (make bench).
    // Until the target is met this is a ratchet: a bundle may shrink, never grow past it.
    it(`dist/${b} stays within the size budget (${SIZE_BUDGET} bytes; target ${40 * 1024})`, () => {
      const bytes = fs.statSync(path.join(dist, b)).size;
      assert.ok(bytes <= SIZE_BUDGET, `${b} is ${bytes} bytes, over the ${SIZE_BUDGET}-byte budget`);
    });
  }
  // What must fit on the board: the program as make flash stores it (pretokenised) and the page
  // files make flash sends with it (the gzip copy stays home when only it is in the way).
  // (The STM32F4DISCOVERY's board JSON has no saved_code size to check against: 256 KB.)
  // KNOWN GAP: after the memory redesign of issue #12 the full program no longer fits the Pico's
  // 48 KB Storage area (it needs about 1.5 KB more than the area leaves beside the page), and on
  // the Pico's 5,100 variables it boots IP-only anyway (no room for TCP and HTTP yet). Until that
  // is closed, make flash must refuse the Pico with a clear message rather than upload a program
  // that does not fit; the day it fits, this test says so and the Pico joins the list above.
  for (const board of ["espruino-wifi", "nucleo-f401re", "esp32"]) {
    it(`${board}: the stored program and the page fit the board's Storage area`, () => {
      const json = loadBoardJson(board);
      assert.ok(json.chip.saved_code, "chip.saved_code missing");
      const program = storedProgram(path.join(dist, `${board}.js`)).length;
      const pages = pagesThatFit(json, program, pageFilesFor({ board }));
      assert.ok(pages.some((p) => p.name === "www/index.html"), "the page must go too");
      assert.equal(storageProblem(json, program, pages.map((p) => p.bytes)), null);
    });
  }
  it("pico: the program does not fit yet, and make flash's size check says so clearly (known gap, issue #12)", () => {
    const json = loadBoardJson("pico");
    const program = storedProgram(path.join(dist, "pico.js")).length;
    const pages = pagesThatFit(json, program, pageFilesFor({ board: "pico" }));
    const problem = storageProblem(json, program, pages.map((p) => p.bytes));
    assert.ok(problem, "the Pico's program fits again: move pico back into the list of boards that must fit");
    assert.match(problem!, /^the program is \d+ bytes .* but Espruino Pico's Storage area holds \d+ bytes/);
  });
});
