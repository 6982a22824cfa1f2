// The runtime loop shared by the demo app (firmware/app/app.ts) and the library module
// (firmware/lib/eth.ts): the chip's INT handler (or a poll timer without INT) and the stack's
// tick, fast (TICK_MS) while something happens, coarse (IDLE_TICK_MS) once all is quiet and no
// TCP connection is open. Timers run only through the HAL.

import { Hal } from "../../hal/types";
import { Enc28j60 } from "../../drivers/enc28j60/driver";
import { Stack } from "../net/stack";
import { Tcp } from "../tcp/tcp";
import { STATE_COUNT, State } from "../tcp/states";
import { sum } from "../../hal/natives";

/** The loop's numbers (const enum: tsc writes them in place). */
export const enum Run {
  /** Without the INT pin: poll the chip this often (ms). */
  POLL_MS = 20,
  /** The stack's (and TCP's and the HTTP server's) tick (ms) while something is going on. */
  TICK_MS = 100,
  /**
   * The coarse tick (ms) once nothing happened for QUIET_TICKS ticks and no TCP connection is
   * open (listeners only): DHCP, ARP aging and ICMP's token bucket need no more. An INT edge
   * brings the fast tick back.
   */
  IDLE_TICK_MS = 1000,
  QUIET_TICKS = 20,
  /** With INT: the chip is also polled every this many fast ticks, and at every coarse tick (a lost edge). */
  BACKSTOP_TICKS = 10,
}

export interface Runner {
  /** INT handler (and the polling timer without INT): the fast tick again, then the chip. */
  service(): void;
  /** Starts the INT watch (or the poll timer) and the tick. */
  start(): void;
}

/** The loop over driver and stack; tcp() gives TCP once made (null: none), for the idle check. */
export function createRunner(hal: Hal, driver: Enc28j60, stack: Stack, tcp: () => Tcp | null): Runner {
  var tickTimer: any = null, coarse = false, quiet = 0, sinceBackstop = 0;
  var stateCounts = new Uint16Array(STATE_COUNT);
  /** Reads what the chip has: handles its events and the frames waiting; returns how many were. */
  function serviceChip(): number {
    var n = driver.service();
    stack.poll();
    return n;
  }
  function service(): void {
    quiet = 0;
    if (coarse) setTick(false);
    serviceChip();
  }
  function setTick(slow: boolean): void {
    coarse = slow;
    if (tickTimer !== null) hal.timers.cancel(tickTimer);
    tickTimer = hal.timers.every(slow ? Run.IDLE_TICK_MS : Run.TICK_MS, tick);
  }
  /** True when no TCP connection is open (listeners aside). */
  function noConnections(): boolean {
    var t = tcp();
    if (!t) return true;
    t.stateCounts(stateCounts);
    return stateCounts[State.CLOSED] + stateCounts[State.LISTEN] === sum(stateCounts);
  }
  function tick(): void {
    stack.tick();
    if (hal.int && (coarse || ++sinceBackstop >= Run.BACKSTOP_TICKS)) {
      sinceBackstop = 0;
      if (serviceChip() && coarse) { quiet = 0; setTick(false); }   // frames behind a lost edge
    }
    if (!coarse && ++quiet >= Run.QUIET_TICKS) {
      quiet = 0;
      if (noConnections()) setTick(true);
    }
  }
  return {
    service: service,
    start: function (): void {
      // With INT: no poll timer (the tick polls as a backstop); without it, a fast poll.
      driver.watch(service, hal.int ? 0 : Run.POLL_MS);
      setTick(false);
    },
  };
}
