// Espruino's globals for device code and for a user's TypeScript app: @types/espruino (1.95.0,
// pinned in package.json) where it is right, and this file where it is wrong or silent. Every
// entry says what the package gets wrong or lacks and where Espruino's source (2v29 era, src/
// jswrap_*.c, the JSON headers above each native) says otherwise. Interface and namespace
// entries merge into the package's declarations; function entries add overloads, listed ahead of
// the package's (this file references the package first, and TypeScript puts a later
// declaration's overloads first), so calls get these types. Device build only (tsconfig.device.json,
// tools/app-ts.ts): the host build has Node's timers, require and console, and gets the narrow
// subset in hal/espruino-globals.d.ts, which test/unit/gate/types.test.ts checks against this.
// See docs/typescript.md.

/// <reference types="espruino" />

// ---- Pins -------------------------------------------------------------------------------

interface Pin {
  /**
   * Wrong in the package (boolean only): jswrap_pin.c declares the parameter "bool", which
   * Espruino converts from any value (jsvGetBool), so write(1) / write(0) are the usual forms.
   */
  write(value: boolean | number): void;
}

/**
 * Missing: the package declares only D0-D39. Espruino names pins per board (boards/*.py
 * PINOUT): the STM32 boards of this project (Pico, WiFi, Nucleo, Discovery) use port names
 * A0-C15, the ESP32 D0-D40, and most boards have LED1.. and BTN/BTN1.
 */
declare var A0: Pin; declare var A1: Pin; declare var A2: Pin; declare var A3: Pin;
declare var A4: Pin; declare var A5: Pin; declare var A6: Pin; declare var A7: Pin;
declare var A8: Pin; declare var A9: Pin; declare var A10: Pin; declare var A11: Pin;
declare var A12: Pin; declare var A13: Pin; declare var A14: Pin; declare var A15: Pin;
declare var B0: Pin; declare var B1: Pin; declare var B2: Pin; declare var B3: Pin;
declare var B4: Pin; declare var B5: Pin; declare var B6: Pin; declare var B7: Pin;
declare var B8: Pin; declare var B9: Pin; declare var B10: Pin; declare var B11: Pin;
declare var B12: Pin; declare var B13: Pin; declare var B14: Pin; declare var B15: Pin;
declare var C0: Pin; declare var C1: Pin; declare var C2: Pin; declare var C3: Pin;
declare var C4: Pin; declare var C5: Pin; declare var C6: Pin; declare var C7: Pin;
declare var C8: Pin; declare var C9: Pin; declare var C10: Pin; declare var C11: Pin;
declare var C12: Pin; declare var C13: Pin; declare var C14: Pin; declare var C15: Pin;
declare var D40: Pin;
declare var LED1: Pin; declare var LED2: Pin; declare var LED3: Pin; declare var LED4: Pin;
declare var BTN: Pin; declare var BTN1: Pin;

/**
 * Wrong in the package: `automatic` is required there; jswrap_io.c: "Optional, default is false",
 * and mode may be left out ("auto").
 */
declare function pinMode(pin: Pin, mode?: PinModeName, automatic?: boolean): void;
/** The modes jswrap_io.c's pinMode lists. */
type PinModeName = "analog" | "input" | "input_pullup" | "input_pulldown" | "output" | "opendrain" | "opendrain_pullup" | "af_output" | "af_opendrain" | "auto";

/** setWatch's options (jswrap_io.c); the package inlines them, this names them. */
interface WatchOptions {
  repeat?: boolean;
  edge?: "rising" | "falling" | "both";
  /** ms */
  debounce?: number;
  irq?: boolean;
  data?: Pin;
  hispeed?: boolean;
}

/** What a watch callback gets (jswrap_io.c: state, time, lastTime; data with options.data). */
interface WatchEvent {
  state: boolean;
  /** seconds (getTime()) */
  time: number;
  lastTime: number;
  data?: boolean;
}

/**
 * Wrong in the package: it returns "string"; jswrap_io.c's jswrap_interface_setWatch returns
 * jsvNewFromInteger(itemIndex) (a number for clearWatch), and options may be a boolean (repeat)
 * or left out.
 */
declare function setWatch(fn: ((e: WatchEvent) => void) | string, pin: Pin, options?: boolean | WatchOptions): number;
/** Wrong in the package (id required): jswrap_io.c, "or pass nothing to clear all watches". */
declare function clearWatch(id?: number): void;

// ---- SPI --------------------------------------------------------------------------------

