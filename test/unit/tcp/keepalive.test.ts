// TCP keep-alive (firmware/tcp/keepalive.ts; RFC 1122 4.2.3.6) against the scripted peer: off by
// default (no probe after hours of fake time), no probe before the idle time, probes at the
// interval, any answer starts the idle time again, the connection given up after the configured
// unanswered probes with end(c, 2), traffic and queued data postpone it, the tick's deadline
// (tcpNextDue) follows it, and the peer's own probes are answered.
import * as assert from "assert";
import { Harness, ACK, PSH, RST, activeOpen, passiveOpen, field } from "./harness";
import { tcpKeepAlive } from "../../../firmware/tcp/keepalive";
import { tcpNextDue } from "../../../firmware/tcp/tcp";
import * as S from "../../../firmware/tcp/states";

const W = 2920; // our window
const PW = 64240; // the peer's window in activeOpen()
const HOUR = 3600000;

/** Advances in steps of 100 ms for ms; the times (from t0) at which segments went out, and the segments. */
function watch(h: Harness, ms: number, t0: number): { at: number[]; segs: ReturnType<typeof field>[] } {
  const at: number[] = [], segs: ReturnType<typeof field>[] = [];
  for (let left = ms; left > 0; left -= 100) {
    h.advance(100);
    for (const s of h.take()) { at.push(h.lastTick - t0); segs.push(field(s.bytes)); }
  }
  return { at, segs };
}

