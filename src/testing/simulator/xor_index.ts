/**
 * The ground truth a simulated lookup is checked against: the live node ids in lexicographic
 * order, so that the ids XOR-closest to a target can be found without scanning them all.
 * Computed from the simulator's own list of live nodes, independently of any routing table.
 *
 * @module
 */
import { compareDistance, ID_LENGTH } from "../../id/node_id.ts";

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_LENGTH; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether `id` starts with the first `bits` bits of `target`. */
function sharesPrefix(id: Uint8Array, target: Uint8Array, bits: number): boolean {
  const whole = bits >>> 3;
  for (let i = 0; i < whole; i++) if (id[i] !== target[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff00 >>> rest) & 0xff;
  return ((id[whole]! ^ target[whole]!) & mask) === 0;
}

/**
 * A sorted set of 20-byte ids answering "which `count` are XOR-closest to this target".
 *
 * Why it is exact: the ids sharing the first `b` bits with the target form one contiguous run
 * of the sorted order, and every id in it is closer to the target than every id outside it. The
 * index narrows the run bit by bit while it still holds at least `count` ids, then sorts that
 * run (on average about 2 × `count` ids) by distance.
 *
 * @example
 * ```ts
 * import { XorIndex } from "@kdht/core/testing";
 *
 * const index = new XorIndex();
 * index.add(new Uint8Array(20).fill(1));
 * index.add(new Uint8Array(20).fill(200));
 * console.log(index.closest(new Uint8Array(20), 1)[0]![0]); // 1
 * ```
 */
export class XorIndex {
  readonly #ids: Uint8Array[] = [];

  /** How many ids the index holds. */
  get size(): number {
    return this.#ids.length;
  }

  /** Where `id` is or would go: the first position whose id is not below it. */
  #position(id: Uint8Array, lo = 0, hi = this.#ids.length): number {
    const ids = this.#ids;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(ids[mid]!, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Adds an id (kept by reference; do not change it afterwards).
   *
   * @param id a 20-byte id
   * @returns false if it was already there
   */
  add(id: Uint8Array): boolean {
    const at = this.#position(id);
    const here = this.#ids[at];
    if (here !== undefined && compareBytes(here, id) === 0) return false;
    this.#ids.splice(at, 0, id);
    return true;
  }

  /**
   * Removes an id.
   *
   * @param id a 20-byte id
   * @returns false if it was not there
   */
  remove(id: Uint8Array): boolean {
    const at = this.#position(id);
    const here = this.#ids[at];
    if (here === undefined || compareBytes(here, id) !== 0) return false;
    this.#ids.splice(at, 1);
    return true;
  }

  /**
   * The `count` ids closest to `target` by XOR distance, nearest first.
   *
   * @param target a 20-byte id
   * @param count how many at most
   * @param exclude an id to leave out (the node asking)
   * @returns the ids, by reference
   */
  closest(target: Uint8Array, count: number, exclude?: Uint8Array): Uint8Array[] {
    const ids = this.#ids;
    const want = count + (exclude === undefined ? 0 : 1);
    let lo = 0;
    let hi = ids.length;
    for (let bits = 1; bits <= ID_LENGTH * 8 && hi - lo > want; bits++) {
      // The run sharing `bits` bits with the target, inside the current run.
      let a = lo;
      let b = hi;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (compareBytes(ids[mid]!, target) < 0 && !sharesPrefix(ids[mid]!, target, bits)) {
          a = mid + 1;
        } else b = mid;
      }
      let c = a;
      let d = hi;
      while (c < d) {
        const mid = (c + d) >>> 1;
        if (sharesPrefix(ids[mid]!, target, bits)) c = mid + 1;
        else d = mid;
      }
      if (c - a < want) break;
      lo = a;
      hi = c;
    }
    const run = ids.slice(lo, hi);
    run.sort((x, y) => compareDistance(target, x, y));
    const out: Uint8Array[] = [];
    for (const id of run) {
      if (out.length === count) break;
      if (exclude !== undefined && compareBytes(id, exclude) === 0) continue;
      out.push(id);
    }
    return out;
  }
}
