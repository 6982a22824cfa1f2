// MAC address source for the boards: a locally administered unicast address derived from the
// MCU's unique id (Espruino's getSerial()), so every board gets its own stable address without
// an OUI. Start-up code only: runs once, never on the packet path.
//
// Derivation: two independent 32-bit FNV-1a hashes over the serial string's character codes
// (different offset bases), giving 8 bytes; the first 6 form the address. Octet 0 then gets
// bit 1 set (locally administered) and bit 0 cleared (unicast). 46 bits of the hash survive,
// so two boards collide with negligible probability on one LAN.

var HEX = "0123456789abcdef";

/** One FNV-1a round over a string, 32 bits (multiply by 16777619 as shifts: no Math.imul). */
function fnv1a(s: string, basis: number): number {
  var h = basis >>> 0;
  for (var i = 0; i < s.length; i++) {
    h = (h ^ (s.charCodeAt(i) & 0xff)) >>> 0;
    h = (h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24)) >>> 0;
  }
  return h;
}

function hexByte(b: number): string {
  return HEX.charAt((b >> 4) & 15) + HEX.charAt(b & 15);
}

/**
 * A locally administered unicast MAC "xx:xx:xx:xx:xx:xx" (lower case) derived from a board's
 * serial number string. Deterministic: the same serial always gives the same address.
 * Throws on an empty or missing serial (every Espruino board reports one).
 */
export function macFromSerial(serial: string): string {
  if (typeof serial !== "string" || serial.length === 0) {
    throw new Error("macFromSerial: no serial number (getSerial() returned nothing); set mac in the board file");
  }
  var a = fnv1a(serial, 0x811c9dc5);
  var b = fnv1a(serial, 0x050c5d1f);
  var o0 = (((a >>> 24) & 0xfc) | 0x02) & 0xff;
  return (
    hexByte(o0) + ":" +
    hexByte((a >>> 16) & 0xff) + ":" +
    hexByte((a >>> 8) & 0xff) + ":" +
    hexByte(a & 0xff) + ":" +
    hexByte((b >>> 24) & 0xff) + ":" +
    hexByte((b >>> 16) & 0xff)
  );
}

/**
 * Parses "xx:xx:xx:xx:xx:xx" (also "-" separated, either case) into 6 bytes.
 * Throws a clear error on anything else. Start-up only.
 */
export function parseMac(mac: string): Uint8Array {
  var out = new Uint8Array(6);
  if (typeof mac !== "string" || mac.length !== 17) throw new Error("bad MAC address '" + mac + "': expected xx:xx:xx:xx:xx:xx");
  for (var i = 0; i < 6; i++) {
    var hi = HEX.indexOf(mac.charAt(i * 3).toLowerCase());
    var lo = HEX.indexOf(mac.charAt(i * 3 + 1).toLowerCase());
    var sep = i < 5 ? mac.charAt(i * 3 + 2) : ":";
    if (hi < 0 || lo < 0 || (sep !== ":" && sep !== "-")) throw new Error("bad MAC address '" + mac + "': expected xx:xx:xx:xx:xx:xx");
    out[i] = (hi << 4) | lo;
  }
  return out;
}
