// The gateway's TCP timers run at their deadlines (sim/gateway.ts: one timer at the next of the
// stack's and TCP's deadlines, as on the device), not on a fixed 100 ms tick: its SYN goes again
// exactly 1 s after the first, its delayed ACK exactly ACK_DELAY_MS after the segment. Time is
// the test's own clock (GatewayOptions.timers); the device is scripted on the wire.
import * as assert from "assert";
import * as net from "net";
import { startGateway, Gateway, GatewayTimers } from "../../../sim/gateway";
import type { Wire } from "../../../sim/wire";
import { tcpNextDue } from "../../../firmware/tcp/tcp";
import { ethFrame, arpPacket, ipv4Packet, ip } from "../net/wire";
import { seg, field, SYN, ACK, PSH } from "../tcp/harness";

const GW_MAC = [0x02, 0x45, 0x4e, 0x43, 0x00, 0x01], DEV_MAC = [0x02, 0x45, 0x4e, 0x43, 0x00, 0x02];
const GW = ip("192.0.2.1"), DEV = ip("192.0.2.2");
const ETH_ARP = 0x0806, ETH_IP = 0x0800, ARP_REPLY = 2, PROTO_TCP = 6;

/** The test's clock and timers: time moves only by run(). */
class FakeTimers implements GatewayTimers {
  t = 5000;
  private q: { at: number; fn: () => void; id: number }[] = [];
  private n = 0;
  now = (): number => this.t;
  after = (ms: number, fn: () => void): unknown => { const id = ++this.n; this.q.push({ at: this.t + ms, fn, id }); return id; };
  cancel = (h: unknown): void => { this.q = this.q.filter((e) => e.id !== h); };
  /** The earliest armed timer (Infinity: none). */
  next(): number { return this.q.reduce((m, e) => Math.min(m, e.at), Infinity); }
  /** Moves time to `to`, firing every timer due by then at its own time. */
  run(to: number): void {
    for (;;) {
      const e = this.q.filter((x) => x.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!e) break;
      this.q = this.q.filter((x) => x !== e);
      if (e.at > this.t) this.t = e.at;
      e.fn();
    }
    this.t = to;
  }
}

function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** A wire whose device end is the test. */
function scriptedWire(): Wire & { sent: { t: number; f: Uint8Array }[]; fromDevice(f: number[]): void; clock: () => number } {
  let peer: ((f: Uint8Array) => void) | null = null;
  const w = {
    sent: [] as { t: number; f: Uint8Array }[],
    clock: () => 0,
    toDevice(f: Uint8Array): void { w.sent.push({ t: w.clock(), f: new Uint8Array(f) }); },
    onFromDevice(fn: (f: Uint8Array) => void): void { peer = fn; },
    observe(): void { /* none */ },
    counters: { toDevice: 0, fromDevice: 0, lostToDevice: 0, lostFromDevice: 0, refusedByChip: 0 },
    close(): void { /* nothing held */ },
    fromDevice(f: number[]): void { peer!(new Uint8Array(f)); },
  };
  return w;
}

/** The TCP segments the gateway sent to the device, with their times. */
function tcpSent(w: ReturnType<typeof scriptedWire>): { t: number; s: ReturnType<typeof field> }[] {
  return w.sent.filter((x) => x.f[12] === 8 && x.f[13] === 0 && x.f[23] === PROTO_TCP).map((x) => ({ t: x.t, s: field(x.f.subarray(34)) }));
}

