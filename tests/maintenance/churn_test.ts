// Values under churn, 48 simulated hours: 300 nodes, 10 % of them replaced by new ones every 2
// hours (by the end almost none of the nodes that first held a value remain), 500 values
// published at the start by 20 nodes that stay, and 20 more by nodes that leave at once. With
// republish and re-store on (the defaults) the 500 stay retrievable and the publisher-less 20
// live out their TTL and are gone; with both off, the 500 are lost. bench/churn.ts runs the
// same with other sizes, seeds and churn rates.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HOUR, runChurn } from "../_helpers/churn.ts";

const run = (maintenance: boolean) =>
  runChurn({
    size: 300,
    values: 500,
    publishers: 20,
    orphans: 20,
    churnFraction: 0.1,
    churnEveryMs: 2 * HOUR,
    durationMs: 48 * HOUR,
    orphanCheckMs: 23 * HOUR,
    seed: 7,
    maintenance,
    node: { serialization: "bencode" },
  });

function report(label: string, result: Awaited<ReturnType<typeof run>>): void {
  const { byMethod, maintenanceStats, ...figures } = result;
  console.log(`churn ${label}: ${JSON.stringify({ ...figures, byMethod, maintenanceStats })}`);
}

describe("500 values on a 300-node network, 10 % replaced every 2 h, for 48 h", () => {
  it("with republish and re-store, all stay retrievable; publisher-less ones expire at their TTL", async () => {
    const result = await run(true);
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

  it("without them, most are lost", async () => {
    const result = await run(false);
    report("without maintenance", result);
    assert.ok(result.retrievable <= 250, `${result.retrievable} of 500 retrievable`);
    assert.equal(result.orphansRetrievable, 0);
  });
});
