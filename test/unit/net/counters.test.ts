// The stack's drop counters as the status page names them (firmware/net/counters.ts eachDrop):
// the index dropIndex() makes once (at the app's boot: nothing allocated at the first status
// request, issue #12) names exactly the snapshot's "drop*" counters, in order, with their layer.
import { strict as assert } from "assert";
import { Cnt, counterNames, dropIndex, eachDrop } from "../../../firmware/net/counters";

/** The snapshot's non-zero drop counters as "layer.name=n", in order. */
function snapshotDrops(counts: Uint32Array): string[] {
  const out: string[] = [], snap = counterNames(counts);
  for (const layer in snap) for (const name in snap[layer]) if (name.indexOf("drop") === 0 && snap[layer][name] > 0) out.push(layer + "." + name + "=" + snap[layer][name]);
  return out;
}

function reported(counts: Uint32Array): string[] {
  const out: string[] = [];
  eachDrop(counts, (layer, name, n) => out.push(layer + "." + name + "=" + n));
  return out;
}

describe("net: the drop counters named for the status page", () => {
  before(() => dropIndex());

  it("every counter non-zero: each of the 28 drop counters named as the snapshot names it, in order, with its value", () => {
    const counts = new Uint32Array(Cnt.COUNT);
    for (let i = 0; i < Cnt.COUNT; i++) counts[i] = 1000 + i;
    const seen = reported(counts);
    assert.equal(seen.length, 28);
    assert.deepEqual(seen, snapshotDrops(counts));
    assert.equal(seen[0], "eth.dropShort=" + (1000 + Cnt.ETH_DROP_SHORT));
    assert.ok(seen.indexOf("ip.dropFragOverlap=" + (1000 + Cnt.IP_DROP_FRAG_OVERLAP)) >= 0, seen.join(" "));
    assert.equal(seen[seen.length - 1], "dhcp.dropOther=" + (1000 + Cnt.DHCP_DROP_OTHER));
  });

  it("only the non-zero ones, none at all when every counter is zero, and a second dropIndex() changes nothing", () => {
    const counts = new Uint32Array(Cnt.COUNT);
    assert.deepEqual(reported(counts), []);
    counts[Cnt.IP_RX] = 5;   // not a drop counter
    counts[Cnt.UDP_DROP_CHECKSUM] = 2;
    counts[Cnt.ARP_DROP_MALFORMED] = 7;
    dropIndex();
    assert.deepEqual(reported(counts), ["arp.dropMalformed=7", "udp.dropChecksum=2"]);
    assert.deepEqual(reported(counts), snapshotDrops(counts));
  });
});
