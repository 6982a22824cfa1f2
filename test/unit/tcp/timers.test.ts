// Timers: RFC 6298 RTO with Karn and back-off, bounded retries, SYN/SYN-ACK/FIN retransmission,
// zero-window probes, delayed-ACK bound, FIN-WAIT-2 and SYN-RCVD time-outs.
import * as assert from "assert";
import { Harness, recorder, ACK, SYN, FIN, RST, PSH, MSS_OPT, KEY, DEV, PEER, field, hex, activeOpen, passiveOpen, slotVal } from "./harness";
import { isn } from "../../../firmware/tcp/isn";
import * as S from "../../../firmware/tcp/states";

const W = 2920;

describe("tcp timers", () => {
  it("an active open keeps trying for at least 3 minutes by default (MUST-23)", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    const c = h.tcp.connect(PEER, 80, r);
    h.take();
    const times: number[] = [];
    const t0 = h.t;
    for (let i = 0; i < 2000 && h.tcp.state(c) === S.SYN_SENT; i++) {
      h.advance(100);
      if (h.take().length) times.push(h.t - t0);
    }
    assert.deepStrictEqual(times, [1000, 3000, 7000, 15000, 31000, 63000, 123000]);
    assert.strictEqual(h.t - t0, 183000);
    assert.deepStrictEqual(r.log, [`end ${c} 2`]);
  });

  it("RTO: retransmission of the same bytes, doubling back-off, Karn's rule", () => {
    const h = new Harness();
    const a = activeOpen(h);
    assert.strictEqual(slotVal(h.tcp, "rto", a.c), 200); // SYN sample ~0 ms -> min RTO
    h.tcp.write(a.c, new Uint8Array([9, 8, 7]), 0, 3);
    const first = h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq, flags: ACK | PSH, win: W, data: new Uint8Array([9, 8, 7]) });
    h.advance(100);
    h.expectNone();
    h.advance(100);
    assert.strictEqual(hex(h.take()[0].bytes), hex(first));
    assert.strictEqual(slotVal(h.tcp, "rto", a.c), 400);
    h.advance(300);
    h.expectNone();
    h.advance(100);
    assert.strictEqual(hex(h.take()[0].bytes), hex(first));
    assert.strictEqual(slotVal(h.tcp, "rto", a.c), 800);
    // the ACK of a retransmitted segment gives no RTT sample (Karn): RTO stays backed off
    const srtt = slotVal(h.tcp, "srtt", a.c);
    h.advance(50);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 3, flags: ACK });
    assert.strictEqual(slotVal(h.tcp, "srtt", a.c), srtt);
    assert.strictEqual(slotVal(h.tcp, "rto", a.c), 800);
    assert.strictEqual(slotVal(h.tcp, "tRexmt", a.c), 0);
    // a fresh segment is timed: 300 ms sample -> SRTT 1*7/8 + 300/8
    h.tcp.write(a.c, new Uint8Array([1]), 0, 1);
    h.take();
    h.t += 300;
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 4, flags: ACK });
    assert.strictEqual(slotVal(h.tcp, "srtt", a.c), 0.875 * srtt + 0.125 * 300);
    assert.ok(slotVal(h.tcp, "rto", a.c) >= 200 && slotVal(h.tcp, "rto", a.c) < 800);
    assert.strictEqual(h.tcp.counters.retransmits, 2);
  });

  it("retries exhausted: RST, end(2), slot freed", () => {
    const h = new Harness({ maxRetries: 3 });
    const a = activeOpen(h);
    h.tcp.write(a.c, new Uint8Array([1]), 0, 1);
    h.take();
    h.advance(200 + 400 + 800);
    assert.strictEqual(h.take().length, 3);
    h.advance(1600);
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 1, flags: RST, win: 0 });
    assert.strictEqual(h.tcp.state(a.c), S.CLOSED);
    assert.deepStrictEqual(a.r.log.slice(1), [`end ${a.c} 2`]);
    assert.strictEqual(h.tcp.counters.giveUps, 1);
  });

  it("SYN retransmitted after 1 s, doubling; gives up with end(2)", () => {
    const h = new Harness({ synRetries: 2 });
    const r = recorder(() => h.tcp);
    const c = h.tcp.connect(PEER, 80, r);
    const syn = h.take()[0].bytes;
    h.advance(900);
    h.expectNone();
    h.advance(100);
    assert.strictEqual(hex(h.take()[0].bytes), hex(syn));
    h.advance(2000);
    assert.strictEqual(hex(h.take()[0].bytes), hex(syn));
    h.advance(4000);
    h.expectNone(); // no RST from SYN-SENT
    assert.strictEqual(h.tcp.state(c), S.CLOSED);
    assert.deepStrictEqual(r.log, [`end ${c} 2`]);
  });

  it("SYN-ACK retransmitted; SYN-RCVD time-out frees the half-open slot with a RST", () => {
    const h = new Harness({ synRcvdTimeoutMs: 2500 });
    const l = recorder(() => h.tcp);
    h.tcp.listen(7, l);
    h.send({ sport: 40000, dport: 7, seq: 1000, flags: SYN });
    const synack = h.take()[0].bytes;
    const iss = isn(KEY, DEV, 7, PEER, 40000, h.t);
    h.advance(1000);
    assert.strictEqual(hex(h.take()[0].bytes), hex(synack));
    // a retransmitted SYN gets the SYN-ACK again
    h.send({ sport: 40000, dport: 7, seq: 1000, flags: SYN });
    assert.strictEqual(hex(h.take()[0].bytes), hex(synack));
    h.advance(1500);
    h.expectOne({ sport: 7, dport: 40000, seq: iss + 1, flags: RST, win: 0 });
    assert.strictEqual(h.tcp.state(0), S.CLOSED);
    assert.deepStrictEqual(l.log, []);
  });

  it("FIN retransmitted; FIN-WAIT-2 time-out", () => {
    const h = new Harness({ finWait2TimeoutMs: 3000 });
    const a = activeOpen(h);
    h.tcp.close(a.c);
    const fin = h.take()[0].bytes;
    h.advance(200);
    assert.strictEqual(hex(h.take()[0].bytes), hex(fin));
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1, flags: ACK });
    assert.strictEqual(h.tcp.state(a.c), S.FIN_WAIT_2);
    h.advance(2900);
    assert.strictEqual(h.tcp.state(a.c), S.FIN_WAIT_2);
    h.advance(100);
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 1, flags: RST, win: 0 });
    assert.strictEqual(h.tcp.state(a.c), S.CLOSED);
    assert.deepStrictEqual(a.r.log.slice(1), [`end ${a.c} 2`]);
  });

  it("zero window: probes with back-off, data flows when the window opens", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: 0 });
    assert.strictEqual(h.tcp.write(a.c, new Uint8Array([1, 2, 3, 4]), 0, 4), 4);
    h.expectNone();
    const probe = { sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq, flags: ACK, win: W, data: new Uint8Array([1]) };
    const times: number[] = [];
    for (let i = 0; i < 60 && times.length < 4; i++) {
      h.advance(100);
      const s = h.take();
      if (s.length) {
        assert.strictEqual(s.length, 1);
        const { expectSeg } = require("./harness");
        expectSeg(s[0], probe);
        times.push(h.t);
        h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: 0 });
        h.expectNone();
      }
    }
    assert.deepStrictEqual(times.map((t, i) => (i ? t - times[i - 1] : 0)), [0, 400, 800, 1600]);
    assert.strictEqual(h.tcp.state(a.c), S.ESTABLISHED); // probing never gives up while ACKed
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: 1000 });
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq, flags: ACK | PSH, win: W, data: new Uint8Array([1, 2, 3, 4]) });
    assert.strictEqual(h.tcp.counters.zeroWindowProbes, 4);
  });

  it("delayed ACK goes out within 200 ms, never at once for a single segment", () => {
    for (const offset of [0, 1, 50, 99]) {
      const h = new Harness();
      const o = passiveOpen(h);
      h.t += offset;
      const t0 = h.t;
      h.send({ sport: 40000, dport: 7, seq: o.pseq, ack: o.iss, flags: ACK, data: "x" });
      h.expectNone();
      let sentAt = -1;
      for (let i = 0; i < 5 && sentAt < 0; i++) {
        h.advance(50);
        if (h.take().length) sentAt = h.t;
      }
      assert.ok(sentAt > t0 && sentAt - t0 <= 200, `offset ${offset}: ACK after ${sentAt - t0} ms`);
    }
  });

  it("keeps two full segments in flight when the peer's window allows", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.write(a.c, new Uint8Array(2800), 0, 2800);
    const s = h.take();
    assert.deepStrictEqual(s.map((x) => field(x.bytes).seq - a.iss), [0, 1400]);
    // one ACK for the first: the ring has space again, the next write goes out at once
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1400, flags: ACK });
    h.tcp.write(a.c, new Uint8Array(1400), 0, 1400);
    assert.deepStrictEqual(h.take().map((x) => field(x.bytes).seq - a.iss), [2800]);
  });
});
