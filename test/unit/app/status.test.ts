// GET /api/status over the wire: the traffic numbers and the non-zero drop counters it names
// come from the live counters (the driver's state words, the stack's and TCP's counts, no
// snapshot per request), named as the snapshots name them.
import { strict as assert } from "assert";
import { Rig, DEV_IP } from "../http/rig";

const DEV_MAC = [2, 0x45, 0x4e, 0x43, 0, 2];

function status(r: Rig): any {
  const k = r.connect(80);
  r.write(k, "GET /api/status HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n");
  assert.ok(r.until(() => k.peerClosed || k.ended >= 0, 5000), "answered");
  const t = k.text();
  assert.match(t, /^HTTP\/1\.1 200 /);
  return JSON.parse(t.slice(t.indexOf("\r\n\r\n") + 4));
}

describe("app: GET /api/status", () => {
  it("gives the driver's frame counts and names every non-zero drop of the driver, the stack and TCP", () => {
    const r = new Rig();
    r.run(200);
    assert.deepEqual(status(r).drops, {}, "no drop yet");
    // an unknown EtherType to our MAC, an IPv4 header of version 5, a SYN to a port nobody listens on
    const f = new Uint8Array(60); f.set(DEV_MAC, 0); f.set([2, 0, 0, 0, 0, 9], 6); f[12] = 0x88; f[13] = 0xb5;
    const g = new Uint8Array(60); g.set(DEV_MAC, 0); g.set([2, 0, 0, 0, 0, 9], 6); g[12] = 8; g[14] = 0x55;
    r.emu.deliver(f); r.emu.deliver(g);
    r.run(10);
    r.ptcp.connect(DEV_IP, 81, { open() {}, data() {}, drained() {}, peerClosed() {}, end() {} });
    r.run(100);
    const s = status(r), sc = r.dev.stack.counters, tc = r.dev.tcp.counters, dc = r.dev.driver.counters;
    assert.deepEqual(s.drops, { "eth.dropType": sc.eth.dropType, "ip.dropVersion": sc.ip.dropVersion, "tcp.dropNoListener": tc.dropNoListener });
    assert.deepEqual([s.drops["eth.dropType"], s.drops["ip.dropVersion"]], [1, 1]);
    assert.ok(tc.dropNoListener >= 1);
    // the traffic's frame counts are the driver's (read before the reply itself left)
    assert.ok(s.traffic[0] > 0 && s.traffic[0] <= dc.rxFrames && s.traffic[1] <= dc.txFrames && s.traffic[1] >= dc.txFrames - 3, JSON.stringify([s.traffic, dc]));
  });
});
