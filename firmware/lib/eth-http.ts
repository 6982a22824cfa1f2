// The "http" piece of the library module: eth.createServer(options) gives the project's own HTTP
// server (keep-alive, limits, nothing allocated per request) with routes; static files (Storage
// files www/<path> at /<path>, srv.asset()) are the "files" piece (eth-files.ts), when the app has them:
//
//   var srv = eth.createServer();            // port 80
//   srv.get("/temp", function (req, res) { res.json({ t: E.getTemperature() }); });
//   srv.post("/led", function (req, res) { LED1.write(req.form("on") === "1"); res.json({ ok: true }); });
//
// Handlers get the server's request and response (firmware/http/api.ts: req.query(name),
// req.form(name), req.json(), req.text(), req.path(); res.send(status, type, body), res.begin(),
// res.header(), res.stream(), res.json(value, status)). A handler that throws is named on the
// console with its error, and the client gets a 500 (never a silent one).

import { createServerCore, HttpServer, HttpRequest, HttpResponse, Handler, AssetOptions, ChunkSource } from "../http/server";
import { Fail } from "../http/api";
import { HANDLER_BODY_MAX } from "../http/limits";
import { ETH_PROTO, Eth } from "./eth";
import { PIECE_VARS } from "./eth-mem";

/** The piece's numbers. */
const enum Srv {
  /** From this many TCP slots on, the last one is kept to answer 503 rather than a reset. */
  SPARE_SLOT_FROM = 3,
  DEFAULT_PORT = 80,
  /** What the server allocates in createServer (firmware/lib/eth-mem.ts: measured 544 with 4 slots, 521 with 2). */
  FIXED_VARS = 520,
  SLOT_VARS = 12,
}

/** Said when the app asks for static files in a build without the "files" piece. */
var NO_FILES = "http: no 'files' piece in this build (make image PIECES=+files): ";

/** The "files" piece's part of createServer (eth-files.ts sets it): serves the Storage files
 *  www/... when `www`, and gives the server asset(). */
var filesHook: ((http: HttpServer, www: boolean, log: (s: string) => void) => void) | null = null;

export function setFilesHook(f: (http: HttpServer, www: boolean, log: (s: string) => void) => void): void {
  filesHook = f;
}

/** createServer()'s options. */
export interface ServerOptions {
  port?: number;
  /** Serve the Storage files www/... (default true; the "files" piece). */
  files?: boolean;
  /** Request and handler-body buffers (default 2 each). */
  inBuffers?: number; outBuffers?: number;
}

/** The server eth.createServer() returns. */
export interface EthServer {
  http: HttpServer;
  port: number;
  /** Routes by path: { GET: fn, POST: fn, ... } (one server route per path, dispatching by method). */
  paths: { [path: string]: { [method: string]: Handler } };
  log: (s: string) => void;
  get(path: string, fn: Handler): EthServer;
  post(path: string, fn: Handler): EthServer;
  put(path: string, fn: Handler): EthServer;
  del(path: string, fn: Handler): EthServer;
  /** fn for every path starting with `path` (GET and POST). */
  prefix(path: string, fn: Handler): EthServer;
  /** A static body at a path (bytes, a string, or a chunk source with its length). */
  asset(path: string, body: Uint8Array | string | ChunkSource, opts?: AssetOptions, length?: number): EthServer;
  /** Listen on another port (createServer listens on options.port, default 80, at once). */
  listen(port: number): EthServer;
}

/**
 * The server's `failed` (called as its method; `log` is the eth's): a handler that threw,
 * overfilled its buffer or answered nothing is said on the console with the request's method
 * and path, and what to do (the server answered 500): never a silent 500.
 */
function failed(this: HttpServer & { log: (s: string) => void }, why: number, req: HttpRequest, x?: any): void {
  // the error, then where (Espruino's stack holds only the places, V8's starts with the error)
  var t = "" + x, k = x && x.stack;
  this.log("http: " + req.methodName + " " + req.path() + ": " + (why === Fail.THREW ? "the handler threw " + (k && k.indexOf(t) < 0 ? t + " " : "") + (k || t) + " (answered 500)" :
    why === Fail.OVER ? "the response body is over " + HANDLER_BODY_MAX + " bytes, the handler's buffer (answered 500): send a longer one with res.stream(), or as a Storage file www/..." :
    "the handler returned without answering (answered 500): end it with res.json(), res.send() or res.end()"));
}

