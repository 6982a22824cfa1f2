// Device entry point for Kaluma boards (JerryScript): boards/kaluma-<board>.ts call startKaluma()
// with their wiring. Builds the Kaluma HAL (hal/kaluma.ts), a settings-and-page store over
// Kaluma's require("storage") and require("fs"), then the same application as on Espruino, and
// exposes `device` in the global scope for the REPL (device.status(), ...).
//
// Flash layout (what `make flash BOARD=kaluma-...` writes): the program with `kaluma write`, the
// page files with `kaluma put` to the root of Kaluma's file system as /www-<name> (the CLI cannot
// make a folder): served at /<name>. The setting lives in Kaluma's key-value storage.
// Memory figures (device.status(), /api/status "mem", device.memoryMap()) are bytes of JS heap
// here (process.memoryUsage()), not Espruino variables.

import { createKalumaHal, KalumaWiring } from "../hal/kaluma";
import { bytesToString } from "../hal/natives";
import { parseMac, macFromSerial } from "./mac";
import { parseIp } from "../firmware/net/stack";
import { createApp, AppConfig, Device } from "../firmware/app/app";
import { KeyStore } from "../firmware/app/device";
import { BoardConfig } from "./board";
import { EspruinoWiring } from "../hal/espruino";

/** A Kaluma board: the wiring (GPIO numbers) and the same board facts as on Espruino. */
export interface KalumaBoardConfig extends KalumaWiring, Pick<BoardConfig, Exclude<keyof BoardConfig, keyof EspruinoWiring | "led">> {
  /** The LED the page toggles (a GPIO number). */
  led?: number;
}

/** Page files in Kaluma's file system: /www-<name> is www/<name> in the store. */
var PAGE_PREFIX = "/www-";

interface KalumaFs {
  readdir(path: string): string[];
  readFile(path: string): Uint8Array;
}
interface KalumaStorage {
  getItem(key: string): string | null | undefined;
  setItem(key: string, value: string): void;
}

/** The application's store over Kaluma's storage (settings) and fs (page files); undefined without either. */
export function kalumaStore(st: KalumaStorage | null, fs: KalumaFs | null): KeyStore | undefined {
  if (!st && !fs) return undefined;
  var lastName = "", lastBytes: Uint8Array | null = null;
  /** A page file's bytes (the last one read is kept: the boot reads each file twice). */
  function file(name: string): Uint8Array | null {
    if (!fs || name.indexOf("www/") !== 0) return null;
    if (name !== lastName) {
      lastName = name;
      try { lastBytes = fs.readFile(PAGE_PREFIX + name.substring(4)); } catch (e) { lastBytes = null; }
    }
    return lastBytes;
  }
  return {
    read: function (name: string, offset?: number, length?: number): string | undefined {
      var b = file(name), s: string | null | undefined;
      if (b) {
        var o = offset || 0, e = length === undefined ? b.length : o + length;
        return bytesToString(o === 0 && e >= b.length ? b : b.subarray(o, e));
      }
      s = st && name.indexOf("www/") !== 0 ? st.getItem(name) : undefined;
      if (s === null || s === undefined) return undefined;
      return offset || length !== undefined ? s.substring(offset || 0, length === undefined ? s.length : (offset || 0) + length) : s;
    },
    write: function (name: string, data: string): boolean {
      if (!st) return false;
      st.setItem(name, data);
      return true;
    },
    list: function (re?: RegExp): string[] {
      var out: string[] = [], names: string[] = [];
      try { names = fs ? fs.readdir("/") : []; } catch (e) { /* no file system mounted */ }
      for (var i = 0; i < names.length; i++) {
        var n = names[i].charAt(0) === "/" ? names[i].substring(1) : names[i];
        if (n.indexOf("www-") !== 0) continue;
        n = "www/" + n.substring(4);
        if (!re || re.test(n)) out.push(n);
      }
      return out.sort();
    },
    readArrayBuffer: function (name: string): ArrayBuffer | undefined {
      var b = file(name);
      return b ? b.buffer as ArrayBuffer : undefined;
    },
  };
}

export function startKaluma(board: KalumaBoardConfig): Device {
  var hal = createKalumaHal(board);
  var cfg: AppConfig = {
    board: board.name,
    mac: parseMac(board.mac || macFromSerial((global as any).board && (global as any).board.uid)),
    slots: board.slots || 4,
    sendPool: board.sendPool,
    mtu: board.mtu,
    hostname: board.hostname,
    log: function (s: string): void { console.log(s); },
    // bytes of JS heap (free, total): Kaluma's process.memoryUsage()
    memory: function (): number[] { var m = (process as any).memoryUsage(); return [m.heapTotal - m.heapUsed, m.heapTotal]; },
  };
  if (board.ip && board.netmask && board.gateway) {
    cfg.ip = parseIp(board.ip); cfg.mask = parseIp(board.netmask); cfg.gateway = parseIp(board.gateway);
  }
  var led = board.led;
  if (led !== undefined) {
    pinMode(led, OUTPUT);
    cfg.led = { set: function (on: boolean): void { digitalWrite(led as number, on ? HIGH : LOW); } };
  }
  var st: KalumaStorage | null = null, fs: KalumaFs | null = null;
  try { st = require("storage"); } catch (e) { /* no key-value storage: the setting lives in RAM */ }
  try { fs = require("fs"); } catch (e) { /* no file system: no page */ }
  cfg.storage = kalumaStore(st, fs);
  var device = createApp(hal, cfg);
  (global as any).device = device;
  console.log("enc28j60: " + board.name + " up, " + (cfg.ip ? "static address" : "DHCP") + "; try device.status()");
  return device;
}
