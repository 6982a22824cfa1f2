// HAL over Espruino's globals (device code). One SPI.send/SPI.write per transaction with the
// board's CS pin, so CS stays low for the whole command; pins, setWatch, getTime, timers.
// Espruino's SPI.send returns a new array (native allocation, unavoidable); nothing else here
// allocates per call except a subarray view when a caller sends fewer bytes than its buffer.

import { Hal } from "./types";

/** How the ENC28J60 is wired to an Espruino board (boards/board.ts extends it). */
export interface EspruinoWiring {
  /** The SPI peripheral the ENC28J60 hangs on (an Espruino global such as SPI2). */
  spi: SPI;
  sck: Pin;
  miso: Pin;
  mosi: Pin;
  cs: Pin;
  /** ENC28J60 INT (active low); without it the driver polls. */
  int?: Pin;
  /** ENC28J60 RESET (active low); without it the driver uses the soft reset command. */
  reset?: Pin;
  /** SPI clock in Hz: the fastest in-spec rate the board really produces (>= 8 MHz, <= 20 MHz). */
  baud: number;
}

export function createEspruinoHal(board: EspruinoWiring): Hal {
  var spi = board.spi;
  var cs = board.cs;
  cs.write(1); // deselected until the first transaction
  // SPI mode 0 (CPOL 0, CPHA 0): the only mode the ENC28J60 supports.
  spi.setup({ sck: board.sck, miso: board.miso, mosi: board.mosi, baud: board.baud, mode: 0 });

  // Each sends buf itself, or a view of its first len bytes (no helper: one call less per transaction).
  var hal: Hal = {
    spi: {
      transfer: function (buf: Uint8Array, len: number): void {
        buf.set(spi.send(len === buf.length ? buf : buf.subarray(0, len), cs));
      },
      write: function (buf: Uint8Array, len: number): void {
        spi.write(len === buf.length ? buf : buf.subarray(0, len), cs);
      },
    },
    clock: {
      now: function (): number {
        return getTime() * 1000; // getTime() is in seconds
      },
    },
    timers: {
      after: function (ms: number, fn: () => void): any {
        return setTimeout(fn, ms);
      },
      every: function (ms: number, fn: () => void): any {
        return setInterval(fn, ms);
      },
      // Espruino keeps timeouts and intervals in one table: clearTimeout clears either.
      cancel: clearTimeout,
    },
  };

  var rp = board.reset;
  if (rp) {
    rp.write(1);
    hal.reset = {
      set: function (high: boolean): void {
        (rp as Pin).write(high);
      },
    };
  }

  var ip = board.int;
  if (ip) {
    ip.mode("input_pullup");
    hal.int = {
      read: function (): boolean {
        return (ip as Pin).read();
      },
      onFalling: function (fn: () => void): void {
        setWatch(fn, ip as Pin, { edge: "falling", repeat: true });
      },
    };
  }
  return hal;
}
