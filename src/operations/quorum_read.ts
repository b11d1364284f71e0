/**
 * `get` and `getRecord`: a read that gathers several answers and repairs the network
 * (js-libp2p's content fetching, with entry correction). The `find_value` walk collects each
 * peer's answer until `quorum` peers answered with a value (it then sends no new query, but
 * keeps the answers already on their way) or the walk ends among the k closest; values a namespace's validator rejects are dropped (and reported). The best value is picked
 * with the namespace's `select` (the newest publication for plain keys), this node's own copy
 * included, and then stored on every peer among the k closest that answered with another value
 * or none (entry correction) — and, when the answers disagreed, on those of the k closest a
 * quorum kept the walk from asking — and cached at the nearest node outside them that lacked it
 * (paper §2.3). The outcome says how many agreed, how many were asked and corrected, and whether the
 * quorum was met: a shortfall is reported, never hidden.
 *
 * @module
 */
import { compareDistance } from "../id/node_id.ts";
import { failureEvent, lookupEmitter, type QueryEvent } from "../query_events.ts";
import { Peer } from "../peer.ts";
import { compareRecords } from "../records/record.ts";
import { valuesEqual } from "../records/validators.ts";
import { findValue, type FoundRecord } from "../rpc/methods/find_value.ts";
import { store } from "../rpc/methods/store.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { ask } from "./ask.ts";
import { nearestWithout } from "./find_record.ts";
import { runLookup } from "./run_lookup.ts";
import type { Services } from "./services.ts";

/** How to read. */
export interface QuorumReadOptions {
  /** The key as written, when namespaced (its validator then applies). */
  readonly name?: string | undefined;
  /** Stop once this many peers answered with a valid value; the walk's end by default. */
  readonly quorum?: number | undefined;
  /** Correct the peers that lack the best value and adopt it here (false: only read). */
  readonly correct: boolean;
  /** Count this node's own copy among the candidates. @default {true} */
  readonly local?: boolean | undefined;
  /** Aborts the read. */
  readonly signal: AbortSignal;
  /** Told of each step. */
  readonly emit?: ((event: QueryEvent) => void) | undefined;
}

/** What a read found and did. */
export interface QuorumReadOutcome {
  /** The best record, from the network or this node's own copy. */
  readonly best: FoundRecord | undefined;
  /** Peers that answered with the best value. */
  readonly agreed: number;
  /** Peers that answered with a valid value (the best or another). */
  readonly holders: number;
  /** Peers that answered with a value the validator rejected. */
  readonly invalid: number;
  /** Peers queried. */
  readonly asked: number;
  /** Peers that answered. */
  readonly answered: number;
  /** True if `quorum` peers answered with a valid value (always, when no quorum was asked). */
  readonly quorumMet: boolean;
  /** Peers that answered with another value or none, and stored the best when sent it. */
  readonly corrected: NodeInfo[];
  /**
   * Peers among the k closest the walk had not asked when it reached its quorum, sent the best
   * value because the answers disagreed, that stored it (they may have held it already).
   */
  readonly refreshed: NodeInfo[];
  /** The k closest peers that answered, nearest first. */
  readonly closest: NodeInfo[];
}

/**
 * Reads `target` from the network.
 *
 * @param services the running node
 * @param target the 20-byte key
 * @param options quorum, correction, the key's name, signal and events
 */
