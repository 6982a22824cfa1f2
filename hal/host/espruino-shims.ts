// Host stand-ins for the Espruino natives device code calls (E.sum, E.toString, ...), with the
// same results as on a board. Installed on globalThis by test/setup.ts for host tests, and
// offered inside the simulated board's vm context by sim/.

export interface HostE {
  sum(arr: ArrayLike<number>): number;
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

let crcTable: Uint32Array | undefined;
function crc32(bytes: ArrayLike<number>): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function makeHostE(): HostE {
  return {
    sum(arr: ArrayLike<number>): number {
      let s = 0;
      for (let i = 0; i < arr.length; i++) s += arr[i];
      return s;
    },
    toString(...args: any[]): string {
      const bytes: number[] = [];
      flattenBytes(args, bytes);
      let s = "";
      for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode.apply(null, bytes.slice(i, i + 4096));
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
      return crc32(bytes);
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
