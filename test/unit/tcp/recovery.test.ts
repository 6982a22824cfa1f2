// Loss recovery on duplicate ACKs (firmware/tcp/recovery.ts), against the scripted peer:
// early retransmit with two segments out (RFC 5827), fast retransmit at three duplicate ACKs
// with a partial ACK (RFC 5681, RFC 6582), limited transmit (RFC 3042), ssthresh after a
// time-out, and what is not a duplicate ACK.
import * as assert from "assert";
import { Harness, ACK, PSH, field, activeOpen, slotVal, PEER_MSS, PEER_WIN, counting, sentSince } from "./harness";
import { F16 } from "../../../firmware/tcp/slots";

const M = PEER_MSS, PW = PEER_WIN;
const data = counting;

function u16(h: Harness, c: number, f: number): number {
  return h.tcp.slots.u16[c * F16.STRIDE + f];
}

describe("tcp loss recovery", () => {
  it("early retransmit: two segments out, the first lost: the second's duplicate ACK resends it at once", () => {
    const h = new Harness();
    const a = activeOpen(h);
    assert.strictEqual(h.tcp.write(a.c, data(2 * M), 0, 2 * M), 2 * M);
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M], [M, M]]);
    h.t += 1; // an RTT later (SRTT 1 ms)
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW }); // segment 2 arrived
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]]);
    assert.strictEqual(h.tcp.counters.fastRetransmits, 1);
    assert.strictEqual(h.tcp.counters.retransmits, 0, "no time-out");
    assert.strictEqual(u16(h, a.c, F16.SSTHRESH), 2 * M, "half the flight, at least two segments");
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2 * M, flags: ACK, win: PW });
    h.expectNone();
    assert.strictEqual(slotVal(h.tcp, "sndLen", a.c), 0);
    assert.strictEqual(u16(h, a.c, F16.CWND), 2 * M, "recovery over: cwnd = ssthresh");
  });

  it("fast retransmit at the third duplicate ACK of four segments out; a partial ACK resends the next hole", () => {
    const h = new Harness({ sendBuf: 4 * M });
    const a = activeOpen(h);
    assert.strictEqual(h.tcp.write(a.c, data(4 * M), 0, 4 * M), 4 * M);
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M], [M, M], [2 * M, M], [3 * M, M]]);
    const dup = () => h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW });
    dup();
    dup();
    h.expectNone();
    dup();
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]]);
    // segments 1 and 2 were there, 3 lost too: the partial ACK sends 3 again
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2 * M, flags: ACK, win: PW });
    assert.deepStrictEqual(sentSince(h, a.iss), [[2 * M, M]]);
    assert.strictEqual(h.tcp.counters.fastRetransmits, 2);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 4 * M, flags: ACK, win: PW });
    h.expectNone();
    assert.strictEqual(u16(h, a.c, F16.CWND), u16(h, a.c, F16.SSTHRESH));
    assert.strictEqual(h.tcp.counters.retransmits, 0);
  });

  it("limited transmit: with the congestion window full, the first duplicate ACK lets one new segment out", () => {
    const h = new Harness({ sendBuf: 4 * M });
    const a = activeOpen(h);
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    h.take();
    h.advance(100); // the tail-loss probe (the last segment again) at the first tick
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M]]);
    h.advance(100); // the time-out (RTO 200 ms after the SYN sample): cwnd one segment, ssthresh two
    assert.deepStrictEqual(sentSince(h, a.iss), [[0, M]]);
    assert.strictEqual(u16(h, a.c, F16.SSTHRESH), 2 * M);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + M, flags: ACK, win: PW });
    assert.deepStrictEqual(sentSince(h, a.iss), [[M, M]]); // slow start: cwnd 2 segments
    h.tcp.write(a.c, data(2 * M, 2 * M), 0, 2 * M);
    assert.deepStrictEqual(sentSince(h, a.iss), [[2 * M, M]], "cwnd (2 segments) full");
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + M, flags: ACK, win: PW }); // duplicate
    assert.deepStrictEqual(sentSince(h, a.iss), [[3 * M, M]], "one new segment on the first duplicate ACK");
    assert.strictEqual(h.tcp.counters.fastRetransmits, 0);
  });

  it("not duplicate ACKs: a window update, data from the peer, nothing outstanding", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.write(a.c, data(2 * M), 0, 2 * M);
    h.take();
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW - 100 }); // window changed
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | PSH, win: PW - 100, data: "hi" }); // data
    const out = h.take().map((s) => field(s.bytes));
    assert.ok(out.every((f) => f.data.length === 0 || f.seq !== a.iss), "segment 1 not sent again");
    assert.strictEqual(h.tcp.counters.fastRetransmits, 0);
  });
});
