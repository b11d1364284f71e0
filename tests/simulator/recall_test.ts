// Lookup quality on the simulator, scored against the exact XOR index of the live nodes:
// adversaries and loss must show in the figures.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { measureLookups, Simulation } from "../../testing.ts";

describe("Simulation lookup quality", () => {
  it("colluders that answer only with each other lower recall", { timeout: 60_000 }, async () => {
    const recall = async (adversaries: number): Promise<number> => {
      const sim = new Simulation({ seed: 5, k: 8 });
      try {
        const grown = await sim.grow(250, { adversaries });
        assert.equal(grown.adversaries, adversaries);
        assert.equal(sim.colluders?.members.length ?? 0, adversaries);
        const figures = await measureLookups(sim, { count: 120, concurrency: 8 });
        if (adversaries > 0) assert.ok(figures.adversaryPercent > 0, "no colluder in any answer");
        return figures.recallPercent;
      } finally {
        await sim.close();
      }
    };
    const honest = await recall(0);
    const attacked = await recall(75);
    assert.ok(
      attacked < honest - 5,
      `recall with 30 % colluders ${attacked} %, without ${honest} %`,
    );
  });

  it("20 % loss lowers success or costs more messages", { timeout: 60_000 }, async () => {
    const sim = new Simulation({ seed: 6, k: 8, node: { queryTimeoutMs: 1000 } });
    try {
      await sim.grow(200);
      const clean = await measureLookups(sim, { count: 120, concurrency: 8 });
      sim.network.setLoss(0.2);
      const lossy = await measureLookups(sim, { count: 120, concurrency: 8 });
      assert.ok(lossy.failures.mean > clean.failures.mean, "loss caused no failed query");
      assert.ok(
        lossy.successPercent < clean.successPercent || lossy.messages.mean > clean.messages.mean,
        `success ${clean.successPercent} → ${lossy.successPercent} %, messages ` +
          `${clean.messages.mean} → ${lossy.messages.mean}`,
      );
    } finally {
      await sim.close();
    }
  });
});
