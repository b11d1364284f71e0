import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ed25519, generateKeyPair } from "../../adapters/ed25519.ts";
import { ITEM_TTL_MS, MAX_ITEMS } from "../../src/constants.ts";
import { compareDistance } from "../../src/id/node_id.ts";
import { sha1 } from "../../src/id/sha1.ts";
import { mutableItemTarget, signMutableItem } from "../../src/records/bep44.ts";
import { ItemStore } from "../../src/records/item_store.ts";
import { toItemValue } from "../../src/records/item_value.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";

const LOCAL = new Uint8Array(20);
const immutable = (text: string) => {
  const { value, encoded } = toItemValue(text, "test");
  return { target: sha1(encoded), value, encoded };
};

function store(clock = new VirtualClock(), maxItems?: number): ItemStore {
  return new ItemStore({ clock, localId: () => LOCAL, maxItems });
}

describe("ItemStore", () => {
  it("holds 700 items by default, like libtorrent", () => {
    assert.equal(MAX_ITEMS, 700);
    const items = store();
    for (let i = 0; i < 800; i++) {
      const item = immutable(`item ${i}`);
      items.putImmutable(item.target, item.value, item.encoded);
    }
    assert.equal(items.size, 700);
  });

  it("keeps the items nearest its id when full, refusing farther ones (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 40 }), (texts) => {
        const items = store(new VirtualClock(), 8);
        const all = texts.map(immutable);
        const outcomes = all.map((item) =>
          items.putImmutable(item.target, item.value, item.encoded)
        );
        const nearest = [...all].sort((a, b) => compareDistance(LOCAL, a.target, b.target))
          .slice(0, 8);
        assert.equal(items.size, Math.min(8, all.length));
        for (const item of nearest) assert.ok(items.get(item.target), "a nearest item is held");
        for (const outcome of outcomes) if (!outcome.ok) assert.equal(outcome.code, 202);
        assert.equal(outcomes.filter((o) => o.ok).length >= items.size, true);
      }),
      { numRuns: 100 },
    );
  });

  it("expires an item 2 hours after its last put, and a put of the same item resets that", async () => {
    const clock = new VirtualClock();
    const items = store(clock);
    const item = immutable("short-lived");
    assert.equal(ITEM_TTL_MS, 7_200_000);
    assert.deepEqual(items.putImmutable(item.target, item.value, item.encoded), {
      ok: true,
      action: "stored",
    });
    await clock.advance(ITEM_TTL_MS - 1000);
    assert.deepEqual(items.putImmutable(item.target, item.value, item.encoded), {
      ok: true,
      action: "refreshed",
    });
    await clock.advance(ITEM_TTL_MS - 1);
    assert.ok(items.get(item.target), "refreshed: still there");
    await clock.advance(1);
    assert.equal(items.get(item.target), undefined, "gone at 2 h after the last put");
  });

  it("lets an expired item's slot go to a new one even when full of farther items", async () => {
    const clock = new VirtualClock();
    const items = store(clock, 1);
    const [near, far] = [immutable("a"), immutable("b")].sort((a, b) =>
      compareDistance(LOCAL, a.target, b.target)
    );
    items.putImmutable(near!.target, near!.value, near!.encoded);
    assert.equal(items.accepts(far!.target), false);
    await clock.advance(ITEM_TTL_MS);
    assert.equal(items.accepts(far!.target), true);
    assert.equal(items.putImmutable(far!.target, far!.value, far!.encoded).ok, true);
  });

  it("applies BEP 44's mutable rules: cas (301) before seq (302), refresh on the same item", () => {
    const items = store();
    const keys = generateKeyPair();
    const target = mutableItemTarget(keys.publicKey);
    const put = (seq: number, text: string, cas?: number) => {
      const { value, encoded } = toItemValue(text, "test");
      const item = signMutableItem({ seq, encodedValue: encoded }, {
        ed25519,
        secretKey: keys.secretKey,
      });
      return items.putMutable(target, value, item, cas);
    };
    assert.deepEqual(put(3, "three"), { ok: true, action: "stored" });
    assert.deepEqual(put(3, "three"), { ok: true, action: "refreshed" });
    assert.equal((put(3, "another three") as { code: number }).code, 302);
    assert.equal((put(2, "two") as { code: number }).code, 302);
    assert.equal((put(4, "four", 2) as { code: number }).code, 301);
    assert.deepEqual(put(4, "four", 3), { ok: true, action: "stored" });
    assert.equal(items.get(target)?.mutable?.seq, 4);
  });
});
