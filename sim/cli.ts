// The simulated board's command line (`npm run sim -- ...`, `make sim`).
//
//   node build/sim/cli.js [--tap IFNAME] [--ip A.B.C.D --netmask M --gateway G]
//     [--mac XX:XX:XX:XX:XX:XX] [--port 8080] [--pcap FILE] [--slots N] [--loss P --seed S]
//     [--bundle FILE] [--storage DIR] [--exit-on-eof]
//
// Without --tap: the user-space gateway on 127.0.0.1:<port> (no root needed). Without --ip:
// the device uses DHCP. Every line on stdin is evaluated in the device's global scope and
// the result printed as `=<value>` (errors as `Uncaught ...`), like Espruino's console; an
// unfinished statement (open bracket) continues on the next lines.
// Stdin EOF keeps the sim running unless --exit-on-eof. SIGINT/SIGTERM exit cleanly (0).
// Exit codes: 0 normal, 1 bad arguments/start-up failure, 2 bundle rejected at load,
// 3 the firmware used a Node-only global/module at run time.

import * as path from "path";
import * as readline from "readline";
import { startSim, SimOptions, Sim } from "./run";
import { isIncomplete } from "./board";

export function parseArgs(argv: string[]): SimOptions & { exitOnEof: boolean } {
  const o: SimOptions & { exitOnEof: boolean } = {
    bundle: path.resolve(__dirname, "..", "..", "dist", "sim.js"),
    exitOnEof: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error("option " + a + " needs a value");
      return v;
    };
    const num = (): number => {
      const v = Number(val());
      if (!Number.isFinite(v)) throw new Error("option " + a + " needs a number");
      return v;
    };
    switch (a) {
      case "--tap": o.tap = val(); break;
      case "--ip": o.ip = val(); break;
      case "--netmask": o.netmask = val(); break;
      case "--gateway": o.gateway = val(); break;
      case "--mac": o.mac = val(); break;
      case "--port": o.port = num(); break;
      case "--pcap": o.pcap = val(); break;
      case "--slots": o.slots = num(); break;
      case "--loss": o.loss = num(); break;
      case "--seed": o.seed = num(); break;
      case "--bundle": o.bundle = path.resolve(val()); break;
      case "--storage": o.storage = path.resolve(val()); break;
      case "--exit-on-eof": o.exitOnEof = true; break;
      case "--espruino": o.espruino = path.resolve(val()); break;
      case "-h": case "--help":
        process.stdout.write(
          "usage: npm run sim -- [--tap IFNAME] [--ip A.B.C.D --netmask M --gateway G] [--mac XX:XX:XX:XX:XX:XX]\n" +
          "       [--port 8080] [--pcap FILE] [--slots N] [--loss P --seed S] [--bundle FILE] [--storage DIR] [--exit-on-eof]\n" +
          "       [--espruino PATH]  run the bundle on Espruino's own Linux build (see README: the real-interpreter engine)\n");
        process.exit(0);
        break;
      default: throw new Error("unknown option " + a + " (see --help)");
    }
  }
  if (o.loss !== undefined && (o.loss < 0 || o.loss >= 1)) throw new Error("--loss must be in [0, 1)");
  return o;
}

async function main(): Promise<void> {
  let opts: ReturnType<typeof parseArgs>;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write("sim: " + (e as Error).message + "\n");
    process.exit(1);
  }
  const say = (l: string): void => { process.stdout.write(l + "\n"); };
  let sim: Sim | null = null;
  let exiting = false;
  const shutdown = async (code: number): Promise<void> => {
    if (exiting) return;
    exiting = true;
    if (sim) {
      const c = sim.wire.counters;
      say("sim: wire: " + c.toDevice + " frames to the device, " + c.fromDevice + " from it, lost " + c.lostToDevice + " to / " +
        c.lostFromDevice + " from, " + c.refusedByChip + " refused by the chip");
    }
    try { if (sim) await sim.close(); } catch { /* best effort */ }
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  try {
    sim = await startSim({
      ...opts,
      out: say,
      onFatal: (m) => { process.stderr.write("sim: fatal: " + m + "\n"); void shutdown(3); },
      onBackendError: (m) => { process.stderr.write("sim: " + m + "\n"); void shutdown(1); },
    });
  } catch (e) {
    const msg = (e as Error).message;
    process.stderr.write((msg.startsWith("sim:") ? msg : "sim: " + msg) + "\n");
    process.exit(/was rejected/.test(msg) ? 2 : 1);
  }
  const s = sim!;
  say("sim: board running " + path.relative(process.cwd(), opts.bundle) + (opts.tap ? ", wire on TAP " + opts.tap : ", gateway on 127.0.0.1:" + s.port) +
    (opts.pcap ? ", capture " + opts.pcap : "") + (opts.loss ? ", loss " + opts.loss + " seed " + (opts.seed ?? 1) : ""));
  void s.ready.then((ip) => {
    if (opts.tap) say("sim: device page at http://" + ip + "/ (from the TAP's network namespace)");
    else say("sim: open http://127.0.0.1:" + s.port + "/ in a browser");
  });
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  const tty = process.stdin.isTTY;
  let pending = "";
  rl.on("line", (line) => {
    if (!pending && !line.trim()) return;
    pending += (pending ? "\n" : "") + line;
    if (isIncomplete(pending)) { if (tty) process.stdout.write(":"); return; }
    const code = pending;
    pending = "";
    const r = s.board.evalLine(code); // the real interpreter answers on its own output
    if (r) say(r);
    if (tty) process.stdout.write(">");
  });
  if (tty) process.stdout.write(">");
  rl.on("close", () => { if (opts.exitOnEof) void shutdown(0); });
}

if (require.main === module) void main();
