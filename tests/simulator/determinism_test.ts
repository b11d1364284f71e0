// One seed, one run: the simulator's figures (everything but wall-clock time and memory) are
// identical when the seed is, and differ when it is not.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runScale, type ScalePoint } from "../../testing.ts";

/** The figures of a point that do not depend on the machine's speed. */
function simulated(point: ScalePoint): unknown {
  return {
    size: point.size,
    virtualSeconds: point.build.virtualSeconds,
    failedJoins: point.build.failedJoins,
    datagramsPerJoin: point.build.datagramsPerJoin,
    meanTableSize: point.meanTableSize,
    lookups: point.lookups,
    datagrams: point.engine.datagrams,
  };
}

function run(seed: number): Promise<ScalePoint[]> {
  return runScale({ sizes: [60, 150], lookups: 40, lookupConcurrency: 4, k: 8, seed, loss: 0.02 });
}

describe("Simulation determinism", () => {
  it("the same seed gives identical figures at every size", { timeout: 60_000 }, async () => {
    const [a, b] = [await run(11), await run(11)];
    assert.equal(a.length, 2);
    assert.deepEqual(
      JSON.parse(JSON.stringify(a.map(simulated))),
      JSON.parse(JSON.stringify(b.map(simulated))),
    );
    assert.equal(a[1]!.lookups.count, 40);
  });

  it("another seed gives other figures", { timeout: 60_000 }, async () => {
    const [a, c] = [await run(11), await run(12)];
    assert.notDeepEqual(a.map(simulated), c.map(simulated));
  });
});
