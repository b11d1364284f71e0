/**
 * The conformance suite every {@linkcode Storage} passes: `MemoryStorage` and `SqliteStorage`.
 * Call {@linkcode storageSuite} from a `*_test.ts` file with a factory for the store.
 *
 * The rules it checks (src/records/storage.ts): values keep their type; a full store evicts
 * the record farthest from the local id only for a nearer newcomer, never a local record, and
 * a local newcomer may evict any non-local one; byte capacity counts UTF-8 bytes; a refused
 * put changes nothing; the due-queries and expiry select by their boundaries; the counters
 * are exact. A brute-force model (`_storage_model.ts`) checks random runs put by put.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { xorDistance } from "../../src/id/node_id.ts";
import type { StorageCapacityOptions } from "../../src/records/capacity.ts";
import type { StoredRecord } from "../../src/records/record.ts";
import type { Storage } from "../../src/records/storage.ts";
import {
  assertSameRecord,
  bytes,
  heldKeys,
  hexes,
  keyAt,
  LOCAL_ID,
  makeRecord,
  stats,
} from "./_storage_helpers.ts";
import { modelCases } from "./_storage_model.ts";

export { keyAt, LOCAL_ID, makeRecord } from "./_storage_helpers.ts";

/** Makes a fresh, empty store with the given capacity (the store's defaults where unset). */
export type StorageFactory = (options?: StorageCapacityOptions) => Storage;

/** Options for {@linkcode storageSuite}. */
export interface StorageSuiteOptions {
  /** A reason to skip the whole suite (the store cannot run here), or false to run it. */
  skip?: string | false;
}

/**
 * Registers the conformance tests for one kind of store.
 *
 * @param name what is tested, e.g. "MemoryStorage"
 * @param create a factory for fresh, empty stores
 * @param options whether to skip, and why
 */
