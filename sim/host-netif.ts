// A host-side Netif attached to the emulated wire: the gateway's own network interface.
// Host code; frames from the wire are queued and handed to the stack by receive().

import type { Netif } from "../hal/netif";

export interface HostNetif extends Netif {
  /** A frame arrived from the wire; false when the queue is full (dropped). */
  push(frame: Uint8Array): boolean;
  queued(): number;
  counters: { rx: number; tx: number; rxDropped: number };
}

export function createHostNetif(mac: Uint8Array, transmit: (frame: Uint8Array) => void, maxQueue = 512): HostNetif {
  const rx = new Uint8Array(1536);
  const tx = new Uint8Array(1536);
  const queue: Uint8Array[] = [];
  const counters = { rx: 0, tx: 0, rxDropped: 0 };
  return {
    mac,
    rx,
    tx,
    counters,
    push(frame: Uint8Array): boolean {
      if (queue.length >= maxQueue) { counters.rxDropped++; return false; }
      queue.push(frame);
      return true;
    },
    queued: () => queue.length,
    receive(): number {
      const f = queue.shift();
      if (!f) return 0;
      const n = Math.min(f.length, 1518);
      rx.set(f.subarray(0, n));
      counters.rx++;
      return n;
    },
    send(len: number): boolean {
      const f = new Uint8Array(Math.max(60, len)); // padded with zeros, as the chip does
      f.set(tx.subarray(0, len));
      counters.tx++;
      transmit(f);
      return true;
    },
    linkUp: () => true,
  };
}
