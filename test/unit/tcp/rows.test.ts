// Every row of the table driven by user calls and timers, generated from the table itself: for
// each (state, event) row with event SEND / CLOSE / ABORT / rcv RST / RTO / retries exhausted /
// state timeout / 2MSL, put a connection in that state with a scripted peer, trigger the event,
// and check the next state, what went on the wire (SYN, SYN+ACK, FIN, RST flags) and end().
// Segment-driven rows (rcv SYN, SYN+ACK, ACK of SYN, FIN, FIN+ACK, ACK of FIN) have their own
// byte-exact tests in arrows.test.ts.
import * as assert from "assert";
import { Harness, recorder, ACK, SYN, FIN, RST, field, activeOpen, slotVal } from "./harness";
import * as T from "../../../firmware/tcp/table";
import * as S from "../../../firmware/tcp/states";

type Ctx = { h: Harness; c: number; log: string[]; peerSeq: number; lp: number; pp: number };

function fresh(maxRetries = 6): Harness {
  return new Harness({ maxRetries, synRetries: maxRetries, mslMs: 500, synRcvdTimeoutMs: 2500, finWait2TimeoutMs: 3000 });
}

const setups: { [state: number]: (h: Harness) => Ctx } = {
  [S.SYN_SENT]: (h) => {
    const r = recorder(() => h.tcp);
    const c = h.tcp.connect(0xc0000201, 80, r);
    h.take();
    return { h, c, log: r.log, peerSeq: 0, lp: h.tcp.localPort(c), pp: 80 };
  },
  [S.SYN_RCVD]: (h) => {
    const r = recorder(() => h.tcp);
    h.tcp.listen(7, r);
    h.send({ sport: 40000, dport: 7, seq: 1000, flags: SYN });
    h.take();
    return { h, c: 0, log: r.log, peerSeq: 1001, lp: 7, pp: 40000 };
  },
  [S.ESTABLISHED]: (h) => {
    const a = activeOpen(h);
    return { h, c: a.c, log: a.r.log, peerSeq: a.pseq, lp: a.lp, pp: 80 };
  },
  [S.FIN_WAIT_1]: (h) => {
    const x = setups[S.ESTABLISHED](h);
    h.tcp.close(x.c);
    h.take();
    return x;
  },
  [S.FIN_WAIT_2]: (h) => {
    const x = setups[S.FIN_WAIT_1](h);
    h.send({ sport: 80, dport: x.lp, seq: x.peerSeq, ack: slotVal(h.tcp, "sndNxt", x.c), flags: ACK });
    return x;
  },
  [S.CLOSE_WAIT]: (h) => {
    const x = setups[S.ESTABLISHED](h);
    h.send({ sport: 80, dport: x.lp, seq: x.peerSeq, ack: slotVal(h.tcp, "sndNxt", x.c), flags: FIN | ACK });
    h.take();
    x.peerSeq++;
    return x;
  },
  [S.CLOSING]: (h) => {
    const x = setups[S.FIN_WAIT_1](h);
    h.send({ sport: 80, dport: x.lp, seq: x.peerSeq, ack: slotVal(h.tcp, "sndUna", x.c), flags: FIN | ACK });
    h.take();
    x.peerSeq++;
    return x;
  },
  [S.LAST_ACK]: (h) => {
    const x = setups[S.CLOSE_WAIT](h);
    h.tcp.close(x.c);
    h.take();
    return x;
  },
  [S.TIME_WAIT]: (h) => {
    const x = setups[S.FIN_WAIT_1](h);
    h.send({ sport: 80, dport: x.lp, seq: x.peerSeq, ack: slotVal(h.tcp, "sndNxt", x.c), flags: FIN | ACK });
    h.take();
    x.peerSeq++;
    return x;
  },
};

/** Advances until something is sent or the state changes (bounded). */
function runTimers(x: Ctx, ms: number, untilStateChange = false): void {
  const st = x.h.tcp.state(x.c);
  for (let t = 0; t < ms; t += 100) {
    x.h.advance(100);
    if (x.h.tcp.state(x.c) !== st) return;
    if (untilStateChange) x.h.take();
    else if (x.h.sent.length) return;
  }
}

