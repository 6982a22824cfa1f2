// TCP keep-alive from Espruino's net.connect() options through the NetworkJS driver
// (firmware/lib/networkjs.ts -> firmware/tcp/keepalive.ts), on the emulated device with the
// model of Espruino's socket polling: off unless asked, the options read, a peer that answers
// keeps the idle connection, a peer gone ends it with 'error' -3 (time-out) and the slot back;
// the library's "keepalive" piece chosen by an app naming keepAlive and wired to the driver, on
// the simulated board.
import { strict as assert } from "assert";
import { NjsRig } from "./njs-rig";
import { F8, F32 } from "../../../firmware/tcp/slots";
import { tcpKeepAlive } from "../../../firmware/tcp/keepalive";
import { installKeepAlive } from "../../../firmware/lib/eth-keepalive";
import { ETH_START } from "../../../firmware/lib/eth";
import { choosePieces } from "../../../tools/pieces";
import { buildModule } from "../../../tools/image";
import { startSim, Sim } from "../../../sim/run";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

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

  it("the library's keepalive piece: chosen when the app names keepAlive (with networkjs), it hands tcpKeepAlive to the driver", () => {
    const names = (src: string): string[] => choosePieces(src).pieces.map((p) => p.name);
    assert.deepEqual(names("require('net').connect({ host: 'h', port: 1, keepAlive: true }, f);"), ["acd", "lease", "dns", "networkjs", "keepalive"]);
    assert.deepEqual(names("require('net').connect({ host: 'h', port: 1 }, f);"), ["acd", "lease", "dns", "networkjs"]);
    const n = ETH_START.length;
    installKeepAlive();
    try {
      assert.equal(ETH_START.length, n + 1);
      const e: any = { networkjs: { ka: null } };
      ETH_START[n](e);
      assert.equal(e.networkjs.ka, tcpKeepAlive);
      ETH_START[n]({} as any); // no driver: nothing to do
    } finally {
      ETH_START.splice(n, 1);
    }
  });

  it("an app naming keepAlive on the simulated board: its module's driver has tcpKeepAlive, a connection takes the options", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "njs-ka-"));
    const app = path.join(dir, "app.js");
    fs.writeFileSync(app, `var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27 });
eth.setIP(function (err, ip) { console.log(err ? "no address" : "app: address " + ip.ip); });
function dial() { return require("net").connect({ host: "192.0.2.1", port: 7, keepAlive: 30000, keepAliveCount: 4 }, function () {}); }
`);
    const lines: string[] = [];
    let sim: Sim | null = null;
    try {
      sim = await startSim({ bundle: path.join(ROOT, "dist", "sim.js"), app, port: 0, storage: path.join(dir, "st"), out: (l) => lines.push(l), onFatal: (m) => lines.push("FATAL " + m) });
      await sim.ready;
      const b = sim.board;
      const end = Date.now() + 20000;
      while (!lines.some((l) => /^app: address/.test(l)) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      assert.equal(b.evalLine("typeof eth.networkjs.ka"), '="function"', lines.join("\n"));
      b.evalLine("var sk = dial()");
      // the connection's slot (the first one not CLOSED) took the options (F32 KA_IDLE, F8 KA_CNT);
      // the record's u32 by its name in this body (internal names are shortened: tools/image.ts)
      const u32 = (await buildModule(choosePieces(fs.readFileSync(app, "utf8")).pieces)).props.u32 || "u32";
      let got = "";
      for (let i = 0; i < 100 && !/30000/.test(got); i++) {
        got = b.evalLine(`(function () { for (var c = 0; c < eth.tcp.slots.st.length; c++) if (eth.tcp.slots.st[c]) return eth.tcp.slots.${u32}[c * ${F32.STRIDE} + ${F32.KA_IDLE}] + " " + eth.tcp.slots.u8[c * ${F8.STRIDE} + ${F8.KA_CNT}]; return "none"; })()`);
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(got, '="30000 4"', lines.join("\n"));
      assert.ok(!lines.some((l) => /FATAL|Uncaught/.test(l)), lines.join("\n"));
    } finally {
      if (sim) await sim.close();
    }
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
