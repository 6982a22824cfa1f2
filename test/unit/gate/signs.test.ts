// tools/signs.ts: two sign tokens in a row survive the espruino CLI's pretokeniser.
import { strict as assert } from "assert";
import * as vm from "vm";
import { separateSigns } from "../../../tools/signs";
import { cliPretokeniser, tokenStream } from "../../../tools/flash";

describe("sign pairs and the CLI's pretokeniser", () => {
  const tk = cliPretokeniser();
  const stored = (code: string) => tk.untokenise(tk.tokenise(code));
  const run = (code: string): string => vm.runInNewContext(code + ";JSON.stringify([x,a,b])", {});
  const cases = ["var a=5,b=2,x=a+ +b", "var a=5,b=2,x=a- -b", "var a=5,b=2,x=a+ ++b", "var a=5,b=2,x=a- --b", "var a=5,b=2,x=- -b"];

  for (const code of cases) {
    it(`${code}: stored as written once separated (and not before)`, () => {
      assert.notDeepEqual(tokenStream(stored(code)), tokenStream(code), "the hazard this pass exists for");
      const safe = separateSigns(code);
      assert.deepEqual(tokenStream(stored(safe)), tokenStream(safe));
      assert.equal(run(safe), run(code));
    });
  }

  it("leaves everything else as it is", () => {
    for (const code of ["var x=a+-b", "var x=a-+b", "var x=a++ +b", "var s='a+ +b'", "x=a+ b"]) assert.equal(separateSigns(code), code);
  });
});
