// MAC address source for the boards and the library module: a locally administered unicast address derived from the
// MCU's unique id (Espruino's getSerial()), so every board gets its own stable address without
// an OUI. Start-up code only: runs once, never on the packet path.
//
// Derivation: two independent 32-bit FNV-1a hashes over the serial string's character codes
// (different offset bases), giving 8 bytes; the first 6 form the address. Octet 0 then gets
// bit 1 set (locally administered) and bit 0 cleared (unicast). 46 bits of the hash survive,
// so two boards collide with negligible probability on one LAN.

/** One FNV-1a round over a string, 32 bits (multiply by 16777619 as shifts: no Math.imul). */
function fnv1a(s: string, basis: number): number {
  var h = basis;
  for (var i = 0; i < s.length; i++) {
    h = (h ^ (s.charCodeAt(i) & 0xff)) >>> 0;
    h = (h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24)) >>> 0;
  }
  return h;
}

/**
 * A locally administered unicast MAC "xx:xx:xx:xx:xx:xx" (lower case) derived from a board's
 * serial number string. Deterministic: the same serial always gives the same address.
 * Throws on an empty or missing serial (every Espruino board reports one).
 */
export function macFromSerial(serial: string): string {
  if (typeof serial !== "string" || !serial) throw new Error("no serial number: set mac in the board file");
  var a = fnv1a(serial, 0x811c9dc5), b = fnv1a(serial, 0x050c5d1f);
  var bytes = [((a >>> 24) & 0xfc) | 2, a >>> 16, a >>> 8, a, b >>> 24, b >>> 16], mac = "";
  for (var i = 0; i < 6; i++) mac += (i ? ":" : "") + (256 + (bytes[i] & 255)).toString(16).substring(1);
  return mac;
}

/**
 * Parses "xx:xx:xx:xx:xx:xx" (also "-" separated, either case) into 6 bytes.
 * Throws a clear error on anything else. Start-up only.
 */
export function parseMac(mac: string): Uint8Array {
  var out = new Uint8Array(6), parts = typeof mac === "string" ? mac.split(/[:-]/) : [];
  var ok = parts.length === 6;
  for (var i = 0; ok && i < 6; i++) {
    ok = /^[0-9a-fA-F][0-9a-fA-F]$/.test(parts[i]);
    out[i] = parseInt(parts[i], 16);
  }
  if (!ok) throw new Error("bad MAC address '" + mac + "': expected xx:xx:xx:xx:xx:xx");
  return out;
}
