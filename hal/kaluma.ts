// HAL over Kaluma's globals and modules (JerryScript 3.0 on the Raspberry Pi Pico 2 / Pico;
// device code). Read from Kaluma 1.3.0-beta.2's sources:
// - SPI: require("spi").SPI, mode 0, MSB first. It has no chip-select argument, so CS is a GPIO
//   driven here around each call. Its transfer() and send() clock out the WHOLE ArrayBuffer
//   under a view and ignore the view's offset and length, so every call gets an array that owns
//   its buffer and is exactly len long: the caller's own when it already is, else a scratch copy
//   (one per small length, kept; one for the last large length, reused while frames keep that
//   size). transfer() returns a new array (allocated outside the JS heap): copied back with set.
// - INT: setWatch(fn, pin, FALLING), polled by Kaluma's event loop (never attachInterrupt, which
//   would run JS inside the IRQ handler); the application keeps its slow poll as a backstop.
// - Clock: millis(). Timers: setTimeout/setInterval share one table; clearTimeout(undefined)
//   throws, so cancel() checks.

import { Hal } from "./types";

/** How the ENC28J60 is wired to a Kaluma board: GPIO numbers and the SPI bus number. */
export interface KalumaWiring {
  /** The SPI bus (0 or 1 on the RP2040/RP2350). */
  bus: number;
  sck: number;
  miso: number;
  mosi: number;
  cs: number;
  /** ENC28J60 INT (active low); without it the driver polls. */
  int?: number;
  /** ENC28J60 RESET (active low); without it the driver uses the soft reset command. */
  reset?: number;
  /** SPI clock in Hz (<= 20 MHz, the ENC28J60's limit). */
  baud: number;
}

/** The part of Kaluma's SPI object used here. */
interface KalumaSpi {
  transfer(data: Uint8Array, timeout?: number): Uint8Array;
  send(data: Uint8Array, timeout?: number, count?: number): number;
}

const enum K {
  /** ms per SPI call before Kaluma throws (its default is 5000; a frame takes about 1 ms). */
  SPI_TIMEOUT = 100,
  /** Scratch buffers are kept for every length up to this (commands, headers). */
  SMALL = 16,
}

export function createKalumaHal(w: KalumaWiring): Hal {
  var SPI = require("spi").SPI;
  var spi: KalumaSpi = new SPI(w.bus, { mode: SPI.MODE_0, baudrate: w.baud, bitorder: SPI.MSB, sck: w.sck, mosi: w.mosi, miso: w.miso });
  var cs = w.cs;
  pinMode(cs, OUTPUT);
  digitalWrite(cs, HIGH); // deselected until the first transaction
  var small: Uint8Array[] = [];
  var big: Uint8Array | null = null;

  /** buf[0..len) in an array that owns exactly len bytes (buf itself when it does). */
  function owned(buf: Uint8Array, len: number): Uint8Array {
    if (buf.byteOffset === 0 && buf.buffer.byteLength === len) return buf;
    var o: Uint8Array;
    if (len <= K.SMALL) o = small[len] || (small[len] = new Uint8Array(len));
    else o = big && big.length === len ? big : (big = new Uint8Array(len));
    o.set(len === buf.length ? buf : buf.subarray(0, len));
    return o;
  }

  var hal: Hal = {
    spi: {
      transfer: function (buf: Uint8Array, len: number): void {
        var o = owned(buf, len), r: Uint8Array;
        digitalWrite(cs, LOW);
        try { r = spi.transfer(o, K.SPI_TIMEOUT); } finally { digitalWrite(cs, HIGH); }
        buf.set(r);
      },
      write: function (buf: Uint8Array, len: number): void {
        var o = owned(buf, len);
        digitalWrite(cs, LOW);
        try { spi.send(o, K.SPI_TIMEOUT); } finally { digitalWrite(cs, HIGH); }
      },
    },
    clock: { now: millis },
    timers: {
      after: function (ms: number, fn: () => void): any {
        return setTimeout(fn, ms);
      },
      every: function (ms: number, fn: () => void): any {
        return setInterval(fn, ms);
      },
      cancel: function (id: any): void {
        if (typeof id === "number") clearTimeout(id);
      },
    },
  };

  var rp = w.reset;
  if (rp !== undefined) {
    pinMode(rp, OUTPUT);
    digitalWrite(rp, HIGH);
    hal.reset = {
      set: function (high: boolean): void {
        digitalWrite(rp as number, high ? HIGH : LOW);
      },
    };
  }

  var ip = w.int;
  if (ip !== undefined) {
    pinMode(ip, INPUT_PULLUP);
    hal.int = {
      read: function (): boolean {
        return digitalRead(ip as number) === HIGH;
      },
      onFalling: function (fn: () => void): void {
        setWatch(function (): void { fn(); }, ip as number, FALLING);
      },
    };
  }
  return hal;
}
