/**
 * `set`: the paper's STORE. The value is kept here as its publisher, then stored on the k
 * nodes closest to the key that answered the lookup. The result says exactly what happened:
 * which peers acknowledged, which did not and why, and whether this node kept it.
 *
 * @module
 */
import { TimeoutError } from "../errors.ts";
import { Peer } from "../peer.ts";
import type { PutRefusal } from "../records/storage.ts";
import { store, type StoreArgs } from "../rpc/methods/store.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import type { TypedValue } from "../wire/value.ts";
import { ask } from "./ask.ts";
import { type QueryFailure, queryFailure } from "./failure_reason.ts";
import { findNodes } from "./find_nodes.ts";
import type { Services } from "./services.ts";

/** A back-off that takes the retry's timeout to its ceiling, `queryTimeoutMs`. */
const PATIENT = Infinity;

/**
 * A peer that did not store the value, and why.
 *
 * @example
 * ```ts
 * import { KademliaNode, type StoreFailure } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const { failed } = await node.set("k", "v");
 * const failures: StoreFailure[] = failed;
 * for (const { peer, reason } of failures) console.log(`${peer} did not store it: ${reason}`);
 * ```
 */
export interface StoreFailure extends QueryFailure {
  /** The peer asked. */
  readonly peer: Peer;
}

/** What `set` did. */
export interface StoreOutcome {
  /** The peers that acknowledged the store. */
  readonly storedOn: Peer[];
  /** The peers that were asked and did not store it, each with the cause. */
  readonly failed: StoreFailure[];
  /** True if this node kept the value (as its publisher). */
  readonly storedLocally: boolean;
  /** Why this node did not keep it, when it did not. */
  readonly localRefusal?: PutRefusal | undefined;
}

/**
 * Publishes a record under `target`.
 *
 * @param services the running node
 * @param target the 20-byte key
 * @param value the value
 * @param options lifetime, the key's name when namespaced, the k closest when a walk already
 *   found them, and an abort signal
 */
export async function storeValue(
  services: Services,
  target: Uint8Array,
  value: TypedValue,
  options: {
    ttlMs?: number | undefined;
    name?: string | undefined;
    closest?: readonly NodeInfo[] | undefined;
    signal: AbortSignal;
  },
): Promise<StoreOutcome> {
  const { context } = services;
  const { record, result } = context.records.publish(target, value, context.id, options);
  const closest = options.closest ??
    (await findNodes(services, target, { signal: options.signal, askAll: true }))
      .closest;
  const args: StoreArgs = {
    id: context.id,
    target,
    value,
    publishedAt: record.publishedAt,
    ttlMs: record.expiresAt - record.publishedAt,
    name: record.name,
  };
  const storedOn: Peer[] = [];
  const failed: StoreFailure[] = [];
  await Promise.all(closest.map(async (node) => {
    const peer = Peer.fromNodeInfo(node);
    try {
      // The node just answered the lookup, so silence is more likely a lost datagram or a
      // busy process than a departure: one more try, which waits the whole `queryTimeoutMs`.
      // Twice the first timeout was not enough where 50 nodes share one busy process (the
      // demo): the stores arrived, and the acknowledgements came after both tries had given
      // up. Storing the same publication twice is harmless (the receiver keeps it once).
      await ask(services, node, store, args, options.signal).catch((error) => {
        if (error instanceof TimeoutError) {
          return ask(services, node, store, args, options.signal, PATIENT);
        }
        throw error;
      });
      storedOn.push(peer);
    } catch (error) {
      options.signal.throwIfAborted();
      failed.push({ peer, ...queryFailure(error) });
    }
  }));
  return {
    storedOn,
    failed,
    storedLocally: result.stored,
    localRefusal: result.stored ? undefined : result.reason,
  };
}
