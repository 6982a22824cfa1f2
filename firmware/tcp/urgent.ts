// Urgent data (RFC 9293 3.8.5; MUST-30, MUST-31, MUST-62), delivered in line: the urgent bytes
// stay in the stream, in order, through data() like any other (never out of band, as a socket
// with SO_OOBINLINE); the application is only told where the urgent data ends.
//
// Receive: a segment with URG (in ESTABLISHED, FIN-WAIT-1 or FIN-WAIT-2: after the peer's FIN
// urgent data means nothing and URG is ignored, RFC 9293 3.10.7.4) gives the urgent point
// SEG.SEQ + SEG.UP, the octet after the urgent data (MUST-62; any distance: inside the segment, at
// its end, past it, past the window, over several segments, MUST-31). RCV.UP moves only forward;
// each time it moves past the data delivered so far, handler.urgent(c, n) (optional) is called
// before the segment's data: the urgent data ends n bytes (n >= 1) into the stream from the next
// byte data() delivers, its last byte at offset n - 1 (MUST-32/33: told on every advance, and n is
// how much is left up to the mark). The same pointer again (a retransmission, or the following
// segments of the same urgent data) tells nothing.
//
// Send: tcpWriteUrgent(tcp, c, buf, off, len) is tcp.write() whose bytes are urgent data: the end
// of what it queued is the urgent point, SND.UP = the sequence number after its last byte (Linux's
// send(MSG_OOB) does the same). Every segment that starts before SND.UP carries URG and the
// pointer SND.UP - SEG.SEQ (at most 65,535: sendBuf is), retransmissions and pure ACKs included,
// never a SYN or a RST, until SND.UNA reaches SND.UP. emit() reaches urgOut() through t.uo, which
// tcpWriteUrgent() sets: an application that never sends urgent data has no code for it.
//
// Cost: SND_UP and RCV_UP (4 bytes each per slot) and the SF.URG flag.

import { Ip } from "../net/ipv4";
import { rd16, rd32, wr16 } from "../net/bytes";
import { F, Hdr, seqLe } from "./segment";
import { SF, F16, F32 } from "./slots";
import { tell } from "./events";
import { K, Tc } from "./state";
import { Tcp } from "./tcp";

const enum U {
  // An urgent point still ahead of RCV.NXT is at most a window (65,535) plus SEG.UP (65,535) away:
  // an RCV.UP further than this from RCV.NXT is an old one (urgent data long delivered).
  SPAN = 131070,
}

/**
 * The segment being handled carries URG and slot s takes data: RCV.UP moves forward, and the
 * application hears of it when it is ahead of the data delivered. False when the handler freed
 * or reused the slot.
 */
export function urgIn(t: Tc, s: number): boolean {
  var u32 = t.u32, b = s * F32.STRIDE, nxt = u32[b + F32.RCV_NXT];
  var n = (rd32(t.rx, t.ro + Hdr.SEQ) + rd16(t.rx, t.ro + Hdr.URGENT) - nxt) | 0; // (the header's SEQ: t.seq may have lost a SYN)
  var p = (u32[b + F32.RCV_UP] - nxt) >>> 0; // the urgent point already known, from RCV.NXT
  if (n <= 0 || (p <= U.SPAN && p >= n)) return true; // delivered already, or not past the one known
  u32[b + F32.RCV_UP] = nxt + n;
  var h = t.hd[s];
  return h && h.urgent ? tell(t, s, "urgent", n) : true;
}

/**
 * tcp.write(c, buf, off, len) with the bytes taken as urgent data (the urgent point after the
 * last of them): bytes taken, as write() (fewer than len when the send queue is short of room;
 * the rest, written again, moves the urgent point on).
 */
export function tcpWriteUrgent(tcp: object, c: number, buf: Uint8Array, off: number, len: number): number {
  var t = tcp as Tc, k = (tcp as Tcp).space(c); // what write() will take (0: nothing, or not open)
  if (k > len) k = len;
  if (k > 0) {
    var b = c * F32.STRIDE;
    // set before write() sends: the queue starts at SND.UNA, or after the SYN while it is not acknowledged
    t.u32[b + F32.SND_UP] = t.u32[b + F32.SND_UNA] + t.u16[c * F16.STRIDE + F16.SND_LEN] + k + (t.fl[c] & SF.SYN_ACKED ? 0 : 1);
    t.fl[c] |= SF.URG;
    t.uo = urgOut;
  }
  return (tcp as Tcp).write(c, buf, off, k);
}

/** The segment of slot s at seq just built in tx: URG and the urgent pointer while urgent data is unacknowledged. */
export function urgOut(t: Tc, s: number, seq: number): void {
  var b = s * F32.STRIDE, up = t.u32[b + F32.SND_UP];
  if (seqLe(up, t.u32[b + F32.SND_UNA])) {
    t.fl[s] &= ~SF.URG; // all acknowledged: urgent mode is over
    return;
  }
  var d = (up - seq) | 0;
  if (d <= 0) return; // the segment starts past the urgent data
  t.tx[Ip.PAYLOAD + Hdr.FLAGS] |= F.URG;
  wr16(t.tx, Ip.PAYLOAD + Hdr.URGENT, d < K.MAX_16 ? d : K.MAX_16);
}
