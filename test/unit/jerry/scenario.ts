// The world around a Kaluma board, for JerryScript's desktop engine and for Node alike: the
// ENC28J60 emulator behind a Kaluma-shaped API double (hal/host/kaluma-double.ts), and on the
// emulated wire a peer running the project's own IP stack and TCP with a DHCP server (as the
// host rigs do). esbuild bundles this file into one script (jerry-run.ts); jerry runs it, then
// the board's real bundle (dist/kaluma/<board>.js), then a line that calls __scenario.run().
// No Node API here: output goes through print() only.
//
// Modes (__JERRY_CONFIG.mode):
// - "wire": every frame in both directions as hex, and each HTTP answer's status line, body
//   length and CRC: the run on jerry must print exactly what the same run prints on Node.
// - "bench": `requests` page requests (a new connection each, gzip), timed; on jerry also the
//   heap the device takes (free heap probed before the bundle loads, after boot, after the load).

import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { installKalumaDouble, KalumaLoop, Trace } from "../../../hal/host/kaluma-double";
import { createStack } from "../../../firmware/net/stack";
import { createTcp, TcpHandler } from "../../../firmware/tcp/tcp";
import { createHostNetif } from "../../../sim/host-netif";
import { createDhcpServer } from "../../../sim/dhcp";
import { fallbacks } from "../../../hal/natives";

declare function print(...s: any[]): void;

export interface JerryConfig {
  mode: "wire" | "bench" | "trace";
  wiring: { bus: number; sck: number; mosi: number; miso: number; cs: number; int: number; reset: number };
  /** Page files as binary strings by name (index.html, index.html.gz). */
  page: { [name: string]: string };
  heapTotal: number;
  requests: number;
  eShim: boolean;
  /** replay: print the time the replayed turns took ("TIME ms", bench only). */
  timed?: boolean;
  /** bench: probe the free heap (fills it: the run's peak is then the whole heap). */
  probe?: boolean;
}

const g: any = globalThis;
const cfg: JerryConfig = g.__JERRY_CONFIG;
/** trace: the wire run, recording what the device sees (for a replay on a small heap, replay.ts). */
const tracing = cfg.mode === "trace";
const wire = cfg.mode === "wire";
const talk = wire || tracing;
const out = (s: string): void => print(s);

/** A fixed PRNG in place of Math.random (ISNs, DHCP ids): the same run on every engine. The
 *  device's own draws (outside asPeer) are recorded in trace mode, for the replay. */
let seed = 7, peerSide = 0;
let trace: Trace | undefined;
Math.random = (): number => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  const v = seed / 4294967296;
  if (trace && !peerSide) trace.random.push(v);
  return v;
};
/** Runs peer-side code (its draws from Math.random are not the device's). */
function asPeer<T>(f: () => T): T {
  peerSide++;
  try { return f(); } finally { peerSide--; }
}

const HEX = "0123456789abcdef";
function hex(f: Uint8Array): string {
  let s = "";
  for (let i = 0; i < f.length; i++) s += HEX[f[i] >> 4] + HEX[f[i] & 15];
  return s;
}

/** Free JS heap in bytes, probed by filling it with typed arrays (jerry only: it needs gc()). */
const held: any[] = [];
for (let i = 0; i < 1024; i++) held.push(0);
function freeHeap(): number {
  if (typeof g.gc !== "function") return -1;
  g.gc();
  let total = 0, k = 0;
  const sizes = [16384, 2048, 512];
  for (let z = 0; z < sizes.length; z++) {
    for (let n = 0; n < 1000 && k < held.length; n++) {
      const u = new Uint8Array(sizes[z]);
      try { u[0] = 1; } catch (e) { break; }   // the backing store is allocated on first touch
      held[k++] = u; total += sizes[z];
    }
  }
  for (let i = 0; i < k; i++) held[i] = 0;
  g.gc();
  return total;
}

const probe = !wire && cfg.probe;
const freeBefore = probe ? freeHeap() : -1;

