// The C0 bar of reference/reliability.md § c.5 on the simulator: a static network without loss,
// link round trips of 10–310 ms (libtorrent's simulation), k = 8: a lookup finds the true 8
// closest live nodes (from the exact XOR index) at least 99 % of the time.
//
// On main as of 2e6076d this fails (recall ≈ 87 %): the lookup marks a query slow at 3 × the
// first reply's RTT (src/lookup/lookup.ts OBSERVED_SAMPLES = 1) and ends without the slow
// nodes, which on links of 10–310 ms are often among the true closest. With that rule off the
// same run gives 100 % (docs/simulator.md, "What the simulator found").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PRESETS } from "../../testing.ts";

describe("Simulation C0", () => {
  it(
    "C0 at 250 nodes: recall of the true 8 closest is at least 99 %",
    { timeout: 60_000 },
    async () => {
      const report = await PRESETS[0]!.run({ nodes: 250, lookups: 150, seed: 4 });
      const recall = report.batches[0]!.lookups.recallPercent;
      assert.ok(
        recall >= 99,
        `recall ${recall} % < 99 % (seed 4): ${JSON.stringify(report.criteria)}`,
      );
    },
  );
});
