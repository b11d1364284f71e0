/**
 * The tables, indexes and statements of `SqliteStorage`, apart from the class so the tests
 * can ask SQLite how it runs each statement (`EXPLAIN QUERY PLAN`: an index search, never a
 * scan of the records, for everything a put or a due-query does).
 *
 * One row per record. `distance` is the key XOR the node's id, so that blob order is distance
 * order and the partial index `kdht_evictable` finds the farthest evictable record in
 * O(log n). Text values are stored as their UTF-8 bytes with `is_text` set: SQLite's TEXT
 * would round-trip them through C strings, which some runtimes cut at the first U+0000.
 * `openStore` opens a file for the store and `toRecord` reads a row back.
 *
 * @module
 */
import type { StoredRecord } from "../src/records/record.ts";
import type { NodeSqlite, SqliteDatabase, SqliteStatement, SqlRow } from "./_node_sqlite.ts";

/** `PRAGMA user_version` of the schema below; a newer file is refused, not guessed at. */
export const SCHEMA_VERSION = 1;

/** Creates the schema in an empty database. */
export const CREATE_SCHEMA: readonly string[] = [
  `CREATE TABLE kdht_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    local_id BLOB NOT NULL,
    evictions INTEGER NOT NULL,
    refused_full INTEGER NOT NULL,
    refused_too_large INTEGER NOT NULL,
    expired INTEGER NOT NULL
  )`,
  `INSERT INTO kdht_meta VALUES (1, zeroblob(20), 0, 0, 0, 0)`,
  `CREATE TABLE kdht_records (
    key BLOB NOT NULL UNIQUE,
    distance BLOB NOT NULL,
    value BLOB NOT NULL,
    is_text INTEGER NOT NULL,
    size INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    publisher BLOB,
    local INTEGER NOT NULL,
    cached INTEGER NOT NULL,
    name TEXT
  )`,
  `CREATE INDEX kdht_evictable ON kdht_records (distance) WHERE local = 0`,
  `CREATE INDEX kdht_republish ON kdht_records (published_at) WHERE local = 1`,
  `CREATE INDEX kdht_replicate ON kdht_records (received_at) WHERE local = 0 AND cached = 0`,
  `CREATE INDEX kdht_expiry ON kdht_records (expires_at)`,
  `PRAGMA user_version = ${SCHEMA_VERSION}`,
];

const RECORD =
  `key, value, is_text, published_at, expires_at, received_at, publisher, local, cached,
  name`;

/** Every statement the store runs after opening, by what it does. */
export const SQL = {
  get: `SELECT ${RECORD} FROM kdht_records WHERE key = ?`,
  /** The row a put replaces, if any. */
  existing: `SELECT rowid AS id, size, local FROM kdht_records WHERE key = ?`,
  /**
   * The farthest evictable record nearer than a cursor (?1), farther than a floor (?2), and
   * other than the newcomer (?3, its distance): the next eviction candidate.
   */
  nextVictim: `SELECT rowid AS id, distance, size FROM kdht_records
    WHERE local = 0 AND distance < ?1 AND distance > ?2 AND distance <> ?3
    ORDER BY distance DESC LIMIT 1`,
  /** Node binds an empty Uint8Array as NULL, hence the `coalesce` for empty values. */
  upsert: `INSERT INTO kdht_records (key, distance, value, is_text, size, published_at,
      expires_at, received_at, publisher, local, cached, name)
    VALUES (?, ?, coalesce(?, x''), ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, is_text = excluded.is_text,
      size = excluded.size, published_at = excluded.published_at,
      expires_at = excluded.expires_at, received_at = excluded.received_at,
      publisher = excluded.publisher, local = excluded.local, cached = excluded.cached,
      name = excluded.name`,
  deleteRow: `DELETE FROM kdht_records WHERE rowid = ?`,
  deleteKey: `DELETE FROM kdht_records WHERE key = ? RETURNING size`,
  republishDue: `SELECT ${RECORD} FROM kdht_records WHERE local = 1 AND published_at <= ?`,
  replicateDue: `SELECT ${RECORD} FROM kdht_records
    WHERE local = 0 AND cached = 0 AND received_at <= ?`,
  removeExpired: `DELETE FROM kdht_records WHERE expires_at <= ? RETURNING size`,
  /** One page of `records()`, in rowid order after a cursor. */
  page: `SELECT rowid AS id, ${RECORD} FROM kdht_records WHERE rowid > ? ORDER BY rowid LIMIT ?`,
  totals: `SELECT count(*) AS records, total(size) AS bytes FROM kdht_records`,
  meta: `SELECT local_id, evictions, refused_full, refused_too_large, expired FROM kdht_meta`,
  saveCounters: `UPDATE kdht_meta SET evictions = ?, refused_full = ?, refused_too_large = ?,
    expired = ?`,
  saveLocalId: `UPDATE kdht_meta SET local_id = ?`,
  keys: `SELECT rowid AS id, key FROM kdht_records`,
  setDistance: `UPDATE kdht_records SET distance = ? WHERE rowid = ?`,
} as const;

