// The page's JSON API: GET /api/status, GET|POST /api/led, GET|POST /api/settings. (The page
// itself is the Storage file www/index.html, served by files.ts.) The status JSON is written
// straight into the server's output buffer (no strings built per request).

import { HttpRequest, HttpResponse, CT_JSON } from "../http/server";
import { AsciiWriter } from "../http/ascii";
import { STATE_NAMES, STATE_COUNT } from "../tcp/states";
import { AppConfig, Device, Settings } from "./device";

export { Settings };

/** The Storage file holding the settings (JSON). */
export var SETTINGS_FILE = "enc-settings";

var JSON_TYPE = "application/json";
/** Form/query values of "on": false for the first three, true for the rest (else "toggle"). */
var LED_WORDS = ["0", "false", "off", "1", "true", "on"];

/** Registers the API routes on dev.http; uptimeMs: milliseconds since start. */
export function installPage(dev: Device, cfg: AppConfig, uptimeMs: () => number): void {
  var states = new Uint16Array(STATE_COUNT);
  var stack = dev.stack, tcp = dev.tcp, drv = dev.driver, http = dev.http, settings = dev.settings;
  var memory = cfg.memory || function (): number[] { return [0, 0]; };
  var w: AsciiWriter, first: boolean;   // the status reply being written; no member written yet

  /** The next item of a JSON list or object: a comma unless first. */
  function next(): AsciiWriter {
    if (!first) w.byte(44);
    first = false;
    return w;
  }
  /** A member "<layer>.<name>":n of a JSON object ("<name>":n without a layer). */
  function pair(layer: string, name: string, n: number): void {
    next().byte(34).str(layer);
    if (layer) w.byte(46);
    w.str(name).str('":').num(n);
  }
  /** A non-zero drop counter, while there is room. */
  function drop(layer: string, name: string, n: number): void {
    if (n > 0 && w.pos < w.end - 64) pair(layer, name, n);
  }
  /** Every non-zero counter named drop... of a layer. */
  function drops(layer: string, counters: { [name: string]: number }): void {
    for (var k in counters) if (k.indexOf("drop") === 0) drop(layer, k, counters[k]);
  }
  function count63(s: string): number { return s.split("?").length - 1; }
  function json(res: HttpResponse, key: string): AsciiWriter {
    return res.begin(200, JSON_TYPE).str('{"').str(key).str('":');
  }
  function fail(res: HttpResponse, status: number, error: string): void {
    res.send(status, JSON_TYPE, '{"error":"' + error + '"}');
  }

  http.route("/api/status", "GET", function (req: HttpRequest, res: HttpResponse): void {
    var m = cfg.mac, a = stack.addr, i: number;
    w = json(res, "name").jstr(settings.name).str(',"board":').jstr(cfg.board).str(',"ip":"');
    for (i = 24; i >= 0; i -= 8) { w.num((a >>> i) & 255); if (i) w.byte(46); }
    w.str('","mac":"');
    for (i = 0; i < 6; i++) { if (i) w.byte(58); w.hex(m[i], 2); }
    w.str('","up":').num(uptimeMs() / 1000).str(',"link":').str("" + drv.linkUp());
    w.str(',"dhcp":').jstr(stack.dhcpState()).str(',"led":').str("" + dev.led());
    var mem = memory();
    w.str(',"mem":[').num(mem[0]).byte(44).num(mem[1]).str('],"traffic":[');
    var dc = drv.counters, sc = stack.counters, tc = tcp.counters;
    first = true;
    next().num(dc.rxFrames); next().num(dc.txFrames); next().num(sc.ip.rx); next().num(sc.ip.tx);
    next().num(tc.segIn); next().num(tc.segOut); next().num(tc.retransmits); next().num(http.counters.requests);
    w.str('],"states":{');
    tcp.stateCounts(states);
    first = true;
    for (i = 1; i < STATE_COUNT; i++) {          // CLOSED (0): unused slots, not shown
      if (states[i] > 0) pair("", STATE_NAMES[i], states[i]);
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
        var k = LED_WORDS.indexOf(f as string);
        v = k >= 0 ? k > 2 : f === "toggle" ? !dev.led() : null;
      }
      if (v === null) return fail(res, 400, "on must be 1, 0 or toggle");
      dev.led(v);
    }
    json(res, "led").str("" + dev.led()).byte(125);
    res.end();
  });

  http.route("/api/settings", "GET,POST", function (req: HttpRequest, res: HttpResponse): void {
    var isJson = req.contentType === CT_JSON;
    if (req.methodName === "POST") {
      var body: any = isJson ? req.json() : null;
      if (isJson && body === undefined) return fail(res, 400, "invalid JSON");
      var name: any = isJson ? (body || {}).name : req.form("name");
      // a valid name: 1..32 characters, no control characters
      var ok = typeof name === "string" && name.length > 0 && name.length < 33;
      for (var i = 0; ok && i < name.length; i++) ok = name.charCodeAt(i) > 31 && name.charCodeAt(i) !== 127;
      if (!ok) return fail(res, 400, "name: 1 to 32 characters, no control characters");
      // the decoder turns a character beyond Latin-1 into '?': more '?' than the body sent means one
      var wide = false;
      for (i = 0; ok && i < name.length; i++) wide = wide || name.charCodeAt(i) > 255;
      if (wide || count63(name) > count63(E.toString(req.buf.subarray(req.bodyOff, req.bodyOff + req.bodyLen)).replace(/%3F/gi, "?"))) {
        return fail(res, 400, "name: a character the device cannot store (Latin-1 only)");
      }
      settings.name = name;
      try { if (cfg.storage) cfg.storage.write(SETTINGS_FILE, JSON.stringify({ name: settings.name })); } catch (e) {
        return fail(res, 500, "could not store the setting");
      }
      // a plain form post (no JavaScript) goes back to the page
      if (!isJson && req.query("js") !== "1") return res.header("Location", "/").send(303, "text/plain; charset=utf-8", "saved\n");
    }
    json(res, "ok").str('true,"name":').jstr(settings.name).byte(125);
    res.end();
  });
}
