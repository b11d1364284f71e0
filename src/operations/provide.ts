/**
 * `provide`: announce this node as a provider of a key (BEP 5). One `get_peers` walk to the key
 * collects a write token from every node that answers (so a caller never needs a prior read),
 * then `announce_peer` goes to the k closest that gave one, each with its own token. The
 * outcome says which peers stored the announcement and why the others did not.
 *
 * @module
 */
import { Peer } from "../peer.ts";
import { failureEvent, lookupEmitter, type QueryEvent } from "../query_events.ts";
import { announcePeer } from "../rpc/methods/announce_peer.ts";
import { getPeers } from "../rpc/methods/get_peers.ts";
import type { Address } from "../transport/datagram_transport.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { ask } from "./ask.ts";
import { queryFailure } from "./failure_reason.ts";
import { runLookup } from "./run_lookup.ts";
import type { Services } from "./services.ts";
import type { StoreFailure } from "./store_value.ts";

/** What one announcement achieved. */
export interface AnnounceOutcome {
  /** The peers that stored this node as a provider. */
  readonly announcedTo: Peer[];
  /** The peers among the k closest that did not, each with the cause. */
  readonly failed: StoreFailure[];
}

/** How to announce. */
export interface AnnounceOptions {
  /** The port to announce; this node's own UDP port (`implied_port: 1`) when undefined. */
  readonly port?: number | undefined;
  /** This node's bound address: its own port, and its own provider entry. */
  readonly self: Address;
  /** Aborts the announcement. */
  readonly signal: AbortSignal;
  /** Told of each step. */
  readonly emit?: ((event: QueryEvent) => void) | undefined;
}

/**
 * Announces this node as a provider of `target`.
 *
 * @param services the running node
 * @param target the key's 20-byte id
 * @param options the port, this node's address, signal and events
 */
export async function announce(
  services: Services,
  target: Uint8Array,
  options: AnnounceOptions,
): Promise<AnnounceOutcome> {
  const { context } = services;
  const { signal, emit, self } = options;
  const id = context.id;
  // This node answers get_peers for the key too: it lists itself, unless bound to a wildcard
  // address that no peer could reach.
  if (self.host !== "0.0.0.0" && self.host !== "::") {
    context.providers.add(target, { id, host: self.host, port: options.port ?? self.port });
  }
  const tokens = new Map<NodeInfo, Uint8Array>();
  const walk = await runLookup<never>(services, target, {
    method: "get_peers",
    signal,
    query: async (node) => {
      const reply = await ask(services, node, getPeers, { id, target }, signal);
      if (reply.token) tokens.set(node, reply.token);
      return { nodes: reply.nodes };
    },
    onEvent: lookupEmitter(getPeers.name, emit),
  });
  const announcedTo: Peer[] = [];
  const failed: StoreFailure[] = [];
  await Promise.all(walk.closest.map(async (node) => {
    const peer = Peer.fromNodeInfo(node);
    const token = tokens.get(node);
    if (token === undefined) {
      failed.push({ peer, reason: "bad_reply", message: "its get_peers reply carried no token" });
      return;
    }
    try {
      await ask(services, node, announcePeer, {
        id,
        target,
        // Both: peers that ignore implied_port still learn our port.
        port: options.port ?? self.port,
        impliedPort: options.port === undefined,
        token,
      }, signal);
      announcedTo.push(peer);
      emit?.({ type: "write", peer, method: announcePeer.name, purpose: "announce" });
    } catch (error) {
      signal.throwIfAborted();
      failed.push({ peer, ...queryFailure(error) });
      const event = failureEvent(node, announcePeer.name, error);
      if (event) emit?.(event);
    }
  }));
  return { announcedTo, failed };
}
