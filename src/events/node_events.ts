/**
 * The events a {@linkcode KademliaNode} dispatches. The node is an `EventTarget`, so listening
 * works the same in Deno, Bun, Node and browsers: `node.addEventListener("peer-added", (e) =>
 * console.log(e.peer.id))`. Events report what happened; the counters in `stats()` stay the
 * source of totals.
 *
 * @module
 */
import type { Peer } from "../peer.ts";
import type { Address } from "../transport/datagram_transport.ts";

/**
 * A contact entered the routing table (a new node with room in its bucket, a replacement
 * promoted when another left, or a newcomer taking a bad contact's place).
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * node.addEventListener("peer-added", (event) => console.log("new peer", event.peer.id));
 * ```
 */
export class PeerAddedEvent extends Event {
  /** The contact added. */
  readonly peer: Peer;

  /**
   * Builds the event.
   *
   * @param peer the contact added
   */
  constructor(peer: Peer) {
    super("peer-added");
    this.peer = peer;
  }
}

/**
 * A contact left the routing table: it failed too many queries, a bad contact made room for a
 * newcomer, or another id answered at its address.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * node.addEventListener("peer-removed", (event) => console.log("gone", event.peer.id));
 * ```
 */
export class PeerRemovedEvent extends Event {
  /** The contact removed. */
  readonly peer: Peer;

  /**
   * Builds the event.
   *
   * @param peer the contact removed
   */
  constructor(peer: Peer) {
    super("peer-removed");
    this.peer = peer;
  }
}

/**
 * A valid query arrived and is being answered.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * node.addEventListener("query-received", (event) => {
 *   console.log(event.method, "from", `${event.from.host}:${event.from.port}`);
 * });
 * ```
 */
export class QueryReceivedEvent extends Event {
  /** The method that answers it (`ping`, `find_node`, …), or `"unknown"` (answered with 204). */
  readonly method: string;
  /** Where the query came from. */
  readonly from: Address;
  /** BEP 43: the sender asked not to be added to routing tables. */
  readonly readOnly: boolean;

  /**
   * Builds the event.
   *
   * @param method the answering method's name
   * @param from the sender's address
   * @param readOnly whether the sender is read-only (BEP 43)
   */
  constructor(method: string, from: Address, readOnly: boolean) {
    super("query-received");
    this.method = method;
    this.from = from;
    this.readOnly = readOnly;
  }
}

/**
 * What a finished lookup did, as {@linkcode LookupFinishedEvent} reports it.
 *
 * @example
 * ```ts
 * import { KademliaNode, type LookupSummary } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const summaries: LookupSummary[] = [];
 * node.addEventListener("lookup-finished", (event) => summaries.push(event));
 * await node.findNode(seed.id);
 * console.log(summaries[0]!.method); // "find_node"
 * ```
 */
export interface LookupSummary {
  /** The method the lookup asked with: `find_node`, `find_value`, … */
  readonly method: string;
  /** The id sought, as 40 hex characters (`target` is the Event's own: the node). */
  readonly targetId: string;
  /** Sequential request waves. */
  readonly rounds: number;
  /** Queries sent (the lookup's messages). */
  readonly queries: number;
  /** Queries that failed or timed out. */
  readonly failures: number;
  /** How many nodes answered. */
  readonly answered: number;
  /** How many values (or other finds) answers carried. */
  readonly found: number;
  /** How long it took, in ms. */
  readonly durationMs: number;
}

/**
 * An iterative lookup ended (for `findNode`, `get`, `set`, `bootstrap` and the bucket
 * refreshes they run).
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * node.addEventListener("lookup-finished", (event) => {
 *   console.log(`${event.method}: ${event.rounds} rounds, ${event.queries} messages`);
 * });
 * ```
 */
export class LookupFinishedEvent extends Event implements LookupSummary {
  /** The method the lookup asked with. */
  readonly method: string;
  /** The id sought, as 40 hex characters (`target` is the Event's own: the node). */
  readonly targetId: string;
  /** Sequential request waves. */
  readonly rounds: number;
  /** Queries sent. */
  readonly queries: number;
  /** Queries that failed or timed out. */
  readonly failures: number;
  /** How many nodes answered. */
  readonly answered: number;
  /** How many finds answers carried. */
  readonly found: number;
  /** How long it took, in ms. */
  readonly durationMs: number;

