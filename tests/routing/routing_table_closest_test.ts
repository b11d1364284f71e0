import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  commonPrefixLength,
  compareDistance,
  ID_LENGTH,
  idToHex,
  randomId,
} from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";
import { type Contact, RoutingTable } from "../../src/routing/routing_table.ts";

const HOST = "127.0.0.1";
const arbId = fc.uint8Array({ minLength: ID_LENGTH, maxLength: ID_LENGTH });

/** An id sharing at least `prefix` leading bits with `base` (deep buckets need these). */
function near(base: Uint8Array, prefix: number, rest: Uint8Array): Uint8Array {
  const id = rest.slice();
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >>> (bit & 7);
    id[bit >>> 3] = (id[bit >>> 3]! & ~mask) | (base[bit >>> 3]! & mask);
  }
  return id;
}

/** Ids spread over the whole space or sharing a long prefix with `local`. */
function arbNearOrFar(local: Uint8Array): fc.Arbitrary<Uint8Array> {
  const arbNear = fc.tuple(fc.integer({ min: 0, max: 40 }), arbId).map(([p, rest]) =>
    near(local, p, rest)
  );
  return fc.oneof(arbId, arbNear);
}

/** Ids spread over the whole space and piled up near `local`, so tables split deeply. */
function arbIdsAround(local: Uint8Array): fc.Arbitrary<Uint8Array[]> {
  return fc.uniqueArray(arbNearOrFar(local), { maxLength: 250, selector: idToHex });
}

function bruteForce(
  table: RoutingTable,
  target: Uint8Array,
  count: number,
  exclude?: (c: Contact) => boolean,
): string[] {
  return table.contacts()
    .filter((c) => !exclude?.(c))
    .sort((a, b) => compareDistance(target, a.id, b.id))
    .slice(0, count)
    .map((c) => idToHex(c.id));
}

/**
 * The group a contact in bucket `j` falls in when the target is in bucket `d` (the order
 * closest() visits): [d] is 0, [d+1..last] is 1, then [d-1] is 2, [d-2] is 3, and so on.
 */
function groupRank(j: number, d: number): number {
  return j === d ? 0 : j > d ? 1 : 1 + d - j;
}

