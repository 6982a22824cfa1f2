// The committed firmware/app/assets.ts is what tools/gen-assets.ts makes from page.html now.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as zlib from "zlib";
import { fromBase64 } from "../../../firmware/app/routes";
import { generate, ASSETS_OUT, minifyPage, PAGE_SRC } from "../../../tools/gen-assets";
import { PAGE_HTML, PAGE_GZIP_B64, PAGE_LENGTH, PAGE_GZIP_LENGTH, PAGE_ETAG } from "../../../firmware/app/assets";

describe("generated page assets", () => {
  it("firmware/app/assets.ts is current (run node build/tools/gen-assets.js after editing page.html)", () => {
    assert.equal(fs.readFileSync(ASSETS_OUT, "utf8"), generate().text);
  });
  it("holds the page bytes, a gzip that inflates to them, and consistent lengths", () => {
    const page = Buffer.from(minifyPage(fs.readFileSync(PAGE_SRC, "utf8")), "utf8");
    assert.ok(Buffer.from(PAGE_HTML, "latin1").equals(page));
    assert.equal(PAGE_LENGTH, page.length);
    const gz = Buffer.from(PAGE_GZIP_B64, "base64");
    assert.equal(PAGE_GZIP_LENGTH, gz.length);
    assert.ok(zlib.gunzipSync(gz).equals(page));
    assert.match(PAGE_ETAG, /^[0-9a-f]{8}$/);
    assert.equal(parseInt(PAGE_ETAG, 16), E.CRC32(new Uint8Array(page)));
  });
  it("the page has no external resources", () => {
    assert.doesNotMatch(PAGE_HTML, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(PAGE_HTML, /url\(/i);
  });
  it("the start-up base64 decoder (used where atob is missing) matches Node's", () => {
    const g = global as any;
    const saved = g.atob;
    g.atob = undefined;
    try {
      for (const n of [0, 1, 2, 3, 4, 5, 255, 256, 2269]) {
        const b = Buffer.alloc(n);
        for (let i = 0; i < n; i++) b[i] = (i * 151 + 7) & 255;
        assert.ok(Buffer.from(fromBase64(b.toString("base64"))).equals(b), "length " + n);
      }
    } finally { g.atob = saved; }
    assert.ok(Buffer.from(fromBase64(PAGE_GZIP_B64)).equals(Buffer.from(PAGE_GZIP_B64, "base64")));
  });
});
