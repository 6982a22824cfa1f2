// What a board file gives the firmware: the ENC28J60 wiring and a few board facts.
// Each boards/<name>.ts fills one in and calls start() from boards/start.ts. The wiring half is
// the HAL's own type (hal/espruino.ts), so the HAL never imports from boards/.

import { EspruinoWiring } from "../hal/espruino";

export interface BoardConfig extends EspruinoWiring {
  /** Short board name, as used by `make bundle BOARD=<name>`. */
  name: string;
  /** An LED the demo page can toggle. */
  led?: Pin;
  /** MAC address "xx:xx:xx:xx:xx:xx"; when absent one is derived from the chip's serial number. */
  mac?: string;
  /** Connection slots for TCP (build-time default sized for the smallest board). */
  slots?: number;
  /** Bytes of TCP send buffering all connections share (the send pool); default: sendBuf per slot. */
  sendPool?: number;
  /** IP MTU (default 1500): 576 on the small boards shrinks the frame and TCP buffers (see AppConfig.mtu). */
  mtu?: number;
  /** DHCP host name (option 12); default: derived from the stored device name, else the board name. */
  hostname?: string;
  /** Static IPv4 configuration "a.b.c.d" (all three given): skips DHCP. Absent: DHCP. */
  ip?: string;
  netmask?: string;
  gateway?: string;
}
