/// <reference path="./espruino.d.ts" />
// HAL over Espruino's globals (device code). One SPI.send/SPI.write per transaction with the
// board's CS pin, so CS stays low for the whole command; pins, setWatch, getTime, timers.
// Espruino's SPI.send returns a new array (native allocation, unavoidable); nothing else here
// allocates per call except a subarray view when a caller sends fewer bytes than its buffer.

import { Hal, SpiPort, OutputPin, InputPin, Clock, Timers } from "./types";
import { BoardConfig } from "../boards/board";

export function createEspruinoHal(board: BoardConfig): Hal {
  var spi = board.spi;
  var cs = board.cs;
  cs.write(1);
  spi.setup({ sck: board.sck, miso: board.miso, mosi: board.mosi, baud: board.baud, mode: 0 });

  var port: SpiPort = {
    transfer: function (buf: Uint8Array, len: number): void {
      buf.set(spi.send(len === buf.length ? buf : buf.subarray(0, len), cs));
    },
    write: function (buf: Uint8Array, len: number): void {
      spi.write(len === buf.length ? buf : buf.subarray(0, len), cs);
    },
  };

  var clock: Clock = {
    now: function (): number {
      return getTime() * 1000;
    },
  };

  var timers: Timers = {
    after: function (ms: number, fn: () => void): any {
      return setTimeout(fn, ms);
    },
    every: function (ms: number, fn: () => void): any {
      return setInterval(fn, ms);
    },
    cancel: function (id: any): void {
      // Espruino keeps timeouts and intervals in one table: clearTimeout clears either.
      clearTimeout(id);
    },
  };

  var hal: Hal = { spi: port, clock: clock, timers: timers };

  var resetPin = board.reset;
  if (resetPin) {
    var rp = resetPin;
    rp.write(1);
    var reset: OutputPin = {
      set: function (high: boolean): void {
        rp.write(high);
      },
    };
    hal.reset = reset;
  }

  var intPinName = board.int;
  if (intPinName) {
    var ip = intPinName;
    ip.mode("input_pullup");
    var intPin: InputPin = {
      read: function (): boolean {
        return ip.read();
      },
      onFalling: function (fn: () => void): void {
        setWatch(
          function () {
            fn();
          },
          ip,
          { edge: "falling", repeat: true },
        );
      },
    };
    hal.int = intPin;
  }
  return hal;
}
