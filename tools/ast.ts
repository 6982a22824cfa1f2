// The AST helpers the build tools share (hoist.ts, gate.ts, signs.ts): one parser setting and
// one child walk, so every pass sees a bundle the same way.

import * as acorn from "acorn";

/** An acorn node with its type-specific fields. */
export type Node = acorn.Node & { [key: string]: any };

/** Node types that open a function scope. */
export const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

/** Parses a script (not a module) with every syntax acorn knows, so the gate can name what it finds. */
export function parseScript(code: string): Node {
  return acorn.parse(code, { ecmaVersion: "latest", sourceType: "script" }) as Node;
}

/** Child nodes of n, in source order. */
export function childNodes(n: Node): Node[] {
  const out: Node[] = [];
  for (const key of Object.keys(n)) {
    if (key === "type" || key === "start" || key === "end" || key === "loc" || key === "range") continue;
    const v = n[key];
    if (Array.isArray(v)) {
      for (const x of v) if (x && typeof x.type === "string") out.push(x);
    } else if (v && typeof v.type === "string") out.push(v);
  }
  return out.sort((a, b) => a.start - b.start);
}
