// Static files from flash: every Storage file named "www/<path>" is served at "/<path>",
// with "www/<path>.gz" as its pre-compressed representation when present. Bodies are never
// copied into RAM when the firmware offers Storage.readArrayBuffer (a memory-mapped view of
// flash); otherwise they are read one window at a time with Storage.read(name, offset, len).

import { HttpServer, ChunkSource, mimeFor } from "../http/server";

/** The part of Espruino's require("Storage") used here. */
export interface FlashStorage {
  list(re?: RegExp): string[];
  read(name: string, offset?: number, length?: number): string | undefined;
  readArrayBuffer?(name: string): ArrayBuffer | undefined;
}

/** Bytes of a Storage file: a flash view when possible, else null (use a chunk source). */
function mapped(st: FlashStorage, name: string): Uint8Array | null {
  if (typeof st.readArrayBuffer !== "function") return null;
  var ab = st.readArrayBuffer(name);
  return ab ? new Uint8Array(ab) : null;
}

function source(st: FlashStorage, name: string): ChunkSource {
  return function (off: number, len: number): Uint8Array {
    return E.toUint8Array(st.read(name, off, len) || "");
  };
}

/** Registers www/ files; returns how many paths are served. Start-up only. */
export function serveStorageFiles(http: HttpServer, st: FlashStorage): number {
  var names = st.list(/^www\//);
  var count = 0;
  for (var i = 0; i < names.length; i++) {
    var name = names[i];
    if (name.length > 3 && name.substring(name.length - 3) === ".gz" && names.indexOf(name.substring(0, name.length - 3)) >= 0) continue;
    var path = "/" + name.substring(4);
    var whole = st.read(name);
    if (whole === undefined) continue;
    var gzName = name + ".gz";
    var gz = names.indexOf(gzName) >= 0 ? mapped(st, gzName) || E.toUint8Array(st.read(gzName) || "") : null;
    var etag = (E.CRC32(whole) >>> 0).toString(16);
    var bytes = mapped(st, name);
    var opts = { type: mimeFor(path), gzip: gz || undefined, etag: etag };
    if (bytes) http.asset(path, bytes, opts);
    else http.asset(path, source(st, name), opts, whole.length);
    if (path === "/index.html") http.asset("/", bytes || source(st, name), opts, whole.length);
    count++;
  }
  return count;
}
