/**
 * A holder's hourly re-store (paper §2.5): every replica this node holds that nobody stored
 * here within the interval goes to the current k closest nodes, with its original publication
 * time, publisher and TTL, so a re-store never extends a record's life.
 *
 * Both of the paper's optimizations apply. A node that received a store for a record within
 * the interval skips it (the sender stored it on the others too), so once the holders' runs
 * are spread over the hour, about one of them re-stores each record. And a holder that is
 * itself among the k closest to the key, as its routing table knows them, stores straight to
 * those contacts without a lookup: its table knows its own neighbourhood completely (§2.4). A
 * holder outside the k closest (nodes joined nearer the key) looks the k closest up, hands
 * the record to them, and keeps its own copy only as a cached copy with the distance-based
 * TTL, so ex-holders stop re-storing and stale copies fade.
 *
 * @module
 */
import { MAINTENANCE_CONCURRENCY } from "../constants.ts";
import { inPool } from "../operations/_pool.ts";
import { findNodes } from "../operations/find_nodes.ts";
import type { Services } from "../operations/services.ts";
import { countCloser } from "../records/cache_ttl.ts";
import type { StoredRecord } from "../records/record.ts";
import type { StoreArgs } from "../rpc/methods/store.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { storeOn } from "./store_on.ts";

/** What one re-store run did. */
export interface ReplicateOutcome {
  /** Records re-stored. */
  readonly records: number;
  /** Of those, records this node looked the k closest up for (it was not among them). */
  readonly lookups: number;
  /** Stores acknowledged. */
  readonly stores: number;
  /** Records this node kept only as a cached copy afterwards. */
  readonly demoted: number;
}

/** What a re-store run needs besides the node. */
export interface ReplicateOptions {
  /** Records received within this many ms are skipped. */
  readonly intervalMs: number;
  /** The lifetime from now of a copy this node keeps as a cached copy (distance-based). */
  readonly cachedLifetime: (key: Uint8Array, ttlMs: number) => number;
  /** Aborts the run. */
  readonly signal: AbortSignal;
}

/**
 * The nodes a holder among the k closest re-stores to, from its own table; `undefined` when
 * the table knows k nodes closer to the key than this node.
 *
 * @param services the running node
 * @param key the record's key
 * @returns the other k - 1 of the k closest, or undefined
 */
export function nearTargets(services: Services, key: Uint8Array): NodeInfo[] | undefined {
  const { keeper, id, k } = services.context;
  const closest = keeper.closest(key, k);
  if (countCloser(closest, key, id) >= k) return undefined;
  return closest.slice(0, k - 1);
}

/**
 * Re-stores the replicas due.
 *
 * @param services the running node
 * @param options the interval, the cached-copy lifetime and the abort signal
 * @returns what was done
 */
export async function replicateHeld(
  services: Services,
  options: ReplicateOptions,
): Promise<ReplicateOutcome> {
  const { records, clock } = services.context;
  const now = clock.wallTime();
  const due = records.storage.replicateDue(now - options.intervalMs)
    .filter((record) => record.expiresAt > now && !record.local && !record.cached);
  let lookups = 0;
  let stores = 0;
  let demoted = 0;
  await inPool(
    due.map((record) => async () => {
      const outcome = await restore(services, record, options);
      if (outcome.looked) lookups++;
      if (outcome.demoted) demoted++;
      stores += outcome.stores;
    }),
    MAINTENANCE_CONCURRENCY,
  );
  return { records: due.length, lookups, stores, demoted };
}

async function restore(
  services: Services,
  record: StoredRecord,
  options: ReplicateOptions,
): Promise<{ looked: boolean; stores: number; demoted: boolean }> {
  const { context } = services;
  const { signal } = options;
  const args: StoreArgs = {
    id: context.id,
    target: record.key,
    value: record.value,
    publishedAt: record.publishedAt,
    ttlMs: record.expiresAt - record.publishedAt,
    publisher: record.publisher,
    name: record.name,
  };
  const near = nearTargets(services, record.key);
  if (near !== undefined) {
    return { looked: false, stores: await storeOn(services, near, args, signal), demoted: false };
  }
  const { closest } = await findNodes(services, record.key, signal);
  const stores = await storeOn(services, closest, args, signal);
  // Demote only when the lookup confirmed k nodes nearer than this one and most of them now
  // hold the record: until then this copy may be the one keeping it alive.
  const k = context.k;
  const farther = closest.length >= k && countCloser(closest, record.key, context.id) >= k;
  if (!farther || stores < Math.ceil(k / 2)) return { looked: true, stores, demoted: false };
  const held = context.records.storage.get(record.key);
  // Only the copy re-stored here is demoted; a newer one that arrived meanwhile stays.
  if (held === undefined || held.publishedAt !== record.publishedAt || held.local) {
    return { looked: true, stores, demoted: false };
  }
  const now = context.clock.wallTime();
  const expiresAt = Math.min(
    held.expiresAt,
    now + options.cachedLifetime(record.key, args.ttlMs),
  );
  context.records.storage.put({ ...held, cached: true, expiresAt });
  return { looked: true, stores, demoted: true };
}
