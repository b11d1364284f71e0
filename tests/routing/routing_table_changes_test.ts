// RoutingTable's onAdded/onRemoved: told of every contact entering or leaving the buckets,
// including replacements promoted after a removal or a split, so a listener's own set of
// contacts always equals the table's.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { idToHex, randomId } from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";
import { RoutingTable } from "../../src/routing/routing_table.ts";

describe("RoutingTable change listeners", () => {
  it("the listener's set equals the table through inserts, splits, failures and removals", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = new SeededRandom(seed);
      const mirror = new Set<string>();
      let added = 0;
      let removed = 0;
      const table = new RoutingTable(randomId(random), {
        k: 3,
        replacementCacheSize: 2,
        onAdded: (contact) => {
          const id = idToHex(contact.id);
          assert.ok(!mirror.has(id), `added twice: ${id}`);
          mirror.add(id);
          added++;
        },
        onRemoved: (contact) => {
          const id = idToHex(contact.id);
          assert.ok(mirror.delete(id), `removed but never added: ${id}`);
          removed++;
        },
      });
      const known: Uint8Array[] = [];
      let now = 0;
      for (let step = 0; step < 2000; step++) {
        now += 1000;
        const roll = random.float();
        if (roll < 0.6 || known.length === 0) {
          const id = randomId(random);
          known.push(id);
          const result = table.observe(id, "127.0.0.1", 1000 + (step % 60000), now);
          // Settle a ping-before-evict either way, as the keeper would.
          if (result.kind === "full") {
            if (random.float() < 0.5) table.recordFailure(result.pingFirst.id);
            else table.recordReply(result.pingFirst.id, now, 5);
          }
        } else if (roll < 0.85) {
          table.recordFailure(known[Math.floor(random.float() * known.length)]!);
        } else {
          table.remove(known[Math.floor(random.float() * known.length)]!);
        }
        assert.equal(mirror.size, table.size, `seed ${seed} step ${step}`);
      }
      assert.deepEqual(new Set(table.contacts().map((c) => idToHex(c.id))), mirror);
      assert.ok(added > 50 && removed > 20, `seed ${seed}: added ${added}, removed ${removed}`);
    }
  });
});
