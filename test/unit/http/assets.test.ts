// The page's flash files: tools/gen-assets.ts builds dist/www/index.html(.gz) from page.html
// (`make bundle` runs it); the ones in dist/ must be what page.html gives now.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { pageFiles, minifyPage, PAGE_SRC, WWW_OUT } from "../../../tools/gen-assets";

describe("page files for flash (tools/gen-assets)", () => {
  const files = pageFiles();
  const page = files["index.html"];

  it("index.html is the trimmed page.html; index.html.gz inflates to it; the output is reproducible", () => {
    assert.deepEqual(Object.keys(files).sort(), ["index.html", "index.html.gz"]);
    assert.ok(page.equals(Buffer.from(minifyPage(fs.readFileSync(PAGE_SRC, "utf8")), "utf8")));
    assert.ok(zlib.gunzipSync(files["index.html.gz"]).equals(page));
    assert.equal(files["index.html.gz"][9], 3, "gzip OS byte fixed");
    assert.ok(pageFiles()["index.html.gz"].equals(files["index.html.gz"]));
    // Storage file names are at most 28 characters
    for (const n of Object.keys(files)) assert.ok(("www/" + n).length <= 28, n);
  });

  it("dist/www holds the current page files (run `make bundle` or node build/tools/gen-assets.js after editing page.html)", () => {
    for (const n of Object.keys(files)) {
      const f = path.join(WWW_OUT, n);
      assert.ok(fs.existsSync(f), `no ${path.relative(process.cwd(), f)}: run make bundle`);
      assert.ok(fs.readFileSync(f).equals(files[n]), `${n} is stale: run make bundle`);
    }
  });

  it("the page has no external resources", () => {
    const text = page.toString("utf8");
    assert.doesNotMatch(text, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(text, /url\(/i);
  });
});
