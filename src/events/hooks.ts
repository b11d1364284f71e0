/**
 * The node's parts report what happens through one small object: the routing table when
 * contacts come and go, the RPC socket when a query arrives or something is wrong, the
 * lookups when they end, the records when one is kept. The node turns the reports into events
 * and log lines ({@linkcode createEventHooks}); a part built without a node gets
 * {@linkcode SILENT_HOOKS}.
 *
 * @module
 */
import type { RecordSource, StoredRecord } from "../records/storage.ts";
import type { Address } from "../transport/datagram_transport.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";

/** What a finished lookup reports. */
export interface LookupReport {
  /** The method it asked with. */
  readonly method: string;
  /** The 20-byte id sought. */
  readonly target: Uint8Array;
  /** Sequential request waves. */
  readonly rounds: number;
  /** Queries sent. */
  readonly queries: number;
  /** Queries that failed or timed out. */
  readonly failures: number;
  /** Nodes that answered. */
  readonly answered: number;
  /** Finds the answers carried. */
  readonly found: number;
  /** How long it took, in the clock's ms. */
  readonly durationMs: number;
}

/** Reports from the node's parts. Each must return quickly and never throw. */
export interface NodeHooks {
  /** A contact entered the routing table. */
  peerAdded(contact: NodeInfo): void;
  /** A contact left the routing table. */
  peerRemoved(contact: NodeInfo): void;
  /** A valid query arrived; `method` is the name of the method answering it. */
  queryReceived(method: string, from: Address, readOnly: boolean): void;
  /** A lookup ended. */
  lookupFinished(report: LookupReport): void;
  /** A record was kept; `source` is the sender for records from the network. */
  valueStored(record: StoredRecord, source: RecordSource | undefined): void;
  /** Something was wrong and the node went on. */
  warning(message: string, from: Address | undefined): void;
}

function ignore(): void {}

/** Hooks that report nowhere. */
export const SILENT_HOOKS: NodeHooks = Object.freeze({
  peerAdded: ignore,
  peerRemoved: ignore,
  queryReceived: ignore,
  lookupFinished: ignore,
  valueStored: ignore,
  warning: ignore,
});
