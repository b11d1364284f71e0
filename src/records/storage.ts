/**
 * Where a node keeps the values it holds. The interface is small so that a persistent store
 * (sqlite, a file) can replace the bounded in-memory default.
 *
 * @module
 */
import { compareDistance, idToHex } from "../id/node_id.ts";
import type { TypedValue } from "../wire/krpc.ts";

const utf8 = new TextEncoder();

/** A value's size in bytes: UTF-8 bytes for text, length for bytes. */
export function valueByteLength(value: TypedValue): number {
  return typeof value === "string" ? utf8.encode(value).length : value.length;
}

/** One stored value and what is known about it. */
export interface StoredRecord {
  /** The 20-byte key (SHA-1 of the user's key). */
  readonly key: Uint8Array;
  /** The value, with its type. */
  readonly value: TypedValue;
  /** When it was stored or last re-stored, in the node's clock milliseconds. */
  readonly storedAt: number;
  /** True if this node published it (it was `set` here), not just holds a copy. */
  readonly local: boolean;
}

/** A key-value store for records. Synchronous: the in-memory default answers at once. */
export interface Storage {
  /** The record under `key`, if any. */
  get(key: Uint8Array): StoredRecord | undefined;
  /** Stores or replaces the record under `record.key`. Returns false if it was refused. */
  put(record: StoredRecord): boolean;
  /** Removes the record under `key`; true if there was one. */
  delete(key: Uint8Array): boolean;
  /** How many records are held. */
  readonly size: number;
  /** Every record (for republishing and saving state). */
  records(): IterableIterator<StoredRecord>;
}

/** Options for {@linkcode MemoryStorage}. */
export interface MemoryStorageOptions {
  /**
   * The most records held. When full, the record whose key is farthest from `localId` is
   * evicted first (libtorrent's rule: the node is least responsible for far keys).
   * @default {65536}
   */
  maxRecords?: number;
  /** The node's id, for the eviction order. Without it the oldest record is evicted. */
  localId?: Uint8Array;
}

/** The default storage: a bounded in-memory map. */
export class MemoryStorage implements Storage {
  readonly #records = new Map<string, StoredRecord>();
  readonly #maxRecords: number;
  readonly #localId: Uint8Array | undefined;

  /**
   * Creates an empty store.
   *
   * @param options capacity and eviction order
   * @throws {RangeError} if `maxRecords` is not a positive integer
   */
  constructor(options: MemoryStorageOptions = {}) {
    const maxRecords = options.maxRecords ?? 65536;
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new RangeError(
        `Cannot create storage: 'maxRecords' must be a positive integer, got ${maxRecords}`,
      );
    }
    this.#maxRecords = maxRecords;
    this.#localId = options.localId;
  }

  /** How many records are held. */
  get size(): number {
    return this.#records.size;
  }

  /** The record under `key`, if any. */
  get(key: Uint8Array): StoredRecord | undefined {
    return this.#records.get(idToHex(key));
  }

  /** Stores or replaces a record, evicting the farthest one when full. Always accepts. */
  put(record: StoredRecord): boolean {
    const hex = idToHex(record.key);
    if (!this.#records.has(hex) && this.#records.size >= this.#maxRecords) this.#evictOne();
    this.#records.set(hex, record);
    return true;
  }

  /** Removes the record under `key`. */
  delete(key: Uint8Array): boolean {
    return this.#records.delete(idToHex(key));
  }

  /** Every record held. */
  records(): IterableIterator<StoredRecord> {
    return this.#records.values();
  }

  #evictOne(): void {
    let victim: StoredRecord | undefined;
    for (const record of this.#records.values()) {
      if (!this.#localId) {
        victim = record; // Map keeps insertion order: the first is the oldest.
        break;
      }
      if (!victim || compareDistance(this.#localId, record.key, victim.key) > 0) victim = record;
    }
    if (victim) this.#records.delete(idToHex(victim.key));
  }
}
