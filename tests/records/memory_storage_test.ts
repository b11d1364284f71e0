// MemoryStorage: the storage conformance suite, and its O(log n) claim tested by what a put
// touches and by a large run checked against an oracle (never by the clock).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { idToHex, xorBytes } from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";
import { MemoryStorage } from "../../src/records/memory_storage.ts";
import type { StoredRecord } from "../../src/records/record.ts";
import { LOCAL_ID, makeRecord, storageSuite } from "../_suites/storage_suite.ts";

storageSuite("MemoryStorage", (options) => new MemoryStorage(options));

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

describe("MemoryStorage: cost", () => {
  it("a put into a full store of 20,000 reads none of the records it holds", () => {
    // Records whose every field read is counted once the store holds them: a put that scanned
    // the held records (the way to find the farthest without an index) would read thousands.
    let reads = 0;
    const held = new WeakSet<object>();
    const counted = (record: StoredRecord): StoredRecord =>
      new Proxy(record, {
        get(target, property, receiver) {
          if (held.has(target)) reads++;
          return Reflect.get(target, property, receiver);
        },
      });
    const random = new SeededRandom(11);
    const storage = new MemoryStorage({ maxRecords: 20_000 });
    storage.open(LOCAL_ID);
    const put = (record: StoredRecord): void => {
      const target = { ...record };
      if (storage.put(counted(target)).stored) held.add(target);
    };
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 20_000; i++) {
      const key = random.fill(new Uint8Array(20));
      keys.push(key);
      put(makeRecord(key, "v"));
    }
    assert.equal(storage.size, 20_000);
    reads = 0;
    const results = { stored: 0, refused: 0, evictions: storage.stats().evictions };
    for (let i = 0; i < 1_000; i++) {
      // Replacements, new keys farther than any held (refused), and random new keys (nearly
      // all nearer than the farthest held, so they evict).
      const far = new Uint8Array(20).fill(0xff);
      far[19] = i & 0xff;
      const key = i % 5 === 0
        ? keys[Math.floor(random.float() * keys.length)]!
        : i % 5 === 1
        ? xorBytes(LOCAL_ID, far)
        : random.fill(new Uint8Array(20));
      const record = counted(makeRecord(key, "w", { local: i % 50 === 0 }));
      const result = storage.put(record);
      if (result.stored) results.stored++;
      else results.refused++;
    }
    assert.ok(results.stored > 100 && results.refused > 100, JSON.stringify(results));
    assert.ok(storage.stats().evictions - results.evictions > 100, "the run evicted");
    assert.ok(reads <= 1_000, `1,000 puts read ${reads} fields of held records`);
  });

  it("100,000 puts into a full store keep exactly the nearest records, with exact counters", () => {
    const random = new SeededRandom(5);
    const capacity = 1_000;
    const storage = new MemoryStorage({ maxRecords: capacity });
    storage.open(LOCAL_ID);
    const offered: Uint8Array[] = [];
    let stored = 0;
    let evicted = 0;
    for (let i = 0; i < 101_000; i++) {
      const key = random.fill(new Uint8Array(20));
      offered.push(key);
      const result = storage.put(makeRecord(key, "v"));
      if (result.stored) {
        stored++;
        evicted += result.evicted;
      } else assert.equal(result.reason, "full");
    }
    const nearest = offered
      .map((key) => ({ key, distance: xorBytes(key, LOCAL_ID) }))
      .sort((a, b) => compareBytes(a.distance, b.distance))
      .slice(0, capacity)
      .map(({ key }) => idToHex(key))
      .sort();
    const held = [...storage.records()].map((r) => idToHex(r.key)).sort();
    assert.deepEqual(held, nearest);
    const stats = storage.stats();
    assert.equal(stats.records, capacity);
    assert.equal(stats.evictions, evicted);
    assert.equal(stored - evicted, capacity);
    assert.equal(stats.refusals.full, 101_000 - stored);
  });
});
