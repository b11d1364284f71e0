/**
 * What {@linkcode KademliaNode}'s operations accept and return.
 *
 * @module
 */
import type { BootstrapFailure } from "./errors.ts";
import type { MaintenanceStats } from "./maintenance/maintenance.ts";
import type { Ed25519KeyPair } from "./records/ed25519.ts";
import type { ItemValue, ItemValueInput } from "./records/item_value.ts";
import type { ItemPutFailure } from "./operations/put_item.ts";
import type { NodeMode } from "./node_options.ts";
import type { QueryEventOptions } from "./query_events.ts";
import type { StoreFailure } from "./operations/store_value.ts";
import type { Peer } from "./peer.ts";
import type { ContactHealth } from "./routing/contact.ts";
import type { PutRefusal, StorageStats } from "./records/storage.ts";
import type { LookupHistograms } from "./metrics/lookup_stats.ts";
import type { RpcStats } from "./rpc/rpc_stats.ts";
import type { Address } from "./transport/datagram_transport.ts";
import type { TypedValue } from "./wire/value.ts";

export type { StoreFailure } from "./operations/store_value.ts";
export type { ItemPutFailure } from "./operations/put_item.ts";
export type { QueryFailure, QueryFailureReason } from "./operations/failure_reason.ts";
export type { MaintenanceStats } from "./maintenance/maintenance.ts";

/**
 * Every async operation accepts a signal; `close()` aborts them all.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 5000);
 * await node.findNode(node.id, { signal: controller.signal });
 * ```
 */
