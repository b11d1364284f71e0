// The run of churn_test.ts with republish and re-store off: the 500 values are lost (their
// holders leave, and nobody publishes them again before their TTL), which shows that the
// mechanism is what keeps them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { churnRun, report } from "./_churn_run.ts";

describe("500 values on a 300-node network, 10 % replaced every 2 h, for 48 h", () => {
  // 48 simulated hours of 300 nodes: minutes of wall time on a loaded machine (see README).
  it("without republish and re-store, most are lost", { timeout: 900_000 }, async () => {
    const result = await churnRun(false);
    report("without maintenance", result);
    assert.equal(result.replaced, 720);
    assert.ok(result.retrievable <= 250, `${result.retrievable} of 500 retrievable`);
    assert.equal(result.orphansRetrievable, 0);
  });
});
