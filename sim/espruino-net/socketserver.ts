// A model of Espruino's socket polling (libs/network/socketserver.c, 2v29) over a NetworkJS driver,
// for the host: the lists of servers, server connections and client connections, and idle(),
// which calls the driver exactly as Espruino's idle loop does: accept() on every listening
// server, then per server connection recv() (536 bytes) and send(), then per client connection
// send() then recv(); `0` from send() keeps the data for the next pass (busy); a negative recv()
// closes, except -11 (no connection) before a client is connected; close() is called once a
// connection is over, after its 'end' and 'close' events are queued. Events other than 'data' are
// queued and run after the pass (runQueued), as Espruino runs them from its event queue.
// The modules (http, net, dgram) build on the operations at the bottom (modules.ts).

import { Events, NetEnv, Sk, Srv, ST, socketErrorString } from "./objects";

/** The NetworkJS driver contract (firmware/lib/networkjs.ts implements it). */
export interface NetworkJsDriverLike {
  create(host: string | undefined, port: number, type: number, options?: any): number;
  accept(server: number): number;
  recv(sckt: number, maxLen: number, type: number): string | number;
  send(sckt: number, data: string, type: number): number;
  close(sckt: number): void;
}

/** Espruino's chunk size for NetworkJS (net->chunkSize). */
export const CHUNK = 536;
const ERR_CLOSED = -1, ERR_UNSENT = -8, ERR_NO_CONN = -11, ERR_NO_RESP = -15;
/** The version in the Server and User-Agent headers. */
export const ESPRUINO_VERSION = "2v29";

export class SocketServer {
  driver: NetworkJsDriverLike | null = null;
  servers: Srv[] = [];
  serverConns: Sk[] = [];
  clientConns: Sk[] = [];
  private pending: [Function, any, any[]][] = [];
  /** Driver calls by name (tests check the polling pattern). */
  calls: { [name: string]: number } = { create: 0, accept: 0, recv: 0, send: 0, close: 0 };
  constructor(public env: NetEnv) {}

  queue(fn: Function, self: any, args: any[]): void { this.pending.push([fn, self, args]); }

  /** Runs the queued callbacks (and those they queue), bounded. */
  runQueued(): number {
    let n = 0;
    while (this.pending.length && n < 10000) {
      const [fn, self, args] = this.pending.shift()!;
      n++;
      this.env.call(fn, self, args);
    }
    return n;
  }

  // ---------------------------------------------------------------- driver calls
  private d(): NetworkJsDriverLike {
    if (!this.driver) throw new Error("No network (require(\"NetworkJS\").create(driver) first)");
    return this.driver;
  }
  /** A driver call; an exception in the driver is reported and counts as error -10 (unknown). */
  private call(name: keyof NetworkJsDriverLike, a: any, b?: any, c?: any, e?: any): any {
    this.calls[name]++;
    try {
      return (this.d() as any)[name](a, b, c, e);
    } catch (err: any) {
      this.env.warn("NetworkJS driver " + name + "() threw: " + (err && err.message || err));
      return -10;
    }
  }
  private recvData(sk: Sk): number | string {
    const r = this.call("recv", sk.sckt, CHUNK, sk.type);
    if (typeof r === "string") return r.length > CHUNK ? r.substring(0, CHUNK) : r;
    return typeof r === "number" && r < 0 ? r : -1;
  }
  /** socketSendData: one chunk (UDP: the whole buffer); 0 or a negative error. */
  private sendData(sk: Sk, owner: Sk): number {
    const data = owner.sendData!;
    const chunk = (sk.type & ST.MASK) === ST.UDP ? data : data.substring(0, CHUNK);
    const n = this.call("send", sk.sckt, chunk, sk.type);
    if (typeof n !== "number") return -1;
    if (n < 0) return n;
    if (n > 0) {
      if (n < data.length) owner.sendData = data.substring(n);
      else {
        owner.sendData = "";
        if (!owner.close) owner.ev.queue("drain", [owner.ev.pub]);
      }
    }
    return 0;
  }
  private kill(sk: Sk): void {
    if (sk.sckt >= 0) {
      this.call("close", sk.sckt);
      sk.sckt = -1;
      sk.connected = false;
      sk.close = true;
    }
  }
  private fireError(code: number, a: Sk | null, b: Sk | null): boolean {
    if (!(code < 0 && code !== ERR_CLOSED)) return false;
    const e = { code, message: socketErrorString(code) };
    if (a) a.ev.queue("error", [e]);
    if (b && b !== a) b.ev.queue("error", [e]);
    return true;
  }

