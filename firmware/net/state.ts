// The IP stack's state: ONE record per stack (the Stack object itself), read and written by the
// module-level functions of ethernet.ts, arp.ts, ipv4.ts, icmp.ts, udp.ts, dhcp.ts and stack.ts,
// which take it as their first argument (`s`), or as `this` where the function is one of the
// Stack's methods. No closures: on Espruino every function object and every variable a closure
// keeps alive costs memory, so the functions exist once in the program and each stack is its
// fields and three flat typed arrays:
//   c  Uint32Array: the counters (Cnt, counters.ts), then the 32-bit state (W below)
//   t  Float64Array: times in ms (T below)
//   b  Uint8Array: byte-sized state and fixed byte strings (By below)
// Every table has a fixed size (Size), so every index is a constant (const enums: tsc writes the
// numbers in place, nothing reaches the bundle). Internal field names are short: on Espruino a
// property name longer than about 8 characters takes a second variable.

import { Netif } from "../../hal/netif";
import { Clock } from "../../hal/types";
import { Cnt } from "./counters";

/** Fixed sizes. */
export const enum Size {
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
  DHCP_OPTS = 8,               // options read from a DHCP message (dhcp.ts, Slot)
  // The closing DHCP options: 12 hostname (code, length, at most 63 bytes) + the fixed ones (12).
  DHCP_TAIL = 2 + 63 + 12,
  IP_TEMPLATE = 34,            // Ethernet header + IPv4 header up to the destination
  REASM_SLOTS = 2,             // datagrams in reassembly at a time, at most (reasm.ts)
  REASM_FIELDS = 6,            // words per reassembly slot in c (reasm.ts, R)
}

/** The 32-bit state in c[], after the counters. ARP entry i: its address at ARP_IP + i, its MAC's
 * first 2 bytes at ARP_MAC_HI + i, last 4 at ARP_MAC_LO + i. */
export const enum W {
  ARP_IP = Cnt.COUNT,
  ARP_MAC_HI = ARP_IP + Size.ARP_ENTRIES,
  ARP_MAC_LO = ARP_MAC_HI + Size.ARP_ENTRIES,
  HOLD_LEN = ARP_MAC_LO + Size.ARP_ENTRIES,   // bytes held (0: the hold buffer is free)
  HOLD_IP,                                    // the next hop the held frame waits for
  IP_ID,                                      // the last IPv4 identification sent
  ECHO_OFF, ECHO_LEN,                         // the window of rx the echo view (s.echo) covers
  UDP_BOUND,                                  // bound UDP ports
  DHCP_ON,                                    // 1: the DHCP client runs (no static address)
  DHCP_STATE, DHCP_TRIES, DHCP_XID, DHCP_OFFERED, DHCP_SERVER,
  DHCP_BASE,                                  // first retransmission timeout (ms)
  DHCP_MAX_TRIES,                             // DISCOVERs before the fallback
  DHCP_TAIL_LEN,                              // bytes of closing options at By.DHCP_TAIL
  DHCP_OPTS,                                  // Size.DHCP_OPTS options of the message being read
  DHCP_DNS = DHCP_OPTS + Size.DHCP_OPTS,      // the first DNS server (option 6, or StackConfig.dns)
  DHCP_LAST,                                  // the address to ask for first (INIT-REBOOT)
  DHCP_PROBES,                                // ARP probes sent for the offered address,
  DHCP_PROBE_MAX,                             // and to send (StackConfig.dhcpProbes)
  DHCP_MASK, DHCP_ROUTER,                     // the lease's mask and router, kept while probing
  PROBE_IP,                                   // the address being probed (acd.ts; 0: none)
  REASM_SLOTS,                                // reassembly: slots (0: fragments dropped),
  REASM_SIZE,                                 // the largest datagram (EMTU_R, header included),
  REASM_MAP,                                  // bytes of each slot's block map (one per 8 data bytes),
  REASM_USED,                                 // slots in use,
  FRAG_OFF, FRAG_LEN,                         // the window of rx the fragment view (s.fv) covers
  REASM,                                      // the slots' fields (reasm.ts, R)
  COUNT = REASM + Size.REASM_SLOTS * Size.REASM_FIELDS,
}

/** Times (ms, as clock.now()) in t[]. ARP entry i: its expiry at ARP_EXPIRY + i, its next retry or
 * refresh check at ARP_NEXT + i. */
export const enum T {
  ARP_EXPIRY = 0,
  ARP_NEXT = ARP_EXPIRY + Size.ARP_ENTRIES,
  ARP_CHECK = ARP_NEXT + Size.ARP_ENTRIES,    // nothing to do in arpTick() before this time
  ICMP_TAT,                                   // port unreachable: the token bucket's virtual time
  DHCP_DUE,                                   // the DHCP client's next action
  DHCP_T1,
  DHCP_T2,
  DHCP_END,
  DHCP_DEFEND,                                // when our address was last defended (RFC 5227 2.4)
  REASM_END,                                  // reassembly slot k given up at REASM_END + k
  COUNT = REASM_END + Size.REASM_SLOTS,
}

