// Output from inside a handler waits for the handler to return (firmware/tcp/events.ts), with
// the same segments, in the same order, as when it went at once; and the idle tick: TCP's
// next deadline (tcpNextDue) and a tick that does nothing before it.
import * as assert from "assert";
import { Harness, recorder, ACK, FIN, PSH, RST, field, passiveOpen, activeOpen, slotVal } from "./harness";
import { tcpNextDue, TcpHandler } from "../../../firmware/tcp/tcp";
import * as S from "../../../firmware/tcp/states";

const W = 2920;
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));

/** A passive open whose data() runs fn(c) and records how many segments had gone out during it. */
function serverWith(h: Harness, fn: (c: number) => void) {
  const seen: number[] = [];
  const a = passiveOpen(h);
  const r = a.r as TcpHandler & { log: string[] };
  r.data = (c: number): void => {
    const before = h.sent.length;
    fn(c);
    seen.push(h.sent.length - before);
  };
  return { a, seen };
}

describe("tcp output deferred while a handler runs", () => {
  it("write() in data(): nothing leaves during the call; the reply goes after it, carrying the ACK", () => {
    const h = new Harness();
    const { a, seen } = serverWith(h, (c) => { h.tcp.write(c, bytes("pong"), 0, 4); });
    h.send({ sport: 40000, dport: 7, seq: a.pseq, ack: a.iss, flags: ACK | PSH, win: 64240, data: "ping" });
    assert.deepStrictEqual(seen, [0]);
    h.expectOne({ sport: 7, dport: 40000, seq: a.iss, ack: a.pseq + 4, flags: ACK | PSH, win: W, data: "pong" });
  });

  it("two writes and close() in one call: two segments, then the FIN alone (as when each went at once)", () => {
    const h = new Harness();
    const { a, seen } = serverWith(h, (c) => {
      h.tcp.write(c, bytes("head"), 0, 4);
      h.tcp.write(c, bytes("body!"), 0, 5);
      h.tcp.close(c);
      assert.strictEqual(h.tcp.state(c), S.FIN_WAIT_1); // the state moves at once
    });
    h.send({ sport: 40000, dport: 7, seq: a.pseq, ack: a.iss, flags: ACK | PSH, win: 64240, data: "GET" });
    assert.deepStrictEqual(seen, [0]);
    const out = h.take().map((s) => field(s.bytes));
    assert.deepStrictEqual(out.map((f) => [f.seq - a.iss, f.flags, Buffer.from(f.data).toString("latin1")]), [
      [0, ACK | PSH, "head"], [4, ACK | PSH, "body!"], [9, ACK | FIN, ""],
    ]);
  });

  it("write() then abort() in one call: the data, then the RST (the abort sends what waits first)", () => {
    const h = new Harness();
    const { a } = serverWith(h, (c) => {
      h.tcp.write(c, bytes("bye"), 0, 3);
      h.tcp.abort(c);
    });
    h.send({ sport: 40000, dport: 7, seq: a.pseq, ack: a.iss, flags: ACK | PSH, win: 64240, data: "x" });
    const out = h.take().map((s) => field(s.bytes));
    assert.deepStrictEqual(out.map((f) => [f.seq - a.iss, f.flags, f.data.length]), [[0, ACK | PSH, 3], [3, RST, 0]]);
    assert.strictEqual(h.tcp.state(a.c), S.CLOSED);
  });

  it("a handler that throws after writing: counted, and what it wrote still goes", () => {
    const h = new Harness();
    const { a } = serverWith(h, (c) => {
      h.tcp.write(c, bytes("ok"), 0, 2);
      throw new Error("app bug");
    });
    h.send({ sport: 40000, dport: 7, seq: a.pseq, ack: a.iss, flags: ACK | PSH, win: 64240, data: "x" });
    h.expectOne({ sport: 7, dport: 40000, seq: a.iss, ack: a.pseq + 1, flags: ACK | PSH, win: W, data: "ok" });
    assert.strictEqual(h.tcp.counters.appErrors, 1);
  });

  it("more sends in one call than the deferred list holds: all of them, in order", () => {
    const h = new Harness();
    const { a, seen } = serverWith(h, (c) => {
      for (let i = 0; i < 12; i++) h.tcp.write(c, bytes(String.fromCharCode(65 + i)), 0, 1);
    });
    h.send({ sport: 40000, dport: 7, seq: a.pseq, ack: a.iss, flags: ACK | PSH, win: 64240, data: "x" });
    assert.ok(seen[0] < 12, "at most the overflow goes during the call");
    const out = h.take().map((s) => field(s.bytes));
    assert.strictEqual(out.map((f) => Buffer.from(f.data).toString("latin1")).join(""), "ABCDEFGHIJKL");
    assert.deepStrictEqual(out.map((f) => f.seq - a.iss), out.map((_, i) => i));
  });

  it("write() in open() of an active open: the data leaves after open() returns", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    let during = -1;
    r.open = (c: number): void => {
      const n = h.sent.length;
      h.tcp.write(c, bytes("hello"), 0, 5);
      during = h.sent.length - n;
    };
    const a = activeOpenWith(h, r);
    assert.strictEqual(during, 0);
    const out = h.take().map((s) => field(s.bytes));
    // the handshake's ACK carries the data (sent after open() returned, before the bare ACK was needed)
    assert.deepStrictEqual(out.map((f) => [f.flags, f.data.length]), [[ACK, 0], [ACK | PSH, 5]]);
    assert.strictEqual(h.tcp.state(a), S.ESTABLISHED);
  });
});

