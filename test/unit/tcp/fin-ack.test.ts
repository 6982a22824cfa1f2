// A FIN that arrives with data as the second unacknowledged segment: TCP owes an ACK for both
// (RFC 9293 3.10.7.4 eighth: the FIN is acknowledged; RFC 5681 4.2: every second full segment),
// and sends exactly one. Found by test/peer/get.test.ts's capture: the FIN row sent its ACK, then
// the every-second-segment rule queued an identical one.
import * as assert from "assert";
import { Harness, ACK, FIN, PSH, field, activeOpen } from "./harness";

describe("tcp: data with FIN as the second segment", () => {
  it("is acknowledged once, the ACK covering the data and the FIN", () => {
    const h = new Harness();
    const a = activeOpen(h);
    h.take();
    const iss1 = a.iss; // (activeOpen gives SND.NXT and RCV.NXT after the handshake)
    h.send({ sport: 80, dport: a.lp, seq: a.pseq, ack: iss1, flags: ACK | PSH, win: 64240, data: "first" });
    assert.deepStrictEqual(h.take(), [], "the first segment's ACK is delayed");
    h.send({ sport: 80, dport: a.lp, seq: a.pseq + 5, ack: iss1, flags: ACK | PSH | FIN, win: 64240, data: "second" });
    const acks = h.take().map((s) => field(s.bytes));
    assert.strictEqual(acks.length, 1, "one ACK, not " + acks.length + ": " + JSON.stringify(acks.map((f) => [f.ack - a.pseq, f.flags])));
    assert.strictEqual((acks[0].ack - a.pseq) >>> 0, 12, "covers 5 + 6 bytes and the FIN");
  });
});
