/**
 * The ground truth a lookup is checked against: which of all the network's node ids are
 * XOR-closest to a target. Computed from the full id list, independently of either library's
 * routing code.
 *
 * @module
 */

/** A 160-bit id as a bigint, for XOR distance. */
export function idToBigInt(id: string | Uint8Array): bigint {
  const hex = typeof id === "string"
    ? id
    : Array.from(id, (b) => b.toString(16).padStart(2, "0")).join("");
  return BigInt(`0x${hex}`);
}

/** The `count` ids of `ids` closest to `target` by XOR, nearest first, skipping `exclude`. */
export function nearest(
  target: bigint,
  ids: readonly bigint[],
  count: number,
  exclude?: bigint,
): bigint[] {
  const best: bigint[] = [];
  const dist: bigint[] = [];
  for (const id of ids) {
    if (id === exclude) continue;
    const d = id ^ target;
    if (best.length === count && d >= dist[count - 1]!) continue;
    let at = Math.min(best.length, count - 1);
    if (best.length < count) {
      best.push(id);
      dist.push(d);
      at = best.length - 1;
    }
    while (at > 0 && dist[at - 1]! > d) {
      best[at] = best[at - 1]!;
      dist[at] = dist[at - 1]!;
      at--;
    }
    best[at] = id;
    dist[at] = d;
  }
  return best;
}

/** How a lookup's answer compares with the truth. */
export interface Accuracy {
  /** The answer's first id is the true closest node. */
  top1: boolean;
  /** Fraction of the true `count` closest that appear among the answer's first `count`. */
  overlap: number;
}

/** Scores an answer (ids nearest first) against the true closest ids. */
export function accuracy(answer: readonly string[], truth: readonly bigint[]): Accuracy {
  const got = new Set(answer.slice(0, truth.length).map((id) => idToBigInt(id)));
  let hits = 0;
  for (const id of truth) if (got.has(id)) hits++;
  const first = answer[0];
  return {
    top1: first !== undefined && truth[0] !== undefined && idToBigInt(first) === truth[0],
    overlap: truth.length === 0 ? 1 : hits / truth.length,
  };
}