describe("sim gateway: TCP timers at their deadlines", function () {
  let gw: Gateway | null = null;
  let client: net.Socket | null = null;
  afterEach(async () => {
    if (client) client.destroy();
    client = null;
    if (gw) await gw.close();
    gw = null;
  });

  async function open(): Promise<{ w: ReturnType<typeof scriptedWire>; ft: FakeTimers; syn: ReturnType<typeof field>; port: number }> {
    const ft = new FakeTimers();
    const w = scriptedWire();
    w.clock = ft.now;
    gw = startGateway({
      wire: w, mac: new Uint8Array(GW_MAC), ip: GW, mask: 0xffffff00, poolStart: ip("192.0.2.2"), poolEnd: ip("192.0.2.9"),
      leaseSeconds: 3600, deviceIp: () => DEV, devicePort: 80, listenHost: "127.0.0.1", listenPort: 0, slots: 4,
      log: () => {}, timers: ft,
    });
    const port = await gw.listening;
    client = net.connect(port, "127.0.0.1");
    await new Promise((r) => client!.once("connect", r));
    // the gateway asks for the device's address first (after its own gratuitous ARP); the device answers
    const asks = (): boolean => w.sent.some((x) => x.f[12] === 8 && x.f[13] === 6 && x.f[21] === 1 && x.f.subarray(38, 42).join() === "192,0,2,2");
    for (let i = 0; i < 20 && !asks(); i++) await tick();
    assert.ok(asks(), "an ARP request for the device");
    w.fromDevice(ethFrame(GW_MAC, DEV_MAC, ETH_ARP, arpPacket(ARP_REPLY, DEV_MAC, DEV, GW_MAC, GW)));
    for (let i = 0; i < 20 && !tcpSent(w).length; i++) await tick();
    const s = tcpSent(w);
    assert.strictEqual(s.length, 1);
    assert.strictEqual(s[0].s.flags, SYN);
    return { w, ft, syn: s[0].s, port };
  }

  it("its one timer is armed at TCP's next deadline: the SYN goes again exactly 1 s later (RFC 6298 2.1)", async () => {
    const { w, ft, syn } = await open();
    const t0 = ft.t;
    ft.run(t0);   // (the stack's own start-up work, due now)
    assert.strictEqual(gw!.nextTick(), Math.min(gw!.stack.due(), tcpNextDue(gw!.tcp)), "the earliest deadline");
    assert.strictEqual(tcpNextDue(gw!.tcp), t0 + 1000);
    assert.strictEqual(ft.next(), t0 + 1000, "the SYN's retransmission time-out, not a 100 ms tick");
    ft.run(t0 + 999);
    assert.strictEqual(tcpSent(w).length, 1, "nothing before the deadline");
    ft.run(t0 + 1000);
    const s = tcpSent(w);
    assert.strictEqual(s.length, 2);
    assert.deepStrictEqual([s[1].t, s[1].s.flags, s[1].s.seq], [t0 + 1000, SYN, syn.seq], "the SYN again at exactly 1 s");
    assert.strictEqual(ft.next(), t0 + 3000, "then 2 s later (backed off)");
  });

  it("its delayed ACK of one segment goes exactly ACK_DELAY_MS (100 ms) after it, not at the next tick", async () => {
    const { w, ft, syn } = await open();
    const iss = 7000, ack = (syn.seq + 1) >>> 0;
    const toGw = (o: { seq: number; flags: number; data?: string }): number[] =>
      ethFrame(GW_MAC, DEV_MAC, ETH_IP, ipv4Packet({ src: DEV, dst: GW, proto: PROTO_TCP, payload: Array.from(seg({
        sport: 80, dport: syn.sport, seq: o.seq, ack, flags: o.flags, win: 2920, data: o.data, src: DEV, dst: GW,
      })) }));
    ft.run(ft.t + 37);   // (any time: the schedule does not depend on a tick's phase)
    w.fromDevice(toGw({ seq: iss, flags: SYN | ACK }));
    await tick();
    await tick();
    assert.deepStrictEqual(tcpSent(w).slice(1).map((x) => x.s.flags), [ACK], "the handshake's ACK");
    ft.run(ft.t + 13);
    const t1 = ft.t;
    w.fromDevice(toGw({ seq: iss + 1, flags: ACK | PSH, data: "HTTP/1.1 200 OK\r\n" }));
    await tick();
    await tick();
    assert.strictEqual(tcpSent(w).length, 2, "one segment: its ACK is delayed");
    assert.strictEqual(ft.next(), t1 + 100);
    ft.run(t1 + 99);
    assert.strictEqual(tcpSent(w).length, 2);
    ft.run(t1 + 100);
    const s = tcpSent(w);
    assert.strictEqual(s.length, 3);
    assert.deepStrictEqual([s[2].t, s[2].s.flags, s[2].s.ack], [t1 + 100, ACK, iss + 1 + 17]);
  });
});
