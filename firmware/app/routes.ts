// The page's JSON API: GET /api/status, GET|POST /api/led, GET|POST /api/settings. (The page
// itself is the Storage file www/index.html, served by files.ts.) The status JSON is written
// straight into the server's output buffer (no strings built per request).

import { HttpRequest, HttpResponse, CT_JSON, Status } from "../http/server";
import { Ch, jsonText } from "../http/ascii";
import { STATE_NAMES, STATE_COUNT } from "../tcp/states";
import { C as TcpCnt, eachTcpDrop } from "../tcp/tcp";
import { Cnt } from "../net/counters";
import { stackCount, stackDrops } from "../net/stack";
import { AppConfig, Device } from "./device";
import { bytesToString, sum } from "../../hal/natives";
import { Rec as DriverRec, St as DrvSt } from "../../drivers/enc28j60/access";

/** The Storage file holding the settings (JSON). */
export var SETTINGS_FILE = "enc-settings";

var JSON_TYPE = "application/json";
/** Form/query values of "on": false for the first three, true for the rest (else "toggle"). */
var LED_WORDS = ["0", "false", "off", "1", "true", "on"];

/** Numbers of the API (const enum: tsc writes them in place). */
const enum Api {
  /** LED_WORDS from this index on mean "on". */
  LED_FIRST_ON = 3,
  /** A device name: 1 to this many characters. */
  NAME_MAX = 32,
  /** The highest character code Storage keeps (Latin-1); a wider one would be stored as "?". */
  LATIN1_MAX = 255,
  /** Room a drop counter needs, with the closing "}}": none is written with less left. */
  DROP_ROOM = 64,
  /** An IPv4 address: 4 bytes, the first in bits 24..31; a MAC: 6 bytes, 2 hex digits each. */
  IP_TOP_SHIFT = 24,
  BYTE_BITS = 8,
  BYTE_MASK = 0xff,
  MAC_LEN = 6,
  MS_PER_S = 1000,
}

