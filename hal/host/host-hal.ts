// Host HAL: the mocked SPI bus + the emulator's INT line, clock and timers (host only).
// INT edges are queued, not delivered inside the emulator call that caused them: on a board
// setWatch callbacks run from the idle loop, never in the middle of an SPI transaction.
// Call dispatch() (what Espruino's idle loop does) to run the queued callbacks.

import { Clock, Hal, InputPin, OutputPin, Timers } from "../types";
import { Enc28j60Emulator } from "../../emu/enc28j60/emulator";
import { createMockSpi } from "./mock-spi";

export interface HostHalOptions {
  /** Time source in ms; default: the emulator's own clock (moved by SPI traffic and advance()). */
  clock?: Clock;
  /** Timers; default: Node's setTimeout/setInterval. */
  timers?: Timers;
  /** Run queued INT callbacks on the next turn of Node's event loop as well (default false). */
  autoDispatch?: boolean;
}

export interface HostHal extends Hal {
  int: InputPin;
  reset: OutputPin;
  /** Runs INT callbacks for falling edges seen since the last call; returns how many edges. */
  dispatch(): number;
  /** Falling edges seen on INT since creation. */
  edges(): number;
}

export function createHostHal(emu: Enc28j60Emulator, opts?: HostHalOptions): HostHal {
  const o = opts || {};
  const clock: Clock = o.clock || { now: () => emu.now() };
  const timers: Timers = o.timers || {
    after: (ms, fn) => setTimeout(fn, ms),
    every: (ms, fn) => setInterval(fn, ms),
    cancel: (id) => clearTimeout(id),
  };
  const handlers: Array<() => void> = [];
  let queued = 0;
  let total = 0;
  let scheduled = false;

  function dispatch(): number {
    const n = queued;
    queued = 0;
    if (n > 0) for (let i = 0; i < handlers.length; i++) handlers[i]();
    return n;
  }

  emu.onIntChange((level) => {
    if (level) return;
    queued++;
    total++;
    if (o.autoDispatch && !scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        dispatch();
      });
    }
  });

  let resetLevel = true;
  return {
    spi: createMockSpi(emu),
    clock,
    timers,
    int: {
      read: () => emu.intLevel(),
      onFalling: (fn) => {
        handlers.push(fn);
      },
    },
    reset: {
      set: (high) => {
        // A rising edge after a low level is a hardware reset of the chip.
        if (high && !resetLevel) emu.hardwareReset();
        resetLevel = high;
      },
    },
    dispatch,
    edges: () => total,
  };
}
