// The demo application, independent of where it runs: composes driver + IP stack + TCP + echo
// + HTTP server + the page's API + the Storage files (the page is www/index.html) over a Hal
// (Espruino's, or the host's over the emulator), and builds the `device` console object.
// boards/start.ts calls it with Espruino's HAL and globals.

import { Hal } from "../../hal/types";
import { createEnc28j60 } from "../../drivers/enc28j60/driver";
import { createStack, formatIp, parseIp } from "../net/stack";
import { createTcp, TcpHandler } from "../tcp/tcp";
import { startEcho } from "../tcp/echo";
import { STATE_NAMES, STATE_COUNT } from "../tcp/states";
import { createHttpServer, HttpRequest, HttpResponse, Status } from "../http/server";
import { installPage, SETTINGS_FILE } from "./routes";
import { AppConfig, Device, Settings } from "./device";
import { serveStorageFiles, FlashStorage } from "./files";

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
  /** Poll the chip this often (ms) as a fallback with the INT pin watched, and without it. */
  POLL_WITH_INT_MS = 250,
  POLL_MS = 20,
  /** The stack's (and the HTTP server's) tick (ms). */
  TICK_MS = 100,
  MS_PER_S = 1000,
}

/** The parts of the boot memory map, in the order createApp builds them. */
const enum Part { START, DRIVER, STACK, TCP, HTTP, APP, COUNT }
/** Their names as device.memoryMap() prints them (split only when asked). */
var PART_NAMES = "before driver stack tcp http app";
/** Console connections' end reasons (TcpHandler.end), as words. */
var END_WORDS = ["closed", "reset", "timed out", "aborted", "refused"];

export function createApp(hal: Hal, cfg: AppConfig): Device {
  // The boot memory map: variables in use after each part is built (cfg.memory gives free and
  // total), so device.memoryMap() can say what each part costs on this board's interpreter.
  var bootMem = new Int32Array(Part.COUNT);
  function mark(part: number): void {
    if (cfg.memory) { var m = cfg.memory(); bootMem[part] = m[1] - m[0]; }
  }
  mark(Part.START);
  var driver = createEnc28j60(hal, cfg.mac);
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
  mark(Part.STACK);
  var slots = cfg.slots;
  var tcp = createTcp(stack, { slots: slots, sendPool: cfg.sendPool });
  startEcho(tcp, App.ECHO_PORT);
  mark(Part.TCP);
  var ho = cfg.http || {};
  // One connection fewer than the slots is served (with 3 slots or more), so that a client over
  // the limit still gets a 503 from the last slot rather than a reset.
  var http = createHttpServer(tcp, {
    slots: slots, inBuffers: ho.inBuffers, outBuffers: ho.outBuffers,
    maxConnections: slots >= App.SPARE_SLOT_FROM ? slots - 1 : slots,
  });
  stack.onTick(http.tick);
  mark(Part.HTTP);
  var t0 = hal.clock.now();
  var ledOn = false;

  function service(): void {
    driver.service();
    stack.poll();
  }
  function uptimeMs(): number { return hal.clock.now() - t0; }
  function setLed(on: boolean): void {
    ledOn = !!on;
    if (cfg.led) cfg.led.set(ledOn);
  }
  setLed(false);

  // Console connections: what they receive is kept (bounded) and logged.
  var rxText: string[] = [];
  var log = cfg.log;
  function note(c: number, what: string): void { if (log) log("conn " + c + " " + what); }
  var client: TcpHandler = {
    open: function (c: number): void { rxText[c] = ""; note(c, "open"); },
    data: function (c: number, buf: Uint8Array, off: number, len: number): void {
      var s = E.toString(buf.subarray(off, off + len));
      rxText[c] = ((rxText[c] || "") + s).slice(-App.RX_KEEP);   // the last 4 KB
      note(c, "rx " + JSON.stringify(s));
    },
    drained: function (): void {},
    peerClosed: function (c: number): void { note(c, "peer closed"); tcp.close(c); },
    end: function (c: number, reason: number): void { note(c, END_WORDS[reason] || "end " + reason); },
  };

  var dev: Device = {
    driver: driver,
    stack: stack,
    tcp: tcp,
    http: http,
    service: service,
    settings: settings,
    status: function (): any {
      var states: { [name: string]: number } = {};
      var sc16 = new Uint16Array(STATE_COUNT);
      tcp.stateCounts(sc16);
      for (var i = 0; i < STATE_COUNT; i++) if (sc16[i]) states[STATE_NAMES[i]] = sc16[i];
      var dc = driver.counters;
      return {
        name: settings.name, board: cfg.board, ip: formatIp(stack.addr), link: driver.linkUp(),
        dhcp: stack.dhcpState(), uptime: Math.floor(uptimeMs() / App.MS_PER_S), led: ledOn, states: states,
        frames: [dc.rxFrames, dc.txFrames], http: http.counters.requests,
      };
    },
    connect: function (ip: string, port: number): number {
      var c = tcp.connect(parseIp(ip), port, client);
      if (c >= 0) rxText[c] = "";
      else if (log) log("connect: " + (!stack.addr ? "no address yet" : "bad address or port, or no free slot"));
      return c;
    },
    send: function (c: number, s: string): number {
      var b = E.toUint8Array(s);
      return tcp.write(c, b, 0, b.length);
    },
    close: tcp.close,
    received: function (c: number): string { var t = rxText[c] || ""; rxText[c] = ""; return t; },
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

  installPage(dev, cfg, uptimeMs);
  // The page is the Storage file www/index.html (`make flash` writes it next to .bootcde); until
  // it is there, / says so. Files uploaded as "www/<path>" are served at /<path>.
  var noPage = E.toUint8Array("page not in flash: run make flash\n");
  http.route("/", "GET", function (req: HttpRequest, res: HttpResponse): void {
    res.send(Status.UNAVAILABLE, "text/plain; charset=utf-8", noPage);
  });
  try { if (store && store.list) serveStorageFiles(http, store as FlashStorage); } catch (e) { /* a broken file system must not stop the device */ }

  if (cfg.timers !== false) {
    driver.watch(service, hal.int ? App.POLL_WITH_INT_MS : App.POLL_MS);
    hal.timers.every(App.TICK_MS, stack.tick);
  }
  mark(Part.APP);
  return dev;
}
