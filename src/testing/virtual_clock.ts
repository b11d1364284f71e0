/**
 * A {@linkcode Clock} whose time moves only when a test says so, so hours of refresh,
 * republish and expiry run in milliseconds of wall time, in the same order on every run.
 *
 * @module
 */
import { type Clock, systemClock, type Timer } from "../clock.ts";
import { type HeapTimer, TimerHeap } from "./_timer_heap.ts";

/**
 * Options for {@linkcode VirtualClock}.
 *
 * @example
 * ```ts
 * import { VirtualClock, type VirtualClockOptions } from "@kdht/core/testing";
 *
 * const options: VirtualClockOptions = { startWallMs: Date.UTC(2030, 0, 1) };
 * console.log(new Date(new VirtualClock(options).wallTime()).toISOString()); // "2030-01-01T00:00:00.000Z"
 * ```
 */
export interface VirtualClockOptions {
  /**
   * The virtual time the clock starts at, in milliseconds.
   * @default {0}
   */
  startMs?: number;
  /**
   * The calendar time, in milliseconds since the Unix epoch, that `wallTime()` reports when
   * `now()` is `startMs`. Both move together. A fixed default keeps runs reproducible.
   * @default {1_767_225_600_000} (2026-01-01T00:00:00Z)
   */
  startWallMs?: number;
  /**
   * How many timers may fire back to back at one virtual instant before the clock decides a
   * callback keeps re-arming itself with no delay and throws instead of spinning forever.
   * @default {1_000_000}
   */
  maxFiringsPerInstant?: number;
}

/**
 * Options for {@linkcode VirtualClock.runUntilSettled}.
 *
 * @example
 * ```ts
 * import { type RunUntilSettledOptions, VirtualClock } from "@kdht/core/testing";
 *
 * const clock = new VirtualClock();
 * const options: RunUntilSettledOptions = { maxMs: 60_000 };
 * const done = new Promise<void>((resolve) => clock.setTimer(() => resolve(), 1000));
 * await clock.runUntilSettled(done, options);
 * console.log(clock.now()); // 1000
 * ```
 */
export interface RunUntilSettledOptions {
  /**
   * Give up after this much virtual time, in milliseconds.
   * @default {86_400_000} (one day)
   */
  maxMs?: number;
}

/**
 * Options for {@linkcode VirtualClock.runAll}.
 *
 * @example
 * ```ts
 * import { type RunAllOptions, VirtualClock } from "@kdht/core/testing";
 *
 * const clock = new VirtualClock();
 * clock.setTimer(() => {}, 5000);
 * const options: RunAllOptions = { maxMs: 10_000 };
 * await clock.runAll(options);
 * console.log(clock.now()); // 5000
 * ```
 */
export interface RunAllOptions {
  /**
   * Give up if timers are still pending after this much virtual time, in milliseconds.
   * @default {86_400_000} (one day)
   */
  maxMs?: number;
  /**
   * Give up if timers are still pending after this many firings.
   * @default {1_000_000}
   */
  maxTimers?: number;
}

const ONE_DAY_MS = 86_400_000;
const DEFAULT_START_WALL_MS = 1_767_225_600_000;

type SetImmediate = (callback: () => void) => unknown;
// Captured at load so fake-timer libraries installed later cannot hijack the simulation.
const hostSetImmediate = (globalThis as { setImmediate?: SetImmediate }).setImmediate;

/**
 * Resolves after every promise reaction already queued has run, by hopping through one host
 * macrotask: a host runs the whole microtask queue before its next task, however deep the
 * `await` chains are. Measured with bench/sim_clock.ts (Node 20, Deno 2.9, Bun 1.4, one busy
 * 2-core machine): `setImmediate` exists on all three and gave 0.6–1.3 M hops/s on Node (level
 * with MessageChannel), 1.0–1.2 M on Deno and 1.5–2.5 M on Bun (MessageChannel 1.1–1.5 M).
 * A burst of `await null` is no faster on Node and Bun and silently breaks on chains deeper
 * than the burst. On Deno, a MessageChannel message arrived before a 20-deep chain had
 * finished, so it is not a task boundary there. MessageChannel stays as the fallback for
 * browsers, where it is a real task; a host timer (≥ 1 ms per hop) is the last resort.
 */
function yieldToHost(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (hostSetImmediate !== undefined) {
      hostSetImmediate(resolve);
    } else if (typeof MessageChannel === "function") {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close(); // closes the entangled port too, so nothing leaks
        resolve();
      };
      channel.port2.postMessage(null);
    } else {
      systemClock.setTimer(resolve, 0);
    }
  });
}

/** Runs `callback` after the host's next task boundary (see {@linkcode yieldToHost}). */
function hop(callback: () => void): void {
  if (hostSetImmediate !== undefined) hostSetImmediate(callback);
  else void yieldToHost().then(callback);
}

