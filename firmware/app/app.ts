// The demo application, independent of where it runs: composes driver + IP stack + TCP + echo
// + HTTP server + the page's API + the Storage files (the page is www/index.html) over a Hal
// (Espruino's, or the host's over the emulator), and builds the `device` console object.
// boards/start.ts calls it with Espruino's HAL and globals.

import { Hal } from "../../hal/types";
import { createEnc28j60With, driverCounterNames } from "../../drivers/enc28j60/driver";
import { createStack, formatIp, parseIp } from "../net/stack";
import { Eth } from "../net/ethernet";
import { counterNames as tcpCounterNames, createTcpWith, Tcp, TcpHandler } from "../tcp/tcp";
import { startEcho } from "../tcp/echo";
import { STATE_NAMES, STATE_COUNT } from "../tcp/states";
import { createRunner } from "../lib/eth-run";
import { createHttpServer, HttpRequest, HttpResponse, HttpServer, Status } from "../http/server";
import { installPage, SETTINGS_FILE } from "./routes";
import { AppConfig, Device, Settings } from "./device";
import { serveStorageFiles, FlashStorage } from "./files";
import { bytesToString, stringToBytes } from "../../hal/natives";
import { dropIndex } from "../net/counters";

export { KeyStore, AppConfig, Device } from "./device";

/** The app's numbers (const enum: tsc writes them in place). */
const enum App {
  /** The echo service (RFC 862). */
  ECHO_PORT = 7,
  /** The default DHCP host name: at most this many characters of the device name. */
  HOSTNAME_MAX = 32,
  /** From this many TCP slots on, the last one is kept to answer 503 (see createHttpServer below). */
  SPARE_SLOT_FROM = 3,
  /** A console connection keeps the last this many received characters. */
  RX_KEEP = 4096,
  MS_PER_S = 1000,
  /** MSS = MTU - this (20 bytes of IPv4 header, 20 of TCP). */
  IP_TCP_HEADERS = 40,
  // The boot's memory model (variables, measured on espruino-wifi32 and -nucleo32 with the
  // Pico and Nucleo bundles at MTU 576 and a 2 KB pool, after the TCP and HTTP redesign; with
  // the first model one slot was let through on 5,376 variables and ran out of memory: update
  // them when TCP or HTTP change): what TCP, echo, HTTP and the app's routes and files
  // take besides the slots and the send pool; what each slot adds (TCP and HTTP state); the
  // shared send pool at one variable per BLOCK_BYTES (12, below every board's block size, errs on
  // the safe side): the board's sendPool, else 2 MSS in CHUNK-byte chunks plus one chunk per slot
  // (TCP's default); what must stay free for the requests' transients and the peak.
  // Re-measured after the second #12 round (flattened bundle, driver and IP stack as records):
  // fixed about 1,505, a slot about 16, the peak under 20 parallel clients 391 above idle on
  // espruino-pico32 (4 slots, 736 free at the peak). The values below are kept: they err on the
  // safe side by about 250 variables, which the Pico can now afford with all 4 slots.
  // Third #12 round: TCP as one record (tcp part 769 -> 446 on espruino-wifi32, the functions
  // moved to the program's part, measured before the stack is built): fixed 1,750 -> 1,450, the
  // same margin. With 1,750 the merged pico bundle booted on espruino-pico32 with no TCP slot.
  FIXED_VARS = 1450,
  SLOT_VARS = 25,
  BLOCK_BYTES = 12,
  CHUNK = 512,
  RESERVE_VARS = 450,
  MSS_FULL = 1460,
}

/** The parts of the boot memory map, in the order createApp builds them. */
const enum Part { START, DRIVER, STACK, TCP, HTTP, APP, COUNT }
/** Their names as device.memoryMap() prints them (split only when asked). */
var PART_NAMES = "before driver stack tcp http app";
/** Console connections' end reasons (TcpHandler.end), as words. */
var END_WORDS = ["closed", "reset", "timed out", "aborted", "refused"];

/**
 * The TCP slots of MSS mss that fit in `free` variables with a shared send pool of `pool` bytes
 * (0: TCP's default, sized per slot): the board's configured count at most, 0 when not even one
 * fits, from the boot's memory model.
 */
