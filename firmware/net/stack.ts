// The IP stack: Ethernet, ARP, IPv4, ICMP, UDP and the DHCP client over one Netif.
// A stack is ONE record (state.ts) whose methods are shared by every stack (PROTO below): the
// functions exist once in the program, a stack is its fields and three flat typed arrays, all
// created in createStack(); the per-frame path reads and writes the driver's rx/tx in place.
//
// Output convention: a transport writes its header + payload at netif.tx[34..34+l4Len) and calls
// ipSend(proto, dst, l4Len); the stack writes the IPv4 header (20 bytes, TTL 64) and the Ethernet
// header. ipSend returns an IpSend (ipv4.ts): SENT (1); PENDING_ARP (0) not on the wire yet (ARP
// resolution under way: the frame is kept in the single hold buffer when it is free, see arp.ts,
// else the caller must regenerate); NO_ROUTE (-1: no address / off-subnet without a gateway),
// LINK_DOWN (-2), REFUSED (-3: by the driver), TOO_BIG (-4: for tx). tx contents are not
// preserved across ipSend.
// Timing: tick() when due() says (clock.now() in ms; firmware/lib/eth-run.ts arms one timer for
// it), or at any rate a caller likes (every 100 ms in the tests); poll() on INT and on a poll timer.
// due() is the earliest time tick() has work: link state changed, ARP retries and aging,
// DHCP, reassembly time-outs and the onTick functions registered with a due function.

import { Netif } from "../../hal/netif";
import { Clock } from "../../hal/types";
import { Cnt, counterNames, eachDrop, StackCounters } from "./counters";
import { Eth, ethJoin, ethLeave, groupIndex } from "./ethernet";
import { arpInput, arpLookup, arpMacOf, arpSend, arpTick, Op, To } from "./arp";
import { formatIp, Ip, ipInput, IpSend, ipSend, parseIp, setAddress } from "./ipv4";
import { Udp, udpBind, udpSend, udpUnbind } from "./udp";
import { DhcpConfig, dhcpDue, dhcpStart, dhcpState, dhcpStop, dhcpTick } from "./dhcp";
import { REASM } from "./reasm";
import { ACD } from "./acd";
import { By, Parts, ProtoInput, Size, St, T, W } from "./state";

export { parseIp, formatIp, IpSend, ProtoInput, Parts };
// For tests and the console: the ARP cache, multicast groups (functions of the stack).
export { arpLookup, arpMacOf, ethJoin, ethLeave };

// For the status page, without the snapshot Stack.counters builds (about 130 variables and
// 40 ms per read on the Linux interpreter): one counter by its index, and the non-zero drops.

/** The value of counter i (Cnt, counters.ts), e.g. stackCount(stack, Cnt.IP_RX). */
export function stackCount(stack: Stack, i: Cnt): number {
  return (stack as any as St).c[i];
}

/** The first DNS server (DHCP option 6 of the current lease, or StackConfig.dns), 0 when none. */
export function stackDnsServer(stack: Stack): number {
  return (stack as any as St).c[W.DHCP_DNS];
}

/** Calls fn(layer, name, value) for each non-zero "drop" counter of the stack, in order. */
export function stackDrops(stack: Stack, fn: (layer: string, name: string, n: number) => void): void {
  eachDrop((stack as any as St).c, fn);
}

export interface StackConfig extends DhcpConfig {
  ip?: number; mask?: number; gateway?: number;   // static configuration (skips DHCP)
  /** The DNS server with a static address (stackDnsServer); DHCP's option 6 otherwise. */
  dns?: number;
  /**
   * IPv4 reassembly (reasm.ts): the largest datagram reassembled (EMTU_R, header included;
   * default: the MTU (mtu, else 1,500); at most what the driver's rx holds after the Ethernet
   * header; at least 576; 0: none, fragments dropped), and how many at a time (1 or 2; default 2
   * from 1,500 bytes, else 1).
   */
  reassembly?: number;
  reassemblySlots?: number;
  /** Where the stack says what needs a human (address conflicts). */
  log?: (s: string) => void;
  // (DhcpConfig: hostname (option 12), mtu (option 57) [1500], dhcpFallback (used when DHCP
  // fails), dhcpTries (DISCOVERs before falling back) [4], dhcpBaseMs (first retransmission
  // timeout, doubled per try up to 64 s) [4000], random [Math.random] (xid and jitter), lastIp
  // (INIT-REBOOT with it), dhcpProbes (ARP probes before using a lease) [3].)
}

