/**
 * Random walk (libp2p's, py-libp2p's `enable_random_walk`): at a set interval the node looks up
 * a random id, so its routing table keeps meeting nodes in every part of the id space. A tick
 * that finds the previous walk still running skips its turn: at most one walk is in flight.
 * Off unless the node is given an interval; `close()` cancels the timer.
 *
 * @module
 */
import type { Clock, Timer } from "../clock.ts";

/** What the job needs. */
export interface RandomWalkOptions {
  /** Its timer. */
  readonly clock: Clock;
  /** Time between walks, in ms. */
  readonly intervalMs: number;
  /** Runs one walk (a lookup of a random id); its failure is ignored. */
  readonly walk: () => Promise<unknown>;
}

/** The random walk job. */
export class RandomWalk {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #walk: () => Promise<unknown>;
  #timer: Timer | undefined;
  #inFlight = false;
  #started = 0;
  #skipped = 0;

  /** @param options clock, interval and the walk */
  constructor(options: RandomWalkOptions) {
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs;
    this.#walk = options.walk;
  }

  /** Walks started. */
  get started(): number {
    return this.#started;
  }

  /** Ticks skipped because the previous walk was still running. */
  get skipped(): number {
    return this.#skipped;
  }

  /** True while a walk runs. */
  get inFlight(): boolean {
    return this.#inFlight;
  }

  /** Arms the first tick, one interval from now. Idempotent. */
  start(): void {
    this.#timer ??= this.#clock.setTimer(() => this.#tick(), this.#intervalMs);
  }

  /** Cancels the timer. A walk in progress is the node's to abort. */
  close(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = this.#clock.setTimer(() => this.#tick(), this.#intervalMs);
    if (this.#inFlight) {
      this.#skipped++;
      return;
    }
    this.#inFlight = true;
    this.#started++;
    this.#walk().catch(() => {}).finally(() => {
      this.#inFlight = false;
    });
  }
}