const emu = new Enc28j60Emulator();
const files: { [path: string]: Uint8Array } = {};
for (const n of Object.keys(cfg.page)) files["/www-" + n] = fallbacks.stringToBytes(cfg.page[n]);
trace = tracing ? { miso: [], millis: [], reads: [], turns: [], random: [] } : undefined;
const loop: KalumaLoop = installKalumaDouble(g, {
  emu, wiring: cfg.wiring, files, uid: "e6614c311b7e6e2f", heapTotal: cfg.heapTotal, print: out, eShim: cfg.eShim,
  record: trace, printFrames: tracing,
});
g.__trace = trace;

const PEER_IP = 0xc0000201;   // 192.0.2.1
const MASK = 0xffffff00;
const toDevice: Uint8Array[] = [];
const peerNetif = createHostNetif(new Uint8Array([2, 0x45, 0x4e, 0x43, 0, 1]), (f) => { toDevice.push(f); });
const peer = asPeer(() => createStack(peerNetif, { now: () => emu.now() }, { ip: PEER_IP, mask: MASK, gateway: 0 }));
const ptcp = asPeer(() => createTcp(peer, { slots: 2 }));
const dhcp = asPeer(() => createDhcpServer({
  serverIp: PEER_IP, serverMac: peerNetif.mac, mask: MASK, router: PEER_IP,
  poolStart: 0xc0000264, poolEnd: 0xc0000296, leaseSeconds: 3600,
}));
emu.onTransmit((f) => {
  const frame = new Uint8Array(f);
  if (wire) out("> " + hex(frame));
  const reply = asPeer(() => dhcp.handle(frame));
  if (reply) toDevice.push(reply); else peerNetif.push(frame);
});

/** Free heap with the whole world but the device in place (the bundle loads next). */
const freeHarness = probe ? freeHeap() : -1;

let lastTick = emu.now();
/** Moves frames and runs both ends until nothing moves (bounded). */
function step(): void {
  for (let round = 0; round < 50; round++) {
    let moved = 0;
    while (toDevice.length) {
      const f = toDevice.shift() as Uint8Array;
      if (wire) out("< " + hex(f));
      emu.deliver(f);
      moved++;
    }
    emu.takeSent();
    moved += loop.turn();
    moved += peerNetif.queued();
    asPeer(() => peer.poll());
    if (moved === 0 && toDevice.length === 0 && peerNetif.queued() === 0) return;
  }
}
/** Virtual time: ms in 1 ms steps (the device's own timers run from loop.turn()). */
function run(ms: number): void {
  const end = emu.now() + ms;
  while (emu.now() < end) {
    step();
    emu.advance(1);
    if (emu.now() - lastTick >= 100) { lastTick = emu.now(); asPeer(() => peer.tick()); }
  }
  step();
}
function until(cond: () => boolean, maxMs: number): boolean {
  const end = emu.now() + maxMs;
  while (!cond() && emu.now() < end) run(5);
  return cond();
}

interface Client { c: number; text: string; opened: boolean; peerClosed: boolean; ended: number }
const byId: { [c: number]: Client } = {};
const handler: TcpHandler = {
  open(c) { if (byId[c]) byId[c].opened = true; },
  data(c, buf, off, len) { if (byId[c]) byId[c].text += fallbacks.bytesToString(buf.subarray(off, off + len)); },
  drained() { /* writes are retried by send() */ },
  peerClosed(c) { if (byId[c]) byId[c].peerClosed = true; },
  end(c, reason) { if (byId[c]) { byId[c].ended = reason; delete byId[c]; } },
};

