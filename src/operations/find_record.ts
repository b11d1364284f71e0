/**
 * `get` and `findValue`: the paper's FIND_VALUE, made to return the newest value the network
 * holds. The lookup does not stop at the first value (that may be a stale copy cached on the
 * way): it collects every value the nodes it asks hold, until it ends among the k closest, or
 * until `quorum` values were seen, and the latest publication wins (last writer wins). The
 * newest value is then stored at the nearest node that answered without it (paper §2.3
 * caching: as a replica if that node is among the k closest, else as a cached copy).
 *
 * @module
 */
import { idsEqual } from "../id/node_id.ts";
import { compareRecords } from "../records/record.ts";
import { findValue, type FoundRecord } from "../rpc/methods/find_value.ts";
import { store } from "../rpc/methods/store.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { ask } from "./ask.ts";
import { runLookup } from "./run_lookup.ts";
import type { Services } from "./services.ts";

/** What a network read found. */
export interface FoundValue {
  /** The newest record seen, if any node held one. */
  readonly record: FoundRecord | undefined;
  /** The k closest nodes that answered, nearest first. */
  readonly closest: NodeInfo[];
  /** How many nodes answered with a value. */
  readonly holders: number;
}

/**
 * Reads `target` from the network.
 *
 * @param services the running node
 * @param target the 20-byte key
 * @param options stop after `quorum` values (default: not before the lookup ends), whether to
 *   cache the newest at the nearest node that lacked it (default true), abort signal
 */
export async function findRecord(
  services: Services,
  target: Uint8Array,
  options: { quorum?: number | undefined; cache?: boolean | undefined; signal: AbortSignal },
): Promise<FoundValue> {
  const { context } = services;
  const id = context.id;
  const { signal } = options;
  const quorum = options.quorum ?? Infinity;
  let values = 0;
  const result = await runLookup<FoundRecord>(services, target, {
    method: findValue.name,
    signal,
    query: async (node) => {
      const reply = await ask(services, node, findValue, { id, target }, signal);
      return { nodes: reply.nodes, found: reply.record };
    },
    onFound: () => ++values >= quorum,
    // Nothing found yet: a slow holder must not pass for an absent value.
    awaitSlow: () => values === 0,
  });
  let newest: FoundRecord | undefined;
  for (const { value } of result.found) {
    if (newest === undefined || compareRecords(value, newest) > 0) newest = value;
  }
  if (newest !== undefined && options.cache !== false) {
    cacheAtNearestWithout(services, target, newest, result, signal);
  }
  return { record: newest, closest: result.closest, holders: result.found.length };
}

/** What a value lookup saw: who answered, nearest first, and who answered with what. */
export interface ValueLookupResult {
  /** Every node that answered, nearest first. */
  readonly answered: readonly NodeInfo[];
  /** The k closest of them. */
  readonly closest: readonly NodeInfo[];
  /** The records found and who held them. */
  readonly found: readonly { readonly value: FoundRecord; readonly from: NodeInfo }[];
}

/**
 * Where the newest record goes after a read (paper §2.3): the nearest node that answered
 * without it, or with an older record.
 *
 * @param result what the lookup saw
 * @param newest the newest record found
 * @returns that node, and whether it is among the k closest (a replica) or not (a cache copy)
 */
export function nearestWithout(
  result: ValueLookupResult,
  newest: FoundRecord,
): { node: NodeInfo; inClosest: boolean } | undefined {
  const current = (node: NodeInfo) =>
    result.found.some((f) => f.from === node && compareRecords(f.value, newest) >= 0);
  const node = result.answered.find((candidate) => !current(candidate));
  if (!node) return undefined;
  return { node, inClosest: result.closest.some((c) => idsEqual(c.id, node.id)) };
}

/** Stores the newest record at the nearest node that answered without it (or with an older one). */
function cacheAtNearestWithout(
  services: Services,
  target: Uint8Array,
  newest: FoundRecord,
  result: ValueLookupResult,
  signal: AbortSignal,
): void {
  const where = nearestWithout(result, newest);
  if (!where) return;
  const { node: nearest, inClosest } = where;
  ask(services, nearest, store, {
    id: services.context.id,
    target,
    value: newest.value,
    publishedAt: newest.publishedAt,
    ttlMs: newest.ttlMs,
    cached: !inClosest,
  }, signal).catch(() => {});
}