  // ---------------------------------------------------------------- the idle loop
  /** One pass of Espruino's socket idle; true while there are sockets (Espruino does not sleep then). */
  idle(): boolean {
    if (!this.driver) return false;
    let had = false;
    for (const srv of this.servers.slice()) {
      had = true;
      if ((srv.type & ST.MASK) === ST.UDP) continue;
      const c = this.call("accept", srv.sckt);
      if (typeof c !== "number" || c < 0) continue;
      this.accepted(srv, c);
    }
    if (this.serverIdle()) had = true;
    if (this.clientIdle()) had = true;
    return had;
  }

  private accepted(srv: Srv, c: number): void {
    if ((srv.type & ST.MASK) === ST.HTTP) {
      const req = new Sk(new Events(this, {}), ST.HTTP);
      const res = new Sk(new Events(this, {}), ST.HTTP);
      req.sock = res;
      req.server = srv;
      req.sckt = res.sckt = c;
      res.headers = { Connection: "close" };
      this.serverConns.push(req);
      this.onNewHttpServerConn(req, res);
    } else {
      const sock = new Sk(new Events(this, {}), srv.type);
      sock.sckt = c;
      this.clientConns.push(sock);
      this.onNewSocket(sock);
      srv.ev.queue("connection", [sock.ev.pub]);
      if (srv.onConnect) this.queue(srv.onConnect, srv.ev.pub, [sock.ev.pub]);
    }
  }
  /** Set by modules.ts: gives the new objects their methods. */
  onNewHttpServerConn: (req: Sk, res: Sk) => void = () => undefined;
  onNewSocket: (sock: Sk) => void = () => undefined;

  private serverIdle(): boolean {
    let had = false;
    for (const conn of this.serverConns.slice()) {
      had = true;
      const isHttp = (conn.type & ST.MASK) === ST.HTTP;
      const sock = conn.sock;
      let closeNow = conn.closeNow, error = 0;
      if (!closeNow) {
        const r = this.recvData(conn);
        const num = typeof r === "string" ? r.length : r;
        if (typeof r === "number") { closeNow = true; error = r; }
        else if (num > 0) {
          conn.receiveData = (conn.receiveData || "") + r;
          this.received(conn, sock, true);
        }
        if (sock.sendData) {
          const sent = this.sendData(conn, sock);
          if (sent < 0) { closeNow = true; error = sent; }
        }
        if (!sock.sendData && num <= 0) {
          let really = sock.close;
          if (isHttp) {
            if (conn.receiveCount > 0 || !conn.hadHeaders) really = false;
            else if (!conn.ended) { conn.ended = true; conn.ev.queue("end", []); }
          }
          closeNow = really;
        } else if (num > 0) closeNow = false;
      }
      if (closeNow) {
        if (conn.hadHeaders) this.pushReceive(conn, conn, isHttp, true);
        const hadError = this.fireError(error, conn, sock);
        sock.ev.queue("end", []);
        if (conn !== sock) conn.ev.queue("close", [hadError]);
        sock.ev.queue("close", [hadError]);
        this.kill(conn);
        sock.sckt = -1;
        this.serverConns.splice(this.serverConns.indexOf(conn), 1);
      }
    }
    return had;
  }

