/**
 * A running node's background jobs, each scheduled through the Clock by a
 * {@linkcode Scheduler}: the original publisher's republish, the holders' re-store, bucket
 * refresh, the expiry sweep and, with a `stateFile`, the periodic save. The node starts them
 * in `listen()` and stops them, timers and all, in `close()`.
 *
 * Periodic jobs start at a point of their period drawn from the node id (uniform, as ids
 * are), so the nodes of a network do not all wake at once: spread-out holders are what lets the paper's "skip what was just stored here"
 * rule leave about one re-store per record per hour.
 *
 * @module
 */
import { EXPIRE_SWEEP_INTERVAL_MS } from "../constants.ts";
import type { Services } from "../operations/services.ts";
import type { ResolvedLifecycle } from "./lifecycle_options.ts";
import { refreshStaleBuckets } from "./refresh.ts";
import { replicateHeld } from "./replicate.ts";
import { nextRepublishInMs, republishOwn } from "./republish.ts";
import { Scheduler } from "./scheduler.ts";

/** Totals of the background work since the node started. */
export interface MaintenanceStats {
  /** Records this node published again as their original publisher. */
  republished: number;
  /** Records it gave up publishing because the network held a later write. */
  superseded: number;
  /** Replicas it re-stored to the k closest. */
  restored: number;
  /** Of those, re-stores by a holder that knew k nodes nearer the key than itself. */
  restoredFromOutside: number;
  /** Replicas it kept only as cached copies after handing them to the k closest. */
  demoted: number;
  /** Buckets refreshed with a lookup. */
  refreshed: number;
  /** Expired records swept from storage. */
  expired: number;
  /** Periodic state saves. */
  saves: number;
}

/** A fresh set of zero counters. */
export function emptyMaintenanceStats(): MaintenanceStats {
  return {
    republished: 0,
    superseded: 0,
    restored: 0,
    restoredFromOutside: 0,
    demoted: 0,
    refreshed: 0,
    expired: 0,
    saves: 0,
  };
}

/** What the jobs need besides the running node. */
export interface MaintenanceOptions {
  /** The intervals; 0 turns a job off. */
  readonly lifecycle: ResolvedLifecycle;
  /** The lifetime from now of a cached copy of a record under `key` with `ttlMs`. */
  readonly cachedLifetime: (key: Uint8Array, ttlMs: number) => number;
  /** Saves the node's state, when it has a `stateFile`. */
  readonly saveState?: (() => Promise<void>) | undefined;
  /** Counters to add to. */
  readonly stats: MaintenanceStats;
}

/** The background jobs of one running node. */
export class Maintenance {
  readonly #services: Services;
  readonly #options: MaintenanceOptions;
  readonly #scheduler: Scheduler;

  /**
   * @param services the running node
   * @param options intervals, the cached-copy lifetime and the state saver
   */
  constructor(services: Services, options: MaintenanceOptions) {
    this.#services = services;
    this.#options = options;
    this.#scheduler = new Scheduler(services.context.clock);
  }

  /** Names of the jobs with a run scheduled (for tests and introspection). */
  get scheduled(): string[] {
    return this.#scheduler.scheduled;
  }

  /** Schedules every job that is turned on. */
  start(): void {
    const services = this.#services;
    const { lifecycle, stats, cachedLifetime, saveState } = this.#options;
    const scheduler = this.#scheduler;
    // The point of its period where a job first runs comes from the node id, not from the
    // random source: a node keeps its phase across restarts, and draws nothing for it.
    const id = services.context.id;
    let job = 0;
    const phase = (periodMs: number): number => {
      const at = 4 * job++;
      const fraction =
        (((id[at]! << 24) | (id[at + 1]! << 16) | (id[at + 2]! << 8) | id[at + 3]!) >>>
          0) / 2 ** 32;
      return Math.ceil(periodMs * fraction);
    };
    const storage = services.context.records.storage;
    const clock = services.context.clock;

    scheduler.every("expire", phase(EXPIRE_SWEEP_INTERVAL_MS), () => {
      stats.expired += storage.removeExpired(clock.wallTime());
      return EXPIRE_SWEEP_INTERVAL_MS;
    }, EXPIRE_SWEEP_INTERVAL_MS);

    const replicateMs = lifecycle.replicateIntervalMs;
    if (replicateMs > 0) {
      scheduler.every("replicate", phase(replicateMs), async (signal) => {
        const outcome = await replicateHeld(services, {
          intervalMs: replicateMs,
          cachedLifetime,
          signal,
        });
        stats.restored += outcome.records;
        stats.restoredFromOutside += outcome.outside;
        stats.demoted += outcome.demoted;
        return replicateMs;
      }, replicateMs);
    }

    const republishMs = lifecycle.republishIntervalMs;
    if (republishMs > 0) {
      // Batch what falls due within 1/24 of the interval (an hour of a day), never so much
      // that a record expires before it is republished.
      const settings = { intervalMs: republishMs, slackMs: Math.floor(republishMs / 24) };
      scheduler.every("republish", nextRepublishInMs(services, settings), async (signal) => {
        const outcome = await republishOwn(services, { ...settings, signal });
        stats.republished += outcome.republished;
        stats.superseded += outcome.superseded;
        return outcome.nextInMs;
      }, settings.slackMs);
    }

    const refreshMs = lifecycle.refreshIntervalMs;
    if (refreshMs > 0) {
      // A node joins (or revalidates its saved contacts) right after listen(), which touches
      // every bucket: the first refresh can wait a whole interval.
      scheduler.every("refresh", refreshMs, async (signal) => {
        const outcome = await refreshStaleBuckets(services, refreshMs, signal);
        stats.refreshed += outcome.refreshed;
        return outcome.nextInMs;
      }, refreshMs);
    }

    const saveMs = lifecycle.saveStateIntervalMs;
    if (saveState !== undefined && saveMs > 0) {
      scheduler.every("save", saveMs, async () => {
        await saveState();
        stats.saves++;
        return saveMs;
      }, saveMs);
    }
  }

  /**
   * Cancels every timer and aborts the runs in progress.
   *
   * @returns when the runs in progress have finished
   */
  stop(): Promise<void> {
    return this.#scheduler.stop();
  }
}
