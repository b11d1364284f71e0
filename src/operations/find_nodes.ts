/**
 * `findNode`: the k closest nodes to an id that answered.
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
 * Looks up the nodes closest to `target` with `find_node`.
 *
 * @param services the running node
 * @param target the 20-byte id
 * @param signal aborts the lookup
 * @param extraSeeds more starting points
 * @param bestEffort for background work (joins, refreshes): never wait on a slow node; its
 *   late answer still reaches the routing table
 * @returns the lookup result; `closest` holds up to k nodes that answered, nearest first
 */
export function findNodes(
  services: Services,
  target: Uint8Array,
  signal: AbortSignal,
  extraSeeds?: readonly NodeInfo[],
  bestEffort = false,
): Promise<LookupResult<never>> {
  const id = services.context.id;
  return runLookup<never>(services, target, {
    method: findNode.name,
    signal,
    extraSeeds,
    bestEffort,
    // The result is the k closest: a slow node among them gets its grace period rather than
    // being passed over (a live node on a long link would be missing from the answer). A
    // node still silent after it is overdue, and later lookups do not wait on it again.
    awaitSlow: () => true,
    query: async (node) => {
      const reply = await ask(services, node, findNode, { id, target }, signal);
      return { nodes: reply.nodes };
    },
  });
}
