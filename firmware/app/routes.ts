// The page and its JSON API: GET / (the page, gzip when accepted), GET /api/status,
// POST /api/led, GET/POST /api/settings. The status JSON is written straight into the
// server's output buffer (no strings built per request).

import { HttpServer, HttpRequest, HttpResponse, CT_JSON } from "../http/server";
import { AsciiWriter } from "../http/ascii";
import { Stack } from "../net/stack";
import { Tcp } from "../tcp/tcp";
import { STATE_NAMES, STATE_COUNT } from "../tcp/states";
import { Enc28j60 } from "../../hal/enc28j60";
import { PAGE_HTML, PAGE_GZIP_B64, PAGE_ETAG } from "./assets";

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

/** Bytes of a one-byte-per-char string: a view over the string when Espruino can (E.toArrayBuffer, no copy), else a copy. Start-up only. */
export function latin1Bytes(s: string): Uint8Array {
  var e: any = E;
  if (typeof e.toArrayBuffer === "function") return new Uint8Array(e.toArrayBuffer(s));
  return E.toUint8Array(s);
}

var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 to bytes (start-up only): Espruino's native atob when present, else a small loop. */
export function fromBase64(s: string): Uint8Array {
  var g: any = typeof global !== "undefined" ? global : undefined;
  if (g && typeof g.atob === "function") return E.toUint8Array(g.atob(s));
  var n = s.length, pad = n > 0 && s.charAt(n - 1) === "=" ? (s.charAt(n - 2) === "=" ? 2 : 1) : 0;
  var out = new Uint8Array((n * 3) / 4 - pad), o = 0;
  for (var i = 0; i < n; i += 4) {
    var v = (B64.indexOf(s.charAt(i)) << 18) | (B64.indexOf(s.charAt(i + 1)) << 12) |
      ((B64.indexOf(s.charAt(i + 2)) & 63) << 6) | (B64.indexOf(s.charAt(i + 3)) & 63);
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

function ip4(w: AsciiWriter, a: number): void {
  w.byte(34).num((a >>> 24) & 255).byte(46).num((a >>> 16) & 255).byte(46).num((a >>> 8) & 255).byte(46).num(a & 255).byte(34);
}

function isDrop(k: string): boolean {
  return k.charCodeAt(0) === 100 && k.charCodeAt(1) === 114 && k.charCodeAt(2) === 111 && k.charCodeAt(3) === 112;
}

/** Valid device name: 1..32 characters, no control characters. */
export function validName(s: string | null | undefined): boolean {
  if (typeof s !== "string" || s.length < 1 || s.length > 32) return false;
  for (var i = 0; i < s.length; i++) if (s.charCodeAt(i) < 32 || s.charCodeAt(i) === 127) return false;
  return true;
}

export function installPage(http: HttpServer, ctx: PageContext): void {
  var page = latin1Bytes(PAGE_HTML), pageGz = fromBase64(PAGE_GZIP_B64);
  http.asset("/", page, { type: "text/html; charset=utf-8", gzip: pageGz, etag: PAGE_ETAG });
  var states = new Uint16Array(STATE_COUNT);
  var stack = ctx.stack, tcp = ctx.tcp, drv = ctx.driver;

  function drops(w: AsciiWriter, first: boolean, prefix: string, counters: { [k: string]: number }): boolean {
    for (var k in counters) {
      var v = counters[k];
      if (v > 0 && isDrop(k) && w.pos < w.end - 64) {
        if (!first) w.byte(44);
        first = false;
        w.byte(34).str(prefix).byte(46).str(k).byte(34).byte(58).num(v);
      }
    }
    return first;
  }

  http.route("/api/status", "GET", function (req: HttpRequest, res: HttpResponse): void {
    var w = res.begin(200, JSON_TYPE);
    var m = ctx.mac, i: number;
    w.str('{"name":').jstr(ctx.settings.name).str(',"board":').jstr(ctx.board).str(',"ip":');
    ip4(w, stack.addr);
    w.str(',"mac":"');
    for (i = 0; i < 6; i++) { if (i) w.byte(58); w.hex(m[i], 2); }
    w.str('","up":').num(ctx.uptimeMs() / 1000).str(',"link":').str(drv.linkUp() ? "true" : "false");
    w.str(',"dhcp":').jstr(stack.dhcpState()).str(',"led":').str(ctx.getLed() ? "true" : "false");
    var mem = ctx.memory();
    w.str(',"mem":[').num(mem[0]).byte(44).num(mem[1]).str('],"traffic":[');
    var dc = drv.counters, ip = stack.counters.ip, tc = tcp.counters;
    w.num(dc.rxFrames).byte(44).num(dc.txFrames).byte(44).num(ip.rx).byte(44).num(ip.tx).byte(44);
    w.num(tc.segIn).byte(44).num(tc.segOut).byte(44).num(tc.retransmits).byte(44).num(ctx.http.counters.requests);
    w.str('],"states":{');
    tcp.stateCounts(states);
    var first = true;
    for (i = 1; i < STATE_COUNT; i++) {          // CLOSED (0): unused slots, not shown
      if (states[i] > 0) { if (!first) w.byte(44); first = false; w.byte(34).str(STATE_NAMES[i]).str('":').num(states[i]); }
    }
    w.str('},"drops":{');
    first = true;
    if (dc.rxErrors > 0) { first = false; w.str('"enc.rxErrors":').num(dc.rxErrors); }
    if (dc.rxOverflows > 0) { if (!first) w.byte(44); first = false; w.str('"enc.rxOverflows":').num(dc.rxOverflows); }
    if (dc.txErrors > 0) { if (!first) w.byte(44); first = false; w.str('"enc.txErrors":').num(dc.txErrors); }
    var sc = stack.counters;
    for (var layer in sc) first = drops(w, first, layer, sc[layer]);
    first = drops(w, first, "tcp", tc);
    w.str("}}");
    res.end();
  });

  function ledReply(res: HttpResponse): void {
    res.begin(200, JSON_TYPE).str('{"led":').str(ctx.getLed() ? "true" : "false").byte(125);
    res.end();
  }

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
    ledReply(res);
  });

  function settingsReply(res: HttpResponse, status: number): void {
    res.begin(status, JSON_TYPE).str('{"ok":true,"name":').jstr(ctx.settings.name).byte(125);
    res.end();
  }

  http.route("/api/settings", "GET,POST", function (req: HttpRequest, res: HttpResponse): void {
    if (req.methodName !== "POST") { settingsReply(res, 200); return; }
    var isJson = req.contentType === CT_JSON;
    var name: any = isJson ? (req.json() || {}).name : req.form("name");
    var wantsJson = isJson || req.query("js") === "1";
    if (!validName(name)) {
      res.send(400, JSON_TYPE, '{"error":"name: 1 to 32 characters, no control characters"}');
      return;
    }
    ctx.settings.name = name;
    if (!ctx.saveSettings()) { res.send(500, JSON_TYPE, '{"error":"could not store the setting"}'); return; }
    if (wantsJson) settingsReply(res, 200);
    else res.header("Location", "/").send(303, "text/plain; charset=utf-8", "saved\n");
  });
}
