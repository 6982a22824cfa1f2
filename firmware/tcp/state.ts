// TCP's state: ONE record per TCP (the Tcp object itself, created in tcp.ts with its methods on
// a shared prototype), read and written by the module-level functions of input.ts, ack.ts,
// output.ts, events.ts, alloc.ts and timers.ts, which take it as their first argument (`t`).
// No closures: on Espruino every function object and every scope a closure keeps alive costs
// variables, so each function exists once in the program and a TCP is this record, the slot
// arrays (slots.ts) and the send pool (pool.ts), all created in createTcp().
//
// Field names are short (on Espruino a name longer than about 8 characters takes a second
// variable) and the ones every segment reads come first (a field is found by a linear search).

import { IpSend } from "../net/ipv4";
import { Pool } from "./pool";
import { Slots } from "./slots";

/** Fixed numbers of this TCP (const enum: tsc writes them in place). */
export const enum K {
  LISTENERS = 4,            // listener table size
  ACK_DELAY_MS = 100,       // delayed ACK, serviced by the ~100 ms tick
  ACK_EVERY = 2,            // full segments received before an immediate ACK (RFC 9293 3.8.6.3)
  MSS_MAX = 1460,           // our default and largest MSS: 1500-byte MTU - 20 IPv4 - 20 TCP
  MSS_MIN = 64,             // smallest MSS createTcp() accepts
  MSS_DEFAULT = 536,        // the send MSS when the peer sends no MSS option (MUST-15)
  MAX_16 = 65535,           // windows, queue lengths and offsets are 16-bit; the largest window
  PORT_MAX = 65535,
  EPHEMERAL_FIRST = 49152,  // dynamic ports 49152-65535 (RFC 6335 6)
  EPHEMERAL_COUNT = 16384,
  EPHEMERAL_MASK = 0x3fff,  // the first port of a boot: EPHEMERAL_FIRST + key bits
  CHALLENGE_ACK_MS = 1000,  // the challenge-ACK budget is per second (RFC 5961 7)
  PROBES_MAX = 255,         // probes[] is a Uint8Array
  // Output deferred while a handler runs (events.ts): at most this many sends and closes wait
  // for the handler to return; one more sends them at once, in order.
  DEFER_MAX = 8,
  DEFER_FIN = 0x80,         // in the deferred list's slot byte: a close() (the FIN may go)
  DEFER_SLOT = 0x7f,
}

/** IPv4 addresses that are never a TCP peer (MUST-46/57/63), by first octet. */
export const enum Addr {
  THIS_NET = 0,        // 0.0.0.0/8
  LOOPBACK = 127,      // 127.0.0.0/8
  MULTICAST = 224,     // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, 255.255.255.255
  ALL_ONES = 0xffffffff,
}

// Counters, by index (t.counts[C.x]); counterNames() gives the names of tcp.counters, same order.
// Two names cover more than their name says (the names are public, so they stay):
// dropNoListener also counts a segment to a listener with neither SYN nor ACK, and dropBadAck
// counts both an unacceptable ACK in SYN-SENT/SYN-RCVD (answered with a RST) and an ACK older
// than SND.UNA - 65535 (RFC 5961 5.2, answered with an ACK).
export const enum C {
  segIn, segOut, retransmits, challengeAcks, challengeAcksLimited, dropShort, dropChecksum,
  dropBadOptions, dropOutOfWindow, dropOutOfOrder, dropNoAck, dropNoListener, dropRst, dropSynFull,
  dropAckUnsent, dropAddress, dropBadAck, dropDuplicate, accepted, opened, giveUps,
  reuseTimeWait, evictHalfOpen, evictIdle, backlogEvict, zeroWindowProbes, appErrors,
  fastRetransmits, tailProbes, rackLosses, keepAliveProbes, keepAliveAborts,
  COUNT,
}

/**
 * Calls fn(name, count) for each counter in the order of C (only the non-zero drop counters
 * when dropsOnly): the names literal lives in this function's body (in flash on a board) and
 * exists in RAM only while it runs; nothing is allocated for a skipped counter.
 */
function eachTcpCounter(counts: Uint32Array, fn: (name: string, n: number) => void, dropsOnly: boolean): void {
  var t = "segIn segOut retransmits challengeAcks challengeAcksLimited dropShort dropChecksum " +
    "dropBadOptions dropOutOfWindow dropOutOfOrder dropNoAck dropNoListener dropRst dropSynFull " +
    "dropAckUnsent dropAddress dropBadAck dropDuplicate accepted opened giveUps " +
    "reuseTimeWait evictHalfOpen evictIdle backlogEvict zeroWindowProbes appErrors fastRetransmits " +
    "tailProbes rackLosses keepAliveProbes keepAliveAborts", p = 0;
  for (var i = 0; i < C.COUNT; i++) {
    var end = t.indexOf(" ", p);
    if (end < 0) end = t.length;
    if (!dropsOnly || (counts[i] > 0 && t.substring(p, p + 4) === "drop")) fn(t.substring(p, end), counts[i]);
    p = end + 1;
  }
}

