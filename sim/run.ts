// Assembles the simulated board: emulator + vm board + wire + one network back-end.
// Used by sim/cli.ts (the command line) and by tests that run the sim in-process.

import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { Enc28j60Emulator } from "../emu/enc28j60/emulator";
import { createSimBoard, SimBoard, SimConfig, SIM_WIRING, SIM_PIN_NAMES } from "./board";
import { createWire, Wire } from "./wire";
import { openTap, TapLink } from "./tap";
import { ipToNum, numToIp, macToBytes, snoopDhcpAck } from "./dhcp";
import { writePageFiles, WWW_OUT } from "../tools/gen-assets";

export interface SimOptions {
  bundle: string;                // path of the device bundle (dist/sim.js)
  tap?: string;                  // attach the wire to this TAP device (kernel peer)
  ip?: string; netmask?: string; gateway?: string;  // static device address (else DHCP)
  mac?: string;                  // device MAC
  port?: number;                 // gateway listen port (default 8080; 0 = any free port)
  listenHost?: string;           // gateway listen address (default 127.0.0.1)
  pcap?: string;
  slots?: number;
  queueWaitMs?: number;          // longest wait in the gateway's queue before its own 503 (default sim/gateway.ts QUEUE_WAIT_MS)
  /** Simulate this board's configuration (its name and TCP slots, from boards/<board>.ts) on the sim's wiring. */
  board?: string;
  loss?: number; seed?: number;
  storage?: string;              // folder behind require("Storage") (default build/sim-storage)
  out?: (line: string) => void;  // device console and sim messages (default: stdout)
  onFatal?: (message: string) => void;  // device used a Node-only thing at run time
  onBackendError?: (message: string) => void;  // the TAP bridge died after start-up
  onConsoleCode?: (running: boolean) => void;  // a console callback starts/ends (sim/board.ts)
  /** Run this app file as the boot code (`make sim APP=...`): the Storage holds what `make image BOARD=sim APP=...` writes (the app as .bootcde, the ENC28J60 module with the pieces it uses, its www/ files). */
  app?: string;
  /** The module's pieces (tools/pieces.ts: a list, or +name/-name against those detected). */
  pieces?: string;
  espruino?: string;             // run the bundle on this Espruino Linux build (sim/espruino/engine.ts) instead of the vm
  espruinoOptions?: { wrap?: string[]; peak?: boolean; bootTimeoutMs?: number };  // the bench's valgrind, peak sampling
}

export interface Sim {
  board: SimBoard;
  emu: Enc28j60Emulator;
  wire: Wire;
  /** The device's address once known ("" before). */
  deviceIp(): string;
  /** Resolves with the device's address. */
  ready: Promise<string>;
  /** The gateway's bound port (gateway mode), else 0. */
  port: number;
  /** The user-space gateway (gateway mode; null with a TAP device): its TCP's counters for the bench. */
  gateway: import("./gateway").Gateway | null;
  close(): Promise<void>;
}

export const DEFAULT_DEVICE_MAC = "02:45:4e:43:00:02";
export const GATEWAY_MAC = "02:45:4e:43:00:01";
export const GATEWAY_IP = "192.0.2.1";
/** The sim board's TCP slots when --slots is not given (boards/sim.ts). */
export const SIM_DEFAULT_SLOTS = 8;

/** The boards a bundle is built for (boards/<name>.ts, excluding the shared modules). */
export function knownBoards(): string[] {
  const dir = path.resolve(__dirname, "..", "..", "boards");
  return fs.readdirSync(dir).filter((f) => /\.ts$/.test(f) && !/^(board|start|mac)\.ts$/.test(f) && !/\.d\.ts$/.test(f))
    .map((f) => f.slice(0, -3)).sort();
}

/** A board's configuration as the sim can take it over: its TCP slots (boards/<name>.ts). */
export function boardProfile(name: string): { slots: number } {
  const file = path.resolve(__dirname, "..", "..", "boards", name + ".ts");
  if (!/^[a-z0-9-]+$/.test(name) || !fs.existsSync(file)) throw new Error("sim: unknown board '" + name + "'; boards: " + knownBoards().join(", "));
  const m = /\bslots:\s*(\d+)/.exec(fs.readFileSync(file, "utf8"));
  return { slots: m ? Number(m[1]) : 4 };
}

