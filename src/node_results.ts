/**
 * What {@linkcode KademliaNode}'s operations accept and return.
 *
 * @module
 */
import type { BootstrapFailure } from "./errors.ts";
import type { Ed25519KeyPair } from "./records/ed25519.ts";
import type { ItemValue, ItemValueInput } from "./records/item_value.ts";
import type { ItemPutFailure } from "./operations/put_item.ts";
import type { StoreFailure } from "./operations/store_value.ts";
import type { Peer } from "./peer.ts";
import type { ContactHealth } from "./routing/contact.ts";
import type { PutRefusal, StorageStats } from "./records/storage.ts";
import type { RpcStats } from "./rpc/rpc_stats.ts";
import type { Address } from "./transport/datagram_transport.ts";
import type { TypedValue } from "./wire/value.ts";

export type { StoreFailure } from "./operations/store_value.ts";
export type { ItemPutFailure } from "./operations/put_item.ts";
export type { QueryFailure, QueryFailureReason } from "./operations/failure_reason.ts";

/** Every async operation accepts a signal; `close()` aborts them all. */
export interface OperationOptions {
  /** Cancels the operation; it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of `set`. */
export interface SetOptions extends OperationOptions {
  /**
   * How long the record lives from now, in ms; at most (and by default) the node's `recordTtlMs`.
   */
  ttlMs?: number;
}

/** Options of `get` and `findValue`. */
export interface GetOptions extends OperationOptions {
  /**
   * Stop the lookup once this many peers answered with a value, instead of asking until it
   * ends among the k closest. Fewer messages, but a stale copy is likelier to win.
   * @default {Infinity}
   */
  quorum?: number;
}

/** What `set` did. */
export interface SetResult {
  /** The 40-hex id the value is stored under (SHA-1 of the key). */
  readonly key: string;
  /** The peers that acknowledged the store. */
  readonly storedOn: Peer[];
  /** The peers that were asked and did not store it, each with the cause. */
  readonly failed: StoreFailure[];
  /** True if this node kept the value (as its publisher), so `get` here finds it. */
  readonly storedLocally: boolean;
  /** Why this node did not keep it, when it did not (its storage is full of its own records). */
  readonly localRefusal?: PutRefusal | undefined;
}

/** What `findValue` found. */
export interface FindValueResult {
  /** The newest value the nodes asked hold, or `undefined` if none had one. */
  readonly value: TypedValue | undefined;
  /** The closest peers that answered, nearest first. */
  readonly peers: Peer[];
}

/** What `bootstrap` achieved. Rejected with a `BootstrapError` instead if nothing answered. */
export interface BootstrapResult {
  /** How many bootstrap addresses answered. */
  readonly reached: number;
  /** Contacts in the routing table afterwards. */
  readonly peers: number;
  /** The addresses that answered. */
  readonly answered: readonly Address[];
  /** The addresses that did not, and why. */
  readonly failed: readonly BootstrapFailure[];
}

/** Counters for operators: messages by kind, routing table and storage. */
export interface NodeStats extends RpcStats {
  /** Contacts in the routing table. */
  routingTableSize: number;
  /** Buckets in the routing table. */
  buckets: number;
  /** Contacts by health (BEP 5: good, questionable, bad). */
  contacts: Record<ContactHealth, number>;
  /** Pings sent to a full bucket's questionable head before evicting it. */
  evictionPings: number;
  /** Records held. */
  storedValues: number;
  /** The storage's own counters: records, bytes, evictions, refusals by reason, expiries. */
  storage: StorageStats;
  /** Lookups run. */
  lookups: number;
  /** Sum over finished lookups of their sequential request waves (divide by `lookups`). */
  lookupRounds: number;
  /** Sum over finished lookups of the queries they sent. */
  lookupQueries: number;
}

/** Options of `putMutable`. */
export interface PutMutableOptions extends OperationOptions {
  /** The publisher's ed25519 key pair, e.g. from `generateKeyPair()`. */
  keyPair: Ed25519KeyPair;
  /** The value: text (stored as UTF-8), bytes, an integer, or lists and dictionaries of them. */
  value: ItemValueInput;
  /** Up to 64 bytes (text as UTF-8) that make one key hold many items (BEP 44). */
  salt?: string | Uint8Array;
  /**
   * The sequence number, 0 to 2^53 − 1; higher replaces lower.
   * @default {one more than the highest found in the network or here, or 1}
   */
  seq?: number;
  /** Compare-and-swap: store only where the item held has this `seq` (else error 301). */
  cas?: number;
}

/** Options of `getMutable`. */
export interface GetMutableOptions extends OperationOptions {
  /** The salt the item was put with. */
  salt?: string | Uint8Array;
}

/** What `putMutable` did. */
export interface PutMutableResult {
  /** The 40-hex target: SHA-1 of the public key and the salt. */
  readonly target: string;
  /** The sequence number put. */
  readonly seq: number;
  /** The peers that hold the item now: they accepted it, or already held this very item. */
  readonly storedOn: Peer[];
  /**
   * The peers asked that do not, each with the cause: `refused` with the KRPC `code` (301 cas
   * mismatch, 302 seq too old, 206 bad signature, 202 full), `timeout`, `no_token`, ...
   */
  readonly failed: ItemPutFailure[];
  /** Whether this node keeps the item too, so `getMutable` here finds it at once. */
  readonly storedLocally: boolean;
}

/** A mutable item found by `getMutable`. */
export interface MutableItemResult {
  /** The value; byte strings come back as Uint8Array (BEP 44 values have no text type). */
  readonly value: ItemValue;
  /** Its sequence number: the highest valid one seen. */
  readonly seq: number;
  /** The publisher's 64-byte ed25519 signature over salt, seq and value. */
  readonly signature: Uint8Array;
}
