/**
 * Records, keys at chosen distances and comparisons shared by the storage conformance suite
 * and the storage tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { idToHex, xorBytes } from "../../src/id/node_id.ts";
import type { StoredRecord } from "../../src/records/record.ts";
import type { Storage, StorageStats } from "../../src/records/storage.ts";

/** The id the suite's stores are opened with. */
export const LOCAL_ID: Uint8Array = Uint8Array.from({ length: 20 }, (_, i) => (i * 37 + 11) & 255);

/**
 * The key at a chosen distance from `from`: distance bytes `[d0, d1, 0, …]`.
 *
 * @param d0 the distance's first byte
 * @param d1 its second byte
 * @param from the id the distance is measured from
 */
export function keyAt(d0: number, d1 = 0, from: Uint8Array = LOCAL_ID): Uint8Array {
  const distance = new Uint8Array(20);
  distance[0] = d0;
  distance[1] = d1;
  return xorBytes(from, distance);
}

/**
 * A non-local record with round times, overridden by `extra`.
 *
 * @param key its key
 * @param value its value
 * @param extra fields to set
 */
export function makeRecord(
  key: Uint8Array,
  value: string | Uint8Array = "v",
  extra: Partial<StoredRecord> = {},
): StoredRecord {
  return {
    key,
    value,
    publishedAt: 1_000,
    expiresAt: 100_000,
    receivedAt: 1_000,
    local: false,
    ...extra,
  };
}

/** A record's content, with absent optional fields made explicit, for deep comparison. */
export function content(r: StoredRecord | undefined): unknown {
  if (r === undefined) return undefined;
  return {
    key: Uint8Array.from(r.key),
    value: typeof r.value === "string" ? r.value : Uint8Array.from(r.value),
    publishedAt: r.publishedAt,
    expiresAt: r.expiresAt,
    publisher: r.publisher === undefined ? null : Uint8Array.from(r.publisher),
    local: r.local,
    receivedAt: r.receivedAt,
    cached: r.cached === true,
    name: r.name ?? null,
  };
}

export function assertSameRecord(actual: StoredRecord | undefined, expected: StoredRecord): void {
  assert.ok(actual, `no record under ${idToHex(expected.key)}`);
  assert.equal(typeof actual.value, typeof expected.value, "the value kept its type");
  assert.deepEqual(content(actual), content(expected));
}

export function heldKeys(storage: Storage): string[] {
  return [...storage.records()].map((r) => idToHex(r.key)).sort();
}

export function hexes(keys: Uint8Array[]): string[] {
  return keys.map(idToHex).sort();
}

export function bytes(n: number, fill = 1): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

export function stats(partial: Partial<StorageStats>): StorageStats {
  return {
    records: 0,
    bytes: 0,
    evictions: 0,
    expired: 0,
    ...partial,
    refusals: { full: 0, too_large: 0, ...partial.refusals },
  };
}