function slotsThatFit(free: number, wanted: number, mss: number, pool: number): number {
  var slotPool = pool ? 0 : (Math.ceil(2 * mss / App.CHUNK) + 1) * App.CHUNK;
  var perSlot = App.SLOT_VARS + Math.ceil(slotPool / App.BLOCK_BYTES);
  var fit = Math.floor((free - App.FIXED_VARS - Math.ceil(pool / App.BLOCK_BYTES) - App.RESERVE_VARS) / perSlot);
  return fit < 0 ? 0 : fit < wanted ? fit : wanted;
}

export function createApp(hal: Hal, cfg: AppConfig): Device {
  // The boot memory map: variables in use after each part is built (cfg.memory gives free and
  // total), so device.memoryMap() can say what each part costs on this board's interpreter.
  var bootMem = new Int32Array(Part.COUNT);
  /** Records the variables in use after a part; returns the free ones (Infinity: not known). */
  function mark(part: number): number {
    if (!cfg.memory) return Infinity;
    var m = cfg.memory();
    bootMem[part] = m[1] - m[0];
    return m[0];
  }
  mark(Part.START);
  var driver = createEnc28j60With(hal, cfg.mac, cfg.mtu ? { maxFrame: cfg.mtu + Eth.HEADER } : undefined, driverCounterNames);
  driver.init();
  mark(Part.DRIVER);
  var settings: Settings = { name: cfg.board };
  var store = cfg.storage;
  try {
    var saved = JSON.parse(store!.read(SETTINGS_FILE)!).name;
    if (typeof saved === "string") settings.name = saved;
  } catch (e) { /* no storage, no setting saved, or a corrupt one: the default name */ }
  // cfg is the stack's configuration too (address, host name). The default DHCP host name comes
  // from the device name: letters, digits and '-', at most 32.
  if (!cfg.hostname) cfg.hostname = settings.name.toLowerCase().replace(/[^a-z0-9]/g, "-").substring(0, App.HOSTNAME_MAX) || "enc28j60";
  var stack = createStack(driver, hal.clock, cfg);
  // Out of memory is fatal on Espruino: the slots are sized to what is free now (fewer than
  // configured when the board is short), and without room for one, TCP and HTTP are left out
  // (the device still answers ping and ARP and keeps its DHCP lease). Said on the console and
  // in the status.
  var mss = cfg.mtu ? cfg.mtu - App.IP_TCP_HEADERS : App.MSS_FULL;
  var slots = slotsThatFit(mark(Part.STACK), cfg.slots, mss, cfg.sendPool || 0);
  if (slots < cfg.slots && cfg.log) {
    cfg.log("enc28j60: memory for " + slots + " of " + cfg.slots + " TCP slots" + (slots ? "" : ": no TCP, no HTTP"));
  }
  var tcp: Tcp = null as any, http: HttpServer = null as any;
  if (slots) {
    tcp = createTcpWith(stack, { slots: slots, mss: cfg.mtu ? mss : undefined, sendPool: cfg.sendPool }, tcpCounterNames);
    startEcho(tcp, App.ECHO_PORT);
  }
  mark(Part.TCP);
  var ho = cfg.http || {};
  if (slots) {
    // One connection fewer than the slots is served (with 3 slots or more), so that a client
    // over the limit still gets a 503 from the last slot rather than a reset.
    http = createHttpServer(tcp, {
      slots: slots, inBuffers: ho.inBuffers, outBuffers: ho.outBuffers,
      maxConnections: slots >= App.SPARE_SLOT_FROM ? slots - 1 : slots,
    });
    stack.onTick(http.tick);
  }
  mark(Part.HTTP);
  var t0 = hal.clock.now();
  var ledOn = false;

  // The INT handler and the ticks (firmware/lib/eth-run.ts, shared with the library module).
  var runner = createRunner(hal, driver, stack, function (): Tcp | null { return tcp; });
  var stateCounts = new Uint16Array(STATE_COUNT);
  function uptimeMs(): number { return hal.clock.now() - t0; }
  function setLed(on: boolean): void {
    ledOn = !!on;
    if (cfg.led) cfg.led.set(ledOn);
  }
  setLed(false);

  // Console connections: what they receive is kept (bounded) and logged.
  // Made by the first device.connect(): nothing of it at boot (about 40 variables).
  var rxText: string[] = null as any, client: TcpHandler = null as any;
  var log = cfg.log;
  function note(c: number, what: string): void { if (log) log("conn " + c + " " + what); }
  /** The console connections' handler, made on first use. */
  function consoleClient(): TcpHandler {
    if (client) return client;
    rxText = [];
    return client = {
      open: function (c: number): void { rxText[c] = ""; note(c, "open"); },
      data: function (c: number, buf: Uint8Array, off: number, len: number): void {
        var s = bytesToString(buf.subarray(off, off + len));
        rxText[c] = ((rxText[c] || "") + s).slice(-App.RX_KEEP);   // the last 4 KB
        note(c, "rx " + JSON.stringify(s));
      },
      drained: function (): void {},
      peerClosed: function (c: number): void { note(c, "peer closed"); tcp.close(c); },
      end: function (c: number, reason: number): void { note(c, END_WORDS[reason] || "end " + reason); },
    };
  }

  var dev: Device = {
    driver: driver,
    stack: stack,
    tcp: tcp,
    http: http,
    service: runner.service,
    runs: runner.runs,
    settings: settings,
    slots: slots,
    status: function (): any {
      var states: { [name: string]: number } = {};
      if (tcp) tcp.stateCounts(stateCounts);
      for (var i = 0; i < STATE_COUNT; i++) if (tcp && stateCounts[i]) states[STATE_NAMES[i]] = stateCounts[i];
      var dc = driver.counters;
      return {
        name: settings.name, board: cfg.board, ip: formatIp(stack.addr), link: driver.linkUp(),
        dhcp: stack.dhcpState(), uptime: Math.floor(uptimeMs() / App.MS_PER_S), led: ledOn, states: states,
        frames: [dc.rxFrames, dc.txFrames], http: http ? http.counters.requests : 0, slots: [slots, cfg.slots],
      };
    },
    connect: function (ip: string, port: number): number {
      var c = tcp.connect(parseIp(ip), port, consoleClient());
      if (c >= 0) rxText[c] = "";
      else if (log) log("connect: " + (!stack.addr ? "no address yet" : "bad address or port, or no free slot"));
      return c;
    },
    send: function (c: number, s: string): number {
      var b = stringToBytes(s);
      return tcp.write(c, b, 0, b.length);
    },
    close: function (c: number): void { tcp.close(c); },
    received: function (c: number): string {
      if (!rxText) return "";
      var t = rxText[c] || "";
      rxText[c] = "";
      return t;
    },
    led: function (on?: boolean): boolean {
      if (on !== undefined) setLed(on);
      return ledOn;
    },
    addTestAsset: function (path: string, size: number): number {
      var b = new Uint8Array(size);
      for (var i = 0; i < size; i++) b[i] = (i * 31 + (i >> 8)) & 255;
      http.asset(path, b, { type: "application/octet-stream" });
      return size;
    },
    addAsset: function (path: string, data: string, type?: string): number {
      return http.asset(path, data, { type: type }).length;
    },
    memoryMap: function (): any {
      var names = PART_NAMES.split(" "), map: any = {};
      if (!cfg.memory) return map;
      for (var p = 0; p < Part.COUNT; p++) map[names[p]] = p ? bootMem[p] - bootMem[p - 1] : bootMem[p];
      map.total = bootMem[Part.APP];
      return map;
    },
  };

  if (http) {
    installPage(dev, cfg, uptimeMs);
    dropIndex();   // the status page names non-zero drop counters: their index made now, not at its first request
    // The page is the Storage file www/index.html (`make flash` writes it next to .bootcde);
    // until it is there, / says so. Files uploaded as "www/<path>" are served at /<path>.
    var noPage = stringToBytes("page not in flash: run make flash\n");
    http.route("/", "GET", function (req: HttpRequest, res: HttpResponse): void {
      res.send(Status.UNAVAILABLE, "text/plain; charset=utf-8", noPage);
    });
    try { if (store && store.list) serveStorageFiles(http, store as FlashStorage); } catch (e) { /* a broken file system must not stop the device */ }
  }

  if (cfg.timers !== false) runner.start();
  mark(Part.APP);
  return dev;
}
