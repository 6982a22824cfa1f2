// The simulated board's device prelude (ES5, runs inside the vm context, checked by the Espruino
// gate like the bundles). sim/board.ts evaluates this file once per board: the expression below is
// a function that receives the host bridge, the pin names and the wiring, defines the Espruino
// globals in the context's own realm, and returns the helpers the host calls back.
(function (g, bridge, pinNames, wiring) {
  var U8 = Uint8Array;
  // Errors from the host side become errors of this realm (no path to the host's constructors).
  function host(a, b, c, d, e) {
    try { return bridge(a, b, c, d, e); } catch (err) { throw new Error(String(err && err.message || err)); }
  }
  var pins = {};
  var pinByObj = [];
  function Pin() {}
  function nameOf(p) {
    if (p === undefined || p === null) return undefined;
    for (var i = 0; i < pinByObj.length; i++) if (pinByObj[i][0] === p) return pinByObj[i][1];
    if (typeof p === "string" && pins[p]) return p;
    throw new Error("Invalid pin: " + p);
  }
  Pin.prototype.write = function (v) { host("pinWrite", nameOf(this), !!v); };
  Pin.prototype.set = function () { host("pinWrite", nameOf(this), true); };
  Pin.prototype.reset = function () { host("pinWrite", nameOf(this), false); };
  Pin.prototype.read = function () { return host("pinRead", nameOf(this)); };
  Pin.prototype.toggle = function () { var v = !host("pinRead", nameOf(this)); host("pinWrite", nameOf(this), v); return v; };
  Pin.prototype.mode = function (m) { host("pinMode", nameOf(this), String(m)); };
  Pin.prototype.getMode = function () { return host("pinGetMode", nameOf(this)); };
  Pin.prototype.toString = function () { return nameOf(this); };
  for (var i = 0; i < pinNames.length; i++) {
    var p = new Pin();
    pins[pinNames[i]] = p;
    pinByObj.push([p, pinNames[i]]);
    g[pinNames[i]] = p;
  }
  function toBytes(args) {
    var out = [];
    function add(a) {
      if (typeof a === "number") out.push(a & 255);
      else if (typeof a === "string") for (var i = 0; i < a.length; i++) out.push(a.charCodeAt(i) & 255);
      else if (a && typeof a.length === "number") for (var j = 0; j < a.length; j++) add(a[j]);
      else if (a && typeof a === "object" && a.data !== undefined) for (var k = 0; k < (a.count || 1); k++) add(a.data);
    }
    for (var i = 0; i < args.length; i++) add(args[i]);
    return new U8(out);
  }
  g.SPI1 = {
    setup: function (opts) { host("spiSetup", opts && opts.baud, opts && nameOf(opts.sck), opts && nameOf(opts.miso), opts && nameOf(opts.mosi)); },
    send: function (data, cs) {
      var csName = nameOf(cs), b;
      if (typeof data === "number") { b = new U8(1); b[0] = data; host("spi", b, csName); return b[0]; }
      if (typeof data === "string") {
        b = toBytes([data]); host("spi", b, csName);
        var s = ""; for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]); return s;
      }
      if (data && typeof data.length === "number" && data.length !== undefined) {
        b = new U8(data.length); b.set(data); host("spi", b, csName); return b;
      }
      b = toBytes([data]); host("spi", b, csName); return b;
    },
    write: function () {
      var args = [];
      for (var i = 0; i < arguments.length; i++) args.push(arguments[i]);
      var cs;
      if (args.length > 1 && args[args.length - 1] instanceof Pin) cs = args.pop();
      var b = toBytes(args);
      host("spi", b, nameOf(cs));
    }
  };
  g.digitalWrite = function (pin, v) { pins[nameOf(pin)].write(v); };
  g.digitalRead = function (pin) { return pins[nameOf(pin)].read() ? 1 : 0; };
  g.pinMode = function (pin, m) { pins[nameOf(pin)].mode(m); };
  g.setWatch = function (fn, pin, opts) {
    if (typeof fn !== "function") throw new Error("setWatch: function expected");
    var o = opts || {};
    return host("setWatch", fn, nameOf(pin), String(o.edge || "both"), !!o.repeat);
  };
  g.clearWatch = function (id) { host("clearWatch", id); };
  g.analogRead = function (pin) { return host("analogRead", nameOf(pin)); };
  g.analogWrite = function (pin, v) { host("pinWrite", nameOf(pin), +v >= 0.5); };
  g.getTime = function () { return host("getTime"); };
  g.getSerial = function () { return host("getSerial"); };
  function timer(kind) {
    return function (fn, ms) {
      if (typeof fn !== "function") throw new Error(kind + ": function expected");
      var extra = [];
      for (var i = 2; i < arguments.length; i++) extra.push(arguments[i]);
      return host(kind, fn, +ms || 0, extra);
    };
  }
  g.setTimeout = timer("setTimeout");
  g.setInterval = timer("setInterval");
  g.clearTimeout = function (id) { host("clearTimer", id); };
  g.clearInterval = function (id) { host("clearTimer", id); };
  var handlers = {};
  g.E = {
    sum: function (a) { var s = 0; for (var i = 0; i < a.length; i++) s += a[i]; return s; },
    convolve: function (a, b, o) { var s = 0, n = b.length; o = ((o | 0) % n + n) % n; for (var i = 0; i < a.length; i++) s += a[i] * b[(i + o) % n]; return s; },
    toString: function () { var a = []; for (var i = 0; i < arguments.length; i++) a.push(arguments[i]); return host("E.toString", toBytes(a)); },
    toUint8Array: function () { var a = []; for (var i = 0; i < arguments.length; i++) a.push(arguments[i]); return toBytes(a); },
    getSizeOf: function (v, d) { return host("E.getSizeOf", v, d); },
    CRC32: function (d) { return host("E.CRC32", toBytes([d])); },
    getTemperature: function () { return host("getTemperature"); },
    getAnalogVRef: function () { return 3.3; },
    on: function (ev, fn) { (handlers[ev] = handlers[ev] || []).push(fn); }
  };
  var memory = function () {
    var m = host("memory");
    return { free: m[0], usage: m[1], total: m[2], history: 0, gc: 0, gctime: 0, blocksize: m[3] };
  };
  // process: memory() as on a board; the Node-only members a program might reach for throw a clear
  // error (getters, not a Proxy: this file is ES5 and passes the gate like the bundles).
  g.process = { memory: memory };
  var NODE_ONLY = ["env", "argv", "nextTick", "hrtime", "exit", "cwd", "platform", "pid", "stdout", "stderr",
    "stdin", "memoryUsage", "uptime", "execPath", "versions", "on", "emit", "kill", "arch", "release"];
  function nodeOnly(k) {
    Object.defineProperty(g.process, k, {
      get: function () {
        throw new ReferenceError("process." + k + " is not available on an Espruino board (the simulated board offers process.memory() only)");
      }
    });
  }
  for (var n = 0; n < NODE_ONLY.length; n++) nodeOnly(NODE_ONLY[n]);
  var storage = {
    read: function (name, offset, length) { return host("storage.read", String(name), offset, length); },
    readJSON: function (name) { var s = host("storage.read", String(name)); return s === undefined ? undefined : JSON.parse(s); },
    readArrayBuffer: function (name) { var s = host("storage.read", String(name)); return s === undefined ? undefined : toBytes([s]).buffer; },
    write: function (name, data, offset, size) { return host("storage.write", String(name), host("E.toString", toBytes([data])), offset, size); },
    writeJSON: function (name, v) { return host("storage.write", String(name), JSON.stringify(v)); },
    list: function (re) { var l = host("storage.list"); var out = []; for (var i = 0; i < l.length; i++) if (!re || re.test(l[i])) out.push(l[i]); return out; },
    erase: function (name) { host("storage.erase", String(name)); },
    eraseAll: function () { var l = host("storage.list"); for (var i = 0; i < l.length; i++) host("storage.erase", l[i]); },
    getFree: function () { return host("storage.free"); }
  };
  // As Espruino's require: a built-in module, else a Storage file of that name evaluated as a
  // module once (its own scope, `exports` and `module`), then the same exports every time.
  var modules = {};
  g.require = function (name) {
    if (name === "Storage") return storage;
    name = String(name);
    if (!Object.prototype.hasOwnProperty.call(modules, name)) {
      var m = host("require", name);   // built-in: http, net, dgram, NetworkJS (sim/espruino-net)
      if (m === undefined) m = host("module", name);   // else a Storage file of that name
      if (m === undefined) throw new Error("Module " + name + " not found");
      modules[name] = m;
    }
    return modules[name];
  };
  function show() { var a = []; for (var i = 0; i < arguments.length; i++) a.push(arguments[i]); host("print", a); }
  g.console = { log: show };
  g.print = show;
  g.global = g;
  // Serial ports and I2C buses: stubs that accept setup and writes and read as an idle bus would
  // (no bytes waiting; I2C reads zeros), so code written for sensors runs in the sim.
  function serial(name) {
    var on = {};
    return {
      setup: function () {},
      write: function () {}, print: function () {}, println: function () {},
      available: function () { return 0; },
      read: function () { return ""; },
      on: function (ev, fn) { on[ev] = fn; },
      removeAllListeners: function () { on = {}; },
      toString: function () { return name; }
    };
  }
  g.Serial1 = serial("Serial1");
  g.Serial2 = serial("Serial2");
  function i2c(name) {
    return {
      setup: function () {},
      writeTo: function () {},
      readFrom: function (addr, n) { return new U8(n > 0 ? n : 0); },
      toString: function () { return name; }
    };
  }
  g.I2C1 = i2c("I2C1");
  g.I2C2 = i2c("I2C2");
  // A console callback is run by the host through this (a script it can bound in time).
  var armed = null;
  Object.defineProperty(g, "__sim_call", {
    value: function () { var a = armed; armed = null; a[0].apply(undefined, a[1]); }
  });
  // Every function made on the console runs its body through __sim_guard (sim/board.ts,
  // guardFunctions). Inside a bounded run (a console line, a console callback, a guarded call)
  // the body just runs; called by the firmware, the host runs it through __sim_guarded under
  // Ctrl-C and the time bound: an interruption becomes an Error thrown to the firmware's caller
  // (an HTTP route answers 500), and the device goes on.
  var bounded = 0, guarded = null, gResult, gError, gThrew = false, lastThrown = null;
  Object.defineProperty(g, "__sim_guard", {
    value: function (body) {
      if (bounded) return body();
      guarded = body;
      gThrew = false;
      if (host("guard") === 2) throw (lastThrown = new Error("Execution Interrupted"));
      var v = gResult, e = gError;
      gResult = gError = undefined;
      if (gThrew) { gThrew = false; lastThrown = e; throw e; }
      return v;
    }
  });
  Object.defineProperty(g, "__sim_guarded", {
    value: function () {
      var f = guarded;
      guarded = null;
      try { gResult = f(); } catch (e) { gError = e; gThrew = true; }
    }
  });
  return {
    arm: function (fn, args) { armed = [fn, args]; },
    bound: function (n) { var o = bounded; bounded = n; return o; },
    thrownByConsole: function (e) { return e === lastThrown; },
    watchEvent: function (fn, state, time, lastTime) { fn({ state: state, time: time, lastTime: lastTime }); },
    emit: function (ev) { var l = handlers[ev] || []; for (var i = 0; i < l.length; i++) l[i](); },
    absent: function (names, members) {
      for (var i = 0; i < names.length; i++) delete g[names[i]];
      for (var j = 0; j < members.length; j++) {
        var m = members[j], dot = m.lastIndexOf(".");
        delete (eval(m.substring(0, dot)))[m.substring(dot + 1)];
      }
    }
  };
})
