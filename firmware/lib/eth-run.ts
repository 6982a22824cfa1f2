// The runtime loop shared by the demo app (firmware/app/app.ts) and the library module
// (firmware/lib/eth.ts). Idle means idle (issue #12): no periodic tick.
// - The chip: its INT line's falling edge services it (setWatch); without INT, a poll timer
//   (POLL_MS) does. A lost edge (Espruino's event queue full under load, a service that threw)
//   would stop the device for good: the chip holds INT low until served, so no edge follows.
//   So every tick first reads the INT pin (a native read, no SPI) and services the chip when it
//   is low; and before the runner goes idle (no deadline left) it reads the pin too, and looks
//   again RECHECK_MS later when it is low. No periodic backstop: on Espruino's Linux build every
//   pending timer costs about 4 k instructions per turn of its 1 kHz loop (2.6 M/s), and while
//   idle an edge cannot be lost (the event queue is empty).
// - The stack's tick: ONE one-shot timer, set to the next deadline: the stack's own (Stack.due:
//   link change, ARP retries and aging, DHCP, reassembly, DNS, mDNS), TCP's (tcpNextDue:
//   retransmission, delayed ACK, TIME-WAIT, probes), and while a connection is open (ESTABLISHED
//   to LAST-ACK) a coarse CONN_TICK_MS for the HTTP server's time-outs (no query of its own). The
//   deadline is looked at again after every service and tick; the timer is re-armed only when
//   the deadline is earlier than the armed one (a later one: the fire finds nothing due and arms
//   at it), so a transfer whose deadlines move on with every segment costs no timer per segment.
// - Sends from outside these callbacks (an application's timer writing to a connection, a DNS
//   lookup, NetworkJS) reach ipSend, which calls the stack's `wk` (set here only while the runner
//   is not in its own callbacks): one deferred look at the deadlines.
// Timers run only through the HAL (after, every, cancel).

import { Hal } from "../../hal/types";
import { Enc28j60 } from "../../drivers/enc28j60/driver";
import { Stack } from "../net/stack";
import { St, Size } from "../net/state";
import { Tcp, tcpNextDue } from "../tcp/tcp";
import { State } from "../tcp/states";
import { sum } from "../../hal/natives";

/** The loop's numbers (const enum: tsc writes them in place). */
export const enum Run {
  /** Without the INT pin: poll the chip this often (ms). */
  POLL_MS = 20,
  /** TCP asks for a tick at the old rate (tcpNextDue 0: writers wait for send-pool space): ms. */
  TICK_MS = 100,
  /**
   * While a connection is open: a tick at least this often (ms), for the HTTP server's
   * time-outs (408 after 5 s, keep-alive close after 5 s, stalled sends after 20 s: they fire
   * within this much of their time).
   */
  CONN_TICK_MS = 500,
  /** Going idle with the INT pin low: a tick this much later reads it again (ms). */
  RECHECK_MS = 10,
}

export interface Runner {
  /** INT handler (and the poll timer without INT): the chip, then the deadlines. */
  service(): void;
  /** Starts the INT watch (or the poll timer) and the deadline timer. */
  start(): void;
  /** Looks at the deadlines again (after a call that may have set one without sending). */
  wake(): void;
  /** Callbacks run so far: [INT/poll services, ticks, INT found low at a tick, wakes]. */
  runs: Uint32Array;
}

/** What runs counts, by index. */
export const enum Runs { SERVICES, TICKS, LOST_EDGES, WAKES, COUNT }

/**
 * True when a TCP slot holds a connection the HTTP server may time out: ESTABLISHED to LAST-ACK
 * (st: TCP's slot states, Tc.st). The handshake and TIME-WAIT have TCP's own timers. One native
 * sum first: no loop when every slot is CLOSED (0).
 */
function connOpen(st: Uint8Array): boolean {
  if (!sum(st)) return false;
  for (var i = 0; i < st.length; i++) if (st[i] >= State.ESTABLISHED && st[i] < State.TIME_WAIT) return true;
  return false;
}

/** The loop over driver and stack; tcp() gives TCP once made (null: none). */
export function createRunner(hal: Hal, driver: Enc28j60, stack: Stack, tcp: () => Tcp | null): Runner {
  var s = stack as any as St;
  /** The armed timer (null: none), its deadline (ms; with a timer only), the last tick's time, a wake pending. */
  var timer: any = null, armedAt = -1, lastTick = hal.clock.now(), waking = false, on = false;
  var runs = new Uint32Array(Runs.COUNT);
  /** The earliest deadline of stack, TCP and the HTTP server (Infinity: none). */
  function deadline(): number {
    var d = stack.due(), t = tcp(), x: number;
    if (t) {
      x = tcpNextDue(t);
      if (x === 0) x = lastTick + Run.TICK_MS;
      if (x < d) d = x;
      if (connOpen((t as any).st) && (x = lastTick + Run.CONN_TICK_MS) < d) d = x;
    }
    return d;
  }
  /**
   * Arms the timer for the deadline when none is armed or the deadline is EARLIER than the armed
   * one; a later one keeps the armed timer (its fire finds nothing due and arms at the deadline
   * then): no cancel and new timer each time a deadline moves on. ticked: a tick just ran (no
   * tick at once again).
   */
  function arm(ticked: boolean): void {
    if (!on) return;   // (not started: the caller ticks by hand)
    var now = hal.clock.now(), d = deadline();
    if (ticked && d <= now) d = now + Run.TICK_MS;   // a layer whose time has come did nothing: no busy loop
    if (d === Infinity && hal.int && !hal.int.read()) d = now + Run.RECHECK_MS;   // INT low: a look before idling
    if (timer !== null) {
      if (d >= armedAt) return;
      hal.timers.cancel(timer);
      timer = null;
    }
    armedAt = d;
    if (d !== Infinity) timer = hal.timers.after(d > now ? d - now : 0, fire);
  }
  function fire(): void {
    timer = null;
    armedAt = -1;
    s.wk = null;
    try {
      runs[Runs.TICKS]++;
      if (hal.int && !hal.int.read()) {   // an edge lost, or its callback still queued
        runs[Runs.LOST_EDGES]++;
        service();
        s.wk = null;
      }
      lastTick = hal.clock.now();
      stack.tick();
    } finally {
      if (on) s.wk = wake;
      arm(true);
    }
  }
  function service(): void {
    s.wk = null;   // (sends from here need no wake: the deadlines are looked at below)
    var again = false;
    try {
      runs[Runs.SERVICES]++;
      driver.service();
      // a full batch: more frames may wait behind it, and INT stays low (no new edge)
      again = stack.poll() >= Size.FRAMES_PER_POLL;
    } finally {
      if (on) s.wk = wake;
      arm(false);
    }
    if (again) hal.timers.after(0, service);
  }
  /** From ipSend outside the runner: one look at the deadlines once the caller has set them. */
  function wake(): void {
    if (waking) return;
    waking = true;
    runs[Runs.WAKES]++;
    hal.timers.after(0, settle);
  }
  function settle(): void {
    waking = false;
    arm(false);
  }
  return {
    service: service,
    start: function (): void {
      // With INT: the watch; without it, the poll timer.
      driver.watch(service, hal.int ? 0 : Run.POLL_MS);
      on = true;
      s.wk = wake;
      arm(false);
    },
    wake: function (): void { if (on) arm(false); },
    runs: runs,
  };
}