/**
 * The TCP slots of the program the sim runs when neither --board nor --slots says: a board's own
 * bundle (dist/pico.js..., e.g. on the real interpreter) has that board's slots (boards/<name>.ts),
 * and the gateway must relay no more connections at once than its HTTP server serves (more, and
 * the surplus clients' SYNs wait out their retransmissions); else the sim board's.
 */
export function deviceSlotsOf(o: { bundle: string; app?: string; espruino?: string }): number {
  const name = path.basename(o.bundle, ".js");
  if (!o.app && name !== "sim" && knownBoards().indexOf(name) >= 0) return boardProfile(name).slots;
  return SIM_DEFAULT_SLOTS;
}

/** Starts the simulated board; rejects with a clear message when the bundle is refused. */
export async function startSim(o: SimOptions): Promise<Sim> {
  const out = o.out || ((l: string) => process.stdout.write(l + "\n"));
  if (o.app && !fs.existsSync(o.app)) throw new Error("sim: no app file " + o.app);
  if (!fs.existsSync(o.bundle) && !(o.app && !o.espruino)) throw new Error("sim: no bundle at " + o.bundle + " (build it with `make bundle BOARD=sim`)");
  const code = o.app ? fs.readFileSync(o.app, "latin1") : fs.readFileSync(o.bundle, "utf8");
  const mac = o.mac || DEFAULT_DEVICE_MAC;
  macToBytes(mac);
  const config: SimConfig = { mac };
  if (o.ip) {
    ipToNum(o.ip);
    config.ip = o.ip;
    config.netmask = o.netmask || "255.255.255.0";
    config.gateway = o.gateway || (o.tap ? "0.0.0.0" : GATEWAY_IP);
    ipToNum(config.netmask); ipToNum(config.gateway);
  }
  if (o.board && o.board !== "sim") {
    const b = boardProfile(o.board);
    config.board = o.board;
    config.slots = b.slots;
  }
  if (o.slots) config.slots = o.slots;

  // The chip's clock: wall time plus the time the bus transactions would take on a board
  // (10 us of interpreter time per SPI call + 0.4 us per byte at 20 MHz). The host runs the
  // firmware ~100x faster than a board, so without this a polling loop could spin through its
  // whole bound inside the chip's 1 ms post-reset window. The chip only runs ahead of the
  // firmware's clock, which makes timed events (reset window, transmission) end sooner: never a
  // stall the firmware would not see on a board.
  let busMs = 0;
  const emu = new Enc28j60Emulator({ now: () => performance.now() + busMs });
  emu.setLink(true);
  const chip = {
    transaction(buf: Uint8Array, len: number): void { busMs += 0.01 + len * 0.0004; emu.transaction(buf, len); },
    csLow(): void { busMs += 0.01; emu.csLow(); },
    exchange(b: number): number { busMs += 0.0004; return emu.exchange(b); },
    csHigh(): void { emu.csHigh(); },
    intLevel: (): boolean => emu.intLevel(),
    onIntChange: (fn: (level: boolean) => void): void => emu.onIntChange(fn),
    hardwareReset: (): void => emu.hardwareReset(),
  };
  const wire = createWire(emu, { pcap: o.pcap, loss: o.loss, seed: o.seed });
  let deviceIp = o.ip || "";
  let announce: (ip: string) => void = () => {};
  const ready = new Promise<string>((r) => { announce = r; });
  // On the real interpreter a board bundle's MAC comes from the serial number the engine gives it.
  const leaseMac = o.espruino ? (require("./espruino/engine") as typeof import("./espruino/engine")).firmwareMac(o.bundle, mac) : mac;
  // The address leased (an ACK to the device's MAC) is the device's once the device announces it:
  // it probes a lease with ARP first (RFC 5227) and then sends a gratuitous ARP for it.
  let leased = -1;
  wire.observe((f, fromDevice) => {
    if (!fromDevice) {
      const lease = snoopDhcpAck(f);
      // (an app picks its own MAC, by default from the board's serial number: any lease is the device's)
      if (lease && (o.app || lease.mac === leaseMac.toLowerCase())) leased = lease.ip;
      return;
    }
    // (an app may also take a static address of its own, e.g. the default app's saved setting:
    // with no lease seen, its ARP announcement says where it is)
    if ((leased < 0 && !o.app) || f.length < 42 || f[12] !== 0x08 || f[13] !== 0x06) return;
    const dv = new DataView(f.buffer, f.byteOffset, f.length);
    const spa = dv.getUint32(28);
    if (spa && spa === dv.getUint32(38) && (leased < 0 || spa === leased) && numToIp(spa) !== deviceIp) {
      deviceIp = numToIp(spa);
      out("sim: device address " + deviceIp + (leased < 0 ? " (static, the app's own)" : " (dhcp)"));
      announce(deviceIp);
    }
  });

  const deviceSlots = config.slots || deviceSlotsOf(o);
  let tap: TapLink | null = null;
  let gateway: import("./gateway").Gateway | null = null;
  let port = 0;
  const fatal = o.onFatal || ((m: string) => { out("sim: fatal: " + m); process.exit(3); });
  if (o.tap) {
    tap = openTap(o.tap, (f) => wire.toDevice(f), (m) => (o.onBackendError || fatal)(m));
    wire.onFromDevice((f) => tap!.send(f));
    try {
      await tap.attached;
    } catch (e) {
      tap.close();
      wire.close();
      throw e;
    }
  } else {
    // Loaded only in gateway mode: it needs the project's IP stack and TCP on the host.
    const { startGateway } = require("./gateway") as typeof import("./gateway");
    gateway = startGateway({
      wire, mac: macToBytes(GATEWAY_MAC), ip: ipToNum(GATEWAY_IP), mask: ipToNum("255.255.255.0"),
      poolStart: ipToNum("192.0.2.2"), poolEnd: ipToNum("192.0.2.99"), leaseSeconds: 3600,
      deviceIp: () => (deviceIp ? ipToNum(deviceIp) : 0), devicePort: 80,
      listenHost: o.listenHost || "127.0.0.1", listenPort: o.port === undefined ? 8080 : o.port,
      slots: 32, log: out,
      // as many at once as the device's HTTP server serves (firmware/app/app.ts: slots - 1 above 2)
      maxActive: deviceSlots > 2 ? deviceSlots - 1 : deviceSlots,
      queueWaitMs: o.queueWaitMs,
    });
    try {
      port = await gateway.listening;
    } catch (e) {
      await gateway.close().catch(() => undefined);
      wire.close();
      const err = e as NodeJS.ErrnoException;
      const where = (o.listenHost || "127.0.0.1") + ":" + (o.port === undefined ? 8080 : o.port);
      if (err.code === "EADDRINUSE") {
        throw new Error("sim: port " + where + " is already in use (another sim or server?): choose another with --port N " +
          "(make run SIM_ARGS=\"--port 8081\", npm run sim -- --port 8081), or --port 0 for any free port");
      }
      if (err.code === "EACCES") throw new Error("sim: not allowed to listen on " + where + " (ports below 1024 need root): choose another with --port N");
      throw e;
    }
  }

  // Like a board's flash, Storage survives restarts: build/sim-storage unless --storage.
  const storage = o.storage || path.resolve(__dirname, "..", "..", "build", "sim-storage");
  // As `make flash` writes the page files next to .bootcde, every start puts each file of the
  // www/ folder beside the bundle (dist/www, built with it; made from page.html if absent) into
  // Storage as www/<name> (file names encoded as in sim/board.ts).
  // With an app: the Storage files `make image BOARD=sim APP=...` writes (the app itself, as on a
  // board, is .bootcde; the module is read back from its pretokenised form by require).
  let www = path.join(path.dirname(path.resolve(o.bundle)), "www");
  if (!fs.existsSync(www)) { www = WWW_OUT; if (!fs.existsSync(www)) writePageFiles(www); }
  fs.mkdirSync(storage, { recursive: true });
  let image: { [name: string]: string } | null = null;
  if (o.app) {
    const { buildImage } = require("../tools/image") as typeof import("../tools/image");
    const tmp = fs.mkdtempSync(path.join(require("os").tmpdir(), "sim-image-"));
    const img = await buildImage({ board: "sim", app: o.app, pieces: o.pieces, out: tmp }).finally(() => fs.rmSync(tmp, { recursive: true, force: true }));
    img.lines.pop();   // (the temporary folder's listing)
    out("sim: Storage: " + Object.keys(img.files).sort().map((k) => k + " (" + img.files[k].length + ")").join(", "));
    for (const l of img.lines) out("sim: " + l);
    image = img.files;
    for (const name of Object.keys(image)) fs.writeFileSync(path.join(storage, encodeURIComponent(name).replace(/^\./, "%2E")), image[name], "latin1");
  } else {
    for (const f of fs.readdirSync(www)) fs.copyFileSync(path.join(www, f), path.join(storage, encodeURIComponent("www/" + f)));
  }
  let board: SimBoard | null = null;
  const close = async (): Promise<void> => {
    if (board) board.stop();
    if (tap) tap.close();
    if (gateway) await gateway.close();
    wire.close();
  };
  try {
    if (o.espruino) {
      const { startEspruinoBoard } = require("./espruino/engine") as typeof import("./espruino/engine");
      const appFiles = image ? Object.keys(image).sort().map((name) => ({ name, data: Buffer.from(image![name], "latin1") })) : undefined;
      const noPages = image ? fs.mkdtempSync(path.join(require("os").tmpdir(), "sim-nopages-")) : null;
      const real = startEspruinoBoard({
        espruino: o.espruino, bundle: o.bundle, chip, config, www: noPages || www, out, ...o.espruinoOptions,
        ...(appFiles ? { noProgram: true, extraFiles: appFiles } : {}),
      });
      if (noPages) fs.rmSync(noPages, { recursive: true, force: true });
      board = real;
      await real.booted;
    } else {
      board = createSimBoard({ chip, config, storageDir: storage, out, onFatal: fatal, onConsoleCode: o.onConsoleCode });
      if (o.app && o.board && o.board !== "sim") aliasBoardPins(board, o.board, code, out);
      // As Espruino starts: the Storage files .boot0 to .boot3 (the library's body), then the boot code
      if (image) {
        for (const name of Object.keys(image).filter((n) => /^\.boot[0-3]$/.test(n)).sort()) {
          const src = image[name];
          board.load(/[\x80-\xff]/.test(src) ? require("../tools/flash").cliPretokeniser().untokenise(src) : src, name, true);
        }
      }
      board.load(code, path.basename(o.app || o.bundle));
      out("sim: memory figures here (process.memory(), the page's free variables) are an estimate calibrated against Espruino's interpreter; --espruino PATH gives its real ones");
    }
  } catch (e) {
    await close();
    throw e;
  }
  if (deviceIp) {
    out("sim: device address " + deviceIp + " (static)");
    announce(deviceIp);
  }
  return { board: board!, emu, wire, deviceIp: () => deviceIp, ready, port, gateway, close };
}

