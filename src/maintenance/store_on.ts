/**
 * Sends one record to a set of nodes with `store`, as re-stores and republishes do, and
 * counts who kept it. Failures are expected in the background (nodes leave); they only feed the
 * contact keeper, through `ask`.
 *
 * @module
 */
import { ask } from "../operations/ask.ts";
import type { Services } from "../operations/services.ts";
import { store, type StoreArgs } from "../rpc/methods/store.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";

/**
 * Stores `args` on each of `nodes`, all at once (at most k of them, like `set`).
 *
 * @param services the running node
 * @param nodes where to store
 * @param args the record
 * @param signal aborts the stores
 * @returns how many nodes acknowledged
 */
export async function storeOn(
  services: Services,
  nodes: readonly NodeInfo[],
  args: StoreArgs,
  signal: AbortSignal,
): Promise<number> {
  let acknowledged = 0;
  await Promise.all(nodes.map(async (node) => {
    try {
      await ask(services, node, store, args, signal);
      acknowledged++;
    } catch {
      // A refusal (a newer record is held, storage full) or a node gone: nothing to undo.
    }
  }));
  signal.throwIfAborted();
  return acknowledged;
}
