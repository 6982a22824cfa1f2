// The "files" piece of the library module: static files for eth.createServer() (srv.asset(), and
// the Storage files www/...; firmware/http/assets.ts). Included when the app has a www/ folder or
// calls asset() (tools/pieces.ts). Every Storage file named "www/<path>" is served at "/<path>" (and
// www/index.html at / too: the page, which `make flash` writes there), with "www/<path>.gz" as
// its pre-compressed representation when present. Type, ETag and gzip are set up once here;
// bodies are never copied into RAM when the firmware offers Storage.readArrayBuffer (a
// memory-mapped view of flash), otherwise they are read one window at a time with
// Storage.read(name, offset, len).

import { HttpServer, ChunkSource, mimeFor } from "../http/server";
import { enableAssets } from "../http/assets";
import { setFilesHook } from "./eth-http";
import { crc32, stringToBytes } from "../../hal/natives";

/** "www/" and ".gz" in Storage names. */
const enum Www { PREFIX_LEN = 4, GZ_LEN = 3 }

/** The part of Espruino's require("Storage") used here. */
export interface FlashStorage {
  list(re?: RegExp): string[];
  read(name: string, offset?: number, length?: number): string | undefined;
  readArrayBuffer?(name: string): ArrayBuffer | undefined;
}

/** A flash view of a file, or null when the firmware cannot map files. */
function mapped(st: FlashStorage, name: string): Uint8Array | null {
  var ab = st.readArrayBuffer && st.readArrayBuffer(name);
  return ab ? new Uint8Array(ab) : null;
}

function windows(st: FlashStorage, name: string): ChunkSource {
  return function (off: number, len: number): Uint8Array {
    return stringToBytes(st.read(name, off, len) || "");
  };
}

/** Registers the www/ files; returns how many paths are served (/ not counted). Start-up only. */
export function serveStorageFiles(http: HttpServer, st: FlashStorage): number {
  var names = st.list(/^www\//), count = 0;
  for (var i = 0; i < names.length; i++) {
    var name = names[i], gzName = name + ".gz", path = "/" + name.substring(Www.PREFIX_LEN);
    // a .gz next to its original is that file's representation, not a file of its own; a .gz
    // alone (make image keeps only it where the original does not fit the board's Storage) is
    // its original's only representation: served at the original's path, always as gzip
    var only = false;
    if (/\.gz$/.test(name)) {
      if (names.indexOf(name.slice(0, -Www.GZ_LEN)) >= 0) continue;
      only = true;
      path = path.slice(0, -Www.GZ_LEN);
    }
    var whole = st.read(name);
    if (whole === undefined) continue;
    var body = mapped(st, name) || windows(st, name);
    var opts = {
      type: mimeFor(path),
      gzip: only ? (body as Uint8Array) : names.indexOf(gzName) >= 0 ? mapped(st, gzName) || stringToBytes(st.read(gzName) || "") : undefined,
      etag: (crc32(whole) >>> 0).toString(16),
    };
    if (only && typeof body === "function") opts.gzip = stringToBytes(whole);
    var a = http.asset(path, body, opts, whole.length);
    if (only) a.head200 = a.head200gz; // every client gets the gzip (browsers all take it)
    if (path === "/index.html") { a = http.asset("/", body, opts, whole.length); if (only) a.head200 = a.head200gz; }
    count++;
  }
  return count;
}

/** createServer()'s part for files: asset() on the server, and the www/ files when `www`. */
function files(http: HttpServer, www: boolean, log: (s: string) => void): void {
  enableAssets(http);
  if (!www) return;
  var st: FlashStorage | null = null;
  try { st = require("Storage"); } catch (x) { /* no Storage on this board: no files */ }
  try { if (st) serveStorageFiles(http, st); } catch (x) { log("http: the Storage files could not be read: " + x); }
}

/** Adds static files to createServer (the piece's one entry in the module; needs "http"). */
export function installFiles(): void {
  setFilesHook(files);
}