  /**
   * Builds the event.
   *
   * @param summary what the lookup did
   */
  constructor(summary: LookupSummary) {
    super("lookup-finished");
    this.method = summary.method;
    this.targetId = summary.targetId;
    this.rounds = summary.rounds;
    this.queries = summary.queries;
    this.failures = summary.failures;
    this.answered = summary.answered;
    this.found = summary.found;
    this.durationMs = summary.durationMs;
  }
}

/**
 * What {@linkcode ValueStoredEvent} says about the record kept.
 *
 * @example
 * ```ts
 * import { KademliaNode, type StoredSummary } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const kept: StoredSummary[] = [];
 * seed.addEventListener("value-stored", (event) => kept.push(event));
 * await node.set("k", "v");
 * console.log(kept[0]!.local, kept[0]!.size); // false 1
 * ```
 */
export interface StoredSummary {
  /** The 20-byte key as 40 hex characters. */
  readonly key: string;
  /** The value's size in bytes (UTF-8 bytes for strings). */
  readonly size: number;
  /** True if this node published it (`set`); false if a peer stored it here. */
  readonly local: boolean;
  /** True for a copy cached by a lookup rather than a replica among the k closest. */
  readonly cached: boolean;
  /** The peer that sent it, for records that came from the network. */
  readonly from: Address | undefined;
}

/**
 * This node kept a record: one it published, or one a peer stored here.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * node.addEventListener("value-stored", (event) => {
 *   console.log(event.local ? "published" : "holding", event.key, event.size, "bytes");
 * });
 * ```
 */
export class ValueStoredEvent extends Event implements StoredSummary {
  /** The key as 40 hex characters. */
  readonly key: string;
  /** The value's size in bytes. */
  readonly size: number;
  /** True if this node published it. */
  readonly local: boolean;
  /** True for a cached copy. */
  readonly cached: boolean;
  /** The peer that sent it, if it came from the network. */
  readonly from: Address | undefined;

  /**
   * Builds the event.
   *
   * @param summary the record kept
   */
  constructor(summary: StoredSummary) {
    super("value-stored");
    this.key = summary.key;
    this.size = summary.size;
    this.local = summary.local;
    this.cached = summary.cached;
    this.from = summary.from;
  }
}

/**
 * Something was wrong but the node went on: a malformed or dropped datagram, a failed send, a
 * query handler that threw.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * node.addEventListener("warning", (event) => console.warn(event.message));
 * ```
 */
export class WarningEvent extends Event {
  /** What happened. */
  readonly message: string;
  /** The peer involved, if any. */
  readonly from: Address | undefined;

  /**
   * Builds the event.
   *
   * @param message what happened
   * @param from the peer involved
   */
  constructor(message: string, from?: Address) {
    super("warning");
    this.message = message;
    this.from = from;
  }
}

/**
 * The events of a {@linkcode KademliaNode}, by name: what `addEventListener` types its
 * listener with.
 *
 * @example
 * ```ts
 * import { KademliaNode, type KademliaNodeEventMap } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * const seen: (keyof KademliaNodeEventMap)[] = [];
 * for (const type of ["peer-added", "peer-removed", "warning"] as const) {
 *   node.addEventListener(type, () => seen.push(type));
 * }
 * ```
 */
export interface KademliaNodeEventMap {
  /** A contact entered the routing table. */
  "peer-added": PeerAddedEvent;
  /** A contact left the routing table. */
  "peer-removed": PeerRemovedEvent;
  /** A valid query arrived. */
  "query-received": QueryReceivedEvent;
  /** A lookup ended. */
  "lookup-finished": LookupFinishedEvent;
  /** This node kept a record. */
  "value-stored": ValueStoredEvent;
  /** Something went wrong and the node went on. */
  "warning": WarningEvent;
}
