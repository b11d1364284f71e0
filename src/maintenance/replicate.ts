/**
 * A holder's hourly re-store (paper §2.5): every replica this node holds that nobody stored
 * here within the interval goes to the current k closest nodes, with its original publication
 * time, publisher and TTL, so a re-store never extends a record's life.
 *
 * Both of the paper's optimizations apply. A node that received a store for a record within
 * the interval skips it (the sender stored it on the others too), so once the holders' runs
 * are spread over the hour, about one of them re-stores each record. And no re-store needs a
 * lookup: a holder is near the key (a store put it there), and a node's table knows its own
 * neighbourhood completely (§2.4), so the k closest contacts it knows are the k closest.
 *
 * The records go out batched: one `store_batch` per target node rather than one `store` per
 * record and target, since the records a node holds lie near its own id and share most of
 * their k closest (src/maintenance/store_batches.ts).
 *
 * A holder that knows k nodes nearer the key than itself (nodes joined nearer, which happens
 * to some holder of every record near each joining node) asks the nearest of them for the
 * record first: if it has this publication or a later one, the k closest keep the record up
 * between them and this node stops re-storing; if not, this node hands the record to all k
 * and stops once most of them took it. Either way its own copy stays only as a cached copy
 * with the distance-based TTL, so ex-holders fall silent and stale copies fade.
 *
 * @module
 */
import { MAINTENANCE_CONCURRENCY } from "../constants.ts";
import { inPool } from "../operations/_pool.ts";
import { ask } from "../operations/ask.ts";
import type { Services } from "../operations/services.ts";
import { countCloser } from "../records/cache_ttl.ts";
import { compareRecords, type StoredRecord } from "../records/record.ts";
import { findValue } from "../rpc/methods/find_value.ts";
import type { BatchRecord } from "../rpc/methods/store_batch.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { byNode, deliver } from "./store_batches.ts";

/** What one re-store run did. */
export interface ReplicateOutcome {
  /** Records re-stored. */
  readonly records: number;
  /** Of those, records of which this node knew k holders nearer the key than itself. */
  readonly outside: number;
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
 * Where a holder re-stores a record: the k closest contacts its table knows, less the last
 * one when this node is itself among the k closest.
 *
 * @param services the running node
 * @param key the record's key
 * @returns the targets, and whether this node is outside the k closest it knows
 */
export function restoreTargets(
  services: Services,
  key: Uint8Array,
): { readonly targets: NodeInfo[]; readonly outside: boolean } {
  const { keeper, id, k } = services.context;
  const closest = keeper.closest(key, k);
  const outside = closest.length >= k && countCloser(closest, key, id) >= k;
  return { targets: outside ? closest : closest.slice(0, k - 1), outside };
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
  const { context } = services;
  const { records, clock, k } = context;
  const { signal } = options;
  const now = clock.wallTime();
  const plans = records.storage.replicateDue(now - options.intervalMs)
    .filter((record) => record.expiresAt > now && !record.local && !record.cached)
    .map((record) => ({
      record,
      batched: {
        target: record.key,
        value: record.value,
        publishedAt: record.publishedAt,
        ttlMs: record.expiresAt - record.publishedAt,
        publisher: record.publisher,
        name: record.name,
      } as BatchRecord,
      ...restoreTargets(services, record.key),
    }));
  // A holder outside the k closest asks the nearest of them first: if it holds the record,
  // the k closest keep it up and this node has nothing to send.
  const outside = plans.filter((plan) => plan.outside);
  const covered = new Set<(typeof plans)[number]>();
  await inPool(
    outside.map((plan) => async () => {
      if (await nearestHolds(services, plan.targets[0]!, plan.record, signal)) covered.add(plan);
    }),
    MAINTENANCE_CONCURRENCY,
  );
  const sending = plans.filter((plan) => !covered.has(plan) && plan.targets.length > 0);
  const acks = await deliver(
    services,
    byNode(sending.map((plan) => ({ record: plan.batched, nodes: plan.targets }))),
    signal,
  );
  let demoted = 0;
  for (const plan of outside) {
    // Demote only once the k closest hold the record: until then this copy may be the one
    // keeping it alive.
    if (!covered.has(plan) && (acks.get(plan.batched) ?? 0) < Math.ceil(k / 2)) continue;
    const held = records.storage.get(plan.record.key);
    // Only the copy re-stored here is demoted; a newer one that arrived meanwhile stays.
    if (held === undefined || held.publishedAt !== plan.record.publishedAt || held.local) continue;
    const expiresAt = Math.min(
      held.expiresAt,
      clock.wallTime() + options.cachedLifetime(held.key, held.expiresAt - held.publishedAt),
    );
    records.storage.put({ ...held, cached: true, expiresAt });
    demoted++;
  }
  let stores = 0;
  for (const n of acks.values()) stores += n;
  return { records: plans.length, outside: outside.length, stores, demoted };
}

/** True if `node` answers `find_value` with this publication of the record or a later one. */
async function nearestHolds(
  services: Services,
  node: NodeInfo,
  record: StoredRecord,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    const reply = await ask(services, node, findValue, {
      id: services.context.id,
      target: record.key,
    }, signal);
    return reply.record !== undefined && compareRecords(reply.record, record) >= 0;
  } catch {
    signal.throwIfAborted();
    return false;
  }
}
