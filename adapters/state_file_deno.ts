/**
 * State files on Deno's own file API: read whole, replaced atomically by writing a temporary
 * file beside the target, flushing it to disk, and renaming it over the target.
 *
 * Deno's API is reached through `globalThis` with the few types it needs declared here, so
 * the npm build (compiled without Deno's types) carries this file too.
 *
 * @module
 */
import type { StateStore } from "../src/state/state_store.ts";
import { temporaryPath } from "./_state_file_common.ts";

interface DenoFile {
  write(bytes: Uint8Array): Promise<number>;
  sync(): Promise<void>;
  close(): void;
}

interface DenoFs {
  readFile(path: string): Promise<Uint8Array>;
  open(
    path: string,
    options: { write: true; create: true; truncate: true; mode: number },
  ): Promise<DenoFile>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  errors: { NotFound: new (...args: never[]) => Error };
}

function deno(): DenoFs {
  const runtime = (globalThis as { Deno?: DenoFs }).Deno;
  if (runtime === undefined) throw new TypeError("denoStateStore needs the Deno runtime");
  return runtime;
}

/** A {@linkcode StateStore} on `Deno.readFile`, `Deno.open` and `Deno.rename`. */
export const denoStateStore: StateStore = {
  async read(path: string): Promise<Uint8Array | undefined> {
    const fs = deno();
    try {
      return await fs.readFile(path);
    } catch (error) {
      if (error instanceof fs.errors.NotFound) return undefined;
      throw error;
    }
  },
  async write(path: string, bytes: Uint8Array): Promise<void> {
    const fs = deno();
    const temporary = temporaryPath(path);
    try {
      const file = await fs.open(temporary, {
        write: true,
        create: true,
        truncate: true,
        mode: 0o600,
      });
      try {
        for (let offset = 0; offset < bytes.length;) {
          offset += await file.write(bytes.subarray(offset));
        }
        await file.sync();
      } finally {
        file.close();
      }
      await fs.rename(temporary, path);
    } catch (error) {
      await fs.remove(temporary).catch(() => {});
      throw error;
    }
  },
};
