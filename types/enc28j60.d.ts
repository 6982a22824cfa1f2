// The public API of the library module require("ENC28J60"), for apps written in TypeScript
// (tools/app-ts.ts compiles them against this file, @types/espruino and hal/espruino-augment.d.ts).
// A script, not a module: it adds "ENC28J60" to the modules require() knows (EspruinoModules in
// hal/espruino-augment.d.ts), so `var eth = require("ENC28J60").connect(SPI2, B10)` is typed
// with no import. The implementation is firmware/lib/eth*.ts. See docs/typescript.md.
//
//   var eth = require("ENC28J60").connect(SPI2, B10, { int: B1 });
//   eth.setIP(function (err, ip) { console.log(err ? "no address: " + err : "http://" + ip!.ip + "/"); });
//   eth.createServer().get("/t", function (req, res) { res.json({ t: E.getTemperature() }); });

/// <reference path="../hal/espruino-augment.d.ts" />

declare namespace ENC28J60 {
  /** connect()'s options; all optional. */
  interface ConnectOptions {
    /** SPI pins and clock. Given, the module sets the SPI up (baud default 8 MHz); absent, the SPI's default pins. */
    sck?: Pin;
    miso?: Pin;
    mosi?: Pin;
    /** SPI clock in Hz (the ENC28J60 runs from 8 to 20 MHz). */
    baud?: number;
    /** The chip's INT line (active low). Without it the chip is polled every 20 ms. */
    int?: Pin;
    /** The chip's RESET line (active low). Without it the soft reset command is used. */
    reset?: Pin;
    /** "xx:xx:xx:xx:xx:xx"; default: a locally administered address derived from getSerial(). */
    mac?: string;
    /** TCP connections at once (default 4). */
    slots?: number;
    /** Bytes of TCP send buffering the connections share. */
    sendPool?: number;
    /** IP MTU (default 1500; 576 saves memory on small boards). */
    mtu?: number;
    /** A static address "a.b.c.d" (with netmask or subnet, gateway, dns). Without ip: DHCP, unless dhcp is false. */
    ip?: string;
    netmask?: string;
    /** The WIZnet module's name for netmask. */
    subnet?: string;
    gateway?: string;
    dns?: string;
    dhcp?: boolean;
    /** Sent in DHCP (option 12) and answered by mDNS; 1 to 32 letters, digits or '-'. */
    hostname?: string;
    /** false: do not keep the last DHCP address in Storage ("enc-lease", written only when it changes);
     *  by default the next start asks the DHCP server for it again first (INIT-REBOOT, RFC 2131 3.2).
     *  (The default piece "lease": a build without it, PIECES=-lease or left out by make image to fit
     *  the board's Storage, keeps nothing.) */
    lease?: boolean;
    /** Answer <hostname>.local and announce _http._tcp (the "mdns" piece: a build includes it when the app names mdns). */
    mdns?: boolean;
  }

  /** setIP()'s options: a static address, or none for DHCP. */
  interface IPOptions {
    ip?: string;
    /** default "255.255.255.0" */
    netmask?: string;
    subnet?: string;
    gateway?: string;
    dns?: string;
  }

  /** The DHCP client's state, or "static". */
  type DhcpState = "init" | "selecting" | "requesting" | "bound" | "renewing" | "rebinding" | "fallback" | "static";

  /** getIP()'s answer (the WIZnet module's names). "0.0.0.0" while there is no address. */
  interface IPInfo {
    ip: string;
    netmask: string;
    subnet: string;
    gateway: string;
    mac: string;
    dhcp: DhcpState;
    dns?: string;
  }

  /** getStatus()'s answer. */
  interface Status {
    /** Ethernet link up. */
    link: boolean;
    ip: string;
    dhcp: DhcpState;
    /** TCP connection slots. */
    slots: number;
    /** [frames received, frames sent]. */
    frames: number[];
    /** [IP packets received, IP packets sent]. */
    packets: number[];
    /** [TCP segments received, sent, retransmitted]. */
    segments: number[];
    /** Open TCP connections by state ("ESTABLISHED", "TIME-WAIT", ...; "LISTEN" for each listener); unused slots left out. */
    connections: { [state: string]: number };
    /** What connect() sized to the memory it found: variables free then (null: not known), the MTU, the send pool's bytes, [TCP slots, slots wanted], what was changed (or ""). */
    memory: { free: number | null; mtu: number; sendPool: number; slots: number[]; note: string };
  }

