// The default network back-end: a user-space gateway on the far end of the emulated wire.
// It owns 192.0.2.1 on the virtual link, answers DHCP (sim/dhcp.ts), and relays every TCP
// connection accepted on 127.0.0.1:<port> to the device (port 80) through the project's own
// IP stack and TCP in active-open mode, so the host-side endpoint is a real TCP peer.

import * as net from "net";
import { createStack, Stack } from "../firmware/net/stack";
import { createTcp, Tcp, TcpHandler } from "../firmware/tcp/tcp";
import { createHostNetif, HostNetif } from "./host-netif";
import { createDhcpServer, DhcpServer } from "./dhcp";
import type { Wire } from "./wire";
import { installEspruinoShims } from "../hal/host/espruino-shims";

export interface GatewayOptions {
  wire: Wire;
  mac: Uint8Array;
  ip: number;
  mask: number;
  /** DHCP pool handed to the device. */
  poolStart: number;
  poolEnd: number;
  leaseSeconds: number;
  /** The device's address once known (static or from our DHCP), else 0. */
  deviceIp: () => number;
  devicePort: number;
  listenHost: string;
  listenPort: number;
  slots: number;
  log: (line: string) => void;
}

export interface Gateway {
  stack: Stack;
  tcp: Tcp;
  dhcp: DhcpServer;
  netif: HostNetif;
  /** Resolves with the bound port once the listener is up. */
  listening: Promise<number>;
  counters: { accepted: number; relayed: number; refused: number; bytesToDevice: number; bytesFromDevice: number };
  close(): Promise<void>;
}

export function startGateway(o: GatewayOptions): Gateway {
  // The project's stack calls Espruino natives (E.sum): the host process needs the shims, installed
  // when a gateway starts, not when this module is imported.
  installEspruinoShims();
  const clock = { now: () => performance.now() };
  const netif = createHostNetif(o.mac, (f) => o.wire.toDevice(f));
  const stack = createStack(netif, clock, { ip: o.ip, mask: o.mask, gateway: 0 });
  const tcp = createTcp(stack, { slots: o.slots });
  const dhcp = createDhcpServer({
    serverIp: o.ip, serverMac: o.mac, mask: o.mask, router: o.ip,
    poolStart: o.poolStart, poolEnd: o.poolEnd, leaseSeconds: o.leaseSeconds,
  });
  const counters = { accepted: 0, relayed: 0, refused: 0, bytesToDevice: 0, bytesFromDevice: 0 };
  let pollQueued = false;
  let closed = false;
  function poll(): void {
    pollQueued = false;
    if (!closed) stack.poll();
  }
  function schedulePoll(): void {
    if (!pollQueued) { pollQueued = true; setImmediate(poll); }
  }
  o.wire.onFromDevice((f) => {
    const reply = dhcp.handle(f);
    if (reply) { setImmediate(() => { if (!closed) o.wire.toDevice(reply); }); return; }
    netif.push(f);
    schedulePoll();
  });
  const ticker = setInterval(() => { if (!closed) { stack.tick(); stack.poll(); } }, 100);

  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    counters.accepted++;
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    relay(sock);
  });

  function relay(sock: net.Socket): void {
    const dev = o.deviceIp();
    if (!dev) {
      counters.refused++;
      sock.end("HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nThe simulated device has no address yet (DHCP in progress).\n");
      return;
    }
    const pending: Buffer[] = [];
    let queuedBytes = 0;
    let hostEnded = false;
    let finSent = false;
    let done = false;
    let c = -1;
    function flush(): void {
      if (c < 0 || done) return;
      while (pending.length) {
        const b = pending[0];
        const n = tcp.write(c, b, 0, b.length);
        if (n <= 0) break;
        counters.bytesToDevice += n;
        queuedBytes -= n;
        if (n < b.length) { pending[0] = b.subarray(n); break; }
        pending.shift();
      }
      if (queuedBytes < 65536 && sock.isPaused()) sock.resume();
      if (!pending.length && hostEnded && !finSent) { finSent = true; tcp.close(c); }
      schedulePoll();
    }
    const h: TcpHandler = {
      open() { counters.relayed++; flush(); },
      data(_c, buf, off, len) {
        counters.bytesFromDevice += len;
        sock.write(Buffer.from(buf.subarray(off, off + len)));
      },
      drained() { flush(); },
      peerClosed() { sock.end(); if (!hostEnded) { hostEnded = true; flush(); } },
      end(_c, reason) {
        done = true;
        if (reason === 0) sock.end(); else sock.destroy();
      },
    };
    c = tcp.connect(dev, o.devicePort, h);
    if (c < 0) { counters.refused++; sock.destroy(); return; }
    sock.on("data", (d: Buffer) => {
      pending.push(Buffer.from(d));
      queuedBytes += d.length;
      if (queuedBytes >= 65536) sock.pause();
      flush();
    });
    sock.on("end", () => { hostEnded = true; flush(); });
    sock.on("error", () => { /* handled by close */ });
    sock.on("close", () => { if (!done && !finSent) { done = true; tcp.abort(c); schedulePoll(); } });
    schedulePoll();
  }

  const listening = new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.listenPort, o.listenHost, () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : o.listenPort);
    });
  });

  return {
    stack, tcp, dhcp, netif, counters, listening,
    close(): Promise<void> {
      closed = true;
      clearInterval(ticker);
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
