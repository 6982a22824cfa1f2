// The IP stack: composes Ethernet, ARP, IPv4, ICMP, UDP and the DHCP client over one Netif.
// Everything (tables, views, closures, counters) is created here once; the per-frame path reads
// and writes the driver's rx/tx buffers in place.
//
// Output convention: a transport writes its header + payload at netif.tx[34..34+l4Len) and calls
// ipSend(proto, dst, l4Len); the stack writes the IPv4 header (20 bytes, TTL 64) and the Ethernet
// header. ipSend results: 1 sent; 0 not on the wire yet (ARP resolution under way: the frame is
// kept in the single hold buffer when it is free, see arp.ts, else the caller must regenerate);
// -1 no route (no address / off-subnet without a gateway), -2 link down, -3 the driver refused
// the frame, -4 too big for tx. tx contents are not preserved across ipSend.
// Timing: tick() about every 100 ms (clock.now() in ms); poll() on INT and on a poll timer.

import { Netif } from "../../hal/netif";
import { Clock } from "../../hal/types";
import { createCounters, StackCounters } from "./counters";
import { createEthFilter, EthFilter } from "./ethernet";
import { createArp, Arp } from "./arp";
import { createIpv4, parseIp, formatIp, rd16, rd32, wr32 } from "./ipv4";
import { createIcmp } from "./icmp";
import { createUdp, UdpHandler } from "./udp";
import { createDhcp, Dhcp } from "./dhcp";

export { parseIp, formatIp };

export interface StackConfig {
  ip?: number; mask?: number; gateway?: number;   // static configuration (skips DHCP)
  hostname?: string;                              // DHCP option 12
  dhcpFallback?: { ip: number; mask: number; gateway: number } | null; // used when DHCP fails
  // Extensions (all optional, defaults in brackets):
  dhcpTries?: number;        // DISCOVERs before falling back [4]
  dhcpBaseMs?: number;       // first DHCP retransmission timeout, doubled per try up to 64 s [4000]
  random?: () => number;     // [Math.random] (DHCP xid and retransmission jitter)
}
// Fixed sizes: ARP cache 8 entries, ARP hold buffer netif.tx.length, 4 UDP bindings,
// 2 joinable Ethernet multicast groups, at most 64 frames handled per poll() (a bound, not a batch).

export type ProtoInput = (rx: Uint8Array, l4Off: number, l4Len: number, src: number, dst: number) => void;

export interface Stack {
  netif: Netif; clock: Clock;
  addr: number; mask: number; gateway: number;
  poll(): void;
  tick(): void;
  onProtocol(proto: number, input: ProtoInput): void;
  onTick(fn: (nowMs: number) => void): void;
  onAddress(fn: () => void): void;
  ipSend(proto: number, dst: number, l4Len: number): number;
  udp: {
    bind(port: number, fn: UdpHandler): boolean;
    unbind(port: number): void;
    send(dst: number, dstPort: number, srcPort: number, len: number): number;
  };
  counters: StackCounters;
  dhcpState(): string;
  // Extensions for tests and the status page:
  arp: Arp;
  eth: EthFilter;
  /** Link state as last seen by tick(). */
  linkUp: boolean;
}