export interface OperationOptions {
  /** Cancels the operation; it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Options of `findNode`.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const alive = await node.findNode(node.id, { askAll: true }); // each one answered
 * console.log(alive.length); // 1: the seed
 * ```
 */
export interface FindNodeOptions extends OperationOptions {
  /**
   * Ask every one of the k closest and return only nodes that answered. By default the lookup
   * stops once the 3 closest, and the nearest of each subtree beside the target's that the k
   * closest span, have answered (the β-style stop: 40–45 % of the queries), and the rest of the
   * result are the nodes they named, not asked by this lookup; right after many nodes died
   * some of those may be gone.
   * @default false
   */
  askAll?: boolean;
  /**
   * Look up over this many disjoint paths (S/Kademlia): the starting contacts are dealt to
   * that many lookups that never share a node, and the answer is the k nearest of them all.
   * An adversary that answers only with its colluders captures the paths it is on, not the
   * others; each path costs about one lookup's queries. An integer from 1 to `k`.
   * @default 1
   */
  disjointPaths?: number;
}

/**
 * Options of `set`.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * await node.set("session", "token", { ttlMs: 60_000 }); // lives one minute
 * ```
 */
export interface SetOptions extends OperationOptions {
  /**
   * How long the record lives from now, in ms; at most (and by default) the node's `recordTtlMs`.
   */
  ttlMs?: number;
}

/**
 * Options of `get`, `getRecord` and `findValue`.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * await node.set("k", "v");
 * console.log(await seed.get("k", { quorum: 1 })); // "v": the first value found ends the lookup
 * ```
 */
export interface GetOptions extends OperationOptions, QueryEventOptions {
  /**
   * Stop asking once this many peers answered with a (valid) value, instead of asking until the
   * walk ends among the k closest; answers already on their way still count. Fewer messages,
   * but a stale copy is likelier to win. When the answers disagreed, the k closest the walk did
   * not ask are sent the best value too (`refreshed`).
   * @default {Infinity}
   */
  quorum?: number;
}

/** What `getRecord` found, and how sure it is. */
export interface RecordResult {
  /**
   * The best value: by the namespace's `select` for validated keys, the latest publication
   * otherwise, this node's own copy included; `undefined` if nobody holds one.
   */
  readonly value: TypedValue | undefined;
  /** Peers that answered with exactly this value (this node's own copy not counted). */
  readonly agreed: number;
  /** Peers that answered with a valid value, this one or another. */
  readonly holders: number;
  /** Peers that answered with a value the namespace's validator rejected (never returned). */
  readonly invalid: number;
  /** Peers asked. */
  readonly asked: number;
  /** Peers that answered. */
  readonly answered: number;
  /** The quorum asked for, or `undefined` if none (the walk went to its end). */
  readonly quorum: number | undefined;
  /** True if `quorum` peers answered with a valid value; true when no quorum was asked. */
  readonly quorumMet: boolean;
  /**
   * The peers among the k closest that answered with another value or none, and stored this
   * one when sent it (entry correction).
   */
  readonly corrected: Peer[];
  /**
   * When the answers disagreed and the quorum had stopped the walk early: the peers among the
   * k closest it had not asked, sent this value too, that stored it (they may have held it).
   */
  readonly refreshed: Peer[];
}

/** A provider of a key, as `findProviders` returns it. */
export interface ProviderInfo {
  /**
   * Its node id (40 hex), or `undefined` when only its address is known: a mainline BitTorrent
   * node's `get_peers` reply lists addresses without ids.
   */
  readonly id: string | undefined;
  /** Its IP. */
  readonly host: string;
  /** The port it announced (its DHT port, unless `provide` was given another). */
  readonly port: number;
}

/** Options of `provide`. */
export interface ProvideOptions extends OperationOptions, QueryEventOptions {
  /**
   * The port to announce (a service port). By default this node's own UDP port, sent with
   * BEP 5 `implied_port: 1` so peers behind NAT are reachable where they announced from.
   */
  port?: number;
}

/** What `provide` did. */
export interface ProvideResult {
  /** The 40-hex id the key is provided under (SHA-1 of the key). */
  readonly key: string;
  /** The peers that stored this node as a provider. */
  readonly announcedTo: Peer[];
  /** The peers among the k closest that did not, each with the cause. */
  readonly failed: StoreFailure[];
}

/** Options of `findProviders`. */
export interface FindProvidersOptions extends OperationOptions, QueryEventOptions {
  /**
   * How many distinct providers to find: the walk ends once it has them.
   * @default {20}
   */
  count?: number;
}

/** A key this node provides, as `providing()` lists it. */
export interface ProvidedKey {
  /** The key as given to `provide`. */
  readonly key: string | Uint8Array;
  /** Its 40-hex id. */
  readonly id: string;
  /** When it was last announced (wall-clock ms). */
  readonly announcedAt: number;
  /** How many peers stored the last announcement. */
  readonly announcedTo: number;
}

/**
 * What `set` did.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const result = await node.set("k", "v");
 * console.log(result.storedOn.length, result.failed.length, result.storedLocally); // 1 0 true
 * ```
 */
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

/**
 * What `findValue` found.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * await node.set("k", "v");
 * const { value, peers } = await seed.findValue("k");
 * console.log(value, peers.length); // "v" 1
 * ```
 */
export interface FindValueResult {
  /** The newest value the nodes asked hold, or `undefined` if none had one. */
  readonly value: TypedValue | undefined;
  /** The closest peers that answered, nearest first. */
  readonly peers: Peer[];
}

/**
 * Who answered `ping`.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using a = new KademliaNode();
 * await using b = new KademliaNode();
 * await b.listen(0);
 * const { peer, rttMs } = await b.ping(await a.listen(0));
 * console.log(peer.id === a.id, rttMs >= 0); // true true
 * ```
 */
export interface PingResult {
  /** The node that answered, at the address pinged. */
  readonly peer: Peer;
  /** The round trip in ms. */
  readonly rttMs: number;
}

/**
 * What `bootstrap` achieved. Rejected with a `BootstrapError` instead if nothing answered.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * const result = await node.bootstrap([await seed.listen(0)]);
 * console.log(result.reached, result.peers); // 1 1
 * ```
 */
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

/**
 * Counters for operators: messages by kind, routing table and storage.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const stats = node.stats();
 * console.log(stats.routingTableSize, stats.queriesByMethod.find_node! > 0); // 1 true
 * ```
 */
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
  /** Distributions of finished lookups' rounds, queries and durations (ms). */
  lookupHistograms: LookupHistograms;
  /** Our queries waiting for a reply. */
  pendingQueries: number;
  /** `"server"`, or `"client"` (BEP 43 read-only: answers nothing, in nobody's table). */
  mode: NodeMode;
  /** Keys this node holds provider records for. */
  providerKeys: number;
  /** Provider records held, over all keys. */
  providersHeld: number;
  /** BEP 44 items this node holds for the network (unexpired). */
  itemsHeld: number;
  /** Keys this node provides itself. */
  providing: number;
  /** Random walks started, and ticks skipped because one was still running. */
  randomWalks: { started: number; skipped: number };
  /** Background work: republishes, re-stores, refreshes, expiry sweeps, state saves. */
  maintenance: MaintenanceStats;
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