  private clientIdle(): boolean {
    let had = false;
    for (const conn of this.clientConns.slice()) {
      had = true;
      const isHttp = (conn.type & ST.MASK) === ST.HTTP;
      const sock = conn.sock;
      let error = 0, hadHeaders = false;
      let closeNow = conn.closeNow;
      if (conn.sckt >= 0) {
        hadHeaders = isHttp ? sock.hadHeaders : true;
        if (hadHeaders && (conn.type & ST.MASK) !== ST.UDP) this.pushReceive(sock, conn, isHttp, false);
        if (!closeNow) {
          if (conn.sendData) {
            // (Espruino's "connected once something was sent" test compares socketSendData's
            // result, 0 or an error, with > 0: it never fires, so only recv() tells.)
            const num = this.sendData(conn, conn);
            if (num < 0) { closeNow = true; error = num; }
          } else {
            if (conn.close) closeNow = true;
            if (isHttp) {
              if (sock.receiveCount > 0 || !hadHeaders) closeNow = false;
              else if (!sock.ended) { sock.ended = true; sock.ev.queue("end", []); }
            }
          }
          const r = this.recvData(conn);
          const num = typeof r === "string" ? r.length : r;
          if (!conn.connected && num === ERR_NO_CONN) {
            // not connected yet
          } else if (typeof r === "number") {
            closeNow = true;
            if (r === ERR_CLOSED) {
              if (!isHttp || sock.receiveCount > 0 || !hadHeaders) error = hadHeaders ? r : ERR_NO_RESP;
            } else error = r;
          } else {
            if (!conn.connected && !isHttp) this.connected(conn, !conn.sendData);
            if (num > 0) {
              conn.receiveData = (conn.receiveData || "") + r;
              this.received(conn, sock, false);
            }
          }
        }
      }
      if (closeNow) {
        if ((conn.type & ST.MASK) !== ST.UDP) this.pushReceive(sock, conn, isHttp, true);
        if (!conn.receiveData || (conn.type & ST.MASK) === ST.UDP) {
          if (conn.sendData && error === ERR_CLOSED) error = ERR_UNSENT;
          this.kill(conn);
          this.clientConns.splice(this.clientConns.indexOf(conn), 1);
          const hadError = this.fireError(error, conn, null);
          if (!sock.ended) { sock.ended = true; sock.ev.queue("end", []); }
          sock.ev.queue("close", [hadError]);
        }
      }
    }
    return had;
  }

  private connected(conn: Sk, drain: boolean): void {
    conn.connected = true;
    conn.ev.queue("connect", [conn.ev.pub]);
    if (conn.onConnect) this.queue(conn.onConnect, conn.ev.pub, [conn.ev.pub]);
    if (drain) conn.ev.queue("drain", [conn.ev.pub]);
  }

  /** socketReceived: UDP datagrams, HTTP headers, then the data. */
  private received(conn: Sk, sock: Sk, isServer: boolean): void {
    if ((conn.type & ST.MASK) === ST.UDP) return this.receivedUdp(conn);
    const reader = isServer ? conn : sock;
    const isHttp = (conn.type & ST.MASK) === ST.HTTP;
    if (!reader.hadHeaders) {
      if (!isHttp) reader.hadHeaders = true;
      else if (this.parseHeaders(conn, reader, isServer)) {
        reader.hadHeaders = true;
        if (isServer) {
          const srv = conn.server!;
          srv.ev.queue("request", [conn.ev.pub, sock.ev.pub]);
          if (srv.onConnect) this.queue(srv.onConnect, srv.ev.pub, [conn.ev.pub, sock.ev.pub]);
        } else if (conn.onConnect) {
          this.queue(conn.onConnect, conn.ev.pub, [sock.ev.pub]);
        }
      }
    }
    if (reader.hadHeaders) this.pushReceive(reader, conn, isHttp, false);
  }

  private receivedUdp(conn: Sk): void {
    let d = conn.receiveData || "";
    while (d.length >= 8) {
      const len = d.charCodeAt(6) | (d.charCodeAt(7) << 8);
      if (d.length < 8 + len) break;
      const rinfo = {
        address: d.charCodeAt(0) + "." + d.charCodeAt(1) + "." + d.charCodeAt(2) + "." + d.charCodeAt(3),
        port: d.charCodeAt(4) | (d.charCodeAt(5) << 8), size: len,
      };
      conn.ev.queue("message", [d.substring(8, 8 + len), rinfo]);
      d = d.substring(8 + len);
      break; // one per chunk, as Espruino
    }
    conn.receiveData = d || null;
  }

