/**
 * Loads `node:sqlite` when a store is created, not when this module is imported, so that
 * `@kdht/core/sqlite` can be imported everywhere and fails, with a message saying what is
 * missing, only where it is used on a runtime without it.
 *
 * `process.getBuiltinModule` is synchronous and answers the same way on Deno, Bun and Node
 * (Node ≥ 20.16 returns `undefined` for a module it does not have, and Node 22.5–22.12
 * without `--experimental-sqlite` has none). The types below are the part of `DatabaseSync`
 * the store uses, which all three runtimes implement alike.
 *
 * @module
 */
import process from "node:process";

/** A value SQLite binds or returns, as `node:sqlite` maps it. */
export type SqlValue = null | number | bigint | string | Uint8Array;

/** A result row: column name to value. */
export type SqlRow = Record<string, SqlValue>;

/** A prepared statement (`StatementSync`). */
export interface SqliteStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}

/** An open database (`DatabaseSync`). */
export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
  readonly isTransaction: boolean;
}

/** What `node:sqlite` exports that the store uses. */
export interface NodeSqlite {
  DatabaseSync: new (path: string) => SqliteDatabase;
}

/** The runtimes whose `node:sqlite` the store is tested on, for the error message. */
export const SQLITE_RUNTIMES = "Deno ≥ 2.2, Bun ≥ 1.4 or Node ≥ 22.13";

function runtimeName(): string {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.deno) return `Deno ${versions.deno}`;
  if (versions.bun) return `Bun ${versions.bun}`;
  return `Node ${process.version}`;
}

/**
 * The runtime's `node:sqlite`.
 *
 * @returns the module
 * @throws {Error} if this runtime has no `node:sqlite`, naming the versions that do
 */
export function loadNodeSqlite(): NodeSqlite {
  let module: unknown;
  try {
    module = process.getBuiltinModule?.("node:sqlite");
  } catch {
    module = undefined;
  }
  if (typeof (module as Partial<NodeSqlite> | undefined)?.DatabaseSync !== "function") {
    throw new Error(
      `Cannot create SqliteStorage: this runtime (${runtimeName()}) has no 'node:sqlite'; ` +
        `it needs ${SQLITE_RUNTIMES}`,
    );
  }
  return module as NodeSqlite;
}
