/**
 * The distance-based TTL of cached copies (kademlia-dynamic, "Cache TTL"; paper §2.3: "to
 * avoid over-caching, we make the expiration time of an object in any node's database
 * exponentially inversely proportional to the number of nodes between the current node and the
 * node whose ID is closest to the key ID").
 *
 * A copy cached by `findValue` on a node outside the k closest lives the record's full TTL
 * halved once for every node the caching node knows to be closer to the key than itself, never
 * less than `minCacheTtlMs`, and never past the record's own expiry.
 *
 * @module
 */
import { compareDistance } from "../id/node_id.ts";

/**
 * The lifetime of a cached copy, from the moment it is cached.
 *
 * @param fullTtlMs the record's TTL (its lifetime from its publication)
 * @param closerNodes how many nodes the caching node knows closer to the key than itself
 * @param minCacheTtlMs the floor
 * @returns `max(minCacheTtlMs, floor(fullTtlMs / 2^closerNodes))`
 * @example
 * ```ts
 * import { cacheTtlMs } from "./cache_ttl.ts";
 * console.log(cacheTtlMs(86_410_000, 3, 600_000)); // 10801250
 * console.log(cacheTtlMs(86_410_000, 10, 600_000)); // 600000
 * ```
 */
export function cacheTtlMs(fullTtlMs: number, closerNodes: number, minCacheTtlMs: number): number {
  return Math.max(minCacheTtlMs, Math.floor(fullTtlMs / 2 ** closerNodes));
}

/**
 * How many closer nodes can still shorten a cached copy's TTL: past this count the TTL is at
 * its floor, so a node need not count further.
 *
 * @param fullTtlMs the record's TTL
 * @param minCacheTtlMs the floor
 * @returns the smallest n with `fullTtlMs / 2^n <= minCacheTtlMs` (at most 64)
 */
export function halvingsToFloor(fullTtlMs: number, minCacheTtlMs: number): number {
  let n = 0;
  while (n < 64 && Math.floor(fullTtlMs / 2 ** n) > minCacheTtlMs) n++;
  return n;
}

/**
 * Counts the nodes in `known` (sorted nearest `key` first, as a routing table's `closest`
 * returns them) that are closer to `key` than `localId`.
 *
 * @param known contacts, nearest the key first
 * @param key the 20-byte key
 * @param localId the caching node's id
 * @returns how many of them are closer than the caching node
 */
export function countCloser(
  known: readonly { readonly id: Uint8Array }[],
  key: Uint8Array,
  localId: Uint8Array,
): number {
  let count = 0;
  for (const node of known) {
    if (compareDistance(key, node.id, localId) >= 0) break;
    count++;
  }
  return count;
}

/**
 * The cached-copy lifetime function of one node: it counts the closer nodes among those the
 * node knows (its routing table's nearest contacts, asked only for as many as can matter).
 *
 * @param known the node's contacts nearest an id, nearest first (`keeper.closest`)
 * @param localId the node's id, read on each call (it may change: BEP 42, saved state)
 * @param minCacheTtlMs the floor
 * @returns `(key, ttlMs) => lifetime in ms`
 */
export function cachedLifetime(
  known: (key: Uint8Array, count: number) => readonly { readonly id: Uint8Array }[],
  localId: () => Uint8Array,
  minCacheTtlMs: number,
): (key: Uint8Array, ttlMs: number) => number {
  return (key, ttlMs) => {
    const limit = halvingsToFloor(ttlMs, minCacheTtlMs);
    const closer = limit === 0 ? 0 : countCloser(known(key, limit), key, localId());
    return cacheTtlMs(ttlMs, closer, minCacheTtlMs);
  };
}
