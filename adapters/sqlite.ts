/**
 * A persistent {@linkcode Storage} in one SQLite file, on `node:sqlite` (`DatabaseSync`, the
 * synchronous API Deno ≥ 2.2, Bun ≥ 1.4 and Node ≥ 22.13 share). Exported as
 * `@kdht/core/sqlite`.
 *
 * @module
 */
import { ID_LENGTH, idsEqual, idToHex, xorBytes } from "../src/id/node_id.ts";
import { resolveCapacity, type StorageCapacityOptions } from "../src/records/capacity.ts";
import { checkRecord } from "../src/records/check_record.ts";
import type { StoredRecord } from "../src/records/record.ts";
import type { PutRefusal, PutResult, Storage, StorageStats } from "../src/records/storage.ts";
import { loadNodeSqlite, type SqliteDatabase, type SqlRow } from "./_node_sqlite.ts";
import { openStore, type Statements, toRecord } from "./_sqlite_schema.ts";

/** Options for {@linkcode SqliteStorage}: its capacity, and how hard a commit waits. */
export interface SqliteStorageOptions extends StorageCapacityOptions {
  /**
   * SQLite's `synchronous` setting. `"normal"`: a committed record survives the process
   * being killed, not the machine losing power (SQLite's advice for WAL mode). `"full"`:
   * it survives both, at the cost of an fsync on every commit.
   * @default {"normal"}
   */
  synchronous?: "normal" | "full";
}

const encoder = new TextEncoder();
/** Sorts after every 20-byte distance (blobs compare bytewise, then by length). */
const ABOVE_ALL = new Uint8Array(ID_LENGTH + 1).fill(0xff);
/** Sorts before every 20-byte distance. */
const BELOW_ALL = new Uint8Array(0);
/** Rows `records()` reads at a time. */
const PAGE_SIZE = 256;

/**
 * A bounded, persistent store in one SQLite file, with the same eviction rules and counters
 * as `MemoryStorage` (the storage conformance suite runs on both): when full, it evicts the
 * record farthest from the node's id only for a nearer newcomer (or a local one), and never
 * a local record. Records and counters survive a restart; open the same file with the same
 * node id (saved state) to keep its order, or another id to re-order it in O(n).
 *
 * Every lookup, put, eviction and due-query is an index search, O(log n). The file is in WAL
 * mode and held exclusively: one store per file at a time, in any process. Writes are
 * batched: the first write of a synchronous burst opens a transaction and a queued microtask
 * commits it, so a put is on disk before control returns to the event loop (by the time the
 * caller's next `await` resumes). `flush()` commits at once; `close()` commits and closes.
 * A commit that fails is rolled back, the counts are re-read from the file, and the error is
 * thrown from the microtask, where the runtime reports it as uncaught.
 *
 * @example
 * ```ts
 * import { SqliteStorage } from "@kdht/core/sqlite";
 *
 * const storage = new SqliteStorage(":memory:", { maxRecords: 10_000 });
 * storage.open(new Uint8Array(20));
 * const key = new Uint8Array(20).fill(7);
 * const now = Date.now();
 * storage.put({
 *   key,
 *   value: "hello",
 *   publishedAt: now,
 *   expiresAt: now + 86_400_000,
 *   receivedAt: now,
 *   local: true,
 * });
 * console.log(storage.get(key)?.value); // "hello"
 * storage.close();
 * ```
 */
export class SqliteStorage implements Storage {
  #db: SqliteDatabase | undefined;
  readonly #sql: Statements;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  #localId: Uint8Array;
  #records = 0;
  #bytes = 0;
  #evictions: number;
  #expired: number;
  readonly #refusals: Record<PutRefusal, number>;
  #inTransaction = false;
  #countersDirty = false;
  readonly #commitTask = (): void => this.#commit();

