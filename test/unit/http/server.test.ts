// HTTP server over a fake TCP: every status, split/pipelined requests, keep-alive, HEAD, 304,
// gzip negotiation, back-pressure, time-outs, vanishing clients, forms and JSON.
import { strict as assert } from "assert";
import * as zlib from "zlib";
import { FakeTcp, parseResponses } from "./fake-tcp";
import { createHttpServer, HttpServer, M_GET } from "../../../firmware/http/server";
import * as L from "../../../firmware/http/limits";

const PAGE = "<!doctype html><title>t</title><p>hello \u00e9</p>";
const PAGE_BYTES = Buffer.from(PAGE, "utf8");
const GZ = zlib.gzipSync(PAGE_BYTES);

function big(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 255;
  return b;
}

function setup(opts: any = {}): { tcp: FakeTcp; srv: HttpServer } {
  const tcp = new FakeTcp(opts.slots || 4);
  const srv = createHttpServer(tcp, opts);
  srv.tick(0);
  srv.asset("/", PAGE, { type: "text/html; charset=utf-8", gzip: new Uint8Array(GZ) });
  srv.asset("/big.bin", big(5000));
  srv.asset("/static/", "prefix asset", { prefix: true, type: "text/plain" });
  srv.route("/api/echo", "GET,POST", (req, res) => {
    const w = res.begin(200, "application/json");
    w.str('{"m":').jstr(req.methodName).str(',"path":').jstr(req.path()).str(',"q":').jstr(req.query("q") || "")
      .str(',"name":').jstr(req.form("name") || "").str(',"ct":').num(req.contentType).str(',"len":').num(req.bodyLen);
    const j = req.json();
    if (j !== undefined) w.str(',"json":').jstr(JSON.stringify(j));
    w.str("}");
    res.end();
  });
  srv.route("/api/throw", "GET", () => { throw new Error("boom"); });
  srv.route("/api/silent", "GET", () => { /* never answers */ });
  srv.route("/api/text", "GET", (_req, res) => res.header("X-Test", "1").send(200, "text/plain", "caf\u00e9"));
  srv.route("/api/stream", "GET", (_req, res) => {
    const src = big(3000);
    res.stream(200, "application/octet-stream", src.length, (off, len) => src.subarray(off, off + len));
  });
  return { tcp, srv };
}

function one(req: string, opts: any = {}): { r: ReturnType<typeof parseResponses>[0]; tcp: FakeTcp; srv: HttpServer } {
  const { tcp, srv } = setup(opts);
  tcp.open(0);
  tcp.send(0, req);
  const rs = parseResponses(tcp.text(0), [req.startsWith("HEAD")]);
  assert.equal(rs.length, 1, tcp.text(0));
  return { r: rs[0], tcp, srv };
}

