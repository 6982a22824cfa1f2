// Espruino's own http/net/dgram (the model of its socket polling, sim/espruino-net) over the
// NetworkJS driver (firmware/lib/networkjs.ts) on the simulated device, against the peer's own
// TCP and UDP: both directions, and the failure paths (refused, reset, time-out, busy, a socket
// the app never closes, a name that is not found).
import { strict as assert } from "assert";
import { NjsRig, DEV_IP, PEER_IP } from "../lib/njs-rig";
import { njsCounters } from "../../../firmware/lib/networkjs";

/** A peer client: connect to the device, send text, collect the answer until the device closes. */
function fetch(r: NjsRig, port: number, request: string, maxMs = 5000): { text: string; ended: number } {
  const k = r.rig.connect(port, DEV_IP);
  r.rig.write(k, request);
  r.until(() => k.ended >= 0 || k.peerClosed, maxMs);
  return { text: k.text(), ended: k.ended };
}

describe("Espruino's http/net/dgram over NetworkJS (vm model, emulated device)", function () {
  this.timeout(60000);

  it("http.createServer on the board answers a host client (Connection: close, body, 'end' before the handler's end)", () => {
    const r = new NjsRig();
    const seen: string[] = [];
    r.http.createServer((req: any, res: any) => {
      seen.push(req.method + " " + req.url + " " + req.headers.Host);
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("hi from " + req.url);
    }).listen(8080);
    r.run(5);
    const a = fetch(r, 8080, "GET /x?y=1 HTTP/1.1\r\nHost: dev\r\n\r\n");
    assert.deepEqual(seen, ["GET /x?y=1 dev"]);
    assert.match(a.text, /^HTTP\/1\.1 200 OK\r\nServer: Espruino 2v29\r\n/);
    assert.match(a.text, /Connection: close\r\n/);
    assert.match(a.text, /Content-Type: text\/plain\r\n\r\nhi from \/x\?y=1$/);
    r.run(50);
    assert.equal(r.inUse(), 1, "only the listener is left");
    assert.deepEqual(r.errors, []);
  });

  it("http.get from the board fetches from a host server (status, headers, body in chunks, 'end' then 'close')", () => {
    const r = new NjsRig();
    const body = "x".repeat(3000) + "END";
    let req = "";
    r.peerListen(8081, {
      data(c, b, o, l) {
        req += Buffer.from(b.subarray(o, o + l)).toString("latin1");
        if (req.indexOf("\r\n\r\n") >= 0) {
          r.peerSend(c, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nX-Test: yes\r\n\r\n" + body, true);
        }
      },
    });
    const events: string[] = [];
    let got = "", status = "", hdr = "";
    r.http.get("http://192.0.2.1:8081/data?q=1", (res: any) => {
      status = res.statusCode;
      hdr = res.headers["X-Test"];
      res.on("data", (d: string) => { got += d; events.push("data"); });
      res.on("end", () => events.push("end"));
      res.on("close", () => events.push("close"));
    });
    assert.ok(r.until(() => events.indexOf("close") >= 0, 10000), "closed");
    assert.match(req, /^GET \/data\?q=1 HTTP\/1\.1\r\nUser-Agent: Espruino 2v29\r\nConnection: close\r\nHost: 192\.0\.2\.1:8081\r\n\r\n$/);
    assert.equal(status, "200");
    assert.equal(hdr, "yes");
    assert.equal(got, body);
    assert.ok(events.filter((e) => e === "data").length >= 2, "several chunks");
    assert.deepEqual(events.slice(-2), ["end", "close"]);
    r.run(50);
    assert.equal(r.inUse(), 0);
    assert.deepEqual(r.errors, []);
  });

  it("net: an echo server on the board, and the board's client to a host echo server", () => {
    const r = new NjsRig();
    r.netMod.createServer((sock: any) => {
      sock.on("data", (d: string) => { sock.write(d.toUpperCase()); if (d.indexOf("bye") >= 0) sock.end(); });
    }).listen(7007);
    r.run(5);
    const a = fetch(r, 7007, "hello bye");
    assert.equal(a.text, "HELLO BYE");
    // the host echo server: echoes, then closes when it sees "quit"
    r.peerListen(7008, {
      data(c, b, o, l) {
        const t = Buffer.from(b.subarray(o, o + l)).toString("latin1");
        r.peerSend(c, t, t.indexOf("quit") >= 0);
      },
    });
    const events: string[] = [];
    let echoed = "";
    const s = r.netMod.connect({ host: "192.0.2.1", port: 7008 }, () => { events.push("connect"); s.write("ping "); });
    s.on("data", (d: string) => { echoed += d; if (echoed === "ping ") s.write("quit"); });
    s.on("end", () => events.push("end"));
    s.on("close", (hadError: boolean) => events.push("close " + hadError));
    assert.ok(r.until(() => events.indexOf("close false") >= 0, 10000), events.join());
    assert.equal(echoed, "ping quit");
    assert.deepEqual(events, ["connect", "end", "close false"]);
    r.run(50);
    assert.equal(r.inUse(), 1, "the listener only");
    assert.deepEqual(r.errors, []);
  });

  it("dgram: the board binds, receives a datagram with rinfo, answers to its sender", () => {
    const r = new NjsRig();
    const peerGot: string[] = [];
    const peer = r.rig.peer;
    peer.udp.bind(6000, (src, sport, rx, off, len) => { peerGot.push(src.toString(16) + ":" + sport + ":" + Buffer.from(rx.subarray(off, off + len)).toString("latin1")); });
    const msgs: any[] = [];
    const sock = r.dgram.createSocket("udp4");
    sock.on("message", (msg: string, rinfo: any) => {
      msgs.push([msg, rinfo.address, rinfo.port, rinfo.size]);
      sock.send("re:" + msg, rinfo.port, rinfo.address);
    });
    sock.bind(5000);
    r.run(5);
    const payload = Buffer.from("hello udp");
    peer.netif.tx.set(payload, 42);
    peer.udp.send(DEV_IP, 5000, 6000, payload.length);
    r.until(() => peerGot.length > 0, 3000);
    assert.deepEqual(msgs, [["hello udp", "192.0.2.1", 6000, 9]]);
    assert.deepEqual(peerGot, ["c0000202:5000:re:hello udp"]);
    // an unbound client socket sends from an ephemeral port
    const c2 = r.dgram.createSocket("udp4");
    c2.send("abc", 0, 3, 6000, "192.0.2.1");
    r.until(() => peerGot.length > 1, 3000);
    assert.match(peerGot[1], /^c0000202:(\d+):abc$/);
    assert.ok(+peerGot[1].split(":")[1] >= 49152);
    sock.close();
    c2.close();
    r.run(20);
    assert.equal(r.inUse(), 0);
    assert.deepEqual(r.errors, []);
  });
});
