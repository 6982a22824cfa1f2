// Espruino WiFi (STM32F411CEU6, 100 MHz, 8,190 JS variables) with an ENC28J60 on SPI2.
// Wiring as on the Pico (see docs/boards.md): SCK B13, MISO B14, MOSI B15, CS B10, INT B1,
// RESET A7, all on the left header. A13-A15 and A2/A3 belong to the on-board ESP8266.
// LED: B12 (LED2, green).
//
// SPI clock: at 100 MHz APB1 runs at HCLK / 2 = 50 MHz (the F411's APB1 limit), so SPI2 can
// produce 25, 12.5, 6.25 ... MHz (SPI1 on APB2 = 100 MHz: 50, 25, 12.5 MHz - no better).
// 25 MHz is over the ENC28J60's 20 MHz limit, and Espruino rounds to the NEAREST prescaler,
// so asking for 20 MHz would give 25 MHz. We ask for exactly 12.5 MHz. Should the firmware
// clock the F411 lower to get 48 MHz USB (84 or 96 MHz), the nearest rate to 12.5 MHz is
// 10.5 or 12 MHz: still in spec, never over 20 MHz.
//
// MAC: locally administered, derived from the STM32's 96-bit unique id (getSerial()).
// Slots: 8 TCP connections (8,190 variables).
import { start } from "./start";
import { macFromSerial } from "./mac";

start({
  name: "espruino-wifi",
  spi: SPI2,
  sck: B13,
  miso: B14,
  mosi: B15,
  cs: B10,
  int: B1,
  reset: A7,
  baud: 12500000,
  led: B12,
  mac: macFromSerial(getSerial()),
  slots: 8,
  sendPool: 4096, // bytes of TCP send buffering shared by the slots
});
