/**
 * Time as the core sees it. Every timer in `src/` goes through a {@linkcode Clock}, so a
 * simulation can swap in a virtual clock and run hours of protocol time in seconds.
 *
 * @module
 */

/**
 * A scheduled callback that has not fired yet.
 *
 * @example
 * ```ts
 * import { systemClock, type Timer } from "@kdht/core";
 *
 * const timer: Timer = systemClock.setTimer(() => console.log("never"), 1000);
 * timer.cancel();
 * ```
 */
export interface Timer {
  /** Stops the callback from firing; does nothing if it already fired or was cancelled. */
  cancel(): void;
}

/**
 * Two kinds of time and one-shot timers. `now()` is monotonic and measures durations and
 * timeouts; `wallTime()` is calendar time, for what must outlive the process (a record's
 * publication and expiry, saved state) and be compared between nodes.
 *
 * @example
 * ```ts
 * import type { Clock } from "@kdht/core";
 * import { VirtualClock } from "@kdht/core/testing";
 *
 * const clock: Clock = new VirtualClock();
 * clock.setTimer(() => console.log("fired at", clock.now()), 250);
 * await (clock as VirtualClock).advance(250); // "fired at 250"
 * ```
 */
export interface Clock {
  /** The current time in milliseconds. Only differences between readings are meaningful. */
  now(): number;
  /** Milliseconds since the Unix epoch (calendar time; may jump when the system clock is set). */
  wallTime(): number;
  /**
   * Calls `callback` once, `delayMs` milliseconds from now.
   *
   * @param callback what to run
   * @param delayMs how long to wait, in milliseconds (negative counts as 0)
   * @returns a handle that cancels the timer
   */
  setTimer(callback: () => void, delayMs: number): Timer;
}

/**
 * The real clock: `performance.now()`, `Date.now()` and the host's `setTimeout`.
 *
 * @example
 * ```ts
 * import { KademliaNode, systemClock } from "@kdht/core";
 *
 * console.log(systemClock.wallTime() > 0); // true: Date.now()
 * await using node = new KademliaNode({ clock: systemClock }); // the default
 * ```
 */
export const systemClock: Clock = {
  now(): number {
    return performance.now();
  },
  wallTime(): number {
    return Date.now();
  },
  setTimer(callback: () => void, delayMs: number): Timer {
    // The one place in src/ allowed to touch the host's timers (see DESIGN.md).
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
};
