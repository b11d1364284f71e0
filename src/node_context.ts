/**
 * What a node's parts share: the services a query handler (src/rpc/methods/) and an operation
 * (src/operations/) reach through. The node builds one and hands it to both.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import type { Ed25519 } from "./records/ed25519.ts";
import type { ItemStore } from "./records/item_store.ts";
import type { Records } from "./records/records.ts";
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
  /** Write tokens for `get` replies and `put` checks (BEP 5, BEP 44). */
  readonly tokens: WriteTokens;
  /** The BEP 44 items this node holds for the network. */
  readonly items: ItemStore;
  /** Verifies BEP 44 signatures; without it mutable puts are refused with 202. */
  readonly ed25519: Ed25519 | undefined;
}
