// Whole networks of KademliaNodes on the memory network with virtual time. k stays well below
// the network size, so values live on a few nodes and most gets must travel: the tests count
// the gets answered by find_value on nodes that never received a store.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compareDistance, hashKey, idFromHex, idToHex, randomId } from "../../src/id/node_id.ts";
import { createSim, type Sim } from "../_helpers/sim.ts";

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
}

/** Indexes of the nodes holding a record for `key`. */
function holders(sim: Sim, key: string): Set<number> {
  const target = hashKey(key);
  const held = new Set<number>();
  sim.storages.forEach((storage, i) => storage.get(target) && held.add(i));
  return held;
}

/** The ids of the `k` nodes closest to `key`, from all the network's ids. */
function trueClosest(sim: Sim, key: string, k: number): Set<string> {
  const target = hashKey(key);
  return new Set(
    sim.nodes.map((n) => idFromHex(n.id)).sort((a, b) => compareDistance(target, a, b))
      .slice(0, k).map(idToHex),
  );
}

for (const [size, k] of [[2, 20], [5, 2], [100, 5]] as const) {
  describe(`a ${size}-node memory network, k = ${k}`, () => {
    it("stores each value on the k closest and finds it from every node", async () => {
      const sim = await createSim({ size, seed: size, node: { k } });
      try {
        let travelled = 0;
        for (let i = 0; i < 5; i++) {
          const key = `key-${i}`;
          const setterIndex = sim.pick(size);
          const setter = sim.nodes[setterIndex]!;
          const value = i % 2 === 0 ? `text value ${i} ✓` : bytes(40 + i, i);
          const result = await sim.run(setter.set(key, value));
          assert.equal(result.storedLocally, true);
          assert.deepEqual(result.failed, []);
          const expected = Math.min(size - 1, k);
          assert.equal(result.storedOn.length, expected, "stored on the k closest");
          const closest = trueClosest(sim, key, k + 1);
          closest.delete(setter.id);
          for (const peer of result.storedOn) assert.ok(closest.has(peer.id), "a true closest");
          const before = holders(sim, key);
          assert.equal(before.size, expected + 1, "the replicas and the publisher hold it");
          for (const [index, getter] of sim.nodes.entries()) {
            if (getter === setter) continue;
            if (!before.has(index)) travelled++;
            const got = await sim.run(getter.get(key));
            assert.deepEqual(got, value, `node ${getter.id} got ${String(got)} for ${key}`);
          }
        }
        if (size > k + 1) {
          assert.ok(travelled >= 5 * (size - k - 2), `gets answered by find_value: ${travelled}`);
        }
      } finally {
        await sim.close();
      }
    });
  });
}

