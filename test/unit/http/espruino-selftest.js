// Device-side self-test of the HTTP server and the page routes, bundled like a board (ES5,
// minified, hoisted) and run both on a real Espruino interpreter and in a Node vm with the
// host shims: test/unit/http/espruino.test.ts compares the outputs line by line.
// Plain JS (ES module over build/device/), written to build/device/boards/_httpselftest.js.
import { createHttpServer } from "../firmware/http/server.js";
import { installPage } from "../firmware/app/routes.js";
var out = [], room = [];
var tcp = {
  h: null,
  listen: function (p, h) { tcp.h = h; return true; },
  write: function (c, b, o, l) { var k = l < room[c] ? l : room[c]; out[c] += E.toString(b.subarray(o, o + k)); room[c] -= k; return k; },
  space: function (c) { return room[c]; },
  close: function (c) { out[c] += "<FIN>"; },
  abort: function (c) { out[c] += "<RST>"; tcp.h.end(c, 3); }
};
var srv = createHttpServer(tcp, { slots: 4 });
srv.tick(0);
srv.asset("/", "<p>hello \u00e9</p>", { gzip: new Uint8Array([31, 139, 8, 0, 1, 2, 3]) });
var bigb = new Uint8Array(3000);
for (var i = 0; i < 3000; i++) bigb[i] = (i * 31 + (i >> 8)) & 255;
srv.asset("/big.bin", bigb);
srv.asset("/p/", "prefix", { prefix: true, type: "text/plain" });
srv.route("/api", "GET,POST", function (req, res) {
  var w = res.begin(200, "application/json");
  var j = req.json();
  w.str('{"m":').jstr(req.methodName).str(',"p":').jstr(req.path()).str(',"q":').jstr(String(req.query("q")))
   .str(',"f":').jstr(String(req.form("name"))).str(',"j":').jstr(j === undefined ? "-" : JSON.stringify(j))
   .str(',"n":').num(123456789).str(',"h":').hex(0xdeadbeef, 8).str(',"u":').utf8("\u00e9\u2605").str(',"t":').jstr(req.text()).str("}");
  res.end();
});
srv.route("/s", "GET", function (req, res) { res.header("X-A", "b").send(200, "text/plain", "caf\u00e9"); });
srv.route("/st", "GET", function (req, res) { res.stream(200, "application/octet-stream", 2000, function (o, l) { return bigb.subarray(o, o + l); }); });
srv.route("/throw", "GET", function () { throw new Error("x"); });
var cases = [
  [100000, ["GET / HTTP/1.1\r\nHost: d\r\nAccept-Encoding: gzip\r\n\r\n"]],
  [100000, ["GET / HTTP/1.1\r\nHost: d\r\n\r\nHEAD / HTTP/1.1\r\nHost: d\r\n\r\nGET /p/x/y HTTP/1.1\r\nHost: d\r\n\r\n"]],
  [100000, ["GET / HTTP/1.1\r\nHost: d\r\nIf-None-Match: W/\"x\", \"" + "*" + "\"\r\n\r\n", "GET / HTTP/1.1\r\nHost: d\r\nIf-None-Match: *\r\n\r\n"]],
  [100000, ["POST /api?q=a%20b+c HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 14\r\n\r\nname=J%C3%B6rg"]],
  [100000, ["POST /api HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Len", "gth: 9\r\n\r\n{\"a\":", "[1]}"]],
  [100000, ["GET /s HTTP/1.0\r\n\r\n"]],
  [300, ["GET /big.bin HTTP/1.1\r\nHost: d\r\n\r\nGET /st HTTP/1.1\r\nHost: d\r\n\r\nGET /api HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"]],
  [100000, ["BREW / HTTP/1.1\r\nHost: d\r\n\r\n"]],
  [100000, ["GET / HTTP/2.0\r\nHost: d\r\n\r\n"]],
  [100000, ["GET /x HTTP/1.1\r\nHost : d\r\n\r\n"]],
  [100000, ["DELETE / HTTP/1.1\r\nHost: d\r\n\r\nOPTIONS /api HTTP/1.1\r\nHost: d\r\n\r\nGET /nope HTTP/1.1\r\nHost: d\r\n\r\n"]],
  [100000, ["POST /api HTTP/1.1\r\nHost: d\r\nContent-Length: 513\r\n\r\n"]],
  [100000, ["GET /" + new Array(300).join("a") + " HTTP/1.1\r\n"]],
  [100000, ["GET / HTTP/1.1\r\n" + new Array(40).join("X-Long-Header: 0123456789012345678901234\r\n") + "\r\n"]],
  [100000, ["GET /throw HTTP/1.1\r\nHost: d\r\n\r\n"]],
  [100000, ["POST /api HTTP/1.1\r\nHost: d\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", "abc"]],
  [100000, ["GET / HTTP/1.1\r\nHo"]]
];
for (var ci = 0; ci < cases.length; ci++) {
  var c = ci % 4;
  out[c] = ""; room[c] = cases[ci][0];
  tcp.h.open(c);
  var pieces = cases[ci][1];
  for (var pi = 0; pi < pieces.length; pi++) {
    var b = E.toUint8Array(pieces[pi]);
    tcp.h.data(c, b, 0, b.length);
  }
  for (var k = 0; k < 40; k++) { room[c] += 300; tcp.h.drained(c); }
  srv.tick(10000 * (ci + 1));
  print("@@" + ci + " " + JSON.stringify(out[c]));
  tcp.h.end(c, 0);
}
print("@@counters " + JSON.stringify(srv.counters));
// The demo page's routes over fake stack/TCP/driver objects (E.toArrayBuffer and atob paths on Espruino).
var srv2 = createHttpServer(tcp, { slots: 4 });
var led = false;
// The live counter arrays the status page reads (firmware/net/counters.ts Cnt, firmware/tcp/tcp.ts
// C): eth.rx 0, eth.dropShort 3, ip.rx 25, ip.tx 26; tcp segIn 0, segOut 1, dropNoListener 11.
var stackCounts = new Uint32Array(80), tcpCounts = new Uint32Array(27);
// The driver's state words the status page reads (drivers/enc28j60/access.ts St): RX_FRAMES 15,
// RX_OVERFLOWS 17, TX_FRAMES 19.
var drvSt = new Int32Array(32);
drvSt[15] = 8; drvSt[17] = 1; drvSt[19] = 9;
stackCounts[0] = 1; stackCounts[3] = 2; stackCounts[25] = 3; stackCounts[26] = 4;
tcpCounts[0] = 5; tcpCounts[1] = 6; tcpCounts[11] = 7;
var dev = {
  stack: { addr: 0xc0000202, dhcpState: function () { return "static"; }, c: stackCounts },
  tcp: { counts: tcpCounts, stateCounts: function (o) { for (var i = 0; i < o.length; i++) o[i] = 0; o[1] = 2; o[4] = 1; } },
  driver: { linkUp: function () { return true; }, st: drvSt },
  http: srv2, settings: { name: "n" },
  led: function (on) { if (on !== undefined) led = !!on; return led; }
};
var cfg = { board: "t", mac: new Uint8Array([2, 0x45, 0x4e, 0x43, 0, 2]), memory: function () { return [100, 200]; } };
installPage(dev, cfg, function () { return 12345; });
function post(path, type, body) {
  return "POST " + path + " HTTP/1.1\r\nHost: d\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n\r\n" + body;
}
var cases2 = [
  "GET /api/status HTTP/1.1\r\nHost: d\r\n\r\n",
  "POST /api/led HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\non=toggle",
  post("/api/settings?js=1", "application/json", '{"name":"Cafe \\"x\\" \\u00e9"}'),
  post("/api/settings", "application/x-www-form-urlencoded", "name=A%26B+%E2%98%85"),
  "GET /api/status HTTP/1.1\r\nHost: d\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: d\r\nAccept-Encoding: gzip\r\n\r\n",
  "GET /nope.html HTTP/1.1\r\nHost: d\r\n\r\n"
];
tcp.h.open(0); out[0] = ""; room[0] = 1000000;
for (var c2 = 0; c2 < cases2.length; c2++) {
  out[0] = "";
  var b2 = E.toUint8Array(cases2[c2]);
  tcp.h.data(0, b2, 0, b2.length);
  var o2 = out[0];
  // page bodies are long: print their length and a checksum instead
  print("@@page" + c2 + " " + JSON.stringify([dev.settings.name, led, o2.length > 1500 ? o2.substring(0, o2.indexOf("\r\n\r\n")) + " len=" + o2.length + " crc=" + E.CRC32(o2) : o2]));
}