function checkDuration(method: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0) || value === Infinity) {
    throw new RangeError(
      `Cannot ${method}: '${name}' must be a finite number of milliseconds >= 0, got ${
        String(value)
      }`,
    );
  }
  return value;
}

function checkCount(method: string, name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new RangeError(`Cannot ${method}: '${name}' must be a positive integer, got ${value}`);
  }
  return value as number;
}

class VirtualTimer implements Timer, HeapTimer {
  index = -1;
  readonly #heap: TimerHeap;

  constructor(
    readonly due: number,
    readonly seq: number,
    readonly callback: () => void,
    heap: TimerHeap,
  ) {
    this.#heap = heap;
  }

  cancel(): void {
    this.#heap.remove(this);
  }
}

/**
 * A deterministic virtual clock. Timers fire in order of due time, ties in the order they
 * were set; time jumps from one due time to the next, and after each firing the clock lets
 * every promise reaction that firing started run to completion before firing the next
 * timer, so `await` chains behave as they would with real time, only faster.
 *
 * Only one of `advance`, `runUntilSettled` and `runAll` may run at a time.
 *
 * @example
 * ```ts
 * import { VirtualClock } from "@kdht/core/testing";
 *
 * const clock = new VirtualClock();
 * const fired: number[] = [];
 * clock.setTimer(() => fired.push(clock.now()), 3_600_000);
 * await clock.advance(48 * 3_600_000);
 * console.log(fired, clock.now()); // [3600000] 172800000
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  readonly #wallOffset: number;
  #seq = 0;
  #fired = 0;
  #busy: string | undefined;
  #instant = Number.NaN;
  #firingsAtInstant = 0;
  readonly #maxFiringsPerInstant: number;
  readonly #heap = new TimerHeap();

  /**
   * Creates a clock at `startMs` with no timers pending.
   *
   * @param options where time starts and the runaway-loop bound
   * @throws {RangeError} if `startMs` is not finite or `maxFiringsPerInstant` not a positive integer
   */
  constructor(options?: VirtualClockOptions) {
    const { startMs = 0, startWallMs = DEFAULT_START_WALL_MS, maxFiringsPerInstant = 1_000_000 } =
      options ?? {};
    for (const [name, value] of [["startMs", startMs], ["startWallMs", startWallMs]] as const) {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new RangeError(
          `Cannot create VirtualClock: '${name}' must be a finite number, got ${value}`,
        );
      }
    }
    this.#now = startMs;
    this.#wallOffset = startWallMs - startMs;
    this.#maxFiringsPerInstant = checkCount(
      "create VirtualClock",
      "maxFiringsPerInstant",
      maxFiringsPerInstant,
    );
  }

  /** The current virtual time, in milliseconds. */
  now(): number {
    return this.#now;
  }

  /** The virtual calendar time: `startWallMs` plus the virtual time elapsed. */
  wallTime(): number {
    return this.#now + this.#wallOffset;
  }

  /**
   * Schedules `callback` to run `delayMs` virtual milliseconds from now.
   *
   * @param callback what to run; if it throws, the running `advance`/`runUntilSettled`/
   *   `runAll` call rejects with that error and later timers stay pending
   * @param delayMs the delay; negative and NaN count as 0, Infinity never fires
   * @returns a handle whose `cancel()` removes the timer
   * @throws {TypeError} if `callback` is not a function
   */
  setTimer(callback: () => void, delayMs: number): Timer {
    if (typeof callback !== "function") {
      throw new TypeError(
        `Cannot set timer: 'callback' must be a function, got ${typeof callback}`,
      );
    }
    const timer = new VirtualTimer(
      this.#now + (delayMs > 0 ? delayMs : 0),
      this.#seq++,
      callback,
      this.#heap,
    );
    this.#heap.push(timer);
    return timer;
  }

  /** How many timers are set and have neither fired nor been cancelled. */
  get pendingTimers(): number {
    return this.#heap.size;
  }

  /** How many timers have fired since the clock was created. */
  get firedTimers(): number {
    return this.#fired;
  }

  /**
   * Moves time forward by `ms`, firing every timer due by then in order (including timers
   * those callbacks set), then leaves the clock at exactly start + `ms`.
   *
   * @param ms how far to move, in milliseconds
   * @returns when the last due timer has fired and its promise reactions have run
   * @throws {RangeError} if `ms` is negative or not finite
   * @throws {Error} if another run is in progress, a callback throws (rethrown as is), or
   *   more than `maxFiringsPerInstant` timers fire at one instant
   */
  async advance(ms: number): Promise<void> {
    checkDuration("advance VirtualClock", "ms", ms);
    this.#enter("advance");
    try {
      const target = this.#now + ms;
      await this.#drive(() => {
        const next = this.#heap.peek();
        return next !== undefined && next.due <= target;
      });
      this.#now = target;
    } finally {
      this.#busy = undefined;
    }
  }

  /**
   * Fires timers one by one until `promise` settles.
   *
   * @param promise the operation to drive, usually started just before on this clock
   * @param options the virtual time limit
   * @returns the promise's value
   * @throws whatever `promise` rejects with
   * @throws {Error} on deadlock (no timers pending while the promise is pending), when
   *   `maxMs` of virtual time pass first, or as {@linkcode VirtualClock.advance} does
   */
  async runUntilSettled<T>(
    promise: PromiseLike<T>,
    options?: RunUntilSettledOptions,
  ): Promise<T> {
    let state: "pending" | "fulfilled" | "rejected" = "pending";
    let value: T | undefined;
    let reason: unknown;
    Promise.resolve(promise).then(
      (v) => {
        state = "fulfilled";
        value = v;
      },
      (e) => {
        state = "rejected";
        reason = e;
      },
    );
    // Handlers are attached before anything can throw, so a rejection is never unhandled.
    const maxMs = checkDuration("run VirtualClock", "maxMs", options?.maxMs ?? ONE_DAY_MS);
    this.#enter("runUntilSettled");
    try {
      const limit = this.#now + maxMs;
      await this.#drive(() => {
        if ((state as string) !== "pending") return false;
        const next = this.#heap.peek();
        if (next === undefined) {
          throw new Error(
            `VirtualClock.runUntilSettled: deadlock: no timers pending and the promise is ` +
              `still pending at ${this.#now} ms`,
          );
        }
        if (next.due > limit) {
          this.#now = limit;
          throw new Error(
            `VirtualClock.runUntilSettled: the promise is still pending after ${maxMs} ms of ` +
              `virtual time ('maxMs'); ${this.#heap.size} timers pending`,
          );
        }
        return true;
      });
    } finally {
      this.#busy = undefined;
    }
    if ((state as string) === "rejected") throw reason;
    return value as T;
  }

  /**
   * Fires timers until none is left.
   *
   * @param options bounds on virtual time and on the number of firings
   * @returns how many timers fired
   * @throws {Error} if timers remain after `maxMs` or `maxTimers` (a periodic timer never
   *   drains: use {@linkcode VirtualClock.advance} for those), or as `advance` does
   */
  async runAll(options?: RunAllOptions): Promise<number> {
    const maxMs = checkDuration("run VirtualClock", "maxMs", options?.maxMs ?? ONE_DAY_MS);
    const maxTimers = checkCount("run VirtualClock", "maxTimers", options?.maxTimers ?? 1_000_000);
    this.#enter("runAll");
    let fired = 0;
    try {
      const limit = this.#now + maxMs;
      await this.#drive(() => {
        const next = this.#heap.peek();
        if (next === undefined) return false;
        if (fired >= maxTimers || next.due > limit) {
          if (next.due > limit) this.#now = limit;
          throw new Error(
            `VirtualClock.runAll: ${this.#heap.size} timers still pending after ${fired} ` +
              `firings (bounds: 'maxTimers' ${maxTimers}, 'maxMs' ${maxMs})`,
          );
        }
        fired++;
        return true;
      });
    } finally {
      this.#busy = undefined;
    }
    return fired;
  }

  #enter(method: string): void {
    if (this.#busy !== undefined) {
      throw new Error(
        `Cannot call VirtualClock.${method}: ${this.#busy}() is still running; await it first`,
      );
    }
    this.#busy = method;
  }

  /**
   * Fires timers, one per host macrotask, while `another()` says so: it returns false to stop
   * (the promise resolves) or throws (the promise rejects with that error, as does a throwing
   * callback). Every firing, and the first check, comes after a hop to the host, so the
   * reactions of the previous firing, and of the caller's setup, have all run. The loop is
   * driven by the hops' callbacks rather than by an `await` per hop: a promise and an async
   * resumption per virtual timer were a tenth of what the 48 h churn run allocated on Node.
   */
  #drive(another: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const step = (): void => {
        try {
          if (!another()) {
            resolve();
            return;
          }
          this.#fireNext();
        } catch (error) {
          reject(error);
          return;
        }
        hop(step);
      };
      hop(step);
    });
  }

  #fireNext(): void {
    const timer = this.#heap.pop()!;
    if (timer.due === this.#instant) {
      if (++this.#firingsAtInstant > this.#maxFiringsPerInstant) {
        this.#heap.push(timer);
        throw new Error(
          `VirtualClock: more than ${this.#maxFiringsPerInstant} timers fired at ${timer.due} ms ` +
            `without time moving; a callback probably re-arms itself with no delay`,
        );
      }
    } else {
      this.#instant = timer.due;
      this.#firingsAtInstant = 1;
    }
    // Due times never lie in the past: delays are clamped to >= 0 from a `now` that only grows.
    this.#now = timer.due;
    this.#fired++;
    timer.callback();
  }
}