/** The route of one path: dispatches by method (HEAD follows GET). Registration only. */
function dispatcher(byMethod: { [method: string]: Handler }): Handler {
  return function (req: HttpRequest, res: HttpResponse): void {
    byMethod[req.methodName === "HEAD" ? "GET" : req.methodName](req, res);
  };
}

function add(srv: EthServer, method: string, path: string, fn: Handler): EthServer {
  if (typeof fn !== "function") throw new Error("http: " + method + " " + path + ": a handler function is needed");
  var byMethod = srv.paths[path], methods = "";
  if (!byMethod) byMethod = srv.paths[path] = {};
  byMethod[method] = fn;
  for (var m in byMethod) methods += (methods ? "," : "") + m;
  // (a second method on a path registers the route again, with both: it replaces the first)
  srv.http.route(path, methods, dispatcher(byMethod));
  return srv;
}

var SERVER_PROTO = {
  get: function (this: EthServer, path: string, fn: Handler): EthServer { return add(this, "GET", path, fn); },
  post: function (this: EthServer, path: string, fn: Handler): EthServer { return add(this, "POST", path, fn); },
  put: function (this: EthServer, path: string, fn: Handler): EthServer { return add(this, "PUT", path, fn); },
  del: function (this: EthServer, path: string, fn: Handler): EthServer { return add(this, "DELETE", path, fn); },
  prefix: function (this: EthServer, path: string, fn: Handler): EthServer {
    if (typeof fn !== "function") throw new Error("http: " + path + ": a handler function is needed");
    this.http.route(path, "GET,POST", fn, true);
    return this;
  },
  asset: function (this: EthServer, path: string, body: Uint8Array | string | ChunkSource, opts?: AssetOptions, length?: number): EthServer {
    if (!this.http.asset) throw new Error(NO_FILES + "asset()");
    this.http.asset(path, body, opts, length);
    return this;
  },
  listen: function (this: EthServer, port: number): EthServer {
    var tcp = (this as any).tcp;
    if (port !== this.port) {
      tcp.unlisten(this.port);
      if (!tcp.listen(port, this.http.handler)) throw new Error("http: cannot listen on port " + port);
      this.port = port;
    }
    return this;
  },
};

/** eth.createServer(options): the HTTP server on this eth's TCP slots. */
function createServer(this: Eth, options?: ServerOptions): EthServer {
  var o = options || {}, slots = this.slots;
  var srv = Object.create(SERVER_PROTO) as EthServer;
  var port = o.port || Srv.DEFAULT_PORT;
  srv.http = createServerCore(this.tcp, {
    port: port, slots: slots, inBuffers: o.inBuffers, outBuffers: o.outBuffers,
    maxConnections: slots >= Srv.SPARE_SLOT_FROM ? slots - 1 : slots,
  });
  srv.port = port;
  srv.paths = {};
  srv.log = (srv.http as any).log = this.log;
  srv.http.failed = failed;
  (srv as any).tcp = this.tcp;
  this.stack.onTick(srv.http.tick);
  if (filesHook) filesHook(srv.http, o.files !== false, this.log);
  else if (o.files !== false) {
    // Storage files www/... that this build cannot serve: said, not silently 404
    try { if (require("Storage").list(/^www\//).length) this.log(NO_FILES + "the Storage files www/... are not served"); } catch (x) { /* no Storage */ }
  }
  return srv;
}

/** Adds createServer to every eth (the piece's one entry in the module). */
export function installHttp(): void {
  ETH_PROTO.createServer = createServer;
  PIECE_VARS[0] += Srv.FIXED_VARS;   // connect() leaves room for the server
  PIECE_VARS[1] += Srv.SLOT_VARS;
}