describe("a 1,000-node memory network", () => {
  it("finds values from nodes that hold none, and the true 20 closest for ≥ 99 % of targets", async () => {
    const sim = await createSim({ size: 1000, seed: 1000, bootstrapFrom: 3 });
    try {
      const ids = sim.nodes.map((node) => idFromHex(node.id));
      let travelled = 0;
      for (let i = 0; i < 5; i++) {
        const setter = sim.nodes[sim.pick(1000)]!;
        const value = i % 2 ? `value-${i}` : bytes(64, i);
        await sim.run(setter.set(`big-${i}`, value));
        const held = holders(sim, `big-${i}`);
        for (let j = 0; j < 40; j++) {
          const index = sim.pick(1000);
          if (!held.has(index)) travelled++;
          assert.deepEqual(await sim.run(sim.nodes[index]!.get(`big-${i}`)), value);
        }
      }
      assert.ok(travelled >= 150, `gets from nodes holding no copy: ${travelled} of 200`);
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

/** The find_node queries of each lookup `asker` finishes while `run` runs, in order. */
async function findNodeCosts(
  sim: Sim,
  asker: Sim["nodes"][number],
  run: () => Promise<unknown>,
): Promise<number[]> {
  const costs: number[] = [];
  const listener = (event: { method: string; queries: number }) => {
    if (event.method === "find_node") costs.push(event.queries);
  };
  asker.addEventListener("lookup-finished", listener);
  try {
    await sim.run(run());
  } finally {
    asker.removeEventListener("lookup-finished", listener);
  }
  return costs;
}

/** The ids of the 20 nodes of `live` nearest `target`, `asker` left out, nearest first. */
function nearestOf(target: Uint8Array, asker: string, live: Iterable<string>): string[] {
  return [...live].filter((id) => id !== asker).map(idFromHex)
    .sort((a, b) => compareDistance(target, a, b)).slice(0, 20).map(idToHex);
}

const sum = (costs: number[]) => costs.reduce((a, b) => a + b, 0);

describe("findNode's stop rule", () => {
  it("asks about a third as many nodes as askAll for the same true 20 closest; askAll returns only live ones", async () => {
    const sim = await createSim({ size: 400, seed: 400, bootstrapFrom: 3 });
    try {
      const everyone = new Set(sim.nodes.map((n) => n.id));
      let beta = 0;
      let all = 0;
      let exact = 0;
      const trials = 30;
      for (let i = 0; i < trials; i++) {
        const target = randomId(sim.random);
        const asker = sim.nodes[sim.pick(400)]!;
        let found: string[] = [];
        beta += sum(
          await findNodeCosts(sim, asker, async () => {
            found = (await asker.findNode(target)).map((p) => p.id);
          }),
        );
        all += sum(await findNodeCosts(sim, asker, () => asker.findNode(target, { askAll: true })));
        if (JSON.stringify(found) === JSON.stringify(nearestOf(target, asker.id, everyone))) {
          exact++;
        }
      }
      assert.ok(exact >= trials - 1, `true 20 closest in ${exact} of ${trials}`);
      assert.ok(beta * 2 < all, `${beta} queries against ${all} asking all`);

      // A tenth of the network leaves without a word: the others still name it for a while.
      const gone = new Set<string>();
      for (const node of sim.nodes.slice(300, 340)) {
        gone.add(node.id);
        await node.close();
      }
      const live = new Set([...everyone].filter((id) => !gone.has(id)));
      for (let i = 0; i < 20; i++) {
        const target = randomId(sim.random);
        const asker = sim.nodes[sim.pick(300)]!;
        const peers = await sim.run(asker.findNode(target, { askAll: true }));
        assert.ok(peers.every((p) => live.has(p.id)), "askAll returns only nodes that answered");
        assert.equal(peers.length, 20);
      }
    } finally {
      await sim.close();
    }
  });
  it("with disjointPaths, finds the true 20 closest at about that many times the queries", async () => {
    const sim = await createSim({ size: 200, seed: 201, bootstrapFrom: 3 });
    try {
      let exact = 0;
      let one = 0;
      let three = 0;
      const trials = 15;
      for (let i = 0; i < trials; i++) {
        const target = randomId(sim.random);
        const asker = sim.nodes[sim.pick(200)]!;
        const truth = nearestOf(target, asker.id, sim.nodes.map((n) => n.id));
        let found: string[] = [];
        const costs = await findNodeCosts(sim, asker, async () => {
          await asker.findNode(target);
          found = (await asker.findNode(target, { disjointPaths: 3 })).map((p) => p.id);
        });
        assert.equal(costs.length, 2, "three paths report as one lookup");
        one += costs[0]!;
        three += costs[1]!;
        if (JSON.stringify(found) === JSON.stringify(truth)) exact++;
      }
      assert.ok(exact >= trials - 1, `true 20 closest in ${exact} of ${trials}`);
      assert.ok(three > 1.5 * one && three < 5 * one, `${three} queries against ${one}`);
      await assert.rejects(
        sim.nodes[0]!.findNode(randomId(sim.random), { disjointPaths: 0 }),
        RangeError,
      );
      await assert.rejects(
        sim.nodes[0]!.findNode(randomId(sim.random), { disjointPaths: 21 }),
        /from 1 to k \(20\), got 21/,
      );
    } finally {
      await sim.close();
    }
  });
});
