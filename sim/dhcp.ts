// A small DHCP server for the gateway's side of the emulated wire, and a DHCP snooper that
// learns the device's address from any server's ACK (used to print the address in TAP mode).
// Host code. Works on raw Ethernet frames: a client without an address is answered with a
// broadcast (Ethernet ff:ff:ff:ff:ff:ff, IP 255.255.255.255), which an ARP-based IP output
// path cannot send, so the replies are built here rather than through the gateway stack's UDP.

export function ipToNum(s: string): number {
  const p = s.split(".").map((x) => Number(x));
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error("bad IPv4 address '" + s + "'");
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}
export function numToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
export function macToBytes(s: string): Uint8Array {
  const p = s.split(/[:-]/);
  if (p.length !== 6 || p.some((x) => !/^[0-9a-fA-F]{2}$/.test(x))) throw new Error("bad MAC address '" + s + "'");
  return Uint8Array.from(p.map((x) => parseInt(x, 16)));
}
export function bytesToMac(b: Uint8Array, off = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(b[off + i].toString(16).padStart(2, "0"));
  return out.join(":");
}

function csum(b: Uint8Array, off: number, len: number, acc = 0): number {
  for (let i = 0; i + 1 < len; i += 2) acc += (b[off + i] << 8) | b[off + i + 1];
  if (len & 1) acc += b[off + len - 1] << 8;
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}

/** Offsets of a UDP datagram in an Ethernet/IPv4 frame, or null. */
export function udpIn(f: Uint8Array): { ipOff: number; udpOff: number; src: number; dst: number; sport: number; dport: number; dataOff: number; dataLen: number } | null {
  if (f.length < 42 || f[12] !== 0x08 || f[13] !== 0x00 || (f[14] >> 4) !== 4 || f[23] !== 17) return null;
  const ihl = (f[14] & 15) * 4;
  const udpOff = 14 + ihl;
  if (f.length < udpOff + 8) return null;
  const ulen = (f[udpOff + 4] << 8) | f[udpOff + 5];
  const dv = new DataView(f.buffer, f.byteOffset, f.length);
  return {
    ipOff: 14, udpOff,
    src: dv.getUint32(26), dst: dv.getUint32(30),
    sport: dv.getUint16(udpOff), dport: dv.getUint16(udpOff + 2),
    dataOff: udpOff + 8, dataLen: Math.min(ulen - 8, f.length - udpOff - 8),
  };
}

/** Parses the options of a BOOTP message at off (after the 240-byte fixed part + magic). */
export function dhcpOptions(f: Uint8Array, off: number, len: number): Map<number, Uint8Array> | null {
  if (len < 240) return null;
  if (f[off + 236] !== 99 || f[off + 237] !== 130 || f[off + 238] !== 83 || f[off + 239] !== 99) return null;
  const opts = new Map<number, Uint8Array>();
  let i = off + 240;
  const end = off + len;
  while (i < end) {
    const code = f[i];
    if (code === 255) break;
    if (code === 0) { i++; continue; }
    if (i + 1 >= end) break;
    const l = f[i + 1];
    opts.set(code, f.subarray(i + 2, Math.min(end, i + 2 + l)));
    i += 2 + l;
  }
  return opts;
}

export interface DhcpLeaseInfo { mac: string; ip: number; mask: number; router: number }

/** Learns addresses handed out by any DHCP server (an ACK seen on the wire). */
export function snoopDhcpAck(f: Uint8Array): DhcpLeaseInfo | null {
  const u = udpIn(f);
  if (!u || u.sport !== 67 || u.dport !== 68) return null;
  const o = u.dataOff;
  if (f[o] !== 2) return null;
  const opts = dhcpOptions(f, o, u.dataLen);
  if (!opts || !opts.get(53) || opts.get(53)![0] !== 5) return null;
  const dv = new DataView(f.buffer, f.byteOffset, f.length);
  const v4 = (b: Uint8Array | undefined) => (b && b.length >= 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0) : 0);
  return { mac: bytesToMac(f, o + 28), ip: dv.getUint32(o + 16), mask: v4(opts.get(1)), router: v4(opts.get(3)) };
}

export interface DhcpServerOptions {
  serverIp: number; serverMac: Uint8Array; mask: number; router: number;
  poolStart: number; poolEnd: number; leaseSeconds: number;
}

export interface DhcpServer {
  /** Handles a frame from the device; returns the reply frame, or null when it is not for us. */
  handle(frame: Uint8Array): Uint8Array | null;
  leases: Map<string, number>;
  counters: { discover: number; offer: number; request: number; ack: number; nak: number; release: number; ignored: number };
}

