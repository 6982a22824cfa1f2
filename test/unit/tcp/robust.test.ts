// RFC 9293 3.10.7 checks and RFC 5961 robustness: out-of-window, challenge ACKs and their
// rate limit, ACK of unsent data, out-of-order, checksum, header and option sanity.
import * as assert from "assert";
import { Harness, recorder, ACK, SYN, FIN, RST, PSH, MSS_OPT, KEY, DEV, PEER, seg, field, passiveOpen, activeOpen, slotVal } from "./harness";
import { parseMss } from "../../../firmware/tcp/segment";
import * as S from "../../../firmware/tcp/states";

const W = 2920;
const P = 40000;

describe("tcp robustness", () => {
  it("a connect() from inside end() gets a live connection, even when it reuses the slot being freed", () => {
    const h = new Harness({ slots: 1 });
    const o = activeOpen(h);
    const again = recorder(() => h.tcp);
    let c2 = -2;
    o.r.end = (c, r) => { o.r.log.push(`end ${c} ${r}`); c2 = h.tcp.connect(PEER, 81, again); };
    h.send({ sport: 80, dport: o.lp, seq: o.pseq, flags: RST });           // exact RST: CLOSED, end()
    assert.strictEqual(c2, o.c, "the only slot is reused");
    const syn = field(h.take().pop()!.bytes);
    assert.strictEqual(syn.dport, 81);
    assert.strictEqual(syn.flags, SYN);
    assert.strictEqual(h.tcp.state(c2), S.SYN_SENT, "the new connection survives the old one's end()");
    h.send({ sport: 81, dport: syn.sport, seq: 9000, ack: syn.seq + 1, flags: SYN | ACK, win: 64240, opts: MSS_OPT(1460) });
    assert.strictEqual(h.tcp.state(c2), S.ESTABLISHED);
    assert.deepStrictEqual(again.log, [`open ${c2}`]);
  });

  it("refuses options its 16-bit slot fields cannot hold, with a clear error", () => {
    for (const o of [{ mss: 40000 }, { mss: 1461 }, { mss: 10 }, { sendBuf: 65536 }, { mss: 1460, sendBuf: 70000 }]) {
      assert.throws(() => new Harness(o), /tcp: mss 64\.\.1460, sendBuf <= 65535/, JSON.stringify(o));
    }
    assert.doesNotThrow(() => new Harness({ mss: 536, sendBuf: 65535 }));
  });

  it("out-of-window segment: ACK of RCV.NXT, data dropped", () => {
    const h = new Harness();
    const o = passiveOpen(h);
    h.send({ sport: P, dport: 7, seq: o.pseq + 5000, ack: o.iss, flags: ACK, data: "far" });
    h.expectOne({ sport: 7, dport: P, seq: o.iss, ack: o.pseq, flags: ACK, win: W });
    h.send({ sport: P, dport: 7, seq: o.pseq - 100, ack: o.iss, flags: ACK, data: "old" });
    h.expectOne({ sport: 7, dport: P, seq: o.iss, ack: o.pseq, flags: ACK, win: W });
    assert.deepStrictEqual(o.r.bytes, []);
    assert.strictEqual(h.tcp.counters.dropOutOfWindow, 2);
    // an out-of-window RST is dropped silently
    h.send({ sport: P, dport: 7, seq: o.pseq + 5000, flags: RST });
    h.expectNone();
    assert.strictEqual(h.tcp.state(o.c), S.ESTABLISHED);
  });

  it("in-window RST that is not exact: challenge ACK (rate-limited), connection kept", () => {
    const h = new Harness({ challengeAckLimit: 2 });
    const o = passiveOpen(h);
    for (let i = 1; i <= 3; i++) h.send({ sport: P, dport: 7, seq: o.pseq + i, flags: RST });
    const s = h.take();
    assert.strictEqual(s.length, 2);
    const { expectSeg } = require("./harness");
    for (const x of s) expectSeg(x, { sport: 7, dport: P, seq: o.iss, ack: o.pseq, flags: ACK, win: W });
    assert.strictEqual(h.tcp.counters.challengeAcks, 2);
    assert.strictEqual(h.tcp.counters.challengeAcksLimited, 1);
    assert.strictEqual(h.tcp.state(o.c), S.ESTABLISHED);
    h.advance(1000); // a new second: allowed again
    h.send({ sport: P, dport: 7, seq: o.pseq + 1, flags: RST });
    assert.strictEqual(h.take().length, 1);
  });

  it("SYN on a synchronised connection: challenge ACK, no reset", () => {
    const h = new Harness();
    const o = passiveOpen(h);
    h.send({ sport: P, dport: 7, seq: o.pseq + 10, flags: SYN });
    h.expectOne({ sport: 7, dport: P, seq: o.iss, ack: o.pseq, flags: ACK, win: W });
    assert.strictEqual(h.tcp.state(o.c), S.ESTABLISHED);
  });

  it("ACK of unsent data: ACK and drop (the data is not delivered)", () => {
    const h = new Harness();
    const o = passiveOpen(h);
    h.send({ sport: P, dport: 7, seq: o.pseq, ack: o.iss + 100, flags: ACK, data: "zz" });
    h.expectOne({ sport: 7, dport: P, seq: o.iss, ack: o.pseq, flags: ACK, win: W });
    assert.deepStrictEqual(o.r.bytes, []);
    assert.strictEqual(h.tcp.counters.dropAckUnsent, 1);
  });

  it("segment without ACK in ESTABLISHED is dropped; SYN-RCVD with a bad ACK gets RST", () => {
    const h = new Harness();
    const o = passiveOpen(h);
    h.send({ sport: P, dport: 7, seq: o.pseq, flags: PSH, data: "q" });
    h.expectNone();
    assert.deepStrictEqual(o.r.bytes, []);
    h.send({ sport: P + 1, dport: 7, seq: 50, flags: SYN });
    h.take();
    h.send({ sport: P + 1, dport: 7, seq: 51, ack: 12345, flags: ACK });
    h.expectOne({ sport: 7, dport: P + 1, seq: 12345, flags: RST, win: 0 });
  });

  it("out-of-order data: duplicate ACK, never delivered out of order", () => {
    const h = new Harness();
    const o = passiveOpen(h);
    h.send({ sport: P, dport: 7, seq: o.pseq + 3, ack: o.iss, flags: ACK, data: "def" });
    h.expectOne({ sport: 7, dport: P, seq: o.iss, ack: o.pseq, flags: ACK, win: W });
    h.send({ sport: P, dport: 7, seq: o.pseq, ack: o.iss, flags: ACK, data: "abc" });
    h.send({ sport: P, dport: 7, seq: o.pseq, ack: o.iss, flags: ACK, data: "abcdef" }); // overlap: only "def" is new
    assert.strictEqual(Buffer.from(o.r.bytes).toString(), "abcdef");
    h.send({ sport: P, dport: 7, seq: o.pseq, ack: o.iss, flags: ACK, data: "abc" }); // old: ACK
    assert.strictEqual(field(h.take().pop()!.bytes).ack, o.pseq + 6);
    assert.strictEqual(Buffer.from(o.r.bytes).toString(), "abcdef");
  });

  it("bad checksum, short header, data offset past the end: dropped with counters, no reply", () => {
    const h = new Harness();
    h.tcp.listen(7, recorder(() => h.tcp));
    const b = seg({ sport: P, dport: 7, seq: 1, flags: SYN });
    b[17] ^= 1;
    h.sendRaw(b);
    h.sendRaw(new Uint8Array(12));
    h.sendRaw(seg({ sport: P, dport: 7, seq: 1, flags: SYN, hlen: 16 }));
    h.sendRaw(seg({ sport: P, dport: 7, seq: 1, flags: SYN, hlen: 60 }));
    h.expectNone();
    assert.strictEqual(h.tcp.counters.dropChecksum, 1);
    assert.strictEqual(h.tcp.counters.dropShort, 3);
    assert.strictEqual(h.tcp.state(0), S.CLOSED);
  });

  it("options: MSS honoured (536 without it), NOP/EOL, unknown kinds skipped, illegal lengths dropped", () => {
    assert.strictEqual(parseMss(new Uint8Array([1, 1, 2, 4, 5, 0xb4]), 0, 6), 1460);
    assert.strictEqual(parseMss(new Uint8Array([8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 2, 0]), 0, 14), 512);
    assert.strictEqual(parseMss(new Uint8Array([0, 2, 4, 2, 0]), 0, 5), 0); // EOL ends the list
    assert.strictEqual(parseMss(new Uint8Array([3, 3, 7, 1]), 0, 4), 0);
    assert.strictEqual(parseMss(new Uint8Array([]), 0, 0), 0);
    assert.strictEqual(parseMss(new Uint8Array([5, 0, 1, 1]), 0, 4), -1); // length 0
    assert.strictEqual(parseMss(new Uint8Array([5, 1, 1, 1]), 0, 4), -1); // length 1
    assert.strictEqual(parseMss(new Uint8Array([1, 1, 1, 8]), 0, 4), -1); // kind without length byte
    assert.strictEqual(parseMss(new Uint8Array([8, 10, 0, 0]), 0, 4), -1); // past the end
    assert.strictEqual(parseMss(new Uint8Array([2, 3, 5, 1]), 0, 4), -1); // MSS of length 3

    const h = new Harness();
    h.tcp.listen(7, recorder(() => h.tcp), 4);
    h.send({ sport: P, dport: 7, seq: 1, flags: SYN, opts: [8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 2, 4, 2, 0] });
    assert.strictEqual(h.take()[0].bytes[13], SYN | ACK);
    assert.strictEqual(slotVal(h.tcp, "mss", 0), 512);
    h.send({ sport: P + 1, dport: 7, seq: 1, flags: SYN });
    h.take();
    assert.strictEqual(slotVal(h.tcp, "mss", 1), 536);
    h.send({ sport: P + 2, dport: 7, seq: 1, flags: SYN, opts: [2, 4, 0x40, 0] }); // 16384: capped at ours
    h.take();
    assert.strictEqual(slotVal(h.tcp, "mss", 2), 1460);
    h.send({ sport: P + 3, dport: 7, seq: 1, flags: SYN, opts: [1, 9, 0, 0] });
    h.expectNone();
    assert.strictEqual(h.tcp.counters.dropBadOptions, 1);
  });

  it("data() may consume less: only that much is acknowledged", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp, { consume: 2 });
    h.tcp.listen(7, r);
    h.send({ sport: P, dport: 7, seq: 1000, flags: SYN });
    const iss = field(h.take()[0].bytes).seq + 1;
    h.send({ sport: P, dport: 7, seq: 1001, ack: iss, flags: ACK, data: "hello" });
    h.expectOne({ sport: 7, dport: P, seq: iss, ack: 1003, flags: ACK, win: W });
  });
});

