// The runner's one deadline timer (firmware/lib/eth-run.ts, issue #12): it is armed when none is,
// re-armed only when the deadline comes EARLIER than the armed one, and left alone when the
// deadline moves on (later): that fire finds nothing due and arms at the deadline then. A layer
// whose deadline restarts at every segment (an RTO restarted by each ACK, RFC 6298 5.3; a time-out
// counted from the last segment) must not cost a cancel and a new timer per segment (on
// Espruino a timer is a few variables and a table entry each time). The runner alone, over a HAL
// whose timers and clock are virtual, a stub driver (its INT handler called by hand: one call per
// segment) and a stub stack whose due() the test sets.
import { strict as assert } from "assert";
import { createRunner, Runner } from "../../../firmware/lib/eth-run";
import { Hal, Timers } from "../../../hal/types";

interface Timer { id: number; at: number; fn: () => void }

/** Virtual time; one-shot timers only (the runner with INT uses no other), counted. */
class Clockwork implements Timers {
  now = 1000;
  list: Timer[] = [];
  arms = 0;
  cancels = 0;
  private next = 1;
  after(ms: number, fn: () => void): any { this.arms++; const t = { id: this.next++, at: this.now + Math.max(0, ms), fn }; this.list.push(t); return t.id; }
  every(): any { throw new Error("no periodic timer with INT"); }
  cancel(id: any): void { this.cancels++; this.list = this.list.filter((t) => t.id !== id); }
  /** Advances to `to`, firing the timers due on the way in time order (bounded). */
  advance(to: number): void {
    for (let n = 0; n < 10000; n++) {
      let first: Timer | null = null;
      for (const t of this.list) if (t.at <= to && (!first || t.at < first.at)) first = t;
      if (!first) { this.now = to; return; }
      this.now = Math.max(this.now, first.at);
      this.list = this.list.filter((t) => t !== first);
      first.fn();
    }
    throw new Error("timers: a busy loop");
  }
}

interface Rig { hal: Hal; clock: Clockwork; runner: Runner; stack: { due: number; ticks: number[]; worked: number[] } }

function rig(): Rig {
  const clock = new Clockwork();
  const stack = { due: Infinity, ticks: [] as number[], worked: [] as number[] };
  const hal: Hal = {
    spi: { transfer() {}, write() {} },
    clock: { now: () => clock.now },
    timers: clock,
    int: { read: () => true, onFalling() {} },   // INT high: the chip has nothing pending
  };
  const stub = {
    wk: null,
    due: () => stack.due,
    poll: () => 1,   // one frame per service (a segment)
    tick: () => {
      stack.ticks.push(clock.now);
      if (clock.now >= stack.due) { stack.worked.push(clock.now); stack.due = Infinity; }   // the layer's time-out ran
    },
  };
  const driver = { service() {}, watch() {} };
  const runner = createRunner(hal, driver as any, stub as any, () => null);
  runner.start();
  return { hal, clock, runner, stack };
}

describe("lib: the runner's deadline timer (re-armed only for an earlier deadline)", () => {
  it("a 100-segment transfer whose deadline restarts 200 ms after every segment: 3 timers armed, not one per segment, and the time-out still runs on time", () => {
    const r = rig();
    const t0 = r.clock.now;
    for (let k = 0; k < 100; k++) {
      r.clock.advance(t0 + 5 * k);   // a segment every 5 ms for 500 ms
      r.stack.due = r.clock.now + 200;
      r.runner.service();
    }
    const last = r.clock.now;
    // the old runner cancelled and re-armed at every segment: 100 arms, 99 cancels
    assert.equal(r.clock.arms, 3, r.clock.arms + " timers armed for 100 segments");
    assert.equal(r.clock.cancels, 0, "nothing cancelled: the deadline only moved on");
    assert.deepEqual(r.stack.worked, [], "no time-out during the transfer");
    // the early fires (at 200 ms, then at the deadline as it was then) found nothing due and re-armed
    assert.deepEqual(r.stack.ticks, [t0 + 200, t0 + 395], "early ticks");
    r.clock.advance(last + 1000);
    assert.deepEqual(r.stack.worked, [last + 200], "the time-out ran 200 ms after the last segment");
    assert.deepEqual(r.clock.list, [], "then nothing armed: idle");
  });

  it("a deadline that comes earlier re-arms at once (cancel, new timer) and runs at its time", () => {
    const r = rig();
    r.stack.due = r.clock.now + 1000;
    r.runner.service();
    assert.equal(r.clock.arms, 1);
    const t1 = r.clock.now + 10;
    r.clock.advance(t1);
    r.stack.due = t1 + 100;   // e.g. a delayed ACK before the retransmission time-out
    r.runner.service();
    assert.equal(r.clock.arms, 2);
    assert.equal(r.clock.cancels, 1);
    r.clock.advance(t1 + 150);
    assert.deepEqual(r.stack.worked, [t1 + 100]);
    assert.deepEqual(r.stack.ticks, [t1 + 100], "no early tick");
  });

  it("a deadline that goes away while armed: the armed timer fires once, finds nothing, and the runner is idle", () => {
    const r = rig();
    r.stack.due = r.clock.now + 300;
    r.runner.service();
    const armedFor = r.clock.now + 300;
    r.stack.due = Infinity;
    r.runner.service();
    assert.equal(r.clock.cancels, 0);
    r.clock.advance(r.clock.now + 10000);
    assert.deepEqual(r.stack.ticks, [armedFor], "one tick, at the time once armed");
    assert.deepEqual(r.stack.worked, []);
    assert.deepEqual(r.clock.list, [], "idle");
  });
});
