/**
 * Where a node keeps the records it holds. The interface is synchronous and small so that the
 * bounded in-memory default and a persistent store (`SqliteStorage` from `@kdht/core/sqlite`,
 * on `node:sqlite`, which is synchronous in every runtime) pass one conformance suite.
 *
 * Policy lives with the node, not here: which of two records under one key wins (last writer
 * wins, {@linkcode compareRecords}), validation, TTLs. A store keeps what it is given, bounded
 * by its capacity, and says when it refused.
 *
 * @module
 */
import type { StoredRecord } from "./record.ts";

export type { StoredRecord } from "./record.ts";

/**
 * Where a record came from, for per-source accounting (quotas) in stores that keep it.
 *
 * @example
 * ```ts
 * import type { RecordSource } from "@kdht/core";
 *
 * const source: RecordSource = { host: "127.0.0.1", port: 6881 }; // who sent a record
 * ```
 */
export interface RecordSource {
  /** The sender's IP literal. */
  readonly host: string;
  /** The sender's UDP port. */
  readonly port: number;
}

/**
 * Why a store refused a record.
 *
 * @example
 * ```ts
 * import { MemoryStorage, type PutRefusal } from "@kdht/core";
 *
 * const storage = new MemoryStorage({ maxBytes: 4 });
 * storage.open(new Uint8Array(20));
 * const result = storage.put({
 *   key: new Uint8Array(20).fill(1),
 *   value: "too long for four bytes",
 *   publishedAt: Date.now(),
 *   expiresAt: Date.now() + 60_000,
 *   local: false,
 *   receivedAt: Date.now(),
 * });
 * const reason: PutRefusal | undefined = result.stored ? undefined : result.reason;
 * console.log(reason); // "too_large"
 * ```
 */
export type PutRefusal =
  /** The store is at capacity and every record it could evict is nearer our id. */
  | "full"
  /** The value alone is larger than the store's byte capacity. */
  | "too_large";

/**
 * What {@linkcode Storage.put} did.
 *
 * @example
 * ```ts
 * import { MemoryStorage, type PutResult } from "@kdht/core";
 *
 * const storage = new MemoryStorage();
 * storage.open(new Uint8Array(20));
 * const now = Date.now();
 * const result: PutResult = storage.put({
 *   key: new Uint8Array(20).fill(1),
 *   value: "v",
 *   publishedAt: now,
 *   expiresAt: now + 60_000,
 *   local: true,
 *   receivedAt: now,
 * });
 * console.log(result.stored); // true
 * ```
 */
export type PutResult =
  | { readonly stored: true; readonly evicted: number }
  | { readonly stored: false; readonly reason: PutRefusal };

/**
 * A store's counters. `records` and `bytes` describe what is held now; the others count over
 * the store's life: since it was created, for a memory store, and across restarts, for a
 * persistent one.
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
 * const { records, bytes } = seed.stats().storage;
 * console.log(records, bytes); // 1 1
 * ```
 */
export interface StorageStats {
  /** Records held. */
  records: number;
  /** Value bytes held: UTF-8 bytes of text values, the length of bytes values. */
  bytes: number;
  /** Records removed to make room for nearer ones. */
  evictions: number;
  /** Puts refused, by reason. */
  refusals: Record<PutRefusal, number>;
  /** Records removed because they expired. */
  expired: number;
}

/**
 * A key-value store for records.
 *
 * @example
 * ```ts
 * import { KademliaNode, MemoryStorage, type Storage } from "@kdht/core";
 *
 * const storage: Storage = new MemoryStorage({ maxRecords: 1000 });
 * await using node = new KademliaNode({ storage }); // the node opens and closes it
 * ```
 */
export interface Storage {
  /**
   * Called by the node once, before first use, with the node's id: stores that evict by
   * distance (farthest from our id first) need it. Before it is called, a new store measures
   * distance from the all-zero id; opening with another id re-orders what is held.
   *
   * @param localId the node's 20-byte id
   * @throws {TypeError} if `localId` is not a 20-byte Uint8Array
   */
  open(localId: Uint8Array): void;
  /**
   * The record under `key`, if any, expired or not (the node checks expiry).
   *
   * @param key the 20-byte key
   */
  get(key: Uint8Array): StoredRecord | undefined;
  /**
   * Stores or replaces the record under `record.key`. When full, a store evicts the record
   * farthest from our id if it is farther than the newcomer, and refuses the newcomer
   * otherwise; records this node published (`local`) are never evicted, and a local record
   * is refused only when nothing else can make room. Replacing a record never costs a record
   * slot, only the difference in bytes. A refused put changes nothing: nothing is evicted for
   * it and the record it would have replaced stays.
   *
   * A persistent store may batch writes, but a record it reports stored is durable before
   * control returns to the event loop (by the time the caller's next `await` resumes).
   *
   * @param record the record to keep
   * @param source who sent it, when it came from the network
   * @returns whether it was stored, how many records were evicted for it, or why it was refused
   */
  put(record: StoredRecord, source?: RecordSource): PutResult;
  /**
   * Removes the record under `key`.
   *
   * @param key the 20-byte key
   * @returns true if there was one
   */
  delete(key: Uint8Array): boolean;
  /** How many records are held. */
  readonly size: number;
  /** Every record held, in no particular order (for introspection and saved state). */
  records(): Iterable<StoredRecord>;
  /**
   * Records this node published whose last publication is at or before `publishedBefore`:
   * due for the original publisher's republish.
   *
   * @param publishedBefore a wall-clock time in ms
   */
  republishDue(publishedBefore: number): StoredRecord[];
  /**
   * Replicas (not local, not cached) last received at or before `receivedBefore`: due for a
   * holder's re-store.
   *
   * @param receivedBefore a wall-clock time in ms
   */
  replicateDue(receivedBefore: number): StoredRecord[];
  /**
   * Deletes every record whose `expiresAt` is at or before `now`.
   *
   * @param now the wall-clock time in ms
   * @returns how many were removed
   */
  removeExpired(now: number): number;
  /** The store's counters (see {@linkcode StorageStats}). */
  stats(): StorageStats;
  /** Releases what the store holds open (a database). Idempotent; memory stores may no-op. */
  close(): void;
}
