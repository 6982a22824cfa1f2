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
  /** Connections relayed to the device at once (the device's HTTP connections; default 7). */
  maxActive?: number;
  /** How long a connection may wait for a free device connection before a 503 (default QUEUE_WAIT_MS). */
  queueWaitMs?: number;
  log: (line: string) => void;
}

/** Default longest wait in the gateway's queue: longer than the device's keep-alive idle close (5 s). */
export const QUEUE_WAIT_MS = 10000;
/** Connections waiting at most in the gateway's queue; more get a 503 at once. */
export const QUEUE_MAX = 256;
/** Tries to open a connection to the device that resets it before it is established. */
const CONNECT_ATTEMPTS = 4;
/** A retry resends at most this much (a request, not an upload). */
const RETRY_MAX_BYTES = 65536;
/** TcpHandler.end() reasons, as words. */
const END_WORDS = ["closed", "reset", "timed out", "aborted", "refused"];

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
  // Half-open allowed: a client that sends its request and shuts its sending side (nc -N, HTTP/1.0
  // tools) still gets the answer; the half-close is relayed to the device as a FIN.
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    counters.accepted++;
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    admit(sock);
  });

  // The device serves a few connections at once (its TCP slots, one kept for a 503): the gateway
  // relays at most maxActive at a time and queues the rest, so no connection ever meets a device
  // that cannot take it. A connection queued longer than QUEUE_WAIT_MS, or beyond QUEUE_MAX, or
  // one the device refused before answering, gets a 503 with Retry-After from the gateway: every
  // connection ends with an HTTP response, never an empty close.
  const maxActive = Math.max(1, o.maxActive || 7);
  const queueWaitMs = o.queueWaitMs || QUEUE_WAIT_MS;
  let active = 0;
  const queue: { sock: net.Socket; start: () => void; since: number }[] = [];

  function unavailable(sock: net.Socket, why: string): void {
    counters.refused++;
    if (sock.destroyed || !sock.writable) { sock.destroy(); return; }
    const body = why + "\n";
    sock.end("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n" +
      "Connection: close\r\nContent-Length: " + Buffer.byteLength(body) + "\r\n\r\n" + body);
    // the client may keep its side open: close after a grace period
    setTimeout(() => sock.destroy(), 2000).unref();
  }
  function release(): void {
    active--;
    // not from inside the TCP callback that ended the connection
    setImmediate(drain);
  }
  function drain(): void {
    while (!closed && queue.length && active < maxActive) {
      const q = queue.shift()!;
      if (q.sock.destroyed) continue;
      q.start();
    }
  }
  const queueTimer = setInterval(() => {
    const now = performance.now();
    while (queue.length && now - queue[0].since >= queueWaitMs) {
      const q = queue.shift()!;
      unavailable(q.sock, "The simulated device is busy (all its connections in use); try again.");
    }
  }, 100);

  function admit(sock: net.Socket): void {
    // Until it is relayed, what the client sends is kept (bounded by the pause below).
    const early: Buffer[] = [];
    let earlyBytes = 0;
    let earlyEnd = false;
    const onData = (d: Buffer): void => { early.push(Buffer.from(d)); earlyBytes += d.length; if (earlyBytes >= 65536) sock.pause(); };
    const onEnd = (): void => { earlyEnd = true; };
    sock.on("data", onData);
    sock.on("end", onEnd);
    sock.on("error", () => { /* handled by close */ });
    const start = (): void => {
      sock.off("data", onData);
      sock.off("end", onEnd);
      relay(sock, early, earlyEnd);
    };
    if (!o.deviceIp()) { unavailable(sock, "The simulated device has no address yet (DHCP in progress)."); return; }
    if (active < maxActive) { start(); return; }
    if (queue.length >= QUEUE_MAX) { unavailable(sock, "The simulated device is busy (all its connections in use); try again."); return; }
    queue.push({ sock, start, since: performance.now() });
  }

  /** attempt: a connection the device reset before answering anything (not established yet, or
   *  evicted as idle when its slots ran out) is tried again with the same bytes, up to
   *  CONNECT_ATTEMPTS times: the device's handlers answer in the call that reads the request, so
   *  a connection reset without a byte of answer was not served. */
  function relay(sock: net.Socket, pending: Buffer[], hostEnded: boolean, attempt = 1): void {
    const dev = o.deviceIp();
    let queuedBytes = 0;
    for (const b of pending) queuedBytes += b.length;
    let finSent = false;
    let done = false;
    let answered = false;   // a byte from the device reached the client
    let opened = false;     // established: a close before that would abort the connection (RFC 793)
    let c = -1;
    const sent: Buffer[] = [];   // what went to the device while nothing came back (for a retry)
    let sentBytes = 0;
    active++;
    function finish(): void { if (!done) { done = true; release(); } }
    function flush(): void {
      if (c < 0 || done || !opened) return;   // nothing is written before the device accepted: a retry resends it all
      while (pending.length) {
        const b = pending[0];
        const n = tcp.write(c, b, 0, b.length);
        if (n <= 0) break;
        counters.bytesToDevice += n;
        queuedBytes -= n;
        if (!answered && sentBytes <= RETRY_MAX_BYTES) { sent.push(b.subarray(0, n)); sentBytes += n; }
        if (n < b.length) { pending[0] = b.subarray(n); break; }
        pending.shift();
      }
      if (queuedBytes < 65536 && sock.isPaused()) sock.resume();
      if (opened && !pending.length && hostEnded && !finSent) { finSent = true; tcp.close(c); }
      schedulePoll();
    }
    const h: TcpHandler = {
      open() { counters.relayed++; opened = true; flush(); },
      data(_c, buf, off, len) {
        counters.bytesFromDevice += len;
        answered = true;
        sock.write(Buffer.from(buf.subarray(off, off + len)));
      },
      drained() { flush(); },
      peerClosed() { sock.end(); if (!hostEnded) { hostEnded = true; flush(); } },
      end(_c, reason) {
        finish();
        if (reason !== 0 && !answered && sentBytes <= RETRY_MAX_BYTES && attempt < CONNECT_ATTEMPTS && !sock.destroyed) {
          detach();
          const again = sent.concat(pending);
          active++;   // keeps its place: tried again shortly, ahead of the queue
          setTimeout(() => { active--; if (!sock.destroyed && !closed) relay(sock, again, hostEnded, attempt + 1); else drain(); }, 50 * attempt);
          return;
        }
        if (reason === 0) sock.end();
        else if (!answered) unavailable(sock, "The simulated device did not take the connection (" + END_WORDS[reason] + "); try again.");
        else sock.destroy();
      },
    };
    c = tcp.connect(dev, o.devicePort, h);
    if (c < 0) { finish(); unavailable(sock, "The gateway has no free connection to the device; try again."); return; }
    const onData = (d: Buffer): void => {
      pending.push(Buffer.from(d));
      queuedBytes += d.length;
      if (queuedBytes >= 65536) sock.pause();
      flush();
    };
    const onEnd = (): void => { hostEnded = true; flush(); };
    const onClose = (): void => { if (!done) { finish(); if (!finSent) tcp.abort(c); schedulePoll(); } };
    function detach(): void { sock.off("data", onData); sock.off("end", onEnd); sock.off("close", onClose); }
    sock.on("data", onData);
    sock.on("end", onEnd);
    sock.on("close", onClose);
    if (sock.isPaused()) sock.resume();
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
      clearInterval(queueTimer);
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