export function createDhcpServer(o: DhcpServerOptions): DhcpServer {
  const leases = new Map<string, number>();
  const counters = { discover: 0, offer: 0, request: 0, ack: 0, nak: 0, release: 0, ignored: 0 };
  function allocate(mac: string, wanted: number): number {
    const have = leases.get(mac);
    if (have !== undefined) return have;
    const taken = new Set(leases.values());
    if (wanted >= o.poolStart && wanted <= o.poolEnd && !taken.has(wanted)) return wanted;
    for (let ip = o.poolStart; ip <= o.poolEnd; ip++) if (!taken.has(ip)) return ip;
    return 0;
  }
  function reply(req: Uint8Array, bootp: number, type: number, yiaddr: number): Uint8Array {
    const optBytes: number[] = [53, 1, type, 54, 4, ...u32(o.serverIp)];
    if (type !== 6) {
      optBytes.push(51, 4, ...u32(o.leaseSeconds), 58, 4, ...u32(o.leaseSeconds >>> 1), 59, 4, ...u32(Math.floor(o.leaseSeconds * 0.875)));
      optBytes.push(1, 4, ...u32(o.mask), 3, 4, ...u32(o.router));
    }
    optBytes.push(255);
    const bootpLen = Math.max(300, 240 + optBytes.length);
    const f = new Uint8Array(14 + 20 + 8 + bootpLen);
    const dv = new DataView(f.buffer);
    f.fill(0xff, 0, 6);
    f.set(o.serverMac, 6);
    f[12] = 0x08; f[13] = 0x00;
    f[14] = 0x45; dv.setUint16(16, 20 + 8 + bootpLen); f[22] = 64; f[23] = 17;
    dv.setUint32(26, o.serverIp); dv.setUint32(30, 0xffffffff);
    dv.setUint16(24, (~csum(f, 14, 20)) & 0xffff);
    dv.setUint16(34, 67); dv.setUint16(36, 68); dv.setUint16(38, 8 + bootpLen);
    const b = 42;
    f[b] = 2; f[b + 1] = 1; f[b + 2] = 6;
    f.set(req.subarray(bootp + 4, bootp + 8), b + 4); // xid
    f.set(req.subarray(bootp + 10, bootp + 12), b + 10); // flags
    dv.setUint32(b + 16, yiaddr);
    dv.setUint32(b + 20, o.serverIp);
    f.set(req.subarray(bootp + 28, bootp + 44), b + 28); // chaddr
    f[b + 236] = 99; f[b + 237] = 130; f[b + 238] = 83; f[b + 239] = 99;
    f.set(optBytes, b + 240);
    let acc = (o.serverIp >>> 16) + (o.serverIp & 0xffff) + 0xffff + 0xffff + 17 + 8 + bootpLen;
    acc = csum(f, 34, 8 + bootpLen, acc);
    dv.setUint16(40, ((~acc) & 0xffff) || 0xffff);
    return f;
  }
  function u32(n: number): number[] { return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]; }
  return {
    leases,
    counters,
    handle(f: Uint8Array): Uint8Array | null {
      const u = udpIn(f);
      if (!u || u.dport !== 67) return null;
      const bo = u.dataOff;
      if (f[bo] !== 1 || f[bo + 1] !== 1 || f[bo + 2] !== 6) { counters.ignored++; return null; }
      const opts = dhcpOptions(f, bo, u.dataLen);
      const t = opts && opts.get(53);
      if (!opts || !t) { counters.ignored++; return null; }
      const mac = bytesToMac(f, bo + 28);
      const reqIpOpt = opts.get(50);
      const dv = new DataView(f.buffer, f.byteOffset, f.length);
      const ciaddr = dv.getUint32(bo + 12);
      const wanted = reqIpOpt && reqIpOpt.length === 4 ? new DataView(reqIpOpt.buffer, reqIpOpt.byteOffset, 4).getUint32(0) : ciaddr;
      switch (t[0]) {
        case 1: { // DISCOVER
          counters.discover++;
          const ip = allocate(mac, wanted);
          if (!ip) return null;
          leases.set(mac, ip);
          counters.offer++;
          return reply(f, bo, 2, ip);
        }
        case 3: { // REQUEST
          counters.request++;
          const sid = opts.get(54);
          if (sid && sid.length === 4 && new DataView(sid.buffer, sid.byteOffset, 4).getUint32(0) !== o.serverIp) { counters.ignored++; return null; }
          const ip = allocate(mac, wanted);
          if (!ip || (wanted && wanted !== ip)) { counters.nak++; leases.delete(mac); return reply(f, bo, 6, 0); }
          leases.set(mac, ip);
          counters.ack++;
          return reply(f, bo, 5, ip);
        }
        case 4: // DECLINE
        case 7: // RELEASE
          counters.release++;
          leases.delete(mac);
          return null;
        default:
          counters.ignored++;
          return null;
      }
    },
  };
}
