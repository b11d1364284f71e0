/**
 * State files on `node:fs` (Node and Bun): read whole, replaced atomically by writing a
 * temporary file beside the target, flushing it to disk, and renaming it over the target.
 *
 * @module
 */
import { open, readFile, rename, rm } from "node:fs/promises";
import type { StateStore } from "../src/state/state_store.ts";
import { temporaryPath } from "./_state_file_common.ts";

/** A {@linkcode StateStore} on `node:fs/promises`. */
export const nodeStateStore: StateStore = {
  async read(path: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
  },
  async write(path: string, bytes: Uint8Array): Promise<void> {
    const temporary = temporaryPath(path);
    try {
      const file = await open(temporary, "w", 0o600);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw error;
    }
  },
};
