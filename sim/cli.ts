// The simulated board's command line (`npm run sim -- ...`, `make sim`).
//
//   node build/sim/cli.js [options]   (`--help` lists them with their defaults: HELP below)
//
// Without --tap: the user-space gateway on 127.0.0.1:<port> (no root needed). Without --ip:
// the device uses DHCP. The console (sim/console.ts) evaluates every line on stdin in the
// device's global scope and prints `=<value>` (errors as `Uncaught ...`), like Espruino's.
// Stdin EOF keeps the sim running unless --exit-on-eof. SIGINT (Ctrl-C) while device code runs
// that the console made interrupts it ("Execution Interrupted") and the device goes on; otherwise
// SIGINT and SIGTERM exit cleanly (0). SIGTERM while such code runs kills the process at once.
// On a terminal the keys are read by a worker thread (sim/keys.ts) and the terminal stays raw:
// Ctrl-C is a key, never a terminal SIGINT that make and its shells would get too.
// Exit codes: 0 normal, 1 bad arguments/start-up failure, 2 bundle rejected at load,
// 3 the firmware used a Node-only global/module at run time.

import * as path from "path";
import * as tty from "tty";
import { PassThrough } from "stream";
import { Worker } from "worker_threads";
import { startSim, SimOptions, Sim, knownBoards, boardProfile } from "./run";

/** The default app (examples/demo: the page and its API on require("ENC28J60")): run when neither --app nor --bundle is given. */
export const DEFAULT_APP = path.resolve(__dirname, "..", "..", "examples", "demo", "app.js");
import { CALLBACK_LIMIT_MS } from "./board";
import { createConsole, SimConsole } from "./console";
import { IDLE, RUNNING, CLAIMED } from "./keys";

interface Keys { input: NodeJS.ReadableStream; flag: Int32Array; stop(): void }

/** The terminal's keys through the worker of sim/keys.ts: a stream for the console, the shared flag. */
function startKeys(): Keys {
  const shared = new SharedArrayBuffer(4);
  const flag = new Int32Array(shared);
  const worker = new Worker(path.join(__dirname, "keys.js"), { workerData: { keys: true, flag: shared } });
  const input = new PassThrough();
  (input as any).isTTY = true;
  (input as any).setRawMode = (): PassThrough => input;   // the worker keeps the terminal raw
  worker.on("message", (m: Uint8Array) => input.write(Buffer.from(m.buffer, m.byteOffset, m.byteLength)));
  worker.on("error", (e) => process.stderr.write("sim: keyboard reader failed: " + e.message + "\n"));
  worker.unref();
  return { input, flag, stop: () => worker.postMessage("stop") };
}

export const HELP = `usage: npm run sim -- [options]      (make run / make sim: SIM_ARGS="options")

Runs the default app (examples/demo/app.js: the status page and its API on require("ENC28J60"))
on the simulated board with an emulated ENC28J60, and serves its page on http://127.0.0.1:8080/.
Type JavaScript on the console: it runs on the device.

  --port N           gateway port on 127.0.0.1 (default 8080; 0 = any free port)
  --board NAME       simulate that board's configuration (name, TCP slots) on the sim's wiring
                     (default sim; boards: ${knownBoardsText()})
  --ip A.B.C.D       static device address (default: DHCP from the gateway, 192.0.2.2)
  --netmask M        with --ip (default 255.255.255.0)
  --gateway G        with --ip (default 192.0.2.1; 0.0.0.0 with --tap)
  --mac XX:..:XX     device MAC (default 02:45:4e:43:00:02)
  --slots N          device TCP connection slots (default 8, or the --board's)
  --storage DIR      folder behind require("Storage"), kept across runs like flash
                     (default build/sim-storage)
  --app FILE         run this app as the boot code, with require("ENC28J60") from Storage (make sim APP=FILE;
                     default examples/demo/app.js)
  --bundle FILE      run a firmware bundle instead of an app (dist/sim.js: the project's own firmware,
                     with its \`device\` console object)
  --pieces LIST      the module's pieces (default: those the app uses; "+name"/"-name" adjust them)
  --pcap FILE        write every frame on the wire to a pcap file
  --loss P           drop a fraction P (0 <= P < 1) of the frames (default 0)
  --seed S           seed of the loss sequence (default 1)
  --tap IFNAME       wire to an existing TAP device instead of the gateway (root; see sim/README.md)
  --exit-on-eof      exit when stdin closes (default: keep running)
  --espruino PATH    run the bundle on Espruino's own Linux build instead of the vm (make sim ESPRUINO=PATH;
                     see README, the real-interpreter engine); a 32-bit build runs through qemu-i386
  -h, --help         this text

Console: Up/Down recall lines, Ctrl-C interrupts code written on the console (a timer, a watch
or a route handler of yours is interrupted after ${CALLBACK_LIMIT_MS} ms), Ctrl-C on an empty line
exits. Try eth.getStatus(), setLed(true), or srv.get("/hi", function (req, res) {
res.send(200, "text/plain", "hi"); }) and open /hi.
`;

function knownBoardsText(): string {
  try { return knownBoards().join(", "); } catch { return "see boards/"; }
}

