// A lookup whose nearest contacts are all gone goes on from the next ones it knows
// (LOOKUP_SEEDS_PER_K in src/constants.ts) instead of ending with nothing: heavy churn (the C3
// scenario) leaves whole neighbourhoods of a routing table dead.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compareDistance, idFromHex, idsEqual } from "../../src/id/node_id.ts";
import { Simulation } from "../../src/testing/simulator/simulation.ts";

describe("a lookup from a table whose k nearest contacts are gone", () => {
  it("starts from the next ones too and finds the live closest nodes", async () => {
    const sim = new Simulation({ seed: 5, k: 8 });
    try {
      await sim.grow(150);
      let checked = 0;
      for (let trial = 0; trial < 6; trial++) {
        const asker = sim.pickHonest()!;
        const target = sim.randomTarget();
        const known = asker.node.peers().map((peer) => idFromHex(peer.id));
        if (known.length < 24) continue;
        known.sort((a, b) => compareDistance(target, a, b));
        // The asker's 8 nearest contacts to the target leave without a word.
        for (const id of known.slice(0, 8)) {
          const member = sim.live().find((m) => idsEqual(m.id, id));
          if (member) sim.leave(member);
        }
        const peers = await sim.run(asker.node.findNode(target));
        const truth = sim.truth(target, 8, asker.id);
        assert.ok(peers.length > 0, "the lookup found someone");
        assert.ok(
          peers.some((peer) => idsEqual(idFromHex(peer.id), truth[0]!)),
          `trial ${trial}: the live closest node is in the answer`,
        );
        checked++;
      }
      assert.ok(checked >= 4, `${checked} trials had enough contacts`);
    } finally {
      await sim.close();
    }
  });
});
