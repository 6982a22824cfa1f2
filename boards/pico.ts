// Espruino Pico (STM32F401CDU6, 84 MHz, 5,100 JS variables) with an ENC28J60 on SPI2.
// Wiring (see docs/boards.md): SCK B13, MISO B14, MOSI B15, CS B10, INT B1, RESET A7 - the
// six pins next to each other on the Pico's top edge. LED: B12 (LED2, green).
//
// SPI clock: SPI2 sits on APB1 = 84 MHz / 2 = 42 MHz, and the STM32 SPI divides by 2..256,
// so the bus can run 21, 10.5, 5.25 ... MHz. 21 MHz is over the ENC28J60's 20 MHz limit;
// Espruino picks the prescaler nearest to the requested rate (not "at most"), so asking for
// 20 MHz would give 21 MHz. We ask for exactly 10.5 MHz: the fastest in-spec rate.
//
// MAC: locally administered, derived from the STM32's 96-bit unique id (getSerial()).
// Slots: 4 TCP connections fit the Pico's 5,100 variables next to the stack's buffers.
import { start } from "./start";
import { macFromSerial } from "./mac";

start({
  name: "pico",
  spi: SPI2,
  sck: B13,
  miso: B14,
  mosi: B15,
  cs: B10,
  int: B1,
  reset: A7,
  baud: 10500000,
  led: B12,
  mac: macFromSerial(getSerial()),
  slots: 4,
  sendPool: 2048, // bytes of TCP send buffering shared by the slots
  mtu: 576,   // small frames: rx/tx and TCP buffers about a third of full size (see AppConfig.mtu)
});
