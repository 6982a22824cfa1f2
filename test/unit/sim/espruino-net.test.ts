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
});
