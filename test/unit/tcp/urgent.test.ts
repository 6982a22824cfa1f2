// Urgent data (firmware/tcp/urgent.ts; RFC 9293 3.8.5, MUST-30/31/62) against the scripted peer:
// the urgent point received inside, at the end of and beyond the segment and the window, over two
// segments, in a retransmission and out of order; the data always in line; URG ignored where it
// means nothing; URG on send and the pointer the peer sees, on first transmissions,
// retransmissions and the segments of urgent data larger than one segment.
import * as assert from "assert";
import { Harness, ACK, PSH, FIN, RST, URG, activeOpen, passiveOpen, field } from "./harness";
import * as S from "../../../firmware/tcp/states";
import { tcpWriteUrgent } from "../../../firmware/tcp/urgent";

const W = 2920; // our window
const PW = 64240; // the peer's window in activeOpen()
const M = 1400; // the peer's MSS in activeOpen()

function bytes(n: number, from = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (from + i * 7) & 255;
  return b;
}

describe("tcp urgent data", () => {
  describe("receive", () => {
    it("pointer inside the segment: urgent(c, n) before the data, n = the urgent point less RCV.NXT; data in line", () => {
      const h = new Harness();
      const a = activeOpen(h);
      const d = bytes(10);
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | PSH | URG, urp: 4, win: PW, data: d });
      assert.deepStrictEqual(a.r.log.slice(1), [`urgent ${a.c} 4`, `data ${a.c} 10`]);
      assert.deepStrictEqual(a.r.bytes, Array.from(d), "the urgent bytes stay in the stream, in order");
      // acknowledged like any data (delayed ACK)
      h.advance(200);
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq + 10, flags: ACK, win: W });
      assert.strictEqual(h.tcp.counters.appErrors, 0);
    });

    it("pointer at the end of the segment, then past it, past the window: told once per advance", () => {
      const h = new Harness();
      const a = activeOpen(h);
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | URG, urp: 10, win: PW, data: bytes(10) });
      // urgent pointer 5,000 octets ahead: beyond this segment and beyond our 2,920-byte window
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 10, ack: a.iss, flags: ACK | URG, urp: 5000, win: PW, data: bytes(10) });
      // the same urgent point from the next segment: not told again
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 20, ack: a.iss, flags: ACK | URG, urp: 4990, win: PW, data: bytes(10) });
      assert.deepStrictEqual(a.r.log.slice(1), [
        `urgent ${a.c} 10`, `data ${a.c} 10`, `urgent ${a.c} 5000`, `data ${a.c} 10`, `data ${a.c} 10`,
      ]);
      // the largest pointer (65,535) from the segment's first octet
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 30, ack: a.iss, flags: ACK | URG, urp: 65535, win: PW, data: bytes(5) });
      assert.deepStrictEqual(a.r.log.slice(-2), [`urgent ${a.c} 65535`, `data ${a.c} 5`]);
      assert.strictEqual(a.r.bytes.length, 35);
      assert.strictEqual(h.tcp.state(a.c), S.ESTABLISHED);
    });

    it("urgent data over two segments (each with the same urgent point): told once, all bytes in line", () => {
      const h = new Harness();
      const a = activeOpen(h);
      const d = bytes(2000);
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | URG, urp: 1500, win: PW, data: d.subarray(0, 1000) });
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 1000, ack: a.iss, flags: ACK | PSH | URG, urp: 500, win: PW, data: d.subarray(1000) });
      assert.deepStrictEqual(a.r.log.slice(1), [`urgent ${a.c} 1500`, `data ${a.c} 1000`, `data ${a.c} 1000`]);
      assert.deepStrictEqual(a.r.bytes, Array.from(d));
      // the second full segment is ACKed at once (every second segment), without URG of ours
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq + 2000, flags: ACK, win: W });
    });

    it("in a retransmission: a segment already delivered tells nothing; a lost one retransmitted is told once", () => {
      const h = new Harness();
      const a = activeOpen(h);
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | URG, urp: 3, win: PW, data: "abc" });
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | URG, urp: 3, win: PW, data: "abc" });
      assert.deepStrictEqual(a.r.log.slice(1), [`urgent ${a.c} 3`, `data ${a.c} 3`]);
      h.take();
      // a segment with URG out of order (the one before it lost): its urgent point is told, the
      // data is not delivered (dropped, duplicate ACK); the lost one and the retransmission
      // arrive: nothing told again, all bytes in order
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 13, ack: a.iss, flags: ACK | URG, urp: 2, win: PW, data: "XY" });
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq + 3, flags: ACK, win: W });
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 3, ack: a.iss, flags: ACK, win: PW, data: "0123456789" });
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 13, ack: a.iss, flags: ACK | URG, urp: 2, win: PW, data: "XY" });
      assert.deepStrictEqual(a.r.log.slice(3), [`urgent ${a.c} 12`, `data ${a.c} 10`, `data ${a.c} 2`]);
      assert.strictEqual(Buffer.from(a.r.bytes).toString("latin1"), "abc0123456789XY");
    });

    it("a pointer that does not move past the data delivered (0, or behind RCV.NXT) tells nothing", () => {
      const h = new Harness();
      const a = activeOpen(h);
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | URG, urp: 0, win: PW, data: "abc" });
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 3, ack: a.iss, flags: ACK | URG, urp: 0, win: PW });
      assert.deepStrictEqual(a.r.log.slice(1), [`data ${a.c} 3`]);
    });

    it("ignored after the peer's FIN (CLOSE-WAIT) and in SYN-SENT; an empty URG segment in ESTABLISHED is told", () => {
      const h = new Harness();
      const a = activeOpen(h);
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | URG, urp: 7, win: PW });
      assert.deepStrictEqual(a.r.log.slice(1), [`urgent ${a.c} 7`]);
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | FIN, win: PW });
      assert.strictEqual(h.tcp.state(a.c), S.CLOSE_WAIT);
      h.take();
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 1, ack: a.iss, flags: ACK | URG, urp: 100, win: PW });
      assert.deepStrictEqual(a.r.log.slice(2), [`peerClosed ${a.c}`]);
      // SYN-SENT: a SYN+ACK with URG opens the connection and tells nothing
      const b = new Harness();
      const r: string[] = [];
      const c = b.tcp.connect(0xc0000201, 81, { open: () => r.push("open"), data: () => undefined, drained: () => undefined, peerClosed: () => undefined, end: () => undefined, urgent: (x, n) => { r.push(`urgent ${n}`); } });
      const syn = field(b.take()[0].bytes);
      b.send({ sport: 81, dport: syn.sport, seq: 9000, ack: syn.seq + 1, flags: ACK | 2 | URG, urp: 50, win: PW });
      assert.deepStrictEqual(r, ["open"]);
      assert.strictEqual(b.tcp.state(c), S.ESTABLISHED);
    });

    it("a handler without urgent() is not called (no error counted); one that aborts in urgent() gets no data", () => {
      const h = new Harness();
      const a = activeOpen(h);
      delete (a.r as any).urgent;
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: ACK | URG, urp: 1, win: PW, data: "z" });
      assert.deepStrictEqual(a.r.log.slice(1), [`data ${a.c} 1`]);
      assert.strictEqual(h.tcp.counters.appErrors, 0);
      const b = new Harness();
      const p = passiveOpen(b);
      (p.r as any).urgent = (c: number) => { p.r.log.push("abort"); b.tcp.abort(c); };
      b.take();
      b.send({ sport: 40000, dport: 7, seq: p.pseq, ack: p.iss, flags: ACK | URG, urp: 2, win: PW, data: "zz" });
      assert.deepStrictEqual(p.r.log.slice(1), ["abort", `end ${p.c} 3`]);
      assert.strictEqual(b.tcp.state(p.c), S.CLOSED);
      assert.strictEqual(field(b.take()[0].bytes).flags & RST, RST);
      assert.strictEqual(b.tcp.counters.appErrors, 0);
    });
  });

  describe("send", () => {
    it("tcpWriteUrgent(): URG with the pointer to the octet after the urgent data; over when acknowledged", () => {
      const h = new Harness();
      const a = activeOpen(h);
      assert.strictEqual(tcpWriteUrgent(h.tcp, a.c, new Uint8Array([1, 2, 3]), 0, 3), 3);
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq, flags: ACK | PSH | URG, urp: 3, win: W, data: new Uint8Array([1, 2, 3]) });
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 3, flags: ACK, win: PW });
      h.tcp.write(a.c, new Uint8Array([4]), 0, 1);
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 3, ack: a.pseq, flags: ACK | PSH, win: W, data: new Uint8Array([4]) });
    });

    it("after ordinary data: the pointer counts from each segment's first octet; a retransmission carries it too", () => {
      const h = new Harness();
      const a = activeOpen(h);
      h.tcp.write(a.c, new Uint8Array([1, 2]), 0, 2);
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq, flags: ACK | PSH, win: W, data: new Uint8Array([1, 2]) });
      tcpWriteUrgent(h.tcp, a.c, new Uint8Array([3]), 0, 1);
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 2, ack: a.pseq, flags: ACK | PSH | URG, urp: 1, win: W, data: new Uint8Array([3]) });
      // nothing acknowledged: the time-out (200 ms) sends all three bytes again from SND.UNA, with URG
      h.advance(200);
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq, flags: ACK | PSH | URG, urp: 3, win: W, data: new Uint8Array([1, 2, 3]) });
      // a pure ACK (our data all sent) carries none; after the ACK of all of it, nothing either
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2, flags: ACK | PSH, win: PW, data: "ab" });
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 2, ack: a.iss + 2, flags: ACK | PSH, win: PW, data: "cd" });
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 3, ack: a.pseq + 4, flags: ACK, win: W });
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 4, ack: a.iss + 3, flags: ACK, win: PW });
      h.tcp.write(a.c, new Uint8Array([5]), 0, 1);
      assert.strictEqual(field(h.take()[0].bytes).flags & URG, 0);
    });

    it("urgent data larger than a segment: every segment before the urgent point carries it, from its own first octet", () => {
      const h = new Harness({ sendBuf: 4000, sendPool: 8192 });
      const a = activeOpen(h);
      assert.strictEqual(tcpWriteUrgent(h.tcp, a.c, bytes(3000), 0, 3000), 3000);
      const out = h.take().map((s) => field(s.bytes));
      assert.deepStrictEqual(out.map((f) => [(f.seq - a.iss) >>> 0, f.data.length, f.flags & URG, f.urp]),
        [[0, M, URG, 3000], [M, M, URG, 3000 - M], [2 * M, 200, URG, 200]]);
      // the peer ACKs the first two and sends data: our ACK (at SND.NXT, past the urgent point) has no URG
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2 * M, flags: ACK | PSH, win: PW, data: "ab" });
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 2, ack: a.iss + 2 * M, flags: ACK | PSH, win: PW, data: "cd" });
      h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 3000, ack: a.pseq + 4, flags: ACK, win: W });
      // the last segment lost: its retransmission still says where the urgent data ends
      h.advance(1000);
      const re = field(h.take()[0].bytes);
      assert.deepStrictEqual([(re.seq - a.iss) >>> 0, re.data.length, re.flags & URG, re.urp], [2 * M, 200, URG, 200]);
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + 4, ack: a.iss + 3000, flags: ACK, win: PW });
      h.tcp.write(a.c, bytes(1), 0, 1);
      assert.deepStrictEqual(h.take().map((s) => field(s.bytes).flags & URG), [0], "urgent mode over");
    });

    it("tcpWriteUrgent() with too little room: the urgent point after the bytes taken; a closed connection takes none", () => {
      const h = new Harness(); // sendBuf 2,920
      const a = activeOpen(h);
      assert.strictEqual(tcpWriteUrgent(h.tcp, a.c, bytes(4000), 0, 4000), 2920);
      assert.deepStrictEqual(h.take().map((s) => { const f = field(s.bytes); return [(f.seq - a.iss) >>> 0, f.data.length, f.flags & URG, f.urp]; }),
        [[0, M, URG, 2920], [M, M, URG, 2920 - M], [2 * M, 120, URG, 120]]);
      h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 2920, flags: ACK, win: PW });
      h.tcp.close(a.c);
      h.take();
      assert.strictEqual(tcpWriteUrgent(h.tcp, a.c, bytes(10), 0, 10), 0);
      assert.strictEqual(tcpWriteUrgent(h.tcp, 99, bytes(10), 0, 10), 0);
      h.expectNone();
    });

    it("tcpWriteUrgent() while connecting: the pointer counts from the first data octet (after the SYN)", () => {
      const h = new Harness();
      const r: string[] = [];
      const c = h.tcp.connect(0xc0000201, 81, { open: () => r.push("open"), data: () => undefined, drained: () => undefined, peerClosed: () => undefined, end: () => undefined });
      const syn = field(h.take()[0].bytes);
      assert.strictEqual(tcpWriteUrgent(h.tcp, c, bytes(4), 0, 4), 4);
      h.expectNone();
      h.send({ sport: 81, dport: syn.sport, seq: 9000, ack: syn.seq + 1, flags: ACK | 2, win: PW });
      const f = field(h.take()[0].bytes);
      assert.deepStrictEqual([f.seq, f.data.length, f.flags & URG, f.urp], [(syn.seq + 1) >>> 0, 4, URG, 4]);
      assert.strictEqual(syn.flags & URG, 0, "never on a SYN");
    });
  });
});
