// The echo service (RFC 862) on the device: every byte received is written back. Its window
// follows its send space (room = space), so it never has to refuse data; when the peer
// half-closes, the echo closes after the queued bytes.

import { Tcp, TcpHandler } from "./tcp";

function nothing(): void {}

export function startEcho(tcp: Tcp, port?: number): boolean {
  var h: TcpHandler = {
    open: nothing,
    data: function (c: number, buf: Uint8Array, off: number, len: number): number {
      return tcp.write(c, buf, off, len);
    },
    drained: nothing,
    peerClosed: function (c: number): void {
      tcp.close(c);
    },
    end: nothing,
    room: function (c: number): number {
      return tcp.space(c);
    },
  };
  return tcp.listen(port === undefined ? 7 : port, h);
}
