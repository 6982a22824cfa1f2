// The NetworkJS driver as one Espruino-ready script for the sim tests (until the library module
// stores it in Storage): build/device/firmware/lib/networkjs.js through the same steps as a
// board's bundle (esbuild IIFE, terser ecma 5, hoist, signs, the Espruino gate; not flattened).
// The script defines the global createNetworkJs(tcp, udp, resolve, options) and njsCounters(driver).
import * as esbuild from "esbuild";
import * as path from "path";
import { minify } from "terser";
import { hoist } from "../../../tools/hoist";
import { separateSigns } from "../../../tools/signs";
import { checkSource, formatFinding } from "../../../tools/gate";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

/**
 * The script runs over the demo bundle's TCP (device.tcp), whose internals it cannot reach: the
 * one TCP function the driver calls, tcpWindowUpdate (an ACK when a drained buffer reopens the
 * window), is left out here (no-op: the peer's zero-window probes reopen it, slower). The
 * library module's networkjs piece (tools/image.ts) carries the real one.
 */
const TCP_SHIM: esbuild.Plugin = {
  name: "tcp-shim",
  setup(b) {
    b.onResolve({ filter: /\/tcp\/tcp(\.js)?$/ }, () => ({ path: "tcp", namespace: "tcp-shim" }));
    b.onLoad({ filter: /.*/, namespace: "tcp-shim" }, () => ({ contents: "export function tcpWindowUpdate() {}\n", loader: "js" }));
  },
};

export async function networkJsScript(): Promise<string> {
  const built = await esbuild.build({
    plugins: [TCP_SHIM],
    stdin: {
      contents: "import { createNetworkJs, njsCounters } from './firmware/lib/networkjs';\n" +
        "global.createNetworkJs = createNetworkJs;\nglobal.njsCounters = njsCounters;\n",
      resolveDir: path.join(ROOT, "build", "device"),
    },
    bundle: true, format: "iife", target: "es5", platform: "node", write: false, legalComments: "none", logLevel: "silent",
    define: { NATIVES_HAVE_E: "true" },
  });
  const min = await minify(built.outputFiles[0].text, {
    ecma: 5, toplevel: true,
    compress: { passes: 2, ecma: 5, unsafe: false, hoist_funs: false, hoist_vars: false, keep_fargs: true, reduce_funcs: false },
    mangle: { toplevel: true },
    format: { ecma: 5, comments: false, ascii_only: true, semicolons: true },
  });
  // not flattened: its names would meet the board bundle's own flattened globals (_a, _b, ...)
  const code = separateSigns(hoist(min.code!));
  const findings = checkSource(code, "networkjs");
  if (findings.length) throw new Error("the Espruino gate rejected the NetworkJS driver:\n" + findings.map(formatFinding).join("\n"));
  return code;
}

/**
 * A user's app file as the README would show it, run after the demo bundle (whose
 * `device` gives the TCP and the IP stack until the library module exists): the demo's page
 * server leaves port 80 to Espruino's own http server over the NetworkJS driver.
 */
export const HTTP_APP = [
  "device.tcp.unlisten(80);",
  "var njs = createNetworkJs(device.tcp, device.stack.udp, null, { sockets: 4 });   // a listener and 3 connections",
  "require('NetworkJS').create(njs);",
  "var hits = 0, peak = 0;",
  "require('http').createServer(function (req, res) {",
  "  hits++;",
  "  peak = Math.max(peak, process.memory().usage);",
  "  if (req.url === '/big') {",
  "    var line = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\\n', big = '';",
  "    for (var i = 0; i < 32; i++) big += line;",
  "    res.writeHead(200, { 'Content-Length': big.length });",
  "    return res.end(big);",
  "  }",
  "  var body = \"hello from Espruino's http: \" + req.method + ' ' + req.url + ' #' + hits;",
  "  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });",
  "  res.end(body);",
  "}).listen(80);",
  "console.log('app: http server on 80 over NetworkJS');",
].join("\n");

/** The demo bundle, the driver script and the app as one boot file (what `make flash APP=` will store). */
export async function appBundle(demoBundle: string, app: string): Promise<string> {
  const fs = await import("fs");
  return fs.readFileSync(demoBundle, "utf8") + "\n" + (await networkJsScript()) + "\n" + app + "\n";
}
