// The IP stack: composes Ethernet, ARP, IPv4, ICMP, UDP and the DHCP client over one Netif.
// Everything (tables, views, closures, counters) is created here once; the per-frame path reads
// and writes the driver's rx/tx buffers in place.
//
// Output convention: a transport writes its header + payload at netif.tx[34..34+l4Len) and calls
// ipSend(proto, dst, l4Len); the stack writes the IPv4 header (20 bytes, TTL 64) and the Ethernet
// header. ipSend returns an IpSend (ipv4.ts): SENT (1); PENDING_ARP (0) not on the wire yet (ARP
// resolution under way: the frame is kept in the single hold buffer when it is free, see arp.ts,
// else the caller must regenerate); NO_ROUTE (-1: no address / off-subnet without a gateway),
// LINK_DOWN (-2), REFUSED (-3: by the driver), TOO_BIG (-4: for tx). tx contents are not
// preserved across ipSend.
// Timing: tick() about every 100 ms (clock.now() in ms); poll() on INT and on a poll timer.

import { Netif } from "../../hal/netif";
import { Clock } from "../../hal/types";
import { Cnt, counterNames, createCounters, StackCounters } from "./counters";
import { createEthFilter, Eth, EthFilter } from "./ethernet";
import { createArp, Arp } from "./arp";
import { rd16, rd32, wr32 } from "./bytes";
import { createIpv4, parseIp, formatIp, Addr, Ip, IpSend, Proto } from "./ipv4";
import { createIcmp } from "./icmp";
import { createUdp, UdpHandler } from "./udp";
import { createDhcp, Dhcp } from "./dhcp";

export { parseIp, formatIp, IpSend };

export interface StackConfig {
  ip?: number; mask?: number; gateway?: number;   // static configuration (skips DHCP)
  hostname?: string;                              // DHCP option 12
  mtu?: number;                                   // the largest IP datagram taken (DHCP option 57) [1500]
  dhcpFallback?: { ip: number; mask: number; gateway: number } | null; // used when DHCP fails
  // Extensions (all optional, defaults in brackets):
  dhcpTries?: number;        // DISCOVERs before falling back [4]
  dhcpBaseMs?: number;       // first DHCP retransmission timeout, doubled per try up to 64 s [4000]
  random?: () => number;     // [Math.random] (DHCP xid and retransmission jitter)
}
// Fixed sizes.
const enum Size {
  ARP_ENTRIES = 8,
  // The ARP hold buffer: frames up to this size wait for their next hop's MAC (a DHCP message in
  // its UDP, IP and Ethernet headers: 300 + 42; TCP's control segments and small data are
  // smaller). Larger ones are not held: their sender regenerates them (TCP retransmits). A
  // full-size buffer (1,518 bytes) would cost a small board about 120 variables.
  ARP_HOLD = 342,
  UDP_PORTS = 4,               // bindings
  ETH_GROUPS = 2,              // joinable Ethernet multicast groups
  FRAMES_PER_POLL = 64,        // at most this many frames handled per poll() (a bound, not a batch)
  UNREACHABLE_BURST = 4,       // ICMP port unreachable: token bucket size,
  UNREACHABLE_REFILL_MS = 250, // and one token back per this many ms
}
const enum K {
  DEFAULT_MASK = 0xffffff00,   // a static ip without a mask: /24
  // IPv4 multicast 224.0.0.0/4 (first nibble 14) maps to the MAC 01:00:5e + the group's low
  // 23 bits (RFC 1112 6.4).
  MCAST_NIBBLE = 14,
  MCAST_MAC0 = 0x01,
  MCAST_MAC1 = 0x00,
  MCAST_MAC2 = 0x5e,
  MCAST_GROUP_BITS = 0x7fffff,
}

export type ProtoInput = (rx: Uint8Array, l4Off: number, l4Len: number, src: number, dst: number) => void;

export interface Stack {
  netif: Netif; clock: Clock;
  addr: number; mask: number; gateway: number;
  poll(): void;
  tick(): void;
  onProtocol(proto: number, input: ProtoInput): void;
  onTick(fn: (nowMs: number) => void): void;
  onAddress(fn: () => void): void;
  ipSend(proto: number, dst: number, l4Len: number): IpSend;
  udp: {
    bind(port: number, fn: UdpHandler): boolean;
    unbind(port: number): void;
    send(dst: number, dstPort: number, srcPort: number, len: number): IpSend;
  };
  /** The counters by layer and name: a snapshot built per read (they live in one Uint32Array). */
  readonly counters: StackCounters;
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
  var rxSrcMac = rx.subarray(Eth.SRC, Eth.TYPE);
  var c = createCounters();
  var protoFns: ProtoInput[] = [];   // indexed by IP protocol number (sparse)
  var tickers: ((now: number) => void)[] = [];
  var addressFns: (() => void)[] = [];
  var dhcp: Dhcp | null = null;

