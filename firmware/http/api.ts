// The HTTP server's public types: assets, requests, responses, handlers, options, the server.
// Types only (nothing reaches the bundle). See docs/http.md.
import { AsciiWriter } from "./ascii";
import { TcpHandler } from "./tcp-api";

/** Reads len bytes of a body at off (random access; may return fewer). For flash streaming. */
export type ChunkSource = (off: number, len: number) => Uint8Array;

export interface AssetOptions {
  /** Content-Type; default from the path's extension. */
  type?: string;
  /** Pre-compressed (gzip) representation, sent when Accept-Encoding allows gzip. */
  gzip?: Uint8Array | string;
  /** Opaque ETag (without quotes); default: CRC32 of the body in hex. */
  etag?: string;
  /** Match every path that starts with `path`. */
  prefix?: boolean;
}

export interface Asset {
  body: Uint8Array | null;
  source: ChunkSource | null;
  length: number;
  gzip: Uint8Array | null;
  type: string;
  etag: string;
  /** Heads of the 200 response (identity, gzip) up to the Connection line, built at registration. */
  head200: Uint8Array | null;
  head200gz: Uint8Array | null;
}

export interface HttpRequest {
  conn: number;
  /** M_* bit of the method, and its name. */
  method: number;
  methodName: string;
  /** 10 or 11. */
  version: number;
  /** The request bytes (valid only during the handler call): target, body. */
  buf: Uint8Array;
  pathOff: number; pathEnd: number;      // raw (still percent-encoded) path
  queryOff: number; queryEnd: number;    // raw query string without '?', empty when none
  bodyOff: number; bodyLen: number;
  contentType: number;                   // CT_*
  /** Decoded path (allocates a string). */
  path(): string;
  /** Decoded value of a query-string parameter, or null (allocates). */
  query(name: string): string | null;
  /** Decoded value of an urlencoded-form body field, or null (allocates). */
  form(name: string): string | null;
  /** The body as a string, UTF-8 decoded (allocates). */
  text(): string;
  /** The body parsed as JSON, or undefined when it is not valid JSON (allocates). */
  json(): any;
}

export interface HttpResponse {
  /** Adds a header line to the response about to be sent (ASCII; at most ~120 bytes in all). */
  header(name: string, value: string): HttpResponse;
  /** Sends a whole response. A string body is copied (UTF-8) into a pool buffer (HANDLER_BODY_MAX);
   *  a Uint8Array body is streamed by reference: keep it unchanged until the response is sent. */
  send(status: number, type: string, body?: string | Uint8Array): void;
  /** Starts a response whose body the handler writes with the returned writer, then end(). */
  begin(status: number, type: string): AsciiWriter;
  end(): void;
  /** Streams `length` bytes from a chunk source (e.g. flash), piece by piece. */
  stream(status: number, type: string, length: number, source: ChunkSource): void;
  /** Sends value as JSON (application/json), status 200 unless given. */
  json(value: any, status?: number): void;
}

/** Why a handler's request was answered 500 (HttpServer.failed). */
export const enum Fail { THREW, OVER, MUTE }

export type Handler = (req: HttpRequest, res: HttpResponse) => void;

export interface Route {
  /** The path as given, and as UTF-8 bytes (matched against the percent-decoded target). */
  name: string;
  path: Uint8Array;
  prefix: boolean;
  methods: number;
  allow: string;
  asset: Asset | null;
  handler: Handler | null;
}

export interface HttpServerOptions {
  port?: number;
  /** Connection ids 0..slots-1 are served (the TCP slot count). Default 4. */
  slots?: number;
  /** Connections served at once; more get 503. Default: slots. */
  maxConnections?: number;
  /** Input buffers (REQUEST_MAX bytes each) for split or pipelined requests. Default 2. */
  inBuffers?: number;
  /** Output buffers (HANDLER_BODY_MAX bytes each) for handler bodies. Default 2. */
  outBuffers?: number;
  /** Listen at once (default true). */
  listen?: boolean;
}

export interface HttpServer {
  /** Serves a static asset at an exact path (or prefix). Body: bytes, a string (converted once, UTF-8), or a chunk source with its length. */
  asset(path: string, body: Uint8Array | string | ChunkSource, opts?: AssetOptions, length?: number): Asset;
  /** Routes a path (exact, or prefix) to a handler for the given methods ("GET,POST"). HEAD follows GET. */
  route(path: string, methods: string, handler: Handler, prefix?: boolean): void;
  /** Call about every 100 ms with the current time in ms: time-outs (408, idle close, stalled sends). */
  tick(nowMs: number): void;
  /** Refuse new requests with 503 while true (e.g. during a flash write). */
  busy: boolean;
  /** The TCP handler (for tests or a second listener). */
  handler: TcpHandler;
  /** requests, active (connections served now), split, stalls, status2xx..status5xx. */
  counters: { [name: string]: number };
  /** Called (as a method) when a handler's request was answered 500 because the handler threw
   *  (x: what), overfilled its buffer or answered nothing (why: Fail); unset: nothing said. */
  failed?: (why: number, req: HttpRequest, x?: any) => void;
  /** Connections per phase (free, read, send, closed, reject) into out[0..5). */
  phaseCounts(out: Uint16Array): void;
}

