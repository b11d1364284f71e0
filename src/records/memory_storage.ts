/**
 * The default {@linkcode Storage}: a bounded in-memory map.
 *
 * @module
 */
import { MAX_RECORDS, MAX_STORED_BYTES } from "../constants.ts";
import { compareDistance, idToHex } from "../id/node_id.ts";
import { type StoredRecord, valueByteLength } from "./record.ts";
import type { PutResult, Storage, StorageStats } from "./storage.ts";

/**
 * Options for {@linkcode MemoryStorage}.
 *
 * @example
 * ```ts
 * import { KademliaNode, MemoryStorage, type MemoryStorageOptions } from "@kdht/core";
 *
 * const options: MemoryStorageOptions = { maxRecords: 10_000, maxBytes: 16 * 1024 * 1024 };
 * await using node = new KademliaNode({ storage: new MemoryStorage(options) });
 * ```
 */
export interface MemoryStorageOptions {
  /**
   * The most records held.
   * @default {65536}
   */
  maxRecords?: number;
  /**
   * The most value bytes held (UTF-8 bytes for text).
   * @default {67108864} (64 MiB)
   */
  maxBytes?: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot create storage: '${name}' must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * A bounded in-memory store; when full it evicts the record farthest from the node's id.
 *
 * @example
 * ```ts
 * import { KademliaNode, MemoryStorage } from "@kdht/core";
 *
 * const storage = new MemoryStorage({ maxRecords: 1000 });
 * await using node = new KademliaNode({ storage });
 * await node.listen(0);
 * await node.set("k", "v");
 * console.log(storage.size); // 1
 * ```
 */
export class MemoryStorage implements Storage {
  readonly #records = new Map<string, StoredRecord>();
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  #localId: Uint8Array | undefined;
  #bytes = 0;
  readonly #stats: StorageStats = {
    records: 0,
    bytes: 0,
    evictions: 0,
    refusals: { full: 0, too_large: 0 },
    expired: 0,
  };

  /**
   * Creates an empty store.
   *
   * @param options capacity in records and bytes
   * @throws {RangeError} if a capacity is not a positive integer
   */
  constructor(options?: MemoryStorageOptions) {
    this.#maxRecords = positiveInteger("maxRecords", options?.maxRecords ?? MAX_RECORDS);
    this.#maxBytes = positiveInteger("maxBytes", options?.maxBytes ?? MAX_STORED_BYTES);
  }

  /** Sets the node id that eviction measures distance from. */
  open(localId: Uint8Array): void {
    this.#localId = localId.slice();
  }

  /** How many records are held. */
  get size(): number {
    return this.#records.size;
  }

  /** The record under `key`, if any. */
  get(key: Uint8Array): StoredRecord | undefined {
    return this.#records.get(idToHex(key));
  }

  /** Stores or replaces a record, evicting the farthest ones when full. */
  put(record: StoredRecord): PutResult {
    const hex = idToHex(record.key);
    const size = valueByteLength(record.value);
    if (size > this.#maxBytes) return this.#refuse("too_large");
    const old = this.#records.get(hex);
    const oldSize = old ? valueByteLength(old.value) : 0;
    let evicted = 0;
    while (
      (!old && this.#records.size >= this.#maxRecords) ||
      this.#bytes - oldSize + size > this.#maxBytes
    ) {
      const victim = this.#farthestEvictable(hex);
      if (!victim || (!record.local && this.#nearer(victim.key, record.key))) {
        return this.#refuse("full");
      }
      this.#remove(idToHex(victim.key));
      evicted++;
      this.#stats.evictions++;
    }
    if (old) this.#bytes -= oldSize;
    this.#records.set(hex, record);
    this.#bytes += size;
    return { stored: true, evicted };
  }

  /** Removes the record under `key`. */
  delete(key: Uint8Array): boolean {
    return this.#remove(idToHex(key));
  }

  /** Every record held. */
  records(): Iterable<StoredRecord> {
    return this.#records.values();
  }

  /** Local records last published at or before the given time. */
  republishDue(publishedBefore: number): StoredRecord[] {
    return [...this.#records.values()].filter((r) => r.local && r.publishedAt <= publishedBefore);
  }

  /** Replicas last received at or before the given time. */
  replicateDue(receivedBefore: number): StoredRecord[] {
    return [...this.#records.values()].filter((r) =>
      !r.local && !r.cached && r.receivedAt <= receivedBefore
    );
  }

  /** Deletes expired records. */
  removeExpired(now: number): number {
    let removed = 0;
    for (const [hex, record] of this.#records) {
      if (record.expiresAt <= now) {
        this.#remove(hex);
        removed++;
      }
    }
    this.#stats.expired += removed;
    return removed;
  }

  /** Counters since creation. */
  stats(): StorageStats {
    return {
      ...this.#stats,
      refusals: { ...this.#stats.refusals },
      records: this.#records.size,
      bytes: this.#bytes,
    };
  }

  /** Nothing to release. */
  close(): void {}

  #refuse(reason: "full" | "too_large"): PutResult {
    this.#stats.refusals[reason]++;
    return { stored: false, reason };
  }

  #remove(hex: string): boolean {
    const old = this.#records.get(hex);
    if (!old) return false;
    this.#records.delete(hex);
    this.#bytes -= valueByteLength(old.value);
    return true;
  }

  /** True if `a` is nearer our id than `b`. */
  #nearer(a: Uint8Array, b: Uint8Array): boolean {
    return this.#localId !== undefined && compareDistance(this.#localId, a, b) < 0;
  }

  #farthestEvictable(except: string): StoredRecord | undefined {
    let victim: StoredRecord | undefined;
    for (const [hex, record] of this.#records) {
      if (record.local || hex === except) continue;
      if (!victim || this.#nearer(victim.key, record.key)) victim = record;
    }
    return victim;
  }
}
