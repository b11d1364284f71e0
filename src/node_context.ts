/**
 * What a node's parts share: the services a query handler (src/rpc/methods/) and an operation
 * (src/operations/) reach through. The node builds one and hands it to both.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import type { Ed25519 } from "./records/ed25519.ts";
import type { ItemStore } from "./records/item_store.ts";
import type { NodeHooks } from "./events/hooks.ts";
import type { ProviderStore } from "./records/providers.ts";
import type { Records } from "./records/records.ts";
import type { Validators } from "./records/validators.ts";
import type { WriteTokens } from "./records/write_tokens.ts";
import type { ContactKeeper } from "./routing/keeper.ts";

/** The node's services, as query handlers see them. */
export interface NodeContext {
  /** This node's 20-byte id. */
  readonly id: Uint8Array;
  /** Contacts a node list carries, and the replication factor. */
  readonly k: number;
  /** Time. */
  readonly clock: Clock;
  /** The routing table and its upkeep. */
  readonly keeper: ContactKeeper;
  /** The records this node holds. */
  readonly records: Records;
  /** The BEP 44 items this node holds for the network. */
  readonly items: ItemStore;
  /** Verifies BEP 44 signatures; without it mutable puts are refused with 202. */
  readonly ed25519: Ed25519 | undefined;
  /** Where the parts report what happens (events, log lines). */
  readonly hooks: NodeHooks;
  /** The validators of namespaced keys. */
  readonly validators: Validators;
  /** Write tokens for `announce_peer` (and BEP 44 `put`), bound to the requester's IP. */
  readonly tokens: WriteTokens;
  /** The provider records this node holds. */
  readonly providers: ProviderStore;
  /** Providers a `get_peers` reply carries at most, so that it fits in one datagram. */
  readonly providersPerReply: number;
  /** The largest datagram this node sends: replies that carry values are sized by it. */
  readonly maxDatagramSize: number;
}
