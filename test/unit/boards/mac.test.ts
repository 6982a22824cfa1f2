import { strict as assert } from "assert";
import { macFromSerial, parseMac } from "../../../boards/mac";

// Independent reference: FNV-1a with Math.imul (the device code may not use Math.imul).
function fnvRef(s: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i) & 0xff;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}

function refMac(serial: string): number[] {
  const a = fnvRef(serial, 0x811c9dc5);
  const b = fnvRef(serial, 0x050c5d1f);
  return [((a >>> 24) & 0xfc) | 0x02, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, (b >>> 24) & 0xff, (b >>> 16) & 0xff];
}

const SERIALS = [
  "33FFD605-41573033-15720843", // STM32 96-bit UID as Espruino prints it
  "33ffd605-41573033-15720844", // differs in the last digit
  "30aea4123456",
  "x",
];

describe("boards/mac: macFromSerial", () => {
  it("has the xx:xx:xx:xx:xx:xx form, lower-case hex", () => {
    for (const s of SERIALS) assert.match(macFromSerial(s), /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  });

  it("is locally administered (bit 1 set) and unicast (bit 0 clear) for many serials", () => {
    for (let i = 0; i < 2000; i++) {
      const m = parseMac(macFromSerial(`SER-${i.toString(16)}-${i * 7919}`));
      assert.equal(m[0] & 0x02, 0x02, `serial ${i}: not locally administered`);
      assert.equal(m[0] & 0x01, 0x00, `serial ${i}: multicast bit set`);
    }
  });

  it("is deterministic and equals an independent FNV-1a derivation", () => {
    for (const s of SERIALS) {
      assert.equal(macFromSerial(s), macFromSerial(s));
      assert.deepEqual(Array.from(parseMac(macFromSerial(s))), refMac(s));
    }
  });

  it("gives different boards different addresses (no collision among 5,000 serials)", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(macFromSerial(`33FFD6${(i + 0x100000).toString(16)}-41573033-15720843`));
    assert.equal(seen.size, 5000);
  });

  it("rejects an empty or missing serial with a clear error", () => {
    assert.throws(() => macFromSerial(""), /no serial number/);
    assert.throws(() => macFromSerial(undefined as unknown as string), /no serial number/);
  });
});

describe("boards/mac: parseMac", () => {
  it("parses colon and dash forms, either case", () => {
    assert.deepEqual(Array.from(parseMac("02:1a:B3:c4:d5:FF")), [0x02, 0x1a, 0xb3, 0xc4, 0xd5, 0xff]);
    assert.deepEqual(Array.from(parseMac("02-00-00-00-00-01")), [2, 0, 0, 0, 0, 1]);
  });
  it("rejects malformed addresses", () => {
    for (const bad of ["", "02:00:00:00:00", "02:00:00:00:00:0g", "02:00:00:00:00:001", "0200.0000.0001.", "02:00:00:00:00;01"]) {
      assert.throws(() => parseMac(bad), /bad MAC address/, bad);
    }
  });
});
