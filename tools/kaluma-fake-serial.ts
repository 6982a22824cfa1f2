// Host tool, for `make flash-dry-run BOARD=kaluma-...`: a stand-in for the `serialport` package
// that plays a Kaluma board's side of what the @kaluma/cli tool (1.0.0) says to it, so the real
// CLI runs end to end without a board and everything it would send is captured:
// - `kaluma write`: "\r", ".flash -w\r", then a YMODEM upload (this side asks with 'C' and ACKs
//   every 1,024-byte packet, the EOT and the closing empty header), then ".load\r";
// - `kaluma put`: ".echo off", one line of JS that writes the file, then 128-byte packets, each
//   ACKed with 0x06 as Kaluma's process.stdout does, then ".echo on".
// Loaded with `node -r` before the CLI. Every byte the CLI writes is appended to the file named by
// FLASH_KALUMA_RECORD; what a board would have received (the program, the files) goes as JSON to
// FLASH_KALUMA_SUMMARY.

import * as fs from "fs";
import { EventEmitter } from "events";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require("module");

const STX = 0x02, EOT = 0x04, ACK = 0x06, C = 0x43;
const YMODEM_PACKET = 1024, PUT_PACKET = 128;

interface Summary { program?: { name: string; size: number; data: string }; files: { path: string; size: number; data: string }[]; lines: string[] }

function summaryFile(): string { return process.env.FLASH_KALUMA_SUMMARY || "/dev/null"; }
function load(): Summary {
  try { return JSON.parse(fs.readFileSync(summaryFile(), "utf8")); } catch (e) { return { files: [], lines: [] }; }
}

class FakeKaluma extends EventEmitter {
  isOpen = false;
  private mode: "repl" | "ymodem" | "put" = "repl";
  private line = "";
  private buf: number[] = [];
  private header: { name: string; size: number } | null = null;
  private data: number[] = [];
  private sawEot = false;
  private put: { path: string; left: number; data: number[] } | null = null;
  private summary = load();
  constructor(readonly path: string) { super(); }
  open(cb: (err: Error | null) => void): void { this.isOpen = true; setImmediate(() => cb(null)); }
  close(cb?: () => void): void { this.isOpen = false; this.save(); if (cb) setImmediate(cb); }
  drain(cb: (err: Error | null) => void): void { setImmediate(() => cb(null)); }
  write(data: any, enc?: any, cb?: any): boolean {
    const done = typeof enc === "function" ? enc : cb;
    const bytes: number[] = typeof data === "string" ? Array.from(Buffer.from(data, "latin1")) : Array.from(data as Uint8Array);
    if (process.env.FLASH_KALUMA_RECORD) fs.appendFileSync(process.env.FLASH_KALUMA_RECORD, Buffer.from(bytes));
    for (const b of bytes) this.byte(b);
    if (done) setImmediate(() => done(null));
    return true;
  }
  private reply(b: number): void { setImmediate(() => this.emit("data", Buffer.from([b]))); }
  private save(): void { fs.writeFileSync(summaryFile(), JSON.stringify(this.summary)); }
  private byte(b: number): void {
    if (this.mode === "ymodem") return this.ymodem(b);
    if (this.mode === "put") {
      const p = this.put!;
      p.data.push(b);
      this.buf.push(b);
      if (this.buf.length === Math.min(PUT_PACKET, p.left)) {
        p.left -= this.buf.length;
        this.buf = [];
        this.reply(ACK);
        if (p.left === 0) {
          this.summary.files.push({ path: p.path, size: p.data.length, data: Buffer.from(p.data).toString("base64") });
          this.save();
          this.mode = "repl";
        }
      }
      return;
    }
    if (b !== 0x0d) { this.line += String.fromCharCode(b); return; }
    const l = this.line.trim();
    this.line = "";
    if (!l) return;
    this.summary.lines.push(l.length > 120 ? l.slice(0, 120) + "..." : l);
    if (l === ".flash -w") {
      // a YMODEM receiver asks with 'C' again and again until the sender starts (the CLI listens
      // only 500 ms after sending the command)
      this.mode = "ymodem"; this.header = null; this.data = []; this.sawEot = false;
      this.asking = setInterval(() => this.emit("data", Buffer.from([C])), 200);
      return;
    }
    // the CLI's put code, minified by uglify-js: the path and the packet size are inlined, the size
    // stays the argument: ...open("/www-index.html","w")...})(6034);  (unminified: ('/p', 6034, 128))
    const p = /\.open\(["']([^"']+)["']/.exec(l), n = /\)\((?:'[^']*',\s*)?(\d+)(?:,\s*\d+)?\);?$/.exec(l);
    if (p && n && /require\(["']fs["']\)/.test(l)) {
      this.put = { path: p[1], left: Number(n[1]), data: [] };
      this.buf = [];
      this.mode = this.put.left > 0 ? "put" : "repl";
    }
  }
  private asking: NodeJS.Timeout | null = null;
  private ymodem(b: number): void {
    if (this.asking) { clearInterval(this.asking); this.asking = null; }
    if (this.buf.length === 0 && b === EOT) { this.sawEot = true; this.reply(ACK); return; }
    this.buf.push(b);
    if (this.buf[0] !== STX) { this.buf = []; return; }
    if (this.buf.length < 3 + YMODEM_PACKET + 2) return;
    const payload = this.buf.slice(3, 3 + YMODEM_PACKET);
    this.buf = [];
    if (!this.header) {
      const text = Buffer.from(payload).toString("latin1");
      const name = text.slice(0, text.indexOf("\0"));
      const size = parseInt(text.slice(name.length + 1), 10);
      this.header = { name, size };
    } else if (this.sawEot) {
      const h = this.header;
      this.summary.program = { name: h.name, size: h.size, data: Buffer.from(this.data.slice(0, h.size)).toString("base64") };
      this.save();
      this.mode = "repl";
    } else {
      for (const x of payload) this.data.push(x);
    }
    this.reply(ACK);
  }
}

function FakeSerialPort(this: any, path: string): any { return new FakeKaluma(path); }
(FakeSerialPort as any).list = (): Promise<any[]> => Promise.resolve([{ path: "/dev/fake-kaluma" }]);

const original = Module._load;
Module._load = function (request: string, ...rest: any[]): any {
  if (request === "serialport") return FakeSerialPort;
  return original.call(this, request, ...rest);
};