export async function quorumRead(
  services: Services,
  target: Uint8Array,
  options: QuorumReadOptions,
): Promise<QuorumReadOutcome> {
  const { context } = services;
  const { records, validators } = context;
  const { name, signal, emit } = options;
  const validated = validators.forKey(name) !== undefined;
  const quorum = options.quorum ?? Infinity;
  // Each answering peer's valid record, or undefined (no value, or an invalid one).
  const answers = new Map<NodeInfo, FoundRecord | undefined>();
  let holders = 0;
  let invalid = 0;
  const result = await runLookup<FoundRecord>(services, target, {
    method: "find_value",
    signal,
    query: async (node) => {
      const reply = await ask(services, node, findValue, { id: context.id, target }, signal);
      let found = reply.record;
      if (found && validated) {
        try {
          await validators.validate(name!, found.value);
        } catch (error) {
          invalid++;
          emit?.(valueEvent(node, found, (error as Error).message));
          found = undefined;
        }
      }
      if (found) emit?.(valueEvent(node, found));
      answers.set(node, found);
      return { nodes: reply.nodes, found };
    },
    onFound: () => {
      holders++;
      return false;
    },
    // Quorum reached: no new queries, but the answers already on their way still count (and
    // their senders can be corrected).
    drain: () => holders >= quorum,
    // Nothing found yet: a slow holder must not pass for an absent value.
    awaitSlow: () => holders === 0,
    onEvent: lookupEmitter(findValue.name, emit),
  });

  const stored = options.local === false ? undefined : records.get(target);
  // This node's own copy is a candidate only if it is valid.
  const held = stored && validated
    ? await validators.validate(name!, stored.value).then(() => stored, () => undefined)
    : stored;
  const local: FoundRecord | undefined = held && {
    value: held.value,
    publishedAt: held.publishedAt,
    ttlMs: held.expiresAt - held.publishedAt,
  };
  const candidates = result.found.map((f) => f.value);
  if (local) candidates.unshift(local);
  const best = pickBest(services, name, validated, candidates);
  const agrees = (record: FoundRecord | undefined): boolean =>
    record !== undefined && best !== undefined &&
    (validated ? valuesEqual(record.value, best.value) : compareRecords(record, best) === 0);

  const corrected: NodeInfo[] = [];
  const refreshed: NodeInfo[] = [];
  if (best && options.correct) {
    const write = async (
      node: NodeInfo,
      purpose: "correction" | "refresh" | "cache",
    ): Promise<boolean> => {
      const cached = purpose === "cache";
      try {
        await ask(services, node, store, {
          id: context.id,
          target,
          value: best.value,
          publishedAt: best.publishedAt,
          ttlMs: best.ttlMs,
          cached,
          name,
        }, signal);
        emit?.({ type: "write", peer: Peer.fromNodeInfo(node), method: store.name, purpose });
        return true;
      } catch (error) {
        signal.throwIfAborted();
        const failure = failureEvent(node, store.name, error);
        if (failure) emit?.(failure);
        return false;
      }
    };
    // The k closest the walk knows, asked or not: a walk the quorum stopped early has answers
    // from nodes farther out than some it never asked, and those are not where the value
    // belongs (correcting them would scatter copies).
    const nearest = nearestK(target, result.closest, result.unasked, context.k);
    const lacking = nearest.filter((node) => answers.has(node) && !agrees(answers.get(node)));
    // The quorum stopped the walk before some of the k closest were asked. If the answers
    // disagreed, those may hold the same outdated copy: they are sent the best value too.
    const unasked = lacking.length > 0 || invalid > 0
      ? nearest.filter((node) => !answers.has(node))
      : [];
    const outside = nearestWithout(result, best);
    await Promise.all([
      ...lacking.map(async (node) => {
        if (await write(node, "correction")) corrected.push(node);
      }),
      ...unasked.map(async (node) => {
        if (await write(node, "refresh")) refreshed.push(node);
      }),
      // Paper §2.3: the nearest node outside the k closest that lacked it keeps a cached copy.
      outside && !outside.inClosest ? write(outside.node, "cache") : undefined,
    ]);
    if (stored && !agrees(local)) {
      // A better value than this node's own copy (even one it published, or an invalid one)
      // replaces it.
      const incoming = { key: target, ...best, name: name ?? stored.name };
      const order = held ? validators.orderFor(name) : () => 1;
      if (order) records.accept(incoming, undefined, order);
      else records.adoptNewer(incoming);
    }
  }
  return {
    best,
    agreed: result.found.filter((f) => agrees(f.value)).length,
    holders,
    invalid,
    asked: result.queries,
    answered: result.answered.length,
    quorumMet: options.quorum === undefined || holders >= options.quorum,
    corrected,
    refreshed,
    closest: result.closest,
  };
}

/** The `k` nearest `target` of two lists each sorted nearest first. */
function nearestK(
  target: Uint8Array,
  a: readonly NodeInfo[],
  b: readonly NodeInfo[],
  k: number,
): NodeInfo[] {
  return [...a, ...b].sort((x, y) => compareDistance(target, x.id, y.id)).slice(0, k);
}

/** The best of the candidates: by `select` for validated keys (the latest publication of the
 * chosen value), else the latest publication. */
function pickBest(
  services: Services,
  name: string | undefined,
  validated: boolean,
  candidates: readonly FoundRecord[],
): FoundRecord | undefined {
  const latest = (records: readonly FoundRecord[]): FoundRecord | undefined =>
    records.reduce<FoundRecord | undefined>(
      (a, b) => a === undefined || compareRecords(b, a) > 0 ? b : a,
      undefined,
    );
  if (!validated || candidates.length === 0) return latest(candidates);
  const values: FoundRecord["value"][] = [];
  for (const { value } of candidates) {
    if (!values.some((v) => valuesEqual(v, value))) values.push(value);
  }
  const chosen = values[services.context.validators.best(name!, values)]!;
  return latest(candidates.filter((c) => valuesEqual(c.value, chosen)));
}

function valueEvent(node: NodeInfo, found: FoundRecord, error?: string): QueryEvent {
  const event = {
    type: "value" as const,
    peer: Peer.fromNodeInfo(node),
    value: found.value,
    publishedAt: found.publishedAt,
    valid: error === undefined,
  };
  return error === undefined ? event : { ...event, error };
}
