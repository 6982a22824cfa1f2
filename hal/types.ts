// Hardware-abstraction interfaces. Device code (driver, stack, app) sees only these.
// Two implementations: hal/espruino.ts over Espruino's globals, hal/host/ over a mocked
// SPI bus wired to the register-level ENC28J60 emulator (emu/enc28j60/).
// Hot-path rule: callers pass preallocated buffers; nothing here allocates per call on the host.

/** An SPI device: chip select is asserted (low) for the whole of each call. */
export interface SpiPort {
  /** Full duplex, in place: clocks out buf[0..len) and overwrites it with the bytes clocked in. */
  transfer(buf: Uint8Array, len: number): void;
  /** Clocks out buf[0..len) and discards what comes back. */
  write(buf: Uint8Array, len: number): void;
}

export interface OutputPin {
  set(high: boolean): void;
}

export interface InputPin {
  read(): boolean;
  /** Calls fn on every falling edge (the ENC28J60's INT line is active low). */
  onFalling(fn: () => void): void;
}

/** Milliseconds from an arbitrary origin, monotonic, may be fractional. */
export interface Clock {
  now(): number;
}

export interface Timers {
  after(ms: number, fn: () => void): any;
  every(ms: number, fn: () => void): any;
  cancel(id: any): void;
}

/** Busy-waits are not allowed on Espruino; a driver that must wait microseconds polls a register. */
export interface Hal {
  spi: SpiPort;
  reset?: OutputPin;
  int?: InputPin;
  clock: Clock;
  timers: Timers;
}
