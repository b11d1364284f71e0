// IdSet, the lookup's seen set: exact for any ids, including ids chosen to share its numeric key.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { IdSet } from "../../src/id/id_set.ts";
import { idKey } from "../../src/id/node_id.ts";

const id = fc.uint8Array({ minLength: 20, maxLength: 20 });
/** Ids whose key bytes come from a tiny domain, so that keys collide often. */
const colliding = fc.tuple(id, fc.integer({ min: 0, max: 3 })).map(([x, tail]) => {
  x.fill(tail, 16);
  return x;
});

describe("IdSet", () => {
  it("adds an id once, by its bytes, not by the array that holds them", () => {
    const set = new IdSet();
    const a = new Uint8Array(20).fill(7);
    assert.equal(set.add(a), true);
    assert.equal(set.add(a), false);
    assert.equal(set.add(a.slice()), false);
  });

  it("tells apart ids that share the last four bytes (its numeric key)", () => {
    const set = new IdSet();
    const ids = Array.from({ length: 5 }, (_, i) => {
      const x = new Uint8Array(20).fill(0xab);
      x[0] = i;
      return x;
    });
    for (const x of ids) assert.equal(set.add(x), true);
    for (const x of ids) assert.equal(set.add(x.slice()), false);
    // The top two bits of byte 16 are not in the key either.
    const high = ids[0]!.slice();
    high[16] = 0xab ^ 0xc0;
    assert.equal(set.add(high), true);
    assert.equal(set.add(high.slice()), false);
  });

  it("agrees with a set of the ids' bytes on any sequence", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(id, colliding, fc.constantFrom(new Uint8Array(20))), { maxLength: 60 }),
        (ids) => {
          const set = new IdSet();
          const reference = new Set<string>();
          for (const x of ids) {
            const fresh = !reference.has(idKey(x));
            reference.add(idKey(x));
            assert.equal(set.add(x.slice()), fresh);
          }
        },
      ),
    );
  });
});
