// Espruino's `http`, `net`, `dgram` and `NetworkJS` modules for the simulated board's vm engine,
// over the model of its socket polling (socketserver.ts) and the NetworkJS driver the app installs
// with require("NetworkJS").create(driver). The subset Espruino documents:
//   http.createServer(cb(req, res)).listen(port) / .close(); req.method, url, headers,
//   on("data"/"end"/"close"), read(), available(); res.writeHead(status, headers), setHeader,
//   write, end, on("drain"/"close"); http.request(options|url, cb(res)) -> req.write/end,
//   http.get(options|url, cb(res)); res.statusCode, headers, on("data"/"end"/"close"/"error").
//   net.createServer(cb(socket)).listen(port) / .close(); net.connect(options|url, cb) ->
//   socket.write/end, on("connect"/"data"/"end"/"close"/"error"/"drain").
//   dgram.createSocket(type, cb) -> bind(port, cb), send(msg, [offset, length,] port, address),
//   on("message", (msg, rinfo)), close().
// Host code (Node realm): the objects are plain objects whose methods the app calls.

import { Events, NetEnv, Sk, Srv, ST, parseUrl } from "./objects";
import { SocketServer, NetworkJsDriverLike } from "./socketserver";

export { NetEnv, SocketServer, NetworkJsDriverLike };

export interface EspruinoNet {
  ss: SocketServer;
  /** The module for a built-in name, or undefined. */
  require(name: string): any;
  /** One idle pass and the callbacks it queued; true while there are sockets. */
  idle(): boolean;
}

function fnOrUndefined(cb: any, what: string): Function | null {
  if (cb === undefined || cb === null) return null;
  if (typeof cb !== "function") throw new Error("Expecting Callback Function but got " + typeof cb + " (" + what + ")");
  return cb;
}

function optionsOf(o: any): any {
  if (typeof o === "string") return parseUrl(o);
  if (!o || typeof o !== "object") throw new Error("Expecting Options to be an Object but it was " + typeof o);
  return o;
}

export function createEspruinoNet(env: NetEnv): EspruinoNet {
  const ss = new SocketServer(env);

  function readable(pub: any, ev: Events): void {
    pub.available = function () { return ev.buffer === null ? 0 : ev.buffer.length; };
    pub.read = function (n?: number) {
      const b = ev.buffer || "";
      const k = n === undefined ? b.length : Math.max(0, n | 0);
      ev.buffer = k < b.length ? b.substring(k) : null;
      return b.substring(0, k);
    };
  }

  /** A client connection (net.connect, an accepted net socket, an http.request). */
  function socketMethods(conn: Sk): void {
    const pub = conn.ev.pub;
    readable(pub, conn.ev);
    pub.write = function (data: any) { ss.clientWrite(conn, data); return false; };
    pub.end = function (data: any) {
      if (data !== undefined) ss.clientWrite(conn, data);
      ss.clientEnd(conn);
    };
  }

  ss.onNewSocket = socketMethods;
  ss.onNewHttpServerConn = (req: Sk, res: Sk) => {
    readable(req.ev.pub, req.ev);
    const r = res.ev.pub;
    r.writeHead = function (status: number, headers?: any) { ss.responseWriteHead(res, status, headers); };
    r.setHeader = function (name: any, value: any) { res.headers![String(name)] = String(value); };
    r.write = function (data: any) { ss.responseWrite(res, data); return false; };
    r.end = function (data?: any) { ss.responseEnd(res, data); };
  };

  function server(type: number, cb: any, what: string): any {
    const pub: any = {};
    const srv = new Srv(new Events(ss, pub), type, fnOrUndefined(cb, what));
    pub.listen = function (port: any) { ss.serverListen(srv, port | 0); return pub; };
    pub.close = function () { ss.serverClose(srv); };
    return pub;
  }

  function httpRequest(options: any, cb: any): Sk {
    const o = optionsOf(options);
    if (o.method === undefined) o.method = "GET";
    if (o.path === undefined) o.path = "/";
    const conn = new Sk(new Events(ss, {}), o.protocol === "https:" ? ST.HTTP | ST.TLS : ST.HTTP);
    const res = new Sk(new Events(ss, {}), conn.type);
    conn.sock = res;
    conn.options = o;
    conn.onConnect = fnOrUndefined(cb, "http.request");
    ss.clientConns.push(conn);
    const pub = conn.ev.pub;
    pub.write = function (data: any) { ss.clientWrite(conn, data); return false; };
    pub.end = function (data?: any) {
      if (data !== undefined) ss.clientWrite(conn, data);
      ss.clientEnd(conn);
    };
    readable(res.ev.pub, res.ev);
    return conn;
  }

  const http = {
    createServer(cb: any) {
      if (typeof cb !== "function") throw new Error("Expecting Callback Function but got " + typeof cb);
      return server(ST.HTTP, cb, "http.createServer");
    },
    request(options: any, cb?: any) { return httpRequest(options, cb).ev.pub; },
    get(options: any, cb?: any) {
      if (options && typeof options === "object") options.method = "GET";
      const conn = httpRequest(options, cb);
      ss.clientEnd(conn);
      return conn.ev.pub;
    },
  };

  const net = {
    createServer(cb?: any) { return server(ST.NORMAL, cb, "net.createServer"); },
    connect(options: any, cb?: any) {
      const o = optionsOf(options);
      const conn = new Sk(new Events(ss, {}), ST.NORMAL);
      conn.options = o;
      conn.onConnect = fnOrUndefined(cb, "net.connect");
      socketMethods(conn);
      ss.clientConns.push(conn);
      if (ss.driver) ss.clientConnect(conn);
      return conn.ev.pub;
    },
  };

  const dgram = {
    createSocket(type: any, cb?: any) {
      const o = type && typeof type === "object" ? type : {};
      const conn = new Sk(new Events(ss, {}), ST.UDP);
      conn.options = o;
      conn.onConnect = fnOrUndefined(cb, "dgram.createSocket");
      ss.clientConns.push(conn);
      const pub = conn.ev.pub;
      pub.bind = function (port: any, onBind?: any) {
        const f = fnOrUndefined(onBind, "bind");
        ss.udpBind(conn, port | 0);
        if (f) ss.queue(f, pub, [pub]);
        return pub;
      };
      pub.send = function (buffer: any, offset: any, length: any, port?: any, address?: any) {
        if (typeof port === "number" || (typeof port === "string" && port !== "" && !isNaN(+port))) {
          const from = offset | 0, count = length | 0;
          ss.clientWrite(conn, String(buffer).substr(from, count), String(address), +port);
        } else {
          ss.clientWrite(conn, String(buffer), String(length), offset | 0);
        }
      };
      pub.close = function () { ss.udpClose(conn); };
      pub.addMembership = function () { env.warn("dgram addMembership: multicast is not supported by this driver"); };
      return pub;
    },
  };

  const NetworkJS = {
    create(driver: any) {
      if (!driver || typeof driver !== "object") throw new Error("NetworkJS.create: expecting the driver object");
      for (const m of ["create", "accept", "recv", "send", "close"]) {
        if (typeof driver[m] !== "function") throw new Error("NetworkJS.create: the driver has no " + m + "() function");
      }
      ss.driver = driver as NetworkJsDriverLike;
      return driver;
    },
  };

  const modules: { [name: string]: any } = { http, net, dgram, NetworkJS };
  return {
    ss,
    require(name: string) { return Object.prototype.hasOwnProperty.call(modules, name) ? modules[name] : undefined; },
    idle() {
      const had = ss.idle();
      ss.runQueued();
      return had;
    },
  };
}
