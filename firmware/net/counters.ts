// Per-layer counters: plain objects of numbers, created once at start-up and only incremented.
// The HTTP status page can walk them with for-in. "drop*" names count frames dropped by reason.
// Only counters something reads (status page, tests) are kept: every name costs bundle bytes.

export interface StackCounters {
  [layer: string]: { [name: string]: number };
}

export function createCounters(): StackCounters {
  return {
    eth: { rx: 0, tx: 0, txFail: 0, dropShort: 0, dropNotForUs: 0, dropType: 0, errors: 0 },
    arp: {
      rx: 0, tx: 0, requestsOut: 0, repliesOut: 0, dropShort: 0, dropMalformed: 0, ignored: 0,
      conflicts: 0, hits: 0, misses: 0, held: 0, heldSent: 0, heldDropped: 0, notHeld: 0, retries: 0,
      giveUps: 0, expired: 0, evicted: 0,
    },
    ip: {
      rx: 0, tx: 0, dropShort: 0, dropVersion: 0, dropIhl: 0, dropLength: 0, dropChecksum: 0,
      dropFragment: 0, dropSource: 0, dropNotForUs: 0, dropProto: 0, options: 0,
    },
    icmp: {
      rx: 0, tx: 0, echoOut: 0, rateLimited: 0, dropShort: 0, dropChecksum: 0, dropType: 0,
      ignoredBroadcast: 0,
    },
    udp: { rx: 0, tx: 0, dropShort: 0, dropLength: 0, dropChecksum: 0, noPort: 0 },
    dhcp: {
      rx: 0, tx: 0, offers: 0, requests: 0, acks: 0, naks: 0, dropMalformed: 0,
      dropOther: 0, retransmits: 0, renewals: 0, rebinds: 0, expired: 0, restarts: 0, fallbacks: 0,
    },
  };
}