  /** httpParseHeaders: the head up to CRLFCRLF into headers, method/url or status; false until complete. */
  private parseHeaders(conn: Sk, reader: Sk, isServer: boolean): boolean {
    const data = conn.receiveData || "";
    const end = data.indexOf("\r\n\r\n");
    if (end < 0) return false;
    const lines = data.substring(0, end).split("\r\n");
    const headers: { [k: string]: string } = {};
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i].indexOf(":");
      if (c > 0) headers[lines[i].substring(0, c)] = lines[i].substring(c + 1).replace(/^\s+/, "");
    }
    reader.ev.pub.headers = headers;
    if (/^chunked$/i.test(headers["Transfer-Encoding"] || "")) { reader.chunked = true; reader.receiveCount = 1; }
    else reader.receiveCount = parseInt(headers["Content-Length"], 10) || 0;
    const first = lines[0].split(" ");
    if (isServer) {
      reader.ev.pub.method = first[0];
      reader.ev.pub.url = first[1] || "";
    } else {
      reader.ev.pub.httpVersion = first[0].substring(5);
      reader.ev.pub.statusCode = first[1];
      reader.ev.pub.statusMessage = first.slice(2).join(" ");
    }
    conn.receiveData = data.substring(end + 4);
    return true;
  }

  /** socketPushReceiveData: the data (HTTP: counted against Content-Length, or de-chunked) to the reader. */
  private pushReceive(reader: Sk, holder: Sk, isHttp: boolean, force: boolean): void {
    const data = holder.receiveData;
    if (!data) return;
    let out = data, rest: string | null = null;
    if (isHttp && reader.chunked) {
      if (data.length < 5) return;
      const crlf = data.indexOf("\r\n");
      const len = parseInt(data, 16) || 0;
      reader.receiveCount = len ? 1 : 0;
      if (!len) { holder.receiveData = null; return; }
      const start = crlf + 2, next = start + len + 2;
      if (next > data.length) { if (!force) return; }
      out = data.substring(start, start + len);
      rest = next < data.length ? data.substring(next) : null;
    } else if (isHttp) reader.receiveCount -= data.length;
    if (out && !reader.ev.pushData(out, force)) return;
    holder.receiveData = rest;
    if (rest) this.pushReceive(reader, holder, isHttp, force);
  }

  // ---------------------------------------------------------------- operations the modules call
  serverListen(srv: Srv, port: number): void {
    srv.port = port;
    const s = this.call("create", undefined, port, srv.type, srv.ev.pub.__options || undefined);
    if (typeof s !== "number" || s < 0) {
      srv.closeNow = true;
      throw new Error("Unable to create socket");
    }
    srv.sckt = s;
    this.servers.push(srv);
  }
  /** dgram bind(): the socket gets a bound driver socket and is polled as a server connection too. */
  udpBind(sk: Sk, port: number): void {
    const s = this.call("create", undefined, port, ST.UDP, sk.options || undefined);
    if (typeof s !== "number" || s < 0) throw new Error("Unable to create socket");
    if (sk.sckt >= 0) this.call("close", sk.sckt);
    sk.sckt = s;
    if (this.serverConns.indexOf(sk) < 0) this.serverConns.push(sk);
  }
  /** dgram close(). */
  udpClose(sk: Sk): void {
    this.kill(sk);
    sk.closeNow = true;
    const i = this.serverConns.indexOf(sk);
    if (i >= 0) this.serverConns.splice(i, 1);
    const j = this.clientConns.indexOf(sk);
    if (j >= 0) this.clientConns.splice(j, 1);
    sk.ev.queue("close", [false]);
  }
  serverClose(srv: Srv): void {
    const i = this.servers.indexOf(srv);
    if (srv.sckt >= 0) { this.call("close", srv.sckt); srv.sckt = -1; }
    if (i >= 0) this.servers.splice(i, 1); else this.env.warn("Server not found!");
  }
  /** clientRequestConnect: creates the driver socket (a name goes to the driver as is). */
  clientConnect(conn: Sk): void {
    if (conn.sckt >= 0) return;
    const o = conn.options || {};
    let port = +o.port || 0;
    const host = o.host === undefined ? "127.0.0.1" : String(o.host);
    if ((conn.type & ST.MASK) === ST.HTTP && !port) port = 80;
    const s = this.call("create", host, port, conn.type, o);
    if (typeof s !== "number" || s < 0) {
      conn.closeNow = true;
      throw new Error("Unable to create socket");
    }
    conn.sckt = s;
  }
  /** clientRequestWrite: HTTP requests get their head on the first write; UDP the 8-byte header. */
  clientWrite(conn: Sk, data: any, host?: string, port?: number): void {
    if (conn.closeNow || conn.close) throw new Error("This socket is closed");
    const t = conn.type & ST.MASK;
    if (conn.sendData === null) {
      let head = "";
      if (t === ST.HTTP && conn.sckt < 0) head = this.requestHead(conn);
      conn.sendData = head;
    }
    if (data !== undefined && data !== null) {
      const s = String(data);
      if (conn.chunked) conn.sendData += s.length.toString(16) + "\r\n" + s + "\r\n";
      else {
        if (t === ST.UDP) conn.sendData += udpHeader(String(host), port || 0, s.length);
        conn.sendData += s;
      }
    }
    if (t !== ST.NORMAL) this.clientConnect(conn);
  }
  private requestHead(conn: Sk): string {
    const o = conn.options;
    let h = o.method + " " + o.path + " HTTP/1.1\r\nUser-Agent: Espruino " + ESPRUINO_VERSION + "\r\nConnection: close\r\n";
    let hasHost = false;
    if (o.headers && typeof o.headers === "object") {
      for (const k of Object.keys(o.headers)) { h += k + ": " + o.headers[k] + "\r\n"; if (k === "Host") hasHost = true; }
      if (/^chunked$/i.test(o.headers["Transfer-Encoding"] || "")) conn.chunked = true;
    }
    if (!hasHost) h += "Host: " + o.host + (o.port > 0 && o.port !== 80 ? ":" + o.port : "") + "\r\n";
    return h + "\r\n";
  }
  clientEnd(conn: Sk): void {
    if ((conn.type & ST.MASK) === ST.HTTP) this.clientWrite(conn, conn.chunked ? "" : undefined);
    else if (!conn.sendData) conn.closeNow = true;
    conn.close = true;
  }
  responseWriteHead(res: Sk, status: number, headers?: any): void {
    if (headers !== undefined && (headers === null || typeof headers !== "object")) { this.env.warn("Headers sent to writeHead should be an object"); return; }
    if (res.sendData !== null) { this.env.warn("Headers have already been sent"); return; }
    const all: any = {};
    for (const k of Object.keys(res.headers || {})) all[k] = res.headers![k];
    for (const k of Object.keys(headers || {})) all[k] = headers[k];
    let h = "HTTP/1.1 " + (status | 0) + " OK\r\nServer: Espruino " + ESPRUINO_VERSION + "\r\n";
    for (const k of Object.keys(all)) h += k + ": " + all[k] + "\r\n";
    if (/^chunked$/i.test(all["Transfer-Encoding"] || "")) res.chunked = true;
    res.sendData = h + "\r\n";
  }
  responseWrite(res: Sk, data: any): void {
    if (res.closeNow || res.close) throw new Error("This socket is closed");
    if (res.sendData === null) this.responseWriteHead(res, 200);
    if (data !== undefined) {
      const s = String(data);
      res.sendData += res.chunked ? s.length.toString(16) + "\r\n" + s + "\r\n" : s;
    }
  }
  responseEnd(res: Sk, data: any): void {
    if (data !== undefined) this.responseWrite(res, data);
    this.responseWrite(res, res.chunked ? "" : undefined);
    res.close = true;
  }
  /** Sockets the model holds (servers, server connections, client connections). */
  count(): number { return this.servers.length + this.serverConns.length + this.clientConns.length; }
}

/** NetworkJS's UDP header: ip[4], port LE16, length LE16 (a name that is no dotted quad: 255.255.255.255, as Espruino). */
export function udpHeader(host: string, port: number, len: number): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  const ip = m ? [+m[1], +m[2], +m[3], +m[4]] : [255, 255, 255, 255];
  return String.fromCharCode(ip[0] & 255, ip[1] & 255, ip[2] & 255, ip[3] & 255, port & 255, (port >> 8) & 255, len & 255, (len >> 8) & 255);
}
