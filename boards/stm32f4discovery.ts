// STM32F4DISCOVERY (STM32F407VGT6, 168 MHz, 5,450 JS variables) with an ENC28J60 on SPI2.
// SPI1 (A5/A6/A7) is wired to the on-board accelerometer, so: SPI2 SCK B13, MISO B14,
// MOSI B15, and from the free pins on the same header (P1): CS B12, INT B11, RESET D8.
// Avoided: B10 (microphone clock), B6/B9/C7/C10/C12/A4/D4 (audio DAC), D12-D15 (LEDs),
// A0 (user button), A9-A12/C0 (USB OTG), A2/A3 (USART2, Espruino's serial console).
// LED: D12 (LED2, green).
//
// SPI clock: at 168 MHz APB1 = HCLK / 4 = 42 MHz and APB2 = HCLK / 2 = 84 MHz. SPI2 (APB1)
// can run 21, 10.5, 5.25 ... MHz (SPI1 on APB2: 42, 21, 10.5 - no better in spec).
// 21 MHz exceeds the ENC28J60's 20 MHz, and Espruino picks the nearest prescaler (a 20 MHz
// request would give 21 MHz), so we ask for exactly 10.5 MHz.
//
// MAC: locally administered, derived from the STM32's 96-bit unique id (getSerial()).
// Slots: 4 TCP connections (5,450 variables).
import { start } from "./start";
import { macFromSerial } from "./mac";

start({
  name: "stm32f4discovery",
  spi: SPI2,
  sck: B13,
  miso: B14,
  mosi: B15,
  cs: B12,
  int: B11,
  reset: D8,
  baud: 10500000,
  led: D12,
  mac: macFromSerial(getSerial()),
  slots: 4,
  sendPool: 2048, // bytes of TCP send buffering shared by the slots
  mtu: 576,   // small frames: rx/tx and TCP buffers about a third of full size (see AppConfig.mtu)
});
