// Random walk: off by default; with an interval, one lookup of a random id per interval on the
// virtual clock, never two at once, and none after close().
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KademliaNode } from "../../mod.ts";
import { RandomWalk } from "../../src/maintenance/random_walk.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { createSim } from "../_helpers/sim.ts";

describe("random walk", () => {
  it("is off by default", async () => {
    const sim = await createSim({ size: 10, seed: 30 });
    try {
      const before = sim.nodes[4]!.stats().lookups;
      await sim.clock.advance(3_600_000);
      assert.equal(sim.nodes[4]!.stats().lookups, before);
      assert.deepEqual(sim.nodes[4]!.stats().randomWalks, { started: 0, skipped: 0 });
    } finally {
      await sim.close();
    }
  });

  it("looks up a random id every interval, and stops when the node closes", async () => {
    const sim = await createSim({ size: 10, seed: 31, node: { randomWalkIntervalMs: 60_000 } });
    try {
      const node = sim.nodes[4]!;
      const before = node.stats().lookups;
      await sim.clock.advance(10 * 60_000 + 1);
      assert.equal(node.stats().randomWalks.started, 10);
      assert.equal(node.stats().lookups, before + 10);
      await node.close();
      await sim.clock.advance(10 * 60_000);
      assert.equal(node.stats().randomWalks.started, 10, "no walk after close()");
    } finally {
      await sim.close();
    }
  });

  it("never has two walks in flight: a tick during a walk is skipped", async () => {
    const clock = new VirtualClock();
    let finish: () => void = () => {};
    let running = 0;
    let most = 0;
    const walk = new RandomWalk({
      clock,
      intervalMs: 1000,
      walk: () =>
        new Promise<void>((resolve) => {
          most = Math.max(most, ++running);
          finish = () => {
            running--;
            resolve();
          };
        }),
    });
    walk.start();
    walk.start(); // idempotent
    await clock.advance(3500);
    assert.equal(walk.started, 1);
    assert.equal(walk.skipped, 2);
    assert.equal(walk.inFlight, true);
    finish();
    await clock.advance(1000);
    assert.equal(walk.started, 2);
    assert.equal(most, 1);
    walk.close();
    finish();
    await clock.advance(10_000);
    assert.equal(walk.started, 2);
    assert.equal(clock.pendingTimers, 0, "close() cancelled the timer");
  });

  it("checks the interval", () => {
    assert.throws(
      () => new KademliaNode({ randomWalkIntervalMs: -1 }),
      /'randomWalkIntervalMs' must be an integer from 0/,
    );
    assert.throws(() => new KademliaNode({ randomWalkIntervalMs: 1.5 }), RangeError);
  });
});
