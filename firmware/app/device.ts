// The types the demo application's parts share: its configuration, the `device` console object
// and the stored settings. app.ts builds a Device; routes.ts serves its JSON API. Kept apart so
// neither imports the other.

import { Enc28j60 } from "../../drivers/enc28j60/driver";
import { Stack, StackConfig } from "../net/stack";
import { Tcp } from "../tcp/tcp";
import { HttpServer } from "../http/server";

/** The settings the page edits, stored as JSON in Storage. */
export interface Settings { name: string }

/** Espruino's require("Storage"), the part used: the setting, and the www/ files when it has list(). */
export interface KeyStore {
  read(name: string, offset?: number, length?: number): string | undefined;
  write(name: string, data: string): any;
  list?(re?: RegExp): string[];
  readArrayBuffer?(name: string): ArrayBuffer | undefined;
}

/** Also the IP stack's configuration: static address or DHCP, host name (filled in when absent). */
export interface AppConfig extends StackConfig {
  board: string;
  mac: Uint8Array;
  slots: number;
  /**
   * The IP MTU (default 1500): the driver's frame buffers, TCP's MSS (mtu - 40) and DHCP's
   * option 57 follow it. 576 saves a small board memory (and smaller TCP buffers) at the price
   * of more segments per page.
   */
  mtu?: number;
  /** The LED the page toggles. */
  led?: { set(on: boolean): void };
  storage?: KeyStore;
  /** Where the console object prints received data (default: nowhere). */
  log?: (s: string) => void;
  /** JS variables (free, total) for the status page. */
  memory?: () => number[];
  /** Start the INT watch, the poll timer (250 ms with INT, 20 ms without) and the 100 ms tick (default true; tests drive them by hand). */
  timers?: boolean;
  http?: { inBuffers?: number; outBuffers?: number };
  /** TCP send buffering shared by all connections (bytes; default: 2 x MSS per slot). */
  sendPool?: number;
}

export interface Device {
  driver: Enc28j60;
  stack: Stack;
  /** null when no TCP slot fitted in memory at boot (see slots). */
  tcp: Tcp;
  http: HttpServer;
  /** INT handler: driver service + drain received frames. */
  service(): void;
  /** The runner's callbacks so far (firmware/lib/eth-run.ts Runs): services, ticks, INT found low at a tick, wakes. */
  runs: Uint32Array;
  status(): any;
  /** Variables each part took at boot on this interpreter ({} without cfg.memory): before (the program and the HAL), driver, stack, tcp, http, app, total. */
  memoryMap(): any;
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
  /** TCP slots in use: cfg.slots, or fewer when the board had less memory free at boot (0: no TCP, no HTTP). */
  slots: number;
}
