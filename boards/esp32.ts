// ESP32 DevKitC (ESP32, 240 MHz, up to 16,383 JS variables) with an ENC28J60 on VSPI.
// In Espruino's ESP32 port SPI1 is HSPI and SPI2 is VSPI; VSPI's own IO_MUX pins are used:
// SCK D18, MISO D19, MOSI D23, CS D5 (VSPI's CS0 pin, driven by Espruino, not the driver),
// INT D4, RESET D27. LED: D2 (Espruino's LED1 on ESP32 boards). D0 is the BOOT button.
//
// SPI clock: the ESP32 SPI clock is the 80 MHz APB clock divided by an integer, so
// 80 / 4 = 20 MHz is exact and equals the ENC28J60's maximum (80 / 3 = 26.7 MHz would be
// over). Espruino passes the rate to ESP-IDF, which computes the divider: asking for 20 MHz
// gives exactly 20 MHz.
//
// MAC: locally administered, derived from the chip's unique id (getSerial()); the ESP32's
// own factory MACs belong to its WiFi/BT interfaces and are not reused here.
// Slots: 12 TCP connections (16,383 variables, less when WiFi/BLE are in use).
import { start } from "./start";
import { macFromSerial } from "./mac";

start({
  name: "esp32",
  spi: SPI2,
  sck: D18,
  miso: D19,
  mosi: D23,
  cs: D5,
  int: D4,
  reset: D27,
  baud: 20000000,
  led: D2,
  mac: macFromSerial(getSerial()),
  slots: 12,
  sendPool: 8192, // bytes of TCP send buffering shared by the slots
});
