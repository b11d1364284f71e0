/**
 * Runs a lookup for the node: seeds from the routing table (the 2k closest of its contacts that are
 * not bad, see {@linkcode LOOKUP_SEEDS_PER_K}), each query
 * timed by the contact keeper's RTT estimates, suspects and bad nodes handled as the lookup
 * layer describes, and the target's bucket marked as used (paper §2.3: a bucket needs a
 * refresh only if no lookup went through it).
 *
 * @module
 */
import { LOOKUP_SEEDS_PER_K } from "../constants.ts";
import { disjointLookup } from "../lookup/disjoint.ts";
import type { LookupEvent, LookupReply, LookupResult } from "../lookup/lookup.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import type { Services } from "./services.ts";

/** How to run one lookup. */
export interface RunLookupOptions<Found> {
  /** The method the lookup asks with, for its `lookup-finished` report. */
  readonly method: string;
  /** Asks one node. */
  readonly query: (node: NodeInfo) => Promise<LookupReply<Found>>;
  /** Told of each find; return true to end the lookup. */
  readonly onFound?: ((found: Found, from: NodeInfo) => boolean) | undefined;
  /** Never wait on a slow node (see the lookup's `bestEffort`). */
  readonly bestEffort?: boolean | undefined;
  /** Whether to wait for slow nodes among the k closest before ending (see the lookup). */
  readonly awaitSlow?: (() => boolean) | undefined;
  /** Once true, send no more queries and end when those in flight are done (see the lookup). */
  readonly drain?: (() => boolean) | undefined;
  /** Told of each step. */
  readonly onEvent?: ((event: LookupEvent<Found>) => void) | undefined;
  /** More places to start from (bootstrap replies). */
  readonly extraSeeds?: readonly NodeInfo[] | undefined;
  /** How many of the closest must answer before the end (see the lookup's `beta`). */
  readonly beta?: number | undefined;
  /** How many closest nodes must answer before the lookup ends. @default {the node's k} */
  readonly k?: number | undefined;
  /** Aborts the lookup. */
  readonly signal: AbortSignal;
  /** Disjoint paths (src/lookup/disjoint.ts); 1, the default, is one ordinary lookup. */
  readonly paths?: number | undefined;
}

/**
 * Runs one lookup for `target`.
 *
 * @param services the running node
 * @param target the 20-byte id sought
 * @param options the query and hooks
 * @returns the lookup's result
 */
export async function runLookup<Found>(
  services: Services,
  target: Uint8Array,
  options: RunLookupOptions<Found>,
): Promise<LookupResult<Found>> {
  const { context, counters } = services;
  const { keeper } = context;
  const k = options.k ?? context.k;
  let seeds: NodeInfo[] = keeper.closest(target, LOOKUP_SEEDS_PER_K * k);
  // With every contact bad (our own network was down a while), trying them beats knowing none.
  if (seeds.length === 0) seeds = keeper.table.closest(target, LOOKUP_SEEDS_PER_K * k);
  if (options.extraSeeds) seeds = seeds.concat(options.extraSeeds);
  counters.lookups++;
  const result = await disjointLookup<Found>({
    target,
    localId: context.id,
    seeds,
    k,
    alpha: services.alpha,
    beta: options.beta,
    clock: context.clock,
    slowAfter: (node) => keeper.timeouts(node).slowMs,
    standing: (node) => keeper.standing(node),
    query: options.query,
    onFound: options.onFound,
    awaitSlow: options.awaitSlow,
    drain: options.drain,
    bestEffort: options.bestEffort,
    oneNodePerIp: keeper.table.oneNodePerIp,
    onEvent: (event) => {
      // Silent past its grace period: treat it as a suspect until it answers, so the next
      // lookups do not wait on it even before its query times out.
      if (event.type === "overdue") keeper.overdue(event.node);
      options.onEvent?.(event);
    },
    // A dependent signal of its own: concurrent lookups must not each add a listener to the
    // shared one.
    signal: AbortSignal.any([options.signal]),
  }, options.paths ?? 1);
  counters.finished(result);
  keeper.table.touchBucket(target, context.clock.now());
  context.hooks.lookupFinished({
    method: options.method,
    target,
    rounds: result.rounds,
    queries: result.queries,
    failures: result.failures,
    answered: result.answered.length,
    found: result.found.length,
    durationMs: result.durationMs,
  });
  return result;
}
