// TCP bench: two complete devices (ENC28J60 emulator + mock SPI + driver + IP stack + TCP) joined
// by an in-memory wire, on a virtual clock.
//  1. SPI transactions and bytes on the server per small page exchange (handshake to close).
//  2. SPI transactions and bytes per KB of bulk data, each direction.
//  3. Transfer rate with the SPI clock modelled at 10.5 MHz, as a ratio to the 10 Mbit/s line.
//     Model: time = SPI bytes * 8 / 10.5e6 (+ a per-transaction overhead: 0 us = the SPI-bound
//     ceiling, and 25 us for an Espruino SPI.send call); payload bits / time / 10e6. The JS
//     execution time on the board is NOT in this model (see docs/tcp.md for the cost estimate).
//  4. Bytes allocated per connection in steady state: two TCPs over a preallocated in-memory
//     segment queue (no IP layer, no emulator), V8 heap delta across N connections after gc().
import { PerformanceObserver } from "perf_hooks";
import { installEspruinoShims } from "../hal/host/espruino-shims";
installEspruinoShims();
import { Enc28j60Emulator } from "../emu/enc28j60/emulator";
import { createHostHal } from "../hal/host/host-hal";
import { createEnc28j60, Enc28j60 } from "../drivers/enc28j60/driver";
import { createStack, Stack } from "../firmware/net/stack";
import { createTcp, Tcp, TcpHandler, TcpStack } from "../firmware/tcp/tcp";
import { bytesPerSlot } from "../firmware/tcp/slots";
import { Chunk } from "../firmware/tcp/pool";

const A_IP = 0xc0000202;
const B_IP = 0xc0000201;
const SPI_HZ = 10_500_000;

interface Node { emu: Enc28j60Emulator; drv: Enc28j60; stack: Stack; tcp: Tcp }

const clock = { t: 1000, now(): number { return this.t; } };

function node(mac: number, ip: number): Node {
  const emu = new Enc28j60Emulator();
  const hal = createHostHal(emu);
  const drv = createEnc28j60(hal, Uint8Array.from([2, 0, 0, 0, 0, mac]));
  drv.init();
  drv.service();
  const stack = createStack(drv, clock, { ip, mask: 0xffffff00, gateway: 0 });
  const tcp = createTcp(stack, { slots: 4, mslMs: 200 });
  drv.flush();
  emu.takeSent();
  return { emu, drv, stack, tcp };
}

let lastTick = 1000;
/** Moves frames both ways until quiet, advancing the virtual clock when idle. */
function pump(a: Node, b: Node, until: () => boolean, maxMs = 600000): void {
  const end = clock.t + maxMs;
  while (!until() && clock.t < end) {
    let moved = 0;
    for (const [x, y] of [[a, b], [b, a]] as Array<[Node, Node]>) {
      x.drv.service();
      x.stack.poll();
      // A board spends well over 1.3 ms of JS per frame: let the chip finish sending before the
      // driver looks, so the driver's TX-done polling is not counted at host speed.
      x.emu.advance(1.3);
      x.drv.flush();
      for (const s of x.emu.takeSent()) {
        y.emu.deliver(s.frame);
        moved++;
      }
    }
    if (!moved) {
      clock.t += 5;
      if (clock.t - lastTick >= 100) {
        lastTick = clock.t;
        a.stack.tick();
        b.stack.tick();
      }
    }
  }
}

/**
 * SPI work of a node since resetCounters(). `polls` are the register reads beyond 6 per frame:
 * the driver busy-polling ECON1.TXRTS while the previous frame is still on the wire. The
 * emulator's clock moves with SPI traffic, so at host speed that loop spins ~400 times per
 * full frame; a board (tens of us per JS poll) spins ~20x less, and the time is wire time anyway.
 * tr/bytes exclude those polls; raw* include them.
 */
function spi(n: Node) {
  const c = n.emu.counters;
  const frames = c.txFrames + c.rxDelivered;
  const polls = Math.max(0, (c.byOpcode.RCR || 0) - 6 * frames);
  const rawTr = c.transactions, rawBytes = c.bytesToChip + c.bytesFromChip;
  return { tr: rawTr - polls, bytes: rawBytes - 2 * polls, rawTr, rawBytes, polls };
}

function rate(payload: number, s: { tr: number; bytes: number }, perTrUs: number): number {
  const secs = (s.bytes * 8) / SPI_HZ + (s.tr * perTrUs) / 1e6;
  return (payload * 8) / secs / 10e6;
}

