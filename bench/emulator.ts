// Emulator speed (host): how much the register-level ENC28J60 model costs per SPI transaction
// and per frame, since it sits under every host test and the simulated board. Figures only.
import { Enc28j60Emulator } from "../emu/enc28j60/emulator";

function timeUs(n: number, fn: () => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
}

function tx(emu: Enc28j60Emulator, bytes: number[]): void {
  const b = Uint8Array.from(bytes);
  emu.transaction(b, b.length);
}

export function run(): void {
  const emu = new Enc28j60Emulator();
  const big = new Uint8Array(1519);
  const small = new Uint8Array(2);
  const mac = new Uint8Array(3);
  const rbm = timeUs(20000, () => { big[0] = 0x3a; emu.transaction(big, 1519); });
  const wbm = timeUs(20000, () => { big[0] = 0x7a; emu.transaction(big, 1519); });
  const rcr = timeUs(500000, () => { small[0] = 0x1d; small[1] = 0; emu.transaction(small, 2); });
  tx(emu, [0x9f, 0x02]); // bank 2
  const rcrMac = timeUs(500000, () => { mac[0] = 0x09; mac[1] = 0; mac[2] = 0; emu.transaction(mac, 3); });
  tx(emu, [0xbf, 0x03]);

  // Receive: deliver a full-size broadcast frame, then free the ring the way a driver does.
  const r = new Enc28j60Emulator();
  tx(r, [0x9f, 0x02]); tx(r, [0x40, 0x01]); tx(r, [0xbf, 0x03]); // MACON1.MARXEN, back to bank 0
  tx(r, [0x9f, 0x04]); // RXEN
  const f = new Uint8Array(1514);
  f.fill(0xff, 0, 6);
  const free = new Uint8Array(2);
  const deliver = timeUs(5000, () => {
    r.deliver(f);
    const w = r.rxWritePointer();
    const rd = w === 0 ? 0x1fff : w - 1;
    free[0] = 0x4c; free[1] = rd & 0xff; r.transaction(free, 2);
    free[0] = 0x4d; free[1] = rd >> 8; r.transaction(free, 2);
    free[0] = 0x9e; free[1] = 0x40; r.transaction(free, 2); // PKTDEC
  });

  // Transmit: control byte + 1514-byte frame, ETXND, TXRTS, completion by advance().
  const t = new Enc28j60Emulator();
  tx(t, [0x44, 0x00]); tx(t, [0x45, 0x18]); // ETXST 0x1800
  tx(t, [0x46, 0xea]); tx(t, [0x47, 0x1d]); // ETXND 0x1800 + 1514
  const wbmFrame = new Uint8Array(1516);
  const set = new Uint8Array(2);
  const send = timeUs(5000, () => {
    set[0] = 0x42; set[1] = 0x00; t.transaction(set, 2); // EWRPTL
    set[0] = 0x43; set[1] = 0x18; t.transaction(set, 2); // EWRPTH
    wbmFrame[0] = 0x7a; wbmFrame[1] = 0x00; t.transaction(wbmFrame, 1516);
    set[0] = 0x9f; set[1] = 0x08; t.transaction(set, 2); // TXRTS
    t.advance(2);
  });
  t.takeSent();

  console.log(`RBM 1518 B transaction:      ${rbm.toFixed(2)} us (${(1518 / rbm).toFixed(0)} MB/s)`);
  console.log(`WBM 1518 B transaction:      ${wbm.toFixed(2)} us`);
  console.log(`RCR ETH register (2 B):      ${(rcr * 1000).toFixed(0)} ns`);
  console.log(`RCR MAC register (3 B):      ${(rcrMac * 1000).toFixed(0)} ns`);
  console.log(`deliver 1514 B + free ring:  ${deliver.toFixed(2)} us per frame`);
  console.log(`send 1514 B (WBM..done):     ${send.toFixed(2)} us per frame`);
}
