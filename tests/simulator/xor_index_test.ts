// The ground truth of the simulator: XorIndex.closest agrees with sorting every id by XOR
// distance, for random sets, targets and counts, with ids added and removed.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SeededRandom, XorIndex } from "../../testing.ts";
import { compareDistance, idToHex, randomId } from "../../src/id/node_id.ts";

describe("XorIndex", () => {
  it("closest matches a brute-force sort by XOR distance", () => {
    const random = new SeededRandom(21);
    for (let round = 0; round < 30; round++) {
      const index = new XorIndex();
      let ids: Uint8Array[] = [];
      const n = 1 + Math.floor(random.float() * 400);
      for (let i = 0; i < n; i++) {
        // Some ids share long prefixes, where a narrowing bug would show.
        const id = i % 5 === 0 && ids.length > 0 ? ids[ids.length - 1]!.slice() : randomId(random);
        if (i % 5 === 0) id[19] = Math.floor(random.float() * 256);
        if (index.add(id)) ids.push(id);
      }
      for (const id of ids.filter((_, i) => i % 7 === 0)) assert.ok(index.remove(id));
      ids = ids.filter((_, i) => i % 7 !== 0);
      assert.equal(index.size, ids.length);
      const target = random.float() < 0.3 && ids.length > 0 ? ids[0]! : randomId(random);
      const count = 1 + Math.floor(random.float() * 25);
      const exclude = random.float() < 0.5 ? ids[1] : undefined;
      const expected = ids
        .filter((id) => exclude === undefined || idToHex(id) !== idToHex(exclude))
        .sort((a, b) => compareDistance(target, a, b))
        .slice(0, count);
      assert.deepEqual(index.closest(target, count, exclude).map(idToHex), expected.map(idToHex));
    }
  });

  it("add refuses a duplicate and remove an absent id", () => {
    const index = new XorIndex();
    const id = new Uint8Array(20).fill(7);
    assert.equal(index.add(id), true);
    assert.equal(index.add(id.slice()), false);
    assert.equal(index.remove(new Uint8Array(20)), false);
    assert.equal(index.size, 1);
  });
});
