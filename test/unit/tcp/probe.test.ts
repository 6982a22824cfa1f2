// Loss recovery that does not wait for the retransmission time-out (firmware/tcp/recovery.ts):
// the tail-loss probe (RFC 8985 TLP), a lost retransmission found RACK-style (by its timer and
// by a late duplicate ACK), no probe once everything is acknowledged, no retransmission storm
// when segments are only reordered, and the receiver's immediate ACK of a segment that fills
// a gap (RFC 5681 4.2). The harness's RTT sample from the handshake is 1 ms, so the RTO is its
// 200 ms floor and the probe (max(2 SRTT, 10 ms)) goes at the first tick, 100 ms later.
import * as assert from "assert";
import { Harness, ACK, FIN, PSH, field, activeOpen, passiveOpen, PEER_PORT, PEER_MSS, PEER_WIN, counting, sentSince } from "./harness";
import { F64 } from "../../../firmware/tcp/slots";
import { tcpNextDue } from "../../../firmware/tcp/tcp";

const M = PEER_MSS, PW = PEER_WIN;
const data = counting;

describe("tcp loss probe and RACK-style detection", () => {
  it("a lost last segment goes again after the probe time-out (first tick), not the RTO; the ACK ends it", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M], [M, M]]);
    h.advance(100);
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M]], "the last segment, 100 ms after (RTO: 200 ms)");
    assert.strictEqual(h.tcp.counters.tailProbes, 1);
    assert.strictEqual(h.tcp.counters.retransmits, 0, "no time-out");
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2 * M, flags: ACK, win: PW });
    h.expectNone();
    h.advance(2000);
    h.expectNone();
    assert.strictEqual(h.tcp.counters.retransmits, 0);
  });

  it("on 100 ms ticks the second probe falls on the RTO's tick: the RTO goes first, the backstop (RFC 6298 timing unchanged)", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    h.take();
    h.advance(100);
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M]]);
    h.advance(100);
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]], "the time-out at 200 ms: go back to SND.UNA");
    assert.strictEqual(h.tcp.counters.retransmits, 1);
    h.advance(300);
    h.expectNone(); // no probe after a time-out
    h.advance(100);
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]], "the next one at the backed-off 400 ms");
    assert.strictEqual(h.tcp.counters.tailProbes, 1);
  });

  it("a single segment out waits for the peer's delayed ACK: no probe before the RTO", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.write(a.c, data(M), 0, M);
    h.take();
    h.advance(100);
    h.expectNone();
    h.advance(100);
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]]);
    assert.strictEqual(h.tcp.counters.tailProbes, 0);
    assert.strictEqual(h.tcp.counters.retransmits, 1);
  });

  it("the probe carries new data when the peer's window takes it but the congestion window does not", () => {
    const h = new Harness({ sendBuf: 4 * M });
    const a = activeOpen(h);
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    h.take();
    h.advance(200); // the probe, then the time-out: cwnd one segment
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M], [0, M]]);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + M, flags: ACK, win: PW });
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M]], "slow start: two segments of window");
    h.tcp.write(a.c, data(2 * M, 2 * M), 0, 2 * M);
    assert.deepStrictEqual(sentSince(h, a.iss), [[2 * M, M]], "cwnd full");
    h.advance(100);
    assert.deepStrictEqual(sentSince(h, a.iss), [[3 * M, M]], "one new segment as the probe");
    assert.strictEqual(h.tcp.counters.tailProbes, 2);
  });

  it("our FIN lost at the tail: the probe sends the last segment with the FIN", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.write(a.c, data(M), 0, M);
    h.tcp.close(a.c);
    const first = h.take().map((s) => field(s.bytes));
    assert.deepStrictEqual(first.map((f) => [f.seq - a.iss, f.data.length, f.flags & FIN]), [[0, M, 0], [M, 0, FIN]]);
    h.advance(100);
    const p = h.take().map((s) => field(s.bytes));
    assert.deepStrictEqual(p.map((f) => [f.seq - a.iss, f.data.length, f.flags & (FIN | PSH)]), [[0, M, FIN | PSH]]);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + M + 1, flags: ACK, win: PW });
    h.advance(1000);
    h.expectNone();
  });

  it("no probe once everything is acknowledged: nothing is due (idle stays idle)", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    h.take();
    const b64 = a.c * F64.STRIDE;
    assert.ok(h.tcp.slots.f64[b64 + F64.T_PTO] > 0, "armed while data is out");
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2 * M, flags: ACK, win: PW });
    assert.strictEqual(h.tcp.slots.f64[b64 + F64.T_PTO], 0, "off with the ACK of everything");
    h.advance(100);
    assert.strictEqual(tcpNextDue(h.tcp), Infinity);
    h.advance(5000);
    h.expectNone();
    assert.strictEqual(h.tcp.counters.tailProbes + h.tcp.counters.rackLosses + h.tcp.counters.retransmits, 0);
  });

  it("a lost retransmission: a duplicate ACK later than SRTT + reorder window sends it again (RACK)", () => {
    const h = new Harness({ sendBuf: 4 * M });
    const a = activeOpen(h);
    h.tcp.write(a.c, data(4 * M), 0, 4 * M);
    h.take();
    const dup = () => h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW });
    dup();
    dup();
    dup();
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]], "fast retransmit");
    dup(); // at the same time: within the reorder window, caused by a segment sent before
    h.expectNone();
    h.t += 5; // SRTT is 1 ms
    dup();
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]], "the retransmission was lost: again");
    assert.strictEqual(h.tcp.counters.rackLosses, 1);
    assert.strictEqual(h.tcp.counters.fastRetransmits, 1);
    assert.strictEqual(h.tcp.counters.retransmits, 0, "no time-out");
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 4 * M, flags: ACK, win: PW });
    h.advance(1000);
    h.expectNone();
  });

  it("a lost retransmission with no ACK at all: found by the probe timer and sent again before the RTO", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    h.take();
    h.t += 1; // an RTT later (SRTT 1 ms)
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW }); // segment 2 arrived
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]], "early retransmit");
    h.advance(100);
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]], "its ACK did not come within PTO: lost, again");
    assert.strictEqual(h.tcp.counters.rackLosses, 1);
    assert.strictEqual(h.tcp.counters.retransmits, 0);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + M, flags: ACK, win: PW }); // partial: segment 2 was dropped
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M]]);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2 * M, flags: ACK, win: PW });
    h.advance(1000);
    h.expectNone();
  });

  it("reordering within the window: no retransmission storm", () => {
    const h = new Harness({ sendBuf: 4 * M });
    const a = activeOpen(h);
    h.tcp.write(a.c, data(4 * M), 0, 4 * M);
    h.take();
    // segments 2 and 3 arrive before 1 (two duplicate ACKs: below the threshold), then 1 and 4
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW });
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW });
    h.t += 1;
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 4 * M, flags: ACK, win: PW });
    h.advance(2000);
    const again = sentSince(h, a.iss);
    assert.deepStrictEqual(again, [], "nothing sent again");
    assert.strictEqual(h.tcp.counters.fastRetransmits + h.tcp.counters.rackLosses + h.tcp.counters.tailProbes + h.tcp.counters.retransmits, 0);
    // two segments, swapped: early retransmit sends the first once (RFC 5827), and only once
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    assert.strictEqual(sentSince(h, a.iss).length, 2);
    h.t += 1; // their ACKs an RTT later
    for (let i = 0; i < 4; i++) h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 4 * M, flags: ACK, win: PW });
    assert.deepStrictEqual(sentSince(h, a.iss), [[4 * M, M]]);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 6 * M, flags: ACK, win: PW });
    h.advance(2000);
    h.expectNone();
    assert.strictEqual(h.tcp.counters.fastRetransmits + h.tcp.counters.rackLosses + h.tcp.counters.tailProbes, 1);
  });

  it("receiver: a segment filling a gap is ACKed at once, up to the right edge of the data dropped (RFC 5681 4.2)", () => {
    const h = new Harness();
    const p = passiveOpen(h);
    const send = (off: number, n: number) => h.send({ sport: PEER_PORT, dport: 7, seq: p.pseq + off, ack: p.iss, flags: ACK, win: PW, data: data(n, off) });
    const acks = () => h.take().map((s) => field(s.bytes).ack - p.pseq);
    send(0, 100);
    assert.deepStrictEqual(acks(), [], "one segment: the ACK is delayed");
    send(200, 100); // 100..200 lost: out of order, dropped, a duplicate ACK at once
    assert.deepStrictEqual(acks(), [100]);
    send(100, 100); // fills the gap: ACKed at once
    assert.deepStrictEqual(acks(), [200]);
    send(200, 100); // up to the right edge of what was dropped: also at once
    assert.deepStrictEqual(acks(), [300]);
    send(300, 100); // past it: delayed again
    assert.deepStrictEqual(acks(), []);
    h.advance(200);
    assert.deepStrictEqual(acks(), [400]);
    assert.strictEqual(p.r.bytes.length, 400);
    assert.ok(p.r.bytes.every((b, i) => b === (i & 255)), "in order, byte-exact");
  });
});
