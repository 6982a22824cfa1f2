// The demo application, independent of where it runs: composes driver + IP stack + TCP + echo
// + HTTP server + the page over a Hal (Espruino's, or the host's over the emulator), and builds
// the `device` console object. firmware/app/main.ts calls it with Espruino's HAL and globals.

import { Hal } from "../../hal/types";
import { createEnc28j60, Enc28j60 } from "../../hal/enc28j60";
import { createStack, Stack, StackConfig, formatIp } from "../net/stack";
import { createTcp, Tcp, TcpHandler } from "../tcp/tcp";
import { startEcho } from "../tcp/echo";
import { STATE_NAMES, STATE_COUNT } from "../tcp/states";
import { createHttpServer, HttpServer } from "../http/server";
import { installPage, PageContext, Settings } from "./routes";
import { serveStorageFiles, FlashStorage } from "./files";

/** Settings storage (Espruino's require("Storage") has this shape). */
export interface KeyStore {
  read(name: string): string | undefined;
  write(name: string, data: string): any;
}

export interface AppConfig {
  board: string;
  mac: Uint8Array;
  slots: number;
  /** Static address (all three) or DHCP. */
  ip?: number; mask?: number; gateway?: number;
  hostname?: string;
  /** The LED the page toggles. */
  led?: { set(on: boolean): void };
  storage?: KeyStore;
  /** Where the console object prints received data (default: nowhere). */
  log?: (s: string) => void;
  /** JS variables (free, total) for the status page. */
  memory?: () => number[];
  /** Start the INT watch, the poll timer and the 100 ms tick (default true; tests drive them by hand). */
  timers?: boolean;
  /** Poll interval when INT is wired (fallback) / when it is not. Default 250 / 20 ms. */
  pollMs?: number;
  /** TCP options beyond the slot count. */
  tcp?: { mss?: number; sendBuf?: number; recvWindow?: number; mslMs?: number };
  http?: { inBuffers?: number; outBuffers?: number; port?: number };
}

export interface Device {
  driver: Enc28j60;
  stack: Stack;
  tcp: Tcp;
  http: HttpServer;
  /** INT handler: driver service + drain received frames. */
  service(): void;
  status(): any;
  connect(ip: string, port: number): number;
  send(c: number, s: string): number;
  close(c: number): void;
  /** Data received on a connect()ed connection (and clears it). */
  received(c: number): string;
  led(on?: boolean): boolean;
  /** Serves `size` deterministic bytes at `path` (byte i = (i*31 + (i>>8)) & 255) for transfer tests. */
  addTestAsset(path: string, size: number): number;
  addAsset(path: string, data: string, type?: string): number;
  settings: Settings;
}

var SETTINGS_FILE = "enc-settings";

