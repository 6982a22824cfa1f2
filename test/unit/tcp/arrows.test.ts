// One test per arrow of the state table, driven by a scripted peer; every segment the device
// sends is compared byte for byte (ports, seq, ack, flags, window, options, checksum).
import * as assert from "assert";
import { Harness, recorder, ACK, SYN, FIN, RST, PSH, MSS_OPT, KEY, DEV, PEER, PEER_PORT as P, OUR_WINDOW as W, passiveOpen, activeOpen } from "./harness";
import { isn } from "../../../firmware/tcp/isn";
import * as S from "../../../firmware/tcp/states";

describe("tcp arrows (scripted peer, byte-exact)", () => {
  it("CLOSED -> LISTEN -> SYN-RCVD -> ESTABLISHED (passive open)", () => {
    const h = new Harness();
    const o = passiveOpen(h);
    assert.strictEqual(h.tcp.state(o.c), S.ESTABLISHED);
    assert.deepStrictEqual(o.r.log, ["open 0"]);
    assert.strictEqual(h.tcp.remoteIp(0), PEER);
    assert.strictEqual(h.tcp.remotePort(0), P);
  });

  it("CLOSED -> SYN-SENT -> ESTABLISHED (active open), MSS honoured", () => {
    const h = new Harness();
    const a = activeOpen(h);
    // Peer's MSS 1400: a 3000-byte write goes out as 1400 + 1400 (window 2920 = ring size)
    const n = h.tcp.write(a.c, new Uint8Array(3000).fill(0x41), 0, 3000);
    assert.strictEqual(n, 2920);
    const s = h.take();
    assert.strictEqual(s.length, 3);
    assert.deepStrictEqual(s.map((x) => x.bytes.length - 20), [1400, 1400, 120]);
  });

  it("LISTEN -> CLOSED (unlisten): further SYNs get RST+ACK", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    assert.strictEqual(h.tcp.listen(7, r), true);
    assert.strictEqual(h.tcp.listen(7, r), false);
    h.tcp.unlisten(7);
    h.send({ sport: P, dport: 7, seq: 1000, flags: SYN });
    h.expectOne({ sport: 7, dport: P, seq: 0, ack: 1001, flags: RST | ACK, win: 0 });
  });

  it("SYN-SENT -> CLOSED on RST with acceptable ACK: end(4 refused)", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    const c = h.tcp.connect(PEER, 81, r);
    const lp = h.tcp.localPort(c);
    const iss = isn(KEY, DEV, lp, PEER, 81, h.t);
    h.take();
    // RST without ACK: ignored
    h.send({ sport: 81, dport: lp, seq: 0, flags: RST });
    assert.strictEqual(h.tcp.state(c), S.SYN_SENT);
    // unacceptable ACK: RST <SEQ=SEG.ACK>
    h.send({ sport: 81, dport: lp, seq: 0, ack: iss + 7, flags: ACK });
    h.expectOne({ sport: lp, dport: 81, seq: iss + 7, flags: RST, win: 0 });
    h.send({ sport: 81, dport: lp, seq: 0, ack: iss + 1, flags: RST | ACK });
    h.expectNone();
    assert.strictEqual(h.tcp.state(c), S.CLOSED);
    assert.deepStrictEqual(r.log, [`end ${c} 4`]);
  });

  it("SYN-SENT -> CLOSED on close()", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    const c = h.tcp.connect(PEER, 81, r);
    h.take();
    h.tcp.close(c);
    h.expectNone();
    assert.strictEqual(h.tcp.state(c), S.CLOSED);
    assert.deepStrictEqual(r.log, [`end ${c} 3`]);
  });

  it("SYN-SENT -> SYN-RCVD -> ESTABLISHED (simultaneous open)", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    const c = h.tcp.connect(PEER, 82, r);
    const lp = h.tcp.localPort(c);
    const iss = isn(KEY, DEV, lp, PEER, 82, h.t);
    h.take();
    h.send({ sport: 82, dport: lp, seq: 7000, flags: SYN, win: 5000 });
    h.expectOne({ sport: lp, dport: 82, seq: iss, ack: 7001, flags: SYN | ACK, win: W, opts: MSS_OPT(1460) });
    assert.strictEqual(h.tcp.state(c), S.SYN_RCVD);
    // the peer's SYN-ACK (its SYN again, now with the ACK of ours) completes the open (RFC 793 fig. 8)
    h.send({ sport: 82, dport: lp, seq: 7000, ack: iss + 1, flags: SYN | ACK, win: 5000 });
    h.expectNone();
    assert.strictEqual(h.tcp.state(c), S.ESTABLISHED);
    assert.deepStrictEqual(r.log, [`open ${c}`]);
    // its later ACK changes nothing; data flows
    h.send({ sport: 82, dport: lp, seq: 7001, ack: iss + 1, flags: ACK, win: 5000 });
    h.expectNone();
    h.tcp.write(c, new Uint8Array([5]), 0, 1);
    h.expectOne({ sport: lp, dport: 82, seq: iss + 1, ack: 7001, flags: ACK | PSH, win: W, data: new Uint8Array([5]) });
  });

  it("SYN-RCVD (active) -> CLOSED on RST: end(4); SYN-RCVD (passive) -> LISTEN on RST: slot freed silently", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    const c = h.tcp.connect(PEER, 82, r);
    const lp = h.tcp.localPort(c);
    h.take();
    h.send({ sport: 82, dport: lp, seq: 7000, flags: SYN });
    h.take();
    h.send({ sport: 82, dport: lp, seq: 7001, flags: RST });
    assert.strictEqual(h.tcp.state(c), S.CLOSED);
    assert.deepStrictEqual(r.log, [`end ${c} 4`]);

    const l = recorder(() => h.tcp);
    h.tcp.listen(7, l);
    h.send({ sport: P, dport: 7, seq: 1000, flags: SYN });
    h.take();
    assert.strictEqual(h.tcp.state(0), S.SYN_RCVD);
    h.send({ sport: P, dport: 7, seq: 1001, flags: RST });
    h.expectNone();
    assert.strictEqual(h.tcp.state(0), S.CLOSED);
    assert.deepStrictEqual(l.log, []);
    // the listener is still there
    h.send({ sport: P + 1, dport: 7, seq: 1000, flags: SYN });
    assert.strictEqual(h.take()[0].bytes[13], SYN | ACK);
  });

  it("SYN-RCVD -> FIN-WAIT-1 on close() before the handshake completes", () => {
    const h = new Harness();
    const r = recorder(() => h.tcp);
    const c = h.tcp.connect(PEER, 82, r);
    const lp = h.tcp.localPort(c);
    const iss = isn(KEY, DEV, lp, PEER, 82, h.t);
    h.take();
    h.send({ sport: 82, dport: lp, seq: 7000, flags: SYN });
    h.take();
    h.tcp.close(c);
    h.expectNone(); // FIN waits for the ACK of our SYN
    assert.strictEqual(h.tcp.state(c), S.FIN_WAIT_1);
    h.send({ sport: 82, dport: lp, seq: 7001, ack: iss + 1, flags: ACK });
    h.expectOne({ sport: lp, dport: 82, seq: iss + 1, ack: 7001, flags: FIN | ACK, win: W });
    h.send({ sport: 82, dport: lp, seq: 7001, ack: iss + 2, flags: ACK });
    assert.strictEqual(h.tcp.state(c), S.FIN_WAIT_2);
  });

  it("ESTABLISHED: data in order, delayed ACK, ACK every second segment", () => {
    const h = new Harness();
    const o = passiveOpen(h);
    h.send({ sport: P, dport: 7, seq: o.pseq, ack: o.iss, flags: ACK | PSH, data: "hello" });
    h.expectNone();
    assert.deepStrictEqual(Buffer.from(o.r.bytes).toString(), "hello");
    h.advance(199);
    h.expectOne({ sport: 7, dport: P, seq: o.iss, ack: o.pseq + 5, flags: ACK, win: W });
    // two segments: the second is ACKed at once
    h.send({ sport: P, dport: 7, seq: o.pseq + 5, ack: o.iss, flags: ACK, data: "ab" });
    h.expectNone();
    h.send({ sport: P, dport: 7, seq: o.pseq + 7, ack: o.iss, flags: ACK, data: "cd" });
    h.expectOne({ sport: 7, dport: P, seq: o.iss, ack: o.pseq + 9, flags: ACK, win: W });
  });

  it("ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED (passive close)", () => {
    const h = new Harness();
    const o = passiveOpen(h);
    h.send({ sport: P, dport: 7, seq: o.pseq, ack: o.iss, flags: FIN | ACK });
    h.expectOne({ sport: 7, dport: P, seq: o.iss, ack: o.pseq + 1, flags: ACK, win: W });
    assert.strictEqual(h.tcp.state(o.c), S.CLOSE_WAIT);
    // we may still write in CLOSE-WAIT (half-close)
    assert.strictEqual(h.tcp.write(o.c, new Uint8Array([1, 2, 3]), 0, 3), 3);
    h.expectOne({ sport: 7, dport: P, seq: o.iss, ack: o.pseq + 1, flags: ACK | PSH, win: W, data: new Uint8Array([1, 2, 3]) });
    h.tcp.close(o.c);
    h.expectOne({ sport: 7, dport: P, seq: o.iss + 3, ack: o.pseq + 1, flags: FIN | ACK, win: W });
    assert.strictEqual(h.tcp.state(o.c), S.LAST_ACK);
    h.send({ sport: P, dport: 7, seq: o.pseq + 1, ack: o.iss + 4, flags: ACK });
    h.expectNone();
    assert.strictEqual(h.tcp.state(o.c), S.CLOSED);
    assert.deepStrictEqual(o.r.log, ["open 0", "peerClosed 0", "end 0 0"]);
  });

  it("ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED (active close)", () => {
    const h = new Harness({ mslMs: 500 });
    const a = activeOpen(h);
    h.tcp.close(a.c);
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, ack: a.pseq, flags: FIN | ACK, win: W });
    assert.strictEqual(h.tcp.state(a.c), S.FIN_WAIT_1);
    assert.strictEqual(h.tcp.write(a.c, new Uint8Array(1), 0, 1), 0);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1, flags: ACK });
    assert.strictEqual(h.tcp.state(a.c), S.FIN_WAIT_2);
    // half-close: data still flows to us in FIN-WAIT-2
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1, flags: ACK, data: "xyz" });
    h.send({ sport: 80, dport: a.lp, seq: a.pseq + 3, ack: a.iss + 1, flags: FIN | ACK });
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 1, ack: a.pseq + 4, flags: ACK, win: W });
    assert.strictEqual(h.tcp.state(a.c), S.TIME_WAIT);
    assert.deepStrictEqual(a.r.log.slice(1), [`data ${a.c} 3`, `peerClosed ${a.c}`, `end ${a.c} 0`]);
    // retransmitted FIN in TIME-WAIT: ACK again, 2MSL restarts
    h.advance(600);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq + 3, ack: a.iss + 1, flags: FIN | ACK });
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 1, ack: a.pseq + 4, flags: ACK, win: W });
    h.advance(900);
    assert.strictEqual(h.tcp.state(a.c), S.TIME_WAIT);
    h.advance(200);
    assert.strictEqual(h.tcp.state(a.c), S.CLOSED);
    h.expectNone();
  });

  it("FIN-WAIT-1 -> CLOSING -> TIME-WAIT (simultaneous close)", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.close(a.c);
    h.take();
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: FIN | ACK });
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 1, ack: a.pseq + 1, flags: ACK, win: W });
    assert.strictEqual(h.tcp.state(a.c), S.CLOSING);
    h.send({ sport: 80, dport: a.lp, seq: a.pseq + 1, ack: a.iss + 1, flags: ACK });
    assert.strictEqual(h.tcp.state(a.c), S.TIME_WAIT);
    assert.deepStrictEqual(a.r.log.slice(1), [`peerClosed ${a.c}`, `end ${a.c} 0`]);
  });

  it("FIN-WAIT-1 -> TIME-WAIT on FIN that acknowledges our FIN", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.close(a.c);
    h.take();
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1, flags: FIN | ACK });
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss + 1, ack: a.pseq + 1, flags: ACK, win: W });
    assert.strictEqual(h.tcp.state(a.c), S.TIME_WAIT);
  });

  it("RST with exact sequence closes ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT", () => {
    const cases: Array<[string, (h: Harness, a: ReturnType<typeof activeOpen>) => number]> = [
      ["ESTABLISHED", () => 0],
      ["FIN-WAIT-1", (h, a) => { h.tcp.close(a.c); return 0; }],
      ["FIN-WAIT-2", (h, a) => { h.tcp.close(a.c); h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1, flags: ACK }); return 0; }],
      ["CLOSE-WAIT", (h, a) => { h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: FIN | ACK }); return 1; }],
      ["CLOSING", (h, a) => { h.tcp.close(a.c); h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: FIN | ACK }); return 1; }],
      ["LAST-ACK", (h, a) => { h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss, flags: FIN | ACK }); h.tcp.close(a.c); return 1; }],
      ["TIME-WAIT", (h, a) => { h.tcp.close(a.c); h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: a.iss + 1, flags: FIN | ACK }); return 1; }],
    ];
    for (const [name, setup] of cases) {
      const h = new Harness();
      const a = activeOpen(h);
      const adv = setup(h, a);
      assert.strictEqual(S.STATE_NAMES[h.tcp.state(a.c)], name);
      h.take();
      const before = a.r.log.length;
      h.send({ sport: 80, dport: a.lp, seq: a.pseq + adv, flags: RST });
      h.expectNone();
      assert.strictEqual(h.tcp.state(a.c), S.CLOSED, name);
      const ended = a.r.log.slice(before);
      if (name === "TIME-WAIT") assert.deepStrictEqual(ended, [], name); // end() already ran
      else assert.deepStrictEqual(ended, [`end ${a.c} 1`], name);
    }
  });

  it("RST in LISTEN is ignored; RST to a closed port gets no reply", () => {
    const h = new Harness();
    h.tcp.listen(7, recorder(() => h.tcp));
    h.send({ sport: P, dport: 7, seq: 1, flags: RST });
    h.send({ sport: P, dport: 9, seq: 1, ack: 5, flags: RST | ACK });
    h.expectNone();
    assert.strictEqual(h.tcp.counters.dropRst, 2);
  });

  it("closed port: RST <SEQ=SEG.ACK> for an ACK, RST+ACK <ACK=SEQ+LEN> otherwise", () => {
    const h = new Harness();
    h.send({ sport: P, dport: 9, seq: 100, ack: 777, flags: ACK, data: "abc" });
    h.expectOne({ sport: 9, dport: P, seq: 777, flags: RST, win: 0 });
    h.send({ sport: P, dport: 9, seq: 100, flags: SYN | FIN, data: "abcd" });
    h.expectOne({ sport: 9, dport: P, seq: 0, ack: 106, flags: RST | ACK, win: 0 });
    // ACK to a listening port with no connection: RST <SEQ=SEG.ACK>
    h.tcp.listen(7, recorder(() => h.tcp));
    h.send({ sport: P, dport: 7, seq: 100, ack: 555, flags: ACK });
    h.expectOne({ sport: 7, dport: P, seq: 555, flags: RST, win: 0 });
  });

  it("abort() sends RST <SEQ=SND.NXT> and frees the slot: end(3)", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.tcp.abort(a.c);
    h.expectOne({ sport: a.lp, dport: 80, seq: a.iss, flags: RST, win: 0 });
    assert.strictEqual(h.tcp.state(a.c), S.CLOSED);
    assert.deepStrictEqual(a.r.log.slice(1), [`end ${a.c} 3`]);
  });

  it("echo service: data written back in the ACK, window follows the send space", () => {
    const h = new Harness();
    const { startEcho } = require("../../../firmware/tcp/echo");
    startEcho(h.tcp);
    h.send({ sport: P, dport: 7, seq: 1000, flags: SYN, opts: MSS_OPT(1460) });
    const iss = (isn(KEY, DEV, 7, PEER, P, h.t) + 1) >>> 0;
    h.expectOne({ sport: 7, dport: P, seq: iss - 1, ack: 1001, flags: SYN | ACK, win: W, opts: MSS_OPT(1460) });
    h.send({ sport: P, dport: 7, seq: 1001, ack: iss, flags: ACK });
    h.send({ sport: P, dport: 7, seq: 1001, ack: iss, flags: ACK | PSH, data: "ping" });
    h.expectOne({ sport: 7, dport: P, seq: iss, ack: 1005, flags: ACK | PSH, win: W - 4, data: "ping" });
    h.send({ sport: P, dport: 7, seq: 1005, ack: iss + 4, flags: FIN | ACK });
    const s = h.take();
    assert.strictEqual(s.length, 2);
    assert.strictEqual(s[0].bytes[13], ACK);
    assert.strictEqual(s[1].bytes[13], FIN | ACK);
    assert.strictEqual(h.tcp.state(0), S.LAST_ACK);
  });
});
