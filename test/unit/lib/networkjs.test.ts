// The NetworkJS driver (firmware/lib/networkjs.ts) called directly, the way Espruino calls it:
// the contract's return values and codes, 536-byte chunks, back-pressure through TCP's window,
// the UDP header, and bad input (clear codes, counted drops, no leaked socket or slot).
import { strict as assert } from "assert";
import { NjsRig, DEV_IP, PEER_IP } from "./njs-rig";
import { njsCounters, createNetworkJs } from "../../../firmware/lib/networkjs";
import { networkJsScript } from "../sim/njs-bundle";
import { tcpWindowUpdate } from "../../../firmware/tcp/tcp";

describe("NetworkJS driver (contract)", function () {
  this.timeout(60000);

  it("create(): bad arguments and TLS give -12, a port taken -5, no socket left -7; listeners accept", () => {
    const r = new NjsRig({ sockets: 3 });
    const d = r.driver;
    assert.equal(d.create(undefined, 80, 1), -5, "port 80 is the demo's HTTP server");
    assert.equal(d.create("192.0.2.1", 443, 4 | 1), -12, "TLS");
    assert.equal(d.create(undefined, 70000, 0), -12);
    assert.equal(d.create("192.0.2.1", 0, 0), -12, "a client needs a port");
    const l = d.create(undefined, 8080, 1);
    assert.ok(l >= 0);
    assert.equal(d.create(undefined, 8080, 0), -5, "already listening");
    assert.equal(d.accept(l), -1, "nobody waits");
    assert.equal(d.accept(99), -1);
    assert.equal(d.recv(l, 536, 1), "", "a listener has nothing to read");
    const a = d.create("192.0.2.1", 9999, 0), b = d.create("192.0.2.1", 9999, 0);
    assert.ok(a >= 0 && b >= 0);
    assert.equal(d.create("192.0.2.1", 9999, 0), -7, "three sockets, all in use");
    assert.equal(njsCounters(d).createFail, 6);
    for (const s of [l, a, b]) d.close(s);
    assert.equal(d.inUse(), 0);
    assert.equal(d.recv(a, 536, 0), -1, "a closed socket");
    assert.equal(d.send(a, "x", 0), -1);
    assert.equal(d.recv(-1, 536, 0), -12);
    d.close(-5);   // ignored
    r.run(20);
  });

  it("a client: -11 and busy sends while connecting, then data in chunks of at most maxLen, then -1 after the peer's close", () => {
    const r = new NjsRig();
    const d = r.driver;
    let server = -1;
    r.peerListen(7008, { open(c) { server = c; } });
    const s = d.create("192.0.2.1", 7008, 0);
    assert.equal(d.recv(s, 536, 0), -11);
    assert.equal(d.send(s, "early", 0), 0);
    r.until(() => server >= 0 && d.recv(s, 536, 0) === "");
    assert.equal(d.send(s, "hello", 0), 5);
    r.peerSend(server, "y".repeat(1000), true);
    r.run(50);
    const parts: number[] = [];
    let x: string | number = "";
    for (let t = 0; t < 5000; t += 5) {
      x = d.recv(s, 536, 0);
      if (typeof x === "number") break;
      if (x.length) parts.push(x.length);
      r.run(5);
    }
    assert.equal(parts[0], 536, "a full chunk first (600 bytes buffered)");
    assert.ok(parts.every((n) => n <= 536));
    assert.equal(parts.reduce((a, b) => a + b, 0), 1000);
    assert.equal(x, -1, "then the peer's close");
    d.close(s);
    r.run(50);
    assert.equal(r.tcpBusy(), 0);
  });

  it("back-pressure: a 64-byte buffer shrinks TCP's window; 5,000 bytes arrive in order as recv() drains it", () => {
    const r = new NjsRig({ rxBuf: 64 });
    const d = r.driver;
    let server = -1;
    r.peerListen(7008, { open(c) { server = c; } });
    const s = d.create("192.0.2.1", 7008, 0);
    r.until(() => server >= 0);
    const text = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(65 + (i % 26))).join("");
    r.peerSend(server, text, true);
    let got = "";
    for (let t = 0; t < 60000 && got.length < text.length; t += 10) {
      r.run(10);
      const x = d.recv(s, 536, 0);
      if (typeof x === "string") { assert.ok(x.length <= 64); got += x; }
    }
    assert.equal(got, text);
    d.close(s);
  });

  it("a drained buffer reopens TCP's window at once (a window update), not at the peer's zero-window probe; never a duplicate ACK", () => {
    const r = new NjsRig();   // 600-byte buffers: the window closes after every 600 bytes
    const d = r.driver;
    const tcp = r.rig.dev.tcp;
    let server = -1;
    r.peerListen(7008, { open(c) { server = c; } });
    const s = d.create("192.0.2.1", 7008, 0);
    r.until(() => server >= 0 && d.recv(s, 536, 0) === "");
    const text = Array.from({ length: 20000 }, (_, i) => String.fromCharCode((i * 7 + (i >> 9)) & 255)).join("");
    r.peerSend(server, text);
    let got = "", ms = 0;
    for (; ms < 60000 && got.length < text.length; ms++) {
      r.run(1);
      const x = d.recv(s, 536, 0);
      if (typeof x === "string") got += x;
    }
    assert.equal(got, text);
    // 34 windows of 600 bytes: with an update per drained buffer a few ms each; waiting for the
    // peer's probes (200 ms and more each) took over 6 s
    assert.ok(ms < 1000, "20,000 bytes through a 600-byte buffer took " + ms + " virtual ms");
    // the window already open as far as the buffer allows: no ACK goes out (no duplicate ACK)
    r.run(20);
    const c = (d as any).conn[s], out = tcp.counters.segOut;
    assert.ok(c >= 0);
    tcpWindowUpdate(tcp, c, 300);
    tcpWindowUpdate(tcp, c);
    tcpWindowUpdate(tcp, -1);
    tcpWindowUpdate(tcp, 99);
    assert.equal(tcp.counters.segOut, out);
    r.rig.ptcp.close(server);
    r.run(50);
    assert.equal(d.recv(s, 536, 0), -1);
    d.close(s);
    r.run(50);
    assert.equal(r.tcpBusy(), 0);
  });

  it("UDP: datagrams carry the 8-byte header both ways; a datagram larger than maxLen comes in parts; a full buffer drops (counted)", () => {
    const r = new NjsRig({ rxBuf: 200 });
    const d = r.driver;
    const got: string[] = [];
    r.rig.peer.udp.bind(6000, (src, sport, rx, off, len) => { got.push(sport + ":" + Buffer.from(rx.subarray(off, off + len)).toString("latin1")); });
    const u = d.create(undefined, 5000, 2);
    assert.ok(u >= 0);
    assert.equal(d.create(undefined, 5000, 2), -5, "bound already");
    const hdr = String.fromCharCode(192, 0, 2, 1, 6000 & 255, 6000 >> 8, 3, 0);
    assert.equal(d.send(u, hdr + "abc" + hdr + "def", 2), 11, "one datagram per call");
    assert.equal(d.send(u, hdr + "ab", 2), -12, "shorter than its header says");
    assert.equal(d.send(u, "abc", 2), -12, "no header");
    r.run(20);
    assert.deepEqual(got, ["5000:abc"]);
    const peerSend = (text: string) => {
      const b = Buffer.from(text, "latin1");
      r.rig.peer.netif.tx.set(b, 42);
      r.rig.peer.udp.send(DEV_IP, 5000, 6001, b.length);
    };
    peerSend("z".repeat(100));
    r.run(20);
    const p1 = d.recv(u, 50, 2) as string, p2 = d.recv(u, 536, 2) as string;
    assert.equal(p1.length, 50);
    assert.deepEqual([...p1.substring(0, 8)].map((c) => c.charCodeAt(0)), [192, 0, 2, 1, 6001 & 255, 6001 >> 8, 100, 0]);
    assert.equal(p2.length, 58, "the rest of that datagram only");
    peerSend("1".repeat(100));
    peerSend("2".repeat(100));  // 2 x 108 > 200: dropped
    r.run(20);
    assert.equal((d.recv(u, 536, 2) as string).length, 108);
    assert.equal(d.recv(u, 536, 2), "");
    assert.equal(njsCounters(d).udpDropFull, 1);
    d.close(u);
    assert.equal(d.inUse(), 0);
  });

  it("a socket closed while its name is looked up: the late answer is ignored, the socket number reused safely", () => {
    let cb: ((ip: number, err: number) => void) | null = null;
    const r = new NjsRig({ resolve: (name, f) => { cb = f; } });
    const d = r.driver;
    const s = d.create("slow.test", 80, 1);
    assert.equal(d.recv(s, 536, 1), -11);
    d.close(s);
    const l = d.create(undefined, 8081, 0);
    assert.equal(l, s, "the same number again");
    cb!(PEER_IP, 0);
    assert.equal(d.recv(l, 536, 0), "", "still a listener");
    assert.equal(r.tcpBusy(), 0, "no connection was opened");
    d.close(l);
  });

  it("a resolver object is called as resolver.resolve(...) with its own `this`", () => {
    const resolver = { names: { "peer.test": PEER_IP } as { [n: string]: number }, resolve(this: any, name: string, cb: (ip: number, err: number) => void) { cb(this.names[name] || 0, this.names[name] ? 0 : -6); } };
    const r = new NjsRig({ resolve: resolver as any });
    const d = r.driver;
    const bad = d.create("other.test", 80, 0);
    assert.equal(d.recv(bad, 536, 0), -6);
    d.close(bad);
    r.peerListen(7008, {});
    const s = d.create("peer.test", 7008, 0);
    assert.ok(r.until(() => d.recv(s, 536, 0) === ""), "connected by name");
    d.close(s);
  });

  it("without a resolver a name is -6 at the first recv(); without UDP a dgram socket is -4", () => {
    const r = new NjsRig({ noUdp: true });
    const d = r.driver;
    const s = d.create("name.test", 80, 1);
    assert.ok(s >= 0);
    assert.equal(d.recv(s, 536, 1), -6);
    assert.equal(d.send(s, "GET", 1), -6);
    d.close(s);
    assert.equal(d.create(undefined, 5000, 2), -4);
  });

  it("every driver allocates its table at creation: N sockets x rxBuf bytes, nothing more per call", () => {
    const r = new NjsRig();
    const d2 = createNetworkJs(r.rig.dev.tcp, null, null, { sockets: 4, rxBuf: 100 }) as any;
    assert.equal(d2.rx.length, 400);
    assert.equal(d2.n, 4);
  });

  it("bundles to ES5 that Espruino's gate accepts (hoisted, no Map/Set/closures called in place), under 8 KB", async () => {
    const code = await networkJsScript();
    assert.ok(code.length < 8192, code.length + " bytes");
    assert.ok(/global\.createNetworkJs=/.test(code.replace(/\s/g, "")));
  });
});
