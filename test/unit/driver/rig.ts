// Test rig for the ENC28J60 driver: emulator + mocked SPI + driver, a seeded PRNG, frame
// builders, an SPI proxy that logs and can lie, and a deliberately naive driver that the
// fault tests run side by side with the real one (it must fail where the real one passes).

import { Enc28j60Emulator, EmulatorOptions } from "../../../emu/enc28j60/emulator";
import { createHostHal, HostHal } from "../../../hal/host/host-hal";
import { createEnc28j60, Enc28j60, Enc28j60Options } from "../../../drivers/enc28j60/driver";
import { SpiPort } from "../../../hal/types";
import { seededRandom } from "../../../sim/wire";

export const MAC = new Uint8Array([0x02, 0x00, 0x5e, 0x10, 0x20, 0x31]);
export const PEER = new Uint8Array([0x02, 0x99, 0x88, 0x77, 0x66, 0x55]);

/** mulberry32: small, seeded, deterministic (the same generator as the sim's loss filter). */
export const prng = seededRandom;

/** A frame to `dst` of `size` bytes (no CRC): ethertype 0x88B5, sequence number, PRNG payload. */
export function makeFrame(size: number, seq: number, rnd: () => number, dst: Uint8Array = MAC): Uint8Array {
  const f = new Uint8Array(size);
  f.set(dst, 0);
  f.set(PEER, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  f[14] = seq >>> 24;
  f[15] = (seq >>> 16) & 255;
  f[16] = (seq >>> 8) & 255;
  f[17] = seq & 255;
  for (let i = 18; i < size; i++) f[i] = (rnd() * 256) | 0;
  return f;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bytes a packet takes in the receive ring: 6-byte header + frame (min 60) + CRC, even. */
export function ringBytes(size: number): number {
  const n = (size < 60 ? 60 : size) + 4;
  return 6 + n + (n & 1);
}

/** An SPI port in front of another: logs transactions (opcode + first argument) and can rewrite answers. */
export interface ProxySpi extends SpiPort {
  log: number[]; // opcode byte, argument byte, per transaction (when logging)
  logging: boolean;
  /** Called after each transfer with the opcode sent and the buffer as answered; may change the answer. */
  tamper: ((op: number, buf: Uint8Array, len: number) => void) | null;
  transactions: number;
}

export function proxySpi(inner: SpiPort): ProxySpi {
  const p: ProxySpi = {
    log: [],
    logging: false,
    tamper: null,
    transactions: 0,
    transfer(buf, len) {
      p.transactions++;
      if (p.logging) p.log.push(buf[0], len > 1 ? buf[1] : -1);
      const op = buf[0];
      inner.transfer(buf, len);
      if (p.tamper) p.tamper(op, buf, len);
    },
    write(buf, len) {
      p.transactions++;
      if (p.logging) p.log.push(buf[0], len > 1 ? buf[1] : -1);
      inner.write(buf, len);
    },
  };
  return p;
}

export interface Rig {
  emu: Enc28j60Emulator;
  hal: HostHal;
  spi: ProxySpi;
  drv: Enc28j60;
}

/** Emulator + host HAL (SPI behind a proxy) + driver; `noResetPin` leaves the RESET line unwired (SRC only). */
export function makeRig(opts?: Enc28j60Options, emuOpts?: EmulatorOptions, noInit?: boolean, noResetPin?: boolean): Rig {
  const emu = new Enc28j60Emulator(emuOpts);
  const hal = createHostHal(emu);
  const spi = proxySpi(hal.spi);
  hal.spi = spi;
  if (noResetPin) delete (hal as { reset?: unknown }).reset;
  const drv = createEnc28j60(hal, MAC, opts);
  if (!noInit) drv.init();
  return { emu, hal, spi, drv };
}

/** Copies of every frame receive() returns until it returns 0 (bounded). */
export function drain(drv: { receive(): number; rx: Uint8Array }, max = 10000): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < max; i++) {
    const n = drv.receive();
    if (n <= 0) break;
    out.push(drv.rx.slice(0, n));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The naive driver: what a first attempt from the datasheet's happy path looks like.
// - init: SRC, then trusts the first CLKRDY (erratum 2), no HDLDIS (erratum 9), ERXRDPT = ERXST = 0
// - receive: EPKTCNT, ERDPT = next, header, frame, ERXRDPT = next (even: erratum 14), PKTDEC;
//   believes every header
// - send: no TXRST (erratum 12), ESTAT.LATECOL (erratum 15) for collisions: never resends (13)
// - service: ignores RXERIF
// Every wait is bounded so the tests that show it failing still end.

export class NaiveEnc28j60 {
  readonly rx = new Uint8Array(1536);
  readonly tx = new Uint8Array(1518);
  private readonly b = new Uint8Array(1600);
  private next = 0;
  constructor(private readonly spi: SpiPort, private readonly mac: Uint8Array) {}

  private op(o: number, a: number, v: number): void {
    this.b[0] = o | a;
    this.b[1] = v;
    this.spi.write(this.b, 2);
  }
  private rcr(a: number): number {
    this.b[0] = a;
    this.b[1] = 0;
    this.spi.transfer(this.b, 2);
    return this.b[1];
  }
  private bank(n: number): void {
    this.op(0xa0, 0x1f, 3);
    this.op(0x80, 0x1f, n);
  }
  private wr(bank: number, a: number, v: number): void {
    this.bank(bank);
    this.op(0x40, a, v);
  }
  init(): void {
    this.b[0] = 0xff;
    this.spi.write(this.b, 1);
    for (let i = 0; i < 1000 && !(this.rcr(0x1d) & 1); i++) { /* CLKRDY */ }
    this.wr(0, 0x08, 0); this.wr(0, 0x09, 0); // ERXST
    this.wr(0, 0x0a, 0xff); this.wr(0, 0x0b, 0x19); // ERXND
    this.wr(0, 0x0c, 0); this.wr(0, 0x0d, 0); // ERXRDPT = 0 (even)
    this.wr(0, 0x04, 0x00); this.wr(0, 0x05, 0x1a); // ETXST
    this.wr(1, 0x18, 0xa1);
    this.wr(2, 0x00, 0x01); this.wr(2, 0x02, 0x32); this.wr(2, 0x03, 0x40);
    this.wr(2, 0x04, 0x12); this.wr(2, 0x06, 0x12); this.wr(2, 0x07, 0x0c);
    this.wr(2, 0x0a, 0xee); this.wr(2, 0x0b, 0x05);
    const m = this.mac;
    this.wr(3, 0x04, m[0]); this.wr(3, 0x05, m[1]); this.wr(3, 0x02, m[2]);
    this.wr(3, 0x03, m[3]); this.wr(3, 0x00, m[4]); this.wr(3, 0x01, m[5]);
    this.op(0x40, 0x1b, 0xc0 | 0x01); // INTIE | PKTIE | RXERIE
    this.op(0x80, 0x1f, 0x04); // RXEN
    this.next = 0;
  }
  pending(): number {
    this.bank(1);
    return this.rcr(0x19);
  }
  receive(): number {
    if (this.pending() === 0) return 0;
    this.wr(0, 0x00, this.next & 255);
    this.wr(0, 0x01, this.next >> 8);
    this.b[0] = 0x3a;
    this.spi.transfer(this.b, 7);
    const next = this.b[1] | (this.b[2] << 8);
    let n = (this.b[3] | (this.b[4] << 8)) - 4;
    if (n < 0) n = 0;
    if (n > 1536) n = 1536;
    this.b[0] = 0x3a;
    this.spi.transfer(this.b, n + 1);
    this.rx.set(this.b.subarray(1, n + 1));
    this.next = next;
    this.wr(0, 0x0c, next & 255);
    this.wr(0, 0x0d, next >> 8);
    this.op(0x80, 0x1e, 0x40); // PKTDEC
    return n;
  }
  /** Sends and waits (bounded by count only) for TXRTS; true when it cleared without ESTAT.LATECOL. */
  send(len: number): boolean {
    this.wr(0, 0x02, 0x00);
    this.wr(0, 0x03, 0x1a);
    this.b[0] = 0x7a;
    this.b[1] = 0;
    this.b.set(this.tx.subarray(0, len), 2);
    this.spi.write(this.b, len + 2);
    const end = 0x1a00 + len;
    this.wr(0, 0x06, end & 255);
    this.wr(0, 0x07, end >> 8);
    this.op(0xa0, 0x1c, 0x0a); // clear TXIF, TXERIF
    this.op(0x80, 0x1f, 0x08); // TXRTS
    for (let i = 0; i < 3000; i++) {
      if (!(this.rcr(0x1f) & 0x08)) return !(this.rcr(0x1d) & 0x10);
    }
    return false;
  }
  /** Reads the frames waiting; never looks at RXERIF. */
  service(): number {
    return this.pending();
  }
}
