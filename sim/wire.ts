// The emulated Ethernet wire between the simulated board's ENC28J60 and one peer (a TAP device
// or the user-space gateway), with optional seeded frame loss and a pcap capture.

import * as fs from "fs";

/** Deterministic PRNG (mulberry32): the same seed gives the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides which frames are lost: a fraction `p` at random, from `seed`. */
export interface LossFilter { drop(): boolean; dropped: number; passed: number }
export function createLossFilter(p: number, seed: number): LossFilter {
  const rnd = seededRandom(seed);
  const f: LossFilter = {
    dropped: 0,
    passed: 0,
    drop(): boolean {
      if (p <= 0) { f.passed++; return false; }
      const lost = rnd() < p;
      if (lost) f.dropped++; else f.passed++;
      return lost;
    },
  };
  return f;
}

/** Writes Ethernet frames (linktype 1) to a classic pcap file, synchronously. */
export class PcapWriter {
  private fd: number;
  frames = 0;
  constructor(file: string) {
    this.fd = fs.openSync(file, "w");
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0); // magic (microsecond timestamps)
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8); // thiszone
    h.writeUInt32LE(0, 12); // sigfigs
    h.writeUInt32LE(65535, 16); // snaplen
    h.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
    fs.writeSync(this.fd, h);
  }
  write(frame: Uint8Array, timeMs: number = Date.now()): void {
    if (this.fd < 0) return;
    const r = Buffer.alloc(16);
    const sec = Math.floor(timeMs / 1000);
    r.writeUInt32LE(sec, 0);
    r.writeUInt32LE(Math.floor((timeMs - sec * 1000) * 1000), 4);
    r.writeUInt32LE(frame.length, 8);
    r.writeUInt32LE(frame.length, 12);
    fs.writeSync(this.fd, r);
    fs.writeSync(this.fd, frame);
    this.frames++;
  }
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}

/** Reads a classic little-endian pcap file (for tests and tools). */
export function readPcap(file: string): { linktype: number; frames: { time: number; data: Buffer }[] } {
  const b = fs.readFileSync(file);
  if (b.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error("not a little-endian microsecond pcap file");
  const linktype = b.readUInt32LE(20);
  const frames: { time: number; data: Buffer }[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const sec = b.readUInt32LE(o), usec = b.readUInt32LE(o + 4), incl = b.readUInt32LE(o + 8);
    frames.push({ time: sec * 1000 + usec / 1000, data: b.subarray(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  return { linktype, frames };
}

/** The chip's side of the wire (Enc28j60Emulator has these). */
export interface WireChip {
  deliver(frame: Uint8Array): boolean;
  onTransmit(fn: (frame: Uint8Array, time: number) => void): void;
}

export interface WireOptions { pcap?: string; loss?: number; seed?: number }

export interface Wire {
  /** A frame from the peer towards the device (may be lost). */
  toDevice(frame: Uint8Array): void;
  /** Where frames the device transmits go (after loss). */
  onFromDevice(fn: (frame: Uint8Array) => void): void;
  /** Extra observers of every frame that crossed the wire (both directions). */
  observe(fn: (frame: Uint8Array, fromDevice: boolean) => void): void;
  counters: { toDevice: number; fromDevice: number; lostToDevice: number; lostFromDevice: number; refusedByChip: number };
  close(): void;
}

/**
 * Connects the chip to a peer. The pcap file records the frames that crossed the wire (lost
 * frames are not in it). Loss decisions come from one seeded sequence in the order frames
 * arrive, so a run with the same seed and the same traffic loses the same frames.
 */
export function createWire(chip: WireChip, opts: WireOptions = {}): Wire {
  const loss = createLossFilter(opts.loss || 0, opts.seed === undefined ? 1 : opts.seed);
  const pcap = opts.pcap ? new PcapWriter(opts.pcap) : null;
  const observers: ((f: Uint8Array, fromDevice: boolean) => void)[] = [];
  let peer: ((f: Uint8Array) => void) | null = null;
  let closed = false;
  const counters = { toDevice: 0, fromDevice: 0, lostToDevice: 0, lostFromDevice: 0, refusedByChip: 0 };
  chip.onTransmit((frame) => {
    if (closed) return;
    if (loss.drop()) { counters.lostFromDevice++; return; }
    const copy = new Uint8Array(frame); // the chip may reuse its buffer
    counters.fromDevice++;
    if (pcap) pcap.write(copy);
    for (const o of observers) o(copy, true);
    if (peer) peer(copy);
  });
  return {
    counters,
    toDevice(frame: Uint8Array): void {
      if (closed) return;
      if (loss.drop()) { counters.lostToDevice++; return; }
      counters.toDevice++;
      if (pcap) pcap.write(frame);
      for (const o of observers) o(frame, false);
      if (!chip.deliver(frame)) counters.refusedByChip++;
    },
    onFromDevice(fn) { peer = fn; },
    observe(fn) { observers.push(fn); },
    close(): void {
      closed = true;
      if (pcap) pcap.close();
    },
  };
}
