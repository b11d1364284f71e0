/**
 * A brute-force model of the storage rules, the oracle the conformance suite compares every
 * store against: a plain map, and on every put a sort of all evictable records by distance.
 * Slow on purpose, so obviously right.
 *
 * @module
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { idToHex, xorDistance } from "../../src/id/node_id.ts";
import { type Random, SeededRandom } from "../../src/random.ts";
import type { StorageCapacityOptions } from "../../src/records/capacity.ts";
import { type StoredRecord, valueByteLength } from "../../src/records/record.ts";
import type { PutResult, Storage, StorageStats } from "../../src/records/storage.ts";
import { assertSameRecord, heldKeys, hexes, LOCAL_ID } from "./_storage_helpers.ts";

/** The storage rules, written as plainly as they are stated. */
export class StorageModel {
  readonly records = new Map<string, StoredRecord>();
  readonly stats: StorageStats = {
    records: 0,
    bytes: 0,
    evictions: 0,
    refusals: { full: 0, too_large: 0 },
    expired: 0,
  };
  #localId: Uint8Array = new Uint8Array(20);

  constructor(readonly maxRecords: number, readonly maxBytes: number) {}

  open(localId: Uint8Array): void {
    this.#localId = localId.slice();
  }

  put(record: StoredRecord): PutResult {
    const size = valueByteLength(record.value);
    if (size > this.maxBytes) {
      this.stats.refusals.too_large++;
      return { stored: false, reason: "too_large" };
    }
    const hex = idToHex(record.key);
    const old = this.records.get(hex);
    const distance = xorDistance(this.#localId, record.key);
    // Every evictable record but the one replaced, farthest first.
    const candidates = [...this.records.values()]
      .filter((r) => !r.local && idToHex(r.key) !== hex)
      .map((r) => ({ r, d: xorDistance(this.#localId, r.key) }))
      .sort((a, b) => (a.d < b.d ? 1 : a.d > b.d ? -1 : 0));
    let count = this.records.size + (old ? 0 : 1);
    let bytes = this.stats.bytes - (old ? valueByteLength(old.value) : 0) + size;
    const victims: StoredRecord[] = [];
    while (count > this.maxRecords || bytes > this.maxBytes) {
      const next = candidates[victims.length];
      if (!next || (!record.local && next.d < distance)) {
        this.stats.refusals.full++;
        return { stored: false, reason: "full" };
      }
      victims.push(next.r);
      count--;
      bytes -= valueByteLength(next.r.value);
    }
    for (const victim of victims) this.records.delete(idToHex(victim.key));
    this.records.set(hex, record);
    this.stats.evictions += victims.length;
    this.#recount();
    return { stored: true, evicted: victims.length };
  }

  delete(key: Uint8Array): boolean {
    const had = this.records.delete(idToHex(key));
    this.#recount();
    return had;
  }

  removeExpired(now: number): number {
    let removed = 0;
    for (const [hex, r] of this.records) {
      if (r.expiresAt <= now) {
        this.records.delete(hex);
        removed++;
      }
    }
    this.stats.expired += removed;
    this.#recount();
    return removed;
  }

  republishDue(before: number): string[] {
    return this.#keys((r) => r.local && r.publishedAt <= before);
  }

  replicateDue(before: number): string[] {
    return this.#keys((r) => !r.local && !r.cached && r.receivedAt <= before);
  }

  #keys(keep: (r: StoredRecord) => boolean): string[] {
    return [...this.records.values()].filter(keep).map((r) => idToHex(r.key)).sort();
  }

  #recount(): void {
    this.stats.records = this.records.size;
    let bytes = 0;
    for (const r of this.records.values()) bytes += valueByteLength(r.value);
    this.stats.bytes = bytes;
  }
}

const TEXT_PARTS = ["a", "é", "✓", "𝄞", "\u0000", "z"];

/**
 * A random record over a small pool of keys (so that replacements happen), with text values
 * of mixed UTF-8 widths and bytes values of random lengths.
 */
export function randomRecord(
  random: Random,
  keys: readonly Uint8Array[],
  maxSize: number,
): StoredRecord {
  const pick = (n: number): number => Math.floor(random.float() * n);
  const key = keys[pick(keys.length)]!;
  const size = pick(maxSize + 1);
  let value: string | Uint8Array;
  if (random.float() < 0.5) {
    value = random.fill(new Uint8Array(size));
  } else {
    value = "";
    while (valueByteLength(value) < size) value += TEXT_PARTS[pick(TEXT_PARTS.length)]!;
  }
  const publishedAt = 1_000 + pick(1_000);
  const local = random.float() < 0.2;
  const record: StoredRecord = {
    key: key.slice(),
    value,
    publishedAt,
    expiresAt: publishedAt + pick(2_000),
    receivedAt: publishedAt + pick(500),
    local,
    ...(random.float() < 0.5 ? { publisher: random.fill(new Uint8Array(20)) } : {}),
    ...(!local && random.float() < 0.25 ? { cached: true } : {}),
    ...(random.float() < 0.2 ? { name: `/ns/${pick(1_000)}` } : {}),
  };
  return record;
}

/**
 * Registers the model-based cases: random runs of puts, deletes, expiries and due-queries
 * on a small store, every result and counter compared with {@linkcode StorageModel}'s.
 *
 * @param withStore runs a body on a fresh store of the given capacity and closes it
 */
export function modelCases(
  withStore: (options: StorageCapacityOptions, fn: (s: Storage) => void) => void,
): void {
  for (const seed of [1, 2, 3]) {
    it(`agrees with the brute-force model put by put (seed ${seed})`, () => {
      const random = new SeededRandom(seed);
      const keys = Array.from({ length: 40 }, () => random.fill(new Uint8Array(20)));
      const model = new StorageModel(12, 120);
      withStore({ maxRecords: 12, maxBytes: 120 }, (s) => {
        s.open(LOCAL_ID);
        model.open(LOCAL_ID);
        for (let step = 0; step < 600; step++) {
          const roll = random.float();
          if (roll < 0.75) {
            const r = randomRecord(random, keys, 24);
            assert.deepEqual(s.put(r), model.put(r), `put at step ${step}`);
          } else if (roll < 0.87) {
            const key = keys[Math.floor(random.float() * keys.length)]!;
            assert.equal(s.delete(key), model.delete(key), `delete at step ${step}`);
          } else if (roll < 0.92) {
            const now = 1_000 + Math.floor(random.float() * 2_000);
            assert.equal(s.removeExpired(now), model.removeExpired(now), `expiry at ${step}`);
          } else {
            const before = 1_000 + Math.floor(random.float() * 1_500);
            assert.deepEqual(
              hexes(s.republishDue(before).map((r) => r.key)),
              model.republishDue(before),
            );
            assert.deepEqual(
              hexes(s.replicateDue(before).map((r) => r.key)),
              model.replicateDue(before),
            );
          }
          assert.deepEqual(s.stats(), model.stats, `stats at step ${step}`);
        }
        assert.deepEqual(heldKeys(s), [...model.records.keys()].sort());
        for (const r of model.records.values()) assertSameRecord(s.get(r.key), r);
      });
    });
  }
}
