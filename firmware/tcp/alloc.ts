// Slots and their allocation: a new connection's slot (a free one, else the oldest TIME-WAIT,
// else the oldest half-open, else the oldest idle accepted one), its initial fields, freeing,
// the listener table, and the send pool's waiters (drained() when chunks come back).

import { State } from "./states";
import { Ev } from "./table";
import { F } from "./segment";
import { clearSlot, SF, F16, F32, F64 } from "./slots";
import { poolDrop, poolRoom } from "./pool";
import { Rto } from "./timers";
import { isn } from "./isn";
import { emit } from "./output";
import { fire, tell } from "./events";
import { Addr, C, K, Tc } from "./state";

/** Every per-connection field of slot s to 0 (not gen); its queued bytes go back to the pool. */
export function clear(t: Tc, s: number): void {
  poolDrop(t.P, t.S, s, t.u16[s * F16.STRIDE + F16.SND_LEN]);
  clearSlot(t.S, s);
}

/** Slot s is CLOSED, with no flags, no timers, an empty queue; a handler call in progress on it sees it moved on. */
export function free(t: Tc, s: number): void {
  clear(t, s);
  t.gen[s]++;
  t.lst[s] = -1;
  t.hd[s] = null;
}

/** A new connection in slot s (li: its listener, -1 for connect()), to ip:rp from local port lp. */
export function initSlot(t: Tc, s: number, li: number, ip: number, rp: number, lp: number, h: any): void {
  var u16 = t.u16, u32 = t.u32, b16 = s * F16.STRIDE, b32 = s * F32.STRIDE;
  clear(t, s);
  t.gen[s]++;
  t.lst[s] = li;
  u32[b32 + F32.RIP] = ip;
  u16[b16 + F16.RPORT] = rp;
  u16[b16 + F16.LPORT] = lp;
  t.hd[s] = h;
  u32[b32 + F32.ISS] = u32[b32 + F32.SND_UNA] = u32[b32 + F32.SND_NXT] = u32[b32 + F32.SND_MAX] = isn(t.key, t.stk.addr, lp, ip, rp, t.now);
  u16[b16 + F16.MSS] = K.MSS_DEFAULT < t.mss ? K.MSS_DEFAULT : t.mss;
  u16[b16 + F16.CWND] = t.sbuf < K.MAX_16 ? t.sbuf : K.MAX_16;
  u16[b16 + F16.RCV_WND] = t.rwin;
  u16[b16 + F16.SSTHRESH] = K.MAX_16;
  t.f64[s * F64.STRIDE + F64.RTO] = Rto.INITIAL_MS;
  t.f64[s * F64.STRIDE + F64.T_USED] = t.now;
}

/**
 * The oldest slot in state want (only those of listener li when li >= 0; when idle, only
 * accepted ones with nothing queued and no activity for t.idle ms), or -1. Sets t.mat to the
 * number of such slots.
 */
export function oldest(t: Tc, want: number, li: number, idle: boolean): number {
  var st = t.st, lst = t.lst, f64 = t.f64, best = -1, m = 0;
  for (var i = 0; i < t.n; i++) {
    if (st[i] === want && (li < 0 || lst[i] === li) &&
      (!idle || (lst[i] >= 0 && t.u16[i * F16.STRIDE + F16.SND_LEN] === 0 && t.now - f64[i * F64.STRIDE + F64.T_USED] >= t.idle))) {
      m++;
      if (best < 0 || f64[i * F64.STRIDE + F64.T_USED] < f64[best * F64.STRIDE + F64.T_USED]) best = i;
    }
  }
  t.mat = m;
  return best;
}

/**
 * May half-open slot s make room for a new connection? Not while its peer's ACK may still wait,
 * unread, in the chip's receive buffer: a browser opens six connections at once, and a slow board
 * reads the whole burst of SYNs before the ACKs queued behind them. Evicting then would reset
 * connections that are completing, and the burst's clients would reset each other in turn. So a
 * half-open slot is kept until the stack has found its receive queue empty since the SYN came
 * (the receive epoch moved on: every frame that arrived before has been read), or, when the queue
 * never empties (a flood faster than the board), for the initial RTO. A SYN that finds only such
 * slots is dropped and counted; its client sends it again.
 */
export function evictable(t: Tc, s: number): boolean {
  return t.stk.re !== t.u32[s * F32.STRIDE + F32.SYN_RE] || t.now - t.f64[s * F64.STRIDE + F64.T_USED] >= Rto.INITIAL_MS;
}

/** A half-open slot makes room: RST to its peer, freed. */
export function evictHalfOpen(t: Tc, s: number): void {
  emit(t, s, F.RST, t.u32[s * F32.STRIDE + F32.SND_NXT], 0, 0);
  free(t, s);
}

/** Free slot, else oldest TIME-WAIT, else oldest half-open (when evictable()), else oldest idle accepted one; -1: none. */
export function allocSlot(t: Tc): number {
  var i;
  i = t.st.indexOf(State.CLOSED);
  if (i >= 0) return i;
  i = oldest(t, State.TIME_WAIT, -1, false);
  if (i >= 0) {
    t.c[C.reuseTimeWait]++;
    free(t, i);
    return i;
  }
  i = oldest(t, State.SYN_RCVD, -1, false);
  if (i >= 0 && !(t.fl[i] & SF.ACTIVE) && evictable(t, i)) {
    t.c[C.evictHalfOpen]++;
    evictHalfOpen(t, i);
    return i;
  }
  i = oldest(t, State.ESTABLISHED, -1, true);
  if (i >= 0) {
    t.c[C.evictIdle]++;
    fire(t, i, Ev.ABORT);
    if (t.st[i] === State.CLOSED) return i;
  }
  return -1;
}

/** Broadcast, multicast, 0.x, loopback or our subnet's broadcast: never a TCP peer (MUST-46/57/63). */
export function badAddr(t: Tc, a: number): boolean {
  var top = a >>> 24; // the first octet
  if (top === Addr.THIS_NET || top === Addr.LOOPBACK || top >= Addr.MULTICAST) return true;
  // our subnet's broadcast: all host bits set. A /32 has none; with no mask (or 0) a | m is
  // a, and 255.255.255.255 was caught above.
  var m = t.stk.mask as number;
  return m !== Addr.ALL_ONES && ((a | m) >>> 0) === Addr.ALL_ONES;
}

/** The listener on port, or -1. */
export function listenerFor(t: Tc, port: number): number {
  for (var i = 0; i < K.LISTENERS; i++) if (t.lSt[i] === State.LISTEN && t.lPort[i] === port) return i;
  return -1;
}

/** drained() to the connections the pool held back, if chunks came back. */
export function wakePoolWaiters(t: Tc): void {
  if (!t.pw || !t.P.nfree) return;
  t.pw = false;
  var fl = t.fl;
  for (var c = 0; c < t.n; c++) {
    if (fl[c] & SF.WANT_DRAIN) {
      if (poolRoom(t.P, t.S, c, t.sbuf) > 0) {
        fl[c] &= ~SF.WANT_DRAIN;
        if (fl[c] & SF.KNOWN) tell(t, c, "drained");
      } else {
        t.pw = true; // still waiting (for the pool, or for ACKs at its own sendBuf)
      }
    }
  }
}
