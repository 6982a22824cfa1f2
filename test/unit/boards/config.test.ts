// Every board file is evaluated as written (its compiled CommonJS form) in a sandbox whose
// Espruino globals are stand-ins, and whose `start()` captures the BoardConfig it is given.
// The config is then checked against facts about the board (clock tree, LEDs, buttons, on-board
// peripherals) and against how Espruino really picks an SPI prescaler.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import { macFromSerial } from "../../../boards/mac";
import { loadBoardJson, boardJsonPath } from "../../../tools/flash";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const BUILD = path.join(ROOT, "build");
const ENC_MAX_HZ = 20_000_000;
const ENC_MIN_HZ = 8_000_000;
const SERIAL = "33FFD605-41573033-15720843";

interface Facts {
  file: string;
  spi: string;                 // Espruino global the ENC28J60 must use
  spiClockHz: number[];        // input clock(s) of that SPI peripheral the board may run at
  kind: "stm32" | "esp32";
  sck: string[]; miso: string[]; mosi: string[];   // pins the peripheral can use
  led: string;                 // an LED the board really has
  reserved: string[];          // LEDs, buttons, console, on-board chips, debug: CS/INT/RESET must avoid
  variables: number;
  family: string;
}

// Facts from the boards' Espruino board files and user manuals (see docs/boards.md).
const BOARDS: { [name: string]: Facts } = {
  pico: {
    file: "pico", spi: "SPI2", spiClockHz: [42_000_000], kind: "stm32",
    sck: ["B10", "B13"], miso: ["B14"], mosi: ["B15"], led: "B12",
    reserved: ["B2", "B12", "C13", "B6", "B7", "A9", "A11", "A12", "A13", "A14", "A15", "B0", "H0", "H1", "C14", "C15"],
    variables: 5100, family: "STM32F4",
  },
  "espruino-wifi": {
    file: "espruino-wifi", spi: "SPI2", spiClockHz: [50_000_000], kind: "stm32",
    sck: ["B10", "B13"], miso: ["B14"], mosi: ["B15"], led: "B12",
    reserved: ["B2", "B12", "C13", "B6", "B7", "A2", "A3", "A9", "A11", "A12", "A13", "A14", "A15", "H0", "H1", "C14", "C15"],
    variables: 8190, family: "STM32F4",
  },
  "nucleo-f401re": {
    file: "nucleo-f401re", spi: "SPI2", spiClockHz: [42_000_000], kind: "stm32",
    sck: ["B10", "B13"], miso: ["B14", "C2"], mosi: ["B15", "C3"], led: "A5",
    reserved: ["A5", "C13", "A2", "A3", "A13", "A14", "A15", "H0", "H1", "C14", "C15"],
    variables: 5376, family: "STM32F4",
  },
  stm32f4discovery: {
    file: "stm32f4discovery", spi: "SPI2", spiClockHz: [42_000_000], kind: "stm32",
    sck: ["B10", "B13"], miso: ["B14", "C2"], mosi: ["B15", "C3"], led: "D12",
    reserved: ["D12", "D13", "D14", "D15", "A0", "A5", "A6", "A7", "E3", "E0", "E1", "B10", "C3", "B6", "B9", "C7", "C10", "C12", "A4", "D4",
      "A9", "A10", "A11", "A12", "C0", "A2", "A3", "A13", "A14", "A15", "H0", "H1", "C14", "C15"],
    variables: 5450, family: "STM32F4",
  },
  esp32: {
    file: "esp32", spi: "SPI2", spiClockHz: [80_000_000], kind: "esp32",
    sck: ["D18"], miso: ["D19"], mosi: ["D23"], led: "D2",
    reserved: ["D0", "D2", "D1", "D3", "D6", "D7", "D8", "D9", "D10", "D11", "D12", "D15"],
    variables: 16383, family: "ESP32_IDF4",
  },
};

/** The rate Espruino's STM32 port really sets: the prescaler (2..256) nearest the request. */
function stm32Produced(requested: number, pclk: number): number {
  let best = 0, bestDiff = Infinity;
  for (let div = 2; div <= 256; div *= 2) {
    const rate = Math.floor(pclk / div);
    const diff = Math.abs(requested - rate);
    if (diff < bestDiff) { bestDiff = diff; best = rate; }
  }
  return best;
}

/** All rates a peripheral can produce. */
function achievable(kind: "stm32" | "esp32", clk: number): number[] {
  const out: number[] = [];
  if (kind === "stm32") for (let div = 2; div <= 256; div *= 2) out.push(Math.floor(clk / div));
  else for (let n = 1; n <= 8192; n++) if (clk % n === 0) out.push(clk / n);
  return out;
}

function pinObject(name: string): any {
  return { name, toString: () => name, write() {}, read() { return false; }, set() {}, reset() {}, mode() {} };
}

interface Captured { config: any; calls: number }

function evaluateBoard(file: string, serial = SERIAL): Captured {
  const compiled = path.join(BUILD, "boards", `${file}.js`);
  assert.ok(fs.existsSync(compiled), `${compiled} missing: run 'npx tsc -p tsconfig.json'`);
  const captured: Captured = { config: undefined, calls: 0 };
  const sandbox: any = { getSerial: () => serial };
  for (const port of ["A", "B", "C", "D", "E", "H"]) for (let i = 0; i <= 40; i++) sandbox[`${port}${i}`] = pinObject(`${port}${i}`);
  for (const s of ["SPI1", "SPI2", "SPI3"]) sandbox[s] = { name: s, setup() {}, send() {}, write() {} };
  const mac = require(path.join(BUILD, "boards", "mac.js"));
  const requireStub = (m: string): any => {
    if (m === "./start") return { start: (c: any) => { captured.config = c; captured.calls++; } };
    if (m === "./mac") return mac;
    throw new Error(`board file ${file} requires unexpected module ${m}`);
  };
  const mod = { exports: {} as any };
  vm.runInNewContext(`(function (require, module, exports) {${fs.readFileSync(compiled, "utf8")}\n})`, sandbox)(requireStub, mod, mod.exports);
  return captured;
}