/** connect() with handler r and the peer's SYN+ACK; returns the connection id (segments left in h.sent). */
function activeOpenWith(h: Harness, r: TcpHandler): number {
  const c = h.tcp.connect(0xc0000201, 80, r);
  const syn = field(h.take()[0].bytes);
  h.send({ sport: 80, dport: syn.sport, seq: 5000, ack: syn.seq + 1, flags: 0x12, win: 64240, opts: [2, 4, 5, 120] });
  return c;
}

describe("tcp idle: timers only when something is pending", () => {
  it("tcpNextDue: Infinity with only listeners and idle connections; the RTO deadline with data in flight", () => {
    const h = new Harness();
    assert.strictEqual(tcpNextDue(h.tcp), Infinity);
    const a = activeOpen(h);
    h.advance(1000);
    assert.strictEqual(tcpNextDue(h.tcp), Infinity, "established, nothing in flight");
    h.tcp.write(a.c, bytes("abc"), 0, 3);
    h.take();
    assert.strictEqual(tcpNextDue(h.tcp), slotVal(h.tcp, "tRexmt", a.c));
    assert.ok(tcpNextDue(h.tcp) > h.t);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 3, flags: ACK, win: 64240 });
    h.advance(200); // the tick after the ACK finds nothing armed any more
    assert.strictEqual(tcpNextDue(h.tcp), Infinity);
  });

  it("TIME-WAIT's 2 MSL and a delayed ACK show up as deadlines; nothing is done before them", () => {
    const h = new Harness({ mslMs: 1000 });
    const a = passiveOpen(h);
    h.send({ sport: 40000, dport: 7, seq: a.pseq, ack: a.iss, flags: ACK | PSH, win: 64240, data: "1" });
    assert.strictEqual(tcpNextDue(h.tcp), h.t + 100, "the delayed ACK");
    h.expectNone();
    h.advance(100);
    assert.strictEqual(field(h.take()[0].bytes).flags, ACK);
    h.tcp.close(a.c);
    const fin = field(h.take()[0].bytes);
    h.send({ sport: 40000, dport: 7, seq: a.pseq + 1, ack: fin.seq + 1, flags: ACK | FIN, win: 64240 });
    h.take();
    assert.strictEqual(h.tcp.state(a.c), S.TIME_WAIT);
    const t0 = h.t;
    // (a lower bound until a tick reaches it: the FIN's retransmission timer was armed for
    // t0 + RTO, then cleared by the ACK; the tick there looks at the slots and finds 2 MSL)
    assert.strictEqual(tcpNextDue(h.tcp), t0 + slotVal(h.tcp, "rto", a.c));
    h.advance(300);
    assert.strictEqual(tcpNextDue(h.tcp), t0 + 2000);
    const segOut = h.tcp.counts[1];
    h.advance(1600);
    assert.strictEqual(h.tcp.state(a.c), S.TIME_WAIT);
    assert.strictEqual(h.tcp.counts[1], segOut);
    h.advance(100);
    assert.strictEqual(h.tcp.state(a.c), S.CLOSED);
    assert.strictEqual(tcpNextDue(h.tcp), Infinity);
  });
});