function connect(ip: number): Client {
  const c = asPeer(() => ptcp.connect(ip, 80, handler));
  if (c < 0) throw new Error("peer: no slot");
  const k: Client = { c, text: "", opened: false, peerClosed: false, ended: -1 };
  byId[c] = k;
  if (!until(() => k.opened || k.ended >= 0, 5000) || !k.opened) throw new Error("peer: connect failed");
  return k;
}
function send(k: Client, s: string): void {
  const b = fallbacks.stringToBytes(s);
  let off = 0;
  const end = emu.now() + 20000;
  while (off < b.length && emu.now() < end) {
    off += asPeer(() => ptcp.write(k.c, b, off, b.length - off));
    if (off < b.length) run(5);
  }
  if (off < b.length) throw new Error("peer: write stalled");
}
/** The length of a complete answer at the start of s, or -1. */
function complete(s: string, head: boolean): number {
  const h = s.indexOf("\r\n\r\n");
  if (h < 0) return -1;
  if (head) return h + 4;
  const m = /content-length: *(\d+)/i.exec(s.substring(0, h));
  const n = m ? Number(m[1]) : 0;
  return s.length >= h + 4 + n ? h + 4 + n : -1;
}
/** Sends a request and waits for its answer; returns "status line | body bytes | body CRC". */
function request(k: Client, req: string): string {
  const before = k.text.length;
  send(k, req);
  const head = req.indexOf("HEAD ") === 0;
  if (!until(() => complete(k.text.substring(before), head) >= 0, 20000)) throw new Error("no answer to " + req.split("\r\n")[0]);
  const a = k.text.substring(before);
  const h = a.indexOf("\r\n\r\n"), body = a.substring(h + 4, complete(a, head));
  return a.substring(0, a.indexOf("\r\n")) + " | " + body.length + " bytes | crc " + (fallbacks.crc32(body) >>> 0).toString(16);
}
function close(k: Client): void {
  asPeer(() => ptcp.close(k.c));
  if (!until(() => k.ended >= 0, 10000)) throw new Error("peer: close timed out");
}

/** Peer-side lines: printed in the wire mode only (a replay has no peer to print them). */
function say(s: string): void { if (wire) out(s); }

function deviceAddr(): number {
  return g.device && g.device.stack ? g.device.stack.addr : 0;
}

g.__scenario = {
  run(): void {
    if (!until(() => deviceAddr() !== 0, 30000)) throw new Error("no DHCP lease");
    run(1000);
    const ip = deviceAddr();
    const freeBoot = probe ? freeHeap() : -1;
    if (talk) {
      const a = connect(ip);
      if (wire) {
        say("HTTP " + request(a, "GET / HTTP/1.1\r\nHost: d\r\n\r\n"));
        say("HTTP " + request(a, "GET / HTTP/1.1\r\nHost: d\r\nAccept-Encoding: gzip\r\n\r\n"));
        say("HTTP " + request(a, "GET /api/status HTTP/1.1\r\nHost: d\r\n\r\n"));
        say("HTTP " + request(a, "POST /api/led HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\n\r\non=1"));
        say("LED pin " + g.digitalRead(25));
        say("HTTP " + request(a, "GET /nope HTTP/1.1\r\nHost: d\r\n\r\n"));
      } else {
        // the replay's shorter run (its trace must fit a 180 KB heap next to the device);
        // `requests` more for a timed replay (bench)
        for (let i = 0; i <= cfg.requests; i++) request(a, "GET / HTTP/1.1\r\nHost: d\r\nAccept-Encoding: gzip\r\n\r\n");
      }
      say("HTTP " + request(a, "GET /api/status HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"));
      if (!until(() => a.peerClosed, 10000)) throw new Error("the server did not close after Connection: close");
      close(a);
      run(wire ? 3000 : 500);
      if (trace) {
        out("DONE trace: mosi " + loop.mosiCrc().toString(16) + ", miso " + trace.miso.length + ", millis " + trace.millis.length +
          ", reads " + trace.reads.length + ", turns " + trace.turns.length);
        return;
      }
      out("DONE wire: device " + ((ip >>> 24) & 255) + "." + ((ip >>> 16) & 255) + "." + ((ip >>> 8) & 255) + "." + (ip & 255) +
        ", SPI " + loop.spiCalls() + " calls " + loop.spiBytes() + " bytes");
      return;
    }
    const t0 = Date.now();
    let freeMid = -1;
    for (let i = 0; i < cfg.requests; i++) {
      const k = connect(ip);
      const r = request(k, "GET / HTTP/1.1\r\nHost: d\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
      if (r.indexOf("HTTP/1.1 200") !== 0) throw new Error("request " + i + ": " + r);
      until(() => k.peerClosed, 10000);
      close(k);
      if (probe && i === (cfg.requests >> 1)) freeMid = freeHeap();
    }
    const ms = Date.now() - t0;
    run(2000);
    const freeAfter = probe ? freeHeap() : -1;
    out("BENCH " + JSON.stringify({ requests: cfg.requests, ms, freeBefore, freeHarness, freeBoot, freeMid, freeAfter, spiCalls: loop.spiCalls(), spiBytes: loop.spiBytes() }));
  },
};
