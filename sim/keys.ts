// The terminal's keys, read by a worker thread (sim/cli.ts starts it when stdin is a terminal).
//
// The terminal stays in raw mode for the whole run, so Ctrl-C is a key, never a SIGINT from the
// terminal: `make run` and its shells, which share the terminal's process group, never see it
// (GNU make reports "Interrupt" and exits 130 at the end of a recipe during which it got one).
// Because this thread reads the keys while the main thread is busy, a Ctrl-C typed while device
// code runs interrupts it: when the main thread has marked the run interruptible (flag 1), this
// thread marks it claimed (2) and sends SIGINT to its own process, which vm's breakOnSigint turns
// into "Execution Interrupted". Every other byte (a Ctrl-C when nothing runs too: the console
// clears the line or exits) goes to the main thread's console, in order.
//
// Shared flag (Int32Array over workerData.flag): 0 idle, 1 interruptible code runs, 2 a Ctrl-C
// was claimed for that run. Message "stop": leave raw mode and end.

import { parentPort, workerData } from "worker_threads";
import * as tty from "tty";

export const IDLE = 0;
export const RUNNING = 1;
export const CLAIMED = 2;

if (parentPort && workerData && workerData.keys) {
  const port = parentPort;
  const flag = new Int32Array(workerData.flag as SharedArrayBuffer);
  const input = new tty.ReadStream(0);
  input.setRawMode(true);
  input.on("data", (d: Buffer) => {
    let from = 0;
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== 3 || Atomics.compareExchange(flag, 0, RUNNING, CLAIMED) !== RUNNING) continue;
      if (i > from) port.postMessage(d.subarray(from, i));
      from = i + 1;
      process.kill(process.pid, "SIGINT");
    }
    if (from < d.length) port.postMessage(d.subarray(from));
  });
  input.on("error", () => { /* the terminal went away: the main thread sees its output fail */ });
  port.on("message", (m) => {
    if (m !== "stop") return;
    try { input.setRawMode(false); } catch { /* already closed */ }
    input.destroy();
    port.close();
  });
}
