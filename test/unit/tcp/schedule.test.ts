// Loss recovery on an exact-deadline schedule (the harness ticks at tcpNextDue(), as the device's
// runner does): the second loss probe before the RTO (firmware/tcp/recovery.ts), a download
// waiting at its own send buffer not asking for the 100 ms tick, and a tick that comes a
// fraction of a millisecond early (firmware/tcp/timers.ts). The harness's RTT sample from the
// handshake is 1 ms: PTO max(2 SRTT, 10 ms) = 10 ms, RTO its 200 ms floor.
import * as assert from "assert";
import { Harness, ACK, activeOpen, PEER_MSS, PEER_WIN, counting, sentSince } from "./harness";
import { F64 } from "../../../firmware/tcp/slots";
import { tcpNextDue } from "../../../firmware/tcp/tcp";
import { Chunk } from "../../../firmware/tcp/pool";

const M = PEER_MSS, PW = PEER_WIN;
const data = counting;

describe("tcp recovery on an exact-deadline schedule", () => {
  it("the probe's ACK lost: a second probe at twice the PTO, before the RTO; its ACK ends the flight", () => {
    const h = new Harness();
    const a = activeOpen(h);
    const t0 = h.t;
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M], [M, M]]);
    assert.deepStrictEqual(h.advanceExact(10), [t0 + 10]);
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M]], "the first probe: the last segment, at PTO");
    assert.deepStrictEqual(h.advanceExact(20), [t0 + 30]);
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M]], "no ACK for it: the second, 2 PTO later (not the RTO at 200 ms)");
    assert.strictEqual(h.tcp.counters.tailProbes, 2);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2 * M, flags: ACK, win: PW });
    h.advanceExact(2000);
    h.expectNone();
    assert.strictEqual(h.tcp.counters.retransmits, 0, "no time-out");
  });

  it("two probes at most: both unanswered, the RTO at its time is the backstop (RFC 6298 unchanged), no probe after it", () => {
    const h = new Harness();
    const a = activeOpen(h);
    const t0 = h.t;
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    h.take();
    assert.deepStrictEqual(h.advanceExact(200), [t0 + 10, t0 + 30, t0 + 200]);
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M], [M, M], [0, M]], "two probes, then the time-out goes back to SND.UNA");
    assert.strictEqual(h.tcp.counters.tailProbes, 2);
    assert.strictEqual(h.tcp.counters.retransmits, 1);
    assert.deepStrictEqual(h.advanceExact(400), [t0 + 600], "the next at the backed-off 400 ms: no probe after a time-out");
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]]);
    assert.strictEqual(h.tcp.counters.tailProbes, 2);
  });

  it("a new ACK starts a new flight with its own two probes", () => {
    const h = new Harness({ sendBuf: 4 * M });
    const a = activeOpen(h);
    h.tcp.write(a.c, data(3 * M), 0, 3 * M);
    h.take();
    h.advanceExact(30);
    assert.strictEqual(sentSince(h, a.iss).length, 2, "two probes");
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + M, flags: ACK, win: PW }); // the first arrived
    h.take();
    const t1 = h.t;
    assert.strictEqual(h.tcp.slots.f64[a.c * F64.STRIDE + F64.T_PTO], t1 + 10, "armed again: PTO, not doubled");
    h.advanceExact(30);
    assert.strictEqual(sentSince(h, a.iss).length, 2);
    assert.strictEqual(h.tcp.counters.tailProbes, 4);
  });

  it("a download waiting at its own send buffer: tcpNextDue() is its next timer, not 0 (no 100 ms tick)", () => {
    const h = new Harness();
    const a = activeOpen(h);
    const t0 = h.t;
    assert.strictEqual(h.tcp.write(a.c, data(3 * M), 0, 3 * M), 2 * 1460, "the send buffer (2 MSS) full: drained() will follow");
    h.take();
    assert.strictEqual(tcpNextDue(h.tcp), t0 + 10, "the probe's deadline");
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + M, flags: ACK, win: PW });
    assert.deepStrictEqual(a.r.log.slice(1), [`drained ${a.c}`], "its ACKs wake it, not a tick");
  });

  it("a connection the pool holds back, with chunks back in the pool: tcpNextDue() 0 (the tick tells it)", () => {
    const h = new Harness({ sendPool: 2 * Chunk.SIZE });
    const a = activeOpen(h, 80);
    const b = activeOpen(h, 81, 7000);
    assert.strictEqual(h.tcp.write(a.c, new Uint8Array(2000), 0, 2000), 2 * Chunk.SIZE);
    assert.strictEqual(h.tcp.write(b.c, new Uint8Array(10), 0, 10), 0, "the pool is empty");
    h.take();
    assert.notStrictEqual(tcpNextDue(h.tcp), 0, "no chunk free: no tick can help");
    h.tcp.close(a.c);
    h.tcp.abort(a.c); // the application lets go of a: its chunks come back outside any segment
    h.take();
    assert.strictEqual(h.tcp.pool.nfree, 2);
    assert.strictEqual(tcpNextDue(h.tcp), 0, "b has room now: tick at the normal rate");
    h.advanceExact(100);
    assert.deepStrictEqual(b.r.log.slice(1), [`drained ${b.c}`]);
  });

  it("early retransmit waits for evidence: a duplicate ACK sooner than SRTT/2 after SND.UNA's segment went answers an older one (RACK)", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    assert.strictEqual(sentSince(h, a.iss).length, 2);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW }); // at once: the echo of an older segment
    h.expectNone();
    assert.strictEqual(h.tcp.counters.fastRetransmits, 0, "no needless retransmission (its own echo would start the next)");
    h.t += 1;
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW }); // an RTT later: from segment 2
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]], "early retransmit (RFC 5827)");
    assert.strictEqual(h.tcp.counters.fastRetransmits, 1);
  });

  it("a tick a fraction of a millisecond before a deadline handles it (not one tick later)", () => {
    const h = new Harness();
    const a = activeOpen(h);
    const t0 = h.t;
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    h.take();
    h.t = t0 + 9.6; // a host timer armed for t0 + 10 ran early
    h.ticker(h.t);
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M]], "the probe");
    h.t = t0 + 25;
    h.ticker(h.t); // 5 ms early: not yet
    h.expectNone();
  });
});
