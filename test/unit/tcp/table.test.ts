// The table contains every arrow of the RFC 793 figure, RST handling in every state, and the
// committed packed form (firmware/tcp/packed.ts) and diagram are what the tools generate from
// the rows now; the engine decodes the packed form into exactly the rows.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROWS, EV_RCV_RST, EV_RCV_RST_ACTIVE, EV_SEND, EV_RCV_FIN_ACK, EV_RCV_SYN, EV_CLOSE, EVENT_NAMES, EV_COUNT, A_END } from "../../../firmware/tcp/table";
import { STATE_NAMES, STATE_COUNT, LISTEN, CLOSED, SYN_RCVD, SYN_SENT, FIN_WAIT_1, TIME_WAIT } from "../../../firmware/tcp/states";
import { compileTable, step, nextOf, actionsOf, reasonOf } from "../../../firmware/tcp/engine";
import { renderDot } from "../../../tools/diagram";
import { renderPacked, packedFile } from "../../../tools/pack-table";

const idx = (name: string) => {
  const i = STATE_NAMES.indexOf(name);
  assert.ok(i >= 0, name);
  return i;
};
const has = (a: string, b: string, ev?: number) =>
  ROWS.some((r) => r[0] === idx(a) && r[2] === idx(b) && (ev === undefined || r[1] === ev));

describe("tcp state table", () => {
  it("has every arrow of the RFC 793 figure", () => {
    const arrows: Array<[string, string]> = [
      ["CLOSED", "LISTEN"], ["CLOSED", "SYN-SENT"], ["LISTEN", "SYN-RCVD"], ["LISTEN", "SYN-SENT"],
      ["LISTEN", "CLOSED"], ["SYN-SENT", "SYN-RCVD"], ["SYN-SENT", "ESTABLISHED"], ["SYN-SENT", "CLOSED"],
      ["SYN-RCVD", "ESTABLISHED"], ["SYN-RCVD", "FIN-WAIT-1"], ["ESTABLISHED", "FIN-WAIT-1"],
      ["ESTABLISHED", "CLOSE-WAIT"], ["FIN-WAIT-1", "FIN-WAIT-2"], ["FIN-WAIT-1", "CLOSING"],
      ["FIN-WAIT-1", "TIME-WAIT"], ["FIN-WAIT-2", "TIME-WAIT"], ["CLOSING", "TIME-WAIT"],
      ["CLOSE-WAIT", "LAST-ACK"], ["LAST-ACK", "CLOSED"], ["TIME-WAIT", "CLOSED"],
    ];
    for (const [a, b] of arrows) assert.ok(has(a, b), `${a} -> ${b}`);
    assert.ok(has("LISTEN", "SYN-SENT", EV_SEND), "LISTEN -> SYN-SENT on SEND");
    assert.ok(has("SYN-SENT", "SYN-RCVD", EV_RCV_SYN), "simultaneous open");
    assert.ok(has("FIN-WAIT-1", "TIME-WAIT", EV_RCV_FIN_ACK), "FIN with ACK of our FIN");
    assert.ok(has("SYN-RCVD", "FIN-WAIT-1", EV_CLOSE));
  });

  it("handles RST in every state; SYN-RCVD returns to LISTEN (passive) or CLOSED (active)", () => {
    for (let s = 0; s < STATE_COUNT; s++) assert.ok(ROWS.some((r) => r[0] === s && r[1] === EV_RCV_RST), STATE_NAMES[s]);
    const t = compileTable();
    assert.strictEqual(nextOf(step(t, SYN_RCVD, EV_RCV_RST)), LISTEN);
    assert.strictEqual(nextOf(step(t, SYN_RCVD, EV_RCV_RST_ACTIVE)), CLOSED);
    assert.strictEqual(nextOf(step(t, TIME_WAIT, EV_RCV_RST)), CLOSED);
    assert.strictEqual(nextOf(step(t, LISTEN, EV_RCV_RST)), LISTEN);
  });

  it("has no duplicate (state, event) rows and compiles every row", () => {
    const seen = new Set<string>();
    for (const r of ROWS) {
      const k = `${r[0]},${r[1]}`;
      assert.ok(!seen.has(k), `duplicate ${STATE_NAMES[r[0]]} / ${EVENT_NAMES[r[1]]}`);
      seen.add(k);
    }
    const t = compileTable();
    let n = 0;
    for (let i = 0; i < STATE_COUNT * EV_COUNT; i++) if (t[i] !== 0) n++;
    assert.strictEqual(n, ROWS.length);
    assert.strictEqual(step(t, FIN_WAIT_1, EV_SEND), 0);
    assert.strictEqual(nextOf(step(t, SYN_SENT, EV_SEND)), SYN_SENT);
  });

  it("decodes the packed form into exactly the rows (next state, actions, reason; no other cell)", () => {
    const t = compileTable();
    const want = new Map<number, number[]>();
    for (const r of ROWS) want.set(r[0] * EV_COUNT + r[1], r);
    for (let s = 0; s < STATE_COUNT; s++) {
      for (let e = 0; e < EV_COUNT; e++) {
        const cell = step(t, s, e), r = want.get(s * EV_COUNT + e), name = `${STATE_NAMES[s]} / ${EVENT_NAMES[e]}`;
        if (!r) {
          assert.strictEqual(cell, 0, name);
          continue;
        }
        assert.strictEqual(nextOf(cell), r[2], `${name}: next`);
        assert.strictEqual(actionsOf(cell), r[3], `${name}: actions`);
        if (r[3] & A_END) assert.strictEqual(reasonOf(cell), r[4], `${name}: reason`);
      }
    }
  });

  it("firmware/tcp/packed.ts is what tools/pack-table.ts generates from the rows", () => {
    assert.strictEqual(fs.readFileSync(packedFile(), "utf8"), renderPacked(), "run `make diagram` and commit firmware/tcp/packed.ts");
  });

  it("docs/tcp-states.dot is what tools/diagram.ts generates from the table", () => {
    const file = path.resolve(__dirname, "../../../../docs/tcp-states.dot");
    assert.strictEqual(fs.readFileSync(file, "utf8"), renderDot(), "run `make diagram` and commit docs/tcp-states.*");
  });
});