function pageExchanges(a: Node, b: Node, n: number, pageLen: number) {
  const page = new Uint8Array(pageLen).fill(0x61);
  const req = new Uint8Array(100).fill(0x47);
  let done = 0;
  const server: TcpHandler = {
    open() {},
    data(c) { a.tcp.write(c, page, 0, page.length); a.tcp.close(c); },
    drained() {}, peerClosed() {}, end() {},
  };
  a.tcp.unlisten(80);
  a.tcp.listen(80, server);
  let got = 0;
  const client: TcpHandler = {
    open(c) { b.tcp.write(c, req, 0, req.length); },
    data(_c, _b, _o, len) { got += len; },
    drained() {},
    peerClosed(c) { b.tcp.close(c); },
    end() { done++; },
  };
  for (let i = 0; i < n; i++) {
    const target = done + 1;
    b.tcp.connect(A_IP, 80, client);
    pump(a, b, () => done >= target);
  }
  return got;
}

function bulk(from: Node, to: Node, total: number, port: number): number {
  const chunk = new Uint8Array(4096).map((_, i) => i & 255);
  let sent = 0, received = 0, fin = false;
  const src: TcpHandler = {
    open(c) { push(c); },
    data() {}, drained(c) { push(c); }, peerClosed() {}, end() {},
  };
  function push(c: number): void {
    while (sent < total) {
      const n = from.tcp.write(c, chunk, 0, Math.min(chunk.length, total - sent));
      if (n === 0) return;
      sent += n;
    }
    from.tcp.close(c);
  }
  const sink: TcpHandler = {
    open() {}, data(_c, _b, _o, len) { received += len; }, drained() {},
    peerClosed(c) { fin = true; to.tcp.close(c); }, end() {},
  };
  to.tcp.unlisten(port);
  to.tcp.listen(port, sink);
  from.tcp.connect(to === undefined ? 0 : (to.stack.addr), port, src);
  pump(from, to, () => fin);
  return received;
}

export function allocation(): void {
  // Two TCPs joined directly: each ipSend copies the segment into a preallocated queue slot.
  const Q = 64;
  const qbuf = new Uint8Array(Q * 1600);
  const qlen = new Uint16Array(Q), qsrc = new Uint32Array(Q), qdst = new Uint32Array(Q);
  let qh = 0, qt = 0;
  const inputs: Array<(rx: Uint8Array, o: number, l: number, s: number, d: number) => void> = [];
  const tickers: Array<(t: number) => void> = [];
  function mk(ipAddr: number): TcpStack {
    const tx = new Uint8Array(1518);
    return {
      netif: { tx }, clock, addr: ipAddr,
      onProtocol(_p, fn) { inputs.push(fn); },
      onTick(fn) { tickers.push(fn); },
      ipSend(_p, dst, len) {
        const base = (qt % Q) * 1600 + 34;
        for (let i = 0; i < len; i++) qbuf[base + i] = tx[34 + i];
        qlen[qt % Q] = len; qsrc[qt % Q] = ipAddr; qdst[qt % Q] = dst; qt++;
        return 1;
      },
    };
  }
  const sa = mk(A_IP), sb = mk(B_IP);
  const ta = createTcp(sa, { slots: 4, mslMs: 100 });
  const tb = createTcp(sb, { slots: 4, mslMs: 100 });
  const rxA = new Uint8Array(1600), rxB = new Uint8Array(1600);
  const page = new Uint8Array(1000).fill(0x61);
  const req = new Uint8Array(100).fill(0x47);
  let done = 0;
  ta.listen(80, { open() {}, data(c) { ta.write(c, page, 0, page.length); ta.close(c); }, drained() {}, peerClosed() {}, end() {} });
  const client: TcpHandler = {
    open(c) { tb.write(c, req, 0, req.length); }, data() {}, drained() {},
    peerClosed(c) { tb.close(c); }, end() { done++; },
  };
  function run(n: number): void {
    for (let i = 0; i < n; i++) {
      const target = done + 1;
      tb.connect(A_IP, 80, client);
      let guard = 0;
      while (done < target && guard++ < 10000) {
        if (qh < qt) {
          const k = qh % Q; qh++;
          const toA = qdst[k] === A_IP;
          const rx = toA ? rxA : rxB;
          const base = k * 1600 + 34;
          for (let i = 0; i < qlen[k]; i++) rx[34 + i] = qbuf[base + i];
          inputs[toA ? 0 : 1](rx, 34, qlen[k], qsrc[k], qdst[k]);
        } else {
          clock.t += 50;
          tickers[0](clock.t); tickers[1](clock.t);
        }
      }
    }
    // let TIME-WAIT expire
    for (let i = 0; i < 10; i++) { clock.t += 50; tickers[0](clock.t); tickers[1](clock.t); }
  }
  run(50); // warm-up (JIT, checksum view memo)
  const g = (global as any).gc as (() => void) | undefined;
  let gcs = 0;
  const obs = new PerformanceObserver((l) => { gcs += l.getEntries().length; });
  obs.observe({ entryTypes: ["gc"] });
  const N = 200;
  if (g) g();
  const h0 = process.memoryUsage().heapUsed;
  run(N);
  const h1 = process.memoryUsage().heapUsed;
  obs.disconnect();
  if (g) g();
  const h2 = process.memoryUsage().heapUsed;
  const per = (h1 - h0) / N;
  console.log(`allocation: ${N} connections (handshake, 100 B request, 1000 B page, close) over an in-memory wire:`);
  console.log(`  V8 heap delta ${h1 - h0} bytes = ${per.toFixed(0)} bytes/connection${g ? "" : " (no global.gc: run with --expose-gc)"}` +
    `${gcs ? ` (a GC ran inside the window: lower bound)` : ""}`);
  console.log(`  retained after gc(): ${h2 - h0} bytes over ${N} connections` +
    ` (${h2 - h0 <= 0 ? "nothing kept; negative = warm-up garbage freed" : ((h2 - h0) / N).toFixed(1) + " bytes/connection kept"})`);
  console.log(`  (gross figure includes the transient subarray views handed to the native set() for payload copies and the checksum's
   Uint16Array views (firmware/net/checksum.ts memoises two); no slot,`);
  console.log(`   closure, handler or buffer is created per connection - all of those exist from createTcp())`);
}

