// The JS-visible objects of the model of Espruino's network modules (socketserver.ts): event
// emitters as Espruino makes them (`on` adds listeners; a 'data' listener added late gets what
// was buffered; queued events run after the idle pass, 'data' runs at once), and the per-socket
// state that libs/network/socketserver.c keeps in hidden fields of those objects.

/** How the model runs user code (the sim: under its guard; tests: directly). */
export interface NetEnv {
  /** Runs a user callback; an exception is reported (as Espruino's "Uncaught ...") and the loop goes on. */
  call(fn: Function, self: any, args: any[]): void;
  /** An error Espruino reports on the console without throwing into the app (jsError, jsWarn). */
  warn(msg: string): void;
}

/** Espruino's stream buffer limit (src/jswrap_stream.h STREAM_MAX_BUFFER_SIZE). */
export const STREAM_MAX_BUFFER = 512;

export class Events {
  listeners: { [ev: string]: Function[] } = {};
  buffer: string | null = null;
  pub: any;
  constructor(public net: { queue(fn: Function, self: any, args: any[]): void; env: NetEnv }, pub: any) {
    this.pub = pub;
    const self = this;
    pub.on = function (ev: string, fn: Function) {
      ev = String(ev);
      (self.listeners[ev] = self.listeners[ev] || []).push(fn);
      if (ev === "data" && self.buffer !== null) {
        const b = self.buffer;
        self.buffer = null;
        self.queue("data", [b]);
      }
      return pub;
    };
    pub.addListener = pub.on;
    pub.removeAllListeners = function (ev?: string) {
      if (ev === undefined) self.listeners = {}; else delete self.listeners[String(ev)];
      return pub;
    };
    pub.emit = function (ev: string) {
      const args = Array.prototype.slice.call(arguments, 1);
      self.fire(String(ev), args);
    };
  }
  has(ev: string): boolean {
    return !!(this.listeners[ev] && this.listeners[ev].length);
  }
  /** Queued: runs after the current idle pass (jsiQueueObjectCallbacks). */
  queue(ev: string, args: any[]): void {
    const l = this.listeners[ev];
    if (!l) return;
    for (const fn of l.slice()) this.net.queue(fn, this.pub, args);
  }
  /** At once (jsiExecuteEventCallback). */
  fire(ev: string, args: any[]): void {
    const l = this.listeners[ev];
    if (!l) return;
    for (const fn of l.slice()) this.net.env.call(fn, this.pub, args);
  }
  /** jswrap_stream_pushData: to the 'data' listener now, else into the buffer (false when full). */
  pushData(data: string, force: boolean): boolean {
    if (this.has("data")) { this.fire("data", [data]); return true; }
    if (this.buffer === null) { this.buffer = data; return true; }
    let ok = true;
    if (this.buffer.length + data.length > STREAM_MAX_BUFFER) ok = false;
    if ((ok || force) && this.buffer.length < STREAM_MAX_BUFFER) this.buffer += data.substring(0, STREAM_MAX_BUFFER - this.buffer.length);
    return ok;
  }
}

/** Socket types as create() receives them. */
export const enum ST { NORMAL = 0, HTTP = 1, UDP = 2, MASK = 3, TLS = 4 }

/** The hidden state socketserver.c keeps on a connection or socket object. */
export class Sk {
  ev: Events;
  type: number;
  /** The driver's socket number, -1 when none. */
  sckt = -1;
  sendData: string | null = null;
  receiveData: string | null = null;
  close = false;
  closeNow = false;
  connected = false;
  hadHeaders = false;
  receiveCount = 0;
  chunked = false;
  ended = false;
  headers: { [name: string]: string } | null = null;
  options: any = null;
  /** The callback given to net.connect / http.request / dgram.createSocket (Espruino's ON_CONNECT). */
  onConnect: Function | null = null;
  /** The other half: the response of an HTTP request (server: req -> res; client: req -> res); itself otherwise. */
  sock: Sk;
  /** The listening server an HTTP connection came from. */
  server: Srv | null = null;
  constructor(ev: Events, type: number) {
    this.ev = ev;
    this.type = type;
    this.sock = this;
  }
}

/** A listening server (http.createServer, net.createServer). */
export class Srv {
  sckt = -1;
  closeNow = false;
  port = 0;
  constructor(public ev: Events, public type: number, public onConnect: Function | null) {}
}

/** Espruino's url.parse for the parts http uses (host, port, path, protocol, method GET). */
export function parseUrl(url: string): any {
  const o: any = { method: "GET", host: undefined, path: "/", pathname: "/", search: null, port: null, query: null, protocol: undefined };
  let s = String(url);
  const p = s.indexOf("//");
  if (p >= 0) {
    if (p > 0) o.protocol = s.substring(0, p);
    s = s.substring(p + 2);
    let slash = s.indexOf("/");
    if (slash < 0) slash = s.length;
    const hostPort = s.substring(0, slash);
    s = s.substring(slash) || "/";
    const colon = hostPort.indexOf(":");
    if (colon >= 0) { o.host = hostPort.substring(0, colon); o.port = parseInt(hostPort.substring(colon + 1), 10); } else o.host = hostPort;
  }
  o.path = s;
  const q = s.indexOf("?");
  o.pathname = q < 0 ? s : s.substring(0, q);
  if (q >= 0) { o.search = s.substring(q); o.query = s.substring(q + 1); }
  return o;
}

/** Espruino's socket error strings (libs/network/socketerrors.c), by -code - 1. */
const ERRORS = ["connection closed", "out of memory", "timeout", "no route", "busy", "not found", "max sockets",
  "unsent data", "connection reset", "unknown error", "no connection", "bad argument", "SSL handshake failed",
  "invalid SSL data", "no response"];

export function socketErrorString(code: number): string {
  if (code < -ERRORS.length) code = -10;
  return ERRORS[-1 - code];
}
