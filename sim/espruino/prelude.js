// The real-interpreter engine's device prelude (ES5, checked by the Espruino gate like the
// bundles). sim/espruino/engine.ts stores it as the Storage file .boot0 followed by a call with
// the board's configuration, so Espruino's Linux build runs it before .bootcde, as a board would.
// It adapts the Linux build to the board the bundle was built for, and nothing else:
// - the board's pin names (B13, A7, ...) become the Linux build's D pins (file-backed GPIO);
// - the board's SPI peripheral becomes a synchronous bridge to the host's ENC28J60 emulator over
//   two named pipes opened with E.openFile: write a request (4-byte header + the bytes), block
//   reading the answer. Header: operation, length low, length high, 0. Operations: 'S' send
//   (answer: as many bytes), 'W' write (no answer), 'N' a null exchange that measures the bridge
//   alone (answer: as many bytes).
// INT and RESET stay real pins: the host writes INT's level into its GPIO file (Espruino's own
// setWatch sees the edges) and resets the emulated chip when RESET's file changes.
(function (cfg) {
  var g = global;
  var CHUNK = 256; // answers are read in pieces: the bridge's temporary strings stay small
  var req = E.openFile(cfg.req, "w");
  var res = E.openFile(cfg.res, "r");
  var hdr = new Uint8Array(4);
  function post(op, len, v) {
    hdr[0] = op;
    hdr[1] = len & 255;
    hdr[2] = (len >> 8) & 255;
    hdr[3] = v;
    req.write(hdr);
  }
  function answer(out, len) {
    for (var o = 0; o < len; o += CHUNK) {
      var n = len - o < CHUNK ? len - o : CHUNK;
      out.set(E.toUint8Array(res.read(n)), o);
    }
    return out;
  }
  // n: exchanges since the bench zeroed it; at: the exchange at which to print E.dumpVariables()
  // between @@dump< and @@dump> lines (bench/espruino-transient.ts); pn: the exchange of the peak.
  var B = { boot: 0, peak: 0, watches: 0, cal: null, n: 0, pn: 0, at: 0 };
  function exchange(op, data) {
    var len = data.length;
    if (cfg.peak) {
      var u = process.memory(false).usage;
      if (u > B.peak) { B.peak = u; B.pn = B.n + 1; }
      if (++B.n === B.at) { print("@@dump<"); E.dumpVariables(); print("@@dump>"); }
    }
    post(op, len, 0);
    if (len) req.write(data);
    return answer(new Uint8Array(len), len);
  }
  function bytes(data) {
    if (typeof data === "number") { var one = new Uint8Array(1); one[0] = data; return one; }
    return E.toUint8Array(data);
  }
  var names = cfg.pins;
  for (var name in names) {
    if (name !== names[name]) g[name] = eval(names[name]);
  }
  // Espruino's SPI1-3 are built-in objects: their methods can be replaced, the globals cannot.
  var spi = eval(cfg.spi);
  spi.setup = function () {};
  spi.send = function (data, cs) {
    if (typeof data === "string") return E.toString(exchange(0x53, bytes(data)));
    if (typeof data === "number") return exchange(0x53, bytes(data))[0];
    return exchange(0x53, data.length === undefined ? bytes(data) : data);
  };
  spi.write = function () {
    var a = arguments, n = a.length;
    if (n > 1 && typeof a[n - 1] === "object" && a[n - 1].length === undefined) n--; // the CS pin
    for (var i = 0; i < n; i++) {
      var b = typeof a[i] === "object" && a[i].length !== undefined ? a[i] : bytes(a[i]);
      post(0x57, b.length, 0);
      if (b.length) req.write(b);
    }
  };
  if (cfg.peak) {
    var watch = setWatch;
    g.setWatch = function (fn, pin, o) { return watch(function (e) { B.watches++; fn(e); }, pin, o); };
  }
  if (cfg.serial) g.getSerial = function () { return cfg.serial; };
  if (cfg.sim) g.SIM_CONFIG = cfg.sim;
  // For the bench: the bridge alone (n exchanges of len bytes, no chip work), the memory the
  // interpreter used when the prelude finished (before the program), and with cfg.peak the
  // highest usage seen at any SPI exchange.
  B.cal = function (n, len) { var b = new Uint8Array(len); for (var i = 0; i < n; i++) exchange(0x4e, b); return n; };
  B.boot = process.memory().usage;
  g.__bridge = B;
})
