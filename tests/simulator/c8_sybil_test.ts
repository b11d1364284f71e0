// C8 of reference/reliability.md § c.5: 16 ids on one public IP, chosen next to a key. With
// BEP 42 enforced none of them is a store target; with BEP 42 off, one node per IP (the
// default `oneNodePerIp`) leaves them at most one of the k places. Before that rule all 8 of
// the set's targets were attackers.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PRESETS } from "../../testing.ts";

describe("Simulation C8", () => {
  it("a Sybil cluster on one IP gets at most one of a key's store targets", {
    timeout: 60_000,
  }, async () => {
    const c8 = PRESETS.find((preset) => preset.id === "C8")!;
    const report = await c8.run({ nodes: 150, lookups: 10, seed: 9 });
    const { enforced, open } = report.figures as Record<
      string,
      { attackers: number; storedOn: number; sybilsInTables: number }
    >;
    assert.equal(enforced!.attackers, 0, JSON.stringify(report.figures));
    assert.ok(open!.attackers <= 1, JSON.stringify(report.figures));
    assert.ok(open!.storedOn >= 6, `stored on ${open!.storedOn} of 8`);
    for (const criterion of report.criteria) {
      assert.equal(criterion.verdict, "PASS", criterion.name);
    }
  });
});