const triggers: { [ev: number]: (x: Ctx) => void } = {
  [T.EV_SEND]: (x) => { assert.strictEqual(x.h.tcp.write(x.c, new Uint8Array([1, 2, 3]), 0, 3), 3); },
  [T.EV_CLOSE]: (x) => x.h.tcp.close(x.c),
  [T.EV_ABORT]: (x) => x.h.tcp.abort(x.c),
  [T.EV_RCV_RST]: (x) => x.h.send({ sport: x.pp, dport: x.lp, seq: x.peerSeq, ack: slotVal(x.h.tcp, "sndNxt", x.c), flags: x.h.tcp.state(x.c) === S.SYN_SENT ? RST | ACK : RST }),
  [T.EV_RTO]: (x) => runTimers(x, 3000),
  [T.EV_GIVE_UP]: (x) => runTimers(x, 3000),
  [T.EV_STATE_TIMEOUT]: (x) => runTimers(x, 3100, true),
  [T.EV_TIMEOUT_2MSL]: (x) => runTimers(x, 1100),
};

/** What must be in flight for a timer row to be reachable. */
function prepare(x: Ctx, ev: number): void {
  if ((ev === T.EV_RTO || ev === T.EV_GIVE_UP) && (x.h.tcp.state(x.c) === S.ESTABLISHED || x.h.tcp.state(x.c) === S.CLOSE_WAIT)) {
    x.h.tcp.write(x.c, new Uint8Array([7]), 0, 1);
    x.h.take();
  }
}

describe("tcp table rows for user calls and timers (generated from ROWS)", () => {
  for (const [st, ev, next, acts, reason] of T.ROWS) {
    if (!(ev in triggers) || !(st in setups)) continue;
    const name = `${S.STATE_NAMES[st]} --${T.EVENT_NAMES[ev]}--> ${S.STATE_NAMES[next]}`;
    it(name, () => {
      const h = fresh(ev === T.EV_GIVE_UP ? 0 : 6);
      const x = setups[st](h);
      assert.strictEqual(h.tcp.state(x.c), st, "setup");
      prepare(x, ev);
      const before = x.log.length;
      triggers[ev](x);
      const sent = h.take().map((s) => field(s.bytes).flags);
      const slotState = h.tcp.state(x.c);
      // a connection slot "returns to LISTEN" by being freed (the listener stays)
      assert.strictEqual(slotState, next === S.LISTEN ? S.CLOSED : next, `${name}: state`);
      if (acts & T.A_RST) assert.ok(sent.includes(RST), `${name}: RST expected, sent ${sent}`);
      else assert.ok(!sent.some((f) => f & RST), `${name}: no RST expected, sent ${sent}`);
      if (acts & T.A_SYNACK || (acts & T.A_RESEND && (st === S.SYN_RCVD))) assert.ok(sent.includes(SYN | ACK), `${name}: SYN+ACK`);
      if (acts & T.A_SYN || (acts & T.A_RESEND && st === S.SYN_SENT)) assert.ok(sent.includes(SYN), `${name}: SYN`);
      if (acts & T.A_RESEND && st !== S.SYN_SENT && st !== S.SYN_RCVD) assert.strictEqual(sent.length, 1, `${name}: one retransmission`);
      if (acts & T.A_FIN && st !== S.SYN_RCVD) assert.ok(sent.some((f) => f & FIN), `${name}: FIN`);
      const ends = x.log.slice(before).filter((l) => l.startsWith("end"));
      const appKnows = !(st === S.SYN_RCVD && x.log.length === 0) && st !== S.TIME_WAIT;
      if (acts & T.A_END && appKnows) assert.deepStrictEqual(ends, [`end ${x.c} ${reason}`], name);
      else assert.deepStrictEqual(ends, [], name);
    });
  }

  it("every row of the table is exercised by this file or arrows.test", () => {
    const segmentEvents = [T.EV_RCV_SYN, T.EV_RCV_SYN_ACK, T.EV_RCV_ACK_OF_SYN, T.EV_RCV_FIN, T.EV_RCV_FIN_ACK, T.EV_RCV_ACK_OF_FIN, T.EV_RCV_RST_ACTIVE];
    const apiOnly = ["CLOSED,passive OPEN", "CLOSED,active OPEN", "CLOSED,rcv RST", "LISTEN,CLOSE", "LISTEN,rcv RST"];
    const unreachable = ["LISTEN,SEND", "LISTEN,ABORT"]; // no API sends on or aborts a listener
    for (const [st, ev] of T.ROWS) {
      const k = `${S.STATE_NAMES[st]},${T.EVENT_NAMES[ev]}`;
      const covered = (ev in triggers && st in setups) || segmentEvents.includes(ev) || apiOnly.includes(k) || unreachable.includes(k);
      assert.ok(covered, k);
    }
  });
});
