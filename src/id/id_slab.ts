/**
 * Long-lived copies of 20-byte ids, packed into shared slabs: a routing-table contact keeps its
 * id for hours, and an id copied on its own is a typed array plus an ArrayBuffer of its own
 * (on V8 about 180 bytes of heap for 20 bytes of id, measured with a heap snapshot of a
 * simulated network). A view into a slab costs the typed array only, as Node's `Buffer` pool
 * does for small buffers.
 *
 * A slab stays alive while any of its ids does, so ids from a long-lived slab can pin a few of
 * their dead neighbours: at most {@linkcode SLAB_IDS} − 1 ids (1.3 KB) per live id, in the worst
 * case of one survivor per slab.
 *
 * @module
 */
import { ID_LENGTH } from "./node_id.ts";

/** Ids per slab. */
const SLAB_IDS = 64;

let slab = new Uint8Array(0);
let used = 0;

/**
 * Copies an id into shared storage. Its owner may overwrite its 20 bytes (a bucket reusing an
 * entry does), never reach past them: the slab's other bytes belong to other owners, and
 * `.buffer` is the whole slab.
 *
 * @param id a 20-byte id
 * @returns a 20-byte view of its own copy
 */
export function keepId(id: Uint8Array): Uint8Array {
  if (used + ID_LENGTH > slab.length) {
    slab = new Uint8Array(ID_LENGTH * SLAB_IDS);
    used = 0;
  }
  // A byte loop: `set` is a runtime call, dearer than twenty stores for an array this small.
  for (let i = 0; i < ID_LENGTH; i++) slab[used + i] = id[i]!;
  const copy = slab.subarray(used, used + ID_LENGTH);
  used += ID_LENGTH;
  return copy;
}
