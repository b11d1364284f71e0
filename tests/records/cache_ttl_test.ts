// The distance-based TTL of cached copies: the formula with exact numbers, how Records applies
// it to a cached store, and on a built network, the copy a findValue caches outside the k
// closest expires exactly when the formula says.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EXPIRE_SWEEP_INTERVAL_MS } from "../../src/constants.ts";
import { compareDistance, hashKey, idFromHex } from "../../src/id/node_id.ts";
import {
  cachedLifetime,
  cacheTtlMs,
  countCloser,
  halvingsToFloor,
} from "../../src/records/cache_ttl.ts";
import { MemoryStorage } from "../../src/records/memory_storage.ts";
import { Records } from "../../src/records/records.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { createSim } from "../_helpers/sim.ts";

const TTL = 86_410_000;
const FLOOR = 600_000;

function id(firstByte: number): Uint8Array {
  const out = new Uint8Array(20);
  out[0] = firstByte;
  return out;
}

function contact(firstByte: number): { id: Uint8Array } {
  return { id: id(firstByte) };
}

describe("cacheTtlMs", () => {
  it("halves the full TTL once per closer node, down to the floor", () => {
    assert.equal(cacheTtlMs(TTL, 0, FLOOR), 86_410_000);
    assert.equal(cacheTtlMs(TTL, 1, FLOOR), 43_205_000);
    assert.equal(cacheTtlMs(TTL, 3, FLOOR), 10_801_250);
    assert.equal(cacheTtlMs(TTL, 5, FLOOR), 2_700_312); // 2,700,312.5 rounded down
    assert.equal(cacheTtlMs(TTL, 7, FLOOR), 675_078); // 675,078.125
    assert.equal(cacheTtlMs(TTL, 8, FLOOR), 600_000); // 337,539 is below the floor
    assert.equal(cacheTtlMs(TTL, 20, FLOOR), 600_000);
    assert.equal(cacheTtlMs(3_600_000, 2, 0), 900_000);
    assert.equal(cacheTtlMs(3_600_000, 40, 0), 0);
  });

  it("knows how many closer nodes can still matter", () => {
    assert.equal(halvingsToFloor(TTL, FLOOR), 8);
    assert.equal(halvingsToFloor(1_200_000, FLOOR), 1);
    assert.equal(halvingsToFloor(FLOOR, FLOOR), 0);
    assert.equal(halvingsToFloor(3_600_000, 0), 22); // floor(3.6e6 / 2^22) = 0
  });

  it("counts the known nodes closer to the key than the caching node", () => {
    const key = id(0x00);
    const self = id(0x10);
    const known = [0x01, 0x02, 0x0f, 0x11, 0x80].map(contact);
    assert.equal(countCloser(known, key, self), 3);
    assert.equal(countCloser([], key, self), 0);
    assert.equal(countCloser([contact(0x20)], key, self), 0);
  });

  it("asks the table for only as many contacts as can shorten the TTL", () => {
    const asked: number[] = [];
    const known = Array.from({ length: 30 }, (_, i) => contact(i + 1)); // all closer to 0x00
    const lifetime = cachedLifetime(
      (_key, count) => {
        asked.push(count);
        return known.slice(0, count);
      },
      () => id(0xff),
      FLOOR,
    );
    assert.equal(lifetime(id(0), TTL), 600_000);
    assert.equal(lifetime(id(0), 2_400_000), 600_000); // 2 halvings reach the floor
    assert.equal(lifetime(id(0), 600_000), 600_000); // at the floor already: nothing asked
    assert.deepEqual(asked, [8, 2]);
  });
});