export function parseArgs(argv: string[]): SimOptions & { exitOnEof: boolean } {
  const o: SimOptions & { exitOnEof: boolean } = {
    bundle: path.resolve(__dirname, "..", "..", "dist", "sim.js"),
    exitOnEof: false,
  };
  let bundleGiven = false;
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
      case "--board": o.board = val(); break;
      case "--loss": o.loss = num(); break;
      case "--seed": o.seed = num(); break;
      case "--bundle": o.bundle = path.resolve(val()); bundleGiven = true; break;
      case "--app": o.app = path.resolve(val()); break;
      case "--pieces": o.pieces = val(); break;
      case "--storage": o.storage = path.resolve(val()); break;
      case "--exit-on-eof": o.exitOnEof = true; break;
      case "--espruino": o.espruino = path.resolve(val()); break;
      case "-h": case "--help":
        process.stdout.write(HELP);
        process.exit(0);
        break;
      default: throw new Error("unknown option " + a + " (see --help)");
    }
  }
  if (o.loss !== undefined && (o.loss < 0 || o.loss >= 1)) throw new Error("--loss must be in [0, 1)");
  if (!o.app && !bundleGiven) o.app = DEFAULT_APP;
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
  let con: SimConsole | null = null;
  const say = (l: string): void => { if (con) con.print(l); else process.stdout.write(l + "\n"); };
  let sim: Sim | null = null;
  let exiting = false;
  let keys: Keys | null = null;   // (on a terminal, from when the console starts)
  const shutdown = async (code: number): Promise<void> => {
    if (exiting) return;
    exiting = true;
    if (con) { const c = con; con = null; c.close(); }   // no prompt after the last lines
    if (keys) keys.stop();
    if (sim) {
      const c = sim.wire.counters;
      say("sim: wire: " + c.toDevice + " frames to the device, " + c.fromDevice + " from it, lost " + c.lostToDevice + " to / " +
        c.lostFromDevice + " from, " + c.refusedByChip + " refused by the chip");
    }
    try { if (sim) await sim.close(); } catch { /* best effort */ }
    process.exit(code);
  };
  const onTerm = (): void => void shutdown(0);
  // While device code the console made runs (a line, a callback, a function the firmware calls):
  // a Ctrl-C key becomes a SIGINT to this process (sim/keys.ts), which interrupts it; SIGTERM must
  // end the process at once (Node's default action: no JS handler could run).
  let runDepth = 0;
  let claimedAt = -Infinity;
  const enterRun = (): void => {
    if (runDepth++) return;
    process.off("SIGTERM", onTerm);
    if (keys) Atomics.store(keys.flag, 0, RUNNING);
  };
  const leaveRun = (): void => {
    if (--runDepth) return;
    // a Ctrl-C claimed just as the run ended: its SIGINT may still arrive; it must not end the sim
    if (keys && Atomics.exchange(keys.flag, 0, IDLE) === CLAIMED) claimedAt = Date.now();
    process.on("SIGTERM", onTerm);
  };
  process.on("SIGINT", () => { if (Date.now() - claimedAt > 1000) void shutdown(0); });
  process.on("SIGTERM", onTerm);
  try {
    sim = await startSim({
      ...opts,
      out: say,
      onFatal: (m) => { process.stderr.write("sim: fatal: " + m + "\n"); void shutdown(3); },
      onBackendError: (m) => { process.stderr.write("sim: " + m + "\n"); void shutdown(1); },
      onConsoleCode: (running) => { if (running) enterRun(); else leaveRun(); },
    });
  } catch (e) {
    const msg = (e as Error).message;
    process.stderr.write((msg.startsWith("sim:") ? msg : "sim: " + msg) + "\n");
    process.exit(/was rejected/.test(msg) ? 2 : 1);
  }
  const s = sim!;
  say("sim: board running " + path.relative(process.cwd(), opts.app || opts.bundle) + (opts.tap ? ", wire on TAP " + opts.tap : ", gateway on 127.0.0.1:" + s.port) +
    (opts.pcap ? ", capture " + opts.pcap : "") + (opts.loss ? ", loss " + opts.loss + " seed " + (opts.seed ?? 1) : ""));
  void s.ready.then((ip) => {
    if (opts.tap) say("sim: device page at http://" + ip + "/ (from the TAP's network namespace)");
    else say("sim: open http://127.0.0.1:" + s.port + "/ in a browser");
  });
  if (opts.board && opts.board !== "sim") {
    say("sim: simulating the " + opts.board + " board's configuration (its name and " + (opts.slots || boardProfile(opts.board).slots) +
      " TCP slots) on the sim's wiring; to flash a real " + opts.board + ": make flash BOARD=" + opts.board + " PORT=/dev/ttyACM0");
  }
  if (tty.isatty(0)) keys = startKeys();
  con = createConsole({
    input: keys ? keys.input : process.stdin, output: process.stdout, terminal: !!keys,
    evaluate: (code) => s.board.evalLine(code),
    beforeEval: enterRun,
    afterEval: leaveRun,
    onInterrupt: () => void shutdown(0),
    onEnd: () => { if (opts.exitOnEof) void shutdown(0); },
  });
}

if (require.main === module) void main();
