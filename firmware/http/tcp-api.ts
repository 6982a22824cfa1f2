// The part of the TCP API (firmware/tcp/tcp.ts) the HTTP server uses: narrowing it lets the
// server be tested over a small fake (test/unit/http/fake-tcp.ts). Types only.
import { Tcp, TcpHandler } from "../tcp/tcp";

export { TcpHandler };
export type TcpApi = Pick<Tcp, "listen" | "write" | "space" | "close" | "abort"> & Partial<Pick<Tcp, "now">>;
