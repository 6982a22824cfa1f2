// Raspberry Pi Pico (RP2040, 125 MHz, 264 KB SRAM) running Kaluma 1.2.x (180 KB JS heap), with
// an ENC28J60 on SPI0 wired exactly as on the Pico 2 (same header): SCK 18 (24), MOSI 19 (25),
// MISO 16 (21), CS 17 (22), INT 20 (26), RESET 21 (27); LED GPIO 25 (not on a Pico W).
//
// SPI clock: clk_peri is 125 MHz here: 20 MHz asked gives 125 / 8 = 15.6 MHz (the pico-sdk never
// goes above the request).
//
// MAC: locally administered, derived from the flash chip's unique id (Kaluma's board.uid).
// Slots: 4 TCP connections, a 2 KB send pool and 576-byte IP packets, as on the small Espruino
// boards: the heap is 180 KB for everything, the budget for the device is half of it.
import { startKaluma } from "./kaluma-start";

startKaluma({
  name: "kaluma-pico",
  bus: 0,
  sck: 18,
  mosi: 19,
  miso: 16,
  cs: 17,
  int: 20,
  reset: 21,
  baud: 20000000,
  led: 25,
  slots: 4,
  sendPool: 2048, // bytes of TCP send buffering shared by the slots
  mtu: 576,
});