export function createStack(netif: Netif, clock: Clock, config: StackConfig): Stack {
  var rx = netif.rx;
  var tx = netif.tx;
  var rxSrcMac = rx.subarray(6, 12);
  var counters = createCounters();
  var ce = counters.eth;
  var ci = counters.ip;
  var protoFns: ProtoInput[] = [];   // indexed by IP protocol number (sparse)
  var tickers: ((now: number) => void)[] = [];
  var addressFns: (() => void)[] = [];
  var dhcp: Dhcp | null = null;

  function sendFrame(len: number): number {
    if (netif.send(len)) {
      ce.tx++;
      ci.tx++;
      return 1;
    }
    ce.txFail++;
    return -3;
  }

  function ipSend(proto: number, dst: number, l4Len: number): number {
    var len = l4Len + 34;
    if (len > tx.length) return -4;
    if (!stack.linkUp) return -2;
    var addr = stack.addr;
    ipv4.writeHeader(proto, dst, l4Len);
    if (dst === 0xffffffff || (addr !== 0 && dst === ((addr | ~stack.mask) >>> 0))) tx.fill(255, 0, 6);
    else if (dst >>> 28 === 14) {     // 224.0.0.0/4: 01:00:5e + the group's low 23 bits
      wr32(tx, 2, dst & 0x7fffff);
      tx[0] = 1; tx[1] = 0; tx[2] = 0x5e;
    } else {
      var hop = ((dst ^ addr) & stack.mask) === 0 ? dst : stack.gateway;
      if (addr === 0 || hop === 0) return -1;
      if (arp.resolve(len, hop) === 0) return 0;
    }
    return sendFrame(len);
  }

  /** Sends the l4Len-byte payload at tx[34..) back to the sender of the frame in rx. */
  function sendReply(proto: number, l4Len: number): number {
    ipv4.writeHeader(proto, -1, l4Len);
    tx.set(rxSrcMac, 0);
    return sendFrame(l4Len + 34);
  }

  function deliver(proto: number, off: number, len: number): void {
    if (proto === 17) udp.input(rx, off, len);
    else if (proto === 1) icmp.input(rx, off, len);
    else if (protoFns[proto]) protoFns[proto](rx, off, len, rd32(rx, 26), rd32(rx, 30));
    else ci.dropProto++;
  }

  function frame(len: number): void {
    ce.rx++;
    var t = rd16(rx, 12);
    var drop = len < 14 ? "dropShort" : !eth.accepts(rx) ? "dropNotForUs" : t !== 0x0800 && t !== 0x0806 ? "dropType" : "";
    if (drop) ce[drop]++;
    else if (t === 0x0800) ipv4.input(rx, len);
    else arp.input(rx, len);
  }

  function setAddress(addr: number, mask: number, gateway: number): void {
    var changed = addr !== stack.addr;
    stack.addr = addr;
    stack.mask = mask;
    stack.gateway = gateway;
    ipv4.setSource(addr);
    if (!changed) return;
    arp.flush();
    if (stack.linkUp) arp.announce();
    for (var i = 0; i < addressFns.length; i++) addressFns[i]();
  }

  var eth = createEthFilter(netif.mac, 2);
  var stack: Stack = {
    netif: netif,
    clock: clock,
    addr: 0,
    mask: 0,
    gateway: 0,
    linkUp: netif.linkUp(),
    poll: function (): void {
      for (var n = 0; n < 64; n++) {
        var len = netif.receive();
        if (len <= 0) return;
        try {
          frame(len);
        } catch (e) {
          ce.errors++;
        }
      }
    },
    tick: function (): void {
      var now = clock.now();
      var up = netif.linkUp();
      if (up !== stack.linkUp) {
        stack.linkUp = up;
        if (up) arp.announce();
      }
      arp.tick(now);
      icmp.tick(now);
      if (dhcp) dhcp.tick(now);
      for (var i = 0; i < tickers.length; i++) tickers[i](now);
    },
    onProtocol: function (proto: number, input: ProtoInput): void {
      protoFns[proto] = input;
    },
    onTick: function (fn: (nowMs: number) => void): void {
      tickers.push(fn);
    },
    onAddress: function (fn: () => void): void {
      addressFns.push(fn);
    },
    ipSend: ipSend,
    counters: counters,
    dhcpState: function (): string {
      return dhcp ? dhcp.state() : "static";
    },
    eth: eth,
  } as Stack;
  var arp = stack.arp = createArp(netif, clock, stack, counters.arp, ce, 8, tx.length);
  var ipv4 = createIpv4(netif, stack, ci, deliver);
  var icmp = createIcmp(netif, stack, counters.icmp, sendReply, 4, 250);
  var udp = stack.udp = createUdp(netif, stack, counters.udp, 4, ipSend, icmp.portUnreachable);
  var ip = config.ip, mask = config.mask, gateway = config.gateway;
  if (ip !== undefined && ip !== 0) {
    setAddress(ip, mask === undefined ? 0xffffff00 : mask, gateway === undefined ? 0 : gateway);
  } else {
    dhcp = createDhcp(netif, clock, stack, counters.dhcp, udp, setAddress, config);
  }
  return stack;
}
