// The gateway's view of an HTTP exchange (sim/gateway.ts Exchange): request boundaries, answers
// under way, idle between requests, and the bytes of unanswered requests (sent again when the
// device closes a connection without answering them).

import { strict as assert } from "assert";
import { Exchange } from "../../../sim/gateway";

const B = (s: string): Buffer => Buffer.from(s, "latin1");
const text = (bs: Buffer[] | null): string | null => (bs ? Buffer.concat(bs).toString("latin1") : null);

describe("sim gateway: following an HTTP exchange", () => {
  it("keep-alive GETs split anywhere: idle only between requests; the unanswered request's bytes are kept", () => {
    const x = new Exchange();
    assert.ok(x.idle());
    const req = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    x.fromClient(B(req.slice(0, 7)));
    assert.ok(!x.idle());
    assert.equal(text(x.unanswered()), req.slice(0, 7));
    x.fromClient(B(req.slice(7)));
    assert.equal(text(x.unanswered()), req);
    x.fromDevice(B("HTTP/1.1 200 OK\r\nContent-Len"));
    assert.ok(x.answering());
    assert.equal(x.unanswered(), null, "an answer under way is not sent again");
    x.fromDevice(B("gth: 5\r\n\r\nhel"));
    assert.ok(!x.idle());
    x.fromDevice(B("lo"));
    assert.ok(x.idle());
    assert.ok(!x.closeAfter);
    assert.deepEqual(x.unanswered(), []);
  });

  it("pipelined requests with a body, HEAD and 304 answers without a body, HTTP/1.0 closes", () => {
    const x = new Exchange();
    x.fromClient(B("POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcHEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nIf-None-Match: \"e\"\r\n\r\n"));
    x.fromDevice(B("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    assert.equal(text(x.unanswered()), "HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nIf-None-Match: \"e\"\r\n\r\n");
    x.fromDevice(B("HTTP/1.1 200 OK\r\nContent-Length: 6034\r\n\r\n"));      // HEAD: no body follows
    x.fromDevice(B("HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\n\r\n"));
    assert.ok(x.idle());
    x.fromClient(B("GET / HTTP/1.0\r\n\r\n"));
    x.fromDevice(B("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"));
    assert.ok(x.closeAfter, "HTTP/1.0 without keep-alive ends the connection");
    const k = new Exchange();
    k.fromClient(B("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
    k.fromDevice(B("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nx"));
    assert.ok(k.idle() && !k.closeAfter);
    k.fromClient(B("GET / HTTP/1.1\r\n\r\n"));
    k.fromDevice(B("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    assert.ok(k.closeAfter);
  });

  it("what it cannot follow (a chunked upload) makes it a plain relay: never idle, nothing resent", () => {
    const x = new Exchange();
    x.fromClient(B("POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
    assert.ok(x.untracked);
    assert.ok(!x.idle());
    assert.equal(x.unanswered(), null);
  });
});

describe("sim: the gateway sized to the program's TCP slots", () => {
  it("a board's own bundle has that board's slots; the sim bundle and apps the sim's", () => {
    const { deviceSlotsOf, SIM_DEFAULT_SLOTS } = require("../../../sim/run") as typeof import("../../../sim/run");
    assert.equal(deviceSlotsOf({ bundle: "dist/pico.js", espruino: "/x/espruino" }), 4);
    assert.equal(deviceSlotsOf({ bundle: "dist/espruino-wifi.js", espruino: "/x/espruino" }), 8);
    assert.equal(deviceSlotsOf({ bundle: "dist/sim.js", espruino: "/x/espruino" }), SIM_DEFAULT_SLOTS);
    assert.equal(deviceSlotsOf({ bundle: "dist/pico.js" }), 4);
    assert.equal(deviceSlotsOf({ bundle: "dist/pico.js", espruino: "/x/espruino", app: "my.js" }), SIM_DEFAULT_SLOTS);
    assert.equal(deviceSlotsOf({ bundle: "/tmp/other.js", espruino: "/x/espruino" }), SIM_DEFAULT_SLOTS);
  });
});
