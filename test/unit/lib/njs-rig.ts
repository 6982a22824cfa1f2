// The NetworkJS driver on the whole simulated device (test/unit/http/rig.ts: emulator, app,
// a peer with the project's own IP stack and TCP at 192.0.2.1), with the model of Espruino's
// socket polling (sim/espruino-net) calling it once per virtual millisecond, as Espruino's idle
// loop would. Until the library module exists the driver is wired here from the device the demo
// app builds (device.tcp, device.stack.udp).
import { Rig, Client, DEV_IP, PEER_IP } from "../http/rig";
import { createNetworkJs, NetworkJsDriver, NetworkJsOptions, Resolve, Resolver } from "../../../firmware/lib/networkjs";
import { createEspruinoNet, EspruinoNet } from "../../../sim/espruino-net/modules";
import { TcpHandler } from "../../../firmware/tcp/tcp";

export { DEV_IP, PEER_IP, Client };

export interface NjsRigOptions extends NetworkJsOptions { slots?: number; peerSlots?: number; peerWindow?: number; resolve?: Resolve | Resolver | null; noUdp?: boolean }

export class NjsRig {
  rig: Rig;
  driver: NetworkJsDriver;
  net: EspruinoNet;
  http: any;
  netMod: any;
  dgram: any;
  /** Uncaught errors of callbacks and the model's warnings. */
  errors: string[] = [];
  warnings: string[] = [];
  constructor(o: NjsRigOptions = {}) {
    this.rig = new Rig({ slots: o.slots || 6, peerSlots: o.peerSlots || 8, peerWindow: o.peerWindow });
    const dev = this.rig.dev;
    this.driver = createNetworkJs(dev.tcp, o.noUdp ? null : dev.stack.udp, o.resolve === undefined ? null : o.resolve, o);
    this.net = createEspruinoNet({
      call: (fn, self, args) => {
        try { fn.apply(self, args); } catch (e: any) { this.errors.push(String(e && e.message || e)); }
      },
      warn: (m) => { this.warnings.push(m); },
    });
    this.net.require("NetworkJS").create(this.driver);
    this.http = this.net.require("http");
    this.netMod = this.net.require("net");
    this.dgram = this.net.require("dgram");
  }
  /** Virtual time: ms milliseconds, the socket idle once per millisecond. */
  run(ms: number): void {
    for (let i = 0; i < ms; i++) {
      this.rig.run(1);
      for (const h of this.hooks) h();
      this.net.idle();
    }
  }
  /** Called once per virtual millisecond before the socket idle (a test's resolver, ...). */
  hooks: (() => void)[] = [];
  until(cond: () => boolean, maxMs = 10000): boolean {
    for (let t = 0; t < maxMs && !cond(); t += 5) this.run(5);
    return cond();
  }
  private outq = new Map<number, { data: Buffer; close: boolean }>();
  /** A peer TCP server on port (the handler's calls; writes through peerSend are flushed on drained). */
  peerListen(port: number, h: Partial<TcpHandler>): void {
    const noop = () => undefined;
    this.rig.ptcp.listen(port, {
      open: h.open || noop, data: h.data || noop, peerClosed: h.peerClosed || noop, end: h.end || noop,
      drained: (c: number) => { this.flush(c); if (h.drained) h.drained(c); },
    } as TcpHandler);
  }
  /** Sends all of s on the peer's connection c (the rest when space comes back), then closes if asked. */
  peerSend(c: number, s: string, close = false): void {
    const q = this.outq.get(c);
    const b = Buffer.from(s, "latin1");
    this.outq.set(c, { data: q ? Buffer.concat([q.data, b]) : b, close: close || (q ? q.close : false) });
    this.flush(c);
  }
  private flush(c: number): void {
    const q = this.outq.get(c);
    if (!q) return;
    const n = this.rig.ptcp.write(c, q.data, 0, q.data.length);
    q.data = q.data.subarray(n);
    if (q.data.length === 0) {
      this.outq.delete(c);
      if (q.close) this.rig.ptcp.close(c);
    }
  }
  /** Driver sockets in use and TCP slots not CLOSED (no leak: both back to their baseline). */
  inUse(): number { return this.driver.inUse(); }
  tcpBusy(): number {
    let k = 0;
    for (let c = 0; c < this.rig.dev.tcp.slots.st.length; c++) if (this.rig.dev.tcp.state(c) !== 0) k++;
    return k;
  }
}
