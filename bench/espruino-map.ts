// The memory map of the firmware on the real interpreter, from E.dumpVariables() (every
// allocated variable, its size in blocks and the variables it links to): the graph's dominator
// tree gives each part the variables only it keeps alive (its retained size, as in a heap
// snapshot). A variable reachable from two parts (a closure scope both hold) belongs to neither:
// it shows under "shared". Parts are the `device` console object's members.

interface Node { size: number; name: string; links: number[] }

/** Parses E.dumpVariables() lines ("ref,size,flags,name,links..."). */
export function parseDump(lines: string[]): Map<number, Node> {
  const nodes = new Map<number, Node>();
  for (const l of lines) {
    const m = /^(\d+),(\d+),(\d+),(.*)$/.exec(l.trim());
    if (!m) continue;
    let rest = m[4], name = "";
    if (rest.startsWith("\"") || rest.startsWith("String \"")) {
      const q = rest.indexOf("\"");
      let i = q + 1;
      while (i < rest.length && rest[i] !== "\"") i += rest[i] === "\\" ? 2 : 1;
      name = rest.slice(0, i + 1);
      rest = rest.slice(i + 2);
    } else {
      const k = rest.indexOf(",");
      name = k < 0 ? rest : rest.slice(0, k);
      rest = k < 0 ? "" : rest.slice(k + 1);
    }
    const links = rest.split(",").filter((x) => /^\d+$/.test(x)).map(Number);
    nodes.set(Number(m[1]), { size: Number(m[2]), name, links });
  }
  return nodes;
}

/** Retained sizes (blocks) by node, from a virtual root linked to every node nothing links to. */
export function retained(nodes: Map<number, Node>): { retainedOf: Map<number, number>; roots: number[] } {
  const incoming = new Map<number, number>();
  for (const [, n] of nodes) for (const c of n.links) if (nodes.has(c)) incoming.set(c, (incoming.get(c) || 0) + 1);
  // variable 1 is the interpreter's root (global links back to it); other roots are locked temporaries
  const roots = [...nodes.keys()].filter((r) => r === 1 || !incoming.get(r));
  const ROOT = 0;
  const succ = (v: number): number[] => (v === ROOT ? roots : nodes.get(v)!.links.filter((c) => nodes.has(c)));
  // reverse postorder (iterative DFS)
  const order: number[] = [];
  const seen = new Set<number>([ROOT]);
  const stack: [number, number][] = [[ROOT, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const s = succ(top[0]);
    if (top[1] < s.length) {
      const c = s[top[1]++];
      if (!seen.has(c)) { seen.add(c); stack.push([c, 0]); }
    } else { order.push(top[0]); stack.pop(); }
  }
  order.reverse();
  const index = new Map<number, number>();
  order.forEach((v, i) => index.set(v, i));
  const preds = new Map<number, number[]>();
  for (const v of order) for (const c of succ(v)) { let p = preds.get(c); if (!p) preds.set(c, p = []); p.push(v); }
  // Cooper, Harvey, Kennedy: "A Simple, Fast Dominance Algorithm"
  const idom = new Map<number, number>([[ROOT, ROOT]]);
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (index.get(a)! > index.get(b)!) a = idom.get(a)!;
      while (index.get(b)! > index.get(a)!) b = idom.get(b)!;
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const v of order) {
      if (v === ROOT) continue;
      let d = -1;
      for (const p of preds.get(v) || []) if (idom.has(p)) d = d < 0 ? p : intersect(p, d);
      if (d >= 0 && idom.get(v) !== d) { idom.set(v, d); changed = true; }
    }
  }
  const retainedOf = new Map<number, number>();
  for (let i = order.length - 1; i > 0; i--) {
    const v = order[i];
    const r = (retainedOf.get(v) || 0) + nodes.get(v)!.size;
    retainedOf.set(v, r);
    const d = idom.get(v)!;
    retainedOf.set(d, (retainedOf.get(d) || 0) + r);
  }
  return { retainedOf, roots };
}

/** The value node of the property `key` of object node obj (properties are name variables linking to their value). */
function member(nodes: Map<number, Node>, obj: number, key: string): number {
  for (const c of nodes.get(obj)?.links || []) {
    const n = nodes.get(c);
    if (n && n.name === JSON.stringify(key)) return n.links[0] || -1;
  }
  return -1;
}

export interface MemoryMap { total: number; parts: [string, number][]; outside: number; retained: [string, number][] }

/** Variables reachable from node start, not through the interpreter's root nor any node in stop. */
function reach(nodes: Map<number, Node>, start: number, stop: Set<number> = new Set()): Set<number> {
  const seen = new Set<number>();
  const todo = [start];
  while (todo.length) {
    const v = todo.pop()!;
    if (seen.has(v) || v === 1 || !nodes.has(v) || (stop.has(v) && v !== start)) continue;
    seen.add(v);
    for (const c of nodes.get(v)!.links) todo.push(c);
  }
  return seen;
}

/**
 * Closures link the layers both ways (a layer holds the one below; the one below holds the
 * callbacks the layer above registered), so "reachable from" alone gives everything to every
 * part. Here: what every part reaches (the bundle's module-level scope, its functions and
 * tables) is "module level"; then the parts from the top down (HTTP, TCP, IP, driver, then the
 * app) each take what they reach that is not yet taken, without passing through another part's
 * object: a layer's registered callbacks count for the layer that made them. Also the
 * dominator-tree retained size of each part's object (what freeing that object alone frees).
 */
export function memoryMap(lines: string[]): MemoryMap {
  const nodes = parseDump(lines);
  const { retainedOf } = retained(nodes);
  let total = 0;
  for (const [, n] of nodes) total += n.size;
  const device = member(nodes, 1, "device");
  if (device < 0) throw new Error("memory map: no `device` in the dump");
  const defs: [string, number][] = [["HTTP server (all connections)", member(nodes, device, "http")], ["TCP (all slots)", member(nodes, device, "tcp")],
    ["IP stack (ARP, DHCP, ICMP, UDP)", member(nodes, device, "stack")], ["driver", member(nodes, device, "driver")],
    ["app: routes, page, settings, the device console object", device]];
  const partObjects = new Set<number>(defs.map(([, v]) => v));
  const full = defs.map(([, v]) => reach(nodes, v, partObjects));
  const core = new Set<number>([...full[0]].filter((x) => full.every((f) => f.has(x))));
  const taken = new Set<number>(core);
  const blocks = (set: Iterable<number>): number => { let b = 0; for (const x of set) b += nodes.get(x)!.size; return b; };
  const parts: [string, number][] = [["module level: functions, scopes and tables every part shares", blocks(core)]];
  for (const [label, v] of defs) {
    const mine = [...reach(nodes, v, new Set([...partObjects, ...taken]))].filter((x) => !taken.has(x));
    for (const x of mine) taken.add(x);
    parts.push([label, blocks(mine)]);
  }
  return {
    total, parts, outside: total - blocks(taken),
    retained: defs.map(([label, v]) => [label, v > 0 ? retainedOf.get(v) || 0 : 0] as [string, number]),
  };
}
