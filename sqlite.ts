/**
 * A persistent store for a node's records: one SQLite file, on the runtime's own
 * `node:sqlite` (Deno ≥ 2.2, Bun ≥ 1.4, Node ≥ 22.13). Importing this module works on every
 * runtime; creating a store on one without `node:sqlite` throws an error that says so.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 * import { SqliteStorage } from "@kdht/core/sqlite";
 *
 * const storage = new SqliteStorage(":memory:"); // or a file path, e.g. "./kdht.db"
 * const node = new KademliaNode({ storage });
 * await node.listen(0);
 * await node.set("my_key", "my_value");
 * console.log(await node.get("my_key")); // "my_value"
 * await node.close(); // closes the storage too
 * ```
 *
 * @module
 */
export { SqliteStorage } from "./adapters/sqlite.ts";
export type { SqliteStorageOptions } from "./adapters/sqlite.ts";
export type { StorageCapacityOptions } from "./src/records/capacity.ts";
