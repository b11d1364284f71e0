/**
 * The priority queue behind {@linkcode VirtualClock}: a binary min-heap of timers ordered by
 * due time, then by the order they were set, so timers due at the same instant fire in the
 * order they were created on every runtime (determinism needs a total order).
 *
 * Private to `src/testing/`.
 *
 * @module
 */

/** One scheduled callback; `index` is its slot in the heap, -1 once it left the heap. */
export interface HeapTimer {
  /** Virtual time at which the callback fires, in milliseconds. */
  readonly due: number;
  /** Creation order; breaks ties between timers with the same `due`. */
  readonly seq: number;
  /** What to run. */
  readonly callback: () => void;
  /** Position in the heap array; -1 when fired or cancelled. */
  index: number;
}

function before(a: HeapTimer, b: HeapTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/**
 * A min-heap of {@linkcode HeapTimer}s with O(log n) removal of any entry. Cancelled timers
 * leave the heap at once rather than lazily at their due time: RPC timeouts are set and
 * cancelled on almost every query, and lazy deletion would let a large simulation accumulate
 * millions of dead entries.
 */
export class TimerHeap {
  #items: HeapTimer[] = [];

  /** How many timers are waiting. */
  get size(): number {
    return this.#items.length;
  }

  /** The next timer to fire, or undefined when the heap is empty. */
  peek(): HeapTimer | undefined {
    return this.#items[0];
  }

  /**
   * Adds a timer.
   *
   * @param timer the timer to add; its `index` is overwritten
   */
  push(timer: HeapTimer): void {
    timer.index = this.#items.length;
    this.#items.push(timer);
    this.#up(timer.index);
  }

  /**
   * Removes and returns the next timer to fire.
   *
   * @returns the earliest timer, or undefined when the heap is empty
   */
  pop(): HeapTimer | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /**
   * Removes `timer` if it is still in the heap; does nothing otherwise.
   *
   * @param timer a timer previously pushed
   */
  remove(timer: HeapTimer): void {
    const index = timer.index;
    if (index < 0 || this.#items[index] !== timer) return;
    timer.index = -1;
    const last = this.#items.pop()!;
    if (last === timer) return;
    this.#items[index] = last;
    last.index = index;
    this.#down(index);
    this.#up(last.index);
  }

  #up(index: number): void {
    const items = this.#items;
    const item = items[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex]!;
      if (!before(item, parent)) break;
      items[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    items[index] = item;
    item.index = index;
  }

  #down(index: number): void {
    const items = this.#items;
    const length = items.length;
    const item = items[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && before(items[right]!, items[left]!)) child = right;
      const candidate = items[child]!;
      if (!before(candidate, item)) break;
      items[index] = candidate;
      candidate.index = index;
      index = child;
    }
    items[index] = item;
    item.index = index;
  }
}
