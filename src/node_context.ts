/**
 * What a node's parts share: the services a query handler (src/rpc/methods/) and an operation
 * (src/operations/) reach through. The node builds one and hands it to both.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import type { NodeHooks } from "./events/hooks.ts";
import type { Records } from "./records/records.ts";
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
  /** Where the parts report what happens (events, log lines). */
  readonly hooks: NodeHooks;
}
