// Raspberry Pi Pico 2 (RP2350, 150 MHz, 520 KB SRAM) running Kaluma 1.3 (JerryScript 3.0,
// 384 KB JS heap), with an ENC28J60 on SPI0 at Kaluma's default SPI0 pins (GPIO numbers; the
// header pin in brackets): SCK 18 (24), MOSI 19 (25), MISO 16 (21), CS 17 (22), INT 20 (26),
// RESET 21 (27): six neighbouring pins with GND at pin 23 and 3V3(OUT) at pin 36.
// LED: GPIO 25 (the Pico 2's own LED; on a Pico 2 W the LED sits on the WiFi chip: leave it out).
//
// SPI clock: the pico-sdk takes the fastest rate at or below the request from clk_peri
// (150 MHz) / (even prescale x divider): 20 MHz asked gives 150 / 8 = 18.75 MHz, in spec.
//
// MAC: locally administered, derived from the flash chip's unique id (Kaluma's board.uid).
// Slots: 8 TCP connections with a 4 KB send pool and full-size frames: the device alone stays
// far below half of the 384 KB heap (make bench with JERRY).
import { startKaluma } from "./kaluma-start";

startKaluma({
  name: "kaluma-pico2",
  bus: 0,
  sck: 18,
  mosi: 19,
  miso: 16,
  cs: 17,
  int: 20,
  reset: 21,
  baud: 20000000,
  led: 25,
  slots: 8,
  sendPool: 4096, // bytes of TCP send buffering shared by the slots
});
