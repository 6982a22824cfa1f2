// Ambient declarations for the Kaluma globals the Kaluma HAL and board files use (Kaluma
// 1.3.0-beta.2, src/global.c): pins are GPIO numbers. digitalWrite, pinMode, setWatch and
// digitalRead also exist on Espruino with Pin objects (@types/espruino in the device build,
// espruino-globals.d.ts in the host build): these are overloads. Timers, require and process come
// from @types/espruino + hal/espruino-augment.d.ts / Node's types.

declare var HIGH: number;
declare var LOW: number;
declare var OUTPUT: number;
declare var INPUT: number;
declare var INPUT_PULLUP: number;
declare var FALLING: number;
/** Milliseconds since boot (an integer). */
declare function millis(): number;
declare function digitalWrite(pin: number, value: number): void;
declare function digitalRead(pin: number): number;
declare function pinMode(pin: number, mode: number): void;
/** Polled by Kaluma's event loop: fn never runs inside an SPI call. Returns the watch id. */
declare function setWatch(fn: (pin: number) => void, pin: number, events?: number, debounce?: number): number;
