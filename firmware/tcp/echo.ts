// The echo service (RFC 862) on the device: every byte received is written back. Its window
// follows its send space (room = space), so it never has to refuse data; when the peer
// half-closes, the echo closes after the queued bytes.

import { Tcp, TcpHandler } from "./tcp";

const enum Echo {
  PORT = 7, // RFC 862
}

function nothing(): void {}

export function startEcho(tcp: Tcp, port?: number): boolean {
  // tcp's own functions take the handler's arguments as they are: data -> write, peerClosed ->
  // close, room -> space (none of them uses `this`)
  var h: TcpHandler = {
    open: nothing,
    data: tcp.write,
    drained: nothing,
    peerClosed: tcp.close,
    end: nothing,
    room: tcp.space,
  };
  return tcp.listen(port === undefined ? Echo.PORT : port, h);
}
