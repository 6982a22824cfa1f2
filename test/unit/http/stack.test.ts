// The HTTP server and the page through the real TCP, IP stack, ENC28J60 driver and emulator,
// with a client running the project's TCP on the other end of the wire (virtual time).
import { strict as assert } from "assert";
import * as zlib from "zlib";
import { Rig, Client } from "./rig";
import { parseResponses, ParsedResponse } from "./fake-tcp";
import * as L from "../../../firmware/http/limits";
import { PAGE_FILES } from "./rig";

const PAGE_HTML = PAGE_FILES["index.html"].toString("latin1");
const PAGE_GZIP_B64 = PAGE_FILES["index.html.gz"].toString("base64");

function responses(rig: Rig, k: Client, n: number, heads: boolean[] = [], maxMs = 20000): ParsedResponse[] {
  let got: ParsedResponse[] = [];
  rig.until(() => {
    try { got = parseResponses(k.text(), heads); } catch { return false; }
    return got.length >= n;
  }, maxMs);
  assert.equal(got.length, n, "responses: " + JSON.stringify(k.text().slice(0, 300)));
  return got;
}

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 255;
  return b;
}

const GET = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: 192.0.2.2\r\n${extra}\r\n`;

describe("http through TCP + IP + driver + emulator", function () {
  this.timeout(60000);
  let rig: Rig;
  beforeEach(() => { rig = new Rig(); });

  it("serves the page, identity and gzip, with ETag and 304", () => {
    const k = rig.connect();
    rig.write(k, GET("/"));
    const [r] = responses(rig, k, 1);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString("latin1"), PAGE_HTML);
    rig.write(k, GET("/", "Accept-Encoding: gzip, deflate, br\r\n"));
    const [, g] = responses(rig, k, 2);
    assert.equal(g.headers["content-encoding"], "gzip");
    assert.equal(g.body.toString("base64"), PAGE_GZIP_B64);
    assert.equal(zlib.gunzipSync(g.body).toString("latin1"), PAGE_HTML);
    rig.write(k, GET("/", `If-None-Match: ${r.headers["etag"]}\r\n`));
    const rs = responses(rig, k, 3);
    assert.equal(rs[2].status, 304);
    assert.equal(k.ended, -1);
  });

  it("status codes over the wire, each error closing the connection", () => {
    const cases: [string, number][] = [
      ["hello\r\n\r\n", 400],
      [GET("/nope"), 404],
      ["DELETE / HTTP/1.1\r\nHost: d\r\n\r\n", 405],
      [`POST /api/led HTTP/1.1\r\nHost: d\r\nContent-Length: ${L.BODY_MAX + 1}\r\n\r\n`, 413],
      [`GET /${"x".repeat(L.REQUEST_LINE_MAX)} HTTP/1.1\r\nHost: d\r\n\r\n`, 414],
      [`GET / HTTP/1.1\r\nHost: d\r\n${("X-Pad: " + "p".repeat(90) + "\r\n").repeat(12)}\r\n`, 431],
      ["BREW / HTTP/1.1\r\nHost: d\r\n\r\n", 501],
      ["GET / HTTP/3.0\r\nHost: d\r\n\r\n", 505],
    ];
    for (const [req, status] of cases) {
      const k = rig.connect();
      rig.write(k, req);
      const [r] = responses(rig, k, 1);
      assert.equal(r.status, status, req.slice(0, 30));
      if (status === 404 || status === 405) {
        assert.equal(r.headers["connection"], undefined);
        if (status === 405) assert.equal(r.headers["allow"], "GET, HEAD, OPTIONS");
        rig.ptcp.close(k.c);
      } else assert.equal(r.headers["connection"], "close");
      assert.ok(rig.until(() => k.peerClosed, 5000), "device closed after " + status);
      rig.ptcp.close(k.c);
      rig.until(() => k.ended >= 0, 10000);
    }
  });

  it("408 for a slow client; 503 while busy", () => {
    const k = rig.connect();
    rig.write(k, "GET / HTTP/1.1\r\nHo");
    rig.run(L.HEADER_TIMEOUT_MS + 300);
    const [r] = responses(rig, k, 1);
    assert.equal(r.status, 408);
    assert.ok(k.peerClosed);
    rig.dev.http.busy = true;
    const k2 = rig.connect();
    rig.write(k2, GET("/"));
    assert.equal(responses(rig, k2, 1)[0].status, 503);
    rig.dev.http.busy = false;
  });

  it("requests split across segments at every few bytes, and pipelined in one segment", () => {
    const k = rig.connect();
    const req = "POST /api/led HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\n\r\non=1";
    for (let i = 0; i < req.length; i += 7) { rig.write(k, req.slice(i, i + 7)); rig.run(2); }
    const [r] = responses(rig, k, 1);
    assert.deepEqual(JSON.parse(r.body.toString()), { led: true });
    assert.equal(rig.led, true);
    assert.ok(rig.dev.http.counters.split > 0);
    const k2 = rig.connect();
    rig.write(k2, GET("/api/led") + `HEAD / HTTP/1.1\r\nHost: d\r\n\r\n` + GET("/") + GET("/api/settings"));
    const rs = responses(rig, k2, 4, [false, true]);
    assert.deepEqual(rs.map((x) => x.status), [200, 200, 200, 200]);
    assert.equal(rs[1].body.length, 0);
    assert.equal(rs[2].body.toString("latin1"), PAGE_HTML);
    assert.equal(JSON.parse(rs[3].body.toString()).name, "rig");
  });

  it("keep-alive reuse: many requests on one connection; Connection: close honoured", () => {
    const k = rig.connect();
    for (let i = 1; i <= 10; i++) {
      rig.write(k, GET("/api/status"));
      const rs = responses(rig, k, i);
      const s = JSON.parse(rs[i - 1].body.toString());
      assert.equal(s.ip, "192.0.2.2");
      assert.equal(s.mac, "02:45:4e:43:00:02");
      assert.equal(s.link, true);
      assert.ok(s.traffic[7] >= i);
    }
    assert.equal(rig.dev.tcp.counters.accepted, 1);
    rig.write(k, GET("/", "Connection: close\r\n"));
    responses(rig, k, 11);
    assert.ok(rig.until(() => k.peerClosed, 5000));
  });

  it("a 200 KB asset, bigger than any window, arrives byte-exact", () => {
    rig.dev.addTestAsset("/t.bin", 200 * 1024);
    const k = rig.connect();
    rig.write(k, GET("/t.bin"));
    const [r] = responses(rig, k, 1, [], 120000);
    assert.equal(r.body.length, 200 * 1024);
    assert.ok(r.body.equals(pattern(200 * 1024)));
  });

  it("a client that vanishes mid-response frees the slot", () => {
    rig.dev.addTestAsset("/t.bin", 60 * 1024);
    const k = rig.connect();
    rig.write(k, GET("/t.bin"));
    rig.until(() => k.text().length > 10000, 10000);
    rig.ptcp.abort(k.c);                 // RST: the device must free the connection
    rig.run(500);
    const ph = new Uint16Array(5);
    rig.dev.http.phaseCounts(ph);
    assert.equal(ph[2], 0, "no connection still sending");
    assert.equal(rig.dev.http.counters.active, 0);
    const k2 = rig.connect();
    rig.write(k2, GET("/api/led"));
    assert.equal(responses(rig, k2, 1)[0].status, 200);
  });

  it("a client that goes silent mid-response (cable pulled): TCP gives up, the slot is freed", () => {
    rig.dev.addTestAsset("/t.bin", 60 * 1024);
    const k = rig.connect();
    rig.cutAfter = 8;                    // a few data segments reach the client, then nothing
    rig.write(k, GET("/t.bin"));
    assert.ok(rig.cut);
    assert.ok(k.text().length > 2000 && k.text().length < 20000, String(k.text().length));
    const ph = new Uint16Array(5);
    rig.dev.http.phaseCounts(ph);
    assert.equal(ph[2], 1, "sending when the wire is cut");
    assert.ok(rig.until(() => { rig.dev.http.phaseCounts(ph); return ph[0] === 6; }, 200000), "slot freed: " + Array.from(ph));
    assert.equal(rig.dev.http.counters.active, 0);
    assert.ok(rig.dev.tcp.counters.giveUps + rig.dev.http.counters.stalls >= 1);
    rig.cut = false;
    const k2 = rig.connect();
    rig.write(k2, GET("/api/led"));
    assert.equal(responses(rig, k2, 1)[0].status, 200);
  });

  it("POST JSON to /api/led, form and JSON to /api/settings (stored)", () => {
    const k = rig.connect();
    const body = JSON.stringify({ on: true });
    rig.write(k, `POST /api/led HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.deepEqual(JSON.parse(responses(rig, k, 1)[0].body.toString()), { led: true });
    assert.equal(rig.led, true);
    // beyond Latin-1 (8-bit strings on Espruino): refused with a reason, not saved as '?'
    const wide = "name=Workshop+%E2%98%85";
    rig.write(k, `POST /api/settings HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${wide.length}\r\n\r\n${wide}`);
    const w = responses(rig, k, 2)[1];
    assert.equal(w.status, 400);
    assert.match(w.body.toString(), /cannot store \(Latin-1 only\)/);
    const form = "name=Workshop+%C3%A9+%3F";   // Latin-1 survives, and so does a '?' that was sent
    rig.write(k, `POST /api/settings HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`);
    const r = responses(rig, k, 3)[2];
    assert.equal(r.status, 303);
    assert.equal(r.headers["location"], "/");
    assert.equal(rig.dev.settings.name, "Workshop \u00e9 ?");
    assert.deepEqual(JSON.parse(rig.store.get("enc-settings")!), { name: "Workshop \u00e9 ?" });
    const j = JSON.stringify({ name: "Bench" });
    rig.write(k, `POST /api/settings HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${j.length}\r\n\r\n${j}`);
    assert.deepEqual(JSON.parse(responses(rig, k, 4)[3].body.toString()), { ok: true, name: "Bench" });
    rig.write(k, `POST /api/settings?js=1 HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\nname=`);
    assert.equal(responses(rig, k, 5)[4].status, 400);
    const bad = "{name:";
    rig.write(k, `POST /api/settings HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${bad.length}\r\n\r\n${bad}`);
    const b = responses(rig, k, 6)[5];
    assert.equal(b.status, 400);
    assert.deepEqual(JSON.parse(b.body.toString()), { error: "invalid JSON" });
    const s = JSON.parse((() => { rig.write(k, GET("/api/status")); return responses(rig, k, 7)[6].body.toString(); })());
    assert.equal(s.name, "Bench");
    assert.equal(s.led, true);
  });

  it("503 for the connection beyond the served count (slots - 1), a clean answer instead of a reset", () => {
    const ks: Client[] = [];
    for (let i = 0; i < 5; i++) ks.push(rig.connect());   // 6 slots: 5 served
    const extra = rig.connect();
    rig.write(extra, GET("/"));
    const r = responses(rig, extra, 1)[0];
    assert.equal(r.status, 503);
    assert.equal(r.headers["retry-after"], "1");
    assert.ok(rig.until(() => extra.peerClosed, 5000));
    rig.write(ks[0], GET("/api/led"));
    assert.equal(responses(rig, ks[0], 1)[0].status, 200);
  });

  it("serves several connections at once", () => {
    rig.dev.addTestAsset("/t.bin", 20000);
    const ks = [rig.connect(), rig.connect(), rig.connect(), rig.connect()];
    for (const k of ks) rig.write(k, GET("/t.bin"));
    for (const k of ks) assert.ok(responses(rig, k, 1)[0].body.equals(pattern(20000)));
  });

  it("the app's echo service on port 7 and the console's connect/send/received/close", () => {
    const k = rig.connect(7);
    rig.write(k, "ping 123");
    assert.ok(rig.until(() => k.text() === "ping 123", 3000), k.text());
    // a listener on the client side; the device connects to it from the console API
    const got: Buffer[] = [];
    let accepted = -1;
    rig.ptcp.listen(9000, {
      open(c) { accepted = c; },
      data(c, buf, off, len) { got.push(Buffer.from(buf.subarray(off, off + len))); rig.ptcp.write(c, new Uint8Array(Buffer.from("pong")), 0, 4); },
      drained() { /* */ }, peerClosed(c) { rig.ptcp.close(c); }, end() { /* */ },
    });
    const c = rig.dev.connect("192.0.2.1", 9000);
    assert.ok(c >= 0);
    assert.ok(rig.until(() => accepted >= 0, 3000));
    assert.equal(rig.dev.send(c, "hello"), 5);
    assert.ok(rig.until(() => Buffer.concat(got).toString() === "hello", 3000));
    let rx = "";
    assert.ok(rig.until(() => (rx += rig.dev.received(c)) === "pong", 3000), rx);
    assert.equal(rig.dev.received(c), "");
    rig.dev.close(c);
    assert.ok(rig.until(() => rig.dev.tcp.state(c) === 0 || rig.dev.tcp.state(c) === 10, 5000), "closed: state " + rig.dev.tcp.state(c));
  });

  it("without the page in Storage (flashed by an old tool): / says so with a 503, the API still answers", () => {
    const bare = new Rig({ page: false });
    const k = bare.connect();
    bare.write(k, GET("/"));
    const [r] = responses(bare, k, 1);
    assert.equal(r.status, 503);
    assert.equal(r.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(r.body.toString(), "page not in flash: run make flash\n");
    const k2 = bare.connect();
    bare.write(k2, GET("/api/status"));
    const [s] = responses(bare, k2, 1);
    assert.equal(s.status, 200);
    assert.equal(JSON.parse(s.body.toString()).ip, "192.0.2.2");
  });
});

describe("http: the app with DHCP", function () {
  this.timeout(60000);
  it("takes an address from a DHCP server, then serves the page on it", () => {
    const rig = new Rig({ dhcp: true });
    assert.ok(rig.until(() => rig.dev.stack.addr !== 0, 30000), "no DHCP lease");
    assert.equal(rig.dev.stack.addr, 0xc0000264);
    const k = rig.connect(80, rig.dev.stack.addr);
    rig.write(k, `GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n`);
    const s = JSON.parse(responses(rig, k, 1)[0].body.toString());
    assert.equal(s.ip, "192.0.2.100");
    assert.notEqual(s.dhcp, "static");
  });
});
