// A record's publication stamp travels as a KRPC integer: a clock with fractional
// milliseconds (the virtual clock under fractional latency) must not break `set`.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { uniformLatency } from "../../src/testing/latency.ts";
import { createSim } from "../_helpers/sim.ts";

describe("publication time", () => {
  for (const serialization of ["json", "bencode"] as const) {
    it(`set works when the clock reads fractional milliseconds (${serialization})`, async () => {
      const sim = await createSim({
        size: 10,
        seed: 11,
        latency: uniformLatency(10, 100),
        node: { serialization },
      });
      try {
        assert.ok(!Number.isInteger(sim.clock.wallTime()), "the clock is between milliseconds");
        const result = await sim.run(sim.nodes[3]!.set("key", "value"));
        assert.ok(result.storedOn.length > 0);
        assert.equal(await sim.run(sim.nodes[8]!.get("key")), "value");
      } finally {
        await sim.close();
      }
    });
  }
});
