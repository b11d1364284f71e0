/**
 * Provider upkeep, one job on the injected Clock: it forgets provider records whose lifetime
 * ended (48 h after their last announcement by default) and announces this node's own keys
 * again before others forget them (every 22 h by default), a few keys at a time. The timer is
 * armed only while there is something to do, for the earliest thing due, so an idle node has
 * none pending.
 *
 * @module
 */
import type { Clock, Timer } from "../clock.ts";
import { inPool } from "../operations/_pool.ts";
import type { ProviderStore } from "../records/providers.ts";
import type { ProvidedEntry, Providing } from "../records/providing.ts";

/** Re-announcements in progress at once (STYLE.md: background work is bounded). */
const REANNOUNCE_CONCURRENCY = 2;
/** Host timers overflow past 2^31 - 1 ms (and then fire at once): longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the job needs. */
export interface ProviderUpkeepOptions {
  /** Timers, monotonic time for the schedule, wall-clock time for expiry. */
  readonly clock: Clock;
  /** The provider records this node holds. */
  readonly providers: ProviderStore;
  /** The keys this node provides. */
  readonly providing: Providing;
  /** Announces one key again and moves its `dueAt` on; must not reject. */
  readonly reannounce: (entry: ProvidedEntry) => Promise<void>;
}

/** The provider expiry and re-announce job. */
export class ProviderUpkeep {
  readonly #clock: Clock;
  readonly #providers: ProviderStore;
  readonly #providing: Providing;
  readonly #reannounce: (entry: ProvidedEntry) => Promise<void>;
  #timer: Timer | undefined;
  #timerAt = Infinity;
  #running = false;
  #closed = false;
  #runs = 0;

  /** @param options the clock, the stores and the re-announce */
  constructor(options: ProviderUpkeepOptions) {
    this.#clock = options.clock;
    this.#providers = options.providers;
    this.#providing = options.providing;
    this.#reannounce = options.reannounce;
  }

  /** How many times the job has run. */
  get runs(): number {
    return this.#runs;
  }

  /** Re-arms the timer for the earliest thing due (after a provide, or a stop). */
  wake(): void {
    const now = this.#clock.now();
    const expiry = this.#providers.nextExpiry();
    const due = this.#providing.nextDue();
    let at = due ?? Infinity;
    if (expiry !== undefined) at = Math.min(at, now + expiry - this.#clock.wallTime());
    this.#arm(at, true);
  }

  /**
   * A provider record was added: make sure its expiry is scheduled. Cheap, for every announce.
   *
   * @param expiresAt its expiry (wall-clock ms)
   */
  added(expiresAt: number): void {
    this.#arm(this.#clock.now() + expiresAt - this.#clock.wallTime(), false);
  }

  /** Cancels the timer; the job never runs again. */
  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #arm(at: number, exact: boolean): void {
    if (this.#closed || this.#running) return; // a run re-arms when it ends
    if (at === Infinity) {
      if (exact) this.#cancel();
      return;
    }
    if (this.#timer && (exact ? this.#timerAt === at : this.#timerAt <= at)) return;
    this.#cancel();
    this.#timerAt = at;
    const delay = Math.min(at - this.#clock.now(), MAX_TIMER_MS);
    this.#timer = this.#clock.setTimer(() => void this.#run(), delay);
  }

  #cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  async #run(): Promise<void> {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#running = true;
    this.#runs++;
    try {
      this.#providers.removeExpired(this.#clock.wallTime());
      const due = this.#providing.due(this.#clock.now());
      await inPool(due.map((entry) => () => this.#reannounce(entry)), REANNOUNCE_CONCURRENCY);
    } finally {
      this.#running = false;
      if (!this.#closed) this.wake();
    }
  }
}
