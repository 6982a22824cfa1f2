// Device-build-only declarations: names that Node's types also declare (with other types),
// so the host build leaves this file out. Keep in step with what Espruino really offers.
declare function setTimeout(fn: () => void, ms: number): any;
declare function setInterval(fn: () => void, ms: number): any;
declare function clearTimeout(id: any): void;
declare function clearInterval(id: any): void;
declare function require(name: string): any;
declare var console: { log(...args: any[]): void };
declare var process: { memory(): { free: number; usage: number; total: number; blocksize: number } };
declare var global: any;
