// device.memoryMap(): the variables each part took at boot, from the interpreter's own count.
import { strict as assert } from "assert";
import { Enc28j60Emulator } from "../../../emu/enc28j60/emulator";
import { createHostHal } from "../../../hal/host/host-hal";
import { createApp } from "../../../firmware/app/app";

function app(memory?: () => number[]) {
  const emu = new Enc28j60Emulator();
  const hal = createHostHal(emu, { timers: { after: () => 0, every: () => 0, cancel: () => undefined } });
  return createApp(hal, {
    board: "t", mac: new Uint8Array([2, 0, 0, 0, 0, 9]), slots: 4, timers: false,
    ip: 0xc0000202, mask: 0xffffff00, gateway: 0xc0000201, memory,
  });
}

describe("app: the boot memory map", () => {
  it("gives each part's variables as the difference of the counts taken around it", () => {
    // A fake interpreter whose usage grows by a different amount at each reading.
    const readings = [1000, 1300, 1700, 2600, 3400, 3550];
    let k = 0;
    const dev = app(() => { const used = readings[Math.min(k++, readings.length - 1)]; return [5100 - used, 5100]; });
    assert.deepEqual(dev.memoryMap(), { before: 1000, driver: 300, stack: 400, tcp: 900, http: 800, app: 150, total: 3550 });
    assert.equal(k, 6, "one reading per part, none after boot");
  });

  it("is empty where the interpreter gives no count", () => {
    assert.deepEqual(app().memoryMap(), {});
  });
});