/** Every statement of {@linkcode SQL}, prepared. */
export type Statements = { readonly [K in keyof typeof SQL]: SqliteStatement };

/** A database opened for a store: its connection, prepared statements and saved meta row. */
export interface OpenedStore {
  /** The connection. */
  readonly db: SqliteDatabase;
  /** Every statement the store runs. */
  readonly sql: Statements;
  /** The saved local id and counters (the `kdht_meta` row). */
  readonly meta: SqlRow;
}

function openError(path: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  const hint = /locked|busy/i.test(reason)
    ? " (another SqliteStorage, in this process or another, has the file open)"
    : "";
  return new Error(`Cannot open SqliteStorage at '${path}': ${reason}${hint}`, { cause: error });
}

/**
 * Opens `path` exclusively in WAL mode, creates the schema in a new file, and prepares the
 * statements.
 *
 * @param sqlite the runtime's `node:sqlite`
 * @param path a file path or `":memory:"`
 * @param synchronous SQLite's `synchronous` setting
 * @returns the open database
 * @throws {Error} if the file cannot be opened, is held by another connection, cannot be in
 * WAL mode, or has a schema this version does not read
 */
export function openStore(
  sqlite: NodeSqlite,
  path: string,
  synchronous: "normal" | "full",
): OpenedStore {
  let db: SqliteDatabase;
  try {
    db = new sqlite.DatabaseSync(path);
  } catch (error) {
    throw openError(path, error);
  }
  try {
    // Exclusive before WAL: then no shared-memory index is made, and no other connection can
    // write behind the store's in-memory counts.
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    const mode = db.prepare("PRAGMA journal_mode = WAL").get()?.journal_mode;
    if (mode !== "wal" && mode !== "memory") {
      throw new Error(`the file system does not allow WAL mode (journal_mode is ${mode})`);
    }
    db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
    const version = Number(db.prepare("PRAGMA user_version").get()?.user_version);
    if (version === 0) {
      db.exec("BEGIN IMMEDIATE");
      for (const statement of CREATE_SCHEMA) db.exec(statement);
      db.exec("COMMIT");
    } else if (version !== SCHEMA_VERSION) {
      throw new Error(`its schema is version ${version}; this version reads ${SCHEMA_VERSION}`);
    }
    const sql: Partial<Record<keyof typeof SQL, SqliteStatement>> = {};
    for (const name of Object.keys(SQL) as (keyof typeof SQL)[]) {
      sql[name] = db.prepare(SQL[name]);
    }
    const meta = sql.meta!.get();
    if (meta === undefined) throw new Error("its kdht_meta row is missing");
    return { db, sql: sql as Statements, meta };
  } catch (error) {
    db.close();
    throw openError(path, error);
  }
}

type MutableRecord = { -readonly [K in keyof StoredRecord]: StoredRecord[K] };

const decoder = new TextDecoder();

/**
 * A record from a row of `SQL.get`, `SQL.page` or a due-query; optional fields that were
 * not stored are left out, as they were when the record was put.
 *
 * @param row the row
 * @returns the record
 */
export function toRecord(row: SqlRow): StoredRecord {
  const value = row.value as Uint8Array;
  const record: MutableRecord = {
    key: row.key as Uint8Array,
    value: row.is_text === 1 ? decoder.decode(value) : value,
    publishedAt: Number(row.published_at),
    expiresAt: Number(row.expires_at),
    receivedAt: Number(row.received_at),
    local: row.local === 1,
  };
  if (row.publisher !== null) record.publisher = row.publisher as Uint8Array;
  if (row.cached === 1) record.cached = true;
  if (row.name !== null) record.name = row.name as string;
  return record;
}
