/**
 * The options of a node's value lifecycle and persistence — republish, re-store, bucket
 * refresh, the TTL of cached copies, saved state — and their validation. The defaults are
 * kademlia-dynamic's (seeds/kademlia-dynamic.txt, "Configuration"), from src/constants.ts.
 *
 * @module
 */
import {
  MIN_CACHE_TTL_MS,
  RECORD_TTL_MS,
  REFRESH_INTERVAL_MS,
  REPLICATE_INTERVAL_MS,
  REPUBLISH_INTERVAL_MS,
  SAVE_STATE_INTERVAL_MS,
} from "../constants.ts";
import { isStateStore, type StateStore } from "../state/state_store.ts";

/** Lifecycle options of {@linkcode KademliaNode}; part of `KademliaNodeOptions`. */
export interface LifecycleOptions {
  /**
   * How often the original publisher publishes its records again (paper §2.5), each with a
   * new publication time, so they outlive `recordTtlMs` for as long as their publisher runs.
   * 0 = never. Must be shorter than `recordTtlMs`.
   * @default {86_400_000} (24 h; when `recordTtlMs` is shorter than its default, the same
   *   fraction of it, 86,400/86,410)
   */
  republishIntervalMs?: number;
  /**
   * How often other holders re-store what they hold to the current k closest nodes (paper
   * §2.5), skipping records someone stored here within the interval. A re-store carries the
   * original publication time and never extends a record's life. 0 = never.
   * @default {3_600_000} (1 h)
   */
  replicateIntervalMs?: number;
  /**
   * A bucket with no lookup through it and nobody in its range heard from for this long is
   * refreshed (paper §2.3): by a lookup for a random id in its range if it has room, by a ping
   * of its least-recently-seen contact if it is full. 0 = never.
   * @default {3_600_000} (1 h)
   */
  refreshIntervalMs?: number;
  /**
   * The floor of the TTL of a copy cached by `findValue` on a node outside the k closest: the
   * record's TTL halved once for every node the caching node knows closer to the key than
   * itself, never below this (and never past the record's own expiry).
   * @default {600_000} (10 min)
   */
  minCacheTtlMs?: number;
  /**
   * A file for the node's state: its id, its routing contacts with their health, and the
   * records it publishes with their schedule. `listen()` loads it (pinging the contacts before
   * trusting them), the node saves it every `saveStateIntervalMs` and on `close()`. A missing
   * file starts fresh; a corrupt or foreign one is reported to `onStateWarning` and ignored.
   */
  stateFile?: string;
  /**
   * How often a node with a `stateFile` saves it. 0 = only on `close()` and `saveState()`.
   * @default {600_000} (10 min)
   */
  saveStateIntervalMs?: number;
  /**
   * Reads and writes state files. By default the runtime's file system (registered by the
   * `@kdht/core` entry).
   */
  stateStore?: StateStore;
  /**
   * Told when a state file cannot be used (corrupt, truncated, another format version, another
   * codec, another node id) or saved. Must not throw. Such warnings are also `warning` events
   * and go to the `logger`.
   * @default {console.warn, when the node has no logger and no `warning` listener}
   */
  onStateWarning?: (message: string) => void;
}

/** Lifecycle settings after defaults. Intervals of 0 mean "never". */
export interface ResolvedLifecycle {
  republishIntervalMs: number;
  replicateIntervalMs: number;
  refreshIntervalMs: number;
  minCacheTtlMs: number;
  stateFile: string | undefined;
  saveStateIntervalMs: number;
  stateStore: StateStore | undefined;
  onStateWarning: ((message: string) => void) | undefined;
}

const MAX_INTERVAL_MS = 2 ** 40;

function interval(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value !== 0 && value < 1000) || value > MAX_INTERVAL_MS) {
    throw new RangeError(
      `Cannot create node: '${name}' must be 0 (never) or an integer from 1000 to ${MAX_INTERVAL_MS} ms, got ${
        String(value)
      }`,
    );
  }
  return value;
}

/**
 * Applies defaults and checks ranges.
 *
 * @param options what the caller passed
 * @param recordTtlMs the node's resolved record TTL
 * @returns the settings
 * @throws {RangeError} naming the option and the value if one is out of range
 * @throws {TypeError} if `stateFile`, `stateStore` or `onStateWarning` has the wrong type
 */
export function resolveLifecycle(
  options: LifecycleOptions,
  recordTtlMs: number,
): ResolvedLifecycle {
  const defaultRepublish = recordTtlMs >= RECORD_TTL_MS
    ? REPUBLISH_INTERVAL_MS
    : Math.floor(recordTtlMs * (REPUBLISH_INTERVAL_MS / RECORD_TTL_MS));
  const republishIntervalMs = interval(
    "republishIntervalMs",
    options.republishIntervalMs,
    defaultRepublish,
  );
  if (republishIntervalMs >= recordTtlMs) {
    throw new RangeError(
      `Cannot create node: 'republishIntervalMs' (${republishIntervalMs}) must be shorter than 'recordTtlMs' (${recordTtlMs}), or records expire before their publisher republishes them`,
    );
  }
  const minCacheTtlMs = options.minCacheTtlMs ?? Math.min(MIN_CACHE_TTL_MS, recordTtlMs);
  if (!Number.isInteger(minCacheTtlMs) || minCacheTtlMs < 0 || minCacheTtlMs > recordTtlMs) {
    throw new RangeError(
      `Cannot create node: 'minCacheTtlMs' must be an integer from 0 to recordTtlMs (${recordTtlMs}), got ${
        String(minCacheTtlMs)
      }`,
    );
  }
  const { stateFile, stateStore, onStateWarning } = options;
  if (stateFile !== undefined && (typeof stateFile !== "string" || stateFile === "")) {
    throw new TypeError(
      `Cannot create node: 'stateFile' must be a non-empty path, got ${String(stateFile)}`,
    );
  }
  if (stateStore !== undefined && !isStateStore(stateStore)) {
    throw new TypeError(`Cannot create node: 'stateStore' must have read() and write() methods`);
  }
  if (onStateWarning !== undefined && typeof onStateWarning !== "function") {
    throw new TypeError(
      `Cannot create node: 'onStateWarning' must be a function, got ${typeof onStateWarning}`,
    );
  }
  return {
    republishIntervalMs,
    replicateIntervalMs: interval(
      "replicateIntervalMs",
      options.replicateIntervalMs,
      REPLICATE_INTERVAL_MS,
    ),
    refreshIntervalMs: interval(
      "refreshIntervalMs",
      options.refreshIntervalMs,
      REFRESH_INTERVAL_MS,
    ),
    minCacheTtlMs,
    stateFile,
    saveStateIntervalMs: interval(
      "saveStateIntervalMs",
      options.saveStateIntervalMs,
      SAVE_STATE_INTERVAL_MS,
    ),
    stateStore,
    onStateWarning,
  };
}