  /** The object connect() returns. */
  interface Eth {
    /** The current address; also given to the callback. */
    getIP(callback?: (err: null, ip: IPInfo) => void): IPInfo;
    /** DHCP from the start; the callback gets the lease, or an Error after 30 s without one (DHCP keeps trying). */
    setIP(callback?: (err: Error | null, ip?: IPInfo) => void): boolean;
    /** A static address (ip given) or DHCP (no ip). Throws on an address that is not "a.b.c.d". */
    setIP(options: IPOptions, callback?: (err: Error | null, ip?: IPInfo) => void): boolean;
    /** Used from the next DHCP exchange on (setIP()) and by mDNS. Throws on a name that is not 1 to 32 letters, digits or '-'. */
    setHostname(name: string, callback?: (err: null) => void): void;
    getHostname(callback?: (err: null, name: string) => void): string;
    getStatus(callback?: (err: null, status: Status) => void): Status;
    /** "link": the Ethernet link went up (true) or down (false). */
    on(event: "link", listener: (up: boolean) => void): Eth;
    /** "ip": the address changed (a lease, a renewal, setIP()). */
    on(event: "ip", listener: (ip: IPInfo) => void): Eth;
    /** Services the chip now (connect() does it by itself from INT or the poll timer). */
    service(): void;
    /** The library's HTTP server on this eth's TCP slots (keep-alive, limits, nothing allocated per request). */
    createServer(options?: ServerOptions): Server;
    /**
     * Looks up a host name's IPv4 address (the "dns" piece), asking the DNS server DHCP gave or the
     * `dns` option. err.code: -6 not found, -3 time-out, -4 no server or no route, -5 busy, -10 server failure.
     */
    resolve(name: string, callback: (err: (Error & { code: number }) | null, ip?: string) => void): void;
    /**
     * Stops the interface (the "stop" piece): a DHCP lease is given back (DHCPRELEASE to its server)
     * and the address dropped (an "ip" event with "0.0.0.0"); setIP() starts it again. Close your
     * connections first.
     */
    stop(): void;
  }

  /** createServer()'s options. */
  interface ServerOptions {
    /** default 80 */
    port?: number;
    /** Serve the Storage files www/<path> at /<path> (www/index.html also at /; www/<path>.gz as gzip). Default true; needs the `files` piece, which
     *  the build adds when a www/ folder sits next to the app or the app calls asset() (else PIECES=+files). */
    files?: boolean;
    /** Buffers for split or pipelined requests (default 2). */
    inBuffers?: number;
    /** Buffers for handler bodies (default 2). */
    outBuffers?: number;
  }

  /** Reads len bytes of a body at off (random access; may return fewer): a body streamed from flash. */
  type ChunkSource = (off: number, len: number) => Uint8Array;

  interface AssetOptions {
    /** Content-Type; default from the path's extension. */
    type?: string;
    /** A pre-compressed (gzip) copy, sent when the client accepts gzip. */
    gzip?: Uint8Array | string;
    /** ETag without quotes; default: the body's CRC-32 in hex. */
    etag?: string;
    /** Match every path that starts with the path. */
    prefix?: boolean;
  }

  /** A request, valid only during the handler call. */
  interface Request {
    /** "GET", "POST", ... */
    methodName: string;
    /** 10 (HTTP/1.0) or 11 (HTTP/1.1). */
    version: number;
    /** The decoded path. */
    path(): string;
    /** A decoded query-string parameter, or null. */
    query(name: string): string | null;
    /** A decoded field of an urlencoded form body, or null. */
    form(name: string): string | null;
    /** The body as a string (UTF-8). */
    text(): string;
    /** The body parsed as JSON, or undefined when it is not JSON. */
    json(): any;
  }