/** Registers the API routes on dev.http; uptimeMs: milliseconds since start. */
export function installPage(dev: Device, cfg: AppConfig, uptimeMs: () => number): void {
  var states = new Uint16Array(STATE_COUNT);
  var stack = dev.stack, tcp = dev.tcp, drv = dev.driver, http = dev.http, settings = dev.settings;
  var memory = cfg.memory || function (): number[] { return [0, 0]; };
  // Per request, without snapshots: the driver's counters read from its state words (its
  // `counters` getter builds an object of 11 names), TCP's drop counters (dropShort..dropDuplicate,
  // contiguous) summed natively first, so that their names are walked only when one is non-zero.
  var dst = (drv as any as DriverRec).st, tcpDrops = tcp ? tcp.counts.subarray(TcpCnt.dropShort, TcpCnt.dropDuplicate + 1) : null;
  // the drop members written so far, and the room for them (see drop())
  var dropText: string, dropRoom: number;

  /** A non-zero drop counter "<layer>.<name>":n, while there is room (Api.DROP_ROOM before the end). */
  function drop(layer: string, name: string, n: number): void {
    if (n > 0 && dropText.length < dropRoom) dropText += (dropText ? ',"' : '"') + layer + "." + name + '":' + n;
  }
  function tcpDrop(name: string, n: number): void { drop("tcp", name, n); }
  function count63(s: string): number { return s.split("?").length - 1; }
  /** A JSON reply: its text, with one native copy. */
  function json(res: HttpResponse, text: string): void {
    res.begin(Status.OK, JSON_TYPE).str(text);
    res.end();
  }
  function fail(res: HttpResponse, status: number, error: string): void {
    res.send(status, JSON_TYPE, '{"error":"' + error + '"}');
  }

  // The MAC never changes: its text is made once.
  var macText = "";
  for (var i = 0; i < Api.MAC_LEN; i++) macText += (i ? ":" : "") + ((cfg.mac[i] >> 4).toString(16)) + ((cfg.mac[i] & 0xf).toString(16));

  // The reply is one string made by the engine's own concatenation and number conversion (plain
  // digits for every counter: integers below 2^53; Espruino 2v29 too, measured), written with one
  // native copy; then the non-zero drops (none, usually: one native sum each for the stack and
  // TCP tells), with a second.
  http.route("/api/status", "GET", function (req: HttpRequest, res: HttpResponse): void {
    var a = stack.addr, mem = memory(), tc = tcp.counts, w = res.begin(Status.OK, JSON_TYPE), text = "";
    tcp.stateCounts(states);
    for (var i = 1; i < STATE_COUNT; i++) {          // CLOSED (0): unused slots, not shown
      if (states[i]) text += (text ? ',"' : '"') + STATE_NAMES[i] + '":' + states[i];
    }
    w.str('{"name":' + jsonText(settings.name) + ',"board":' + jsonText(cfg.board) + ',"ip":"' +
      (a >>> Api.IP_TOP_SHIFT) + "." + ((a >> 16) & Api.BYTE_MASK) + "." + ((a >> Api.BYTE_BITS) & Api.BYTE_MASK) + "." + (a & Api.BYTE_MASK) +
      '","mac":"' + macText + '","up":' + Math.floor(uptimeMs() / Api.MS_PER_S) + ',"link":' + drv.linkUp() + ',"dhcp":"' + stack.dhcpState() + '"' +
      ',"led":' + dev.led() + ',"mem":[' + mem[0] + "," + mem[1] +
      // TCP slots in use and configured, when the boot had to take fewer (too little memory)
      (dev.slots < cfg.slots ? '],"slots":[' + dev.slots + "," + cfg.slots : "") +
      // (the live counts: no named snapshot is built per request)
      '],"traffic":[' + dst[DrvSt.RX_FRAMES] + "," + dst[DrvSt.TX_FRAMES] + "," + stackCount(stack, Cnt.IP_RX) + "," + stackCount(stack, Cnt.IP_TX) + "," +
      tc[TcpCnt.segIn] + "," + tc[TcpCnt.segOut] + "," + tc[TcpCnt.retransmits] + "," + http.counters.requests +
      '],"states":{' + text + '},"drops":{');
    dropText = "";
    dropRoom = w.end - Api.DROP_ROOM - w.pos;
    drop("enc", "rxErrors", dst[DrvSt.RX_ERRORS]);
    drop("enc", "rxOverflows", dst[DrvSt.RX_OVERFLOWS]);
    drop("enc", "txErrors", dst[DrvSt.TX_ERRORS]);
    stackDrops(stack, drop);
    if (sum(tcpDrops!)) eachTcpDrop(tc, tcpDrop);
    w.str(dropText + "}}");
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
        v = k >= 0 ? k >= Api.LED_FIRST_ON : f === "toggle" ? !dev.led() : null;
      }
      if (v === null) return fail(res, Status.BAD_REQUEST, "on must be 1, 0 or toggle");
      dev.led(v);
    }
    json(res, '{"led":' + dev.led() + "}");
  });

  http.route("/api/settings", "GET,POST", function (req: HttpRequest, res: HttpResponse): void {
    var isJson = req.contentType === CT_JSON;
    if (req.methodName === "POST") {
      var body: any = isJson ? req.json() : null;
      if (isJson && body === undefined) return fail(res, Status.BAD_REQUEST, "invalid JSON");
      var name: any = isJson ? (body || {}).name : req.form("name");
      // a valid name: 1..32 characters, no control characters
      var ok = typeof name === "string" && name.length > 0 && name.length <= Api.NAME_MAX;
      for (var i = 0; ok && i < name.length; i++) ok = name.charCodeAt(i) >= Ch.SP && name.charCodeAt(i) !== Ch.DEL;
      if (!ok) return fail(res, Status.BAD_REQUEST, "name: 1 to 32 characters, no control characters");
      // the decoder turns a character beyond Latin-1 into '?': more '?' than the body sent means one
      var wide = false;
      for (i = 0; ok && i < name.length; i++) wide = wide || name.charCodeAt(i) > Api.LATIN1_MAX;
      if (wide || count63(name) > count63(bytesToString(req.buf.subarray(req.bodyOff, req.bodyOff + req.bodyLen)).replace(/%3F/gi, "?"))) {
        return fail(res, Status.BAD_REQUEST, "name: a character the device cannot store (Latin-1 only)");
      }
      settings.name = name;
      try { if (cfg.storage) cfg.storage.write(SETTINGS_FILE, JSON.stringify({ name: settings.name })); } catch (e) {
        return fail(res, Status.INTERNAL_ERROR, "could not store the setting");
      }
      // a plain form post (no JavaScript) goes back to the page
      if (!isJson && req.query("js") !== "1") return res.header("Location", "/").send(Status.SEE_OTHER, "text/plain; charset=utf-8", "saved\n");
    }
    json(res, '{"ok":true,"name":' + jsonText(settings.name) + "}");
  });
}
