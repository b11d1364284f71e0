/**
 * Per-peer progress of a network operation, as typed events (js-libp2p kad-dht's query events
 * are the model: SENDING_QUERY, PEER_RESPONSE, VALUE, PROVIDER, QUERY_ERROR). Operations that
 * walk the network (`get`, `getRecord`, `findProviders`, `provide`) accept `onEvent`; wrap one in
 * {@linkcode queryEvents} to read them as an `AsyncIterable` that ends with the result.
 *
 * @module
 */
import type { LookupEvent } from "./lookup/lookup.ts";
import type { ProviderInfo } from "./node_results.ts";
import { queryFailure, type QueryFailureReason } from "./operations/failure_reason.ts";
import { Peer } from "./peer.ts";
import type { NodeInfo } from "./wire/compact_nodes.ts";
import type { TypedValue } from "./wire/value.ts";

/** One step of an operation, about one peer. */
export type QueryEvent =
  /** A query went out to `peer`. */
  | { readonly type: "query"; readonly peer: Peer; readonly method: string }
  /** `peer` answered; `closer` is how many contacts it returned. */
  | {
    readonly type: "reply";
    readonly peer: Peer;
    readonly method: string;
    readonly closer: number;
  }
  /**
   * `peer` answered with a value under the key. `valid` is false when the namespace's validator
   * rejected it (`error` says why): such a value is never returned, and its holder is corrected.
   */
  | {
    readonly type: "value";
    readonly peer: Peer;
    readonly value: TypedValue;
    readonly publishedAt: number;
    readonly valid: boolean;
    readonly error?: string;
  }
  /** `peer` answered with providers of the key. */
  | { readonly type: "providers"; readonly peer: Peer; readonly providers: ProviderInfo[] }
  /** A query to `peer` failed. */
  | {
    readonly type: "failure";
    readonly peer: Peer;
    readonly method: string;
    readonly reason: QueryFailureReason;
    readonly code?: number;
    readonly message: string;
  }
  /** `peer` is slow to answer; the walk goes on without waiting for it. */
  | { readonly type: "slow"; readonly peer: Peer; readonly method: string }
  /**
   * `peer` acknowledged a write: after a read, a `store` that corrects its other (or missing)
   * value, refreshes one of the k closest the quorum kept the walk from asking, or caches it
   * outside them; an `announce_peer` of `provide`.
   */
  | {
    readonly type: "write";
    readonly peer: Peer;
    readonly method: string;
    readonly purpose: "correction" | "refresh" | "cache" | "announce";
  };

/** The last item of {@linkcode queryEvents}: the operation's result. */
export interface QueryDone<T> {
  /** Always `"done"`. */
  readonly type: "done";
  /** What the operation returned. */
  readonly result: T;
}

/** Options of operations that report per-peer progress. */
export interface QueryEventOptions {
  /** Told of each step, in order. Must not throw; errors it throws are ignored. */
  onEvent?: ((event: QueryEvent) => void) | undefined;
}

/**
 * Runs an operation and yields its events as they happen, then `{ type: "done", result }`.
 * Rejects (at the end of the events) if the operation rejects. Breaking out of the loop does
 * not stop the operation: pass it a `signal` for that.
 *
 * @example
 * ```ts
 * import { KademliaNode, queryEvents } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * await node.listen(0);
 * for await (const event of queryEvents((onEvent) => node.getRecord("k", { onEvent }))) {
 *   if (event.type === "done") console.log(event.result.value); // undefined: no network yet
 * }
 * ```
 *
 * @param run starts the operation with the event callback
 * @returns the events, then the result
 */
export async function* queryEvents<T>(
  run: (onEvent: (event: QueryEvent) => void) => Promise<T>,
): AsyncGenerator<QueryEvent | QueryDone<T>, void, undefined> {
  const queue: QueryEvent[] = [];
  let wake: (() => void) | undefined;
  let outcome: { ok: true; result: T } | { ok: false; error: unknown } | undefined;
  run((event) => {
    queue.push(event);
    wake?.();
  }).then(
    (result) => {
      outcome = { ok: true, result };
      wake?.();
    },
    (error) => {
      outcome = { ok: false, error };
      wake?.();
    },
  );
  let next = 0;
  for (;;) {
    while (next < queue.length) yield queue[next++]!;
    if (outcome) break;
    await new Promise<void>((resolve) => wake = resolve);
    wake = undefined;
  }
  if (!outcome.ok) throw outcome.error;
  yield { type: "done", result: outcome.result };
}

/**
 * Wraps a user's callback so that an error it throws cannot break the operation.
 *
 * @param onEvent the user's callback, if any
 * @returns a function that never throws, or undefined
 */
export function safeEmitter(
  onEvent: ((event: QueryEvent) => void) | undefined,
): ((event: QueryEvent) => void) | undefined {
  if (!onEvent) return undefined;
  return (event) => {
    try {
      onEvent(event);
    } catch {
      // The caller's bug must not become the walk's failure.
    }
  };
}

/**
 * Turns a lookup's own events into public ones.
 *
 * @param method the method the lookup sends
 * @param emit where the public events go
 * @returns a lookup `onEvent`, or undefined when nobody listens
 */
export function lookupEmitter<Found>(
  method: string,
  emit: ((event: QueryEvent) => void) | undefined,
): ((event: LookupEvent<Found>) => void) | undefined {
  if (!emit) return undefined;
  return (event) => {
    const peer = Peer.fromNodeInfo(event.node);
    switch (event.type) {
      case "query":
      case "slow":
        return emit({ type: event.type, peer, method });
      case "reply":
        return emit({ type: "reply", peer, method, closer: event.nodes });
      case "failure": {
        const failure = failureEvent(event.node, method, event.error);
        if (failure) emit(failure);
      }
    }
  };
}

/**
 * The `failure` event for a query that rejected with `error`.
 *
 * @param node the peer asked
 * @param method the method sent
 * @param error what the query rejected with
 * @returns the event, or undefined when the error is not about the peer (an abort, a close)
 */
export function failureEvent(
  node: NodeInfo,
  method: string,
  error: unknown,
): QueryEvent | undefined {
  let failure;
  try {
    failure = queryFailure(error);
  } catch {
    return undefined;
  }
  return { type: "failure", peer: Peer.fromNodeInfo(node), method, ...failure };
}
