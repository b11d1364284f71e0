/**
 * The default {@linkcode Storage}: a bounded in-memory map.
 *
 * @module
 */
import { ID_LENGTH, idKey, idsEqual, idToHex, isNodeId, xorBytes } from "../id/node_id.ts";
import { resolveCapacity, type StorageCapacityOptions } from "./capacity.ts";
import { checkRecord } from "./check_record.ts";
import { IndexedHeap } from "./indexed_heap.ts";
import { type StoredRecord, valueByteLength } from "./record.ts";
import type { PutRefusal, PutResult, Storage, StorageStats } from "./storage.ts";

/**
 * Options for {@linkcode MemoryStorage}: its capacity.
 *
 * @example
 * ```ts
 * import { KademliaNode, MemoryStorage, type MemoryStorageOptions } from "@kdht/core";
 *
 * const options: MemoryStorageOptions = { maxRecords: 10_000, maxBytes: 16 * 1024 * 1024 };
 * await using node = new KademliaNode({ storage: new MemoryStorage(options) });
 * ```
 */
export type MemoryStorageOptions = StorageCapacityOptions;

/** A held record with what eviction needs, computed once when it is stored. */
interface Entry {
  record: StoredRecord;
  /** The map's key (`idKey` of the record's key): kept, so eviction never re-reads `record.key`. */
  readonly mapKey: string;
  /** Value bytes. */
  size: number;
  /** The key XOR our id: a copy, so a caller mutating `record.key` cannot corrupt the heap. */
  distance: Uint8Array;
  /** Position in the eviction heap; -1 for local records, which are never evicted. */
  heapIndex: number;
}

/** Bytewise order of two 20-byte distances. */
function compareDistances(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_LENGTH; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return 0;
}

/**
 * A bounded in-memory store. When full, it evicts the record farthest from the node's id if
 * that record is farther than the newcomer (or the newcomer is local), and refuses the
 * newcomer otherwise; records the node published itself (`local`) are never evicted.
 *
 * Lookup, insert, replace, delete and each eviction cost O(log n): non-local records sit in
 * an indexed max-heap by distance. `republishDue`, `replicateDue` and `removeExpired` scan
 * every record (the node runs them about hourly).
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "@kdht/core";
 *
 * const storage = new MemoryStorage({ maxRecords: 1000 });
 * storage.open(new Uint8Array(20));
 * const key = new Uint8Array(20).fill(7);
 * const now = Date.now();
 * const result = storage.put({
 *   key,
 *   value: "hello",
 *   publishedAt: now,
 *   expiresAt: now + 86_400_000,
 *   receivedAt: now,
 *   local: false,
 * });
 * console.log(result.stored, storage.get(key)?.value); // true "hello"
 * ```
 */
export class MemoryStorage implements Storage {
  readonly #entries = new Map<string, Entry>();
  readonly #heap = new IndexedHeap<Entry>((a, b) => compareDistances(a.distance, b.distance) > 0);
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  #localId: Uint8Array = new Uint8Array(ID_LENGTH);
  #bytes = 0;
  #evictions = 0;
  /** No record stored since the last expiry scan expires before this (a lower bound). */
  #earliestExpiry = Infinity;
  #expired = 0;
  readonly #refusals: Record<PutRefusal, number> = { full: 0, too_large: 0 };

  /**
   * Creates an empty store. Until {@linkcode MemoryStorage.open} is called, distance is
   * measured from the all-zero id.
   *
   * @param options capacity in records and bytes
   * @throws {RangeError} if a capacity is not a positive integer
   */
  constructor(options: MemoryStorageOptions = {}) {
    const capacity = resolveCapacity(options ?? {});
    this.#maxRecords = capacity.maxRecords;
    this.#maxBytes = capacity.maxBytes;
  }

