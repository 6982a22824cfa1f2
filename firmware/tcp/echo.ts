// The echo service (RFC 862) on the device: every byte received is written back. Its window
// follows its send space (room = space), so it never has to refuse data; when the peer
// half-closes, the echo closes after the queued bytes.

import { Tcp, TcpHandler } from "./tcp";

const enum Echo {
  PORT = 7, // RFC 862
}

function nothing(): void {}

export function startEcho(tcp: Tcp, port?: number): boolean {
  // data -> write, peerClosed -> close, room -> space (tcp's methods, called on tcp)
  var h: TcpHandler = {
    open: nothing,
    data: function (c: number, b: Uint8Array, off: number, len: number): number {
      return tcp.write(c, b, off, len);
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
  return tcp.listen(port === undefined ? Echo.PORT : port, h);
}