describe("tcp keep-alive", () => {
  it("off by default: no probe after 10 hours idle, and TCP's tick has nothing due", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.advance(10 * HOUR);
    assert.strictEqual(tcpNextDue(h.tcp), Infinity);
    h.expectNone();
    assert.strictEqual(h.tcp.state(a.c), S.ESTABLISHED);
    assert.strictEqual(h.tcp.counters.keepAliveProbes, 0);
  });

  it("defaults: the first probe after 2 hours idle (SEQ = SND.NXT - 1, no data), then every 75 s; 9 unanswered: RST, end(c, 2)", () => {
    const h = new Harness();
    const a = activeOpen(h);
    const t0 = h.t;
    assert.strictEqual(tcpKeepAlive(h.tcp, a.c), true);
    h.advance(1000); // (the SYN's retransmission deadline, cleared, is passed)
    assert.strictEqual(tcpNextDue(h.tcp), t0 + 2 * HOUR, "the tick sleeps until the idle time is over");
    h.advance(2 * HOUR - 1100);
    h.expectNone();
    const w = watch(h, 100 + 9 * 75000, t0);
    assert.deepStrictEqual(w.at, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => 2 * HOUR + i * 75000));
    // each probe: byte for byte <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>, no data
    for (let i = 0; i < 9; i++) {
      assert.deepStrictEqual([w.segs[i].seq, w.segs[i].ack, w.segs[i].flags, w.segs[i].data.length, w.segs[i].win], [(a.iss - 1) >>> 0, a.pseq, ACK, 0, W]);
    }
    assert.deepStrictEqual([w.segs[9].seq, w.segs[9].flags], [a.iss, RST]);
    assert.deepStrictEqual(a.r.log.slice(1), [`end ${a.c} 2`]);
    assert.strictEqual(h.tcp.state(a.c), S.CLOSED);
    assert.strictEqual(h.tcp.counters.keepAliveProbes, 9);
    assert.strictEqual(h.tcp.counters.keepAliveAborts, 1);
    assert.strictEqual(h.tcp.counters.giveUps, 0, "not a retransmission give-up");
    assert.strictEqual(tcpNextDue(h.tcp), Infinity, "nothing left to wake for");
  });

  it("an answer to a probe starts the idle time again; a later silence ends the connection", () => {
    const h = new Harness();
    const a = activeOpen(h);
    const t0 = h.t;
    tcpKeepAlive(h.tcp, a.c, 10000, 2000, 3);
    let w = watch(h, 10000, t0);
    assert.deepStrictEqual(w.at, [10000]);
    h.advance(50);
    // the peer's answer: an ACK of RCV.NXT (its probe answer), acceptable
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: PW });
    h.expectNone();
    w = watch(h, 20000, t0);
    // no probe at 12 s: the next one 10 s after the answer (10.05 s + 10 s, on the 100 ms tick)
    assert.deepStrictEqual(w.at, [20100, 22100, 24100, 26100]);
    assert.deepStrictEqual(w.segs.map((s) => s.flags), [ACK, ACK, ACK, RST]);
    assert.deepStrictEqual(a.r.log.slice(1), [`end ${a.c} 2`]);
  });

  it("traffic postpones the first probe: the idle time counts from the last segment received", () => {
    const h = new Harness();
    const a = activeOpen(h);
    const t0 = h.t;
    tcpKeepAlive(h.tcp, a.c, 10000, 2000, 2);
    h.advance(6000);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | PSH, win: PW, data: "hi" });
    h.advance(300);
    h.take(); // the delayed ACK
    const w = watch(h, 20000, t0 + 6300);
    assert.deepStrictEqual(w.at, [9700, 11700, 13700], "first probe at 16 s (6 s + 10 s)");
    assert.deepStrictEqual([w.segs[0].seq, w.segs[0].ack], [(a.iss - 1) >>> 0, a.pseq + 2]);
    assert.strictEqual(w.segs[2].flags, RST);
  });

  it("with data in flight the retransmission timer watches the peer, not keep-alive", () => {
    const h = new Harness({ maxRetries: 2 });
    const a = activeOpen(h);
    tcpKeepAlive(h.tcp, a.c, 1000, 1000, 2);
    h.tcp.write(a.c, new Uint8Array([1, 2, 3]), 0, 3);
    h.take();
    const w = watch(h, 5000, h.t);
    assert.ok(w.segs.every((s) => s.flags === RST || s.data.length === 3), "only retransmissions (and the give-up's RST)");
    assert.strictEqual(h.tcp.counters.keepAliveProbes, 0);
    assert.strictEqual(h.tcp.counters.giveUps, 1);
  });

  it("switched off again, a bad id, bounds: count at least 2 (MUST-29), idle and interval at least 1 s", () => {
    const h = new Harness();
    const a = activeOpen(h);
    assert.strictEqual(tcpKeepAlive(h.tcp, 3, 1000), false, "a free slot");
    assert.strictEqual(tcpKeepAlive(h.tcp, -1, 1000), false);
    assert.strictEqual(tcpKeepAlive(h.tcp, 99, 1000), false);
    tcpKeepAlive(h.tcp, a.c, 5000);
    assert.strictEqual(tcpKeepAlive(h.tcp, a.c, 0), true);
    assert.strictEqual(tcpNextDue(h.tcp) === Infinity || tcpNextDue(h.tcp) <= h.t + 5000, true);
    h.advance(3 * HOUR);
    h.expectNone();
    const t0 = h.t;
    tcpKeepAlive(h.tcp, a.c, 1, 1, 1);
    const w = watch(h, 5000, t0);
    assert.deepStrictEqual(w.at, [100, 1100, 2100], "a probe at once (idle for hours), one more a second later, then the RST");
    assert.deepStrictEqual(w.segs.map((s) => s.flags), [ACK, ACK, RST]);
  });

  it("on a passive open in CLOSE-WAIT too; not in FIN-WAIT-2 or TIME-WAIT", () => {
    const h = new Harness();
    const p = passiveOpen(h);
    tcpKeepAlive(h.tcp, p.c, 1000, 1000, 2);
    h.send({ sport: 40000, dport: 7, seq: p.pseq, ack: p.iss, flags: ACK | 1, win: PW }); // the peer's FIN
    assert.strictEqual(h.tcp.state(p.c), S.CLOSE_WAIT);
    h.take();
    let w = watch(h, 1500, h.t);
    assert.strictEqual(w.segs.length, 1);
    assert.deepStrictEqual([w.segs[0].seq, w.segs[0].ack, w.segs[0].flags], [(p.iss - 1) >>> 0, p.pseq + 1, ACK]);
    // an active close to FIN-WAIT-2 stops the probes (its own time-out watches it)
    const b = new Harness({ finWait2TimeoutMs: 60000 });
    const a = activeOpen(b);
    tcpKeepAlive(b.tcp, a.c, 1000, 1000, 2);
    b.tcp.close(a.c);
    b.take();
    b.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1, flags: ACK, win: PW });
    assert.strictEqual(b.tcp.state(a.c), S.FIN_WAIT_2);
    w = watch(b, 30000, b.t);
    assert.deepStrictEqual(w.segs.length, 0);
    assert.strictEqual(b.tcp.counters.keepAliveProbes, 0);
  });

  it("answers the peer's keep-alive probes (SEQ = RCV.NXT - 1, with 0 or 1 garbage byte) with an ACK, not counted as a drop", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq - 1, ack: a.iss, flags: ACK, win: PW });
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq, flags: ACK, win: W });
    h.send({ sport: 80, dport: a.lp, seq: a.pseq - 1, ack: a.iss, flags: ACK, win: PW, data: "\0" });
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq, flags: ACK, win: W });
    assert.deepStrictEqual(a.r.log.slice(1), [], "no data delivered");
    assert.strictEqual(h.tcp.counters.dropOutOfWindow, 0);
    assert.strictEqual(h.tcp.state(a.c), S.ESTABLISHED);
  });
});