/** SPI.setup's options (jswrap_spi_i2c.c, jswrap_spi_setup); the package takes `any`. */
interface SpiSetup {
  sck?: Pin;
  miso?: Pin;
  mosi?: Pin;
  /** Hz (default 100000; ignored by software SPI) */
  baud?: number;
  /** 0..3 (CPOL, CPHA) */
  mode?: number;
  order?: "msb" | "lsb";
  /** software SPI only */
  bits?: number;
}

interface SPI {
  setup(options: SpiSetup): void;
  /**
   * Wrong in the package: nss_pin is required there and the result is `any`. jswrap_spi_i2c.c:
   * the nSS pin is "optional" (lowered before and raised after the transfer); "Sending an integer
   * will return an integer, a String will return a String, and anything else will return a
   * Uint8Array".
   */
  send(data: number, nss_pin?: Pin): number;
  send(data: string, nss_pin?: Pin): string;
  send(data: ArrayBufferView | ArrayBuffer | ArrayLike<number> | { data: any; count: number }, nss_pin?: Pin): Uint8Array;
  /**
   * Missing in the package (it takes one argument): jswrap_spi_i2c.c declares "JsVarArray":
   * "One or more items to write ... If the last argument is a pin, it is taken to be the NSS pin".
   */
  write(...data: Array<number | string | ArrayBufferView | ArrayBuffer | ArrayLike<number> | Pin | { data: any; count: number }>): void;
}

// ---- E ----------------------------------------------------------------------------------

declare namespace E {
  /** Missing in the package. jswrap_espruino.c, E.CRC32(data): the CRC-32 of the bytes (a number). */
  function CRC32(data: string | ArrayBufferView | ArrayBuffer | ArrayLike<number>): number;
  /**
   * Missing in the package (E's value then shows Object's toString() of no arguments).
   * jswrap_espruino.c, E.toString(...args): one character per byte of the arguments.
   */
  function toString(...args: any[]): string;
  /** Wrong in the package (one argument): jswrap_espruino.c takes "JsVarArray" (any number). */
  function toUint8Array(...args: any[]): Uint8Array;
  /**
   * Missing in the package. jswrap_espruino.c, E.getSizeOf(v, depth): the variables v uses (a
   * number), or details per child when depth > 0.
   */
  function getSizeOf(v: any, depth?: 0): number;
  function getSizeOf(v: any, depth: number): any;
  /** Missing in the package: E's "init" (after boot or load) and "kill" (before reset) events (jswrap_espruino.c). */
  function on(event: "init" | "kill", callback: () => void): void;
}

// ---- Timers, console, process ------------------------------------------------------------

/** Missing in the package. jswrap_interactive.c, setTimeout(fn, ms, args...): an id (a number) for clearTimeout; args go to fn. */
declare function setTimeout(fn: ((...args: any[]) => void) | string, ms?: number, ...args: any[]): number;
/** Missing in the package. jswrap_interactive.c, setInterval(fn, ms, args...): an id (a number) for clearInterval. */
declare function setInterval(fn: ((...args: any[]) => void) | string, ms?: number, ...args: any[]): number;
/** Wrong in the package (id required, any): jswrap_interactive.c, clearInterval(id); with no id, all intervals go. */
declare function clearInterval(id?: number): void;
/** Wrong in the package (id required, any): jswrap_interactive.c, clearTimeout(id); with no id, all timeouts go. Clears intervals too (one table). */
declare function clearTimeout(id?: number): void;

/** Missing in the package. jswrap_functions.c: console.log, debug, info, warn, error (all print to the console), trace. */
declare var console: {
  log(...args: any[]): void;
  debug(...args: any[]): void;
  info(...args: any[]): void;
  warn(...args: any[]): void;
  error(...args: any[]): void;
  trace(...args: any[]): void;
};

/** process.memory()'s fields (jswrap_process.c, jswrap_process_memory), in variables (blocks). */
interface EspruinoMemory {
  free: number;
  usage: number;
  total: number;
  history: number;
  gc?: number;
  gctime?: number;
  blocksize: number;
  stackEndAddress?: number;
  stackFree?: number;
  flash_start?: number;
  flash_binary_end?: number;
  flash_code_start?: number;
  flash_length?: number;
}

/** Missing in the package. jswrap_process.c: process.memory(gc) (gc false: no garbage collection first), env, version. */
declare var process: {
  memory(gc?: boolean): EspruinoMemory;
  env: any;
  version: string;
};

