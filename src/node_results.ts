/**
 * What {@linkcode KademliaNode}'s operations accept and return.
 *
 * @module
 */
import type { Peer } from "./peer.ts";
import type { RpcStats } from "./rpc/krpc_socket.ts";
import type { TypedValue } from "./wire/krpc.ts";

/** Every async operation accepts a signal; `close()` aborts them all. */
export interface OperationOptions {
  /** Cancels the operation; it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What `set` did. */
export interface SetResult {
  /** The 40-hex id the value is stored under (SHA-1 of the key). */
  readonly key: string;
  /** The peers that acknowledged the store. */
  readonly storedOn: Peer[];
  /** Peers that were asked but did not acknowledge. */
  readonly failed: number;
  /** This node keeps the value too (as its publisher), so `get` here always finds it. */
  readonly storedLocally: boolean;
}

/** What `findValue` found. */
export interface FindValueResult {
  /** The value, or `undefined` if no node had it. */
  readonly value: TypedValue | undefined;
  /** The closest peers that answered, nearest first. */
  readonly peers: Peer[];
}

/** What `bootstrap` achieved. */
export interface BootstrapResult {
  /** Bootstrap addresses that answered. */
  readonly reached: number;
  /** Contacts in the routing table afterwards. */
  readonly peers: number;
}

/** Counters for operators: messages by kind, routing table and storage sizes. */
export interface NodeStats extends RpcStats {
  /** Contacts in the routing table. */
  routingTableSize: number;
  /** Buckets in the routing table. */
  buckets: number;
  /** Values held. */
  storedValues: number;
  /** Lookups run. */
  lookups: number;
  /** Sum over finished lookups of their sequential request waves (divide by `lookups`). */
  lookupRounds: number;
  /** Sum over finished lookups of the queries they sent. */
  lookupQueries: number;
}
