// The host build's narrow subset of Espruino's globals: only what device code (hal/, drivers/,
// firmware/, boards/) touches, so tsconfig.json and tsconfig.run.json can compile device code
// next to @types/node, with test/setup.ts and sim/ installing shims for them. Not the source of
// truth: the device build (tsconfig.device.json) and user apps (tools/app-ts.ts) compile against
// @types/espruino + hal/espruino-augment.d.ts, and test/unit/gate/types.test.ts checks that every
// name here exists there with a compatible type. Timers, require, console and process are
// Node's on the host. See docs/typescript.md.

interface Pin {
  write(value: boolean | number): void;
  read(): boolean;
  set(): void;
  reset(): void;
  mode(mode: string): void;
}

interface SpiSetup {
  sck: Pin;
  miso: Pin;
  mosi: Pin;
  baud: number;
  mode?: number;
  order?: "msb" | "lsb";
}

interface SPI {
  setup(options: SpiSetup): void;
  /** Full duplex: returns what came back, a new Uint8Array when given one. CS is held low for the call. */
  send(data: Uint8Array | number[] | number, cs: Pin): Uint8Array;
  /** Writes data and discards the answer. The last argument is the CS pin. */
  write(data: Uint8Array | number[] | number, cs: Pin): void;
}

interface WatchOptions {
  edge: "rising" | "falling" | "both";
  repeat: boolean;
  debounce?: number;
}

interface EspruinoE {
  /** Sum of all elements of an array or typed array (native speed). */
  sum(arr: ArrayLike<number>): number;
  /** Sum of arr1[i] * arr2[(i + offset) % arr2.length] over arr1 (native speed). */
  convolve(arr1: ArrayLike<number>, arr2: ArrayLike<number>, offset: number): number;
  toString(...args: any[]): string;
  toUint8Array(...args: any[]): Uint8Array;
  getSizeOf(v: any, depth?: number): number;
  CRC32(data: any): number;
  on(event: string, fn: () => void): void;
}

declare var E: EspruinoE;
declare var SPI1: SPI;
declare var SPI2: SPI;
declare var SPI3: SPI;
declare function getTime(): number;
/** The MCU's unique id as a string (on STM32 the 96-bit factory UID in hex). Start-up use only. */
declare function getSerial(): string;
declare function setWatch(fn: (e: { state: boolean; time: number }) => void, pin: Pin, options: WatchOptions): number;
declare function clearWatch(id?: number): void;
declare var A0: Pin;
declare var A1: Pin;
declare var A2: Pin;
declare var A3: Pin;
declare var A4: Pin;
declare var A5: Pin;
declare var A6: Pin;
declare var A7: Pin;
declare var A8: Pin;
declare var A9: Pin;
declare var A10: Pin;
declare var A11: Pin;
declare var A12: Pin;
declare var A13: Pin;
declare var A14: Pin;
declare var A15: Pin;
declare var B0: Pin;
declare var B1: Pin;
declare var B2: Pin;
declare var B3: Pin;
declare var B4: Pin;
declare var B5: Pin;
declare var B6: Pin;
declare var B7: Pin;
declare var B8: Pin;
declare var B9: Pin;
declare var B10: Pin;
declare var B11: Pin;
declare var B12: Pin;
declare var B13: Pin;
declare var B14: Pin;
declare var B15: Pin;
declare var C0: Pin;
declare var C1: Pin;
declare var C2: Pin;
declare var C3: Pin;
declare var C4: Pin;
declare var C5: Pin;
declare var C6: Pin;
declare var C7: Pin;
declare var C8: Pin;
declare var C9: Pin;
declare var C10: Pin;
declare var C11: Pin;
declare var C12: Pin;
declare var C13: Pin;
declare var C14: Pin;
declare var C15: Pin;
declare var D0: Pin;
declare var D1: Pin;
declare var D2: Pin;
declare var D3: Pin;
declare var D4: Pin;
declare var D5: Pin;
declare var D6: Pin;
declare var D7: Pin;
declare var D8: Pin;
declare var D9: Pin;
declare var D10: Pin;
declare var D11: Pin;
declare var D12: Pin;
declare var D13: Pin;
declare var D14: Pin;
declare var D15: Pin;
declare var D16: Pin;
declare var D17: Pin;
declare var D18: Pin;
declare var D19: Pin;
declare var D20: Pin;
declare var D21: Pin;
declare var D22: Pin;
declare var D23: Pin;
declare var D24: Pin;
declare var D25: Pin;
declare var D26: Pin;
declare var D27: Pin;
declare var D28: Pin;
declare var D29: Pin;
declare var D30: Pin;
declare var D31: Pin;
declare var D32: Pin;
declare var D33: Pin;
declare var D34: Pin;
declare var D35: Pin;
declare var D36: Pin;
declare var D37: Pin;
declare var D38: Pin;
declare var D39: Pin;
declare var D40: Pin;
declare var LED1: Pin;
declare var LED2: Pin;
declare var LED3: Pin;
declare var LED4: Pin;
declare var BTN: Pin;
declare var BTN1: Pin;