export function run(): void {
  console.log(`memory per slot (typed arrays): ${bytesPerSlot()} bytes; queued send data in the shared pool (sendPool bytes, ${Chunk.SIZE}-byte chunks)`);
  const a = node(0x02, A_IP);
  const b = node(0x01, B_IP);
  // warm up: ARP both ways, one exchange
  pageExchanges(a, b, 1, 1024);
  a.emu.resetCounters();
  const N = 20;
  pageExchanges(a, b, N, 1024);
  const p = spi(a);
  console.log(`small page (100 B request, 1 KB page, handshake to close), server side, mean of ${N}:`);
  console.log(`  ${(p.tr / N).toFixed(1)} SPI transactions, ${(p.bytes / N).toFixed(0)} SPI bytes per exchange` +
    ` (raw, with TX-busy polls at host speed: ${(p.rawTr / N).toFixed(0)} / ${(p.rawBytes / N).toFixed(0)})`);
  console.log(`  a.tcp segments in/out so far: ${a.tcp.counters.segIn}/${a.tcp.counters.segOut}`);

  const total = 256 * 1024;
  a.emu.resetCounters();
  const gotB = bulk(a, b, total, 9000);
  const tx = spi(a);
  console.log(`bulk ${total / 1024} KB device -> peer (received ${gotB}), sender side per KB:`);
  console.log(`  ${(tx.tr / (total / 1024)).toFixed(1)} SPI transactions, ${(tx.bytes / (total / 1024)).toFixed(0)} SPI bytes per KB` +
    ` (raw: ${(tx.rawTr / (total / 1024)).toFixed(0)} / ${(tx.rawBytes / (total / 1024)).toFixed(0)})`);
  console.log(`  modelled rate at 10.5 MHz SPI: ${rate(total, tx, 0).toFixed(2)} x 10 Mbit/s (SPI-bound), ` +
    `${rate(total, tx, 25).toFixed(2)} x with 25 us per transaction`);
  a.emu.resetCounters();
  const gotA = bulk(b, a, total, 9001);
  const rx = spi(a);
  console.log(`bulk ${total / 1024} KB peer -> device (received ${gotA}), receiver side per KB:`);
  console.log(`  ${(rx.tr / (total / 1024)).toFixed(1)} SPI transactions, ${(rx.bytes / (total / 1024)).toFixed(0)} SPI bytes per KB` +
    ` (raw: ${(rx.rawTr / (total / 1024)).toFixed(0)} / ${(rx.rawBytes / (total / 1024)).toFixed(0)})`);
  console.log(`  modelled rate at 10.5 MHz SPI: ${rate(total, rx, 0).toFixed(2)} x 10 Mbit/s (SPI-bound), ` +
    `${rate(total, rx, 25).toFixed(2)} x with 25 us per transaction`);
  console.log(`  retransmissions a/b: ${a.tcp.counters.retransmits}/${b.tcp.counters.retransmits}`);
  allocation();
}

if (require.main === module) run();
