// Where the bytes of a board bundle come from: minified size per device module.
// Usage: node build/tools/size.js [board]   (after `make device`)
import * as esbuild from "esbuild";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

export function moduleSizes(board: string): { module: string; bytes: number }[] {
  const r = esbuild.buildSync({
    entryPoints: [path.join(ROOT, "build", "device", "boards", `${board}.js`)],
    bundle: true, format: "iife", target: "es5", platform: "node", write: false, metafile: true,
    minify: true, define: { require: "__r" },
  });
  const out = Object.values(r.metafile!.outputs)[0];
  return Object.entries(out.inputs)
    .map(([k, v]) => ({ module: k.replace(/^build\/device\//, ""), bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
}

if (require.main === module) {
  const board = process.argv[2] || "pico";
  let total = 0;
  for (const { module, bytes } of moduleSizes(board)) {
    total += bytes;
    console.log(`${String(bytes).padStart(7)}  ${module}`);
  }
  console.log(`${String(total).padStart(7)}  total (esbuild minify; the terser bundle differs slightly)`);
}
