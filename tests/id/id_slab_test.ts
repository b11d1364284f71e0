import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { keepId } from "../../src/id/id_slab.ts";

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
});
