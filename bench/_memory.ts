/**
 * Heap and RSS readings after a full garbage collection, the same way on Deno, Bun and Node:
 * Node and Deno need `--expose-gc` (Deno: `--v8-flags=--expose-gc`) for `globalThis.gc`; Bun
 * has `Bun.gc(true)`. Without either the readings still come, marked `gc: false`.
 *
 * @module
 */
import process from "node:process";

/** Memory in bytes, and whether a full collection ran just before. */
export interface MemoryReading {
  heapUsed: number;
  external: number;
  rss: number;
  gc: boolean;
}

/** Runs a full collection if this runtime lets us; returns whether it did. */
export function collectGarbage(): boolean {
  const host = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (host.Bun) {
    host.Bun.gc(true);
    return true;
  }
  if (typeof host.gc === "function") {
    // Twice: the first pass can leave garbage that finalizers released.
    host.gc();
    host.gc();
    return true;
  }
  return false;
}

/** Collects garbage (when possible), then reads heap, external and RSS. */
export function readMemory(): MemoryReading {
  const gc = collectGarbage();
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, external: usage.external, rss: usage.rss, gc };
}
