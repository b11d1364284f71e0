/**
 * Runs a node's background jobs through its Clock: each job runs, says how long until it
 * should run again, and is re-armed only once it has finished, so a slow run never overlaps
 * the next. `stop()` cancels the timer, so nothing keeps the process alive after `close()`.
 *
 * The jobs share one clock timer, armed for the earliest of them: a timer of their own each
 * (four or five per node) was about 1 KB of heap per node on Node, timer objects, closures and
 * their contexts, in a process that runs thousands of simulated nodes.
 *
 * @module
 */
import type { Clock, Timer } from "../clock.ts";

/** One background job: does its work and returns the delay until its next run, in ms. */
export type Job = (signal: AbortSignal) => Promise<number> | number;

/** The shortest delay between two runs of a job, so a job that finds itself due at once
 * (a clock jump, a store that keeps failing) cannot spin. */
export const MIN_JOB_DELAY_MS = 1000;

interface Entry {
  readonly job: Job;
  readonly retryMs: number;
  /** When it runs next (the clock's time). */
  dueAt: number;
}

/** Schedules jobs on a clock until stopped. */
export class Scheduler {
  readonly #clock: Clock;
  /** The jobs waiting for their next run, by name (a running job is not here). */
  readonly #waiting = new Map<string, Entry>();
  readonly #running = new Set<Promise<void>>();
  readonly #controller = new AbortController();
  #timer: Timer | undefined = undefined;
  #timerAt = Infinity;

  /** @param clock where timers come from */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Aborted by `stop()`: jobs pass it to the queries they send. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Names of the jobs that have a run scheduled. */
  get scheduled(): string[] {
    return [...this.#waiting.keys()];
  }

  /**
   * Runs `job` after `delayMs`, then again after each delay it returns, until `stop()`. A run
   * that throws is retried after `retryMs`.
   *
   * @param name identifies the job (one schedule per name)
   * @param delayMs the delay before the first run
   * @param job the work
   * @param retryMs the delay after a failed run
   */
  every(name: string, delayMs: number, job: Job, retryMs: number): void {
    if (this.#controller.signal.aborted) return;
    const dueAt = this.#clock.now() + delayMs;
    this.#waiting.delete(name); // re-inserted last: jobs due at one instant run in order
    this.#waiting.set(name, { job, retryMs, dueAt });
    if (dueAt < this.#timerAt) this.#arm(dueAt);
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimer(() => this.#fire(), Math.max(0, at - this.#clock.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const [name, entry] of [...this.#waiting]) {
      if (entry.dueAt > now) {
        next = Math.min(next, entry.dueAt);
        continue;
      }
      this.#waiting.delete(name);
      const run = this.#run(name, entry);
      this.#running.add(run);
      run.finally(() => this.#running.delete(run));
    }
    // The runs started re-arm themselves (`every`) only once they finish, after an await.
    if (next < Infinity) this.#arm(next);
  }

  async #run(name: string, entry: Entry): Promise<void> {
    const signal = this.#controller.signal;
    let next = entry.retryMs;
    try {
      next = await entry.job(signal);
    } catch {
      // Background work fails when the network does; the next run tries again.
    }
    if (signal.aborted) return;
    this.every(name, Math.max(MIN_JOB_DELAY_MS, next), entry.job, entry.retryMs);
  }

  /**
   * Cancels the timer and aborts the runs in progress.
   *
   * @returns when the runs in progress have finished
   */
  async stop(): Promise<void> {
    this.#controller.abort();
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#waiting.clear();
    await Promise.allSettled([...this.#running]);
  }
}
