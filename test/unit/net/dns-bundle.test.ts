// The resolver and the mDNS responder are optional pieces: they pass the Espruino gate when a
// build includes them (the device build's ES5 modules, bundled), and a build that does not use
// them does not contain them (the default bundles).

import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkSource } from "../../../tools/gate";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const NET = path.join(ROOT, "build", "device", "firmware", "net");

function bundle(contents: string): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const esbuild = require("esbuild");
  return esbuild.buildSync({
    stdin: { contents, resolveDir: NET }, bundle: true, format: "iife", globalName: "P", target: "es5", platform: "neutral",
    write: false, logLevel: "silent",
  }).outputFiles[0].text;
}

describe("net/dns, net/mdns: optional pieces", () => {
  before(function () {
    if (!fs.existsSync(path.join(NET, "mdns.js"))) throw new Error("no device build in " + NET + " (run `make bundle-all`)");
  });

  for (const [what, src] of [
    ["the resolver", 'export { createResolver } from "./dns.js";'],
    ["the mDNS responder", 'export { createMdns } from "./mdns.js";'],
  ]) {
    it(what + " passes the Espruino gate", () => {
      const code = bundle(src);
      assert.deepEqual(checkSource(code, what).map((f) => `${f.line}:${f.column} ${f.construct}`), []);
    });
  }

  it("the default bundles contain neither", () => {
    const dist = path.join(ROOT, "dist");
    for (const f of fs.readdirSync(dist).filter((n) => n.endsWith(".js"))) {
      const code = fs.readFileSync(path.join(dist, f), "utf8");
      assert.ok(!code.includes("_dns-sd"), f + " contains the mDNS responder");
      assert.ok(!code.includes("serverFail"), f + " contains the resolver");
    }
  });
});
