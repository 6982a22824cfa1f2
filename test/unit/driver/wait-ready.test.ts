// The driver's post-reset wait (erratum 2) on a slow host: a pause (GC, a busy interpreter)
// between two polls must not make init fail with "clock not ready" when the chip is ready.

import * as assert from "assert";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { createHostHal } from "../../../hal/host/host-hal";
import { createEnc28j60 } from "../../../drivers/enc28j60/driver";
import { MAC } from "./rig";

describe("ENC28J60 driver: post-reset wait on a slow host", () => {
  it("a 50 ms pause between two CLKRDY polls: init still succeeds once the chip is ready", () => {
    const emu = new Enc28j60Emulator();
    let armed = false;
    let calls = 0;
    let paused = false;
    const hal = createHostHal(emu, {
      clock: {
        now: () => {
          const t = emu.now();
          // After SRC: the 1st call is the wait's start, the 2nd its first elapsed-time check;
          // right after that one the host stalls for 50 ms (chip and clock move on together).
          if (armed && ++calls === 2) {
            emu.advance(50);
            paused = true;
          }
          return t;
        },
      },
    });
    const write = hal.spi.write;
    hal.spi.write = (buf, len) => {
      if (len === 1 && buf[0] === 0xff) armed = true; // SRC
      write(buf, len);
    };
    delete (hal as { reset?: unknown }).reset; // SRC only
    const drv = createEnc28j60(hal, MAC);
    drv.init();
    assert.ok(paused, "the pause happened inside the post-reset wait");
    assert.ok(drv.revision !== 0 && drv.revision !== 0xff, `EREVID ${drv.revision}`);
  });
});