/** Byte state and fixed byte strings in b[] (By). ARP entry i: its state at ARP_STATE + i, its count
 * at ARP_COUNT + i. Multicast group g: its MAC at GROUPS + 6 g (first byte 0: free). */
export const enum By {
  ARP_STATE = 0,
  ARP_COUNT = ARP_STATE + Size.ARP_ENTRIES,
  GROUPS = ARP_COUNT + Size.ARP_ENTRIES,
  IP_TEMPLATE = GROUPS + Size.ETH_GROUPS * 6,  // (s.tpl views it)
  DHCP_TAIL = IP_TEMPLATE + Size.IP_TEMPLATE,
  HOLD = DHCP_TAIL + Size.DHCP_TAIL,          // the ARP hold buffer
  COUNT = HOLD + Size.ARP_HOLD,
}

export type ProtoInput = (rx: Uint8Array, l4Off: number, l4Len: number, src: number, dst: number) => void;
/** A UDP receive handler; the payload is rx[off..off+len), valid during the call. (The stack is
 * passed last, for its own DHCP client; other handlers ignore it.) */
export type UdpHandler = (src: number, srcPort: number, rx: Uint8Array, off: number, len: number, s?: any) => void;

export interface DhcpFallback { ip: number; mask: number; gateway: number }

/** IPv4 reassembly (reasm.ts, REASM): set up in createStack, then called for fragments and timers. */
export interface ReasmPart {
  setup(s: St, size: number | undefined, slots: number | undefined, mtu: number | undefined): void;
  input(s: St, ihl: number, tl: number): number;
  due(s: St): number;
  tick(s: St, now: number): void;
}
/** RFC 5227 address conflict detection (acd.ts, ACD): probing a leased address, defending one in use. */
export interface AcdPart {
  start(s: St, ip: number, now: number): void;
  tick(s: St, now: number): void;
  arp(s: St, op: number, spa: number, tpa: number): boolean;
}
/**
 * The stack's optional parts (pay for what you use): createStack (stack.ts) has them all;
 * the library (firmware/lib/eth.ts) only those its pieces put in. Without reasm, fragments are
 * dropped (ip.dropFragment); without acd, a lease is used without ARP probes and an ARP packet
 * from another host claiming our address is dropped and counted (arp.conflicts), not defended;
 * without names, Stack.counters gives the counts without their names.
 */
export interface Parts {
  reasm: ReasmPart | null;
  acd: AcdPart | null;
  names: ((counts: Uint32Array) => { [layer: string]: { [name: string]: number } }) | null;
}

/** The record. The first fields are the Stack's public ones. */
export interface St {
  netif: Netif;
  clock: Clock;
  addr: number;
  mask: number;
  gateway: number;
  linkUp: boolean;
  rx: Uint8Array;
  tx: Uint8Array;
  c: Uint32Array;
  t: Float64Array;
  b: Uint8Array;
  /** b's IPv4 output template (Ethernet source and type, IPv4 header to the source address). */
  tpl: Uint8Array;
  /** The IPv4 headers in rx and tx (at 14, 20 bytes) as 16-bit views, for the header checksum. */
  rxHdr: Uint16Array;
  txHdr: Uint16Array;
  /** The ARP cache's addresses (c at W.ARP_IP, Size.ARP_ENTRIES words), for a native indexOf. */
  ips: Uint32Array;
  /** rx's source MAC (6..12): replies go there. */
  rxSrc: Uint8Array;
  /** The last echo request's view of rx (undefined until the first). */
  echo: Uint8Array | undefined;
  /** Reassembly (reasm.ts): the slots' bytes then their block maps (undefined: none); a view of
   * each slot's bytes; rx's IPv4 header (14..34); the last fragment's view of rx. */
  rb: Uint8Array | undefined;
  rs: Uint8Array[];
  rxIp: Uint8Array;
  fv: Uint8Array | undefined;
  /** The receive epoch: polls that found the link's receive queue empty (TCP: a half-open slot's
   *  peer may still have its ACK waiting, unread, until this moves on; alloc.ts evictable()). */
  re: number;
  /** Where the stack says what it does (address conflicts, DHCP): StackConfig.log. */
  log: ((s: string) => void) | undefined;
  /** Input handlers by IP protocol number (sparse), UDP handlers by port (sparse). */
  protos: ProtoInput[];
  ports: (UdpHandler | undefined)[];
  ticks: ((now: number) => void)[];
  /** The due functions registered with onTick (Stack.due). */
  dues: (() => number)[];
  addrFns: (() => void)[];
  /** The runner's wake-up (firmware/lib/eth-run.ts): set while the runner is not running its own
   *  callbacks, so that a send from an application's call has its deadlines looked at. */
  wk: (() => void) | null;
  /** DHCP: random in [0, 1) (xid, jitter), the fallback address. */
  rand: () => number;
  fall: DhcpFallback | null | undefined;
  /** The optional parts (one object shared by the stacks made with them). */
  pt: Parts;
}
