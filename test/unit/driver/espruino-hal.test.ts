// The Espruino HAL over stand-ins for Espruino's SPI, Pin, setWatch and getTime that behave
// like the real ones (SPI.send returns a new array, CS is the last argument).

import * as assert from "assert";
import { createEspruinoHal } from "../../../hal/espruino";
import { BoardConfig } from "../../../boards/board";

interface FakePin extends Pin {
  name: string;
  level: boolean;
  modes: string[];
}

function fakePin(name: string): FakePin {
  const p: FakePin = {
    name,
    level: false,
    modes: [],
    write(v: boolean | number) {
      p.level = !!v;
      calls.push(`${name}.write(${p.level ? 1 : 0})`);
    },
    read() {
      return p.level;
    },
    set() {
      p.level = true;
    },
    reset() {
      p.level = false;
    },
    mode(m: string) {
      p.modes.push(m);
    },
  };
  return p;
}

let calls: string[] = [];

function fakeSpi(): SPI & { setups: SpiSetup[]; sent: Array<{ data: number[]; cs: string }> } {
  const s = {
    setups: [] as SpiSetup[],
    sent: [] as Array<{ data: number[]; cs: string }>,
    setup(o: SpiSetup) {
      s.setups.push(o);
    },
    send(data: Uint8Array | number[] | number, cs: Pin): Uint8Array {
      const d = data as Uint8Array;
      s.sent.push({ data: Array.from(d), cs: (cs as FakePin).name });
      calls.push(`send(${d.length})`);
      // answer: each byte + 1, in a NEW array, as Espruino does
      const out = new Uint8Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = (d[i] + 1) & 255;
      return out;
    },
    write(data: Uint8Array | number[] | number, cs: Pin): void {
      const d = data as Uint8Array;
      s.sent.push({ data: Array.from(d), cs: (cs as FakePin).name });
      calls.push(`write(${d.length})`);
    },
  };
  return s;
}

describe("Espruino HAL", () => {
  const g = globalThis as any;
  let savedWatch: unknown;
  let savedGetTime: unknown;
  const watches: Array<{ fn: () => void; pin: FakePin; opts: WatchOptions }> = [];
  before(() => {
    savedWatch = g.setWatch;
    savedGetTime = g.getTime;
    g.setWatch = (fn: () => void, pin: FakePin, opts: WatchOptions) => {
      watches.push({ fn, pin, opts });
      return watches.length;
    };
    g.getTime = () => 12.5; // seconds
  });
  after(() => {
    g.setWatch = savedWatch;
    g.getTime = savedGetTime;
  });

  function board(withPins: boolean) {
    calls = [];
    const spi = fakeSpi();
    const cfg: BoardConfig = {
      name: "test", spi, sck: fakePin("SCK"), miso: fakePin("MISO"), mosi: fakePin("MOSI"), cs: fakePin("CS"),
      baud: 10500000,
    };
    if (withPins) {
      cfg.int = fakePin("INT");
      cfg.reset = fakePin("RST");
    }
    return { cfg, spi, hal: createEspruinoHal(cfg) };
  }

  it("sets up the bus in mode 0 with the board's pins and rate, CS idle high", () => {
    const { cfg, spi } = board(false);
    assert.strictEqual(spi.setups.length, 1);
    const s = spi.setups[0];
    assert.strictEqual(s.sck, cfg.sck);
    assert.strictEqual(s.miso, cfg.miso);
    assert.strictEqual(s.mosi, cfg.mosi);
    assert.strictEqual(s.baud, 10500000);
    assert.strictEqual(s.mode, 0);
    assert.strictEqual((cfg.cs as FakePin).level, true);
  });

  it("transfer: one send with the CS pin, answer copied in place; only len bytes", () => {
    const { spi, hal } = board(false);
    const buf = new Uint8Array([10, 20, 30, 40]);
    hal.spi.transfer(buf, 4);
    assert.deepStrictEqual(Array.from(buf), [11, 21, 31, 41]);
    hal.spi.transfer(buf, 2);
    assert.deepStrictEqual(Array.from(buf), [12, 22, 31, 41]);
    assert.deepStrictEqual(spi.sent.map((x) => [x.data.length, x.cs]), [[4, "CS"], [2, "CS"]]);
  });

  it("write: one SPI.write with the CS pin, buffer untouched", () => {
    const { spi, hal } = board(false);
    const buf = new Uint8Array([0x7a, 0, 1, 2, 3]);
    hal.spi.write(buf, 3);
    assert.deepStrictEqual(spi.sent[0], { data: [0x7a, 0, 1], cs: "CS" });
    assert.deepStrictEqual(Array.from(buf), [0x7a, 0, 1, 2, 3]);
  });

  it("clock in milliseconds from getTime()", () => {
    const { hal } = board(false);
    assert.strictEqual(hal.clock.now(), 12500);
  });

  it("no INT/RESET pins: none offered (the driver then polls and uses SRC)", () => {
    const { hal } = board(false);
    assert.strictEqual(hal.int, undefined);
    assert.strictEqual(hal.reset, undefined);
  });

  it("INT: falling-edge watch, repeating; RESET drives the pin", () => {
    const { cfg, hal } = board(true);
    let fired = 0;
    hal.int!.onFalling(() => fired++);
    const w = watches[watches.length - 1];
    assert.strictEqual(w.pin, cfg.int);
    assert.deepStrictEqual(w.opts, { edge: "falling", repeat: true });
    w.fn();
    w.fn();
    assert.strictEqual(fired, 2);
    (cfg.int as FakePin).level = false;
    assert.strictEqual(hal.int!.read(), false);
    assert.strictEqual((cfg.reset as FakePin).level, true, "RESET released at start-up");
    hal.reset!.set(false);
    assert.strictEqual((cfg.reset as FakePin).level, false);
    hal.reset!.set(true);
    assert.strictEqual((cfg.reset as FakePin).level, true);
  });

  it("timers map to setTimeout/setInterval/clearTimeout", (done) => {
    const { hal } = board(false);
    let n = 0;
    const id = hal.timers.every(1, () => {
      n++;
      if (n === 3) {
        hal.timers.cancel(id);
        hal.timers.after(1, () => {
          assert.strictEqual(n, 3);
          done();
        });
      }
    });
  });
});
