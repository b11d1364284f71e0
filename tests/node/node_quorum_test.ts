// Quorum reads with entry correction on memory networks, in both codecs: some of the k closest
// hold an outdated value (or none, or an invalid one); get returns the best and afterwards they
// hold it too; getRecord reports agreement, the peers asked and corrected, and a quorum shortfall.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type QueryEvent, queryEvents } from "../../mod.ts";
import { compareDistance, hashKey, idFromHex, idToHex } from "../../src/id/node_id.ts";
import type { StoredRecord } from "../../src/records/record.ts";
import { createSim, type Sim } from "../_helpers/sim.ts";
import { versioned } from "../_helpers/validators.ts";

/** Indexes of the `k` nodes closest to `key`, leaving out `except`. */
function closestIndexes(sim: Sim, key: string, k: number, except: number): number[] {
  const target = hashKey(key);
  return sim.nodes.map((node, index) => ({ id: idFromHex(node.id), index }))
    .filter(({ index }) => index !== except)
    .sort((a, b) => compareDistance(target, a.id, b.id)).slice(0, k).map(({ index }) => index);
}

/** Overwrites what node `index` holds under `key` (as if it missed the latest writes). */
function plant(sim: Sim, index: number, key: string, value: string | undefined, at: number): void {
  const storage = sim.storages[index]!;
  const target = hashKey(key);
  if (value === undefined) {
    storage.delete(target);
    return;
  }
  const record: StoredRecord = {
    key: target,
    value,
    publishedAt: at,
    expiresAt: at + 3_600_000,
    local: false,
    receivedAt: at,
    ...(key.startsWith("/") ? { name: key } : {}),
  };
  storage.put(record);
}

const valueAt = (sim: Sim, index: number, key: string) =>
  sim.storages[index]!.get(hashKey(key))?.value;

