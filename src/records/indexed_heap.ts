/**
 * A binary heap whose items know their own position, so any item, not just the top, can be
 * removed in O(log n). `MemoryStorage` keeps its evictable records in one, farthest from the
 * node's id on top.
 *
 * @module
 */

/** An item of an {@linkcode IndexedHeap}: the heap keeps its position in `heapIndex`. */
export interface HeapItem {
  /** Where the item sits in the heap's array; -1 while it is in no heap. */
  heapIndex: number;
}

/**
 * A binary heap ordered by `above(a, b)` ("a belongs nearer the top than b"). With n items
 * held, a push calls `above` at most ⌊log₂(n + 1)⌋ times, a pop or a remove at most
 * 2⌊log₂ n⌋ + 1 times, and a rebuild at most 2n times.
 *
 * An item belongs to at most one heap at a time; its `heapIndex` says where it is.
 *
 * @example
 * ```ts
 * import { IndexedHeap } from "./indexed_heap.ts";
 *
 * const heap = new IndexedHeap<{ n: number; heapIndex: number }>((a, b) => a.n > b.n);
 * const two = { n: 2, heapIndex: -1 };
 * heap.push({ n: 1, heapIndex: -1 });
 * heap.push(two);
 * heap.push({ n: 3, heapIndex: -1 });
 * heap.remove(two);
 * console.log(heap.pop()?.n, heap.pop()?.n, heap.size); // 3 1 0
 * ```
 */
export class IndexedHeap<T extends HeapItem> {
  readonly #items: T[] = [];
  readonly #above: (a: T, b: T) => boolean;

  /**
   * Creates an empty heap.
   *
   * @param above true if `a` belongs above `b` (a max-heap passes "a is larger")
   */
  constructor(above: (a: T, b: T) => boolean) {
    this.#above = above;
  }

  /** How many items the heap holds. */
  get size(): number {
    return this.#items.length;
  }

  /** The top item, if any, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /**
   * Adds an item.
   *
   * @param item an item in no heap (`heapIndex` -1)
   * @throws {RangeError} if the item is already in a heap
   */
  push(item: T): void {
    if (item.heapIndex !== -1) {
      throw new RangeError(`Cannot push: the item is already in a heap at ${item.heapIndex}`);
    }
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /**
   * Removes and returns the top item.
   *
   * @returns the top item, or `undefined` if the heap is empty
   */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.#removeAt(0);
    return top;
  }

  /**
   * Removes an item from anywhere in the heap.
   *
   * @param item an item
   * @returns true if it was in this heap
   */
  remove(item: T): boolean {
    const i = item.heapIndex;
    if (i < 0 || this.#items[i] !== item) return false;
    this.#removeAt(i);
    return true;
  }

  /**
   * Replaces the contents with `items` in O(n) (Floyd's heap construction), for when every
   * item's order changed at once.
   *
   * @param items the new contents; each must be in no other heap
   */
  rebuild(items: Iterable<T>): void {
    for (const item of this.#items) item.heapIndex = -1;
    this.#items.length = 0;
    for (const item of items) {
      item.heapIndex = this.#items.length;
      this.#items.push(item);
    }
    for (let i = (this.#items.length >>> 1) - 1; i >= 0; i--) this.#down(i);
  }

  #removeAt(i: number): void {
    const items = this.#items;
    const removed = items[i]!;
    const last = items.pop()!;
    removed.heapIndex = -1;
    if (last === removed) return;
    items[i] = last;
    last.heapIndex = i;
    // The moved item may belong above or below its new place, never both.
    if (i > 0 && this.#above(last, items[(i - 1) >>> 1]!)) this.#up(i);
    else this.#down(i);
  }

  #up(i: number): void {
    const items = this.#items;
    const item = items[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >>> 1;
      const parent = items[parentIndex]!;
      if (!this.#above(item, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.#above(items[right]!, items[left]!)) child = right;
      const childItem = items[child]!;
      if (!this.#above(childItem, item)) break;
      items[i] = childItem;
      childItem.heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
