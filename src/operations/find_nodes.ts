/**
 * `findNode`: the k closest nodes to an id.
 *
 * @module
 */
import type { LookupResult } from "../lookup/lookup.ts";
import { findNode } from "../rpc/methods/find_node.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { ask } from "./ask.ts";
import { runLookup } from "./run_lookup.ts";
import type { Services } from "./services.ts";

/**
 * How many of the closest nodes a lookup that may return nodes it did not ask waits for, with
 * the nearest of each subtree the k closest span (the β-style stop, performance.md §2): 40–45 %
 * of the queries of asking all k on 1,000–10,000 simulated nodes, with the true k closest in
 * the answer (docs/performance.md).
 */
export const LOOKUP_BETA = 3;

/** How to look up. */
export interface FindNodesOptions {
  /** Aborts the lookup. */
  readonly signal: AbortSignal;
  /** More starting points (bootstrap replies). */
  readonly extraSeeds?: readonly NodeInfo[] | undefined;
  /**
   * For background work (joins, refreshes): never wait on a slow node; its late answer still
   * reaches the routing table.
   */
  readonly bestEffort?: boolean | undefined;
  /**
   * Ask every one of the k closest, so each answered (and learnt of this node): joins and
   * refreshes, whose point is to be known by and to know the neighbourhood, and callers that
   * want only nodes seen alive. Otherwise the lookup stops once the {@linkcode LOOKUP_BETA}
   * closest and the nearest of each subtree answered, and the result holds nodes they named.
   */
  readonly askAll?: boolean | undefined;
  /** Disjoint paths (src/lookup/disjoint.ts); 1, the default, is one ordinary lookup. */
  readonly paths?: number | undefined;
}

/**
 * Looks up the nodes closest to `target` with `find_node`.
 *
 * @param services the running node
 * @param target the 20-byte id
 * @param options signal, seeds and the stop rule
 * @returns the lookup result; `closest` holds up to k nodes, nearest first
 */
export function findNodes(
  services: Services,
  target: Uint8Array,
  options: FindNodesOptions,
): Promise<LookupResult<never>> {
  const id = services.context.id;
  const { signal } = options;
  return runLookup<never>(services, target, {
    method: findNode.name,
    signal,
    extraSeeds: options.extraSeeds,
    bestEffort: options.bestEffort,
    paths: options.paths,
    beta: options.askAll ? undefined : LOOKUP_BETA,
    // Asking all: the result is the nodes that answered, so a slow node among the k closest
    // gets its grace period rather than being passed over (a live node on a long link would be
    // missing). A node still silent after it is overdue, and later lookups do not wait on it
    // again. The β-style stop keeps a slow node in its result without waiting for it.
    awaitSlow: () => options.askAll === true,
    query: async (node) => {
      const reply = await ask(services, node, findNode, { id, target }, signal);
      return { nodes: reply.nodes };
    },
  });
}
