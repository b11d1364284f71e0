// Values under churn, 48 simulated hours: 300 nodes, 10 % of them replaced by new ones every 2
// hours (by the end almost none of the nodes that first held a value remain), 500 values
// published at the start by 20 nodes that stay, and 20 more by nodes that leave at once. With
// republish and re-store on (the defaults) the 500 stay retrievable and the publisher-less 20
// live out their TTL and are gone. churn_off_test.ts is the same run with both off;
// bench/churn.ts runs it with other sizes, seeds and churn rates.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { churnRun, report } from "./_churn_run.ts";

describe("500 values on a 300-node network, 10 % replaced every 2 h, for 48 h", () => {
  // 48 simulated hours of 300 nodes: 20–45 s of wall time, about 90 s on a slow machine
  // (docs/performance.md); the timeout leaves room for a loaded one.
  it("with republish and re-store, all stay retrievable; publisher-less ones expire at their TTL", {
    timeout: 900_000,
  }, async () => {
    const result = await churnRun(true);
    report("with maintenance", result);
    assert.ok(
      result.originalHoldersLeft < 0.1,
      `${result.originalHoldersLeft} of the holders left`,
    );
    assert.equal(result.replaced, 720);
    assert.ok(result.retrievable >= 495, `${result.retrievable} of 500 retrievable`);
    assert.equal(result.orphansBeforeTtl, 20, "publisher-less values live until their TTL");
    assert.equal(result.orphansRetrievable, 0, "and are gone after it");
  });
});