const enum K {
  DEFAULT_MASK = 0xffffff00,   // a static ip without a mask: /24
}

export interface Stack {
  netif: Netif; clock: Clock;
  addr: number; mask: number; gateway: number;
  /** Handles the waiting frames (at most Size.FRAMES_PER_POLL, 64); returns how many it handled
   *  (64: more may wait, call it again). */
  poll(): number;
  tick(): void;
  /**
   * The earliest time (ms, the clock's) tick() has work: 0 when at once (the link changed),
   * Infinity when nothing is pending. Only the onTick functions registered with a due function
   * count; TCP's (tcpNextDue) and the HTTP server's the caller adds (eth-run.ts).
   */
  due(): number;
  onProtocol(proto: number, input: ProtoInput): void;
  /** fn runs at every tick(); due (optional) tells when fn next has work (ms; Infinity: none). */
  onTick(fn: (nowMs: number) => void, due?: () => number): void;
  onAddress(fn: () => void): void;
  ipSend(proto: number, dst: number, l4Len: number): IpSend;
  /** UDP (the stack itself: its bind, unbind and send). */
  udp: Udp;
  /** The counters by layer and name: a snapshot built per read (they live in one Uint32Array). */
  readonly counters: StackCounters;
  dhcpState(): string;
  /** Stops the interface: a DHCP lease is released (DHCPRELEASE), the address dropped, the client
   *  stopped. Only on createStack's stacks (the library's API has no use for it, and leaves it out). */
  stop?(): void;
  /** Link state as last seen by tick(). */
  linkUp: boolean;
}

/** Stack.poll (`this`: the stack): handles the waiting frames, at most FRAMES_PER_POLL; how many. */
function poll(this: St): number {
  var s = this, rx = s.rx, c = s.c, mac = s.netif.mac, len: number, type: number;
  for (var n = 0; n < Size.FRAMES_PER_POLL; n++) {
    len = s.netif.receive();
    if (len <= 0) {
      s.re = (s.re + 1) >>> 0;   // the queue was found empty: every frame that came before has been read
      return n;
    }
    // Ethernet: one check and one counter per reason to drop, in this order. Ours: our MAC,
    // broadcast (all six bytes 0xff: their AND is 0xff only then), or a multicast group joined.
    try {
      c[Cnt.ETH_RX]++;
      type = (rx[Eth.TYPE] << 8) | rx[Eth.TYPE + 1];
      if (len < Eth.HEADER) c[Cnt.ETH_DROP_SHORT]++;
      else if (rx[0] & Eth.GROUP_BIT ?
        (rx[0] & rx[1] & rx[2] & rx[3] & rx[4] & rx[5]) !== Eth.BROADCAST_BYTE && groupIndex(s, rx) < 0 :
        rx[5] !== mac[5] || rx[4] !== mac[4] || rx[3] !== mac[3] || rx[2] !== mac[2] || rx[1] !== mac[1] || rx[0] !== mac[0]) {
        c[Cnt.ETH_DROP_NOT_FOR_US]++;
      } else if (type === Eth.TYPE_IPV4) ipInput(s, len);
      else if (type === Eth.TYPE_ARP) arpInput(s, len);
      else c[Cnt.ETH_DROP_TYPE]++;
    } catch (e) {
      c[Cnt.ETH_ERRORS]++;
    }
  }
  return n;
}

/** Stack.tick (`this`: the stack): link state, ARP timers, DHCP, then the onTick functions. */
function tick(this: St): void {
  var s = this, now = s.clock.now(), up = s.netif.linkUp();
  if (up !== s.linkUp) {
    s.linkUp = up;
    if (up && s.addr) arpSend(s, Op.REQUEST, To.BROADCAST, s.addr);   // gratuitous ARP
  }
  arpTick(s, now);
  if (s.c[W.DHCP_ON]) dhcpTick(s, now);
  if (s.c[W.REASM_USED]) (s.pt.reasm as any).tick(s, now);   // (only with the part: state.ts Parts)
  for (var i = 0; i < s.ticks.length; i++) s.ticks[i](now);
}

/** Stack.due (`this`: the stack): when tick() next has work (see Stack.due). A few comparisons:
 *  every layer keeps its next time as a number (ARP: T.ARP_CHECK, DHCP: T.DHCP_DUE). */
