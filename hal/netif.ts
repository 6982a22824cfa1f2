// The contract between a link driver (the ENC28J60 driver, or a test double) and the IP layer.
// One receive buffer and one transmit buffer, allocated once by the driver.

export interface Netif {
  /** Our MAC address, 6 bytes. */
  readonly mac: Uint8Array;
  /**
   * The frame most recently returned by receive(), from the destination MAC at index 0,
   * without the CRC. rx.byteOffset is even, so 16-bit views at even frame offsets are aligned.
   */
  readonly rx: Uint8Array;
  /**
   * Where the next outgoing frame is built, from the destination MAC at index 0 (at least 1518
   * bytes). tx.byteOffset is even. Padding to 60 bytes and the CRC are the driver's job.
   */
  readonly tx: Uint8Array;
  /** Reads the next waiting frame into rx; returns its length, or 0 when none is waiting. */
  receive(): number;
  /** Transmits tx[0..len); true when the frame went out (bounded wait, never hangs). */
  send(len: number): boolean;
  /** Current link state. */
  linkUp(): boolean;
}
