// The committed firmware/app/assets.ts is what tools/gen-assets.ts makes from page.html now.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as zlib from "zlib";
import { generate, ASSETS_OUT, minifyPage, PAGE_SRC } from "../../../tools/gen-assets";
import { PAGE_HTML, PAGE_GZIP, PAGE_LENGTH, PAGE_GZIP_LENGTH, PAGE_ETAG } from "../../../firmware/app/assets";

describe("generated page assets", () => {
  it("firmware/app/assets.ts is current (run node build/tools/gen-assets.js after editing page.html)", () => {
    assert.equal(fs.readFileSync(ASSETS_OUT, "utf8"), generate().text);
  });
  it("holds the page bytes, a gzip that inflates to them, and consistent lengths", () => {
    const page = Buffer.from(minifyPage(fs.readFileSync(PAGE_SRC, "utf8")), "utf8");
    assert.ok(Buffer.from(PAGE_HTML, "latin1").equals(page));
    assert.equal(PAGE_LENGTH, page.length);
    assert.equal(PAGE_GZIP_LENGTH, PAGE_GZIP.length);
    assert.ok(zlib.gunzipSync(Buffer.from(PAGE_GZIP, "latin1")).equals(page));
    assert.match(PAGE_ETAG, /^[0-9a-f]{8}$/);
    assert.equal(parseInt(PAGE_ETAG, 16), E.CRC32(new Uint8Array(page)));
  });
  it("the page has no external resources", () => {
    assert.doesNotMatch(PAGE_HTML, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(PAGE_HTML, /url\(/i);
  });
});
