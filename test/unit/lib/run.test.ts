// The runtime loop (firmware/lib/eth-run.ts), issue #12 "idle means idle": with the INT line,
// no timer fires while nothing is pending but the slow INT-pin backstop; every protocol deadline
// still has its tick (TCP retransmission, delayed ACK, DHCP renewal, HTTP keep-alive close);
// an INT edge is serviced at once, a lost one at the next tick; without INT the poll timer runs.
// The whole app on the host: emulator + host HAL whose timers run on virtual time (counted),
// a peer (the project's own stack and TCP on a host netif) and optionally a DHCP server.
import { strict as assert } from "assert";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { createHostHal, HostHal } from "../../../hal/host/host-hal";
import { Hal, Timers } from "../../../hal/types";
import { createApp, Device } from "../../../firmware/app/app";
import { createStack, Stack } from "../../../firmware/net/stack";
import { createTcp, Tcp, TcpHandler, tcpNextDue } from "../../../firmware/tcp/tcp";
import { createHostNetif, HostNetif } from "../../../sim/host-netif";
import { createDhcpServer, DhcpServer, udpIn } from "../../../sim/dhcp";

const DEV_IP = 0xc0000202, PEER_IP = 0xc0000201, MASK = 0xffffff00;
/** Runs indexes (eth-run.ts Runs). */
const SERVICES = 0, TICKS = 1, LOST_EDGES = 2;

interface Timer { id: number; at: number; every: number; fn: () => void; kind: string }

/** Timers on the emulator's virtual clock; every callback that fires is counted by its period kind. */
class FakeTimers implements Timers {
  list: Timer[] = [];
  fired: string[] = [];
  private next = 1;
  constructor(private now: () => number) {}
  after(ms: number, fn: () => void): any { return this.add(ms, 0, fn); }
  every(ms: number, fn: () => void): any { return this.add(ms, ms, fn); }
  cancel(id: any): void { this.list = this.list.filter((t) => t.id !== id); }
  private add(ms: number, every: number, fn: () => void): number {
    const t = { id: this.next++, at: this.now() + Math.max(0, ms), every, fn, kind: every ? "every " + every : "after" };
    this.list.push(t);
    return t.id;
  }
  /** Runs the timers due now (in time order; new ones due now too), bounded. */
  runDue(): number {
    let n = 0;
    for (; n < 1000; n++) {
      const now = this.now();
      let first: Timer | null = null;
      for (const t of this.list) if (t.at <= now && (!first || t.at < first.at)) first = t;
      if (!first) return n;
      if (first.every) first.at += first.every; else this.list = this.list.filter((t) => t !== first);
      this.fired.push(first.kind);
      first.fn();
    }
    throw new Error("timers: more than 1000 callbacks at one time (a busy loop)");
  }
}

interface RigOptions { dhcp?: { leaseSeconds: number }; noInt?: boolean }

class Rig {
  emu = new Enc28j60Emulator();
  hal: HostHal;
  timers: FakeTimers;
  dev: Device;
  peerNetif: HostNetif;
  peer: Stack;
  ptcp: Tcp;
  dhcp: DhcpServer | null = null;
  toDevice: Uint8Array[] = [];
  /** Frames the device sent, with their time. */
  sent: { frame: Uint8Array; t: number }[] = [];
  cut = false;
  /** The next this many INT edges are lost (the handler is not called). */
  lose = 0;
  private peerTick = 0;

  constructor(o: RigOptions = {}) {
    this.timers = new FakeTimers(() => this.emu.now());
    this.hal = createHostHal(this.emu, { timers: this.timers });
    const h = this.hal, hal: Hal = { spi: h.spi, reset: h.reset, clock: h.clock, timers: this.timers };
    if (!o.noInt) {
      hal.int = {
        read: () => h.int.read(),
        onFalling: (fn) => h.int.onFalling(() => { if (this.lose > 0) this.lose--; else fn(); }),
      };
    }
    this.dev = createApp(hal, {
      board: "run", mac: new Uint8Array([2, 0x45, 0x4e, 0x43, 0, 2]), slots: 4,
      ip: o.dhcp ? undefined : DEV_IP, mask: o.dhcp ? undefined : MASK, gateway: o.dhcp ? undefined : PEER_IP,
    });
    this.peerNetif = createHostNetif(new Uint8Array([2, 0x45, 0x4e, 0x43, 0, 1]), (f) => { this.toDevice.push(f); });
    this.peer = createStack(this.peerNetif, { now: () => this.emu.now() }, { ip: PEER_IP, mask: MASK, gateway: 0 });
    this.ptcp = createTcp(this.peer, { slots: 4 });
    if (o.dhcp) {
      this.dhcp = createDhcpServer({
        serverIp: PEER_IP, serverMac: this.peerNetif.mac, mask: MASK, router: PEER_IP,
        poolStart: 0xc0000264, poolEnd: 0xc0000296, leaseSeconds: o.dhcp.leaseSeconds,
      });
    }
    this.emu.onTransmit((f) => {
      const frame = new Uint8Array(f);
      this.sent.push({ frame, t: this.emu.now() });
      if (this.cut) return;
      const reply = this.dhcp ? this.dhcp.handle(frame) : null;
      if (reply) this.toDevice.push(reply); else this.peerNetif.push(frame);
    });
  }

