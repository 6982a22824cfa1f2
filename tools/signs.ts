// The espruino CLI's pretokeniser (which `make flash` uses) drops the space between two sign
// tokens: `a+ +b` is stored as `a++b` and `a- -b` as `a--b`, which Espruino then reads as
// increments. This pass puts parentheses around such a right-hand operand (`a+(+b)`), so the
// stored program means what the bundle means. Run after minifying, before the gate.

import * as acorn from "acorn";
import MagicString from "magic-string";
import { childNodes } from "./hoist";

type Node = acorn.Node & { [key: string]: any };

/** True when the expression's source starts with the sign character `sign` ("+" or "-"). */
function startsWithSign(n: Node, sign: string): boolean {
  return (n.type === "UnaryExpression" || (n.type === "UpdateExpression" && n.prefix)) && n.operator[0] === sign;
}

export function separateSigns(code: string): string {
  const ast = acorn.parse(code, { ecmaVersion: "latest", sourceType: "script" }) as Node;
  const ms = new MagicString(code);
  const visit = (n: Node): void => {
    const sign = n.type === "BinaryExpression" || n.type === "UnaryExpression" ? n.operator : "";
    const right: Node | undefined = n.type === "BinaryExpression" ? n.right : n.type === "UnaryExpression" ? n.argument : undefined;
    if (right && (sign === "+" || sign === "-") && startsWithSign(right, sign)) {
      ms.appendLeft(right.start, "(");
      ms.appendRight(right.end, ")");
    }
    for (const c of childNodes(n)) visit(c);
  };
  visit(ast);
  return ms.toString();
}
