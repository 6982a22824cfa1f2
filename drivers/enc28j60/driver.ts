// ENC28J60 driver (device code: ES5, Espruino-safe, nothing allocated per frame): the public
// interface, the driver object (one record, its methods on a shared prototype), interrupts.
// The parts: access.ts (record, state words, register access, PHY), receive.ts (the receive
// ring; SPI transactions per frame there), transmit.ts, init.ts (reset, setup, multicast hash).
// Errata handled: 2 (CLKRDY after SRC: delay + poll + write/read-back check), 5 (ring at 0),
// 6 (EPKTCNT, never PKTIF), 9 (HDLDIS in half duplex), 12 (TXRST after an error or a stall),
// 13 (resend on late collision, up to 16 tries), 14 (ERXRDPT always odd), 15 (late collision
// from status vector bit 29, never ESTAT.LATECOL), 19 (PWRSV cleared before SRC).

import { Hal } from "../../hal/types";
import { Netif } from "../../hal/netif";
import { Enc } from "./regs";
import { Rx, Tx } from "./limits";
import { Rec, St, Op, cur, st, use, rd, cmd, phyRead } from "./access";
import { freeRing, pending, receive } from "./receive";
import { txFinish, send, flush } from "./transmit";
import { init, addMulticast } from "./init";

export interface Enc28j60Counters {
  rxFrames: number;
  /** Frames lost or refused: bad headers, frames without "received OK", overflow events. */
  rxErrors: number;
  /** RXERIF events (the chip dropped a frame: ring full or EPKTCNT at 255). */
  rxOverflows: number;
  /** Receiver resets after a corrupt header. */
  rxResets: number;
  /** Frames handed to the MAC (first attempt). */
  txFrames: number;
  /** Frames that finally failed (excessive collisions, giant, 16 late collisions, stalls). */
  txErrors: number;
  /** Resends: late collision (erratum 13) or a stalled transmit logic. */
  txRetries: number;
  /** TXRST toggles (erratum 12). */
  txResets: number;
  /** Transmissions whose TXRTS never cleared within the bound. */
  txStalls: number;
  /** LINKIF events handled. */
  linkChanges: number;
  /** MII operations whose BUSY never cleared within the bound. */
  miiTimeouts: number;
}

export interface Enc28j60Options {
  /** Full duplex (the partner must be forced to full duplex too). Default: half duplex. */
  fullDuplex?: boolean;
  /** Accept all multicast frames (ERXFCON.MCEN). Default: unicast to us + broadcast. */
  multicast?: boolean;
  /**
   * Release consumed ring space (write ERXRDPT, 2 transactions + a bank select) once this many
   * bytes are consumed, and by service() when it finds the ring empty: fewer transactions per
   * frame, at the price of up to this much ring space held back between two service() calls.
   * Default 1024 (small frames: once per ~14; full-size: every frame).
   */
  freeBatch?: number;
  /** PHLCON value (LED setup). Default 0x3476: LEDA link status, LEDB transmit/receive activity, stretched. */
  leds?: number;
  /**
   * The largest frame (without its CRC) the board handles: tx holds this many bytes, rx this
   * plus the CRC and the next packet's header; longer frames are dropped (rxErrors). A small
   * board saves memory with a small IP MTU (576 + 14: about 140 variables less than full size).
   * Default: full-size Ethernet frames (tx 1518 bytes, rx 1536).
   */
  maxFrame?: number;
}

export interface Enc28j60 extends Netif {
  /** Resets and configures the chip; throws Error("ENC28J60: ...") when no chip answers. */
  init(): void;
  /** INT/poll handler: handles RXERIF, TXERIF, LINKIF; returns frames waiting (EPKTCNT). */
  service(): number;
  /** Frames waiting in the receive ring (reads EPKTCNT). */
  pending(): number;
  /** Waits (bounded) for the frame in flight; true when it left without error. */
  flush(): boolean;
  /** Calls fn on every INT falling edge and every pollMs (polling fallback; 0 = no timer). */
  watch(fn: () => void, pollMs: number): void;
  /**
   * Lets frames to this 6-byte group address in, through the 64-bit hash table (other groups
   * sharing its hash bit pass too: the IP layer filters them).
   */
  addMulticast(addr: Uint8Array): void;
  /** EREVID, known after init(). */
  revision: number;
  /** The counters by name: a snapshot built per read (they live in the driver's state words). */
  readonly counters: Enc28j60Counters;
}

/** Byte offsets in the driver's one ArrayBuffer (the rx and tx areas follow, sized by maxFrame). */
const enum Buf {
  /** The state words (Int32Array, St.COUNT of them) at offset 0. */
  ST_BYTES = St.COUNT * 4,
  /** rxc (odd): the RBM opcode, then rx at an even offset, then 2 spare bytes; txc (even) after it. */
  RXC = ST_BYTES + 1,
  RX = RXC + 1,
  RX_SPARE = 2,
}

