// TCP over the IP stack: fixed slots (slots.ts), the table (table.ts) walked by the engine
// (engine.ts), RFC 9293 3.10.7 segment checks, RFC 6298 timers, RFC 5961 challenge ACKs,
// RFC 6528 ISNs. Everything (slot arrays, send rings, closures, counters) is created once in
// createTcp(); nothing is allocated per segment or per connection afterwards (apart from the
// transient subarray views handed to the native `set`).
//
// Connection ids are slot numbers. end(c, reason) is called once per connection the
// application knows (connect() returned it, or open() ran), when the connection is over for it:
// on entering TIME-WAIT or CLOSED. The slot itself stays in TIME-WAIT for 2*MSL afterwards.
// An exception thrown by a handler is caught and counted (counters.appErrors): it never
// escapes into the receive path or leaves a slot half-updated.

import { csumAdd, csumFinish, pseudoSum } from "../net/checksum";
import {
  CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING,
  LAST_ACK, TIME_WAIT, STATE_COUNT,
} from "./states";
import {
  compileTable, EV_PASSIVE_OPEN, EV_ACTIVE_OPEN, EV_SEND, EV_CLOSE, EV_ABORT, EV_RCV_SYN,
  EV_RCV_SYN_ACK, EV_RCV_ACK_OF_SYN, EV_RCV_FIN, EV_RCV_FIN_ACK, EV_RCV_ACK_OF_FIN, EV_RCV_RST,
  EV_RCV_RST_ACTIVE, EV_TIMEOUT_2MSL, EV_RTO, EV_GIVE_UP, EV_STATE_TIMEOUT,
  A_RESEND, A_SYN, A_SYNACK, A_FIN, A_OUTPUT, A_ACK, A_RST, A_TIMER_2MSL, A_TIMER_STATE,
  A_OPENED, A_PEER_CLOSED, A_END, A_FREE,
} from "./table";
import { step, nextOf, reasonOf, actionsOf } from "./engine";
import {
  F_FIN, F_SYN, F_RST, F_PSH, F_ACK, get16, get32, put16, parseMss, putHeader, seqLt, seqLe,
} from "./segment";
import {
  createSlots, Slots, SF_ACTIVE, SF_SYN_ACKED, SF_FIN_QUEUED, SF_FIN_SENT, SF_ACK_PENDING,
  SF_KNOWN, SF_TIMING, SF_WANT_DRAIN, SF_FIN_ACKED,
} from "./slots";
import { INITIAL_RTO_MS, rttSample, backOff, probeDelay } from "./timers";
import { isn, newSecret } from "./isn";

export interface TcpHandler {
  open(c: number): void;
  /** In-order payload, valid only during the call. May return the number of bytes consumed
   *  (fewer than len: the rest is not acknowledged, the peer sends it again). */
  data(c: number, buf: Uint8Array, off: number, len: number): number | void;
  drained(c: number): void;
  peerClosed(c: number): void;
  end(c: number, reason: number): void;
  /** Optional: bytes the application can take now; the advertised window is min(recvWindow, room). */
  room?: (c: number) => number;
}

export interface Tcp {
  listen(port: number, h: TcpHandler, backlog?: number): boolean;
  unlisten(port: number): void;
  connect(ip: number, port: number, h: TcpHandler): number;
  write(c: number, buf: Uint8Array, off: number, len: number): number;
  space(c: number): number;
  close(c: number): void;
  abort(c: number): void;
  state(c: number): number;
  remoteIp(c: number): number;
  remotePort(c: number): number;
  localPort(c: number): number;
  counters: { [name: string]: number };
  stateCounts(out: Uint16Array): void;
  /** Bytes of typed arrays held by the slots (all slots, send rings included). */
  memoryBytes: number;
  slots: Slots;
}

/** The part of the IP stack TCP uses (firmware/net/stack.ts Stack satisfies it). */
export interface TcpStack {
  netif: { tx: Uint8Array };
  clock: { now(): number };
  addr: number;
  mask?: number;
  onProtocol(proto: number, input: (rx: Uint8Array, l4Off: number, l4Len: number, src: number, dst: number) => void): void;
  onTick(fn: (nowMs: number) => void): void;
  ipSend(proto: number, dst: number, l4Len: number): number;
}

export interface TcpOptions {
  slots: number;
  mss?: number;            // our MSS (default 1460)
  sendBuf?: number;        // send ring per slot (default 2*mss)
  recvWindow?: number;     // advertised window (default 2*mss)
  mslMs?: number;          // MSL (default 2000: TIME-WAIT lasts 4 s)
  listeners?: number;      // listener table size (default 4)
  backlog?: number;        // default half-open SYN-RCVD per listener (default max(1, slots/2))
  minRtoMs?: number;       // default 200
  maxRetries?: number;     // retransmissions before giving up (default 6)
  synRetries?: number;     // SYN retransmissions of an active open (default 7: gives up after 183 s, MUST-23)
  ackDelayMs?: number;     // delayed ACK (default 100, serviced by the ~100 ms tick)
  synRcvdTimeoutMs?: number;   // default 5000
  finWait2TimeoutMs?: number;  // idle time allowed in FIN-WAIT-2 (default 10000)
  idleEvictMs?: number;    // an accepted ESTABLISHED connection idle this long may be evicted (default 2000)
  challengeAckLimit?: number;  // challenge ACKs per second (default 10)
  secret?: Uint32Array;    // ISN key (4 words); default drawn at start-up
}

