/**
 * Lookups over d disjoint paths (S/Kademlia, Baumgart and Mies 2007, §4.4): the starting nodes
 * are dealt round-robin to d lookups that run at once and never share a node, since each node
 * met belongs to the first path that met it. An adversary that answers only with its
 * colluders then captures the paths it is on, not the others: with a fraction f of adversaries
 * and h hops, a lookup succeeds with probability about 1 − (1 − (1 − f)^h)^d instead of
 * (1 − f)^h (reliability.md, C7). The answer is the k nearest nodes of all paths together;
 * the cost is about d times a single lookup's queries.
 *
 * @module
 */
import { compareDistance, idToHex } from "../id/node_id.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { lookup, type LookupOptions, type LookupResult } from "./lookup.ts";

/**
 * Runs a lookup over `paths` disjoint paths; one path is an ordinary lookup.
 *
 * @param options the lookup, as for {@linkcode lookup}
 * @param paths how many disjoint paths, at least 1; no more are run than there are seeds
 * @returns the paths' results merged: the k nearest nodes of all paths, their queries and
 *   failures added up, the longest path's rounds and duration
 */
export async function disjointLookup<Found>(
  options: LookupOptions<Found>,
  paths: number,
): Promise<LookupResult<Found>> {
  const d = Math.min(paths, options.seeds.length);
  if (d <= 1) return await lookup(options);
  const claimed = new Set<string>();
  const claim = (node: NodeInfo): boolean => {
    const key = idToHex(node.id);
    if (claimed.has(key)) return false;
    claimed.add(key);
    return true;
  };
  const results = await Promise.all(
    Array.from({ length: d }, (_, path) =>
      lookup({
        ...options,
        seeds: options.seeds.filter((_, i) => i % d === path),
        claim,
      })),
  );
  const nearestFirst = (lists: NodeInfo[][]): NodeInfo[] =>
    lists.flat().sort((a, b) => compareDistance(options.target, a.id, b.id));
  return {
    closest: nearestFirst(results.map((r) => r.closest)).slice(0, options.k),
    answered: nearestFirst(results.map((r) => r.answered)),
    unasked: nearestFirst(results.map((r) => r.unasked)),
    found: results.flatMap((r) => r.found),
    queries: results.reduce((n, r) => n + r.queries, 0),
    failures: results.reduce((n, r) => n + r.failures, 0),
    rounds: Math.max(...results.map((r) => r.rounds)),
    durationMs: Math.max(...results.map((r) => r.durationMs)),
  };
}