describe("boards: every board file gives start() a sane configuration", () => {
  for (const name of Object.keys(BOARDS)) {
    const f = BOARDS[name];
    describe(name, () => {
      let c: any;
      before(() => {
        const cap = evaluateBoard(f.file);
        assert.equal(cap.calls, 1, "start() must be called exactly once");
        c = cap.config;
      });

      it("names itself after its file and uses the expected SPI peripheral and pins", () => {
        assert.equal(c.name, name);
        assert.equal(c.spi.name, f.spi);
        assert.ok(f.sck.indexOf(c.sck.name) >= 0, `SCK ${c.sck.name} is not an ${f.spi} SCK pin`);
        assert.ok(f.miso.indexOf(c.miso.name) >= 0, `MISO ${c.miso.name} is not an ${f.spi} MISO pin`);
        assert.ok(f.mosi.indexOf(c.mosi.name) >= 0, `MOSI ${c.mosi.name} is not an ${f.spi} MOSI pin`);
      });

      it("uses six distinct pins, and CS/INT/RESET avoid the SPI pins, LEDs, buttons and on-board devices", () => {
        const pins = [c.sck, c.miso, c.mosi, c.cs, c.int, c.reset].map((p: any) => p.name);
        assert.equal(new Set(pins).size, 6, `pins collide: ${pins.join(",")}`);
        for (const p of [c.cs, c.int, c.reset]) assert.ok(f.reserved.indexOf(p.name) < 0, `${p.name} is taken on ${name}`);
        assert.ok([c.sck, c.miso, c.mosi].every((p: any) => f.reserved.indexOf(p.name) < 0), "an SPI pin is taken");
        assert.equal(c.led.name, f.led, "led must be one of the board's LEDs");
      });

      it("runs the SPI clock at the fastest rate the board produces within the ENC28J60's 8..20 MHz", () => {
        assert.ok(c.baud >= ENC_MIN_HZ && c.baud <= ENC_MAX_HZ, `baud ${c.baud} outside 8..20 MHz`);
        for (const clk of f.spiClockHz) {
          const rates = achievable(f.kind, clk);
          assert.ok(rates.indexOf(c.baud) >= 0, `${c.baud} Hz is not a rate ${clk / 1e6} MHz / divider produces`);
          const fastestInSpec = Math.max(...rates.filter((r) => r <= ENC_MAX_HZ));
          assert.equal(c.baud, fastestInSpec, "not the fastest in-spec rate");
          if (f.kind === "stm32") assert.equal(stm32Produced(c.baud, clk), c.baud, "Espruino's nearest-prescaler choice gives another rate");
        }
      });

      it("derives a locally administered unicast MAC from getSerial()", () => {
        assert.equal(c.mac, macFromSerial(SERIAL));
        const other = evaluateBoard(f.file, "0123456789AB").config.mac;
        assert.notEqual(other, c.mac, "the MAC must depend on the serial");
        assert.equal(parseInt(c.mac.slice(0, 2), 16) & 3, 2);
      });

      it("sizes TCP slots to the board's variable count", () => {
        assert.ok(Number.isInteger(c.slots) && c.slots >= 2, "slots");
        // roughly 1,000 JS variables per connection at most (buffers + state), never more than 16
        assert.ok(c.slots <= Math.floor(f.variables / 1000) && c.slots <= 16, `${c.slots} slots for ${f.variables} variables`);
      });

      it("has a board JSON the espruino CLI can use, consistent with the board file", () => {
        const json = loadBoardJson(name);
        assert.equal(json.info.variables, f.variables);
        assert.equal(json.chip.family, f.family);
        assert.ok(json.info.builtin_modules.indexOf("Storage") >= 0);
        const leds = Object.keys(json.devices || {}).filter((k) => /^LED/.test(k)).map((k) => (json.devices as any)[k].pin);
        assert.ok(leds.indexOf(f.led) >= 0, `board JSON lists LEDs ${leds.join(",")}`);
        const raw = JSON.parse(fs.readFileSync(boardJsonPath(name), "utf8"));
        assert.equal(typeof raw.BOARD, "string");
      });
    });
  }

  it("STM32 rounding: asking for 20 MHz on an 84 MHz F401 would give 21 MHz (why the board files ask for 10.5)", () => {
    assert.equal(stm32Produced(20_000_000, 42_000_000), 21_000_000);
    assert.equal(stm32Produced(10_500_000, 42_000_000), 10_500_000);
  });

  it("Espruino WiFi's 12.5 MHz request stays in spec whatever the F411 is clocked at (100, 96 or 84 MHz)", () => {
    for (const apb1 of [50_000_000, 48_000_000, 42_000_000]) {
      const r = stm32Produced(12_500_000, apb1);
      assert.ok(r >= ENC_MIN_HZ && r <= ENC_MAX_HZ, `APB1 ${apb1}: ${r}`);
    }
  });
});