  /** Moves frames, INT edges and due timers until nothing moves (bounded). */
  step(): void {
    for (let round = 0; round < 100; round++) {
      let moved = 0;
      while (this.toDevice.length) { const f = this.toDevice.shift()!; if (!this.cut) this.emu.deliver(f); moved++; }
      this.emu.advance(0);
      moved += this.hal.dispatch();
      moved += this.timers.runDue();
      moved += this.peerNetif.queued();
      this.peer.poll();
      if (!moved && !this.toDevice.length && !this.peerNetif.queued()) return;
    }
  }

  /** Advances virtual time by ms in 1 ms steps; the peer (ticked by hand) every 100 ms. */
  run(ms: number): void {
    const end = this.emu.now() + ms;
    while (this.emu.now() < end) {
      this.step();
      this.emu.advance(1);
      if (this.emu.now() - this.peerTick >= 100) { this.peerTick = this.emu.now(); this.peer.tick(); }
    }
    this.step();
  }

  runs(i: number): number { return this.dev.runs[i]; }
}

function handler(got: Buffer[], ev?: { opened?: boolean; ended?: number }): TcpHandler {
  return {
    open() { if (ev) ev.opened = true; },
    data(_c, b, off, len) { got.push(Buffer.from(b.subarray(off, off + len))); },
    drained() {},
    peerClosed() {},
    end(_c, r) { if (ev) ev.ended = r; },
  };
}

/** TCP segments among frames: [flags, payload length]. */
function tcpOf(f: Uint8Array): { flags: number; len: number } | null {
  if (f[12] !== 8 || f[13] !== 0 || f[23] !== 6) return null;
  const ihl = (f[14] & 15) * 4, tl = (f[16] << 8) | f[17], t = 14 + ihl, doff = (f[t + 12] >> 4) * 4;
  return { flags: f[t + 13], len: tl - ihl - doff };
}

