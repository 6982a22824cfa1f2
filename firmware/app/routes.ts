// The page's JSON API: GET /api/status, GET|POST /api/led, GET|POST /api/settings. (The page
// itself is the Storage file www/index.html, served by files.ts.) The status JSON is written
// straight into the server's output buffer (no strings built per request).

import { HttpServer, HttpRequest, HttpResponse, CT_JSON } from "../http/server";
import { AsciiWriter } from "../http/ascii";
import { Stack } from "../net/stack";
import { Tcp } from "../tcp/tcp";
import { STATE_NAMES, STATE_COUNT } from "../tcp/states";
import { Enc28j60 } from "../../hal/enc28j60";

export interface Settings { name: string }

export interface PageContext {
  board: string;
  mac: Uint8Array;
  stack: Stack;
  tcp: Tcp;
  driver: Enc28j60;
  http: HttpServer;
  uptimeMs(): number;
  memory(): number[];
  getLed(): boolean;
  setLed(on: boolean): void;
  settings: Settings;
  saveSettings(): boolean;
}

var JSON_TYPE = "application/json";

/** Valid device name: 1..32 characters, no control characters. */
export function validName(s: string | null | undefined): boolean {
  if (typeof s !== "string" || s.length < 1 || s.length > 32) return false;
  for (var i = 0; i < s.length; i++) if (s.charCodeAt(i) < 32 || s.charCodeAt(i) === 127) return false;
  return true;
}

export function installPage(http: HttpServer, ctx: PageContext): void {
  var states = new Uint16Array(STATE_COUNT);
  var stack = ctx.stack, tcp = ctx.tcp, drv = ctx.driver;
  var w: AsciiWriter, first: boolean;   // the status reply being written; no member written yet

  /** Starts the next member of a JSON object: a comma unless first, then the key's opening quote. */
  function member(): AsciiWriter {
    if (!first) w.byte(44);
    first = false;
    return w.byte(34);
  }
  function drop(layer: string, name: string, n: number): void {
    if (n > 0 && w.pos < w.end - 64) member().str(layer).byte(46).str(name).str('":').num(n);
  }
  /** Every non-zero counter named drop... of a layer. */
  function drops(layer: string, counters: { [name: string]: number }): void {
    for (var k in counters) if (k.indexOf("drop") === 0) drop(layer, k, counters[k]);
  }
  function bool(b: boolean): string { return b ? "true" : "false"; }

  http.route("/api/status", "GET", function (req: HttpRequest, res: HttpResponse): void {
    w = res.begin(200, JSON_TYPE);
    var m = ctx.mac, a = stack.addr, i: number;
    w.str('{"name":').jstr(ctx.settings.name).str(',"board":').jstr(ctx.board).str(',"ip":"');
    for (i = 24; i >= 0; i -= 8) { w.num((a >>> i) & 255); if (i) w.byte(46); }
    w.str('","mac":"');
    for (i = 0; i < 6; i++) { if (i) w.byte(58); w.hex(m[i], 2); }
    w.str('","up":').num(ctx.uptimeMs() / 1000).str(',"link":').str(bool(drv.linkUp()));
    w.str(',"dhcp":').jstr(stack.dhcpState()).str(',"led":').str(bool(ctx.getLed()));
    var mem = ctx.memory();
    w.str(',"mem":[').num(mem[0]).byte(44).num(mem[1]).str('],"traffic":[');
    var dc = drv.counters, sc = stack.counters, tc = tcp.counters;
    w.num(dc.rxFrames).byte(44).num(dc.txFrames).byte(44).num(sc.ip.rx).byte(44).num(sc.ip.tx).byte(44);
    w.num(tc.segIn).byte(44).num(tc.segOut).byte(44).num(tc.retransmits).byte(44).num(ctx.http.counters.requests);
    w.str('],"states":{');
    tcp.stateCounts(states);
    first = true;
    for (i = 1; i < STATE_COUNT; i++) {          // CLOSED (0): unused slots, not shown
      if (states[i] > 0) member().str(STATE_NAMES[i]).str('":').num(states[i]);
    }
    w.str('},"drops":{');
    first = true;
    drop("enc", "rxErrors", dc.rxErrors);
    drop("enc", "rxOverflows", dc.rxOverflows);
    drop("enc", "txErrors", dc.txErrors);
    for (var layer in sc) drops(layer, sc[layer]);
    drops("tcp", tc);
    w.str("}}");
    res.end();
  });

  http.route("/api/led", "GET,POST", function (req: HttpRequest, res: HttpResponse): void {
    if (req.methodName === "POST") {
      var v: any = null;
      if (req.contentType === CT_JSON) { var j = req.json(); v = j && j.on !== undefined ? !!j.on : null; }
      else {
        var f = req.form("on");
        if (f === null) f = req.query("on");
        v = f === "1" || f === "true" || f === "on" ? true : f === "0" || f === "false" || f === "off" ? false : f === "toggle" ? !ctx.getLed() : null;
      }
      if (v === null) { res.send(400, JSON_TYPE, '{"error":"on must be 1, 0 or toggle"}'); return; }
      ctx.setLed(v);
    }
    res.begin(200, JSON_TYPE).str('{"led":').str(bool(ctx.getLed())).byte(125);
    res.end();
  });

  http.route("/api/settings", "GET,POST", function (req: HttpRequest, res: HttpResponse): void {
    var post = req.methodName === "POST", isJson = req.contentType === CT_JSON;
    if (post) {
      var name: any = isJson ? (req.json() || {}).name : req.form("name");
      if (!validName(name)) { res.send(400, JSON_TYPE, '{"error":"name: 1 to 32 characters, no control characters"}'); return; }
      ctx.settings.name = name;
      if (!ctx.saveSettings()) { res.send(500, JSON_TYPE, '{"error":"could not store the setting"}'); return; }
      // a plain form post (no JavaScript) goes back to the page
      if (!isJson && req.query("js") !== "1") { res.header("Location", "/").send(303, "text/plain; charset=utf-8", "saved\n"); return; }
    }
    res.begin(200, JSON_TYPE).str('{"ok":true,"name":').jstr(ctx.settings.name).byte(125);
    res.end();
  });
}