function due(this: St): number {
  var s = this, c = s.c, d = s.t[T.ARP_CHECK], x: number, fns = s.dues;
  if (s.netif.linkUp() !== s.linkUp) return 0;
  if (c[W.DHCP_ON] && (x = dhcpDue(s)) < d) d = x;
  if (c[W.REASM_USED] && (x = (s.pt.reasm as any).due(s)) < d) d = x;
  for (var i = 0; i < fns.length; i++) if ((x = fns[i]()) < d) d = x;
  return d;
}

// The methods every stack shares (its prototype).
var PROTO = {
  poll: poll,
  tick: tick,
  onProtocol: function (this: St, proto: number, input: ProtoInput): void {
    this.protos[proto] = input;
  },
  due: due,
  onTick: function (this: St, fn: (nowMs: number) => void, when?: () => number): void {
    this.ticks.push(fn);
    if (when) this.dues.push(when);
  },

  onAddress: function (this: St, fn: () => void): void {
    this.addrFns.push(fn);
  },
  ipSend: ipSend,
  get counters(): StackCounters {
    var s = this as any as St, names = s.pt.names;
    // (without the names part: the counts in Cnt's order, and how to get the names)
    return names ? names(s.c) : { counts: new Uint32Array(s.c.subarray(0, Cnt.COUNT)), names: "make image PIECES=+counters" } as any;
  },
  dhcpState: dhcpState,
  bind: udpBind,
  unbind: udpUnbind,
  send: udpSend,
};

/** Every optional part (state.ts, Parts): what createStack gives a stack. */
export var ALL_PARTS: Parts = { reasm: REASM, acd: ACD, names: counterNames };

/** A stack with every part: IPv4 reassembly, RFC 5227 probing and defence, the counters' names. */
export function createStack(netif: Netif, clock: Clock, config: StackConfig): Stack {
  var s = createStackWith(netif, clock, config, ALL_PARTS);
  s.stop = dhcpStop;
  return s;
}

/** A stack with the optional parts given (state.ts, Parts; the library's pieces choose them). */
export function createStackWith(netif: Netif, clock: Clock, config: StackConfig, parts: Parts): Stack {
  var s = Object.create(PROTO) as St & Stack & Udp, rx = netif.rx, tx = netif.tx;
  var c = new Uint32Array(W.COUNT), b = new Uint8Array(By.COUNT);
  // (The fields each frame reads come first: Espruino finds a field by a linear search.)
  s.rx = rx;
  s.c = c;
  s.tx = tx;
  s.addr = 0;
  s.rxHdr = new Uint16Array(rx.buffer, rx.byteOffset + Ip.VER_IHL, Ip.MIN_HEADER >> 1);
  s.txHdr = new Uint16Array(tx.buffer, tx.byteOffset + Ip.VER_IHL, Ip.MIN_HEADER >> 1);
  var tpl = s.tpl = b.subarray(By.IP_TEMPLATE, By.IP_TEMPLATE + Size.IP_TEMPLATE);
  s.ips = c.subarray(W.ARP_IP, W.ARP_IP + Size.ARP_ENTRIES);
  s.protos = [];
  s.mask = 0;
  s.netif = netif;
  s.linkUp = netif.linkUp();
  s.b = b;
  s.t = new Float64Array(T.COUNT);
  s.ports = [];
  s.clock = clock;
  s.gateway = 0;
  s.rxSrc = rx.subarray(Eth.SRC, Eth.TYPE);
  s.ticks = [];
  s.dues = [];
  s.addrFns = [];
  s.wk = null;
  s.re = 0;
  s.udp = s;
  s.log = config.log;
  c[W.DHCP_DNS] = config.dns || 0;
  s.pt = parts;
  if (parts.reasm) parts.reasm.setup(s, config.reassembly, config.reassemblySlots, config.mtu);
  // The bytes every IPv4 frame we send starts with: Ethernet source + type, the constant IPv4
  // fields (the source address is written by setAddress), copied in one set().
  tpl.set(netif.mac, Eth.SRC);
  tpl[Eth.TYPE] = Eth.TYPE_IPV4 >> 8;
  tpl[Ip.VER_IHL] = Ip.VER_IHL_OUT;
  tpl[Ip.FLAGS_FRAG] = Ip.DF;
  tpl[Ip.TTL] = Ip.TTL_OUT;
  var ip = config.ip, mask = config.mask, gateway = config.gateway;
  if (ip !== undefined && ip !== 0) {
    setAddress(s, ip, mask === undefined ? K.DEFAULT_MASK : mask, gateway === undefined ? 0 : gateway);
  } else dhcpStart(s, config);
  return s;
}