describe("lib: the runtime loop (idle means idle)", function () {
  this.timeout(60000);

  it("with INT, once settled: no timer fires, no tick, no SPI transaction for 10 minutes of quiet", () => {
    const r = new Rig();
    r.run(3000);
    let spi = 0;
    const transfer = r.hal.spi.transfer, write = r.hal.spi.write;
    r.hal.spi.transfer = (b, l) => { spi++; transfer(b, l); };
    r.hal.spi.write = (b, l) => { spi++; write(b, l); };
    const ticks = r.runs(TICKS), services = r.runs(SERVICES), fired = r.timers.fired.length;
    const sent = r.sent.length;
    r.run(600000);
    assert.strictEqual(r.runs(TICKS) - ticks, 0, "ticks while nothing is pending");
    assert.strictEqual(r.runs(SERVICES) - services, 0, "services without an INT edge");
    assert.deepEqual(r.timers.fired.slice(fired), [], "timer callbacks");
    assert.strictEqual(r.runs(LOST_EDGES), 0);
    assert.strictEqual(r.sent.length, sent, "nothing sent");
    assert.deepEqual(r.timers.list, [], "no timer armed at all");
    assert.strictEqual(spi, 0, "SPI transactions while idle");
  });

  it("after traffic: the ARP entry ages out with its own ticks, then nothing", () => {
    const r = new Rig();
    r.run(1000);
    const got: Buffer[] = [];
    const c = r.ptcp.connect(DEV_IP, 7, handler(got));
    r.run(500);
    const b = Buffer.from("ping");
    r.ptcp.write(c, b, 0, b.length);
    r.run(500);
    assert.strictEqual(Buffer.concat(got).toString(), "ping", "echo");
    r.ptcp.close(c);
    r.run(60000 * 2 + 10000);   // TIME-WAIT on the peer's side; the device's ARP entry expires
    const ticks = r.runs(TICKS);
    r.run(300000);
    assert.strictEqual(r.runs(TICKS) - ticks, 0, "no tick in 5 minutes after the entry expired");
    assert.strictEqual(r.dev.stack.counters.arp.expired, 1);
  });

  it("an INT edge is serviced at once: echo data answered within 1 ms", () => {
    const r = new Rig();
    r.run(2000);
    const got: Buffer[] = [];
    const c = r.ptcp.connect(DEV_IP, 7, handler(got));
    r.run(300);
    const services = r.runs(SERVICES), ticks = r.runs(TICKS), t0 = r.emu.now();
    const b = Buffer.from("now");
    r.ptcp.write(c, b, 0, b.length);
    r.run(1);   // delivery, the INT edge, the service, the echo (the frames' wire time)
    assert.strictEqual(Buffer.concat(got).toString(), "now");
    assert.ok(r.emu.now() - t0 < 2, "within " + (r.emu.now() - t0) + " ms");
    assert.ok(r.runs(SERVICES) > services, "by the INT handler");
    assert.strictEqual(r.runs(TICKS), ticks, "no tick needed");
  });

  it("TCP: a SYN to a silent peer is retransmitted at 1 s and 3 s (the deadline's own tick)", () => {
    const r = new Rig();
    r.run(2000);
    r.peer.onProtocol(6, () => {});   // the peer says nothing
    r.run(10);
    const t0 = r.emu.now();
    const c = r.dev.connect("192.0.2.1", 9);
    assert.ok(c >= 0);
    r.run(3500);
    const syns = r.sent.filter((s) => { const t = tcpOf(s.frame); return t && t.flags === 0x02; }).map((s) => Math.round(s.t - t0));
    assert.strictEqual(syns.length, 3, JSON.stringify(syns));
    assert.ok(syns[0] <= 5, "the SYN at once (after the ARP exchange): " + syns[0]);
    assert.ok(Math.abs(syns[1] - 1000) <= 2, "first retransmission 1 s after connect(): " + syns);
    assert.ok(Math.abs(syns[2] - 3000) <= 2, "second 2 s after it: " + syns);
  });

  it("TCP: a delayed ACK leaves 100 ms after the segment it acknowledges", () => {
    const r = new Rig();
    r.run(2000);
    const got: Buffer[] = [];
    let pc = -1;
    r.ptcp.listen(9000, {
      open(c) { pc = c; }, data() {}, drained() {}, peerClosed() {}, end() {},
    });
    const c = r.dev.connect("192.0.2.1", 9000);
    r.run(300);
    assert.ok(pc >= 0, "connected");
    void got;
    const b = Buffer.from("x");
    r.ptcp.write(pc, b, 0, 1);
    // the peer's segment leaves at its next step; the device's ACK must wait for the delayed-ACK timer
    r.step();
    const tData = r.emu.now(), n0 = r.sent.length;
    r.run(300);
    const acks = r.sent.slice(n0).filter((s) => { const t = tcpOf(s.frame); return t && t.flags === 0x10 && t.len === 0; });
    assert.strictEqual(acks.length, 1, "one pure ACK");
    const dt = acks[0].t - tData;
    assert.ok(dt >= 99 && dt <= 102, "ACK after " + dt + " ms");
    assert.strictEqual(r.dev.received(c), "x");
  });

  it("DHCP: the lease is taken, renewed at T1 and again at the next T1, no tick in between", () => {
    const r = new Rig({ dhcp: { leaseSeconds: 40 } });
    r.run(8000);   // DISCOVER, OFFER, REQUEST, ACK, 3 ARP probes and the wait after them
    assert.strictEqual(r.dev.stack.dhcpState(), "bound");
    const reqs = () => r.dhcp!.counters.request;
    const n0 = reqs(), bound = r.sent.filter((s) => { const u = udpIn(s.frame); return u && u.dport === 67; }).pop()!.t;
    void bound;
    const ticks0 = r.runs(TICKS);
    r.run(25000);
    assert.strictEqual(reqs() - n0, 1, "one renewal (T1 = 20 s)");
    assert.strictEqual(r.dev.stack.dhcpState(), "bound");
    // the renewal's REQUEST left at T1 of the lease (20 s after the ACK, within a few ms)
    const times = r.sent.filter((s) => { const u = udpIn(s.frame); return u && u.dport === 67; }).map((s) => s.t);
    const acked = times[times.length - 2], renewed = times[times.length - 1];
    assert.ok(Math.abs(renewed - acked - 20000) <= 3000 + 5, "renewed " + (renewed - acked) + " ms after the ACK");
    assert.ok(r.runs(TICKS) - ticks0 <= 6, (r.runs(TICKS) - ticks0) + " ticks over 25 s of a bound lease");
  });

  it("HTTP: an idle keep-alive connection is closed 5 s after its response (coarse tick while open)", () => {
    const r = new Rig();
    r.run(2000);
    const got: Buffer[] = [];
    const ev: { opened?: boolean; ended?: number } = {};
    const h = handler(got, ev);
    h.peerClosed = (pc) => r.ptcp.close(pc);   // the client closes its side when the device does
    const c = r.ptcp.connect(DEV_IP, 80, h);
    r.run(100);
    const q = Buffer.from("GET /api/status HTTP/1.1\r\nHost: d\r\n\r\n");
    r.ptcp.write(c, q, 0, q.length);
    r.run(50);
    assert.ok(/^HTTP\/1\.1 200/.test(Buffer.concat(got).toString("latin1")), "answered");
    const t0 = r.emu.now();
    const n0 = r.sent.length;
    r.run(7000);
    const fin = r.sent.slice(n0).find((s) => { const t = tcpOf(s.frame); return !!t && (t.flags & 1) === 1; });
    assert.ok(fin, "the device closed the connection");
    const dt = fin!.t - t0;
    assert.ok(dt >= 5000 && dt <= 5000 + 500 + 5, "closed after " + dt + " ms");
    // the device closed first: TIME-WAIT (4 s) has TCP's own deadline, no 500 ms tick for HTTP
    const ticks = r.runs(TICKS);
    r.run(10000);
    assert.ok(r.runs(TICKS) - ticks <= 3, "ticks after the close: " + (r.runs(TICKS) - ticks));
    // the ARP entry of the client ages out meanwhile (its own few ticks): at most 3 minutes
    for (let k = 0; k < 180 && r.timers.list.length; k++) r.run(1000);
    assert.deepEqual(r.timers.list, [], "no timer armed");
    const after = r.runs(TICKS);
    r.run(60000);
    assert.strictEqual(r.runs(TICKS) - after, 0, "no tick once the connection and the ARP entry are gone: due " + r.dev.stack.due() + " tcp " + tcpNextDue(r.dev.tcp) + " " + JSON.stringify(r.dev.status().states));
  });

  it("a lost INT edge: the next tick finds INT low and services the chip (here the open connection's 500 ms tick)", () => {
    const r = new Rig();
    r.run(3000);
    const got: Buffer[] = [];
    const c = r.ptcp.connect(DEV_IP, 7, handler(got));
    r.run(300);
    r.lose = 1;   // the next falling edge never reaches the handler; INT stays low
    const b = Buffer.from("lost");
    r.ptcp.write(c, b, 0, b.length);
    r.run(20);
    assert.strictEqual(Buffer.concat(got).toString(), "", "no edge, no answer yet");
    assert.strictEqual(r.emu.intLevel(), false, "INT held low");
    r.run(500);
    assert.strictEqual(r.runs(LOST_EDGES), 1, "the tick found the INT line low");
    assert.strictEqual(Buffer.concat(got).toString(), "lost", "the data got through");
    assert.strictEqual(r.emu.intLevel(), true);
  });

  it("a service that throws with INT still low: looked at again 10 ms later, not left idle", () => {
    const r = new Rig();
    r.run(3000);
    assert.deepEqual(r.timers.list, [], "idle");
    let fail = 1;
    const transfer = r.hal.spi.transfer;
    r.hal.spi.transfer = (b, l) => { if (fail > 0) { fail--; throw new Error("SPI glitch"); } transfer(b, l); };
    const ev: { opened?: boolean } = {};
    r.ptcp.connect(DEV_IP, 7, handler([], ev));
    assert.throws(() => r.run(2), /SPI glitch/);
    assert.strictEqual(r.emu.intLevel(), false, "INT still low after the failed service");
    r.run(100);
    assert.ok(ev.opened, "the SYN was served by the recheck's tick");
    assert.strictEqual(r.runs(LOST_EDGES), 1);
  });

  it("without INT: the poll timer runs (every 20 ms) and the deadlines still work", () => {
    const r = new Rig({ noInt: true });
    r.run(1000);
    const s0 = r.runs(SERVICES);
    r.run(1000);
    const n = r.runs(SERVICES) - s0;
    assert.ok(n >= 49 && n <= 51, n + " polls in 1 s");
    assert.ok(r.timers.fired.every((k) => k === "every 20" || k === "after"), "only the poll timer and deadlines");
    const got: Buffer[] = [];
    const c = r.ptcp.connect(DEV_IP, 7, handler(got));
    r.run(200);
    const b = Buffer.from("polled");
    r.ptcp.write(c, b, 0, b.length);
    r.run(200);
    assert.strictEqual(Buffer.concat(got).toString(), "polled");
  });

  it("a full batch of frames (64) is followed at once by another service, not left to the backstop", () => {
    const r = new Rig();
    r.run(2000);
    // 80 broadcast frames of an unknown EtherType land before the INT edge is handled
    for (let k = 0; k < 80; k++) {
      const f = new Uint8Array(60);
      f.fill(0xff, 0, 6); f[6] = 2; f[11] = 9; f[12] = 0x88; f[13] = 0xb5; f[14] = k;
      r.emu.deliver(f);
    }
    const drops0 = r.dev.stack.counters.eth.dropType;
    r.run(5);
    assert.strictEqual(r.dev.stack.counters.eth.dropType - drops0, 80, "all 80 handled within 5 ms");
  });
});
