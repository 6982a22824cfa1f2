// Writes terser's short forms of the constants as the words Espruino's pretokeniser stores in
// one byte each: `!0` as `true`, `!1` as `false`, `void 0` as `undefined` (reserved words are one
// token byte in Storage, `!0` two bytes). Longer as text, shorter as stored: used for the
// library's body (tools/image.ts), which is only ever stored pretokenised. Run after minifying.

import MagicString from "magic-string";
import { Node, childNodes, parseScript } from "./ast";

const WORD = /[A-Za-z0-9_$]/;

export function wordLiterals(code: string): string {
  const ast = parseScript(code);
  const ms = new MagicString(code);
  const visit = (n: Node): void => {
    const a = n.type === "UnaryExpression" ? n.argument : null;
    const word = a && a.type === "Literal" && (a.raw === "0" || a.raw === "1") ?
      (n.operator === "!" ? (a.raw === "0" ? "true" : "false") : n.operator === "void" && a.raw === "0" ? "undefined" : "") : "";
    if (word) {
      // (a space where the word would run into a name or number next to it)
      ms.overwrite(n.start, n.end, (WORD.test(code[n.start - 1] || "") ? " " : "") + word + (WORD.test(code[n.end] || "") ? " " : ""));
      return;
    }
    for (const c of childNodes(n)) visit(c);
  };
  visit(ast);
  return ms.toString();
}
