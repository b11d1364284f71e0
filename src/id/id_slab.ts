/**
 * Long-lived copies of 20-byte ids, stored once per process and shared. A routing-table
 * contact keeps its id for hours, and an id copied on its own is a typed array plus an
 * ArrayBuffer of its own (on V8 about 180 bytes of heap for 20 bytes of id, measured with a
 * heap snapshot of a simulated network). Two measures cut that:
 *
 * - Copies are packed into shared slabs, as Node's `Buffer` pool does for small buffers: a
 *   view into a slab costs the typed array only.
 * - A copy is reused for the same id while anything still holds it: the nodes of a simulated
 *   network, or of a test or benchmark that runs many in one process, know the same ids, and
 *   in a network of n nodes each id sits in a good part of the others' tables. The copies are
 *   found through a direct-mapped table of weak references, so the table keeps no id alive,
 *   and a slot two ids share holds the later one: a collision costs a second copy, never a
 *   wrong one.
 *
 * Every copy may be shared, so nobody writes into one.
 *
 * A slab stays alive while any of its ids does, so ids from a long-lived slab can pin a few of
 * their dead neighbours: at most {@linkcode SLAB_IDS} − 1 ids (1.3 KB) per live id, in the worst
 * case of one survivor per slab.
 *
 * @module
 */
import { ID_LENGTH, idsEqual } from "./node_id.ts";

/** Ids per slab. */
const SLAB_IDS = 64;
/** Slots the shared table starts with, and the most it grows to (8 MB of references). */
const MIN_SLOTS = 1 << 10;
const MAX_SLOTS = 1 << 20;

let slab = new Uint8Array(0);
let used = 0;

let slots: (WeakRef<Uint8Array> | undefined)[] = new Array(MIN_SLOTS);
let mask = MIN_SLOTS - 1;
/** Slots written since the table was last rebuilt (their ids may have died since). */
let filled = 0;

/**
 * The 20 bytes of `id`, stored once: the copy already kept for an equal id if one is still
 * alive, a new one otherwise. Never write into the result: it may be shared.
 *
 * @param id a 20-byte id (the caller may reuse its buffer afterwards)
 * @returns a read-only 20-byte copy
 */
export function keepId(id: Uint8Array): Uint8Array {
  const slot = slotOf(id);
  const known = slots[slot]?.deref();
  if (known !== undefined && idsEqual(known, id)) return known;
  const copy = copyIntoSlab(id);
  if (slots[slot] === undefined) filled++;
  slots[slot] = new WeakRef(copy);
  if (filled > (slots.length >>> 1) + (slots.length >>> 2)) rebuild();
  return copy;
}

/** Bytes 15–18 of an id: random in every id (BEP 42 fixes the first 21 bits and the last byte). */
function slotOf(id: Uint8Array): number {
  return ((id[15]! << 24) | (id[16]! << 16) | (id[17]! << 8) | id[18]!) & mask;
}

function copyIntoSlab(id: Uint8Array): Uint8Array {
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

/**
 * Three quarters of the slots written: keeps the ids still alive in a table of at least four
 * slots each, so it grows with the ids alive and shrinks back when they die.
 */
function rebuild(): void {
  const live: WeakRef<Uint8Array>[] = [];
  for (const ref of slots) if (ref?.deref() !== undefined) live.push(ref);
  let size = MIN_SLOTS;
  while (size < 4 * live.length && size < MAX_SLOTS) size *= 2;
  slots = new Array(size);
  mask = size - 1;
  filled = 0;
  for (const ref of live) {
    const id = ref.deref();
    if (id === undefined) continue;
    const slot = slotOf(id);
    if (slots[slot] === undefined) filled++;
    slots[slot] = ref;
  }
  // At the largest size the table may stay this full: collisions then replace ids, and
  // rebuilding at every miss would cost more than the copies it saves.
  if (size === MAX_SLOTS && filled > (size >>> 1) + (size >>> 2)) filled = size >>> 1;
}
