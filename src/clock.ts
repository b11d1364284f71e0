/**
 * Time as the core sees it. Every timer in `src/` goes through a {@linkcode Clock}, so a
 * simulation can swap in a virtual clock and run hours of protocol time in seconds.
 *
 * @module
 */

/** A scheduled callback that has not fired yet. */
export interface Timer {
  /** Stops the callback from firing; does nothing if it already fired or was cancelled. */
  cancel(): void;
}

/** Milliseconds since some fixed origin, and one-shot timers. */
export interface Clock {
  /** The current time in milliseconds. Only differences between readings are meaningful. */
  now(): number;
  /**
   * Calls `callback` once, `delayMs` milliseconds from now.
   *
   * @param callback what to run
   * @param delayMs how long to wait, in milliseconds (negative counts as 0)
   * @returns a handle that cancels the timer
   */
  setTimer(callback: () => void, delayMs: number): Timer;
}

/** The real clock: `performance.now()` and the host's `setTimeout`. */
export const systemClock: Clock = {
  now(): number {
    return performance.now();
  },
  setTimer(callback: () => void, delayMs: number): Timer {
    // The one place in src/ allowed to touch the host's timers (see DESIGN.md).
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
};