  /**
   * Sets the node id that eviction measures distance from. Opening with another id than
   * before re-orders what is held, in O(n).
   *
   * @param localId the node's 20-byte id
   * @throws {TypeError} if `localId` is not a 20-byte Uint8Array
   */
  open(localId: Uint8Array): void {
    idToHex(localId); // validates
    if (idsEqual(localId, this.#localId)) return;
    this.#localId = localId.slice();
    const evictable: Entry[] = [];
    for (const entry of this.#entries.values()) {
      entry.distance = xorBytes(entry.record.key, this.#localId);
      if (entry.heapIndex !== -1) evictable.push(entry);
    }
    this.#heap.rebuild(evictable);
  }

  /** How many records are held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The record under `key`, if any, expired or not.
   *
   * @param key the 20-byte key
   * @throws {TypeError} if `key` is not a 20-byte Uint8Array
   */
  get(key: Uint8Array): StoredRecord | undefined {
    return this.#entries.get(mapKey(key))?.record;
  }

  /**
   * Stores or replaces the record under `record.key`, evicting the farthest records when
   * full (see the class doc). A refused put changes nothing: no record is evicted for a
   * newcomer that is then refused, and a record it would have replaced stays.
   *
   * @param record the record to keep
   * @returns whether it was stored, how many records were evicted for it, or why not
   * @throws {TypeError} if the key is not 20 bytes, the value neither text nor bytes, or a
   * time not a number
   */
  put(record: StoredRecord): PutResult {
    checkRecord(record);
    const key = mapKey(record.key);
    const size = valueByteLength(record.value);
    if (size > this.#maxBytes) return this.#refuse("too_large");
    const old = this.#entries.get(key);
    if (
      old !== undefined && !old.record.local === !record.local &&
      this.#bytes - old.size + size <= this.#maxBytes
    ) {
      // A replacement that needs no eviction (a holder's re-store, most often) keeps its place
      // in the heap: the key, and so the distance, is the same.
      this.#bytes += size - old.size;
      old.record = record;
      old.size = size;
      this.#noteExpiry(record);
      return { stored: true, evicted: 0 };
    }
    const distance = old?.distance ?? xorBytes(record.key, this.#localId);
    // The record being replaced is no candidate for eviction.
    if (old) this.#heap.remove(old);
    const needRecords = old ? 0 : this.#entries.size + 1 - this.#maxRecords;
    let bytesOver = this.#bytes - (old?.size ?? 0) + size - this.#maxBytes;
    const victims: Entry[] = [];
    while (victims.length < needRecords || bytesOver > 0) {
      const victim = this.#heap.peek();
      if (
        victim === undefined ||
        (!record.local && compareDistances(victim.distance, distance) < 0)
      ) {
        for (const entry of victims) this.#heap.push(entry);
        if (old && !old.record.local) this.#heap.push(old);
        return this.#refuse("full");
      }
      this.#heap.pop();
      victims.push(victim);
      bytesOver -= victim.size;
    }
    for (const victim of victims) {
      this.#entries.delete(victim.mapKey);
      this.#bytes -= victim.size;
    }
    this.#evictions += victims.length;
    const entry: Entry = old ?? { record, mapKey: key, size, distance, heapIndex: -1 };
    if (old) this.#bytes -= old.size;
    entry.record = record;
    entry.size = size;
    this.#bytes += size;
    if (!old) this.#entries.set(key, entry);
    if (!record.local) this.#heap.push(entry);
    this.#noteExpiry(record);
    return { stored: true, evicted: victims.length };
  }

  /**
   * Removes the record under `key`.
   *
   * @param key the 20-byte key
   * @returns true if there was one
   * @throws {TypeError} if `key` is not a 20-byte Uint8Array
   */
  delete(key: Uint8Array): boolean {
    const entry = this.#entries.get(mapKey(key));
    if (!entry) return false;
    this.#drop(entry);
    return true;
  }

  /** Every record held, in no particular order. */
  *records(): IterableIterator<StoredRecord> {
    for (const entry of this.#entries.values()) yield entry.record;
  }

  /**
   * Local records last published at or before `publishedBefore`.
   *
   * @param publishedBefore a wall-clock time in ms
   */
  republishDue(publishedBefore: number): StoredRecord[] {
    const due: StoredRecord[] = [];
    for (const { record } of this.#entries.values()) {
      if (record.local && record.publishedAt <= publishedBefore) due.push(record);
    }
    return due;
  }

  /**
   * Replicas (not local, not cached) last received at or before `receivedBefore`.
   *
   * @param receivedBefore a wall-clock time in ms
   */
  replicateDue(receivedBefore: number): StoredRecord[] {
    const due: StoredRecord[] = [];
    for (const { record } of this.#entries.values()) {
      if (!record.local && !record.cached && record.receivedAt <= receivedBefore) {
        due.push(record);
      }
    }
    return due;
  }

  /**
   * Deletes every record whose `expiresAt` is at or before `now`.
   *
   * @param now the wall-clock time in ms
   * @returns how many were removed
   */
  removeExpired(now: number): number {
    // Nothing can have expired before the earliest expiry stored since the last scan: the
    // sweep runs every few minutes on every node, and most sweeps find nothing.
    if (now < this.#earliestExpiry) return 0;
    let removed = 0;
    let earliest = Infinity;
    for (const entry of this.#entries.values()) {
      const expiresAt = entry.record.expiresAt;
      if (expiresAt <= now) {
        this.#drop(entry);
        removed++;
      } else if (expiresAt < earliest) {
        earliest = expiresAt;
      }
    }
    this.#earliestExpiry = earliest;
    this.#expired += removed;
    return removed;
  }

  /** Counters since the store was created. */
  stats(): StorageStats {
    return {
      records: this.#entries.size,
      bytes: this.#bytes,
      evictions: this.#evictions,
      refusals: { ...this.#refusals },
      expired: this.#expired,
    };
  }

  /** Nothing to release: the store stays usable. */
  close(): void {}

  #refuse(reason: PutRefusal): PutResult {
    this.#refusals[reason]++;
    return { stored: false, reason };
  }

  #noteExpiry(record: StoredRecord): void {
    if (record.expiresAt < this.#earliestExpiry) this.#earliestExpiry = record.expiresAt;
  }

  #drop(entry: Entry): void {
    this.#entries.delete(entry.mapKey);
    this.#heap.remove(entry);
    this.#bytes -= entry.size;
  }
}

/** The map key of a record key. */
function mapKey(key: Uint8Array): string {
  if (!isNodeId(key)) idToHex(key); // throws the TypeError that says what the key was
  return idKey(key);
}
