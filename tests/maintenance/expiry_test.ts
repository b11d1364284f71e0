// Record lifetimes on a memory network with virtual time: a value expires at its TTL and not
// before, a per-record TTL is honoured, a value whose publisher is gone expires recordTtlMs
// after its last publication however often its holders re-store it, and a publisher that
// stays republishes its values past their TTL without overwriting a later write.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EXPIRE_SWEEP_INTERVAL_MS } from "../../src/constants.ts";
import { compareDistance, hashKey, idFromHex } from "../../src/id/node_id.ts";
import { createSim, type Sim } from "../_helpers/sim.ts";

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Reads `key` from the network (not from any node's own copy) at a random non-excluded node. */
async function readFrom(sim: Sim, key: string, exclude: number[] = []): Promise<unknown> {
  const readers = sim.nodes.map((_, i) => i).filter((i) => !exclude.includes(i));
  const reader = sim.nodes[readers[sim.pick(readers.length)]!]!;
  return (await sim.run(reader.findValue(key))).value;
}

function holders(sim: Sim, key: string): number {
  const target = hashKey(key);
  return sim.storages.filter((storage) => storage.get(target) !== undefined).length;
}

/** Index of the node farthest from the key (so it is no replica holder). */
function farthest(sim: Sim, key: string): number {
  const target = hashKey(key);
  const ids = sim.nodes.map((node) => idFromHex(node.id));
  return [...ids.keys()].sort((a, b) => compareDistance(target, ids[b]!, ids[a]!))[0]!;
}

describe("record expiry", () => {
  it("a value set with ttlMs expires at that TTL and not before, even at its publisher", async () => {
    const sim = await createSim({ size: 30, seed: 3, bootstrapFrom: 2, node: { k: 5 } });
    try {
      const publisher = sim.nodes[farthest(sim, "short")]!;
      const started = sim.clock.now();
      await sim.run(publisher.set("short", "lives 3 h", { ttlMs: 3 * HOUR }));
      await sim.clock.advance(started + 3 * HOUR - 1000 - sim.clock.now());
      assert.equal(await readFrom(sim, "short"), "lives 3 h", "one second before its TTL");
      assert.equal(await sim.run(publisher.get("short")), "lives 3 h");
      await sim.clock.advance(started + 3 * HOUR + 1000 - sim.clock.now());
      assert.equal(await readFrom(sim, "short"), undefined, "one second after its TTL");
      assert.equal(await sim.run(publisher.get("short")), undefined, "the publisher's copy too");
      await sim.clock.advance(EXPIRE_SWEEP_INTERVAL_MS);
      assert.equal(holders(sim, "short"), 0, "swept from every store");
      // A TTL shorter than the republish interval is never republished (it would outlive it).
      assert.equal(publisher.stats().maintenance.republished, 0);
    } finally {
      await sim.close();
    }
  });

  it("a value set without ttlMs lives recordTtlMs", async () => {
    const sim = await createSim({
      size: 20,
      seed: 4,
      node: { k: 4, recordTtlMs: 2 * HOUR, republishIntervalMs: 0 },
    });
    try {
      const started = sim.clock.now();
      await sim.run(sim.nodes[5]!.set("default ttl", "2 h"));
      await sim.clock.advance(started + 2 * HOUR - 1000 - sim.clock.now());
      assert.equal(await readFrom(sim, "default ttl", [5]), "2 h");
      await sim.clock.advance(2000);
      assert.equal(await readFrom(sim, "default ttl", [5]), undefined);
    } finally {
      await sim.close();
    }
  });

  it("a publisher-less value expires recordTtlMs after its publication although holders re-store it", async () => {
    const sim = await createSim({
      size: 30,
      seed: 5,
      bootstrapFrom: 2,
      node: { k: 5, recordTtlMs: 3 * HOUR, replicateIntervalMs: 10 * MINUTE },
    });
    try {
      const index = farthest(sim, "orphan");
      const started = sim.clock.now();
      const startedWall = sim.clock.wallTime();
      const set = await sim.run(sim.nodes[index]!.set("orphan", "no publisher"));
      assert.equal(set.storedOn.length, 5);
      await sim.run(sim.nodes[index]!.close()); // the publisher is gone
      await sim.clock.advance(started + 3 * HOUR - MINUTE - sim.clock.now());
      const restored = sim.nodes.reduce((n, node) => n + node.stats().maintenance.restored, 0);
      assert.ok(restored >= 5, `holders re-stored it ${restored} times`);
      assert.equal(await readFrom(sim, "orphan", [index]), "no publisher", "a minute before");
      // Every copy still carries the one publication and its expiry: re-stores moved neither.
      const target = hashKey("orphan");
      const copies = sim.storages.flatMap((storage) => storage.get(target) ?? []);
      assert.ok(copies.length >= 5, `${copies.length} copies`);
      for (const copy of copies) {
        assert.ok(Math.abs(copy.publishedAt - startedWall) <= 1000);
        assert.equal(copy.publishedAt, copies[0]!.publishedAt);
        assert.equal(copy.expiresAt, copy.publishedAt + 3 * HOUR);
      }
      await sim.clock.advance(2 * MINUTE);
      assert.equal(await readFrom(sim, "orphan", [index]), undefined, "a minute after");
      await sim.clock.advance(EXPIRE_SWEEP_INTERVAL_MS);
      sim.storages.splice(index, 1); // the closed publisher's store sweeps nothing
      assert.equal(holders(sim, "orphan"), 0);
    } finally {
      await sim.close();
    }
  });
});

describe("republish by the original publisher", () => {
  it("keeps a value alive for as long as its publisher runs", async () => {
    const sim = await createSim({
      size: 30,
      seed: 6,
      bootstrapFrom: 2,
      node: { k: 5, recordTtlMs: 2 * HOUR },
    });
    try {
      const index = farthest(sim, "kept");
      const publisher = sim.nodes[index]!;
      await sim.run(publisher.set("kept", "alive"));
      await sim.clock.advance(10 * HOUR);
      assert.equal(await readFrom(sim, "kept", [index]), "alive", "five TTLs later");
      const republished = publisher.stats().maintenance.republished;
      assert.ok(republished >= 5, `republished ${republished} times`);
      const target = hashKey("kept");
      const now = sim.clock.wallTime();
      for (const storage of sim.storages) {
        const record = storage.get(target);
        if (record) assert.ok(record.expiresAt > now, "no holder keeps an expired copy");
      }
    } finally {
      await sim.close();
    }
  });

  it("adopts a later write of its key instead of overwriting it", async () => {
    const sim = await createSim({
      size: 30,
      seed: 7,
      bootstrapFrom: 2,
      node: { k: 5, recordTtlMs: 2 * HOUR },
    });
    try {
      const key = "contested";
      const first = farthest(sim, key);
      const second = (first + 1) % sim.nodes.length;
      await sim.run(sim.nodes[first]!.set(key, "first write"));
      await sim.clock.advance(MINUTE);
      await sim.run(sim.nodes[second]!.set(key, "second write"));
      // The first writer holds its own copy still: it is not among the k closest.
      assert.equal(sim.storages[first]!.get(hashKey(key))?.value, "first write");
      // Its republish falls due before 2 h (the TTL): it finds the later write and adopts it.
      await sim.clock.advance(2 * HOUR);
      assert.equal(sim.nodes[first]!.stats().maintenance.superseded, 1);
      assert.equal(sim.nodes[first]!.stats().maintenance.republished, 0);
      const held = sim.storages[first]!.get(hashKey(key));
      assert.equal(held?.value, "second write", "the first writer adopted the later write");
      assert.equal(held?.local, false, "and stopped publishing");
      await sim.clock.advance(4 * HOUR);
      assert.equal(await readFrom(sim, key, [first, second]), "second write");
      const stale = sim.storages.filter((s) => s.get(hashKey(key))?.value === "first write");
      assert.equal(stale.length, 0, "nobody holds the first write any more");
    } finally {
      await sim.close();
    }
  });
});