for (const serialization of ["bencode", "json"] as const) {
  describe(`quorum reads on a memory network (${serialization})`, () => {
    it("returns the newest over outdated copies among the k closest, and corrects them", async () => {
      const k = 8;
      const sim = await createSim({ size: 40, seed: 21, node: { k, serialization } });
      try {
        const key = "profile";
        const reader = 39;
        const closest = closestIndexes(sim, key, k, reader);
        const old = sim.clock.wallTime();
        await sim.clock.advance(60_000);
        const setter = sim.nodes[closest[0]!]!;
        await sim.run(setter.set(key, "new"));
        const stale = closest.slice(2, 5);
        for (const index of stale) plant(sim, index, key, "old", old);
        const empty = closest[6]!;
        plant(sim, empty, key, undefined, 0);

        const detail = await sim.run(sim.nodes[reader]!.getRecord(key, { quorum: k }));
        assert.equal(detail.value, "new");
        assert.equal(detail.quorum, k);
        assert.equal(detail.holders, k - 1, "every node holding a copy answered");
        assert.equal(detail.agreed, k - 1 - stale.length);
        assert.equal(
          detail.quorumMet,
          false,
          "one of the k had nothing: 7 values for a quorum of 8",
        );
        assert.ok(detail.asked >= k && detail.answered >= k, `${detail.asked} asked`);
        const corrected = detail.corrected.map((peer) =>
          sim.nodes.findIndex((n) => n.id === peer.id)
        );
        assert.deepEqual(corrected.sort(), [...stale, empty].sort());
        assert.deepEqual(detail.refreshed, [], "the walk asked all of the k closest");
        for (const index of closest) assert.equal(valueAt(sim, index, key), "new", `node ${index}`);
        // Now they agree: a second read corrects nobody and meets the quorum.
        const again = await sim.run(sim.nodes[reader]!.getRecord(key, { quorum: k }));
        assert.equal(again.agreed, k);
        assert.equal(again.quorumMet, true);
        assert.deepEqual(again.corrected, []);
      } finally {
        await sim.close();
      }
    });

    it("get with a quorum of 3 returns the newest and leaves the outdated holders corrected", async () => {
      const k = 8;
      const sim = await createSim({ size: 60, seed: 26, node: { k, serialization } });
      try {
        const key = "small-quorum";
        const reader = 59;
        const closest = closestIndexes(sim, key, k, reader);
        const old = sim.clock.wallTime();
        await sim.clock.advance(1000);
        await sim.run(sim.nodes[closest[0]!]!.set(key, "newest"));
        const stale = [closest[1]!, closest[3]!, closest[5]!];
        for (const index of stale) plant(sim, index, key, "outdated", old);
        assert.equal(await sim.run(sim.nodes[reader]!.get(key, { quorum: 3 })), "newest");
        for (const index of stale) {
          assert.equal(valueAt(sim, index, key), "newest", `node ${index}`);
        }
        // Again, seen through getRecord: the quorum stops the walk, the answers disagree, so
        // the k closest it did not ask are sent the newest value too.
        for (const index of stale) plant(sim, index, key, "outdated", old);
        const detail = await sim.run(sim.nodes[reader]!.getRecord(key, { quorum: 3 }));
        assert.equal(detail.value, "newest");
        assert.equal(detail.quorumMet, true);
        assert.ok(detail.asked < k, `the quorum stopped the walk: ${detail.asked} asked`);
        assert.ok(detail.refreshed.length > 0, "some of the k closest were not asked");
        const sentTo = new Set([...detail.corrected, ...detail.refreshed].map((peer) => peer.id));
        for (const index of stale) {
          assert.ok(sentTo.has(sim.nodes[index]!.id), `node ${index} was sent the newest`);
          assert.equal(valueAt(sim, index, key), "newest", `node ${index}`);
        }
      } finally {
        await sim.close();
      }
    });

    it("get with a small quorum stops early yet still returns the newest value found", async () => {
      const sim = await createSim({ size: 40, seed: 22, node: { k: 8, serialization } });
      try {
        await sim.run(sim.nodes[5]!.set("early", "value"));
        const full = await sim.run(sim.nodes[30]!.getRecord("early"));
        const quick = await sim.run(sim.nodes[31]!.getRecord("early", { quorum: 2 }));
        assert.equal(quick.value, "value");
        assert.equal(quick.quorumMet, true);
        assert.ok(quick.holders >= 2);
        assert.ok(quick.asked < full.asked, `${quick.asked} asked, not ${full.asked}`);
        assert.deepEqual(quick.refreshed, [], "the answers agreed: nobody else is sent anything");
        assert.equal(await sim.run(sim.nodes[32]!.get("early", { quorum: 3 })), "value");
        const short = await sim.run(sim.nodes[33]!.getRecord("early", { quorum: 30 }));
        assert.equal(short.value, "value", "the best value even when the quorum is not met");
        assert.equal(short.quorumMet, false);
        assert.ok(short.holders < 30);
      } finally {
        await sim.close();
      }
    });

    it("picks by select for validated keys, drops invalid answers, and corrects both", async () => {
      const k = 6;
      const sim = await createSim({ size: 30, seed: 23, node: { k, serialization } });
      try {
        for (const node of sim.nodes) node.registerValidator("app", versioned);
        const key = "/app/config";
        const reader = 29;
        const closest = closestIndexes(sim, key, k, reader);
        await sim.run(sim.nodes[closest[0]!]!.set(key, "5:current"));
        await sim.clock.advance(60_000);
        // Published later, but a lower version: last writer wins would pick it; select must not.
        const later = sim.clock.wallTime();
        plant(sim, closest[1]!, key, "4:stale", later);
        plant(sim, closest[2]!, key, "not versioned", later);
        // findValue (network only, no correction) picks by select and skips the invalid too.
        const looked = await sim.run(sim.nodes[reader - 1]!.findValue(key));
        assert.equal(looked.value, "5:current");
        assert.equal(valueAt(sim, closest[1]!, key), "4:stale", "findValue corrects nobody");
        const events: QueryEvent[] = [];
        const detail = await sim.run(
          sim.nodes[reader]!.getRecord(key, { onEvent: (event) => events.push(event) }),
        );
        assert.equal(detail.value, "5:current");
        assert.equal(detail.invalid, 1);
        const invalidEvent = events.find((e) => e.type === "value" && !e.valid);
        assert.ok(invalidEvent && invalidEvent.type === "value");
        assert.match(invalidEvent.error!, /version/);
        assert.equal(invalidEvent.peer.id, sim.nodes[closest[2]!]!.id);
        const corrections = events.filter((e) => e.type === "write" && e.purpose === "correction");
        assert.equal(corrections.length, 2);
        for (const index of closest) {
          assert.equal(valueAt(sim, index, key), "5:current", `node ${index}`);
        }
      } finally {
        await sim.close();
      }
    });

    it("yields the read's events and then its result through queryEvents", async () => {
      const sim = await createSim({ size: 20, seed: 24, node: { k: 4, serialization } });
      try {
        await sim.run(sim.nodes[2]!.set("iterated", "yes"));
        const seen: string[] = [];
        let result;
        await sim.run((async () => {
          for await (
            const event of queryEvents((onEvent) =>
              sim.nodes[15]!.getRecord("iterated", { onEvent })
            )
          ) {
            seen.push(event.type);
            if (event.type === "done") result = event.result;
            if (event.type === "value") assert.equal(event.value, "yes");
          }
        })());
        assert.equal(seen.at(-1), "done");
        assert.equal(seen[0], "query");
        assert.ok(seen.includes("reply") && seen.includes("value"), seen.join());
        assert.equal((result as unknown as { value: string }).value, "yes");
        // A failing operation rejects the iteration after its events.
        await sim.nodes[15]!.close();
        await assert.rejects(
          sim.run((async () => {
            for await (
              const _ of queryEvents((onEvent) => sim.nodes[15]!.getRecord("x", { onEvent }))
            ) { /* drain */ }
          })()),
          /node is closed/,
        );
      } finally {
        await sim.close();
      }
    });
  });
}

describe("quorum reads and this node's own copy", () => {
  it("replaces an older local copy, and sends its own newer copy to the k closest", async () => {
    const k = 5;
    const sim = await createSim({ size: 25, seed: 25, node: { k } });
    try {
      const key = "mine";
      const reader = 20;
      const closest = closestIndexes(sim, key, k, reader);
      const old = sim.clock.wallTime();
      await sim.clock.advance(1000);
      await sim.run(sim.nodes[closest[0]!]!.set(key, "network"));
      plant(sim, reader, key, "local-old", old);
      assert.equal(await sim.run(sim.nodes[reader]!.get(key)), "network");
      assert.equal(valueAt(sim, reader, key), "network", "the local copy gave way");
      await sim.clock.advance(1000);
      plant(sim, reader, key, "local-newest", sim.clock.wallTime());
      const detail = await sim.run(sim.nodes[reader]!.getRecord(key));
      assert.equal(detail.value, "local-newest");
      assert.equal(detail.agreed, 0, "no peer had it");
      assert.equal(detail.corrected.length, k);
      for (const index of closest) assert.equal(valueAt(sim, index, key), "local-newest");
      assert.equal(idToHex(hashKey(key)).length, 40);
    } finally {
      await sim.close();
    }
  });
});
