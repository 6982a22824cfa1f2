// Builds the demo page's flash files from firmware/app/page.html: dist/www/index.html (the page,
// whitespace-trimmed) and dist/www/index.html.gz (gzip -9, byte-for-byte reproducible). They are
// not in the device bundle: tools/flash.ts uploads them to Storage as www/index.html(.gz) next to
// .bootcde, the simulated board preloads them into its Storage folder, and firmware/app/files.ts
// serves them at / (Content-Type, ETag and gzip negotiation set up once at start-up).
// Run: node build/tools/gen-assets.js [OUT_DIR]   (`make bundle` and `make bundle-all` run it)
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

export const ROOT = path.resolve(__dirname, "..", "..");
export const PAGE_SRC = path.join(ROOT, "firmware", "app", "page.html");
/** Where the build puts the page files (Storage names are "www/" + the file name). */
export const WWW_OUT = path.join(ROOT, "dist", "www");

/** The page as served: lines trimmed of indentation, blank lines dropped. */
export function minifyPage(html: string): string {
  return html.split("\n").map((l) => l.trim()).filter((l) => l.length > 0).join("\n") + "\n";
}

/** The page files by name ("index.html", "index.html.gz"), from the page source. */
export function pageFiles(html: string = fs.readFileSync(PAGE_SRC, "utf8")): { [name: string]: Buffer } {
  const page = Buffer.from(minifyPage(html), "utf8");
  const gz = zlib.gzipSync(page, { level: 9 });
  gz[9] = 3; // OS byte: "Unix", whatever the build machine (deterministic output)
  return { "index.html": page, "index.html.gz": gz };
}

/** Writes the page files into dir (created if missing); returns them. */
export function writePageFiles(dir: string = WWW_OUT): { [name: string]: Buffer } {
  const files = pageFiles();
  fs.mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(files)) fs.writeFileSync(path.join(dir, name), files[name]);
  return files;
}

if (require.main === module) {
  const dir = path.resolve(process.argv[2] || WWW_OUT);
  const files = writePageFiles(dir);
  console.log(Object.keys(files).map((n) => `${path.relative(ROOT, path.join(dir, n))} ${files[n].length} bytes`).join(", "));
}
