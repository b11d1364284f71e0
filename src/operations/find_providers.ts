/**
 * `findProviders`: who provides a key. This node's own provider records come first; then a
 * `get_peers` walk collects the providers every node it meets holds, and ends once `count`
 * distinct providers are known, or when the walk ends among the k closest. Providers are
 * distinct by address; one learned from a mainline node (no `ids` extension) has no id unless
 * another reply names it.
 *
 * @module
 */
import { idToHex } from "../id/node_id.ts";
import type { ProviderInfo } from "../node_results.ts";
import { Peer } from "../peer.ts";
import { lookupEmitter, type QueryEvent } from "../query_events.ts";
import { getPeers, type PeerEntry } from "../rpc/methods/get_peers.ts";
import { ask } from "./ask.ts";
import { runLookup } from "./run_lookup.ts";
import type { Services } from "./services.ts";

/**
 * Finds up to `count` providers of `target`.
 *
 * @param services the running node
 * @param target the key's 20-byte id
 * @param options how many, abort signal and events
 * @returns the providers, this node's own records first, then in the order they were met
 */
export async function findProviders(
  services: Services,
  target: Uint8Array,
  options: {
    readonly count: number;
    readonly signal: AbortSignal;
    readonly emit?: ((event: QueryEvent) => void) | undefined;
  },
): Promise<ProviderInfo[]> {
  const { context } = services;
  const { count, signal, emit } = options;
  const found = new Map<string, PeerEntry>();
  const add = (entry: PeerEntry): void => {
    const address = `${entry.host}|${entry.port}`;
    const known = found.get(address);
    if (known === undefined || (known.id === undefined && entry.id !== undefined)) {
      found.set(address, entry);
    }
  };
  for (const record of context.providers.get(target)) add(record);
  if (found.size < count) {
    await runLookup<readonly PeerEntry[]>(services, target, {
      method: "get_peers",
      signal,
      query: async (node) => {
        const reply = await ask(services, node, getPeers, { id: context.id, target }, signal);
        if (reply.peers.length === 0) return { nodes: reply.nodes };
        emit?.({
          type: "providers",
          peer: Peer.fromNodeInfo(node),
          providers: reply.peers.map(toInfo),
        });
        return { nodes: reply.nodes, found: reply.peers };
      },
      onFound: (peers) => {
        for (const peer of peers) add(peer);
        return found.size >= count;
      },
      // Still short of `count`: a slow node may hold the rest.
      awaitSlow: () => found.size < count,
      onEvent: lookupEmitter(getPeers.name, emit),
    });
  }
  return [...found.values()].slice(0, count).map(toInfo);
}

function toInfo(entry: PeerEntry): ProviderInfo {
  return {
    id: entry.id === undefined ? undefined : idToHex(entry.id),
    host: entry.host,
    port: entry.port,
  };
}