export function storageSuite(
  name: string,
  create: StorageFactory,
  options: StorageSuiteOptions = {},
): void {
  function withStore(options: StorageCapacityOptions, fn: (s: Storage) => void): void {
    const storage = create(options);
    try {
      fn(storage);
    } finally {
      storage.close();
    }
  }
  const opened = (options: StorageCapacityOptions, fn: (s: Storage) => void): void =>
    withStore(options, (s) => {
      s.open(LOCAL_ID);
      fn(s);
    });

  describe(`${name}: Storage conformance`, { skip: options.skip ?? false }, () => {
    it("round-trips text and bytes values with their types and every field", () => {
      opened({}, (s) => {
        const records = [
          makeRecord(keyAt(1), "héllo ✓ 𝄞", {
            publisher: bytes(20, 9),
            name: "/ns/key",
            publishedAt: 1_700_000_000_123,
            expiresAt: 1_700_086_410_123,
            receivedAt: 1_700_000_000_456,
          }),
          makeRecord(keyAt(2), Uint8Array.of(0, 255, 0, 7), { local: true, publisher: LOCAL_ID }),
          makeRecord(keyAt(3), ""),
          makeRecord(keyAt(4), new Uint8Array(0), { cached: true }),
          makeRecord(keyAt(5), "a\u0000b", { expiresAt: Infinity }),
          makeRecord(keyAt(6), "0123", { cached: false }),
        ];
        for (const r of records) assert.deepEqual(s.put(r), { stored: true, evicted: 0 });
        for (const r of records) assertSameRecord(s.get(r.key), r);
        assert.equal(typeof s.get(keyAt(6))!.value, "string", "digits stay text");
        assert.ok(s.get(keyAt(4))!.value instanceof Uint8Array, "empty bytes stay bytes");
        assert.equal(s.size, records.length);
      });
    });

    it("get of an unknown key is undefined; delete says whether there was a record", () => {
      opened({}, (s) => {
        assert.equal(s.get(keyAt(1)), undefined);
        assert.equal(s.delete(keyAt(1)), false);
        s.put(makeRecord(keyAt(1), "x"));
        assert.equal(s.delete(keyAt(1)), true);
        assert.equal(s.get(keyAt(1)), undefined);
        assert.equal(s.delete(keyAt(1)), false);
        assert.deepEqual(s.stats(), stats({}));
      });
    });

    it("replaces the record under a key; size, bytes and records() follow", () => {
      opened({}, (s) => {
        s.put(makeRecord(keyAt(1), "abc"));
        const next = makeRecord(keyAt(1), bytes(5), { publishedAt: 2_000, local: true });
        assert.deepEqual(s.put(next), { stored: true, evicted: 0 });
        assertSameRecord(s.get(keyAt(1)), next);
        assert.equal(s.size, 1);
        assert.deepEqual(heldKeys(s), hexes([keyAt(1)]));
        assert.deepEqual(s.stats(), stats({ records: 1, bytes: 5 }));
      });
    });

    it("replacing a record in a full store needs no eviction for the record count", () => {
      opened({ maxRecords: 2 }, (s) => {
        s.put(makeRecord(keyAt(0x80)));
        s.put(makeRecord(keyAt(0x10)));
        assert.deepEqual(s.put(makeRecord(keyAt(0x80), "w")), { stored: true, evicted: 0 });
        assert.deepEqual(s.put(makeRecord(keyAt(0x10), "w", { local: true })), {
          stored: true,
          evicted: 0,
        });
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x80), keyAt(0x10)]));
        assert.equal(s.stats().evictions, 0);
      });
    });

    it("size and records() list exactly what is held, each time they are asked", () => {
      opened({}, (s) => {
        const keys = [1, 2, 3, 4, 5].map((d) => keyAt(d));
        for (const key of keys) s.put(makeRecord(key));
        s.delete(keys[1]!);
        s.delete(keys[3]!);
        const expected = hexes([keys[0]!, keys[2]!, keys[4]!]);
        assert.equal(s.size, 3);
        assert.deepEqual(heldKeys(s), expected);
        assert.deepEqual(heldKeys(s), expected);
      });
    });

    it("when full, evicts the record farthest from the local id, only for a nearer newcomer", () => {
      opened({ maxRecords: 3 }, (s) => {
        for (const d of [0x40, 0x80, 0x20]) s.put(makeRecord(keyAt(d)));
        assert.deepEqual(s.put(makeRecord(keyAt(0x10))), { stored: true, evicted: 1 });
        assert.equal(s.get(keyAt(0x80)), undefined, "the farthest went");
        assert.deepEqual(s.put(makeRecord(keyAt(0xf0))), { stored: false, reason: "full" });
        assert.deepEqual(s.put(makeRecord(keyAt(0x40, 1))), { stored: false, reason: "full" });
        assert.deepEqual(s.put(makeRecord(keyAt(0x30))), { stored: true, evicted: 1 });
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x30), keyAt(0x20), keyAt(0x10)]));
        assert.deepEqual(
          s.stats(),
          stats({ records: 3, bytes: 3, evictions: 2, refusals: { full: 2, too_large: 0 } }),
        );
      });
    });

    it("before open, measures distance from the all-zero id", () => {
      withStore({ maxRecords: 3 }, (s) => {
        const zero = new Uint8Array(20);
        for (const d of [0x40, 0x80, 0x20]) s.put(makeRecord(keyAt(d, 0, zero)));
        assert.deepEqual(s.put(makeRecord(keyAt(0x10, 0, zero))), { stored: true, evicted: 1 });
        assert.equal(s.get(keyAt(0x80, 0, zero)), undefined);
      });
    });

    it("opened with another id, evicts by distance from that id", () => {
      withStore({ maxRecords: 3 }, (s) => {
        s.open(LOCAL_ID);
        const keys = [0x80, 0x40, 0x20].map((d) => keyAt(d));
        for (const key of keys) s.put(makeRecord(key));
        const other = keyAt(0xc0); // from here, keyAt(0x80) is nearest and keyAt(0x20) farthest
        s.open(other);
        const farthest = [...keys].sort((a, b) =>
          Number(xorDistance(other, b) - xorDistance(other, a))
        )[0]!;
        assert.deepEqual(farthest, keyAt(0x20));
        assert.deepEqual(s.put(makeRecord(keyAt(0x01, 0, other))), { stored: true, evicted: 1 });
        assert.equal(s.get(farthest), undefined);
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x80), keyAt(0x40), keyAt(0x01, 0, other)]));
      });
    });

    it("never evicts local records; a local newcomer may evict any non-local record", () => {
      opened({ maxRecords: 2 }, (s) => {
        s.put(makeRecord(keyAt(0xf0), "l", { local: true }));
        s.put(makeRecord(keyAt(0x01)));
        // The only evictable record is nearer than this newcomer.
        assert.deepEqual(s.put(makeRecord(keyAt(0x02))), { stored: false, reason: "full" });
        // A local newcomer evicts it anyway, though it is nearer.
        assert.deepEqual(s.put(makeRecord(keyAt(0xe0), "l", { local: true })), {
          stored: true,
          evicted: 1,
        });
        // Now nothing is evictable, for anyone.
        assert.deepEqual(s.put(makeRecord(keyAt(0x00, 1))), { stored: false, reason: "full" });
        assert.deepEqual(s.put(makeRecord(keyAt(0x05), "l", { local: true })), {
          stored: false,
          reason: "full",
        });
        assert.deepEqual(heldKeys(s), hexes([keyAt(0xf0), keyAt(0xe0)]));
        assert.deepEqual(s.stats().refusals, { full: 3, too_large: 0 });
      });
    });

    it("byte capacity: evicts as many far records as a newcomer needs, or none", () => {
      opened({ maxBytes: 10 }, (s) => {
        s.put(makeRecord(keyAt(0x80), "aaaa"));
        s.put(makeRecord(keyAt(0x40), bytes(4)));
        assert.deepEqual(s.put(makeRecord(keyAt(0x20), bytes(4))), { stored: true, evicted: 1 });
        assert.equal(s.get(keyAt(0x80)), undefined);
        assert.deepEqual(s.put(makeRecord(keyAt(0x10), bytes(10))), { stored: true, evicted: 2 });
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x10)]));
        assert.deepEqual(s.put(makeRecord(keyAt(0x30), "bb")), { stored: false, reason: "full" });
        assert.deepEqual(
          s.stats(),
          stats({ records: 1, bytes: 10, evictions: 3, refusals: { full: 1, too_large: 0 } }),
        );
      });
    });

    it("a newcomer that would need a nearer record evicted is refused and evicts nothing", () => {
      opened({ maxBytes: 10 }, (s) => {
        s.put(makeRecord(keyAt(0x80), bytes(3)));
        s.put(makeRecord(keyAt(0x08), bytes(3)));
        // Needs 4 bytes: the far record frees 3, the next candidate is nearer than the newcomer.
        assert.deepEqual(s.put(makeRecord(keyAt(0x10), bytes(8))), {
          stored: false,
          reason: "full",
        });
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x80), keyAt(0x08)]));
        assert.deepEqual(
          s.stats(),
          stats({ records: 2, bytes: 6, refusals: { full: 1, too_large: 0 } }),
        );
        // The far record is still first in line.
        assert.deepEqual(s.put(makeRecord(keyAt(0x04), bytes(5))), { stored: true, evicted: 1 });
        assert.equal(s.get(keyAt(0x80)), undefined);
      });
    });

    it("counts text by its UTF-8 bytes", () => {
      opened({ maxBytes: 4 }, (s) => {
        assert.deepEqual(s.put(makeRecord(keyAt(1), "éé")), { stored: true, evicted: 0 });
        assert.equal(s.stats().bytes, 4);
        assert.deepEqual(s.put(makeRecord(keyAt(2), "éa✓")), {
          stored: false,
          reason: "too_large",
        });
        assert.deepEqual(s.put(makeRecord(keyAt(1), "𝄞")), { stored: true, evicted: 0 });
        assert.equal(s.stats().bytes, 4);
      });
    });

    it("a larger replacement evicts for bytes; a refused one keeps the old record", () => {
      opened({ maxBytes: 8 }, (s) => {
        s.put(makeRecord(keyAt(0x80), bytes(4)));
        s.put(makeRecord(keyAt(0x10), bytes(4)));
        assert.deepEqual(s.put(makeRecord(keyAt(0x10), bytes(8))), { stored: true, evicted: 1 });
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x10)]));
      });
      opened({ maxBytes: 8 }, (s) => {
        const old = makeRecord(keyAt(0x40), bytes(4, 4));
        s.put(makeRecord(keyAt(0x08), bytes(4)));
        s.put(old);
        const bigger = makeRecord(keyAt(0x40), bytes(6), { publishedAt: 2_000 });
        assert.deepEqual(s.put(bigger), { stored: false, reason: "full" });
        assertSameRecord(s.get(keyAt(0x40)), old);
        assert.deepEqual(
          s.stats(),
          stats({ records: 2, bytes: 8, refusals: { full: 1, too_large: 0 } }),
        );
      });
    });

    it("refuses a value larger than maxBytes as too_large and stores one of exactly maxBytes", () => {
      opened({ maxBytes: 16 }, (s) => {
        assert.deepEqual(s.put(makeRecord(keyAt(1), bytes(17))), {
          stored: false,
          reason: "too_large",
        });
        assert.deepEqual(s.put(makeRecord(keyAt(2), "x".repeat(17), { local: true })), {
          stored: false,
          reason: "too_large",
        });
        assert.deepEqual(s.put(makeRecord(keyAt(3), bytes(16))), { stored: true, evicted: 0 });
        assert.deepEqual(
          s.stats(),
          stats({ records: 1, bytes: 16, refusals: { full: 0, too_large: 2 } }),
        );
      });
    });

    it("a replaced record moves into and out of the evictable set", () => {
      opened({ maxRecords: 2 }, (s) => {
        s.put(makeRecord(keyAt(0xf0)));
        s.put(makeRecord(keyAt(0x10)));
        s.put(makeRecord(keyAt(0xf0), "now local", { local: true }));
        // The far record is local now: the only evictable one is nearer than the newcomer.
        assert.deepEqual(s.put(makeRecord(keyAt(0x20))), { stored: false, reason: "full" });
        s.put(makeRecord(keyAt(0xf0), "a replica again"));
        for (let i = 0; i < 200; i++) {
          s.put(makeRecord(keyAt(0x10), `v${i}`, { local: i % 2 === 0 }));
        }
        assert.deepEqual(s.put(makeRecord(keyAt(0x20))), { stored: true, evicted: 1 });
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x10), keyAt(0x20)]));
        assert.deepEqual(s.put(makeRecord(keyAt(0x08))), { stored: true, evicted: 1 });
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x10), keyAt(0x08)]));
        // keyAt(0x10) ended non-local (i = 199), so it is evictable too.
        assert.deepEqual(s.put(makeRecord(keyAt(0x04))), { stored: true, evicted: 1 });
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x08), keyAt(0x04)]));
      });
    });

    it("republishDue selects local records published at or before the time", () => {
      opened({}, (s) => {
        const at = (d: number, publishedAt: number, extra: Partial<StoredRecord>) =>
          s.put(makeRecord(keyAt(d), "v", { publishedAt, ...extra }));
        at(1, 100, { local: true });
        at(2, 200, { local: true });
        at(3, 201, { local: true });
        at(4, 100, {});
        at(5, 100, { cached: true });
        assert.deepEqual(hexes(s.republishDue(200).map((r) => r.key)), hexes([keyAt(1), keyAt(2)]));
        assert.deepEqual(s.republishDue(99), []);
      });
    });

    it("replicateDue selects replicas (not local, not cached) received at or before the time", () => {
      opened({}, (s) => {
        const at = (d: number, receivedAt: number, extra: Partial<StoredRecord>) =>
          s.put(makeRecord(keyAt(d), "v", { receivedAt, ...extra }));
        at(1, 100, {});
        at(2, 200, {});
        at(3, 201, {});
        at(4, 100, { local: true });
        at(5, 100, { cached: true });
        at(6, 100, { cached: false });
        assert.deepEqual(
          hexes(s.replicateDue(200).map((r) => r.key)),
          hexes([keyAt(1), keyAt(2), keyAt(6)]),
        );
        assert.deepEqual(s.replicateDue(99), []);
      });
    });

    it("removeExpired removes records with expiresAt <= now and keeps later ones", () => {
      opened({ maxRecords: 4 }, (s) => {
        const at = (d: number, expiresAt: number, extra: Partial<StoredRecord> = {}) =>
          s.put(makeRecord(keyAt(d), "ab", { expiresAt, ...extra }));
        at(0xf0, 99);
        at(0x80, 100, { local: true });
        at(0x40, 100);
        at(0x20, 101);
        assert.equal(s.removeExpired(100), 3);
        assert.deepEqual(heldKeys(s), hexes([keyAt(0x20)]));
        assert.equal(s.removeExpired(100), 0);
        assert.deepEqual(s.stats(), stats({ records: 1, bytes: 2, expired: 3 }));
        // What expired takes no room: three more fit without evicting anything.
        for (const d of [0x70, 0x60, 0x50]) {
          assert.deepEqual(s.put(makeRecord(keyAt(d))), { stored: true, evicted: 0 });
        }
        assert.deepEqual(s.put(makeRecord(keyAt(0x10))), { stored: true, evicted: 1 });
        assert.equal(s.get(keyAt(0x70)), undefined);
        assert.equal(s.removeExpired(101), 1);
        assert.equal(s.stats().expired, 4);
      });
    });

    it("stats count refusals by reason, evictions and expiries exactly", () => {
      opened({ maxRecords: 3, maxBytes: 12 }, (s) => {
        const results = [
          s.put(makeRecord(keyAt(0x90), bytes(4), { expiresAt: 50 })),
          s.put(makeRecord(keyAt(0x80), bytes(4))),
          s.put(makeRecord(keyAt(0x70), bytes(4), { local: true })),
          s.put(makeRecord(keyAt(0x60), bytes(13))), // too_large
          s.put(makeRecord(keyAt(0xa0), bytes(1))), // full: farther than every evictable one
          s.put(makeRecord(keyAt(0x50), bytes(4))), // evicts 0x90
          s.put(makeRecord(keyAt(0x40), bytes(8), { local: true })), // evicts 0x80 and 0x50
        ];
        assert.deepEqual(results, [
          { stored: true, evicted: 0 },
          { stored: true, evicted: 0 },
          { stored: true, evicted: 0 },
          { stored: false, reason: "too_large" },
          { stored: false, reason: "full" },
          { stored: true, evicted: 1 },
          { stored: true, evicted: 2 },
        ]);
        s.put(makeRecord(keyAt(0x30), "", { expiresAt: 50 }));
        assert.equal(s.removeExpired(50), 1);
        s.delete(keyAt(0x40));
        assert.deepEqual(
          s.stats(),
          stats({
            records: 1,
            bytes: 4,
            evictions: 3,
            expired: 1,
            refusals: { full: 1, too_large: 1 },
          }),
        );
      });
    });

    it("rejects a bad capacity, key or id with a message saying which", () => {
      assert.throws(() => create({ maxRecords: 0 }), {
        name: "RangeError",
        message: "Cannot create storage: 'maxRecords' must be a positive integer, got 0",
      });
      assert.throws(() => create({ maxBytes: 1.5 }), {
        name: "RangeError",
        message: "Cannot create storage: 'maxBytes' must be a positive integer, got 1.5",
      });
      assert.throws(() => create({ maxRecords: -3 }), RangeError);
      withStore({}, (s) => {
        assert.throws(() => s.open(new Uint8Array(19)), TypeError);
        assert.throws(() => s.put(makeRecord(new Uint8Array(19))), {
          name: "TypeError",
          message: "Cannot store record: 'key' must be a 20-byte Uint8Array, got 19 bytes",
        });
        assert.throws(() => s.put(makeRecord(keyAt(1), 42 as unknown as string)), {
          name: "TypeError",
          message: "Cannot store record: 'value' must be a string or a Uint8Array, got 42",
        });
        assert.throws(() => s.put(makeRecord(keyAt(1), "v", { expiresAt: NaN })), {
          name: "TypeError",
          message: "Cannot store record: 'expiresAt' must be a number, got NaN",
        });
        assert.throws(() => s.get(new Uint8Array(21)), TypeError);
        assert.throws(() => s.delete(new Uint8Array(0)), TypeError);
        assert.equal(s.size, 0);
      });
    });

    it("close is idempotent", () => {
      const s = create();
      s.close();
      s.close();
    });

    modelCases(withStore);
  });
}