var TX = 34; // TCP header offset in netif.tx (14 Ethernet + 20 IPv4)

export function createTcp(stack: TcpStack, opts: TcpOptions): Tcp {
  var n = opts.slots;
  var ourMss = opts.mss || 1460;
  var sendBuf = opts.sendBuf || 2 * ourMss;
  var recvWindow = opts.recvWindow || 2 * ourMss;
  if (recvWindow > 65535) recvWindow = 65535;
  var msl = opts.mslMs === undefined ? 2000 : opts.mslMs;
  var nListen = opts.listeners || 4;
  var defBacklog = opts.backlog || (n >> 1 || 1);
  var minRto = opts.minRtoMs || 200;
  var maxRetries = opts.maxRetries === undefined ? 6 : opts.maxRetries;
  var synRetries = opts.synRetries === undefined ? 7 : opts.synRetries;
  var ackDelay = opts.ackDelayMs === undefined ? 100 : opts.ackDelayMs;
  var synRcvdMs = opts.synRcvdTimeoutMs || 5000;
  var fw2Ms = opts.finWait2TimeoutMs || 10000;
  var idleEvictMs = opts.idleEvictMs === undefined ? 2000 : opts.idleEvictMs;
  var caLimit = opts.challengeAckLimit === undefined ? 10 : opts.challengeAckLimit;
  var swsStep = recvWindow >> 1 < ourMss ? recvWindow >> 1 : ourMss;
  var key = opts.secret || new Uint32Array(4);
  if (!opts.secret) newSecret(key);

  var T = compileTable();
  var S = createSlots(n, sendBuf);
  // The slot arrays as locals: shorter code once minified (Espruino keeps the source in RAM).
  var cwnd = S.cwnd, fl = S.fl, gen = S.gen, handler = S.handler, irs = S.irs, iss = S.iss,
    lport = S.lport, lst = S.lst, maxWnd = S.maxWnd, mss = S.mss, probes = S.probes,
    rcvAdv = S.rcvAdv, rcvNxt = S.rcvNxt, rcvWnd = S.rcvWnd, retries = S.retries, ring = S.ring,
    rip = S.rip, rport = S.rport, rsegs = S.rsegs, rto = S.rto, rttSeq = S.rttSeq, rttT = S.rttT,
    rttvar = S.rttvar, sndHead = S.sndHead, sndLen = S.sndLen, sndMax = S.sndMax,
    sndNxt = S.sndNxt, sndUna = S.sndUna, sndWl1 = S.sndWl1, sndWl2 = S.sndWl2, sndWnd = S.sndWnd,
    srtt = S.srtt, st = S.st, tAck = S.tAck, tPersist = S.tPersist, tRexmt = S.tRexmt,
    tState = S.tState, tUsed = S.tUsed;
  var tx = stack.netif.tx;
  var clock = stack.clock;
  var now = 0;
  var caStart = 0;
  var caCount = 0;
  var nextPort = 49152 + (key[0] & 0x3fff);

  var lState = new Uint8Array(nListen);
  var lPort = new Uint16Array(nListen);
  var lBacklog = new Uint8Array(nListen);
  var lHandler: TcpHandler[] = [];
  for (var li0 = 0; li0 < nListen; li0++) lHandler.push(null as any);

  var counters: { [name: string]: number } = {
    segIn: 0, segOut: 0, retransmits: 0, rstIn: 0, rstOut: 0, challengeAcks: 0,
    challengeAcksLimited: 0, dropShort: 0, dropChecksum: 0, dropBadOptions: 0,
    dropOutOfWindow: 0, dropOutOfOrder: 0, dropNoAck: 0, dropNoListener: 0, dropRst: 0,
    dropSynFull: 0, dropAckUnsent: 0, dropAddress: 0, dropBadAck: 0, dropDuplicate: 0, noTransition: 0,
    accepted: 0, connects: 0, opened: 0, giveUps: 0, stateTimeouts: 0, reuseTimeWait: 0,
    evictHalfOpen: 0, evictIdle: 0, backlogEvict: 0, zeroWindowProbes: 0, delayedAcks: 0,
    windowUpdates: 0, bytesIn: 0, bytesOut: 0, appErrors: 0,
  };

  // ---------------------------------------------------------------- output
  function finish(dst: number, len: number): void {
    var acc = pseudoSum(stack.addr, dst, 6, len);
    acc = csumAdd(tx, TX, len, acc);
    put16(tx, TX + 16, csumFinish(acc));
    counters.segOut++;
    stack.ipSend(6, dst, len);
  }

  /**
   * The window to advertise: min(recvWindow, room) where room is what the application says it
   * can take. Never shrinks the right edge already advertised (SHLD-14), and only moves it
   * right by at least min(recvWindow/2, MSS) (receiver SWS avoidance, MUST-39).
   */
  function window(s: number): number {
    var w = recvWindow;
    var h = handler[s];
    if (h && h.room) {
      var r = h.room(s);
      if (r < w) w = r > 0 ? r : 0;
    }
    var nxt = rcvNxt[s];
    var keep = (rcvAdv[s] - nxt) | 0;
    if (keep < 0) keep = 0;
    if (w < keep) w = keep;
    else if (keep > 0 && w - keep < swsStep && w < recvWindow) w = keep;
    rcvWnd[s] = w;
    rcvAdv[s] = (nxt + w) >>> 0;
    return w;
  }

  /** Sends one segment of slot s; len bytes of payload from the ring at seq. */
  function emit(s: number, flags: number, seq: number, len: number, mssOpt: number): void {
    var wnd = flags & F_RST ? 0 : window(s);
    var hl = putHeader(tx, TX, lport[s], rport[s], seq, flags & F_ACK ? rcvNxt[s] : 0, flags, wnd, mssOpt);
    if (len > 0) {
      var base = s * sendBuf;
      var start = (sndHead[s] + ((seq - sndUna[s]) >>> 0)) % sendBuf;
      var first = sendBuf - start;
      if (first > len) first = len;
      tx.set(ring.subarray(base + start, base + start + first), TX + hl);
      if (len > first) tx.set(ring.subarray(base, base + len - first), TX + hl + first);
      counters.bytesOut += len;
      tUsed[s] = now;
    }
    fl[s] &= ~SF_ACK_PENDING;
    tAck[s] = 0;
    rsegs[s] = 0;
    finish(rip[s], hl + len);
  }

  function sendAck(s: number): void {
    emit(s, F_ACK, sndNxt[s], 0, 0);
  }

  function armRexmt(s: number): void {
    if (tRexmt[s] === 0) tRexmt[s] = now + rto[s];
  }

  function sendSyn(s: number, ack: boolean): void {
    var i0 = iss[s];
    emit(s, ack ? F_SYN | F_ACK : F_SYN, i0, 0, ourMss);
    sndNxt[s] = (i0 + 1) >>> 0;
    if (sndMax[s] === i0) {
      sndMax[s] = (i0 + 1) >>> 0;
      if (retries[s] === 0) {
        fl[s] |= SF_TIMING;
        rttSeq[s] = i0;
        rttT[s] = now;
      }
    }
    armRexmt(s);
  }

  /** Sends queued data and the FIN as the windows allow; returns segments sent. */
  function output(s: number): number {
    if ((fl[s] & (SF_SYN_ACKED | SF_FIN_ACKED)) !== SF_SYN_ACKED) return 0;
    var una = sndUna[s];
    var len = sndLen[s];
    var wnd = sndWnd[s];
    if (cwnd[s] < wnd) wnd = cwnd[s];
    var m = mss[s];
    var sent = 0;
    var off = 0;
    for (;;) {
      var nxt = sndNxt[s];
      off = (nxt - una) >>> 0;
      if (off > len) break;
      var k = len - off;
      var room = wnd - off;
      if (k > room) k = room;
      if (k > m) k = m;
      if (k < 0) k = 0;
      // Sender SWS avoidance (MUST-38): with data in flight, do not send a small segment only
      // because the window is small; the next ACK brings us back here.
      if (k < m && k < len - off && off > 0 && k < maxWnd[s] >> 1) break;
      var fin = fl[s] & SF_FIN_QUEUED && off + k === len ? F_FIN : 0;
      if (k === 0 && !fin) break;
      emit(s, F_ACK | fin | (k > 0 && off + k === len ? F_PSH : 0), nxt, k, 0);
      var end = (nxt + k + (fin ? 1 : 0)) >>> 0;
      sndNxt[s] = end;
      if (fin) fl[s] |= SF_FIN_SENT;
      if (seqLe(sndMax[s], nxt) && !(fl[s] & SF_TIMING)) {
        fl[s] |= SF_TIMING;
        rttSeq[s] = nxt;
        rttT[s] = now;
      }
      if (seqLt(sndMax[s], end)) sndMax[s] = end;
      armRexmt(s);
      sent++;
      if (fin) break;
    }
    // Peer's window closed with data waiting and nothing in flight: probe it (persist timer).
    if (sndWnd[s] === 0 && off < len && sndNxt[s] === una && tPersist[s] === 0) {
      tPersist[s] = now + probeDelay(S, s);
    }
    return sent;
  }

  /** Go back to SND.UNA after a retransmission time-out (Karn: the timing sample is void). */
  function resend(s: number): void {
    counters.retransmits++;
    fl[s] &= ~SF_TIMING;
    cwnd[s] = mss[s];
    tRexmt[s] = 0;
    if (!(fl[s] & SF_SYN_ACKED)) {
      sendSyn(s, st[s] !== SYN_SENT);
      return;
    }
    sndNxt[s] = sndUna[s];
    output(s);
  }

  function probe(s: number): void {
    var nxt = sndNxt[s];
    counters.zeroWindowProbes++;
    if (((nxt - sndUna[s]) >>> 0) < sndLen[s]) {
      emit(s, F_ACK, nxt, 1, 0);
      if (seqLt(sndMax[s], (nxt + 1) >>> 0)) sndMax[s] = (nxt + 1) >>> 0;
    } else {
      sendAck(s);
    }
    if (probes[s] < 255) probes[s]++;
    tPersist[s] = now + probeDelay(S, s);
  }

  function replyRst(dst: number, sport: number, dport: number, seq: number, ack: number, flags: number): void {
    putHeader(tx, TX, dport, sport, seq, ack, flags, 0, 0);
    counters.rstOut++;
    finish(dst, 20);
  }

  function challengeAck(s: number): void {
    if (now - caStart >= 1000) {
      caStart = now;
      caCount = 0;
    }
    if (caCount < caLimit) {
      caCount++;
      counters.challengeAcks++;
      sendAck(s);
    } else {
      counters.challengeAcksLimited++;
    }
  }

  // ---------------------------------------------------------------- engine
  function free(s: number): void {
    st[s] = CLOSED;
    fl[s] = 0;
    gen[s] = (gen[s] + 1) & 0xffff;
    tRexmt[s] = 0;
    tPersist[s] = 0;
    tAck[s] = 0;
    tState[s] = 0;
    sndLen[s] = 0;
    sndHead[s] = 0;
    lst[s] = -1;
    handler[s] = null;
  }

  function fire(s: number, ev: number): boolean {
    var row = step(T, st[s], ev);
    if (row === 0) {
      counters.noTransition++;
      return false;
    }
    st[s] = nextOf(row);
    var a = actionsOf(row);
    if (a !== 0) act(s, a, reasonOf(row));
    return true;
  }

  function act(s: number, a: number, reason: number): void {
    var g = gen[s];
    var sent = 0;
    if (a & A_RESEND) resend(s);
    if (a & A_SYN) sendSyn(s, false);
    if (a & A_SYNACK) sendSyn(s, true);
    if (a & A_FIN) fl[s] |= SF_FIN_QUEUED;
    if (a & A_OUTPUT) sent = output(s);
    if (a & A_ACK && sent === 0) sendAck(s);
    if (a & A_RST) {
      counters.rstOut++;
      emit(s, F_RST, sndNxt[s], 0, 0);
    }
    if (a & A_TIMER_2MSL) {
      tState[s] = now + 2 * msl;
      tRexmt[s] = 0;
      tPersist[s] = 0;
    }
    if (a & A_TIMER_STATE) tState[s] = now + (st[s] === SYN_RCVD ? synRcvdMs : fw2Ms);
    var h = handler[s];
    if (a & A_OPENED) {
      fl[s] |= SF_KNOWN;
      counters.opened++;
      if (h) {
        try { h.open(s); } catch (e) { counters.appErrors++; }
      }
      if (gen[s] !== g) return;
    }
    if (a & A_PEER_CLOSED && fl[s] & SF_KNOWN) {
      if (h) {
        try { h.peerClosed(s); } catch (e) { counters.appErrors++; }
      }
      if (gen[s] !== g) return;
    }
    if (a & A_END && fl[s] & SF_KNOWN) {
      fl[s] &= ~SF_KNOWN;
      if (h) {
        try { h.end(s, reason); } catch (e) { counters.appErrors++; }
      }
      if (gen[s] !== g) return;
    }
    if (a & A_FREE) free(s);
  }

  // ---------------------------------------------------------------- slots
  function initSlot(s: number, li: number, ip: number, rp: number, lp: number, h: TcpHandler): void {
    fl[s] = 0;
    lst[s] = li;
    rip[s] = ip;
    rport[s] = rp;
    lport[s] = lp;
    handler[s] = h;
    var i = isn(key, stack.addr, lp, ip, rp, now);
    iss[s] = i;
    sndUna[s] = i;
    sndNxt[s] = i;
    sndMax[s] = i;
    sndWnd[s] = 0;
    sndWl1[s] = 0;
    sndWl2[s] = 0;
    mss[s] = 536 < ourMss ? 536 : ourMss;
    cwnd[s] = sendBuf < 65535 ? sendBuf : 65535;
    rcvWnd[s] = recvWindow;
    maxWnd[s] = 0;
    rcvAdv[s] = 0;
    sndHead[s] = 0;
    sndLen[s] = 0;
    retries[s] = 0;
    probes[s] = 0;
    rsegs[s] = 0;
    rto[s] = INITIAL_RTO_MS;
    srtt[s] = 0;
    rttvar[s] = 0;
    tRexmt[s] = 0;
    tPersist[s] = 0;
    tAck[s] = 0;
    tState[s] = 0;
    tUsed[s] = now;
  }

  /** The oldest slot in state st (optionally only those of listener li), or -1. */
  function oldest(want: number, li: number): number {
    var best = -1;
    for (var i = 0; i < n; i++) {
      if (st[i] === want && (li < 0 || lst[i] === li) && (best < 0 || tUsed[i] < tUsed[best])) best = i;
    }
    return best;
  }

  function evictHalfOpen(s: number): void {
    counters.rstOut++;
    emit(s, F_RST, sndNxt[s], 0, 0);
    free(s);
  }

  /** Free slot, else oldest TIME-WAIT, else oldest half-open, else oldest idle accepted one. */
  function allocSlot(): number {
    var i;
    for (i = 0; i < n; i++) if (st[i] === CLOSED) return i;
    i = oldest(TIME_WAIT, -1);
    if (i >= 0) {
      counters.reuseTimeWait++;
      free(i);
      return i;
    }
    i = oldest(SYN_RCVD, -1);
    if (i >= 0 && !(fl[i] & SF_ACTIVE)) {
      counters.evictHalfOpen++;
      evictHalfOpen(i);
      return i;
    }
    var best = -1;
    for (i = 0; i < n; i++) {
      if (st[i] === ESTABLISHED && lst[i] >= 0 && sndLen[i] === 0 && now - tUsed[i] >= idleEvictMs &&
        (best < 0 || tUsed[i] < tUsed[best])) best = i;
    }
    if (best >= 0) {
      counters.evictIdle++;
      fire(best, EV_ABORT);
      if (st[best] === CLOSED) return best;
    }
    return -1;
  }

  /** Broadcast, multicast, 0.x, loopback or our subnet's broadcast: never a TCP peer (MUST-46/57/63). */
  function badAddr(a: number): boolean {
    var top = a >>> 24;
    if (top === 0 || top === 127 || top >= 224) return true;
    var m = stack.mask;
    return !!m && m !== 0xffffffff && ((a | m) >>> 0) === 0xffffffff;
  }

  function find(src: number, sport: number, dport: number): number {
    for (var i = 0; i < n; i++) {
      if (st[i] !== CLOSED && rport[i] === sport && lport[i] === dport && rip[i] === src) return i;
    }
    return -1;
  }

  function listenerFor(port: number): number {
    for (var i = 0; i < nListen; i++) if (lState[i] === LISTEN && lPort[i] === port) return i;
    return -1;
  }

  // ---------------------------------------------------------------- input
  function noConnection(rx: Uint8Array, o: number, hl: number, dlen: number, src: number, sport: number,
    dport: number, seq: number, ack: number, flags: number, win: number): void {
    if (flags & F_RST) {
      counters.dropRst++;
      return;
    }
    var li = listenerFor(dport);
    if (li >= 0 && !(flags & F_ACK)) {
      if (flags & F_SYN) accept(li, rx, o, hl, src, sport, dport, seq, win);
      else counters.dropNoListener++;
      return;
    }
    if (li < 0) counters.dropNoListener++;
    if (flags & F_ACK) replyRst(src, sport, dport, ack, 0, F_RST);
    else replyRst(src, sport, dport, 0, (seq + dlen + (flags & F_SYN ? 1 : 0) + (flags & F_FIN ? 1 : 0)) >>> 0, F_RST | F_ACK);
  }

  function accept(li: number, rx: Uint8Array, o: number, hl: number, src: number, sport: number, dport: number,
    seq: number, win: number): void {
    var pm = parseMss(rx, o + 20, hl - 20);
    if (pm < 0) {
      counters.dropBadOptions++;
      return;
    }
    var half = 0;
    for (var i = 0; i < n; i++) if (st[i] === SYN_RCVD && lst[i] === li) half++;
    var s = -1;
    if (half >= lBacklog[li]) {
      s = oldest(SYN_RCVD, li);
      if (s >= 0) {
        counters.backlogEvict++;
        evictHalfOpen(s);
      }
    }
    if (s < 0) s = allocSlot();
    if (s < 0) {
      counters.dropSynFull++;
      return;
    }
    initSlot(s, li, src, sport, dport, lHandler[li]);
    st[s] = LISTEN;
    peerSyn(s, seq, win, pm);
    counters.accepted++;
    fire(s, EV_RCV_SYN);
  }

  function peerSyn(s: number, seq: number, win: number, pm: number): void {
    irs[s] = seq;
    rcvNxt[s] = (seq + 1) >>> 0;
    if (pm === 0) pm = 536;
    mss[s] = pm < ourMss ? pm : ourMss;
    sndWnd[s] = win;
    maxWnd[s] = win;
    sndWl1[s] = seq;
    sndWl2[s] = iss[s];
    rcvAdv[s] = rcvNxt[s];
  }

  function synSent(s: number, rx: Uint8Array, o: number, hl: number, seq: number, ack: number, flags: number, win: number): void {
    if (flags & F_ACK && (seqLe(ack, iss[s]) || seqLt(sndMax[s], ack))) {
      counters.dropBadAck++;
      if (!(flags & F_RST)) replyRst(rip[s], rport[s], lport[s], ack, 0, F_RST);
      return;
    }
    if (flags & F_RST) {
      if (flags & F_ACK) {
        counters.rstIn++;
        fire(s, EV_RCV_RST);
      } else counters.dropRst++;
      return;
    }
    if (!(flags & F_SYN)) {
      counters.dropNoAck++;
      return;
    }
    var pm = parseMss(rx, o + 20, hl - 20);
    if (pm < 0) {
      counters.dropBadOptions++;
      return;
    }
    peerSyn(s, seq, win, pm);
    tUsed[s] = now;
    if (flags & F_ACK) {
      ackIn(s, ack, seq, win);
      fire(s, EV_RCV_SYN_ACK);
    } else {
      fire(s, EV_RCV_SYN);
    }
  }

  /** Processes an acceptable ACK field; false when the segment must be dropped. */
  function ackIn(s: number, ack: number, seq: number, win: number): boolean {
    var una = sndUna[s];
    if (seqLt(sndMax[s], ack)) {
      counters.dropAckUnsent++;
      sendAck(s);
      return false;
    }
    if (seqLt(ack, (una - 65535) >>> 0)) {
      counters.dropBadAck++;
      sendAck(s);
      return false;
    }
    if (seqLt(una, ack)) {
      var acked = (ack - una) >>> 0;
      var f = fl[s];
      if (!(f & SF_SYN_ACKED)) {
        fl[s] = f = f | SF_SYN_ACKED;
        acked--;
        tState[s] = 0;
      }
      var len = sndLen[s];
      var d = acked > len ? len : acked;
      if (d > 0) {
        sndHead[s] = (sndHead[s] + d) % sendBuf;
        sndLen[s] = len - d;
      }
      if (acked > len && f & SF_FIN_SENT) fl[s] |= SF_FIN_ACKED;
      sndUna[s] = ack;
      if (seqLt(sndNxt[s], ack)) sndNxt[s] = ack;
      if (f & SF_TIMING && seqLt(rttSeq[s], ack)) {
        fl[s] &= ~SF_TIMING;
        rttSample(S, s, now - rttT[s], minRto);
      }
      retries[s] = 0;
      var cw = cwnd[s] + mss[s];
      cwnd[s] = cw < sendBuf ? cw : sendBuf;
      tRexmt[s] = ack === sndMax[s] ? 0 : now + rto[s];
    }
    if (seqLe(una, ack) && (seqLt(sndWl1[s], seq) || (sndWl1[s] === seq && seqLe(sndWl2[s], ack)))) {
      sndWnd[s] = win;
      sndWl1[s] = seq;
      sndWl2[s] = ack;
      if (win > maxWnd[s]) maxWnd[s] = win;
      if (win > 0) {
        tPersist[s] = 0;
        probes[s] = 0;
      }
    }
    return true;
  }

  function synchronized(s: number, rx: Uint8Array, doff: number, dlen: number, seq: number, ack: number,
    flags: number, win: number): void {
    var cur = st[s];
    var rn = rcvNxt[s];
    var wnd = rcvWnd[s];
    if (cur === SYN_RCVD && flags & F_SYN && seq === irs[s]) {
      // The peer's SYN again: alone, it lost our SYN-ACK (send it again); with an ACK, it is the
      // other half of a simultaneous open: take its ACK and forget the SYN.
      if (!(flags & F_ACK)) {
        fire(s, EV_RCV_SYN);
        return;
      }
      seq = (seq + 1) >>> 0;
      flags &= ~F_SYN;
    }
    var slen = dlen + (flags & F_SYN ? 1 : 0) + (flags & F_FIN ? 1 : 0);
    var d0 = (seq - rn) | 0;
    var ok: boolean;
    if (slen === 0) ok = wnd === 0 ? d0 === 0 : d0 >= 0 && d0 < wnd;
    else if (wnd === 0) ok = false;
    else ok = (d0 >= 0 && d0 < wnd) || (d0 + slen - 1 >= 0 && d0 + slen - 1 < wnd);
    if (!ok && wnd === 0 && d0 === 0) {
      // Zero window: still take the ACK and RST of a segment at RCV.NXT, without its text.
      ok = true;
      dlen = 0;
      flags &= ~F_FIN;
    }
    if (!ok) {
      if (flags & F_RST) {
        counters.dropRst++;
        return;
      }
      if (flags & F_FIN && cur === TIME_WAIT) {
        fire(s, EV_RCV_FIN);
        return;
      }
      counters.dropOutOfWindow++;
      sendAck(s);
      return;
    }
    tUsed[s] = now; // only acceptable segments count as activity (idle eviction, oldest-first)
    if (flags & F_RST) {
      if (d0 === 0) {
        counters.rstIn++;
        fire(s, cur === SYN_RCVD && fl[s] & SF_ACTIVE ? EV_RCV_RST_ACTIVE : EV_RCV_RST);
      } else challengeAck(s);
      return;
    }
    if (flags & F_SYN) {
      challengeAck(s);
      return;
    }
    if (!(flags & F_ACK)) {
      counters.dropNoAck++;
      return;
    }
    if (cur === SYN_RCVD && !(seqLt(sndUna[s], ack) && seqLe(ack, sndMax[s]))) {
      counters.dropBadAck++;
      replyRst(rip[s], rport[s], lport[s], ack, 0, F_RST);
      return;
    }
    var freed = sndLen[s];
    if (!ackIn(s, ack, seq, win)) return;
    freed -= sndLen[s];
    var g = gen[s];
    if (cur === SYN_RCVD) {
      fire(s, EV_RCV_ACK_OF_SYN);
      if (gen[s] !== g) return;
      cur = st[s];
    }
    // Classify the rest: data and FIN in sequence?
    var skip = d0 < 0 ? -d0 : 0;
    var inOrder = d0 <= 0;
    var fin = flags & F_FIN && inOrder && skip <= dlen;
    var f = fl[s];
    var finAcked = f & SF_FIN_ACKED;
    var receiving = cur === ESTABLISHED || cur === FIN_WAIT_1 || cur === FIN_WAIT_2;
    if (finAcked && (cur === CLOSING || cur === LAST_ACK || (cur === FIN_WAIT_1 && !(fin && receiving)))) {
      fire(s, EV_RCV_ACK_OF_FIN);
      if (gen[s] !== g || st[s] === CLOSED) return;
      cur = st[s];
      receiving = cur === ESTABLISHED || cur === FIN_WAIT_1 || cur === FIN_WAIT_2;
    }
    var ackNow = false;
    if (!inOrder) {
      counters.dropOutOfOrder++;
      ackNow = true;
      fin = false;
    } else if (receiving && dlen > skip) {
      var k = dlen - skip;
      rcvNxt[s] = (rn + k) >>> 0;
      counters.bytesIn += k;
      if (cur === FIN_WAIT_2) tState[s] = now + fw2Ms;
      fl[s] |= SF_ACK_PENDING;
      if (++rsegs[s] >= 2) ackNow = true;
      var h = handler[s];
      var used: number | void = k;
      if (h) {
        try { used = h.data(s, rx, doff + skip, k); } catch (e) { counters.appErrors++; }
      }
      if (gen[s] !== g) return;
      if (typeof used === "number" && used >= 0 && used < k) {
        rcvNxt[s] = (rn + used) >>> 0;
        fin = false;
        ackNow = true;
      }
    } else if (slen > 0 && !(fin && receiving)) {
      // Nothing new: old data, or text in a state that takes none. ACK it.
      counters.dropDuplicate++;
      ackNow = true;
      fin = false;
    }
    if (fin && receiving) {
      rcvNxt[s] = (rcvNxt[s] + 1) >>> 0;
      fire(s, cur === FIN_WAIT_1 && finAcked ? EV_RCV_FIN_ACK : EV_RCV_FIN);
      if (gen[s] !== g || st[s] === CLOSED) return;
    }
    if (ackNow) fl[s] |= SF_ACK_PENDING;
    output(s);
    if (freed > 0) afterFreed(s, g);
    if (gen[s] !== g) return;
    if (fl[s] & SF_ACK_PENDING) {
      if (ackNow) sendAck(s);
      else if (tAck[s] === 0) tAck[s] = now + ackDelay;
    }
  }

  /** Send space came back: window update if our advertised window was small, drained(). */
  function afterFreed(s: number, g: number): void {
    var h = handler[s];
    if (h && h.room && rcvWnd[s] < mss[s] && st[s] !== TIME_WAIT) {
      var r = h.room(s);
      if (r >= mss[s] || r >= recvWindow >> 1) {
        counters.windowUpdates++;
        sendAck(s);
      }
    }
    if (fl[s] & SF_WANT_DRAIN && sndLen[s] < sendBuf) {
      fl[s] &= ~SF_WANT_DRAIN;
      if (h && fl[s] & SF_KNOWN) {
        try { h.drained(s); } catch (e) { counters.appErrors++; }
      }
    }
  }

  function input(rx: Uint8Array, o: number, len: number, src: number, dst: number): void {
    now = clock.now();
    counters.segIn++;
    if (len < 20) {
      counters.dropShort++;
      return;
    }
    var hl = (rx[o + 12] >> 4) << 2;
    if (hl < 20 || hl > len) {
      counters.dropShort++;
      return;
    }
    if (dst !== stack.addr || badAddr(src)) {
      counters.dropAddress++;
      return;
    }
    if (csumFinish(csumAdd(rx, o, len, pseudoSum(src, dst, 6, len))) !== 0) {
      counters.dropChecksum++;
      return;
    }
    var sport = get16(rx, o);
    var dport = get16(rx, o + 2);
    var seq = get32(rx, o + 4);
    var ack = get32(rx, o + 8);
    var flags = rx[o + 13];
    var win = get16(rx, o + 14);
    var s = find(src, sport, dport);
    if (s < 0) {
      noConnection(rx, o, hl, len - hl, src, sport, dport, seq, ack, flags, win);
      return;
    }
    if (st[s] === SYN_SENT) synSent(s, rx, o, hl, seq, ack, flags, win);
    else synchronized(s, rx, o + hl, len - hl, seq, ack, flags, win);
  }

  function tick(t: number): void {
    now = t;
    for (var s = 0; s < n; s++) {
      if (st[s] === CLOSED) continue;
      if (tAck[s] !== 0 && now >= tAck[s]) {
        tAck[s] = 0;
        if (fl[s] & SF_ACK_PENDING) {
          counters.delayedAcks++;
          sendAck(s);
        }
      }
      if (tState[s] !== 0 && now >= tState[s]) {
        tState[s] = 0;
        if (st[s] !== TIME_WAIT) counters.stateTimeouts++;
        fire(s, st[s] === TIME_WAIT ? EV_TIMEOUT_2MSL : EV_STATE_TIMEOUT);
        continue;
      }
      if (tRexmt[s] !== 0 && now >= tRexmt[s]) {
        tRexmt[s] = 0;
        if (retries[s] >= (st[s] === SYN_SENT ? synRetries : maxRetries)) {
          counters.giveUps++;
          fire(s, EV_GIVE_UP);
        } else {
          retries[s]++;
          backOff(S, s);
          fire(s, EV_RTO);
        }
        continue;
      }
      if (tPersist[s] !== 0 && now >= tPersist[s]) probe(s);
    }
  }

  stack.onProtocol(6, input);
  stack.onTick(tick);

  // ---------------------------------------------------------------- API
  function valid(c: number): boolean {
    return c >= 0 && c < n && st[c] !== CLOSED;
  }

  function listen(port: number, h: TcpHandler, backlog?: number): boolean {
    if (listenerFor(port) >= 0) return false;
    for (var i = 0; i < nListen; i++) {
      if (lState[i] === CLOSED) {
        var row = step(T, CLOSED, EV_PASSIVE_OPEN);
        lState[i] = nextOf(row);
        lPort[i] = port;
        lHandler[i] = h;
        var b = backlog || defBacklog;
        lBacklog[i] = b > n ? n : b;
        return true;
      }
    }
    return false;
  }

  function unlisten(port: number): void {
    var i = listenerFor(port);
    if (i >= 0) lState[i] = nextOf(step(T, LISTEN, EV_CLOSE));
  }

  function portInUse(p: number): boolean {
    for (var i = 0; i < n; i++) if (st[i] !== CLOSED && lport[i] === p) return true;
    return listenerFor(p) >= 0;
  }

  function connect(ip: number, port: number, h: TcpHandler): number {
    now = clock.now();
    if (!stack.addr || badAddr(ip >>> 0) || !(port > 0 && port < 65536)) return -1;
    var s = allocSlot();
    if (s < 0) return -1;
    for (var tries = 0; tries < 16384; tries++) {
      nextPort = nextPort >= 65535 ? 49152 : nextPort + 1;
      if (!portInUse(nextPort)) break;
    }
    initSlot(s, -1, ip >>> 0, port, nextPort, h);
    fl[s] = SF_ACTIVE | SF_KNOWN;
    counters.connects++;
    fire(s, EV_ACTIVE_OPEN);
    return s;
  }

  function sendAllowed(c: number): boolean {
    return valid(c) && step(T, st[c], EV_SEND) !== 0 && !(fl[c] & SF_FIN_QUEUED);
  }

  function write(c: number, buf: Uint8Array, off: number, len: number): number {
    if (!sendAllowed(c)) return 0;
    now = clock.now();
    var used = sndLen[c];
    var k = sendBuf - used;
    if (k > len) k = len;
    if (k < len) fl[c] |= SF_WANT_DRAIN;
    if (k <= 0) return 0;
    var base = c * sendBuf;
    var tail = (sndHead[c] + used) % sendBuf;
    var first = sendBuf - tail;
    if (first > k) first = k;
    if (off === 0 && first === buf.length) ring.set(buf, base + tail); // whole buffer: no view
    else ring.set(buf.subarray(off, off + first), base + tail);
    if (k > first) ring.set(buf.subarray(off + first, off + k), base);
    sndLen[c] = used + k;
    if (used + k === sendBuf) fl[c] |= SF_WANT_DRAIN;
    fire(c, EV_SEND);
    return k;
  }

  function space(c: number): number {
    if (!sendAllowed(c)) return 0;
    var k = sendBuf - sndLen[c];
    if (k === 0) fl[c] |= SF_WANT_DRAIN;
    return k;
  }

  function close(c: number): void {
    if (!valid(c)) return;
    now = clock.now();
    fire(c, EV_CLOSE);
  }

  function abort(c: number): void {
    if (!valid(c)) return;
    now = clock.now();
    fire(c, EV_ABORT);
  }

  function stateCounts(out: Uint16Array): void {
    for (var i = 0; i < out.length; i++) out[i] = 0;
    for (var s = 0; s < n; s++) if (st[s] < out.length) out[st[s]]++;
    for (var l = 0; l < nListen; l++) if (lState[l] === LISTEN && LISTEN < out.length) out[LISTEN]++;
  }

  return {
    listen: listen,
    unlisten: unlisten,
    connect: connect,
    write: write,
    space: space,
    close: close,
    abort: abort,
    state: function (c: number): number {
      return c >= 0 && c < n ? st[c] : CLOSED;
    },
    remoteIp: function (c: number): number {
      return rip[c];
    },
    remotePort: function (c: number): number {
      return rport[c];
    },
    localPort: function (c: number): number {
      return lport[c];
    },
    counters: counters,
    stateCounts: stateCounts,
    memoryBytes: S.bytes,
    slots: S,
  };
}

export { STATE_COUNT };