  /** Writes a response body into the server's buffer: ASCII, numbers, JSON strings; never throws (over is set when full). */
  interface Writer {
    over: boolean;
    byte(b: number): Writer;
    bytes(b: Uint8Array): Writer;
    /** One byte per character (above 255: '?'). */
    str(s: string): Writer;
    utf8(s: string): Writer;
    num(n: number): Writer;
    hex(n: number, digits: number): Writer;
    /** A JSON string literal, quotes included. */
    jstr(s: string): Writer;
  }

  interface Response {
    /** Adds a header to the response about to be sent (ASCII, about 120 bytes in all). */
    header(name: string, value: string): Response;
    /** A whole response. A Uint8Array body is sent by reference: keep it unchanged until sent. */
    send(status: number, type: string, body?: string | Uint8Array): void;
    /** value as JSON (application/json), status 200 unless given. */
    json(value: any, status?: number): void;
    /** Starts a response whose body the handler writes with the writer, then end(). */
    begin(status: number, type: string): Writer;
    end(): void;
    /** Streams length bytes from a chunk source (e.g. flash). */
    stream(status: number, type: string, length: number, source: ChunkSource): void;
  }

  /** A route's handler. A throw is named on the console and answered 500. */
  type Handler = (req: Request, res: Response) => void;

  /** The server createServer() returns; the route methods return it, for chaining. */
  interface Server {
    port: number;
    get(path: string, handler: Handler): Server;
    post(path: string, handler: Handler): Server;
    put(path: string, handler: Handler): Server;
    del(path: string, handler: Handler): Server;
    /** handler for every path starting with path (GET and POST). */
    prefix(path: string, handler: Handler): Server;
    /** A fixed body at a path: bytes, a string, or a chunk source with its length. */
    asset(path: string, body: Uint8Array | string, options?: AssetOptions): Server;
    asset(path: string, body: ChunkSource, options: AssetOptions | undefined, length: number): Server;
    /** Listens on another port instead (createServer listens on options.port at once). */
    listen(port: number): Server;
  }

  /**
   * What the library reads from the options of Espruino's own `require("net").connect(options, cb)`
   * (and `http.get`/`http.request`) when the "networkjs" piece is the network, beyond host and port:
   * TCP keep-alive for that client connection (off unless asked; the "keepalive" piece, which a build
   * includes when the app's source names keepAlive; docs/tcp.md "Keep-alive"). Espruino's
   * declarations type those options as any: `var o: ENC28J60.NetConnectOptions = {...}` checks them.
   */
  interface NetConnectOptions {
    host?: string;
    port?: number;
    /** true: probe after 2 hours idle (or keepAliveInitialDelay); a number: the idle time in ms (at least 1000). */
    keepAlive?: boolean | number;
    /** Node's name for the idle time in ms with keepAlive: true. */
    keepAliveInitialDelay?: number;
    /** ms between unanswered probes (default 75000, at least 1000). */
    keepAliveInterval?: number;
    /** Unanswered probes before the socket ends with 'error' -3 (default 9, at least 2). */
    keepAliveCount?: number;
  }

  /** require("ENC28J60") */
  interface Module {
    /** The chip on spi with chip select cs. Throws when no chip answers. */
    connect(spi: SPI, cs: Pin, options?: ConnectOptions): Eth;
    /** With a callback: callback(null) once the chip answers, else callback(err) and null is returned. */
    connect(spi: SPI, cs: Pin, options: ConnectOptions | undefined, callback: (err: Error | null) => void): Eth | null;
    connect(spi: SPI, cs: Pin, callback: (err: Error | null) => void): Eth | null;
  }
}

interface EspruinoModules {
  ENC28J60: ENC28J60.Module;
}

/**
 * The board's wiring, for an app that names BOARD: `make image`, `make flash` and `make sim` store
 * it (from boards/<board>.ts) as the Storage boot file .boot2, run before the app; on the simulated
 * board with the sim's --mac, --ip/--netmask/--gateway and --slots. Without make: define it yourself
 * (README, "One app file for every board").
 */
declare var BOARD: {
  name: string;
  spi: SPI;
  cs: Pin;
  sck?: Pin; miso?: Pin; mosi?: Pin; int?: Pin; reset?: Pin;
  /** The LED the default app toggles. */
  led?: Pin;
  baud?: number;
  mac?: string; ip?: string; netmask?: string; gateway?: string; slots?: number;
};