/** tcp.counters as the console reads them: a snapshot built per read (createTcp() names them with
 *  it; the library only with its "counters" piece, firmware/lib/eth-counters.ts). */
export function counterNames(counts: Uint32Array): { [name: string]: number } {
  var all: { [name: string]: number } = {};
  eachTcpCounter(counts, function (name: string, n: number): void { all[name] = n; }, false);
  return all;
}

/** Calls fn(name, count) for every non-zero drop counter ("dropRst"...). */
export function eachTcpDrop(counts: Uint32Array, fn: (name: string, n: number) => void): void {
  eachTcpCounter(counts, fn, true);
}

/** The part of the IP stack TCP uses (firmware/net/stack.ts Stack satisfies it). */
export interface TcpStack {
  netif: { tx: Uint8Array };
  clock: { now(): number };
  addr: number;
  mask?: number;
  /** The receive epoch (firmware/net/state.ts, St.re); a stack without it: a half-open slot is
   *  protected by its age only (alloc.ts evictable()). */
  re?: number;
  onProtocol(proto: number, input: (rx: Uint8Array, l4Off: number, l4Len: number, src: number, dst: number) => void): void;
  onTick(fn: (nowMs: number) => void): void;
  ipSend(proto: number, dst: number, l4Len: number): IpSend;
}

/** The record (its public fields are those of Tcp, tcp.ts). */
export interface Tc {
  // the slot arrays (slots.ts), the most used first
  st: Uint8Array;
  fl: Uint16Array;
  u32: Uint32Array;
  u16: Uint16Array;
  f64: Float64Array;
  u8: Uint8Array;
  gen: Uint16Array;
  hd: any[];             // the TcpHandler of each slot
  lst: Int8Array;
  now: number;           // clock.now() of the event being handled
  // the segment being handled (input.ts sets them; nothing else runs meanwhile). seq, flg and
  // dl are trimmed in place where RFC 9293 says to ignore a part of the segment.
  rx: Uint8Array;
  ro: number;            // its TCP header's offset in rx
  hl: number;            // header length
  dl: number;            // data length
  src: number;
  sp: number;            // source port
  dp: number;            // destination port
  seq: number;
  ack: number;
  flg: number;
  win: number;
  n: number;             // slots
  tx: Uint8Array;        // netif.tx
  stk: TcpStack;
  c: Uint32Array;        // the counters, by C (tcp.counts, the same array)
  P: Pool;
  S: Slots;
  dep: number;           // handler calls in progress (events.ts tell())
  dn: number;            // deferred outputs waiting (dq, dqn)
  dq: Uint8Array;        // deferred: slot | K.DEFER_FIN
  dqn: Uint16Array;      // deferred: the queue length a send covered
  due: number;           // no timer of any slot is due before this time (timers.ts)
  res: any;              // what the last handler call returned
  // configuration
  mss: number;           // our MSS
  sbuf: number;          // send buffer per connection
  rwin: number;          // receive window
  sws: number;           // receiver SWS step: min(rwin / 2, mss)
  msl2: number;          // TIME-WAIT (2 MSL), ms
  mr: number;            // retransmissions before giving up
  sr: number;            // SYN retransmissions
  srMs: number;          // SYN-RCVD time-out
  fw2: number;           // FIN-WAIT-2 time-out
  idle: number;          // idle eviction after (ms)
  caL: number;           // challenge ACKs per second
  bl: number;            // default backlog
  key: Uint32Array;      // ISN key
  // run-time
  caT: number;           // challenge ACKs: the second's start
  caN: number;           //   and the count in it
  port: number;          // the last ephemeral port given
  mat: number;           // slots the last oldest() matched
  pw: boolean;           // a write() was held back by the pool: wake it when chunks return
  // set by the optional pieces when first used, so that a bundle without them has none of their code
  kt?: (t: Tc, s: number) => void;            // keep-alive's tick (keepalive.ts, by tcpKeepAlive())
  uo?: (t: Tc, s: number, seq: number) => void; // URG on output (urgent.ts, by tcpWriteUrgent())
  // the listeners
  lSt: Uint8Array;
  lPort: Uint16Array;
  lBl: Uint8Array;
  lH: any[];
  nm: TcpNames;          // makes tcp.counters of the counts (counterNames; the library's without names: eth.ts)
}

/** What makes tcp.counters of the counts: counterNames, or the library's counts alone (without its "counters" piece). */
export type TcpNames = (counts: Uint32Array) => any;
