/**
 * What {@linkcode KademliaNode}'s operations accept and return.
 *
 * @module
 */
import type { MaintenanceStats } from "./maintenance/maintenance.ts";
import type { BootstrapFailure } from "./errors.ts";
import type { StoreFailure } from "./operations/store_value.ts";
import type { Peer } from "./peer.ts";
import type { ContactHealth } from "./routing/contact.ts";
import type { PutRefusal, StorageStats } from "./records/storage.ts";
import type { LookupHistograms } from "./metrics/lookup_stats.ts";
import type { RpcStats } from "./rpc/rpc_stats.ts";
import type { Address } from "./transport/datagram_transport.ts";
import type { TypedValue } from "./wire/value.ts";

export type { StoreFailure } from "./operations/store_value.ts";
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
 * Options of `get` and `findValue`.
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
export interface GetOptions extends OperationOptions {
  /**
   * Stop the lookup once this many peers answered with a value, instead of asking until it
   * ends among the k closest. Fewer messages, but a stale copy is likelier to win.
   * @default {Infinity}
   */
  quorum?: number;
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
  /** Background work: republishes, re-stores, refreshes, expiry sweeps, state saves. */
  maintenance: MaintenanceStats;
}
