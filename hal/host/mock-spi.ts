// A mocked SPI bus with the ENC28J60 emulator on it (host only). One call = one CS-low..CS-high
// transaction, exactly as on the board. Nothing allocated per call.

import { SpiPort } from "../types";
import { Enc28j60Emulator } from "../../emu/enc28j60/emulator";

export function createMockSpi(emu: Enc28j60Emulator): SpiPort {
  return {
    transfer(buf: Uint8Array, len: number): void {
      if (len > buf.length) throw new RangeError(`SPI transfer of ${len} bytes from a ${buf.length}-byte buffer`);
      emu.transaction(buf, len);
    },
    write(buf: Uint8Array, len: number): void {
      // Byte by byte: the caller's buffer must come back unchanged (SPI.write discards MISO).
      if (len > buf.length) throw new RangeError(`SPI write of ${len} bytes from a ${buf.length}-byte buffer`);
      emu.csLow();
      for (let i = 0; i < len; i++) emu.exchange(buf[i]);
      emu.csHigh();
    },
  };
}