export function createApp(hal: Hal, cfg: AppConfig): Device {
  var driver = createEnc28j60(hal, cfg.mac);
  driver.init();
  var settings: Settings = { name: cfg.board };
  var store = cfg.storage;
  if (store) {
    try {
      var saved = store.read(SETTINGS_FILE);
      if (saved) {
        var js = JSON.parse(saved);
        if (js && typeof js.name === "string") settings.name = js.name;
      }
    } catch (e) { /* corrupt settings: keep defaults */ }
  }
  var sc: StackConfig = { hostname: cfg.hostname || hostnameOf(settings.name) };
  if (cfg.ip !== undefined && cfg.mask !== undefined && cfg.gateway !== undefined) {
    sc.ip = cfg.ip; sc.mask = cfg.mask; sc.gateway = cfg.gateway;
  }
  var stack = createStack(driver, hal.clock, sc);
  var to = cfg.tcp || {};
  var tcp = createTcp(stack, { slots: cfg.slots, mss: to.mss, sendBuf: to.sendBuf, recvWindow: to.recvWindow, mslMs: to.mslMs });
  startEcho(tcp, 7);
  var ho = cfg.http || {};
  // One connection fewer than the slots is served, so that a client over the limit still gets
  // a 503 from the last slot rather than a reset.
  var http = createHttpServer(tcp, {
    slots: cfg.slots, port: ho.port, inBuffers: ho.inBuffers, outBuffers: ho.outBuffers,
    maxConnections: cfg.slots > 2 ? cfg.slots - 1 : cfg.slots,
  });
  stack.onTick(function (now: number): void { http.tick(now); });
  var t0 = hal.clock.now();
  var ledOn = false;

  function service(): void {
    driver.service();
    stack.poll();
  }

  // Console connections: what they receive is kept (bounded) and logged.
  var rxText: string[] = [];
  var log = cfg.log;
  var client: TcpHandler = {
    open: function (c: number): void { rxText[c] = ""; if (log) log("conn " + c + " open"); },
    data: function (c: number, buf: Uint8Array, off: number, len: number): void {
      var s = E.toString(buf.subarray(off, off + len));
      var t = (rxText[c] || "") + s;
      rxText[c] = t.length > 4096 ? t.substring(t.length - 4096) : t;
      if (log) log("conn " + c + " rx " + JSON.stringify(s));
    },
    drained: function (c: number): void {},
    peerClosed: function (c: number): void { if (log) log("conn " + c + " peer closed"); tcp.close(c); },
    end: function (c: number, reason: number): void { if (log) log("conn " + c + " end " + reason); },
  };

  var ctx: PageContext = {
    board: cfg.board,
    mac: cfg.mac,
    stack: stack,
    tcp: tcp,
    driver: driver,
    http: http,
    uptimeMs: function (): number { return hal.clock.now() - t0; },
    memory: cfg.memory || function (): number[] { return [0, 0]; },
    getLed: function (): boolean { return ledOn; },
    setLed: function (on: boolean): void { setLed(on); },
    settings: settings,
    saveSettings: function (): boolean {
      if (!store) return true;
      try { store.write(SETTINGS_FILE, JSON.stringify({ name: settings.name })); return true; } catch (e) { return false; }
    },
  };
  installPage(http, ctx);
  // Files uploaded to flash as "www/<path>" are served too (and may replace the page).
  var flash: any = store;
  if (flash && typeof flash.list === "function") {
    try { serveStorageFiles(http, flash as FlashStorage); } catch (e) { /* a broken file system must not stop the device */ }
  }

  function setLed(on: boolean): void {
    ledOn = !!on;
    if (cfg.led) cfg.led.set(ledOn);
  }
  setLed(false);

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
      return {
        name: settings.name, board: cfg.board, ip: formatIp(stack.addr), link: driver.linkUp(),
        dhcp: stack.dhcpState(), uptime: Math.floor(ctx.uptimeMs() / 1000), led: ledOn, states: states,
        frames: [driver.counters.rxFrames, driver.counters.txFrames], http: http.counters.requests,
      };
    },
    connect: function (ip: string, port: number): number {
      var c = tcp.connect(parseDotted(ip), port, client);
      if (c >= 0) rxText[c] = "";
      return c;
    },
    send: function (c: number, s: string): number {
      var b = E.toUint8Array(s);
      return tcp.write(c, b, 0, b.length);
    },
    close: function (c: number): void { tcp.close(c); },
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
  };

  if (cfg.timers !== false) {
    if (hal.int) hal.int.onFalling(service);
    hal.timers.every(cfg.pollMs || (hal.int ? 250 : 20), service);
    hal.timers.every(100, function (): void { stack.tick(); });
  }
  return dev;
}

/** "a.b.c.d" to a 32-bit number (console use). */
function parseDotted(s: string): number {
  var p = s.split(".");
  return ((+p[0] << 24) | (+p[1] << 16) | (+p[2] << 8) | +p[3]) >>> 0;
}

/** A DHCP host name from the device name: letters, digits and '-', at most 32. */
export function hostnameOf(name: string): string {
  var h = "";
  for (var i = 0; i < name.length && h.length < 32; i++) {
    var ch = name.charAt(i).toLowerCase();
    h += (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") ? ch : "-";
  }
  return h || "enc28j60";
}
