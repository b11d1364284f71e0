// Bucket refresh: a bucket with no lookup and no new contact for refreshIntervalMs gets a
// lookup for a random id in its range if it has room, a ping of its least recently seen contact
// if it is full; a lookup through the bucket counts as use. On a quiet
// network of two nodes (one bucket each) so that nothing else touches the buckets.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomId } from "../../src/id/node_id.ts";
import { createSim } from "../_helpers/sim.ts";

const HOUR = 3_600_000;
const MINUTE = 60_000;
const quiet = { republishIntervalMs: 0, replicateIntervalMs: 0, refreshIntervalMs: HOUR };

describe("bucket refresh", () => {
  it("looks a random id up in each bucket idle for refreshIntervalMs, and not before", async () => {
    const sim = await createSim({ size: 2, seed: 1, node: quiet });
    try {
      const [a, b] = sim.nodes as [typeof sim.nodes[0], typeof sim.nodes[0]];
      const lookups = a.stats().lookups;
      await sim.clock.advance(HOUR - MINUTE);
      assert.equal(a.stats().maintenance.refreshed, 0, "not idle for an hour yet");
      assert.equal(a.stats().lookups, lookups);
      await sim.clock.advance(2 * MINUTE);
      assert.equal(a.stats().maintenance.refreshed, 1, "its one bucket, once");
      assert.equal(a.stats().lookups, lookups + 1);
      assert.ok(b.stats().queriesReceived > 0, "the refresh asked the other node");
      // Refreshed buckets are used: the next refresh is an hour later.
      await sim.clock.advance(HOUR - 2 * MINUTE);
      assert.equal(a.stats().maintenance.refreshed, 1);
      await sim.clock.advance(2 * MINUTE);
      assert.equal(a.stats().maintenance.refreshed, 2);
    } finally {
      await sim.close();
    }
  });

  it("pings the least recently seen contact of a full idle bucket instead of a lookup", async () => {
    // k = 1: each node's one bucket is full with the other node.
    const sim = await createSim({ size: 2, seed: 4, node: { ...quiet, k: 1 } });
    try {
      const nodes = sim.nodes as [typeof sim.nodes[0], typeof sim.nodes[0]];
      const before = nodes.map((node) => node.stats());
      await sim.clock.advance(HOUR + MINUTE);
      // Both buckets fall idle at the same instant; whichever node refreshes first pings the
      // other, and that ping is use of the other's bucket: one refresh in all.
      const refreshed = nodes.map((node) => node.stats().maintenance.refreshed);
      assert.deepEqual([...refreshed].sort(), [0, 1]);
      const [a, b] = refreshed[0] === 1 ? nodes : [nodes[1], nodes[0]];
      const [was, other] = refreshed[0] === 1 ? before : [before[1]!, before[0]!];
      assert.equal(a.stats().lookups, was!.lookups, "no lookup");
      assert.equal(
        a.stats().queriesByMethod.ping,
        (was!.queriesByMethod.ping ?? 0) + 1,
        "one ping",
      );
      assert.equal(b.stats().queriesReceived, other!.queriesReceived + 1, "to the contact");
      assert.equal(b.stats().lookups, other!.lookups, "and the contact, used, does nothing");
      assert.equal(a.peers()[0]?.id, b.id, "which answered and stays");
    } finally {
      await sim.close();
    }
  });

  it("counts a lookup through a bucket as use", async () => {
    const sim = await createSim({ size: 2, seed: 2, node: quiet });
    try {
      const a = sim.nodes[0]!;
      await sim.clock.advance(50 * MINUTE);
      await sim.run(a.findNode(randomId(sim.random)));
      await sim.clock.advance(20 * MINUTE); // 70 min since the start, 20 since the lookup
      assert.equal(a.stats().maintenance.refreshed, 0, "the lookup 20 min ago used the bucket");
      await sim.clock.advance(45 * MINUTE); // 65 min since the lookup
      assert.equal(a.stats().maintenance.refreshed, 1);
    } finally {
      await sim.close();
    }
  });

  it("is off with refreshIntervalMs 0", async () => {
    const sim = await createSim({ size: 2, seed: 3, node: { ...quiet, refreshIntervalMs: 0 } });
    try {
      await sim.clock.advance(5 * HOUR);
      assert.equal(sim.nodes[0]!.stats().maintenance.refreshed, 0);
      assert.equal(sim.nodes[1]!.stats().maintenance.refreshed, 0);
    } finally {
      await sim.close();
    }
  });
});
