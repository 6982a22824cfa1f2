// TAP back-end: the emulated wire attached to an existing Linux TAP device, so the kernel's
// own stack is the peer. Node cannot issue the TUNSETIFF ioctl, so a small helper process
// (tools/tap-bridge.py) holds the TAP file descriptor and relays frames over its stdin/stdout
// with a 2-byte big-endian length prefix.

import { spawn, ChildProcess } from "child_process";
import * as path from "path";

export interface TapLink {
  send(frame: Uint8Array): void;
  close(): void;
  child: ChildProcess;
  /** Resolves once the bridge holds the TAP device; rejects with its message if it cannot. */
  attached: Promise<void>;
}

export function bridgeScript(): string {
  // build/sim/tap.js -> <repo>/tools/tap-bridge.py
  return path.resolve(__dirname, "..", "..", "tools", "tap-bridge.py");
}

export function openTap(ifname: string, onFrame: (frame: Uint8Array) => void, onExit: (msg: string) => void): TapLink {
  const child = spawn("python3", ["-u", bridgeScript(), ifname], { stdio: ["pipe", "pipe", "pipe"] });
  let pending: Buffer = Buffer.alloc(0);
  let closing = false;
  child.stdout!.on("data", (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      const n = pending.readUInt16BE(0);
      if (pending.length < 2 + n) break;
      onFrame(new Uint8Array(pending.subarray(2, 2 + n)));
      pending = pending.subarray(2 + n);
    }
  });
  let err = "";
  let isAttached = false;
  let attachOk: () => void = () => {};
  let attachFail: (e: Error) => void = () => {};
  const attached = new Promise<void>((res, rej) => { attachOk = res; attachFail = rej; });
  const timer = setTimeout(() => attachFail(new Error("tap bridge for " + ifname + " did not attach within 10 s: " + err.trim())), 10000);
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    if (!isAttached && /tap-bridge: attached/.test(err)) { isAttached = true; clearTimeout(timer); attachOk(); }
  });
  child.stdin!.on("error", () => { /* bridge gone: reported by exit */ });
  child.on("exit", (code, sig) => {
    clearTimeout(timer);
    const msg = "tap bridge for " + ifname + " exited (" + (sig || code) + "): " + err.trim();
    if (!isAttached) attachFail(new Error(msg));
    else if (!closing) onExit(msg);
  });
  child.on("error", (e) => { clearTimeout(timer); attachFail(new Error("cannot start the tap bridge (python3): " + e.message)); });
  return {
    child,
    attached,
    send(frame: Uint8Array): void {
      if (closing || !child.stdin!.writable) return;
      const h = Buffer.alloc(2);
      h.writeUInt16BE(frame.length, 0);
      child.stdin!.write(Buffer.concat([h, Buffer.from(frame.buffer, frame.byteOffset, frame.length)]));
    },
    close(): void {
      closing = true;
      child.stdin!.end();
      if (child.exitCode === null && child.pid) {
        try { child.kill("SIGTERM"); } catch { /* already gone */ }
      }
    },
  };
}
