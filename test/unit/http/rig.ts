// The whole device on the host: ENC28J60 emulator + host HAL + the application (driver, IP
// stack, TCP, HTTP, page), wired frame by frame to a client peer that runs the project's own
// IP stack and TCP on a host netif. Virtual time: run(ms) advances the emulator's clock in
// 1 ms steps, ticks both stacks every 100 ms, and moves frames both ways. No sockets, no timers.
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { createHostHal, HostHal } from "../../../hal/host/host-hal";
import { createApp, Device } from "../../../firmware/app/app";
import { createStack, Stack } from "../../../firmware/net/stack";
import { createTcp, Tcp, TcpHandler } from "../../../firmware/tcp/tcp";
import { createHostNetif, HostNetif } from "../../../sim/host-netif";
import { createDhcpServer, DhcpServer } from "../../../sim/dhcp";
import { pageFiles } from "../../../tools/gen-assets";

/** The page files `make flash` writes to Storage as www/<name> (the rig's Storage holds them). */
export const PAGE_FILES = pageFiles();

export const DEV_IP = 0xc0000202;   // 192.0.2.2
export const PEER_IP = 0xc0000201;  // 192.0.2.1
export const MASK = 0xffffff00;

export interface Client {
  c: number;
  data: Buffer[];
  opened: boolean;
  peerClosed: boolean;
  ended: number;          // -1 while alive, else the end reason
  text(): string;
  bytes(): Buffer;
}

export interface RigOptions { /** false: Storage without the page files (a board flashed by an old tool). */ page?: boolean; dhcp?: boolean; slots?: number; peerSlots?: number; peerWindow?: number; http?: { inBuffers?: number; outBuffers?: number } }

export class Rig {
  emu = new Enc28j60Emulator();
  hal: HostHal;
  dev: Device;
  peerNetif: HostNetif;
  peer: Stack;
  ptcp: Tcp;
  led = false;
  /** When true the wire is cut: frames in both directions are lost. */
  cut = false;
  /** When > 0: the wire is cut after this many more frames from the device. */
  cutAfter = 0;
  dhcp: DhcpServer | null;
  store = new Map<string, string>();
  toDevice: Uint8Array[] = [];
  clients: Client[] = [];
  private byId = new Map<number, Client>();
  private lastTick = 0;
  private handler: TcpHandler;

  constructor(o: RigOptions = {}) {
    if (o.page !== false) for (const n of Object.keys(PAGE_FILES)) this.store.set("www/" + n, PAGE_FILES[n].toString("latin1"));
    this.hal = createHostHal(this.emu, { timers: { after: () => 0, every: () => 0, cancel: () => undefined } });
    this.dev = createApp(this.hal, {
      board: "rig", mac: new Uint8Array([2, 0x45, 0x4e, 0x43, 0, 2]), slots: o.slots || 6,
      ip: o.dhcp ? undefined : DEV_IP, mask: o.dhcp ? undefined : MASK, gateway: o.dhcp ? undefined : PEER_IP, timers: false,
      led: { set: (on) => { this.led = on; } },
      storage: {
        read: (n, off = 0, len?) => { const s = this.store.get(n); return s === undefined ? s : s.substring(off, len === undefined ? s.length : off + len); },
        write: (n, d) => { this.store.set(n, d); return true; },
        list: (re) => [...this.store.keys()].filter((n) => !re || re.test(n)).sort(),
      },
      http: o.http,
    });
    this.peerNetif = createHostNetif(new Uint8Array([2, 0x45, 0x4e, 0x43, 0, 1]), (f) => { this.toDevice.push(f); });
    const clock = { now: () => this.emu.now() };
    this.peer = createStack(this.peerNetif, clock, { ip: PEER_IP, mask: MASK, gateway: 0 });
    this.ptcp = createTcp(this.peer, { slots: o.peerSlots || 8, recvWindow: o.peerWindow });
    this.dhcp = o.dhcp ? createDhcpServer({
      serverIp: PEER_IP, serverMac: this.peerNetif.mac, mask: MASK, router: PEER_IP,
      poolStart: 0xc0000264, poolEnd: 0xc0000296, leaseSeconds: 3600,
    }) : null;
    this.emu.onTransmit((f) => {
      const reply = this.dhcp ? this.dhcp.handle(new Uint8Array(f)) : null;
      if (this.cut) return;
      if (this.cutAfter > 0 && --this.cutAfter === 0) this.cut = true;
      if (reply) this.toDevice.push(reply); else this.peerNetif.push(new Uint8Array(f));
    });
    const self = this;
    this.handler = {
      open(c) { const k = self.byId.get(c); if (k) k.opened = true; },
      data(c, buf, off, len) { const k = self.byId.get(c); if (k) k.data.push(Buffer.from(buf.subarray(off, off + len))); },
      drained() { /* writes are retried by write() */ },
      peerClosed(c) { const k = self.byId.get(c); if (k) k.peerClosed = true; },
      end(c, reason) { const k = self.byId.get(c); if (k) { k.ended = reason; self.byId.delete(c); } },
    };
    this.lastTick = this.emu.now();
  }

  /** Moves frames and services both ends until nothing moves (bounded). */
  step(): void {
    for (let round = 0; round < 50; round++) {
      let moved = 0;
      while (this.toDevice.length) { const f = this.toDevice.shift()!; if (!this.cut) this.emu.deliver(f); moved++; }
      this.emu.takeSent();
      this.hal.dispatch();
      this.dev.service();
      const before = this.peerNetif.queued();
      this.peer.poll();
      moved += before;
      if (moved === 0 && this.toDevice.length === 0 && this.peerNetif.queued() === 0) return;
    }
  }

  /** Advances virtual time by ms (1 ms steps), ticking both stacks every 100 ms. */
  run(ms: number): void {
    const end = this.emu.now() + ms;
    while (this.emu.now() < end) {
      this.step();
      this.emu.advance(1);
      if (this.emu.now() - this.lastTick >= 100) {
        this.lastTick = this.emu.now();
        this.dev.stack.tick();
        this.peer.tick();
      }
    }
    this.step();
  }

  /** Runs until cond() holds, at most maxMs of virtual time; returns cond(). */
  until(cond: () => boolean, maxMs = 10000): boolean {
    const end = this.emu.now() + maxMs;
    while (!cond() && this.emu.now() < end) this.run(5);
    return cond();
  }

  connect(port = 80, ip = DEV_IP): Client {
    const c = this.ptcp.connect(ip, port, this.handler);
    if (c < 0) throw new Error("peer: no slot");
    const k: Client = {
      c, data: [], opened: false, peerClosed: false, ended: -1,
      text() { return Buffer.concat(this.data).toString("latin1"); },
      bytes() { return Buffer.concat(this.data); },
    };
    this.byId.set(c, k);
    this.clients.push(k);
    if (!this.until(() => k.opened || k.ended >= 0, 5000)) throw new Error("peer: connect timed out");
    return k;
  }

  /** Writes all of data (waiting for send space), then runs a little. */
  write(k: Client, data: string | Uint8Array): void {
    const b = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    let off = 0;
    const end = this.emu.now() + 20000;
    while (off < b.length && this.emu.now() < end) {
      off += this.ptcp.write(k.c, b, off, b.length - off);
      if (off < b.length) this.run(5);
    }
    if (off < b.length) throw new Error("peer: write stalled");
    this.run(1);
  }
}