/** Loose in the package (`any`): jswrap_interactive.c, getSerial(): "The board's serial number", a string. */
declare function getSerial(): string;

// ---- Language globals the package re-declares loosely --------------------------------------
// The package declares these with `any` results; its overloads come before lib es5's (a later
// declaration's first), so without these entries parseInt(s, 16) or btoa(s) would be `any`.

/** Wrong in the package (returns `any`, radix required): jswrap_functions.c, parseInt(string, radix?): "The integer value of the string (or NaN)". */
declare function parseInt(string: string, radix?: number): number;
/** Loose in the package (`any`): jswrap_functions.c, btoa(binaryData): "A base64 encoded string". */
declare function btoa(binaryData: string | ArrayBufferView | ArrayBuffer | ArrayLike<number>): string;
/** Loose in the package (`any`): jswrap_functions.c, atob(base64Data): "A string containing the decoded data" (one character per byte). */
declare function atob(base64Data: string): string;
/** Loose in the package (`any`): jswrap_functions.c, encodeURIComponent(str): "A string containing the encoded data". */
declare function encodeURIComponent(str: string | number | boolean): string;
/** Loose in the package (`any`): jswrap_functions.c, decodeURIComponent(str): "A string containing the decoded data". */
declare function decodeURIComponent(str: string): string;

// ---- require and the modules ------------------------------------------------------------

/** A Storage file opened with Storage.open (jswrap_storage.c, StorageFile). */
interface StorageFile {
  read(len: number): string | undefined;
  readLine(): string | undefined;
  getLength(): number;
  write(data: string): void;
  erase(): void;
}

/**
 * require("Storage"): missing in the package. jswrap_storage.c (the "Storage" library); the
 * signatures follow the JSON headers' "typescript" entries.
 */
interface StorageModule {
  eraseAll(): void;
  erase(name: string): void;
  read(name: string, offset?: number, length?: number): string | undefined;
  readJSON(name: string, noExceptions?: boolean): any;
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  write(name: string, data: any, offset?: number, size?: number): boolean;
  writeJSON(name: string, data: any): boolean;
  list(regex?: RegExp, filter?: { sf: boolean }): string[];
  hash(regex: RegExp): number;
  compact(showMessage?: boolean): void;
  getFree(checkInternalFlash?: boolean): number;
  getStats(checkInternalFlash?: boolean): any;
  open(name: string, mode: "r" | "w" | "a"): StorageFile;
}

/** require("NetworkJS"): missing in the package. libs/network/js/jswrap_jsnetwork.c: create(obj) makes obj the network and returns it. */
interface NetworkJsModule {
  create<D extends object>(driver: D): D;
}

/** What a UDP datagram came with (libs/network/socketserver.c: rinfo's address, port, size). */
interface DgramRemoteInfo {
  address: string;
  port: number;
  size: number;
}

/** A UDP socket (libs/network/jswrap_net.c, class dgramSocket). */
interface DgramSocket {
  /** msg [offset, length], port, address (jswrap_dgram_socket_send). */
  send(msg: string, port: number, address: string): void;
  send(msg: string, offset: number, length: number, port: number, address: string): void;
  bind(port: number, callback?: (socket: DgramSocket) => void): DgramSocket;
  close(): void;
  addMembership(group: string, ip: string): void;
  on(event: "message", listener: (msg: string, rinfo: DgramRemoteInfo) => void): void;
  on(event: "close", listener: (hadError: boolean) => void): void;
}

/** require("dgram"): missing in the package. libs/network/jswrap_net.c, dgram.createSocket(type or options, callback(socket)). */
interface DgramModule {
  createSocket(type: "udp4" | { type: "udp4"; reuseAddr?: boolean; recvBufferSize?: number }, callback?: (socket: DgramSocket) => void): DgramSocket;
}

/**
 * The modules require() knows by name, with their types. Other declaration files add entries
 * (types/enc28j60.d.ts adds "ENC28J60"); any other name gives `any`.
 */
interface EspruinoModules {
  Storage: StorageModule;
  /** The package's own declarations of Espruino's http and net libraries. */
  http: typeof import("http");
  net: typeof net;
  NetworkJS: NetworkJsModule;
  dgram: DgramModule;
}

/**
 * Missing in the package. jswrap_modules.c, require(moduleName): a built-in module or a Storage
 * file of that name; the modules in EspruinoModules get their types, any other name `any`.
 */
declare function require<K extends keyof EspruinoModules>(moduleName: K): EspruinoModules[K];
declare function require(moduleName: string): any;
