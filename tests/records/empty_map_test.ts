import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { emptyMap, ownMap } from "../../src/empty_map.ts";

describe("emptyMap", () => {
  it("is one shared map that refuses writes; ownMap gives each owner its own", () => {
    const a = emptyMap<string, number>();
    const b = emptyMap<string, number>();
    assert.equal(a, b);
    assert.throws(() => a.set("x", 1), TypeError);
    assert.equal(a.size, 0);
    const mine = ownMap(a);
    mine.set("x", 1);
    assert.notEqual(mine, a);
    assert.equal(ownMap(mine), mine, "a map of one's own stays");
    assert.equal(b.get("x"), undefined);
    assert.equal(emptyMap<string, number>().size, 0);
  });
});
