// Storage "www/" files served from flash: mapped views (readArrayBuffer) or windowed reads.
import { strict as assert } from "assert";
import * as zlib from "zlib";
import { FakeTcp, parseResponses } from "./fake-tcp";
import { createHttpServer } from "../../../firmware/http/server";
import { serveStorageFiles, FlashStorage } from "../../../firmware/app/files";

function storage(files: Record<string, Buffer>, mappedViews: boolean) {
  const reads: [string, number | undefined, number | undefined][] = [];
  const st: FlashStorage = {
    list: (re) => Object.keys(files).filter((n) => !re || re.test(n)).sort(),
    read: (name, off, len) => {
      reads.push([name, off, len]);
      const f = files[name];
      if (!f) return undefined;
      const o = off || 0;
      return f.subarray(o, len === undefined ? f.length : o + len).toString("latin1");
    },
  };
  if (mappedViews) st.readArrayBuffer = (name) => { const f = files[name]; return f ? new Uint8Array(f).buffer : undefined; };
  return { st, reads };
}

describe("http: files from Storage (www/)", () => {
  const big = Buffer.alloc(7000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
  const css = Buffer.from("body{color:red}\n");
  const files = { "www/app.css": css, "www/app.css.gz": zlib.gzipSync(css), "www/data.bin": big, "www/index.html": Buffer.from("<p>flash page</p>"), "other": Buffer.from("x") };

  for (const mappedViews of [true, false]) {
    it(`serves www/ files ${mappedViews ? "from mapped flash views" : "window by window with Storage.read"}`, () => {
      const { st, reads } = storage(files, mappedViews);
      const tcp = new FakeTcp();
      const srv = createHttpServer(tcp);
      assert.equal(serveStorageFiles(srv, st), 3);
      tcp.open(0, 1000);
      tcp.send(0, "GET /data.bin HTTP/1.1\r\nHost: d\r\n\r\n");
      for (let i = 0; i < 30 && tcp.text(0).length < 7200; i++) tcp.ack(0, 1000);
      const r = parseResponses(tcp.take(0))[0];
      assert.equal(r.headers["content-type"], "application/octet-stream");
      assert.ok(r.body.equals(big));
      const windows = reads.filter((x) => x[0] === "www/data.bin" && x[1] !== undefined);
      if (mappedViews) assert.equal(windows.length, 0);
      else assert.ok(windows.length >= 7 && windows.every((x) => (x[2] as number) <= 1460), JSON.stringify(windows));
      tcp.send(0, "GET /app.css HTTP/1.1\r\nHost: d\r\nAccept-Encoding: gzip\r\n\r\n");
      const g = parseResponses(tcp.take(0))[0];
      assert.equal(g.headers["content-type"], "text/css; charset=utf-8");
      assert.equal(g.headers["content-encoding"], "gzip");
      assert.ok(zlib.gunzipSync(g.body).equals(css));
      tcp.send(0, "GET / HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.equal(parseResponses(tcp.take(0))[0].body.toString(), "<p>flash page</p>");
      tcp.send(0, "GET /app.css.gz HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.equal(parseResponses(tcp.take(0))[0].status, 404);
    });
  }
  for (const mappedViews of [true, false]) {
    it(`a www/<name>.gz alone (make image's choice where the original does not fit) is served at /<name>, always as gzip (${mappedViews ? "mapped" : "windowed"})`, () => {
      const page = Buffer.from("<p>" + "the page ".repeat(200) + "</p>");
      const { st } = storage({ "www/index.html.gz": zlib.gzipSync(page) }, mappedViews);
      const tcp = new FakeTcp();
      const srv = createHttpServer(tcp);
      assert.equal(serveStorageFiles(srv, st), 1);
      tcp.open(0, 1000);
      for (const [path, accept] of [["/", "Accept-Encoding: gzip\r\n"], ["/index.html", ""]]) {
        tcp.send(0, "GET " + path + " HTTP/1.1\r\nHost: d\r\n" + accept + "\r\n");
        for (let i = 0; i < 10; i++) tcp.ack(0, 1000);
        const r = parseResponses(tcp.take(0))[0];
        assert.equal(r.status, 200, path);
        assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
        assert.equal(r.headers["content-encoding"], "gzip", path + " " + JSON.stringify(accept));
        assert.ok(zlib.gunzipSync(r.body).equals(page), path);
      }
      tcp.send(0, "GET /index.html.gz HTTP/1.1\r\nHost: d\r\n\r\n");
      assert.equal(parseResponses(tcp.take(0))[0].status, 404);
    });
  }
});
