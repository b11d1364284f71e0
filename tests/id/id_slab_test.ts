import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keepId } from "../../src/id/id_slab.ts";

function idOf(i: number): Uint8Array {
  const id = new Uint8Array(20);
  for (let b = 0; b < 20; b++) id[b] = (i * 131 + b * 29 + (i >> 8) * 7) & 255;
  return id;
}

describe("keepId", () => {
  it("gives each id its own 20 bytes, apart from the caller's buffer and from each other", () => {
    const source = new Uint8Array(20);
    const kept: Uint8Array[] = [];
    // More than one slab's worth, so copies span slabs.
    for (let i = 0; i < 200; i++) {
      source.fill(i);
      kept.push(keepId(source));
    }
    source.fill(255); // the caller reuses its buffer
    kept.forEach((id, i) => {
      assert.equal(id.length, 20);
      assert.deepEqual([...id], new Array(20).fill(i), `id ${i}`);
    });
    // Copies share slabs (no ArrayBuffer each), and never overlap.
    assert.ok(new Set(kept.map((id) => id.buffer)).size < kept.length / 10);
    const sameSlab = kept.filter((id) => id.buffer === kept[0]!.buffer);
    const offsets = sameSlab.map((id) => id.byteOffset).sort((a, b) => a - b);
    for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i]! - offsets[i - 1]! >= 20);
  });

  it("keeps one copy of an id that many hold, and a copy of the right id under collisions", () => {
    // 20,000 distinct ids (the table grows past its first size), each kept three times.
    const ids = Array.from({ length: 20_000 }, (_, i) => idOf(i));
    const first = ids.map((id) => keepId(id));
    let shared = 0;
    for (let round = 0; round < 2; round++) {
      ids.forEach((id, i) => {
        const again = keepId(new Uint8Array(id));
        assert.deepEqual(again, id, `id ${i}`);
        if (again === first[i]) shared++;
      });
    }
    // Slots two ids share hold the later one, so a few are copied again; most are shared.
    assert.ok(shared > 0.9 * 2 * ids.length, `${shared} of ${2 * ids.length} shared`);
    // Ids differing only outside the slot's bytes land in one slot: each still gets itself.
    const base = idOf(7);
    for (let b = 0; b < 20; b++) {
      if (b >= 15 && b <= 18) continue;
      const other = new Uint8Array(base);
      other[b]! ^= 0x55;
      assert.deepEqual(keepId(other), other, `byte ${b}`);
      assert.deepEqual(keepId(base), base);
    }
  });
});