/**
 * An app written for another board (`make sim BOARD=pico APP=...`) on the simulated board: the
 * board's ENC28J60 pins and SPI (boards/<board>.ts) become the sim's wiring, and the other pin
 * names the app uses (A5, BTN, LED2...) free pins of the sim (said on the console).
 */
export function aliasBoardPins(board: SimBoard, name: string, code: string, out: (l: string) => void): void {
  const { boardWiring } = require("./espruino/engine") as typeof import("./espruino/engine");
  const w = boardWiring(name);
  const wiring = SIM_WIRING as { [role: string]: string };
  const alias: { [pin: string]: string } = {};
  for (const role of Object.keys(w.pins)) if (wiring[role]) alias[w.pins[role]] = wiring[role];
  const taken = new Set(Object.values(wiring));
  const free = SIM_PIN_NAMES.filter((n) => /^D\d+$/.test(n) && !taken.has(n));
  for (const m of code.matchAll(/\b([A-H]\d{1,2}|BTN|LED[1-3])\b/g)) {
    const pin = m[1];
    if (alias[pin] || SIM_PIN_NAMES.indexOf(pin) >= 0) continue;
    alias[pin] = pin === "BTN" ? "BTN1" : /^LED/.test(pin) ? "LED1" : free.shift() || "D0";
  }
  const lines = Object.keys(alias).map((p) => "this." + p + " = this." + alias[p] + ";");
  if (w.spi !== "SPI1") lines.push("this." + w.spi + " = this.SPI1;");
  vm.runInContext(lines.join("\n"), board.context);
  out("sim: the " + name + " app on the simulated board: " + (w.spi !== "SPI1" ? w.spi + " is SPI1, " : "") +
    Object.keys(alias).map((p) => p + " is " + alias[p]).join(", "));
}

