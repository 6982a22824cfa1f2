// The simulated board (sim/): an ESP32-like pin map with the emulated ENC28J60 on SPI1.
// Wiring must match sim/board.ts SIM_WIRING: SCK D18, MISO D19, MOSI D23, CS D5, INT D4,
// RESET D27, LED D2. The emulated bus takes any clock; 20 MHz is the chip's limit.
//
// SIM_CONFIG is the one non-Espruino global of the simulated board: the sim's command line
// (--ip/--netmask/--gateway, --mac, --slots, --board) passed into the bundle. Without --ip: DHCP.
import { start } from "./start";

declare var SIM_CONFIG: { ip?: string; netmask?: string; gateway?: string; mac?: string; slots?: number; board?: string } | undefined;

var simConfig = typeof SIM_CONFIG === "object" && SIM_CONFIG ? SIM_CONFIG : {};

start({
  name: simConfig.board || "sim",   // `--board esp32`: another board's configuration on the sim's wiring
  spi: SPI1,
  sck: D18,
  miso: D19,
  mosi: D23,
  cs: D5,
  int: D4,
  reset: D27,
  baud: 20000000,
  led: D2,
  mac: simConfig.mac || "02:45:4e:43:00:02",
  slots: simConfig.slots || 8,
  ip: simConfig.ip,
  netmask: simConfig.ip ? simConfig.netmask || "255.255.255.0" : undefined,
  gateway: simConfig.ip ? simConfig.gateway || "0.0.0.0" : undefined,
});
