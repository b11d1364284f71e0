/**
 * Where a node's saved state lives: the seam between the core and the file system. The core
 * never names a runtime API (DESIGN.md); `adapters/state_file.ts` implements this on Deno's and
 * Node's file APIs and the entry registers it as a runtime default. Tests and embedders may pass
 * their own (a key-value store, a browser's storage).
 *
 * @module
 */

/** Reads and atomically replaces small files. */
export interface StateStore {
  /**
   * Reads a whole file.
   *
   * @param path where the state lives
   * @returns its bytes, or `undefined` if there is no such file
   * @throws if the file exists but cannot be read (the node warns and starts fresh)
   */
  read(path: string): Promise<Uint8Array | undefined>;
  /**
   * Replaces a file atomically: readers see the old bytes or the new ones, never a mix or a
   * truncated file, even if the process dies half way (write a temporary file in the same
   * directory, then rename it over the old one).
   *
   * @param path where the state lives
   * @param bytes the new contents
   */
  write(path: string, bytes: Uint8Array): Promise<void>;
}

/**
 * Checks that a value has a `StateStore`'s methods.
 *
 * @param value what the caller passed
 * @returns true if it can be used as a store
 */
export function isStateStore(value: unknown): value is StateStore {
  const store = value as Partial<StateStore> | null | undefined;
  return typeof store?.read === "function" && typeof store.write === "function";
}