/** INT/poll handler: handles RXERIF, TXERIF, LINKIF; returns frames waiting (EPKTCNT). */
function service(this: Rec): number {
  if (this !== cur) use(this); // (the check inline on the per-frame path: a call less)
  var eir = rd(Enc.EIR);
  if (eir & Enc.EIR_RXERIF) {
    st[St.RX_OVERFLOWS]++;
    st[St.RX_ERRORS]++;
    cmd(Op.BFC | Enc.EIR, Enc.EIR_RXERIF);
  }
  if (eir & Enc.EIR_TXERIF) {
    if (st[St.TX_BUSY]) txFinish();
    else cmd(Op.BFC | Enc.EIR, Enc.EIR_TXERIF | Enc.EIR_TXIF);
  }
  if (eir & Enc.EIR_LINKIF) {
    // Reading PHIR clears PLNKIF and with it EIR.LINKIF; then the link.
    phyRead(Enc.PHIR);
    st[St.LINK] = phyRead(Enc.PHSTAT2) & Enc.PHSTAT2_LSTAT;
    st[St.LINK_CHANGES]++;
  }
  // Idle (typically the polling timer): hand back the ring space still held.
  if (!(st[St.AVAIL] = rd(Enc.EPKTCNT)) && st[St.HELD]) freeRing();
  return st[St.AVAIL];
}

/** Calls fn on every INT falling edge and every pollMs (polling fallback; 0 = no timer). */
function watch(this: Rec, fn: () => void, pollMs: number): void {
  var hal = this.hal;
  if (hal.int) hal.int.onFalling(fn);
  if (pollMs > 0) hal.timers.every(pollMs, fn);
}

/** driver.counters by name, from the counter words (St.RX_FRAMES..St.MII_TIMEOUTS): what
 *  createEnc28j60() names them with; the library only with its "counters" piece. */
export function driverCounterNames(counts: Int32Array): Enc28j60Counters {
  var c: any = {}, names = "rxFrames rxErrors rxOverflows rxResets txFrames txErrors txRetries txResets txStalls linkChanges miiTimeouts".split(" ");
  for (var i = 0; i < names.length; i++) c[names[i]] = counts[i];
  return c;
}

/**
 * The driver's methods, shared by every driver (Object.create: no closure per method and driver).
 * `counters` is a getter: a snapshot object per read, nothing kept.
 */
var DRIVER_METHODS = {
  init: init,
  receive: receive,
  send: send,
  flush: flush,
  service: service,
  pending: pending,
  watch: watch,
  addMulticast: addMulticast,
  /** EREVID, known after init() (which sets the driver's own). */
  revision: 0,
  linkUp: function (this: Rec): boolean {
    return !!this.st[St.LINK];
  },
  get counters(): Enc28j60Counters {
    var r = this as unknown as Rec;
    return r.cn(r.st.subarray(St.RX_FRAMES, St.MII_TIMEOUTS + 1));
  },
};

/** A driver whose counters have their names (driver.counters: { rxFrames, ... }). */
export function createEnc28j60(hal: Hal, mac: Uint8Array, opts?: Enc28j60Options): Enc28j60 {
  return createEnc28j60With(hal, mac, opts, driverCounterNames);
}

/** A driver whose `counters` is names(the counter words): driverCounterNames, or what the library
 *  gives without its "counters" piece (firmware/lib/eth.ts, the counts alone). */
export function createEnc28j60With(hal: Hal, mac: Uint8Array, opts: Enc28j60Options | undefined, names: (counts: Int32Array) => any): Enc28j60 {
  var o = opts || {};
  // Buffer sizes: rx a frame with its CRC and the next header behind it (even), tx a frame.
  var rxBuf = o.maxFrame ? (o.maxFrame + (Enc.CRC_LEN + Enc.RXH_LEN + 1)) & ~1 : Rx.BUF;
  var txBuf = o.maxFrame || Tx.BUF;
  var txc = rxBuf + (Buf.RX + Buf.RX_SPARE); // even
  // One ArrayBuffer: [state words][RBM, rx, 2 spare][WBM, control byte, tx].
  var ab = new ArrayBuffer(txc + Tx.CMD_HDR + txBuf);
  var d = Object.create(DRIVER_METHODS);
  d.mac = mac; // (the caller's array, never written here)
  d.rx = new Uint8Array(ab, Buf.RX, rxBuf);
  d.tx = new Uint8Array(ab, txc + Tx.CMD_HDR, txBuf);
  var s: Int32Array = d.st = new Int32Array(ab, 0, St.COUNT);
  d.rxc = new Uint8Array(ab, Buf.RXC, 1 + rxBuf + Buf.RX_SPARE);
  d.rxw = new Uint16Array(ab, Buf.RX, rxBuf / 2);
  (d.txc = new Uint8Array(ab, txc, Tx.CMD_HDR + txBuf))[0] = Enc.OP_WBM;
  d.hal = hal;
  d.opt = o;
  d.cn = names;
  s[St.RX_MAX_COUNT] = rxBuf - Enc.RXH_LEN;
  s[St.TX_MAX] = txBuf;
  s[St.FREE_BATCH] = o.freeBatch || Rx.FREE_BATCH;
  return d;
}
