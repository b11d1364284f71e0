/**
 * Bucket refresh (paper §2.3): a bucket that no lookup went through and no node in its range
 * spoke from for `refreshIntervalMs` is refreshed, so the routing table keeps knowing live
 * nodes in every part of the id space even where this node's own traffic never goes.
 *
 * A bucket with room gets the paper's lookup for a random id in its range: it needs nodes,
 * and the lookup meets them. Those buckets lie near our own id (only the buckets nearest to it
 * stay short), so one lookup meets the nodes of several of them: the buckets go deepest first,
 * and a bucket that an earlier refresh's answers made active again is skipped.
 *
 * A full bucket needs no new nodes, only to know that its own are still there, so it gets one
 * ping, to its least recently seen contact (the likeliest to be gone): an answer makes the
 * bucket active; silence counts against the contact, and a contact that stays silent turns bad
 * and gives its place to a spare from the replacement cache. A lookup costs some 25 queries
 * and eviction pings for the newcomers it meets: in the 48 h churn run, lookups of full buckets
 * were a third of all traffic.
 *
 * The refreshes run one at a time (STYLE.md: maintenance never launches every bucket refresh
 * at once).
 *
 * @module
 */
import { ask } from "../operations/ask.ts";
import { findNodes } from "../operations/find_nodes.ts";
import type { Services } from "../operations/services.ts";
import { ping } from "../rpc/methods/ping.ts";

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
  const { keeper, clock, k, id } = services.context;
  const table = keeper.table;
  // Targets first (a lookup may split buckets and shift the indexes), the deepest first.
  const targets = table.staleBuckets(clock.now(), intervalMs).reverse()
    .map((index) => table.randomIdInBucket(index, services.random));
  let refreshed = 0;
  for (const target of targets) {
    if (signal.aborted) break;
    if (clock.now() - table.bucketActivity(target) < intervalMs) continue;
    refreshed++;
    const contacts = table.bucketContacts(target);
    if (contacts.length < k) {
      await findNodes(services, target, { signal, bestEffort: true, askAll: true }).catch(() => {});
      continue;
    }
    const oldest = contacts[0]!; // a bucket runs from least recently seen to most
    // Refreshed either way: a silent contact is dealt with by its failure count, and the
    // bucket must not be refreshed again at once.
    table.touchBucket(target, clock.now());
    // The keeper records the outcome, an answer or a failure; neither stops the run.
    await ask(services, oldest, ping, { id }, signal).catch(() => {});
  }
  return { refreshed, nextInMs: table.oldestActivity() + intervalMs - clock.now() };
}
