// hasToken() (firmware/http/parse.ts): a token in a comma-separated header list (Connection,
// Accept-Encoding), read as one string with native searches since #12's request-path round. The
// table pins the list grammar it had as a per-byte loop: whole list elements only, any case,
// whitespace and empty elements, parameters, and q=0 ("not acceptable").
import { strict as assert } from "assert";
import { hasToken } from "../../../firmware/http/parse";

const ABSENT = 0, LISTED = 1, Q_ZERO = 2;

function tok(list: string, t: string, pad = ""): number {
  // (the list inside a bigger buffer, as in a received segment: only src[p..e) is read)
  const b = new Uint8Array(Buffer.from(pad + list + "\r\nX-Gzip: gzip, keep-alive, close", "latin1"));
  return hasToken(b, pad.length, pad.length + list.length, t);
}

describe("http: hasToken, a token in a comma-separated list", () => {
  const rows: [string, string, number][] = [
    ["gzip", "gzip", LISTED],
    ["GZip", "gzip", LISTED],
    ["deflate, gzip, br", "gzip", LISTED],
    ["deflate,gzip", "gzip", LISTED],
    [" , ,gzip ,", "gzip", LISTED],
    ["a, gzip\t, b", "gzip", LISTED],
    ["x-gzip", "gzip", ABSENT],
    ["gzipx, deflate", "gzip", ABSENT],
    ["gz", "gzip", ABSENT],
    ["foo gzip", "gzip", ABSENT],          // not the start of a list element
    ["", "gzip", ABSENT],
    ["gzip;q=0", "gzip", Q_ZERO],
    ["gzip; q=0", "gzip", Q_ZERO],
    ["gzip ;q=0.000", "gzip", Q_ZERO],
    ["gzip;Q=0.", "gzip", Q_ZERO],
    ["gzip;a=b;q=0", "gzip", Q_ZERO],
    ["gzip;q=1;q=0", "gzip", Q_ZERO],      // the last q decides
    ["gzip;q=0;q=1", "gzip", LISTED],
    ["gzip;q=0.001", "gzip", LISTED],
    ["gzip;q=0.5", "gzip", LISTED],
    ["gzip;q=1", "gzip", LISTED],
    ["gzip;q", "gzip", LISTED],
    ["gzip;xq=0", "gzip", LISTED],         // "q=" only after ';' or ' '
    ["deflate;q=0, gzip", "gzip", LISTED], // another element's q
    ["gzip, deflate;q=0", "gzip", LISTED],
    ["gzip;q=0, gzip", "gzip", Q_ZERO],    // the first listing decides
    ["*", "*", LISTED],
    ["*;q=0", "*", Q_ZERO],
    ["keep-alive", "keep-alive", LISTED],
    ["Keep-Alive, Upgrade", "keep-alive", LISTED],
    ["keep-alive", "close", ABSENT],
    ["upgrade, close", "close", LISTED],
    ["closed", "close", ABSENT],
  ];
  for (const [list, t, want] of rows) {
    it(JSON.stringify(list) + " " + t + ": " + ["absent", "listed", "q=0"][want], () => {
      assert.equal(tok(list, t), want);
      assert.equal(tok(list, t, "GET / HTTP/1.1\r\nAccept-Encoding: "), want, "at an offset in the buffer");
    });
  }
});
