/**
 * Runs a node's background jobs through its Clock: each job runs, says how long until it
 * should run again, and is re-armed only once it has finished, so a slow run never overlaps
 * the next. `stop()` cancels every timer, so nothing keeps the process alive after `close()`.
 *
 * @module
 */
import type { Clock, Timer } from "../clock.ts";

/** One background job: does its work and returns the delay until its next run, in ms. */
export type Job = (signal: AbortSignal) => Promise<number> | number;

/** The shortest delay between two runs of a job, so a job that finds itself due at once
 * (a clock jump, a store that keeps failing) cannot spin. */
export const MIN_JOB_DELAY_MS = 1000;

/** Schedules jobs on a clock until stopped. */
export class Scheduler {
  readonly #clock: Clock;
  readonly #timers = new Map<string, Timer>();
  readonly #running = new Set<Promise<void>>();
  readonly #controller = new AbortController();

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
    return [...this.#timers.keys()];
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
    this.#timers.get(name)?.cancel();
    const timer = this.#clock.setTimer(() => {
      this.#timers.delete(name);
      const run = this.#run(name, job, retryMs);
      this.#running.add(run);
      run.finally(() => this.#running.delete(run));
    }, delayMs);
    this.#timers.set(name, timer);
  }

  async #run(name: string, job: Job, retryMs: number): Promise<void> {
    const signal = this.#controller.signal;
    let next = retryMs;
    try {
      next = await job(signal);
    } catch {
      // Background work fails when the network does; the next run tries again.
    }
    if (signal.aborted) return;
    this.every(name, Math.max(MIN_JOB_DELAY_MS, next), job, retryMs);
  }

  /**
   * Cancels every timer and aborts the runs in progress.
   *
   * @returns when the runs in progress have finished
   */
  async stop(): Promise<void> {
    this.#controller.abort();
    for (const timer of this.#timers.values()) timer.cancel();
    this.#timers.clear();
    await Promise.allSettled([...this.#running]);
  }
}
