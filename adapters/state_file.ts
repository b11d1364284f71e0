/**
 * The default {@linkcode StateStore} for whichever runtime is running: Deno's file API on
 * Deno, `node:fs` on Node and Bun, each loaded with a dynamic `import()` on first use so no
 * runtime evaluates another's module.
 *
 * @module
 */
import type { StateStore } from "../src/state/state_store.ts";

let chosen: Promise<StateStore> | undefined;

function runtimeStore(): Promise<StateStore> {
  chosen ??= (globalThis as { Deno?: unknown }).Deno !== undefined
    ? import("./state_file_deno.ts").then((m) => m.denoStateStore)
    : import("./state_file_node.ts").then((m) => m.nodeStateStore);
  return chosen;
}

/** Reads and atomically replaces state files on this runtime's file system. */
export const fileStateStore: StateStore = {
  async read(path: string): Promise<Uint8Array | undefined> {
    return await (await runtimeStore()).read(path);
  },
  async write(path: string, bytes: Uint8Array): Promise<void> {
    await (await runtimeStore()).write(path, bytes);
  },
};
