/**
 * Query deadlines on one clock timer. Each KRPC socket keeps a min-heap of deadlines and a
 * single timer for the earliest, instead of a timer per query: a busy node has many queries
 * pending, and a simulation of thousands of nodes would otherwise keep millions of timers.
 * Settled entries stay in the heap until their deadline passes (lazy deletion) and are skipped,
 * except that once every entry is settled the heap is emptied and the timer cancelled: most
 * nodes of a simulated network are idle between bursts of queries that were all answered, and
 * a sweep firing for each of them (two per query, its re-send and its timeout) found nothing.
 *
 * A timer that fires late means the process was busy: replies may be waiting unread in the
 * socket (runtimes run due timers before they read I/O), and nodes in the same process have
 * not answered yet, so expiring at once would time out queries that were answered in time or
 * would have been (seen as whole `set`s failing on a loaded machine). A late sweep therefore
 * expires nothing and runs again as late as it fired (at most {@linkcode MAX_STALL_MS}): the
 * time the process was stalled does not count against its queries. On time (always, on a
 * virtual clock) it expires at once.
 *
 * @module
 */
import type { Clock, Timer } from "../clock.ts";

/** One deadline; `settled` marks it done so the sweep skips it. */
export interface Deadline {
  /** When it expires, on the clock's monotonic time. */
  readonly at: number;
  /**
   * True once the query it guards was answered, failed or aborted: set through
   * {@linkcode DeadlineSweep.settle}, false when added.
   */
  settled: boolean;
  /** Called when the deadline passes unsettled. */
  readonly expire: () => void;
}

/** How late a sweep may fire, in ms, and still expire deadlines at once. */
const LATE_MS = 10;
/** The longest a stall postpones expiry, in ms. */
const MAX_STALL_MS = 1000;

/** A heap of deadlines driven by one timer. */
export class DeadlineSweep {
  readonly #clock: Clock;
  readonly #heap: Deadline[] = [];
  #timer: Timer | undefined;
  #timerAt = Infinity;
  #deferred = false;
  /** Entries in the heap not settled yet. */
  #unsettled = 0;

  /** @param clock where time and the timer come from */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Deadlines in the heap, settled ones included. */
  get size(): number {
    return this.#heap.length;
  }

  /**
   * Adds a deadline.
   *
   * @param deadline the entry; its `expire` runs once, when `at` passes, unless it is settled
   */
  add(deadline: Deadline): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(deadline);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= deadline.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = deadline;
    if (!deadline.settled) this.#unsettled++;
    if (deadline.at < this.#timerAt) this.#arm(deadline.at);
  }

  /**
   * Marks a deadline settled, so it never expires; the last unsettled one stops the timer.
   *
   * @param deadline an entry added before (settling it twice is harmless)
   */
  settle(deadline: Deadline): void {
    if (deadline.settled) return;
    deadline.settled = true;
    if (--this.#unsettled === 0) this.clear();
  }

  /** Cancels the timer and forgets every deadline without expiring them. */
  clear(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#heap.length = 0;
    this.#unsettled = 0;
    this.#deferred = false;
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimer(() => this.#sweep(), at - this.#clock.now());
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    const heap = this.#heap;
    const late = heap.length > 0 ? now - heap[0]!.at : 0;
    if (!this.#deferred && late > LATE_MS) {
      this.#deferred = true;
      this.#arm(now + Math.min(late, MAX_STALL_MS));
      return;
    }
    this.#deferred = false;
    while (heap.length > 0 && (heap[0]!.at <= now || heap[0]!.settled)) {
      const top = this.#pop();
      if (!top.settled) {
        top.settled = true;
        this.#unsettled--;
        top.expire();
      }
    }
    if (heap.length > 0) this.#arm(heap[0]!.at);
  }

  #pop(): Deadline {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= last.at) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