  /**
   * Opens (or creates) the store in `path`.
   *
   * @param path a file path, or `":memory:"` for a store that lives as long as the object
   * @param options capacity in records and bytes, and `synchronous`
   * @throws {Error} if this runtime has no `node:sqlite` (it needs Deno ≥ 2.2, Bun ≥ 1.4 or
   * Node ≥ 22.13), or the file cannot be opened, is held by another store, or was written by
   * a newer schema
   * @throws {RangeError} if a capacity is not a positive integer or `synchronous` is unknown
   * @throws {TypeError} if `path` is not a string
   */
  constructor(path: string, options: SqliteStorageOptions = {}) {
    if (typeof path !== "string") {
      throw new TypeError(
        `Cannot create storage: 'path' must be a string (a file or ":memory:"), got ${typeof path}`,
      );
    }
    const capacity = resolveCapacity(options);
    const synchronous = options.synchronous ?? "normal";
    if (synchronous !== "normal" && synchronous !== "full") {
      throw new RangeError(
        `Cannot create storage: 'synchronous' must be "normal" or "full", got ${
          String(synchronous)
        }`,
      );
    }
    this.#maxRecords = capacity.maxRecords;
    this.#maxBytes = capacity.maxBytes;
    const { db, sql, meta } = openStore(loadNodeSqlite(), path, synchronous);
    this.#sql = sql;
    this.#localId = meta.local_id as Uint8Array;
    this.#evictions = Number(meta.evictions);
    this.#expired = Number(meta.expired);
    this.#refusals = {
      full: Number(meta.refused_full),
      too_large: Number(meta.refused_too_large),
    };
    this.#db = db;
    this.#resync();
  }

  /**
   * Sets the node id that eviction measures distance from; the id is saved with the store.
   * Opening with another id than the file was last opened with re-orders it, in O(n).
   *
   * @param localId the node's 20-byte id
   * @throws {TypeError} if `localId` is not a 20-byte Uint8Array
   */
  open(localId: Uint8Array): void {
    idToHex(localId); // validates
    const sql = this.#statements();
    if (idsEqual(localId, this.#localId)) return;
    const id = localId.slice();
    this.#begin();
    for (const row of sql.keys.all()) {
      sql.setDistance.run(xorBytes(row.key as Uint8Array, id), row.id!);
    }
    sql.saveLocalId.run(id);
    this.#localId = id;
  }

  /** How many records are held. */
  get size(): number {
    return this.#records;
  }

  /**
   * The record under `key`, if any, expired or not.
   *
   * @param key the 20-byte key
   * @throws {TypeError} if `key` is not a 20-byte Uint8Array
   */
  get(key: Uint8Array): StoredRecord | undefined {
    idToHex(key); // validates
    const row = this.#statements().get.get(key);
    return row === undefined ? undefined : toRecord(row);
  }

  /**
   * Stores or replaces the record under `record.key`, evicting the farthest records when
   * full. A refused put changes nothing.
   *
   * @param record the record to keep
   * @returns whether it was stored, how many records were evicted for it, or why not
   * @throws {TypeError} if the key is not 20 bytes, the value neither text nor bytes, or a
   * time not a number
   */
  put(record: StoredRecord): PutResult {
    checkRecord(record);
    const sql = this.#statements();
    const isText = typeof record.value === "string";
    const data = isText ? encoder.encode(record.value as string) : record.value as Uint8Array;
    const size = data.length;
    if (size > this.#maxBytes) return this.#refuse("too_large");
    const distance = xorBytes(record.key, this.#localId);
    const old = sql.existing.get(record.key);
    const oldSize = old === undefined ? 0 : Number(old.size);
    // Plan every eviction before changing anything, so a refusal leaves the store as it was.
    const needRecords = old === undefined ? this.#records + 1 - this.#maxRecords : 0;
    let bytesOver = this.#bytes - oldSize + size - this.#maxBytes;
    const victims: SqlRow[] = [];
    let cursor: Uint8Array = ABOVE_ALL;
    const floor = record.local ? BELOW_ALL : distance;
    while (victims.length < needRecords || bytesOver > 0) {
      const victim = sql.nextVictim.get(cursor, floor, distance);
      if (victim === undefined) return this.#refuse("full");
      victims.push(victim);
      bytesOver -= Number(victim.size);
      cursor = victim.distance as Uint8Array;
    }
    this.#begin();
    this.#atomically(victims.length > 0, () => {
      for (const victim of victims) sql.deleteRow.run(victim.id!);
      sql.upsert.run(
        record.key,
        distance,
        data,
        isText ? 1 : 0,
        size,
        record.publishedAt,
        record.expiresAt,
        record.receivedAt,
        record.publisher ?? null,
        record.local ? 1 : 0,
        record.cached ? 1 : 0,
        record.name ?? null,
      );
    });
    let freed = 0;
    for (const victim of victims) freed += Number(victim.size);
    this.#records += (old === undefined ? 1 : 0) - victims.length;
    this.#bytes += size - oldSize - freed;
    if (victims.length > 0) {
      this.#evictions += victims.length;
      this.#countersDirty = true;
    }
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
    idToHex(key); // validates
    const sql = this.#statements();
    this.#begin();
    const rows = this.#atomically(false, () => sql.deleteKey.all(key));
    for (const row of rows) this.#bytes -= Number(row.size);
    this.#records -= rows.length;
    return rows.length > 0;
  }

  /**
   * Every record held, read from the file a page at a time.
   *
   * @returns the records, in the order they were first stored
   */
  *records(): IterableIterator<StoredRecord> {
    let cursor = 0;
    for (;;) {
      const rows = this.#statements().page.all(cursor, PAGE_SIZE);
      for (const row of rows) yield toRecord(row);
      if (rows.length < PAGE_SIZE) return;
      cursor = Number(rows[rows.length - 1]!.id);
    }
  }

  /**
   * Local records last published at or before `publishedBefore`.
   *
   * @param publishedBefore a wall-clock time in ms
   */
  republishDue(publishedBefore: number): StoredRecord[] {
    return this.#statements().republishDue.all(publishedBefore).map(toRecord);
  }

  /**
   * Replicas (not local, not cached) last received at or before `receivedBefore`.
   *
   * @param receivedBefore a wall-clock time in ms
   */
  replicateDue(receivedBefore: number): StoredRecord[] {
    return this.#statements().replicateDue.all(receivedBefore).map(toRecord);
  }

  /**
   * Deletes every record whose `expiresAt` is at or before `now`.
   *
   * @param now the wall-clock time in ms
   * @returns how many were removed
   */
  removeExpired(now: number): number {
    const sql = this.#statements();
    this.#begin();
    const rows = this.#atomically(false, () => sql.removeExpired.all(now));
    for (const row of rows) this.#bytes -= Number(row.size);
    this.#records -= rows.length;
    if (rows.length > 0) {
      this.#expired += rows.length;
      this.#countersDirty = true;
    }
    return rows.length;
  }

  /** The store's counters; all but `records` and `bytes` are kept in the file. */
  stats(): StorageStats {
    return {
      records: this.#records,
      bytes: this.#bytes,
      evictions: this.#evictions,
      refusals: { ...this.#refusals },
      expired: this.#expired,
    };
  }

  /**
   * Commits what is pending now instead of at the end of the current burst.
   *
   * @throws {Error} if the store is closed or the commit fails (it is then rolled back)
   */
  flush(): void {
    this.#statements();
    this.#commit();
  }

  /** Commits what is pending and closes the file. Idempotent. */
  close(): void {
    const db = this.#db;
    if (db === undefined) return;
    try {
      this.#commit();
    } finally {
      this.#db = undefined;
      db.close();
    }
  }

  #statements(): Statements {
    if (this.#db === undefined) throw new Error("SqliteStorage is closed");
    return this.#sql;
  }

  #refuse(reason: PutRefusal): PutResult {
    this.#refusals[reason]++;
    this.#countersDirty = true;
    this.#begin();
    return { stored: false, reason };
  }

  /** Opens the burst's transaction, if none is open, and queues its commit. */
  #begin(): void {
    if (this.#inTransaction) return;
    this.#db!.exec("BEGIN IMMEDIATE");
    this.#inTransaction = true;
    queueMicrotask(this.#commitTask);
  }

  /**
   * Runs the writes of one operation; several statements go in a savepoint, so a failure
   * (a full disk) undoes all of them. After a failure the counts are re-read from the file.
   */
  #atomically<T>(several: boolean, writes: () => T): T {
    const db = this.#db!;
    if (several) db.exec("SAVEPOINT kdht_put");
    try {
      const result = writes();
      if (several) db.exec("RELEASE kdht_put");
      return result;
    } catch (error) {
      if (several && db.isTransaction) db.exec("ROLLBACK TO kdht_put; RELEASE kdht_put");
      this.#inTransaction = db.isTransaction;
      this.#resync();
      throw error;
    }
  }

  #commit(): void {
    const db = this.#db;
    if (!this.#inTransaction || db === undefined) return;
    this.#inTransaction = false;
    try {
      if (this.#countersDirty) {
        this.#sql.saveCounters.run(
          this.#evictions,
          this.#refusals.full,
          this.#refusals.too_large,
          this.#expired,
        );
        this.#countersDirty = false;
      }
      db.exec("COMMIT");
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      this.#countersDirty = true;
      this.#resync();
      throw error;
    }
  }

  /** Re-reads the record count and value bytes from the file. */
  #resync(): void {
    const totals = this.#sql.totals.get()!;
    this.#records = Number(totals.records);
    this.#bytes = Number(totals.bytes);
  }
}
