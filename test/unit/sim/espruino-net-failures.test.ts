// The failure paths of Espruino's http/net over the NetworkJS driver on the emulated device:
// refused, reset by the peer, time-out, busy sends, a socket the app never closes, a name that
// is not found, more connections than sockets. Every socket and TCP slot comes back.
import { strict as assert } from "assert";
import { NjsRig, DEV_IP, PEER_IP } from "../lib/njs-rig";
import { njsCounters } from "../../../firmware/lib/networkjs";

/** Events of a socket or response as "name" / "error <code> <message>" / "close <hadError>". */
function track(o: any, out: string[]): void {
  o.on("error", (e: any) => out.push("error " + e.code + " " + e.message));
  o.on("end", () => out.push("end"));
  o.on("close", (h: boolean) => out.push("close " + h));
}

describe("Espruino's http/net over NetworkJS: failures (vm model, emulated device)", function () {
  this.timeout(120000);

  it("refused: net.connect gives 'error' -9, 'end', 'close' true; http.get gives the request 'error' -9 (no response: Espruino's 'end'/'close' go to it); nothing leaks", () => {
    const r = new NjsRig();
    const ev: string[] = [];
    const s = r.netMod.connect({ host: "192.0.2.1", port: 9 }, () => ev.push("connect"));
    track(s, ev);
    assert.ok(r.until(() => ev.indexOf("close true") >= 0, 5000), ev.join());
    assert.deepEqual(ev, ["error -9 connection reset", "end", "close true"]);
    const ev2: string[] = [];
    const req = r.http.get("http://192.0.2.1:9/", () => ev2.push("response"));
    track(req, ev2);
    r.run(200);
    assert.deepEqual(ev2, ["error -9 connection reset"]);
    r.run(20);
    assert.equal(r.inUse(), 0);
    assert.equal(r.tcpBusy(), 0);
  });

  it("reset by the peer in the middle of a response: 'error' -9, 'close' true", () => {
    const r = new NjsRig();
    r.peerListen(8081, {
      data(c) {
        r.peerSend(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial");
        r.hooks.push(() => { if (r.rig.ptcp.state(c) !== 0) r.rig.ptcp.abort(c); });
      },
    });
    const ev: string[] = [];
    let got = "";
    const req = r.http.get("http://192.0.2.1:8081/", (res: any) => {
      ev.push("response " + res.statusCode);
      res.on("data", (d: string) => { got += d; });
      track(res, ev);
    });
    req.on("error", (e: any) => ev.push("req error " + e.code));
    assert.ok(r.until(() => ev.some((e) => e.startsWith("close")), 5000), ev.join());
    assert.equal(ev[0], "response 200");
    assert.ok(ev.indexOf("req error -9") >= 0, ev.join());
    assert.ok(ev.indexOf("close true") >= 0, ev.join());
    r.run(20);
    assert.equal(r.inUse(), 0);
    assert.equal(r.tcpBusy(), 0);
  });

  it("time-out: the wire is cut under a connection with data in flight: 'error' -3 timeout, the slot comes back", () => {
    const r = new NjsRig();
    r.peerListen(7008, {});
    const ev: string[] = [];
    const s = r.netMod.connect({ host: "192.0.2.1", port: 7008 }, () => { ev.push("connect"); r.rig.cut = true; s.write("lost"); });
    track(s, ev);
    assert.ok(r.until(() => ev.some((e) => e.startsWith("close")), 200000), ev.join());
    assert.deepEqual(ev, ["connect", "error -3 timeout", "end", "close true"]);
    assert.equal(r.inUse(), 0);
    assert.equal(r.tcpBusy(), 0);
  });

  it("busy: a 20 KB answer goes out in 536-byte sends, retried while TCP's queue is full; all of it arrives", () => {
    const r = new NjsRig({ peerWindow: 1024 });   // a slow reader: TCP's queue fills
    const big = Array.from({ length: 20000 }, (_, i) => String.fromCharCode(32 + (i % 90))).join("");
    let drains = 0;
    r.http.createServer((req: any, res: any) => {
      res.on("drain", () => drains++);
      res.writeHead(200, { "Content-Length": big.length });
      res.end(big);
    }).listen(8080);
    r.run(5);
    const k = r.rig.connect(8080, DEV_IP);
    r.rig.write(k, "GET / HTTP/1.1\r\n\r\n");
    assert.ok(r.until(() => k.ended >= 0 || k.peerClosed, 20000));
    const text = k.text();
    assert.equal(text.substring(text.indexOf("\r\n\r\n") + 4), big);
    assert.ok(njsCounters(r.driver).sendBusy > 0, "send() said busy at least once");
    assert.ok(r.net.ss.calls.send >= Math.ceil(20000 / 536));
    assert.equal(drains, 0, "no 'drain' once the response is ended (Espruino: close wanted)");
    r.run(50);
    assert.equal(r.inUse(), 1);
  });

  it("an HTTP handler that never ends its response: the peer's close is followed by a reset after closeWaitMs, counted; the server goes on", () => {
    const r = new NjsRig({ closeWaitMs: 1000 });
    let n = 0;
    r.http.createServer((req: any, res: any) => {
      n++;
      if (req.url === "/ok") res.end("fine");
    }).listen(8080);
    r.run(5);
    const k = r.rig.connect(8080, DEV_IP);
    r.rig.write(k, "GET /hang HTTP/1.1\r\n\r\n");
    r.run(100);
    r.rig.ptcp.close(k.c);        // the browser gives up
    assert.ok(r.until(() => k.ended >= 0, 5000), "the device ends the connection");
    assert.equal(njsCounters(r.driver).reclaimed, 1);
    assert.equal(r.tcpBusy(), 0, "the TCP slot is free");
    const b = r.rig.connect(8080, DEV_IP);
    r.rig.write(b, "GET /ok HTTP/1.1\r\n\r\n");
    assert.ok(r.until(() => b.peerClosed, 5000));
    assert.match(b.text(), /\r\n\r\nfine$/);
    assert.equal(n, 2);
  });

  it("a host name: resolved through resolve(), or 'error' -6 not found", () => {
    const pending: (() => void)[] = [];
    const r = new NjsRig({
      resolve: (name, cb) => { pending.push(() => (name === "peer.test" ? cb(PEER_IP, 0) : cb(0, -6))); },
    });
    r.hooks.push(() => { const p = pending.shift(); if (p) p(); });
    r.peerListen(8081, { data(c) { r.peerSend(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true); } });
    let got = "";
    const ev: string[] = [];
    r.http.get("http://peer.test:8081/", (res: any) => { res.on("data", (d: string) => { got += d; }); track(res, ev); });
    assert.ok(r.until(() => ev.some((e) => e.startsWith("close")), 5000), ev.join());
    assert.equal(got, "ok");
    const ev2: string[] = [];
    const req = r.http.get("http://nowhere.test/", () => ev2.push("response"));
    track(req, ev2);
    r.run(200);
    assert.deepEqual(ev2, ["error -6 not found"]);
    assert.equal(njsCounters(r.driver).resolveFail, 1);
    r.run(20);
    assert.equal(r.inUse(), 0);
  });

  it("more connections than sockets: the extra one is reset (counted), the others are served", () => {
    const r = new NjsRig({ sockets: 3 });
    r.http.createServer((req: any, res: any) => { res.end("x"); }).listen(8080);
    r.run(5);
    const ks = [0, 1, 2].map(() => r.rig.connect(8080, DEV_IP));
    for (const k of ks) r.rig.ptcp.write(k.c, Buffer.from("GET / HTTP/1.1\r\n\r\n"), 0, 18);
    r.until(() => ks.every((k) => k.ended >= 0 || k.peerClosed), 10000);
    const served = ks.filter((k) => /\r\n\r\nx$/.test(k.text())).length;
    assert.equal(served, 2);
    assert.equal(njsCounters(r.driver).acceptNoSocket, 1);
    assert.equal(ks.filter((k) => k.ended === 1 && k.text() === "").length, 1, "one reset without an answer");
    r.run(100);
    assert.equal(r.inUse(), 1);
  });

  it("a net socket the app never ends: the peer's close ends it ('end', 'close' false), its socket and slot come back", () => {
    const r = new NjsRig();
    const ev: string[] = [];
    r.netMod.createServer((sock: any) => { sock.on("data", () => undefined); track(sock, ev); }).listen(7007);
    r.run(5);
    const k = r.rig.connect(7007, DEV_IP);
    r.rig.write(k, "hello");
    r.run(50);
    assert.equal(r.inUse(), 2);
    r.rig.ptcp.close(k.c);
    assert.ok(r.until(() => ev.indexOf("close false") >= 0, 5000), ev.join());
    assert.deepEqual(ev, ["end", "close false"]);
    r.run(100);
    assert.equal(r.inUse(), 1);
    assert.equal(njsCounters(r.driver).reclaimed, 0, "Espruino closed it itself");
  });
});
