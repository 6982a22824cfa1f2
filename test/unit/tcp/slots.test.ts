// Fixed slots: policies when full (TIME-WAIT reuse, half-open eviction, idle eviction, silent
// drop), backlog, 50 connections in a row, memory per slot, back-pressure and drained().
import * as assert from "assert";
import { Harness, recorder, ACK, SYN, FIN, RST, PSH, KEY, DEV, PEER, field, expectSeg, passiveOpen, activeOpen } from "./harness";
import { bytesPerSlot } from "../../../firmware/tcp/slots";
import { Chunk } from "../../../firmware/tcp/pool";
import * as S from "../../../firmware/tcp/states";

function counts(h: Harness): number[] {
  const out = new Uint16Array(S.STATE_COUNT);
  h.tcp.stateCounts(out);
  return Array.from(out);
}

describe("tcp slots", () => {
  it("memory per slot: the typed arrays add up to bytesPerSlot() per slot, plus the send pool", () => {
    const h = new Harness({ slots: 3, sendBuf: 1000 });
    let total = 0;
    for (const v of Object.values(h.tcp.slots)) if (ArrayBuffer.isView(v)) total += (v as Uint8Array).byteLength;
    assert.strictEqual(total, 3 * bytesPerSlot());
    assert.strictEqual(bytesPerSlot(), 200); // 150 + loss recovery's RCV_HI, T_PTO and T_RXT 20 + urgent pointers 8 + keep-alive 18 + the SYN's receive epoch 4
    // the default pool: every slot can queue its sendBuf from any offset (3 slots x (2 + 1) chunks)
    const p = h.tcp.pool;
    assert.strictEqual(p.data.byteLength, 3 * 3 * Chunk.SIZE);
    assert.strictEqual(p.bytes, p.data.byteLength + 9 * 2 + 3 * 2 * 2);
    assert.strictEqual(h.tcp.memoryBytes, total + p.bytes);
  });

  it("full: the oldest TIME-WAIT slot is reused", () => {
    const h = new Harness({ slots: 2 });
    const l = recorder(() => h.tcp);
    h.tcp.listen(7, l);
    for (let i = 0; i < 2; i++) {
      const a = activeOpen(h, 80 + i);
      h.tcp.close(a.c);
      h.send({ sport: 80 + i, dport: a.lp, seq: a.pseq, ack: a.iss + 1, flags: FIN | ACK });
      h.take();
      assert.strictEqual(h.tcp.state(a.c), S.TIME_WAIT);
      h.t += 10;
    }
    h.send({ sport: 40000, dport: 7, seq: 1, flags: SYN });
    assert.strictEqual(field(h.take()[0].bytes).flags, SYN | ACK);
    assert.strictEqual(h.tcp.state(0), S.SYN_RCVD); // slot 0 was the older TIME-WAIT
    assert.strictEqual(h.tcp.state(1), S.TIME_WAIT);
    assert.strictEqual(h.tcp.counters.reuseTimeWait, 1);
  });

  it("full of half-open connections: the oldest is evicted (RST), backlog bounds a listener", () => {
    const h = new Harness({ slots: 3 });
    const l = recorder(() => h.tcp);
    h.tcp.listen(7, l, 2);
    h.send({ sport: 1001, dport: 7, seq: 1, flags: SYN });
    const iss1 = field(h.take()[0].bytes).seq;
    h.t += 1;
    h.send({ sport: 1002, dport: 7, seq: 1, flags: SYN });
    h.take();
    h.t += 1;
    // backlog 2 reached: the third SYN evicts the oldest half-open of this listener
    h.send({ sport: 1003, dport: 7, seq: 1, flags: SYN });
    const s = h.take();
    assert.strictEqual(s.length, 2);
    expectSeg(s[0], { sport: 7, dport: 1001, seq: iss1 + 1, flags: RST, win: 0 });
    assert.strictEqual(field(s[1].bytes).flags, SYN | ACK);
    assert.strictEqual(field(s[1].bytes).dport, 1003);
    assert.strictEqual(h.tcp.counters.backlogEvict, 1);
    assert.deepStrictEqual(counts(h).slice(0, 4), [1, 1, 0, 2]);
  });

  it("a burst of SYNs read before the ACKs behind it: no half-open slot is evicted until the receive queue was found empty; then the oldest is", () => {
    // the stack's receive epoch (St.re) moves on each time its poll finds the chip's queue empty
    const h = new Harness({ slots: 3 });
    const stk = h.stack as { re?: number };
    stk.re = 7;
    const l = recorder(() => h.tcp);
    h.tcp.listen(80, l, 3);
    const iss: number[] = [];
    for (let i = 0; i < 3; i++) {
      h.send({ sport: 2001 + i, dport: 80, seq: 100, flags: SYN });
      iss.push(field(h.take()[0].bytes).seq);
      h.t += 1;
    }
    // the 4th and 5th SYN of the same batch: dropped silently, no RST to anyone
    h.send({ sport: 2004, dport: 80, seq: 100, flags: SYN });
    h.send({ sport: 2005, dport: 80, seq: 100, flags: SYN });
    h.expectNone();
    assert.strictEqual(h.tcp.counters.dropSynFull, 2);
    assert.strictEqual(h.tcp.counters.evictHalfOpen, 0);
    // the ACKs queued behind the burst complete the first two
    for (let i = 0; i < 2; i++) h.send({ sport: 2001 + i, dport: 80, seq: 101, ack: iss[i] + 1, flags: ACK });
    h.expectNone();
    assert.deepStrictEqual(l.log.filter((x) => x.startsWith("open")).length, 2);
    // the queue was found empty: the third half-open's peer had its chance; a new SYN evicts it
    stk.re = 8;
    h.send({ sport: 2004, dport: 80, seq: 300, flags: SYN });
    const s = h.take();
    assert.strictEqual(s.length, 2);
    expectSeg(s[0], { sport: 80, dport: 2003, seq: iss[2] + 1, flags: RST, win: 0 });
    assert.strictEqual(field(s[1].bytes).dport, 2004);
    assert.strictEqual(h.tcp.counters.evictHalfOpen, 1);
  });

  it("a SYN flood that never lets the receive queue empty: half-open slots are evicted after the initial RTO, so a real client gets in", () => {
    const h = new Harness({ slots: 2 });
    (h.stack as { re?: number }).re = 1;   // never moves on
    h.tcp.listen(80, recorder(() => h.tcp), 2);
    h.send({ sport: 3001, dport: 80, seq: 1, flags: SYN });
    const iss1 = field(h.take()[0].bytes).seq;
    h.send({ sport: 3002, dport: 80, seq: 1, flags: SYN });
    h.take();
    h.t += 999;
    h.send({ sport: 3003, dport: 80, seq: 1, flags: SYN });
    h.expectNone();
    assert.strictEqual(h.tcp.counters.dropSynFull, 1);
    h.t += 1;   // the oldest is now as old as the initial RTO (1 s): the backlog's oldest makes room
    h.send({ sport: 3003, dport: 80, seq: 1, flags: SYN });
    const s = h.take();
    assert.strictEqual(s.length, 2);
    expectSeg(s[0], { sport: 80, dport: 3001, seq: iss1 + 1, flags: RST, win: 0 });
    assert.strictEqual(field(s[1].bytes).dport, 3003);
    assert.strictEqual(h.tcp.counters.backlogEvict, 1);
  });

  it("full of busy connections: a new SYN is dropped silently (no RST); an idle accepted one is evicted", () => {
    const h = new Harness({ slots: 2, idleEvictMs: 5000 });
    const a = passiveOpen(h, 7, 1001);
    const b = passiveOpen(h, 8, 1002);
    h.send({ sport: 1003, dport: 7, seq: 1, flags: SYN });
    h.expectNone();
    h.send({ sport: 1004, dport: 8, seq: 1, flags: SYN });
    h.expectNone();
    assert.strictEqual(h.tcp.counters.dropSynFull, 2);
    h.advance(5000);
    h.take();
    h.send({ sport: 1003, dport: 7, seq: 1, flags: SYN });
    const s = h.take();
    assert.strictEqual(s.length, 2);
    expectSeg(s[0], { sport: 7, dport: 1001, seq: a.iss, flags: RST, win: 0 });
    assert.strictEqual(field(s[1].bytes).flags, SYN | ACK);
    assert.ok(a.r.log.includes("end 0 3"));
    assert.strictEqual(h.tcp.counters.evictIdle, 1);
    // connect() may take the half-open slot; with only busy connections left it gets -1
    h.t += 1;
    const c = h.tcp.connect(PEER, 80, recorder(() => h.tcp));
    assert.strictEqual(c, 0);
    assert.strictEqual(h.tcp.counters.evictHalfOpen, 1);
    h.tcp.write(b.c, new Uint8Array(5), 0, 5); // b is no longer idle: data in flight
    assert.strictEqual(h.tcp.connect(PEER, 81, recorder(() => h.tcp)), -1);
  });

  it("50 connections opened and closed in a row leave no slot held beyond TIME-WAIT", () => {
    const h = new Harness({ slots: 4, mslMs: 1000 });
    const l = recorder(() => h.tcp);
    h.tcp.listen(7, l);
    for (let i = 0; i < 50; i++) {
      if (i % 2 === 0) {
        // peer opens and closes first: LAST-ACK -> CLOSED, no TIME-WAIT on our side
        const pp = 2000 + i;
        h.send({ sport: pp, dport: 7, seq: 100, flags: SYN });
        const iss = field(h.take()[0].bytes).seq + 1;
        h.send({ sport: pp, dport: 7, seq: 101, ack: iss, flags: ACK, data: "GET" });
        h.send({ sport: pp, dport: 7, seq: 104, ack: iss, flags: FIN | ACK });
        const c = Number(l.log.filter((x) => x.startsWith("open")).pop()!.split(" ")[1]);
        h.tcp.close(c);
        h.take();
        h.send({ sport: pp, dport: 7, seq: 105, ack: iss + 1, flags: ACK });
        assert.strictEqual(h.tcp.state(c), S.CLOSED);
      } else {
        // we close first: TIME-WAIT, then reuse or expiry
        const a = activeOpen(h, 3000 + i);
        h.tcp.close(a.c);
        h.send({ sport: 3000 + i, dport: a.lp, seq: a.pseq, ack: a.iss + 1, flags: FIN | ACK });
        h.take();
        assert.strictEqual(h.tcp.state(a.c), S.TIME_WAIT);
      }
      h.advance(100);
    }
    const c = counts(h);
    assert.strictEqual(c[S.TIME_WAIT] + c[S.CLOSED], 4);
    h.advance(2000);
    assert.deepStrictEqual(counts(h), [4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("back-pressure: write() takes what fits, space() reports it, drained() when ACKed", () => {
    const h = new Harness({ sendBuf: 1000 });
    const a = activeOpen(h);
    assert.strictEqual(h.tcp.space(a.c), 1000);
    assert.strictEqual(h.tcp.write(a.c, new Uint8Array(1500), 0, 1500), 1000);
    assert.strictEqual(h.tcp.space(a.c), 0);
    assert.strictEqual(h.tcp.write(a.c, new Uint8Array(10), 0, 10), 0);
    h.take();
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 600, flags: ACK });
    assert.strictEqual(h.tcp.space(a.c), 600);
    assert.deepStrictEqual(a.r.log.slice(1), [`drained ${a.c}`]);
    // the ring wraps: bytes written across the end come out in order
    const data = new Uint8Array(600).map((_, i) => i & 255);
    assert.strictEqual(h.tcp.write(a.c, data, 0, 600), 600);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1000, flags: ACK });
    const s = h.take();
    const got = Buffer.concat(s.map((x) => Buffer.from(field(x.bytes).data)));
    assert.deepStrictEqual(Array.from(got), Array.from(data));
    assert.strictEqual(field(s[0].bytes).seq, a.iss + 1000);
  });

  it("shared send pool: write() takes what the pool holds, drained() when another connection's chunks come back, abort() returns them", () => {
    const h = new Harness({ sendPool: 3 * Chunk.SIZE }); // 1,536 bytes for every connection
    const a = activeOpen(h, 80);
    const b = activeOpen(h, 81, 7000);
    const p = h.tcp.pool;
    // a takes two chunks (700 bytes), b the last one and no more
    assert.strictEqual(h.tcp.write(a.c, new Uint8Array(700).fill(1), 0, 700), 700);
    assert.strictEqual(h.tcp.space(b.c), Chunk.SIZE); // one free chunk
    assert.strictEqual(h.tcp.write(b.c, new Uint8Array(600).fill(2), 0, 600), Chunk.SIZE);
    assert.strictEqual(p.nfree, 0);
    assert.strictEqual(h.tcp.space(a.c), 2 * Chunk.SIZE - 700); // the rest of a's last chunk
    assert.strictEqual(h.tcp.write(a.c, new Uint8Array(400).fill(3), 0, 400), 2 * Chunk.SIZE - 700);
    assert.strictEqual(h.tcp.space(b.c), 0);
    h.take();
    // the peer acknowledges all of a's bytes: its chunks come back, b (held back by the pool) hears drained()
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2 * Chunk.SIZE, flags: ACK });
    assert.strictEqual(p.nfree, 2);
    assert.deepStrictEqual(b.r.log.slice(1), [`drained ${b.c}`]);
    assert.deepStrictEqual(a.r.log.slice(1), [`drained ${a.c}`]);
    assert.strictEqual(h.tcp.write(b.c, new Uint8Array(100).fill(4), 0, 100), 100);
    // b's bytes come out in order across its two chunks (a retransmission reads them again)
    h.take();
    h.advance(250); // one retransmission time-out (RTO 200 ms)
    const again = h.take().filter((x) => field(x.bytes).dport === 81);
    const got = Buffer.concat(again.map((x) => Buffer.from(field(x.bytes).data)));
    assert.strictEqual(got.length, Chunk.SIZE + 100);
    assert.ok(got.subarray(0, Chunk.SIZE).every((x) => x === 2) && got.subarray(Chunk.SIZE).every((x) => x === 4));
    // abort() (and every other way a slot is freed) returns its chunks
    h.tcp.abort(b.c);
    assert.strictEqual(p.nfree, 3);
    assert.deepStrictEqual([p.first[b.c], p.last[b.c]], [Chunk.NONE, Chunk.NONE]);
  });

  it("shared send pool: a connection reset while others wait wakes them (no stall, no leak)", () => {
    const h = new Harness({ sendPool: 2 * Chunk.SIZE });
    const a = activeOpen(h, 80);
    const b = activeOpen(h, 81, 7000);
    assert.strictEqual(h.tcp.write(a.c, new Uint8Array(2000), 0, 2000), 2 * Chunk.SIZE);
    assert.strictEqual(h.tcp.write(b.c, new Uint8Array(10), 0, 10), 0);
    h.take();
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, flags: RST });
    assert.strictEqual(h.tcp.pool.nfree, 2);
    assert.deepStrictEqual(b.r.log.slice(1), [`drained ${b.c}`]);
    // many connections come and go: the pool never loses a chunk
    for (let i = 0; i < 20; i++) {
      const x = activeOpen(h, 100 + i, 9000);
      h.tcp.write(x.c, new Uint8Array(300 + i * 50), 0, 300 + i * 50);
      h.take();
      h.tcp.abort(x.c);
      h.take();
    }
    h.tcp.abort(b.c);
    assert.strictEqual(h.tcp.pool.nfree, 2);
  });
});
