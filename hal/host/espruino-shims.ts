// Host stand-ins for the Espruino natives device code calls (E.sum, E.toString, ...), with the
// same results as on a board. Installed on globalThis by test/setup.ts for host tests, and
// offered inside the simulated board's vm context by sim/.

import { crc32 } from "../../emu/enc28j60/crc";

/** Character codes per String.fromCharCode.apply call (an argument list has a size limit). */
const APPLY_CHUNK = 4096;

export interface HostE {
  sum(arr: ArrayLike<number>): number;
  convolve(arr1: ArrayLike<number>, arr2: ArrayLike<number>, offset: number): number;
  toString(...args: any[]): string;
  toUint8Array(...args: any[]): Uint8Array;
  getSizeOf(v: any, depth?: number): number;
  CRC32(data: any): number;
  on(event: string, fn: () => void): void;
}

function flattenBytes(args: any[], out: number[]): void {
  for (const a of args) {
    if (typeof a === "number") out.push(a & 255);
    else if (typeof a === "string") for (let i = 0; i < a.length; i++) out.push(a.charCodeAt(i) & 255);
    else if (a && typeof a.length === "number") for (let i = 0; i < a.length; i++) flattenBytes([a[i]], out);
    else if (a && typeof a === "object" && a.data !== undefined) {
      const n = a.count || 1;
      for (let i = 0; i < n; i++) flattenBytes([a.data], out);
    }
  }
}

export function makeHostE(): HostE {
  return {
    sum(arr: ArrayLike<number>): number {
      let s = 0;
      for (let i = 0; i < arr.length; i++) s += arr[i];
      return s;
    },
    convolve(arr1: ArrayLike<number>, arr2: ArrayLike<number>, offset: number): number {
      let s = 0;
      const n = arr2.length, o = ((offset | 0) % n + n) % n;
      for (let i = 0; i < arr1.length; i++) s += arr1[i] * arr2[(i + o) % n];
      return s;
    },
    toString(...args: any[]): string {
      const bytes: number[] = [];
      flattenBytes(args, bytes);
      let s = "";
      for (let i = 0; i < bytes.length; i += APPLY_CHUNK) s += String.fromCharCode.apply(null, bytes.slice(i, i + APPLY_CHUNK));
      return s;
    },
    toUint8Array(...args: any[]): Uint8Array {
      const bytes: number[] = [];
      flattenBytes(args, bytes);
      return Uint8Array.from(bytes);
    },
    getSizeOf(): number {
      return 0;
    },
    CRC32(data: any): number {
      const bytes: number[] = [];
      flattenBytes([data], bytes);
      return crc32(Uint8Array.from(bytes), 0, bytes.length); // the IEEE 802.3 CRC-32, as Ethernet's FCS
    },
    on(): void {
      /* no board events on the host */
    },
  };
}

/** Puts E on globalThis so device modules compiled for Node can run in host tests. */
export function installEspruinoShims(): void {
  const g = globalThis as any;
  if (!g.E) g.E = makeHostE();
  if (!g.getTime) g.getTime = () => Number(process.hrtime.bigint()) / 1e9;
}
