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

/** Names a function declares for its own body: parameters, its own name (a function expression),
 *  `var` and function declarations anywhere in its body outside nested functions (flatten.ts,
 *  inline.ts). A program passed as { params: [], body: program } gives its top-level names. */
export function declaredNames(fn: Node): Set<string> {
  const names = new Set<string>();
  for (const p of fn.params) if (p.type === "Identifier") names.add(p.name);
  if (fn.type === "FunctionExpression" && fn.id) names.add(fn.id.name);
  const visit = (n: Node): void => {
    if (n.type === "VariableDeclarator" && n.id.type === "Identifier") names.add(n.id.name);
    if (n.type === "FunctionDeclaration") { names.add(n.id.name); return; }
    if (FUNCTION_TYPES.has(n.type)) return;
    for (const c of childNodes(n)) visit(c);
  };
  if (fn.body) for (const c of childNodes(fn.body)) visit(c);
  return names;
}