describe("tcp address validation and silly-window avoidance", () => {
  it("connect() refuses broadcast, multicast, 0.x and loopback; segments from such sources or to another address are dropped", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    for (const a of [0xffffffff, 0xe0000001, 0x00000001, 0x7f000001]) assert.strictEqual(h.tcp.connect(a, 80, r), -1);
    (h.stack as any).mask = 0xffffff00;
    assert.strictEqual(h.tcp.connect(0xc00002ff, 80, r), -1); // subnet broadcast
    h.tcp.listen(7, r);
    h.send({ sport: P, dport: 7, seq: 1, flags: SYN, src: 0xe0000005 });
    h.send({ sport: P, dport: 7, seq: 1, flags: SYN, src: 0xc00002ff });
    h.send({ sport: P, dport: 7, seq: 1, flags: SYN, dst: 0xc0000263 });
    h.expectNone();
    assert.strictEqual(h.tcp.counters.dropAddress, 3);
  });

  it("receiver SWS: an application-limited window opens by at least min(window/2, MSS), never shrinks", () => {
    const h = new Harness();
    let room = 1000;
    const r = recorder(() => h.tcp);
    (r as any).room = () => room;
    h.tcp.listen(7, r);
    h.send({ sport: P, dport: 7, seq: 1000, flags: SYN });
    const iss = field(h.take()[0].bytes).seq + 1;
    h.send({ sport: P, dport: 7, seq: 1001, ack: iss, flags: ACK });
    room = 500; // the app took 100 bytes and has less room now: the edge advertised stays put
    h.send({ sport: P, dport: 7, seq: 1001, ack: iss, flags: ACK | PSH, data: new Uint8Array(100) });
    h.advance(200);
    assert.strictEqual(field(h.take()[0].bytes).win, 900);
    room = 1000; // +100 over the edge: below min(1460, 1460): not advertised yet
    h.send({ sport: P, dport: 7, seq: 1101, ack: iss, flags: ACK | PSH, data: new Uint8Array(10) });
    h.advance(200);
    assert.strictEqual(field(h.take()[0].bytes).win, 890);
    room = 2920; // full again: the whole window
    h.send({ sport: P, dport: 7, seq: 1111, ack: iss, flags: ACK | PSH, data: new Uint8Array(10) });
    h.advance(200);
    assert.strictEqual(field(h.take()[0].bytes).win, 2920);
  });

  it("sender SWS: with data in flight, no small segment just because the window is small", () => {
    const h = new Harness();
    const a = activeOpen(h); // peer window 64240
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK, win: 2000 });
    h.tcp.write(a.c, new Uint8Array(2920), 0, 2920);
    // 1400 fit; the 600 left in the window are less than an MSS and than max window/2: wait
    assert.deepStrictEqual(h.take().map((x) => field(x.bytes).data.length), [1400]);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1400, flags: ACK, win: 2000 });
    assert.deepStrictEqual(h.take().map((x) => field(x.bytes).data.length), [1400, 120]); // 120: all there is
    assert.strictEqual(h.tcp.write(a.c, new Uint8Array(1400), 0, 1400), 1400);
    h.expectNone(); // 480 usable with 1520 in flight: wait for the ACK
    // nothing in flight: whatever the window allows goes (no deadlock)
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2920, flags: ACK, win: 100 });
    assert.deepStrictEqual(h.take().map((x) => field(x.bytes).data.length), [100]);
  });
});