describe("RoutingTable.closest", () => {
  it("equals a brute-force sort of all contacts by XOR distance (property)", () => {
    fc.assert(
      fc.property(
        arbId.chain((local) =>
          fc.record({
            local: fc.constant(local),
            ids: arbIdsAround(local),
            k: fc.integer({ min: 2, max: 4 }),
            targetNear: fc.tuple(fc.integer({ min: 0, max: 60 }), arbId),
            count: fc.integer({ min: 0, max: 30 }),
            failEvery: fc.integer({ min: 0, max: 5 }),
            excludeByte: fc.option(fc.integer({ min: 0, max: 255 })),
          })
        ),
        ({ local, ids, k, targetNear, count, failEvery, excludeByte }) => {
          const table = new RoutingTable(local, { k, badAfterFailures: 1, dropAfterFailures: 1 });
          ids.forEach((id, i) => {
            const result = table.observe(id, HOST, 1000 + i, i);
            // Fail some pinged contacts so promotions from the cache are exercised too.
            if (result.kind === "full" && failEvery > 0 && i % failEvery === 0) {
              table.recordFailure(result.pingFirst.id);
            }
          });
          const target = near(local, targetNear[0], targetNear[1]);
          const exclude = excludeByte === null
            ? undefined
            : (c: Contact) => c.id[19]! < excludeByte;
          const got = table.closest(target, count, exclude).map((c) => idToHex(c.id));
          assert.deepEqual(got, bruteForce(table, target, count, exclude));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("bucket order is distance order: every contact of an earlier group is nearer (property)", () => {
    // The stopping rule's lemma, checked on raw ids for every possible last-bucket index.
    fc.assert(
      fc.property(
        arbId.chain((local) =>
          fc.tuple(
            fc.constant(local),
            arbNearOrFar(local),
            arbNearOrFar(local),
            arbNearOrFar(local),
          )
        ),
        fc.integer({ min: 0, max: 159 }),
        ([local, target, a, b], last) => {
          const bucket = (id: Uint8Array) => Math.min(commonPrefixLength(local, id), last);
          const d = bucket(target);
          const ra = groupRank(bucket(a), d);
          const rb = groupRank(bucket(b), d);
          if (ra < rb) assert.ok(compareDistance(target, a, b) < 0);
          if (ra > rb) assert.ok(compareDistance(target, a, b) > 0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("visits only the bucket groups up to the one that completes the result (property)", () => {
    fc.assert(
      fc.property(
        arbId.chain((local) =>
          fc.record({ local: fc.constant(local), ids: arbIdsAround(local), target: arbId })
        ),
        fc.integer({ min: 1, max: 8 }),
        ({ local, ids, target }, count) => {
          const table = new RoutingTable(local, { k: 3 });
          ids.forEach((id, i) => table.observe(id, HOST, 1000 + i, i));
          fc.pre(table.size > count);
          const visited = new Set<string>();
          const result = table.closest(target, count, (c) => {
            visited.add(idToHex(c.id));
            return false;
          });
          const d = table.bucketIndexOf(target);
          const rank = (c: Contact) => groupRank(table.bucketIndexOf(c.id), d);
          const lastRank = rank(result[result.length - 1]!);
          const expected = table.contacts().filter((c) => rank(c) <= lastRank);
          assert.deepEqual(visited, new Set(expected.map((c) => idToHex(c.id))));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("orders contacts whose distances agree in their first six bytes by the remaining bytes", () => {
    const table = new RoutingTable(new Uint8Array(20), { k: 20 });
    const tails = [0x35, 0x01, 0xff, 0x80, 0x36, 0x00, 0x7f, 0x34, 0x10];
    for (const tail of tails) {
      const id = new Uint8Array(20);
      id[0] = 0x80;
      id[19] = tail;
      table.observe(id, HOST, 1000 + tail, tail);
    }
    const target = new Uint8Array(20);
    target[0] = 0x80;
    target[19] = 0x35;
    const got = table.closest(target, 5).map((c) => c.id[19]);
    assert.deepEqual(got, [0x35, 0x34, 0x36, 0x10, 0x01]);
  });

  it("stays exact when exclude itself calls closest", () => {
    const random = new SeededRandom(8);
    const table = new RoutingTable(randomId(random), { k: 4 });
    for (let i = 0; i < 300; i++) table.observe(randomId(random), HOST, 1, i);
    const target = randomId(random);
    const other = randomId(random);
    const got = table.closest(target, 12, () => table.closest(other, 12).length < 0);
    assert.deepEqual(got.map((c) => idToHex(c.id)), bruteForce(table, target, 12));
  });

  it("returns nothing for count 0 or an empty table, and at most size contacts", () => {
    const random = new SeededRandom(3);
    const table = new RoutingTable(randomId(random), { k: 4 });
    assert.deepEqual(table.closest(randomId(random), 5), []);
    for (let i = 0; i < 10; i++) table.observe(randomId(random), HOST, 1, i);
    assert.deepEqual(table.closest(randomId(random), 0), []);
    assert.equal(table.closest(randomId(random), 1000).length, table.size);
  });

  it("returns the target itself first when it is in the table", () => {
    const random = new SeededRandom(4);
    const table = new RoutingTable(randomId(random));
    const ids = Array.from({ length: 100 }, () => randomId(random));
    ids.forEach((id, i) => table.observe(id, HOST, 1, i));
    const present = table.contacts()[17]!.id;
    assert.deepEqual(table.closest(present, 1)[0]!.id, present);
  });

  it("rejects a count that is not a non-negative integer with a RangeError", () => {
    const table = new RoutingTable(new Uint8Array(20));
    for (const bad of [-1, 1.5, NaN]) {
      assert.throws(() => table.closest(new Uint8Array(20), bad), RangeError);
    }
  });
});
