// Figures of the simulated board through the user-space gateway (no root): time to first
// address, page fetch latency, bulk download rate of a 200 KB asset, with no loss, 1% and 5%
// loss (and each lossy rate as a ratio of the lossless one: how well TCP's loss recovery
// copes), and the SPI traffic the firmware generated. Runs the product bundle dist/sim.js
// in-process. The asset is downloaded DOWNLOADS times in a row (the seeded loss goes on, so
// each download loses other frames): the rate is all the bytes over all the time, and each
// download's time is printed, since one lost SYN (1 s before any RTT sample) or one lost probe
// (an RTO) moves a single download's rate by a large factor. With loss, how each sender recovered
// (the device sends the download, the gateway its requests and ACKs): RTOs, loss probes, fast
// retransmits and RACK retransmissions per download.
import * as http from "http";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import { startSim } from "../sim/run";

function get(url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 30000 }, (res) => {
      let bytes = 0;
      res.on("data", (d: Buffer) => { bytes += d.length; });
      res.on("end", () => resolve({ status: res.statusCode || 0, bytes }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

interface Figures { pageMs: number; kbps: number }

type Counts = { [name: string]: number };

/** The simulated device's TCP counters (the demo's `device` global in the vm). */
function deviceTcp(sim: { board: { context: vm.Context } }): Counts {
  return JSON.parse(vm.runInContext("JSON.stringify(device.tcp.counters)", sim.board.context));
}

/** How a sender recovered, per download: time-outs (RTO), loss probes, fast retransmits (dup ACKs), RACK. */
function recovery(a: Counts, b: Counts): string {
  const per = (k: string): string => ((b[k] - a[k]) / DOWNLOADS).toFixed(1);
  return `${per("retransmits")} RTO, ${per("tailProbes")} probes, ${per("fastRetransmits")} fast, ${per("rackLosses")} RACK`;
}

/** Downloads of the asset per loss rate. */
const DOWNLOADS = 3;

async function one(label: string, loss: number, base0?: Figures): Promise<Figures> {
  const bundle = path.resolve(__dirname, "..", "..", "dist", "sim.js");
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), "simbench-"));
  const t0 = performance.now();
  const sim = await startSim({ bundle, port: 0, storage, loss, seed: 5, out: () => {} });
  try {
    await sim.ready;
    const tAddr = performance.now() - t0;
    const base = "http://127.0.0.1:" + sim.port;
    await get(base + "/");
    const n = 20;
    let t = performance.now();
    for (let i = 0; i < n; i++) { const r = await get(base + "/"); if (r.status !== 200) throw new Error("status " + r.status); }
    const pageMs = (performance.now() - t) / n;
    sim.board.evalLine('device.addTestAsset("/bench.bin", 204800)');
    const spi0 = sim.board.counters.spiBytes;
    const dev0 = deviceTcp(sim), gw0 = Object.assign({}, sim.gateway!.tcp.counters);
    const times: string[] = [];
    let s = 0;
    for (let i = 0; i < DOWNLOADS; i++) {
      t = performance.now();
      const r = await get(base + "/bench.bin");
      const one = (performance.now() - t) / 1000;
      if (r.bytes !== 204800) throw new Error("got " + r.bytes + " bytes");
      s += one;
      times.push((one * 1000).toFixed(0));
    }
    s /= DOWNLOADS;
    const dev1 = deviceTcp(sim), gw1 = sim.gateway!.tcp.counters;
    const c = sim.wire.counters;
    console.log(`sim gateway ${label}: address by DHCP after ${tAddr.toFixed(0)} ms; page GET ${pageMs.toFixed(1)} ms (mean of ${n}); ` +
      `200 KB download ${(204.8 / s).toFixed(0)} KB/s (${times.join(" + ")} ms, ${((sim.board.counters.spiBytes - spi0) / 1024 / DOWNLOADS).toFixed(0)} KB over SPI each); ` +
      `wire ${c.toDevice}/${c.fromDevice} frames, lost ${c.lostToDevice}/${c.lostFromDevice}` +
      (loss > 0 ? `; recovery per download: device ${recovery(dev0, dev1)}, gateway ${recovery(gw0, gw1)}` : "") +
      (base0 ? `; vs no loss: download rate ${(204.8 / s / base0.kbps).toFixed(2)}x, page time ${(pageMs / base0.pageMs).toFixed(2)}x` : ""));
    return { pageMs, kbps: 204.8 / s };
  } finally {
    await sim.close();
    fs.rmSync(storage, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const f = await one("no loss", 0);
  await one("1% loss", 0.01, f);
  await one("5% loss", 0.05, f);
}