describe("tcp under random input", () => {
  it("5,000 random segments: no throw, and every slot is free again after the time-outs", () => {
    let x = 12345;
    const rnd = (n: number) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x % n; };
    const h = new Harness({ slots: 4, mslMs: 500, maxRetries: 3 });
    const r = recorder(() => h.tcp, { echo: true });
    r.open = (c) => { if (rnd(4) === 0) h.tcp.close(c); };
    h.tcp.listen(7, r);
    // what the scripted peer believes per source port: its next sequence number and our ISS+1
    const pseq = [0, 0, 0], dack = [0, 0, 0];
    for (let i = 0; i < 5000; i++) {
      for (const o of h.take()) {
        const f = field(o.bytes);
        if ((f.flags & (SYN | ACK)) === (SYN | ACK)) dack[f.dport - 40000] = (f.seq + 1) >>> 0;
      }
      const k = rnd(3);
      const flags = [SYN, ACK, ACK | PSH, ACK | PSH, FIN | ACK, RST, RST | ACK, SYN | ACK, 0, rnd(64)][rnd(10)];
      if (flags === SYN) pseq[k] = rnd(0xffffffff);
      const seq = rnd(5) ? (pseq[k] + (flags === SYN ? 0 : 1) + (rnd(4) ? 0 : rnd(6000) - 3000)) >>> 0 : rnd(0xffffffff);
      const ack = rnd(5) ? (dack[k] + (rnd(3) ? 0 : rnd(3000) - 100)) >>> 0 : rnd(0xffffffff);
      const len = rnd(3) ? 0 : rnd(1400);
      const opts = rnd(4) === 0 ? Array.from({ length: rnd(12) }, () => rnd(256)) : [];
      const b = seg({ sport: 40000 + k, dport: rnd(8) ? 7 : 9, seq, ack, flags, win: rnd(3) ? 65535 : rnd(3000), opts, data: new Uint8Array(len) });
      if (rnd(50) === 0) b[rnd(b.length)] ^= 0xff; // corrupted: checksum fails (or a header field changes)
      if (opts.length && rnd(2)) b[12] = rnd(16) << 4; // any data offset
      h.sendRaw(b);
      if (flags !== SYN && seq === ((pseq[k] + 1) >>> 0)) pseq[k] = (pseq[k] + len + (flags & FIN ? 1 : 0)) >>> 0;
      if (rnd(10) === 0) h.advance(100);
    }
    h.advance(120000);
    // Whatever is left is an idle ESTABLISHED connection (no keep-alives): nothing queued, no timer.
    for (let c = 0; c < 4; c++) {
      if (slotVal(h.tcp, "st", c) === S.CLOSED) continue;
      assert.strictEqual(slotVal(h.tcp, "st", c), S.ESTABLISHED, `slot ${c}`);
      assert.deepStrictEqual([slotVal(h.tcp, "sndLen", c), slotVal(h.tcp, "tRexmt", c), slotVal(h.tcp, "tState", c), slotVal(h.tcp, "tPersist", c)], [0, 0, 0, 0], `slot ${c}`);
    }
    // ... and yields to new clients (idle eviction): four new SYNs all get a SYN-ACK
    h.take();
    for (let p = 0; p < 4; p++) {
      h.send({ sport: 50000 + p, dport: 7, seq: 1, flags: SYN });
      h.t += 10;
    }
    assert.strictEqual(h.take().filter((o) => field(o.bytes).flags === (SYN | ACK)).length, 4);
    assert.strictEqual(h.tcp.counters.segIn, 5004);
    assert.ok(h.tcp.counters.opened >= 3, JSON.stringify(h.tcp.counters)); // the fuzz reached ESTABLISHED
  });

  it("a handler that throws is counted and cannot break the connection's bookkeeping", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    r.data = () => { throw new Error("app bug"); };
    h.tcp.listen(7, r);
    h.send({ sport: P, dport: 7, seq: 1000, flags: SYN });
    const iss = field(h.take()[0].bytes).seq + 1;
    h.send({ sport: P, dport: 7, seq: 1001, ack: iss, flags: ACK });
    h.send({ sport: P, dport: 7, seq: 1001, ack: iss, flags: ACK | PSH, data: "boom" });
    h.advance(200);
    h.expectOne({ sport: 7, dport: P, seq: iss, ack: 1005, flags: ACK, win: W });
    assert.strictEqual(h.tcp.counters.appErrors, 1);
  });
});