describe("Records: a cached store", () => {
  const clock = new VirtualClock();
  const make = () => {
    const storage = new MemoryStorage();
    storage.open(id(0xff));
    const records = new Records({
      storage,
      clock,
      maxValueSize: 100,
      recordTtlMs: TTL,
      cachedLifetime: (_key, ttlMs) => cacheTtlMs(ttlMs, 3, FLOOR),
    });
    return { storage, records };
  };

  it("gets the distance-based lifetime, never past the record's own expiry", () => {
    const { storage, records } = make();
    const now = clock.wallTime();
    const key = id(1);
    const outcome = records.accept({ key, value: "v", publishedAt: now, ttlMs: TTL, cached: true });
    assert.equal(outcome.stored, true);
    assert.equal(storage.get(key)!.expiresAt, now + 10_801_250);
    assert.equal(storage.get(key)!.cached, true);
    // Published 23 h ago: 1 h 10 s of life is left, less than the cache lifetime.
    const old = id(2);
    records.accept({ key: old, value: "v", publishedAt: now - 82_800_000, cached: true });
    assert.equal(storage.get(old)!.expiresAt, now - 82_800_000 + TTL);
  });

  it("gets the record's full life back when a replica of it arrives", () => {
    const { storage, records } = make();
    const now = clock.wallTime();
    const key = id(3);
    records.accept({ key, value: "v", publishedAt: now, cached: true });
    records.accept({ key, value: "v", publishedAt: now });
    assert.equal(storage.get(key)!.cached, false);
    assert.equal(storage.get(key)!.expiresAt, now + TTL);
  });

  it("a replica stays a replica, with its expiry, when a cache copy of it arrives", () => {
    const { storage, records } = make();
    const now = clock.wallTime();
    const key = id(4);
    records.accept({ key, value: "v", publishedAt: now });
    records.accept({ key, value: "v", publishedAt: now, cached: true });
    assert.equal(storage.get(key)!.cached, false);
    assert.equal(storage.get(key)!.expiresAt, now + TTL);
  });
});

describe("a copy cached by findValue on a built network", () => {
  it("expires after the full TTL halved per closer node the caching node knows", async () => {
    const k = 4;
    const sim = await createSim({
      size: 60,
      seed: 61,
      bootstrapFrom: 3,
      node: { k, republishIntervalMs: 0, replicateIntervalMs: 0, refreshIntervalMs: 0 },
    });
    try {
      const key = "cache me";
      const target = hashKey(key);
      const ids = sim.nodes.map((node) => idFromHex(node.id));
      const byDistance = [...ids.keys()].sort((a, b) => compareDistance(target, ids[a]!, ids[b]!));
      // The publisher and the reader are far from the key, so the value travels.
      const publisher = sim.nodes[byDistance.at(-1)!]!;
      const reader = sim.nodes[byDistance.at(-2)!]!;
      const set = await sim.run(publisher.set(key, "cached value"));
      assert.equal(set.storedOn.length, k);
      const found = await sim.run(reader.findValue(key));
      assert.equal(found.value, "cached value");
      await sim.clock.advance(1000); // the cache store is sent after the read returns
      const cachedAt = sim.clock.wallTime() - 1000;
      const cachers = sim.storages.flatMap((storage, i) => {
        const record = storage.get(target);
        return record?.cached ? [{ i, record }] : [];
      });
      assert.equal(cachers.length, 1, "one node cached a copy");
      const { i, record } = cachers[0]!;
      const cacher = sim.nodes[i]!;
      const closer = cacher.peers()
        .filter((peer) => compareDistance(target, idFromHex(peer.id), ids[i]!) < 0).length;
      assert.ok(closer >= k, `the cacher knows ${closer} nodes nearer, so it is outside the k`);
      const lifetime = cacheTtlMs(TTL, closer, FLOOR);
      assert.ok(lifetime < TTL);
      assert.equal(
        record.expiresAt - record.receivedAt,
        lifetime,
        `expires ${record.expiresAt - record.receivedAt} ms after caching, formula ${lifetime}`,
      );
      assert.ok(Math.abs(record.receivedAt - cachedAt) <= 1000, "cached by that read");
      // Held until then, swept by the next expiry sweep (every 10 minutes) after.
      await sim.clock.advance(record.expiresAt - sim.clock.wallTime() - 1);
      assert.ok(sim.storages[i]!.get(target), "still held a millisecond before");
      await sim.clock.advance(EXPIRE_SWEEP_INTERVAL_MS + 2);
      assert.equal(sim.storages[i]!.get(target), undefined, "swept once expired");
      const again = await sim.run(reader.findValue(key));
      assert.equal(again.value, "cached value", "the replicas still serve it");
    } finally {
      await sim.close();
    }
  });
});
