// The espruino CLI's pretokeniser (which `make flash` uses) drops the space between two sign
// tokens: `a+ +b` is stored as `a++b` and `a- -b` as `a--b`, which Espruino then reads as
// increments. This pass puts parentheses around such a right-hand operand (`a+(+b)`), so the
// stored program means what the bundle means. Run after minifying, before the gate.

import MagicString from "magic-string";
import { Node, childNodes, parseScript } from "./ast";


/** True when the expression's source starts with the sign character `sign` ("+" or "-"). */
function startsWithSign(n: Node, sign: string): boolean {
  return (n.type === "UnaryExpression" || (n.type === "UpdateExpression" && n.prefix)) && n.operator[0] === sign;
}

export function separateSigns(code: string): string {
  const ast = parseScript(code);
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
