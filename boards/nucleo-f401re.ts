// ST NUCLEO-F401RE (STM32F401RET6, 84 MHz, 5,376 JS variables) with an ENC28J60 on SPI2.
// SPI2 SCK B13, MISO B14, MOSI B15 are on the ST morpho header CN10 (pins 30, 28, 26);
// SPI1's Arduino pins are no use because A5 (D13) drives the user LED LD2.
// CS, INT and RESET use free Arduino header pins (see docs/boards.md):
//   CS    = B6  (Arduino D10, CN5-3)
//   INT   = A10 (Arduino D2,  CN9-3)
//   RESET = C7  (Arduino D9,  CN5-2)
// Avoided: A2/A3 (D1/D0: USART2, the ST-LINK virtual COM port and Espruino's console),
// A5 (LED), C13 (user button), A13/A14 (SWD).
//
// SPI clock: SPI2 is on APB1 = 84 MHz / 2 = 42 MHz: 21, 10.5, 5.25 ... MHz. 21 MHz exceeds
// the ENC28J60's 20 MHz, and Espruino picks the nearest prescaler (a 20 MHz request would
// give 21 MHz), so we ask for exactly 10.5 MHz.
//
// MAC: locally administered, derived from the STM32's 96-bit unique id (getSerial()).
// Slots: 4 TCP connections (5,376 variables).
import { start } from "./start";
import { macFromSerial } from "./mac";

start({
  name: "nucleo-f401re",
  spi: SPI2,
  sck: B13,
  miso: B14,
  mosi: B15,
  cs: B6,
  int: A10,
  reset: C7,
  baud: 10500000,
  led: A5,
  mac: macFromSerial(getSerial()),
  slots: 4,
  sendPool: 2048, // bytes of TCP send buffering shared by the slots
  mtu: 576,   // small frames: rx/tx and TCP buffers about a third of full size (see AppConfig.mtu)
});