const GET = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: d\r\n${extra}\r\n`;

describe("http server (fake TCP)", () => {
  it("listens on port 80 by default, or the given port", () => {
    assert.equal(setup().tcp.port, 80);
    assert.equal(setup({ port: 8080 }).tcp.port, 8080);
  });

  it("serves an asset with Content-Length, type, ETag, and keeps the connection", () => {
    const { r, tcp } = one(GET("/"));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, PAGE_BYTES);
    assert.equal(r.headers["content-length"], String(PAGE_BYTES.length));
    assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
    assert.match(r.headers["etag"], /^"[0-9a-f]{8}"$/);
    assert.equal(r.headers["vary"], "Accept-Encoding");
    assert.equal(r.headers["connection"], undefined);
    assert.equal(tcp.closed[0], false);
  });

  it("HEAD: same headers, no body", () => {
    const g = one(GET("/")).r;
    const { r, tcp } = one(`HEAD / HTTP/1.1\r\nHost: d\r\n\r\n`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers, g.headers);
    assert.ok(tcp.text(0).endsWith("\r\n\r\n"));
  });

  it("If-None-Match -> 304 (exact, weak, list, *), otherwise 200", () => {
    const etag = one(GET("/")).r.headers["etag"];
    for (const v of [etag, "W/" + etag, `"nope", ${etag}`, "*"]) {
      const { r } = one(GET("/", `If-None-Match: ${v}\r\n`));
      assert.equal(r.status, 304, v);
      assert.equal(r.body.length, 0);
      assert.equal(r.headers["etag"], etag);
      assert.equal(r.headers["content-length"], undefined);
    }
    assert.equal(one(GET("/", `If-None-Match: "0000"\r\n`)).r.status, 200);
  });

  it("gzip only when Accept-Encoding allows it", () => {
    const gz = one(GET("/", "Accept-Encoding: deflate, GZIP\r\n")).r;
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.deepEqual(gz.body, GZ);
    assert.deepEqual(zlib.gunzipSync(gz.body), PAGE_BYTES);
    assert.match(gz.headers["etag"], /^"[0-9a-f]{8}-gz"$/);
    assert.equal(one(GET("/", "Accept-Encoding: *\r\n")).r.headers["content-encoding"], "gzip");
    for (const v of ["gzip;q=0", "gzip; q=0.000", "br, deflate", "identity", "*;q=0", "gzip;q=0, *"]) {
      const r = one(GET("/", `Accept-Encoding: ${v}\r\n`)).r;
      assert.equal(r.headers["content-encoding"], undefined, v);
      assert.deepEqual(r.body, PAGE_BYTES, v);
    }
    assert.equal(one(GET("/", "Accept-Encoding: gzip;q=0.5\r\n")).r.headers["content-encoding"], "gzip");
    // 304 for the gzip representation's tag too
    assert.equal(one(GET("/", `Accept-Encoding: gzip\r\nIf-None-Match: ${gz.headers["etag"]}\r\n`)).r.status, 304);
  });

  it("404 for unknown paths (keep-alive), prefix routes, percent-decoded paths", () => {
    const { r, tcp } = one(GET("/nope"));
    assert.equal(r.status, 404);
    assert.equal(r.body.toString(), "404 Not Found\n");
    assert.equal(tcp.closed[0], false);
    assert.equal(one(GET("/static/a/b.txt")).r.body.toString(), "prefix asset");
    assert.equal(one(GET("/%62ig.bin")).r.status, 200);
    assert.equal(one(GET("/big.bin/")).r.status, 404);
    const e = JSON.parse(one(GET("/api/echo?x=1&q=a%20b+c%C3%A9")).r.body.toString());
    assert.deepEqual(e, { m: "GET", path: "/api/echo", q: "a b c\u00e9", name: "", ct: 0, len: 0 });
  });

  it("405 with Allow; OPTIONS 204 with Allow", () => {
    const { r, tcp } = one(`DELETE / HTTP/1.1\r\nHost: d\r\n\r\n`);
    assert.equal(r.status, 405);
    assert.equal(r.headers["allow"], "GET, HEAD, OPTIONS");
    assert.equal(tcp.closed[0], false);
    assert.equal(one(`PUT /api/echo HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n`).r.headers["allow"], "GET, HEAD, POST, OPTIONS");
    const o = one(`OPTIONS /api/echo HTTP/1.1\r\nHost: d\r\n\r\n`).r;
    assert.equal(o.status, 204);
    assert.equal(o.headers["allow"], "GET, HEAD, POST, OPTIONS");
    assert.equal(one(`OPTIONS * HTTP/1.1\r\nHost: d\r\n\r\n`).r.status, 204);
  });

  const errors: [string, string, number][] = [
    ["garbage", "hello\r\n\r\n", 400],
    ["no version", "GET /\r\nHost: d\r\n\r\n", 400],
    ["bad version format", "GET / HTTP/1\r\nHost: d\r\n\r\n", 400],
    ["lower-case version", "GET / http/1.1\r\nHost: d\r\n\r\n", 400],
    ["two spaces", "GET  / HTTP/1.1\r\nHost: d\r\n\r\n", 400],
    ["bad percent", "GET /%zz HTTP/1.1\r\nHost: d\r\n\r\n", 400],
    ["target not a path", "GET abc HTTP/1.1\r\nHost: d\r\n\r\n", 400],
    ["header without colon", "GET / HTTP/1.1\r\nHost: d\r\nBroken\r\n\r\n", 400],
    ["space before colon", "GET / HTTP/1.1\r\nHost : d\r\n\r\n", 400],
    ["obs-fold", "GET / HTTP/1.1\r\nHost: d\r\nX: a\r\n b\r\n\r\n", 400],
    ["no Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400],
    ["two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
    ["bad Content-Length", "POST /api/echo HTTP/1.1\r\nHost: d\r\nContent-Length: 1x\r\n\r\n", 400],
    ["conflicting Content-Length", "POST /api/echo HTTP/1.1\r\nHost: d\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400],
    ["body too large", `POST /api/echo HTTP/1.1\r\nHost: d\r\nContent-Length: ${L.BODY_MAX + 1}\r\n\r\n`, 413],
    ["huge Content-Length", "POST /api/echo HTTP/1.1\r\nHost: d\r\nContent-Length: 99999999999999\r\n\r\n", 413],
    ["URI too long", `GET /${"a".repeat(L.REQUEST_LINE_MAX)} HTTP/1.1\r\nHost: d\r\n\r\n`, 414],
    ["URI too long, no line end yet", `GET /${"a".repeat(L.REQUEST_LINE_MAX + 10)}`, 414],
    ["headers too large", `GET / HTTP/1.1\r\nHost: d\r\n${"X-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(20)}\r\n`, 431],
    ["unknown method", "BREW / HTTP/1.1\r\nHost: d\r\n\r\n", 501],
    ["chunked body", "POST /api/echo HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501],
    ["HTTP/2.0", "GET / HTTP/2.0\r\nHost: d\r\n\r\n", 505],
    ["HTTP/0.9", "GET / HTTP/0.9\r\nHost: d\r\n\r\n", 505],
  ];
  for (const [name, req, status] of errors) {
    it(`${status} for ${name}, well-formed, connection closed`, () => {
      const { r, tcp } = one(req);
      assert.equal(r.status, status);
      assert.equal(r.headers["connection"], "close");
      assert.equal(r.headers["content-type"], "text/plain; charset=utf-8");
      assert.equal(r.body.toString(), `${status} ${r.raw.split("\r\n")[0].slice(13)}\n`);
      assert.equal(tcp.closed[0], true);
    });
  }

  it("published limits: the largest legal request line and headers are accepted", () => {
    const path = "/static/" + "a".repeat(L.REQUEST_LINE_MAX - "GET  HTTP/1.1".length - 8);
    const line = `GET ${path} HTTP/1.1`;
    assert.equal(line.length, L.REQUEST_LINE_MAX);
    assert.equal(one(`${line}\r\nHost: d\r\n\r\n`).r.status, 200);
    const hdrs = "Host: d\r\n" + "X: " + "b".repeat(L.HEADERS_MAX - 9 - 5) + "\r\n";
    assert.equal(hdrs.length, L.HEADERS_MAX);
    assert.equal(one(`GET / HTTP/1.1\r\n${hdrs}\r\n`).r.status, 200);
    assert.equal(one(`GET / HTTP/1.1\r\n${hdrs}X: c\r\n\r\n`).r.status, 431);
    const body = "n=" + "c".repeat(L.BODY_MAX - 2);
    const r = one(`POST /api/echo HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`).r;
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body.toString()).len, L.BODY_MAX);
  });

  it("Expect: 100-continue gets an interim 100 before the body; other expectations 417", () => {
    const { tcp } = setup();
    tcp.open(0);
    tcp.send(0, "POST /api/echo HTTP/1.1\r\nHost: d\r\nExpect: 100-Continue\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n\r\n");
    assert.equal(tcp.take(0), "HTTP/1.1 100 Continue\r\n\r\n");
    tcp.send(0, "name=x");
    const r = parseResponses(tcp.take(0))[0];
    assert.equal(JSON.parse(r.body.toString()).name, "x");
    // body already there: no interim response
    tcp.send(0, "POST /api/echo HTTP/1.1\r\nHost: d\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab");
    assert.match(tcp.take(0), /^HTTP\/1\.1 200 OK\r\n/);
    const x = one("POST /api/echo HTTP/1.1\r\nHost: d\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\nab").r;
    assert.equal(x.status, 417);
    assert.equal(x.headers["connection"], "close");
  });

  it("503 while busy, and beyond maxConnections", () => {
    const { tcp, srv } = setup({ maxConnections: 2 });
    srv.busy = true;
    tcp.open(0);
    tcp.send(0, GET("/"));
    assert.equal(parseResponses(tcp.text(0))[0].status, 503);
    assert.equal(parseResponses(tcp.text(0))[0].headers["retry-after"], "1");
    assert.equal(tcp.closed[0], true);
    tcp.finish(0, 0);
    srv.busy = false;
    tcp.open(0); tcp.open(1); tcp.open(2);
    tcp.send(2, GET("/"));
    const r = parseResponses(tcp.text(2))[0];
    assert.equal(r.status, 503);
    assert.equal(r.headers["connection"], "close");
    assert.equal(tcp.closed[2], true);
    tcp.send(0, GET("/"));
    assert.equal(parseResponses(tcp.text(0))[0].status, 200);
    tcp.finish(2, 0);
    tcp.finish(1, 0);
    tcp.open(1);
    tcp.send(1, GET("/"));
    assert.equal(parseResponses(tcp.text(1))[0].status, 200);
  });

  it("503 when no input buffer is free for a split request", () => {
    const { tcp } = setup({ inBuffers: 1 });
    tcp.open(0); tcp.open(1);
    tcp.send(0, "GET / HT");
    tcp.send(1, "GET / HT");
    assert.equal(tcp.text(0), "");
    assert.equal(parseResponses(tcp.text(1))[0].status, 503);
    tcp.send(0, "TP/1.1\r\nHost: d\r\n\r\n");
    assert.equal(parseResponses(tcp.text(0))[0].status, 200);
  });

  it("408 for a silent new connection and for slow headers; idle keep-alive closed without 408", () => {
    const { tcp, srv } = setup();
    tcp.open(0);
    srv.tick(L.FIRST_REQUEST_TIMEOUT_MS - 100);
    assert.equal(tcp.text(0), "");
    srv.tick(L.FIRST_REQUEST_TIMEOUT_MS);
    assert.equal(parseResponses(tcp.text(0))[0].status, 408);
    assert.equal(tcp.closed[0], true);

    tcp.open(1);
    tcp.send(1, "GET / HTTP/1.1\r\n");
    let t = L.FIRST_REQUEST_TIMEOUT_MS;
    for (let i = 0; i < 10; i++) { t += 400; srv.tick(t); tcp.send(1, "X: y\r\n"); }
    assert.equal(tcp.text(1), "");
    t = L.FIRST_REQUEST_TIMEOUT_MS + L.HEADER_TIMEOUT_MS;
    srv.tick(t);
    const r = parseResponses(tcp.text(1))[0];
    assert.equal(r.status, 408);
    assert.equal(tcp.closed[1], true);

    tcp.open(2);
    tcp.send(2, GET("/"));
    assert.equal(parseResponses(tcp.take(2))[0].status, 200);
    srv.tick(t + L.KEEPALIVE_IDLE_MS - 100);
    assert.equal(tcp.closed[2], false);
    srv.tick(t + L.KEEPALIVE_IDLE_MS);
    assert.equal(tcp.text(2), "");
    assert.equal(tcp.closed[2], true);
  });

  it("a connection opened after an idle spell with no tick is timed from its opening (TCP's now), not from the last tick", () => {
    const { tcp, srv } = setup();
    const fake = tcp as FakeTcp & { now?: number };
    srv.tick(1000);                      // the last tick before the device went idle (no connection: no tick)
    fake.now = 61000;                    // a minute later a connection opens, its request split in two
    tcp.open(0);
    tcp.send(0, "GET / HTTP/1.1\r\n");
    srv.tick(61500);                     // the first tick after it: half a second, not a minute
    assert.equal(tcp.text(0), "", "no 408 to a request that came at once");
    tcp.send(0, "Host: d\r\n\r\n");
    assert.equal(parseResponses(tcp.text(0))[0].status, 200);
    // (before: the opening time was the tick of a minute ago, and the first tick answered 408)
  });

  it("a request split at every byte gives the same response", () => {
    const req = "POST /api/echo?q=1 HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\":[1]}";
    const want = one(req).tcp.text(0);
    assert.equal(parseResponses(want)[0].status, 200);
    for (let i = 1; i < req.length; i++) {
      const { tcp } = setup();
      tcp.open(0);
      tcp.send(0, req.slice(0, i));
      tcp.send(0, req.slice(i));
      assert.equal(tcp.text(0), want, "split at " + i);
    }
    const { tcp, srv } = setup();
    tcp.open(0);
    for (const ch of req) tcp.send(0, ch);
    assert.equal(tcp.text(0), want);
    assert.ok(srv.counters.split > 0);
  });

  it("pipelined requests in one segment, answered in order, also under back-pressure", () => {
    const reqs = GET("/") + `HEAD /big.bin HTTP/1.1\r\nHost: d\r\n\r\n` + GET("/big.bin") + GET("/api/echo?q=z") + GET("/nope");
    const check = (text: string) => {
      const rs = parseResponses(text, [false, true]);
      assert.deepEqual(rs.map((r) => r.status), [200, 200, 200, 200, 404]);
      assert.deepEqual(rs[2].body, Buffer.from(big(5000)));
      assert.equal(JSON.parse(rs[3].body.toString()).q, "z");
    };
    let s = setup();
    s.tcp.open(0);
    s.tcp.send(0, reqs);
    check(s.tcp.text(0));
    // 300 bytes of window at a time
    s = setup();
    s.tcp.open(0, 300);
    s.tcp.send(0, reqs);
    for (let i = 0; i < 100 && s.tcp.text(0).length < 5800; i++) s.tcp.ack(0, 300);
    check(s.tcp.text(0));
    // more requests arriving while a response is stuck
    s = setup();
    s.tcp.open(0, 100);
    s.tcp.send(0, GET("/big.bin"));
    s.tcp.send(0, GET("/"));
    s.tcp.send(0, GET("/nope"));
    for (let i = 0; i < 200 && !s.tcp.text(0).includes("404 Not Found\n"); i++) s.tcp.ack(0, 100);
    const rs = parseResponses(s.tcp.text(0));
    assert.deepEqual(rs.map((r) => r.status), [200, 200, 404]);
  });

  it("keep-alive reuse; Connection: close honoured; HTTP/1.0 closes unless keep-alive is asked", () => {
    let s = setup();
    s.tcp.open(0);
    for (let i = 0; i < 5; i++) { s.tcp.send(0, GET("/")); assert.equal(parseResponses(s.tcp.take(0))[0].status, 200); }
    assert.equal(s.tcp.closed[0], false);
    s.tcp.send(0, GET("/", "Connection: close\r\n"));
    const r = parseResponses(s.tcp.take(0))[0];
    assert.equal(r.headers["connection"], "close");
    assert.equal(s.tcp.closed[0], true);

    const r10 = one("GET / HTTP/1.0\r\n\r\n");
    assert.equal(r10.r.status, 200);
    assert.equal(r10.r.headers["connection"], "close");
    assert.equal(r10.tcp.closed[0], true);
    const k10 = one("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    assert.equal(k10.r.headers["connection"], "keep-alive");
    assert.equal(k10.tcp.closed[0], false);
    s = setup();
    s.tcp.open(0);
    s.tcp.send(0, GET("/"));
    s.tcp.peerClose(0);
    assert.equal(s.tcp.closed[0], true);
  });

  it("a peer that half-closes after pipelining gets every answer, then FIN", () => {
    const { tcp } = setup();
    tcp.open(0, 200);
    tcp.send(0, GET("/big.bin") + GET("/") + GET("/nope"));
    tcp.peerClose(0);
    assert.equal(tcp.closed[0], false);
    for (let i = 0; i < 100 && !tcp.closed[0]; i++) tcp.ack(0, 200);
    assert.deepEqual(parseResponses(tcp.text(0)).map((r) => r.status), [200, 200, 404]);
    assert.equal(tcp.closed[0], true);
  });

  it("a rejected (over capacity) connection that stays silent is closed after the first-request time-out", () => {
    const { tcp, srv } = setup({ maxConnections: 1 });
    tcp.open(0); tcp.open(1);
    srv.tick(L.FIRST_REQUEST_TIMEOUT_MS - 1);
    assert.equal(tcp.closed[1], false);
    srv.tick(L.FIRST_REQUEST_TIMEOUT_MS);
    assert.equal(tcp.closed[1], true);
    assert.equal(parseResponses(tcp.text(0))[0].status, 408);
  });

  it("streams a body larger than the send window, byte-exact, in window-sized pieces", () => {
    const { tcp } = setup();
    tcp.open(0, 536);
    tcp.send(0, GET("/big.bin"));
    let rounds = 0;
    while (tcp.text(0).length < 5000 && rounds++ < 100) tcp.ack(0, 536);
    const r = parseResponses(tcp.text(0))[0];
    assert.deepEqual(r.body, Buffer.from(big(5000)));
    assert.ok(rounds >= 9);
    const st = setup();
    st.tcp.open(1, 700);
    st.tcp.send(1, GET("/api/stream"));
    for (let i = 0; i < 100 && st.tcp.text(1).length < 3000; i++) st.tcp.ack(1, 700);
    assert.deepEqual(parseResponses(st.tcp.text(1))[0].body, Buffer.from(big(3000)));
  });

  it("a client that vanishes mid-response frees the slot and its buffers", () => {
    const { tcp, srv } = setup({ inBuffers: 1, outBuffers: 1 });
    const ph = new Uint16Array(5);
    tcp.open(0, 100);
    tcp.send(0, GET("/big.bin") + GET("/"));  // pipelined: takes the input buffer
    srv.phaseCounts(ph);
    assert.equal(ph[2], 1);
    tcp.finish(0, 1);
    srv.phaseCounts(ph);
    assert.deepEqual(Array.from(ph), [4, 0, 0, 0, 0]);
    assert.equal(srv.counters.active, 0);
    tcp.open(0);
    tcp.send(0, "GET / HTTP/1.1\r\n");          // needs the (freed) input buffer
    tcp.send(0, "Host: d\r\n\r\n");
    assert.equal(parseResponses(tcp.text(0))[0].status, 200);
    tcp.send(0, GET("/api/echo"));             // needs the (freed) output buffer
    assert.equal(parseResponses(tcp.text(0))[1].status, 200);
  });

  it("a response stuck at zero window is aborted after the stall time-out", () => {
    const { tcp, srv } = setup();
    tcp.open(0, 10);
    tcp.send(0, GET("/big.bin"));
    srv.tick(L.SEND_STALL_MS - 1);
    assert.equal(tcp.aborted[0], false);
    srv.tick(L.SEND_STALL_MS);
    assert.equal(tcp.aborted[0], true);
    assert.equal(srv.counters.active, 0);
  });

  it("POST urlencoded form and JSON bodies reach the handler", () => {
    const form = "name=Caf%C3%A9+bar&x=1";
    let r = one(`POST /api/echo HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-www-form-urlencoded; charset=UTF-8\r\nContent-Length: ${form.length}\r\n\r\n${form}`).r;
    let j = JSON.parse(r.body.toString());
    assert.equal(j.name, "Caf\u00e9 bar");
    assert.equal(j.ct, 1);
    assert.equal(r.headers["content-type"], "application/json");
    const json = '{"on":true,"n":"\u00e9"}';
    const jb = Buffer.from(json, "utf8");
    const head = `POST /api/echo HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${jb.length}\r\n\r\n`;
    const { tcp } = setup();
    tcp.open(0);
    tcp.send(0, Buffer.concat([Buffer.from(head), jb]));
    r = parseResponses(tcp.text(0))[0];
    j = JSON.parse(r.body.toString());
    assert.equal(j.ct, 2);
    assert.deepEqual(JSON.parse(j.json), { on: true, n: "\u00e9" });
  });

  it("handler errors give 500; string bodies are UTF-8; extra headers", () => {
    assert.equal(one(GET("/api/throw")).r.status, 500);
    assert.equal(one(GET("/api/silent")).r.status, 500);
    const r = one(GET("/api/text")).r;
    assert.equal(r.headers["x-test"], "1");
    assert.equal(r.body.toString("utf8"), "caf\u00e9");
    assert.equal(r.headers["content-length"], "5");
  });

  it("counts responses by class", () => {
    const { tcp, srv } = setup();
    tcp.open(0);
    tcp.send(0, GET("/") + GET("/nope") + GET("/"));
    assert.equal(srv.counters.requests, 3);
    assert.equal(srv.counters.status2xx, 2);
    assert.equal(srv.counters.status4xx, 1);
    assert.equal(M_GET, 1);
  });
});
