/**
 * The k-closest query over a routing table's buckets, without sorting the whole table.
 *
 * @module
 */
import { commonPrefixLength, compareDistance, ID_LENGTH } from "../id/node_id.ts";
import type { Contact } from "./contact.ts";
import type { KBucket } from "./k_bucket.ts";

// Sort keys, reused across calls. `exclude` could call back into a lookup, so a nested call
// gets its own array rather than overwriting the outer one's.
let sharedKeys = new Float64Array(64);
let sharedKeysInUse = false;

/**
 * Finds the `wanted` contacts nearest to `target` in a table's buckets, nearest first.
 *
 * Why bucket order gives distance order. Bucket j < L holds contacts sharing exactly j leading
 * bits with the local id, and the last bucket L those sharing at least L. Let
 * d = min(cpl(local, target), L) and take a contact c in bucket j. If d < L, bit d is where
 * target leaves local.
 * - j = d: c also leaves local at bit d, so c and target agree on bits 0..d:
 *   cpl(c, target) > d. (For d = L, c and target both share bits 0..L-1 with local:
 *   cpl(c, target) ≥ L.)
 * - d < j ≤ L: c agrees with local at bit d and target does not: cpl(c, target) = d.
 * - j < d: c leaves local at bit j and target does not: cpl(c, target) = j.
 * A longer common prefix with the target means a smaller XOR distance, so the groups
 * [d], [d+1..L], [d-1], [d-2], …, [0] are each strictly nearer than the next. Sorting within
 * each group in that order and stopping as soon as `wanted` contacts are taken is therefore
 * exactly a sort of the whole table, truncated.
 *
 * Within a group every distance has the same leading zero bytes, so the six bytes from the
 * first one that may differ form a 48-bit sort key (exact in a float64); equal keys fall back
 * to the full byte comparison.
 *
 * @param buckets the table's buckets, by index
 * @param localId the table's own id
 * @param target the 20-byte id to measure from
 * @param wanted how many contacts to return at most, ≥ 1 and ≤ the table's size
 * @param exclude contacts for which it returns true are skipped
 * @returns up to `wanted` live contacts, nearest first
 */
export function findClosest(
  buckets: readonly KBucket[],
  localId: Uint8Array,
  target: Uint8Array,
  wanted: number,
  exclude: ((contact: Contact) => boolean) | undefined,
): Contact[] {
  let keys: Float64Array;
  const nested = sharedKeysInUse;
  if (nested) {
    keys = new Float64Array(wanted);
  } else {
    if (sharedKeys.length < wanted) sharedKeys = new Float64Array(wanted);
    keys = sharedKeys;
    sharedKeysInUse = true;
  }
  try {
    const result: Contact[] = [];
    const last = buckets.length - 1;
    const cpl = commonPrefixLength(localId, target);
    const d = cpl < last ? cpl : last;
    collect(buckets, keys, target, d, d, d, wanted, result, exclude);
    if (result.length < wanted && d < last) {
      collect(buckets, keys, target, d + 1, last, d, wanted, result, exclude);
    }
    for (let j = d - 1; j >= 0 && result.length < wanted; j--) {
      collect(buckets, keys, target, j, j, j, wanted, result, exclude);
    }
    return result;
  } finally {
    if (!nested) sharedKeysInUse = false;
  }
}

/**
 * Appends to `result` the nearest contacts of buckets `from..to`, sorted, until `result`
 * holds `wanted`: an insertion sort bounded to the room left. Every distance in the group has
 * its bits before `zeroBits` clear.
 */
function collect(
  buckets: readonly KBucket[],
  keys: Float64Array,
  target: Uint8Array,
  from: number,
  to: number,
  zeroBits: number,
  wanted: number,
  result: Contact[],
  exclude: ((contact: Contact) => boolean) | undefined,
): void {
  const start = result.length;
  const room = wanted - start;
  // Any window starting at or before the first byte that may differ is consistent; starting
  // at 14 at the latest keeps all six bytes inside the id.
  const w = Math.min(zeroBits >>> 3, ID_LENGTH - 6);
  const t0 = target[w]!, t1 = target[w + 1]!, t2 = target[w + 2]!;
  const t3 = target[w + 3]!, t4 = target[w + 4]!, t5 = target[w + 5]!;
  let n = 0;
  for (let j = from; j <= to; j++) {
    const contacts = buckets[j]!.contacts;
    for (let i = 0; i < contacts.length; i++) {
      const contact = contacts[i]!;
      if (exclude !== undefined && exclude(contact)) continue;
      const id = contact.id;
      const key = (id[w]! ^ t0) * 1099511627776 + (id[w + 1]! ^ t1) * 4294967296 +
        ((((id[w + 2]! ^ t2) << 24) | ((id[w + 3]! ^ t3) << 16) | ((id[w + 4]! ^ t4) << 8) |
          (id[w + 5]! ^ t5)) >>> 0);
      let pos: number;
      if (n < room) {
        pos = n++;
      } else {
        const worst = keys[n - 1]!;
        if (
          key > worst ||
          (key === worst && compareDistance(target, id, result[start + n - 1]!.id) > 0)
        ) continue;
        pos = n - 1;
      }
      while (pos > 0) {
        const before = keys[pos - 1]!;
        if (
          before < key ||
          (before === key && compareDistance(target, result[start + pos - 1]!.id, id) < 0)
        ) break;
        keys[pos] = before;
        result[start + pos] = result[start + pos - 1]!;
        pos--;
      }
      keys[pos] = key;
      result[start + pos] = contact;
    }
  }
}
