// The sim's console on a terminal (sim/console.ts), driven in-process through readline's terminal
// mode: history (Up arrow), the prompt kept below log lines, Ctrl-C.

import { strict as assert } from "assert";
import { PassThrough } from "stream";
import { createConsole } from "../../../sim/console";

function term(): { input: PassThrough; output: PassThrough; text(): string; evaluated: string[]; interrupts: number[]; con: ReturnType<typeof createConsole> } {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (d: Buffer) => { text += d.toString(); });
  const evaluated: string[] = [];
  const interrupts: number[] = [];
  (output as any).columns = 80;
  const con = createConsole({
    input, output, terminal: true,
    evaluate: (code) => { evaluated.push(code); return "=" + code.length; },
    onInterrupt: () => { interrupts.push(1); },
  });
  return { input, output, text: () => text, evaluated, interrupts, con };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe("sim console on a terminal", () => {
  it("recalls the previous line with the Up arrow (no ^[[A SyntaxError)", async () => {
    const t = term();
    t.input.write("1+1\r");
    await settle();
    t.input.write("\x1b[A\r");
    await settle();
    assert.deepEqual(t.evaluated, ["1+1", "1+1"]);
    assert.doesNotMatch(t.evaluated.join(""), /\x1b/);
    t.con.close();
  });

  it("prints a log line above the prompt and redraws what was being typed", async () => {
    const t = term();
    t.input.write("dev");
    await settle();
    const before = t.text().length;
    t.con.print("conn 0 open");
    const after = t.text().slice(before);
    const i = after.indexOf("conn 0 open\n");
    assert.ok(i >= 0, JSON.stringify(after));
    assert.match(after.slice(i + "conn 0 open\n".length), />dev/, "the prompt and the typed text come back below");
    t.input.write("ice\r");
    await settle();
    assert.deepEqual(t.evaluated, ["device"]);
    t.con.close();
  });

  it("continues an open bracket on the next line with the ':' prompt; runs `1+` at once", async () => {
    const t = term();
    t.input.write("[1,\r");
    await settle();
    assert.match(t.text(), /:\x1b\[2G$/, "the ':' prompt");
    t.input.write("2]\r1+\r");
    await settle();
    assert.deepEqual(t.evaluated, ["[1,\n2]", "1+"]);
    t.con.close();
  });

  it("Ctrl-C clears a typed line; on an empty line it asks to exit", async () => {
    const t = term();
    t.input.write("abc\x03");
    await settle();
    assert.equal(t.interrupts.length, 0);
    t.input.write("\x03");
    await settle();
    assert.equal(t.interrupts.length, 1);
    assert.deepEqual(t.evaluated, []);
    t.con.close();
  });
});
