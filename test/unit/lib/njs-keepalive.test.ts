// TCP keep-alive from Espruino's net.connect() options through the NetworkJS driver
// (firmware/lib/networkjs.ts -> firmware/tcp/keepalive.ts), on the emulated device with the
// model of Espruino's socket polling: off unless asked, the options read, a peer that answers
// keeps the idle connection, a peer gone ends it with 'error' -3 (time-out) and the slot back.
import { strict as assert } from "assert";
import { NjsRig } from "./njs-rig";
import { F8, F32 } from "../../../firmware/tcp/slots";
import { tcpKeepAlive } from "../../../firmware/tcp/keepalive";

function ka(r: NjsRig, c: number): number[] {
  const S = r.rig.dev.tcp.slots;
  return [S.u32[c * F32.STRIDE + F32.KA_IDLE], S.u32[c * F32.STRIDE + F32.KA_INTVL], S.u8[c * F8.STRIDE + F8.KA_CNT]];
}

/** The device's TCP slot of the only client connection. */
function slotOf(r: NjsRig): number {
  for (let c = 0; c < r.rig.dev.tcp.slots.st.length; c++) if (r.rig.dev.tcp.state(c) !== 0 && r.rig.dev.tcp.remotePort(c) !== 0) return c;
  return -1;
}

describe("NetworkJS: TCP keep-alive on client connections (net.connect options)", function () {
  this.timeout(120000);

  it("create()'s options: none -> off; keepAlive true -> 2 h / 75 s / 9; Node's keepAliveInitialDelay; ms, interval and count", () => {
    const cases: [any, number[]][] = [
      [undefined, [0, 0, 0]],
      [{ keepAlive: false }, [0, 0, 0]],
      [{ keepAlive: true }, [7200000, 75000, 9]],
      [{ keepAlive: true, keepAliveInitialDelay: 60000 }, [60000, 75000, 9]],
      [{ keepAlive: 30000, keepAliveInterval: 5000, keepAliveCount: 4 }, [30000, 5000, 4]],
    ];
    for (const [o, want] of cases) {
      const r = new NjsRig({ keepAlive: tcpKeepAlive });
      r.peerListen(7010, {});
      const s = r.driver.create("192.0.2.1", 7010, 0, o);
      assert.ok(s >= 0);
      const c = slotOf(r);
      assert.ok(c >= 0);
      assert.deepEqual(ka(r, c), want, JSON.stringify(o));
      r.driver.close(s);
      r.run(50);
    }
    // a driver not given tcpKeepAlive (bundled alone) ignores the options
    const r = new NjsRig();
    r.peerListen(7010, {});
    assert.ok(r.driver.create("192.0.2.1", 7010, 0, { keepAlive: true }) >= 0);
    assert.deepEqual(ka(r, slotOf(r)), [0, 0, 0]);
  });

  it("an idle connection to a peer that answers stays; the wire cut: 'error' -3 after the probes, everything comes back", () => {
    const r = new NjsRig({ keepAlive: tcpKeepAlive });
    r.peerListen(7011, {});
    const ev: string[] = [];
    const s = r.netMod.connect({ host: "192.0.2.1", port: 7011, keepAlive: 2000, keepAliveInterval: 1000, keepAliveCount: 3 }, () => ev.push("connect"));
    s.on("error", (e: any) => ev.push("error " + e.code));
    s.on("close", (h: boolean) => ev.push("close " + h));
    assert.ok(r.until(() => ev.length > 0));
    r.run(7000);
    const tcp = r.rig.dev.tcp;
    assert.deepEqual(ev, ["connect"], "alive: the peer answers every probe");
    assert.ok(tcp.counters.keepAliveProbes >= 2, "probes every 2 s of idle time: " + tcp.counters.keepAliveProbes);
    assert.equal(tcp.counters.keepAliveAborts, 0);
    const before = tcp.counters.keepAliveProbes;
    r.rig.cut = true;
    // within 2 s idle + 3 probes 1 s apart
    assert.ok(r.until(() => ev.length > 1, 8000), ev.join());
    assert.deepEqual(ev, ["connect", "error -3", "close true"]);
    assert.equal(tcp.counters.keepAliveProbes - before, 3);
    assert.equal(tcp.counters.keepAliveAborts, 1);
    assert.equal(r.inUse(), 0);
    assert.equal(r.tcpBusy(), 0);
  });
});
