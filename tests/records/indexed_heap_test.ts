// IndexedHeap: order, removal from the middle, and its O(log n) bound, counted in comparisons
// (never timed): every push, pop and remove is checked against ⌊log₂ n⌋-based limits.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { IndexedHeap } from "../../src/records/indexed_heap.ts";
import { SeededRandom } from "../../src/random.ts";

interface Item {
  n: number;
  heapIndex: number;
}

function countingHeap(): { heap: IndexedHeap<Item>; calls: () => number } {
  let calls = 0;
  const heap = new IndexedHeap<Item>((a, b) => {
    calls++;
    return a.n > b.n;
  });
  return { heap, calls: () => calls };
}

function drain(heap: IndexedHeap<Item>): number[] {
  const out: number[] = [];
  for (let item = heap.pop(); item; item = heap.pop()) {
    assert.equal(item.heapIndex, -1, "a popped item is in no heap");
    out.push(item.n);
  }
  return out;
}

const log2 = (n: number): number => (n < 1 ? 0 : Math.floor(Math.log2(n)));

describe("IndexedHeap", () => {
  it("pops the largest first and removes any item from the middle", () => {
    const { heap } = countingHeap();
    const items = [5, 1, 9, 3, 7, 2, 8].map((n) => ({ n, heapIndex: -1 }));
    for (const item of items) heap.push(item);
    assert.equal(heap.peek()?.n, 9);
    assert.equal(heap.remove(items[4]!), true); // 7
    assert.equal(heap.remove(items[4]!), false, "not twice");
    assert.equal(items[4]!.heapIndex, -1);
    assert.equal(heap.size, 6);
    assert.deepEqual(drain(heap), [9, 8, 5, 3, 2, 1]);
    assert.equal(heap.pop(), undefined);
  });

  it("refuses an item already in a heap", () => {
    const { heap } = countingHeap();
    const item = { n: 1, heapIndex: -1 };
    heap.push(item);
    assert.throws(() => heap.push(item), RangeError);
    assert.equal(heap.size, 1);
  });

  it("rebuild re-orders everything at once", () => {
    const { heap, calls } = countingHeap();
    const items = Array.from({ length: 1000 }, (_, i) => ({ n: i, heapIndex: -1 }));
    for (const item of items) heap.push(item);
    for (const item of items) item.n = (item.n * 7919) % 1000;
    const before = calls();
    heap.rebuild(items);
    assert.ok(calls() - before <= 2 * 1000, `rebuild took ${calls() - before} comparisons`);
    assert.deepEqual(drain(heap), [...items.map((i) => i.n)].sort((a, b) => b - a));
  });

  it("100,000 random pushes, pops and removes stay within the O(log n) comparison bounds", () => {
    const random = new SeededRandom(7);
    const { heap, calls } = countingHeap();
    // What the heap should hold, with O(1) removal by swapping with the last.
    const held: (Item & { slot: number })[] = [];
    const forget = (item: Item & { slot: number }): void => {
      const last = held.pop()!;
      if (last !== item) {
        held[item.slot] = last;
        last.slot = item.slot;
      }
    };
    for (let op = 0; op < 100_000; op++) {
      const roll = random.float();
      const n = heap.size;
      const before = calls();
      let limit: number;
      if (roll < 0.6 || n === 0) {
        const item = { n: Math.floor(random.float() * 1e9), heapIndex: -1, slot: held.length };
        heap.push(item);
        held.push(item);
        limit = log2(n + 1);
      } else if (roll < 0.8) {
        forget(heap.pop() as Item & { slot: number });
        limit = 2 * log2(n) + 1;
      } else {
        const victim = held[Math.floor(random.float() * held.length)]!;
        assert.equal(heap.remove(victim), true);
        forget(victim);
        limit = 2 * log2(n) + 1;
      }
      const used = calls() - before;
      assert.ok(used <= limit, `op ${op} on ${n} items used ${used} comparisons, limit ${limit}`);
    }
    assert.ok(heap.size > 10_000, `the heap grew to ${heap.size} items`);
    assert.equal(heap.size, held.length);
    for (const item of held) assert.ok(item.heapIndex >= 0);
    assert.deepEqual(drain(heap), held.map((i) => i.n).sort((a, b) => b - a));
  });
});