  function sendFrame(len: number): IpSend {
    if (netif.send(len)) {
      c[Cnt.ETH_TX]++;
      c[Cnt.IP_TX]++;
      return IpSend.SENT;
    }
    c[Cnt.ETH_TX_FAIL]++;
    return IpSend.REFUSED;
  }

  function ipSend(proto: number, dst: number, l4Len: number): IpSend {
    var len = l4Len + Ip.PAYLOAD;
    if (len > tx.length) return IpSend.TOO_BIG;
    if (!stack.linkUp) return IpSend.LINK_DOWN;
    var addr = stack.addr;
    ipv4.writeHeader(proto, dst, l4Len);
    if (dst === Addr.BROADCAST || (addr !== 0 && dst === ((addr | ~stack.mask) >>> 0))) {
      tx.fill(Eth.BROADCAST_BYTE, Eth.DST, Eth.DST + Eth.MAC_LEN);
    } else if (dst >>> 28 === K.MCAST_NIBBLE) {
      wr32(tx, Eth.DST + 2, dst & K.MCAST_GROUP_BITS);
      tx[Eth.DST] = K.MCAST_MAC0; tx[Eth.DST + 1] = K.MCAST_MAC1; tx[Eth.DST + 2] = K.MCAST_MAC2;
    } else {
      var hop = ((dst ^ addr) & stack.mask) === 0 ? dst : stack.gateway;
      if (addr === 0 || hop === 0) return IpSend.NO_ROUTE;
      if (arp.resolve(len, hop) === IpSend.PENDING_ARP) return IpSend.PENDING_ARP;
    }
    return sendFrame(len);
  }

  /** Sends the l4Len-byte payload at tx[34..) back to the sender of the frame in rx. */
  function sendReply(proto: number, l4Len: number): IpSend {
    ipv4.writeHeader(proto, -1, l4Len);
    tx.set(rxSrcMac, Eth.DST);
    return sendFrame(l4Len + Ip.PAYLOAD);
  }

  function deliver(proto: number, off: number, len: number): void {
    if (proto === Proto.UDP) udp.input(rx, off, len);
    else if (proto === Proto.ICMP) icmp.input(rx, off, len);
    else if (protoFns[proto]) protoFns[proto](rx, off, len, rd32(rx, Ip.SRC), rd32(rx, Ip.DST));
    else c[Cnt.IP_DROP_PROTO]++;
  }

  // One check and one counter per reason to drop, in this order.
  function frame(len: number): void {
    c[Cnt.ETH_RX]++;
    if (len < Eth.HEADER) { c[Cnt.ETH_DROP_SHORT]++; return; }
    if (!eth.accepts(rx)) { c[Cnt.ETH_DROP_NOT_FOR_US]++; return; }
    var t = rd16(rx, Eth.TYPE);
    if (t === Eth.TYPE_IPV4) ipv4.input(rx, len);
    else if (t === Eth.TYPE_ARP) arp.input(rx, len);
    else c[Cnt.ETH_DROP_TYPE]++;
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

  var eth = createEthFilter(netif.mac, Size.ETH_GROUPS);
  var stack: Stack = {
    netif: netif,
    clock: clock,
    addr: 0,
    mask: 0,
    gateway: 0,
    linkUp: netif.linkUp(),
    poll: function (): void {
      for (var n = 0; n < Size.FRAMES_PER_POLL; n++) {
        var len = netif.receive();
        if (len <= 0) return;
        try {
          frame(len);
        } catch (e) {
          c[Cnt.ETH_ERRORS]++;
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
    get counters(): StackCounters {
      return counterNames(c);
    },
    dhcpState: function (): string {
      return dhcp ? dhcp.state() : "static";
    },
    eth: eth,
  } as Stack;
  var arp = stack.arp = createArp(netif, clock, stack, c, Size.ARP_ENTRIES, Size.ARP_HOLD);
  var ipv4 = createIpv4(netif, stack, c, deliver);
  var icmp = createIcmp(netif, stack, c, sendReply, Size.UNREACHABLE_BURST, Size.UNREACHABLE_REFILL_MS);
  var udp = stack.udp = createUdp(netif, stack, c, Size.UDP_PORTS, ipSend, icmp.portUnreachable);
  var ip = config.ip, mask = config.mask, gateway = config.gateway;
  if (ip !== undefined && ip !== 0) {
    setAddress(ip, mask === undefined ? K.DEFAULT_MASK : mask, gateway === undefined ? 0 : gateway);
  } else {
    dhcp = createDhcp(netif, clock, stack, c, udp, setAddress, config);
  }
  return stack;
}
