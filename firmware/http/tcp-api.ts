// The part of the TCP API (docs: notes/api.md, "TCP") the HTTP server uses. A structural copy,
// so firmware/http compiles and is tested on its own; firmware/tcp/tcp.ts's Tcp satisfies it.

export interface TcpHandler {
  open(c: number): void;
  /** May return the bytes consumed (fewer than len: the rest is not acknowledged). */
  data(c: number, buf: Uint8Array, off: number, len: number): number | void;
  drained(c: number): void;
  peerClosed(c: number): void;
  end(c: number, reason: number): void;
}

export interface TcpApi {
  listen(port: number, h: TcpHandler, backlog?: number): boolean;
  write(c: number, buf: Uint8Array, off: number, len: number): number;
  space(c: number): number;
  close(c: number): void;
  abort(c: number): void;
}
