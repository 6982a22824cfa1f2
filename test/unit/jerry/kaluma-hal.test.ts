// hal/kaluma.ts against a spy of Kaluma's globals: every SPI call gets an array that owns exactly
// the bytes to send (Kaluma sends a view's whole buffer), CS is low only around the call, the
// answer lands in the caller's buffer, and the timers and INT follow Kaluma's rules.
import { strict as assert } from "assert";
import { createKalumaHal } from "../../../hal/kaluma";

describe("Kaluma HAL (hal/kaluma.ts) on a spy of Kaluma's API", () => {
  const g = globalThis as any;
  const names = ["HIGH", "LOW", "OUTPUT", "INPUT_PULLUP", "FALLING", "pinMode", "digitalWrite", "digitalRead", "setWatch", "millis"];
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require("module");
  let origLoad: any;
  let saved: any = {};
  let log: string[] = [];
  let pins: { [p: number]: number } = {};
  let sent: Uint8Array[] = [];
  beforeEach(() => {
    saved = {};
    for (const n of names) saved[n] = g[n];
    log = []; pins = {}; sent = [];
    g.HIGH = 1; g.LOW = 0; g.OUTPUT = 1; g.INPUT_PULLUP = 2; g.FALLING = 4;
    g.pinMode = (p: number, m: number) => log.push(`pinMode ${p} ${m}`);
    g.digitalWrite = (p: number, v: number) => { pins[p] = v; log.push(`write ${p} ${v}`); };
    g.digitalRead = (p: number) => (p === 20 ? 0 : 1);
    g.setWatch = (fn: () => void, p: number, e: number) => { log.push(`watch ${p} ${e}`); fn(); return 1; };
    g.millis = () => 1234;
    class SPI {
      static MODE_0 = 0; static MSB = 0;
      constructor(bus: number, o: any) { log.push(`SPI ${bus} ${JSON.stringify(o)}`); }
      transfer(d: Uint8Array): Uint8Array {
        assert.equal(pins[17], 0, "CS low during transfer");
        assert.equal(d.byteOffset, 0); assert.equal(d.buffer.byteLength, d.length, "owns its buffer");
        sent.push(d.slice());
        return d.map((x) => x ^ 0xff);
      }
      send(d: Uint8Array): number {
        assert.equal(pins[17], 0, "CS low during send");
        assert.equal(d.byteOffset, 0); assert.equal(d.buffer.byteLength, d.length, "owns its buffer");
        sent.push(d.slice());
        return 0;
      }
    }
    // the host build compiles require("spi") to Node's require: answer it there
    origLoad = Module._load;
    Module._load = function (req: string, ...rest: any[]) { return req === "spi" ? { SPI } : origLoad.call(this, req, ...rest); };
  });
  afterEach(() => {
    for (const n of names) { if (saved[n] === undefined) delete g[n]; else g[n] = saved[n]; }
    Module._load = origLoad;
  });

  it("sets up SPI0 mode 0 MSB first with the pins and clock, CS and RESET high, INT pulled up", () => {
    const hal = createKalumaHal({ bus: 0, sck: 18, mosi: 19, miso: 16, cs: 17, int: 20, reset: 21, baud: 20000000 });
    assert.match(log[0], /^SPI 0 \{"mode":0,"baudrate":20000000,"bitorder":0,"sck":18,"mosi":19,"miso":16\}$/);
    assert.equal(pins[17], 1);
    assert.equal(pins[21], 1);
    assert.ok(log.indexOf("pinMode 20 2") >= 0);
    assert.equal(hal.clock.now(), 1234);
    let edges = 0;
    hal.int!.onFalling(() => { edges++; });
    assert.ok(log.indexOf("watch 20 4") >= 0);
    assert.equal(edges, 1);
    assert.equal(hal.int!.read(), false);
    hal.reset!.set(false); assert.equal(pins[21], 0);
  });

  it("sends only buf[0..len) of a view into a larger buffer, and copies the answer back", () => {
    const hal = createKalumaHal({ bus: 0, sck: 18, mosi: 19, miso: 16, cs: 17, baud: 20000000 });
    const big = new Uint8Array(64);
    for (let i = 0; i < 64; i++) big[i] = i;
    const view = big.subarray(5, 40);           // an offset view, as the driver's rxCmd/c2 are
    hal.spi.transfer(view, 3);
    assert.deepEqual(Array.from(sent[0]), [5, 6, 7]);
    assert.deepEqual(Array.from(view.subarray(0, 4)), [5 ^ 0xff, 6 ^ 0xff, 7 ^ 0xff, 8]);
    assert.equal(pins[17], 1, "CS high again");
    hal.spi.write(big.subarray(0, 2), 2);
    assert.deepEqual(Array.from(sent[1]), [0, 1]);
    const frame = big.subarray(1, 61);
    hal.spi.write(frame, 60);
    hal.spi.write(frame, 60);
    assert.equal(sent[2].length, 60);
    const own = new Uint8Array([1, 2]);
    hal.spi.transfer(own, 2);                   // an array that owns exactly len bytes goes as it is
    assert.deepEqual(Array.from(own), [0xfe, 0xfd]);
  });

  it("cancel() ignores ids that are not numbers (Kaluma's clearTimeout(undefined) throws)", () => {
    const hal = createKalumaHal({ bus: 0, sck: 18, mosi: 19, miso: 16, cs: 17, baud: 20000000 });
    const ct = g.clearTimeout;
    const cleared: any[] = [];
    g.clearTimeout = (id: any) => { if (typeof id !== "number") throw new TypeError("id"); cleared.push(id); };
    try {
      hal.timers.cancel(undefined);
      hal.timers.cancel(null);
      hal.timers.cancel(7);
      assert.deepEqual(cleared, [7]);
    } finally { g.clearTimeout = ct; }
  });
});
