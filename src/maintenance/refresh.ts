/**
 * Bucket refresh (paper §2.3): a bucket that no lookup went through and no new contact
 * entered for `refreshIntervalMs` gets a lookup for a random id in its range, so the routing
 * table keeps knowing live nodes in every part of the id space even where this node's own
 * traffic never goes. The lookups run a few at a time (STYLE.md: maintenance never launches
 * every bucket refresh at once); a lookup counts as use of its target's bucket.
 *
 * @module
 */
import { inPool } from "../operations/_pool.ts";
import { findNodes } from "../operations/find_nodes.ts";
import type { Services } from "../operations/services.ts";

/** Refresh lookups in progress at once. */
export const REFRESH_CONCURRENCY = 2;

/**
 * Refreshes the buckets idle for `intervalMs`.
 *
 * @param services the running node
 * @param intervalMs how long a bucket may stay idle
 * @param signal aborts the lookups
 * @returns how many buckets were refreshed, and the delay until the next one goes idle
 */
export async function refreshStaleBuckets(
  services: Services,
  intervalMs: number,
  signal: AbortSignal,
): Promise<{ refreshed: number; nextInMs: number }> {
  const { keeper, clock } = services.context;
  const table = keeper.table;
  // Targets first: the lookups may split buckets and shift the indexes.
  const targets = table.staleBuckets(clock.now(), intervalMs)
    .map((index) => table.randomIdInBucket(index, services.random));
  await inPool(
    targets.map((target) => () => findNodes(services, target, signal)),
    REFRESH_CONCURRENCY,
  );
  return {
    refreshed: targets.length,
    nextInMs: table.oldestActivity() + intervalMs - clock.now(),
  };
}
