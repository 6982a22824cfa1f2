// Device entry point: every boards/<board>.ts calls start() with its wiring. Builds Espruino's
// HAL, then the application (firmware/app/app.ts), and exposes `device` in the global scope for
// the console: device.status(), device.connect("192.0.2.1", 7), device.send(c, "hi"),
// device.received(c), device.close(c), device.led(true), device.addTestAsset("/t.bin", 204800).

import { BoardConfig } from "./board";
import { createEspruinoHal } from "../hal/espruino";
import { parseMac, macFromSerial } from "./mac";
import { parseIp } from "../firmware/net/stack";
import { createApp, AppConfig, Device } from "../firmware/app/app";

export function start(board: BoardConfig): Device {
  var hal = createEspruinoHal(board);
  var cfg: AppConfig = {
    board: board.name,
    mac: parseMac(board.mac || macFromSerial(getSerial())),
    slots: board.slots || 4,
    sendPool: board.sendPool,
    mtu: board.mtu,
    hostname: board.hostname,
    log: function (s: string): void { console.log(s); },
    // memory(false): no garbage collection pass per status request
    memory: function (): number[] { var m = (process as any).memory(false); return [m.free, m.total]; },
  };
  if (board.ip && board.netmask && board.gateway) {
    cfg.ip = parseIp(board.ip); cfg.mask = parseIp(board.netmask); cfg.gateway = parseIp(board.gateway);
  }
  var led = board.led;
  if (led) cfg.led = { set: function (on: boolean): void { led!.write(on); } };
  try { cfg.storage = require("Storage"); } catch (e) { /* no flash storage: settings live in RAM */ }
  var device = createApp(hal, cfg);
  (global as any).device = device;
  console.log("enc28j60: " + board.name + " up, " + (cfg.ip ? "static address" : "DHCP") + "; try device.status()");
  return device;
}
