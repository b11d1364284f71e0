// Whole networks of KademliaNodes on the memory network with virtual time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compareDistance, idFromHex, idToHex, randomId } from "../../src/id/node_id.ts";
import { createSim } from "../_helpers/sim.ts";

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
}

for (const size of [2, 5, 100]) {
  describe(`a ${size}-node memory network`, () => {
    it("finds every value set from a random node from every other node", async () => {
      const sim = await createSim({ size, seed: size });
      try {
        const keys = Array.from({ length: 5 }, (_, i) => `key-${i}`);
        for (const [i, key] of keys.entries()) {
          const setter = sim.nodes[sim.pick(size)]!;
          const value = i % 2 === 0 ? `text value ${i} ✓` : bytes(40 + i, i);
          const result = await sim.run(setter.set(key, value));
          assert.equal(result.storedLocally, true);
          assert.equal(result.storedOn.length, Math.min(size - 1, 20), "stored on the k closest");
          assert.equal(result.failed, 0);
          for (const getter of sim.nodes) {
            if (getter === setter) continue;
            const got = await sim.run(getter.get(key));
            assert.deepEqual(got, value, `node ${getter.id} got ${String(got)} for ${key}`);
          }
        }
      } finally {
        await sim.close();
      }
    });
  });
}

describe("a 1,000-node memory network", () => {
  it("finds values from every node tried and the true 20 closest for ≥ 99 % of targets", async () => {
    const sim = await createSim({ size: 1000, seed: 1000, bootstrapFrom: 3 });
    try {
      const ids = sim.nodes.map((node) => idFromHex(node.id));
      for (let i = 0; i < 5; i++) {
        const setter = sim.nodes[sim.pick(1000)]!;
        const value = i % 2 ? `value-${i}` : bytes(64, i);
        await sim.run(setter.set(`big-${i}`, value));
        for (let j = 0; j < 40; j++) {
          const getter = sim.nodes[sim.pick(1000)]!;
          assert.deepEqual(await sim.run(getter.get(`big-${i}`)), value);
        }
      }
      let exact = 0;
      const trials = 200;
      for (let i = 0; i < trials; i++) {
        const target = randomId(sim.random);
        const asker = sim.nodes[sim.pick(1000)]!;
        const found = (await sim.run(asker.findNode(target))).map((p) => p.id);
        const truth = ids.filter((id) => idToHex(id) !== asker.id)
          .sort((a, b) => compareDistance(target, a, b)).slice(0, 20).map(idToHex);
        if (JSON.stringify(found) === JSON.stringify(truth)) exact++;
      }
      assert.ok(exact / trials >= 0.99, `true 20 closest in ${exact} of ${trials} lookups`);
    } finally {
      await sim.close();
    }
  });
});
