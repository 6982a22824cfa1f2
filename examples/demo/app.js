// The default app: the board's status page (www/index.html, next to this file) and its JSON API,
// on the public API of require("ENC28J60") only. A normal app: copy this folder, change it, and
// `make flash BOARD=<board> PORT=<dev> APP=<your copy>/app.js` stores it with its www/ files.
//
//   GET /api/status     name, board, address, link, uptime, free variables, traffic, TCP connections
//   GET /api/led        {"led": false}; POST on=1, 0 or toggle (a form, ?on=, or JSON {"on": true})
//   GET /api/settings   the settings; POST name=... (and hostname=..., ip=..., netmask=..., gateway=...;
//                       an empty ip: DHCP), saved in the Storage file "enc-settings". The name is used
//                       at once, the host name and the address from the next start.
//
// BOARD is the board's wiring (from boards/<board>.ts): `make image`, `make flash` and `make sim`
// store it as the Storage boot file .boot2, which Espruino runs before this file. On a Pico it is
//   var BOARD = { name: "pico", spi: SPI2, cs: B10, sck: B13, miso: B14, mosi: B15, int: B1, reset: A7, baud: 10500000, led: B12 };
// Using this app without make? Write that line, with your pins, at the top of this file.

var SETTINGS = "enc-settings";
var settings = {};
try {
  settings = JSON.parse(require("Storage").read(SETTINGS) || "{}");
} catch (e) {
  console.log("demo: the Storage file " + SETTINGS + " is not JSON (" + e.message + "): the defaults are used");
}
if (typeof settings !== "object" || !settings) settings = {};
if (typeof settings.name !== "string") settings.name = BOARD.name;

var t0 = getTime(), ledOn = false, apiRequests = 0;
function setLed(on) {
  ledOn = !!on;
  if (BOARD.led) digitalWrite(BOARD.led, ledOn);
}
setLed(false);

// the handlers of the JSON API (registered at the end, once the server exists)
function status(req, res) {
  var s = eth.getStatus(), m = process.memory(false), sl = s.memory.slots;
  var r = {
    name: settings.name, board: BOARD.name, ip: s.ip, mac: eth.getIP().mac, up: Math.floor(getTime() - t0),
    link: s.link, dhcp: s.dhcp, led: ledOn, mem: [m.free, m.total],
    traffic: [s.frames[0], s.frames[1], s.packets[0], s.packets[1], s.segments[0], s.segments[1], s.segments[2], ++apiRequests],
    states: s.connections
  };
  if (sl[0] < sl[1]) r.slots = sl;   // fewer TCP slots than asked for: the memory was short
  res.json(r);
}

var LED_WORDS = ["0", "false", "off", "1", "true", "on"];   // from index 3 on: on
function led(req, res) {
  apiRequests++;
  if (req.methodName === "POST") {
    var v = req.form("on");
    if (v === null) v = req.query("on");
    if (v === null) { var j = req.json(); if (j && j.on !== undefined) v = j.on ? "1" : "0"; }
    var k = LED_WORDS.indexOf(v);
    if (k < 0 && v !== "toggle") return res.json({ error: "on must be 1, 0 or toggle" }, 400);
    setLed(k < 0 ? !ledOn : k >= 3);
  }
  res.json({ led: ledOn });
}

/** True when v is a dotted quad "a.b.c.d". */
function isQuad(v) {
  var p = v.split(".");
  for (var i = 0; p.length === 4 && i < 4; i++) if (!/^[0-9][0-9]?[0-9]?$/.test(p[i]) || +p[i] > 255) return false;
  return p.length === 4;
}
function count63(s) { return s.split("?").length - 1; }
/** Checks and applies one POSTed setting (k: its name; v: null or undefined when not sent): "" or the error. */
function setting(k, v, body) {
  if (v === null || v === undefined) return "";
  if (typeof v !== "string") return k + ": a string";
  if (k === "name") {
    // 1 to 32 characters, no control characters; Storage keeps Latin-1 only (a character beyond
    // it arrives as '?' from a form: more '?' than the request sent means one)
    if (!v.length || v.length > 32) return "name: 1 to 32 characters, no control characters";
    for (var i = 0; i < v.length; i++) {
      var c = v.charCodeAt(i);
      if (c < 32 || c === 127) return "name: 1 to 32 characters, no control characters";
      if (c > 255) return "name: a character the device cannot store (Latin-1 only)";
    }
    if (count63(v) > count63(body.replace(/%3F/gi, "?"))) return "name: a character the device cannot store (Latin-1 only)";
  } else if (k === "hostname") {
    if (v.length > 32 || /[^A-Za-z0-9-]/.test(v)) return "hostname: 1 to 32 letters, digits or '-' (or empty)";
  } else if (v && !isQuad(v)) {
    return k + ": a.b.c.d (or empty)";
  }
  if (v || k === "name") settings[k] = v;
  else delete settings[k];
  return "";
}
var FIELDS = ["name", "hostname", "ip", "netmask", "gateway"];
function settingsRoute(req, res) {
  apiRequests++;
  if (req.methodName === "POST") {
    var body = req.text(), form = /^\s*[^{\s]/.test(body), j = form ? null : req.json(), err = "", old = JSON.stringify(settings);
    if (!form && (!j || typeof j !== "object")) return res.json({ error: "send a form (name=...) or a JSON object" }, 400);
    for (var i = 0; !err && i < FIELDS.length; i++) err = setting(FIELDS[i], form ? req.form(FIELDS[i]) : j[FIELDS[i]], body);
    if (err) { settings = JSON.parse(old); return res.json({ error: err }, 400); }
    try {
      require("Storage").write(SETTINGS, JSON.stringify(settings));
    } catch (e) {
      settings = JSON.parse(old);
      return res.json({ error: "could not store the settings (" + e.message + ")" }, 500);
    }
    // a plain form post (no JavaScript) goes back to the page
    if (form && req.query("js") !== "1") return res.header("Location", "/").send(303, "text/plain; charset=utf-8", "saved\n");
  }
  res.json({ ok: true, name: settings.name, hostname: settings.hostname || "", ip: settings.ip || "",
    netmask: settings.netmask || "", gateway: settings.gateway || "" });
}

// connect (after the functions above, so that it sizes its buffers to the memory left after them):
// the chip on the board's SPI; DHCP unless a static address was saved (or given to the sim)
var eth = require("ENC28J60").connect(BOARD.spi, BOARD.cs, {
  sck: BOARD.sck, miso: BOARD.miso, mosi: BOARD.mosi, int: BOARD.int, reset: BOARD.reset, baud: BOARD.baud,
  mac: BOARD.mac, slots: BOARD.slots,
  // the saved host name, else one made of the name: letters, digits and '-'
  hostname: settings.hostname || settings.name.toLowerCase().replace(/[^a-z0-9]/g, "-").substring(0, 32) || "enc28j60"
});
var fixed = settings.ip ? settings : BOARD.ip ? BOARD : null;
eth.setIP(fixed ? { ip: fixed.ip, netmask: fixed.netmask, gateway: fixed.gateway, dns: fixed.dns } : undefined, function (err, ip) {
  console.log(err ? "demo: " + err.message : "demo: http://" + ip.ip + "/ (" + eth.getHostname() + ", " + (fixed ? "static" : "DHCP") + ")");
});

var srv = eth.createServer();   // serves the Storage files www/... (the page at /, gzip and ETag)
srv.get("/api/status", status);
srv.get("/api/led", led).post("/api/led", led);
srv.get("/api/settings", settingsRoute).post("/api/settings", settingsRoute);
