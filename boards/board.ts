// What a board file gives the firmware: the ENC28J60 wiring and a few board facts.
// Each boards/<name>.ts fills one in and calls start() from firmware/app/main.ts.

export interface BoardConfig {
  /** Short board name, as used by `make bundle BOARD=<name>`. */
  name: string;
  /** The SPI peripheral the ENC28J60 hangs on (an Espruino global such as SPI2). */
  spi: SPI;
  sck: Pin;
  miso: Pin;
  mosi: Pin;
  cs: Pin;
  /** ENC28J60 INT (active low); without it the driver polls. */
  int?: Pin;
  /** ENC28J60 RESET (active low); without it the driver uses the soft reset command. */
  reset?: Pin;
  /** SPI clock in Hz: the fastest in-spec rate the board really produces (>= 8 MHz, <= 20 MHz). */
  baud: number;
  /** An LED the demo page can toggle. */
  led?: Pin;
  /** MAC address "xx:xx:xx:xx:xx:xx"; when absent one is derived from the chip's serial number. */
  mac?: string;
  /** Connection slots for TCP (build-time default sized for the smallest board). */
  slots?: number;
  /** DHCP host name (option 12); default: derived from the stored device name, else the board name. */
  hostname?: string;
  /** Static IPv4 configuration "a.b.c.d" (all three given): skips DHCP. Absent: DHCP. */
  ip?: string;
  netmask?: string;
  gateway?: string;
}
