/**
 * Percentiles, medians of repetitions and ratios, shared by the benchmarks that compare two
 * libraries: one definition of "p99" and of "the median of the reps" for both sides.
 *
 * @module
 */

/** p50/p90/p99 and mean of a sample, in the sample's unit. */
export interface Summary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
  count: number;
}

/** Rounds to `digits` decimals (3 by default). */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** The median (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Summarises samples (e.g. latencies in ms); every field is NaN for an empty sample. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    p50: round(percentile(sorted, 0.5)),
    p90: round(percentile(sorted, 0.9)),
    p99: round(percentile(sorted, 0.99)),
    mean: round(sum / sorted.length),
    max: round(sorted[sorted.length - 1] ?? NaN),
    count: sorted.length,
  };
}

/** A JSON tree whose numeric leaves get combined across repetitions. */
export type Figures = { [key: string]: Figures | number | string | boolean | null };

/**
 * The median of each numeric leaf over several runs of the same measurement, keeping the tree
 * shape of the first run; strings and booleans come from the first run, and a leaf missing or
 * non-numeric in some runs is the median of the runs that have it.
 */
export function medianOfRuns(runs: readonly Figures[]): Figures {
  const first = runs[0];
  if (first === undefined) return {};
  const out: Figures = {};
  for (const [key, value] of Object.entries(first)) {
    if (typeof value === "number") {
      const values = runs.map((run) => run[key]).filter((v): v is number => typeof v === "number");
      const m = median(values);
      out[key] = Number.isFinite(m) ? round(m) : null;
    } else if (value !== null && typeof value === "object") {
      const children = runs.map((run) => run[key]).filter((v): v is Figures =>
        v !== null && typeof v === "object"
      );
      out[key] = medianOfRuns(children);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** `ours / theirs`, or null when either is missing, not finite or theirs is zero. */
export function ratio(ours: unknown, theirs: unknown): number | null {
  if (typeof ours !== "number" || typeof theirs !== "number") return null;
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs === 0) return null;
  return round(ours / theirs);
}

/** The value at a dotted path of a figures tree, if it is a number. */
export function at(tree: Figures | undefined, path: string): number | null {
  let node: Figures | number | string | boolean | null | undefined = tree;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object") return null;
    node = node[part];
  }
  return typeof node === "number" ? node : null;
}
