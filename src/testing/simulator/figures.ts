/**
 * Summaries of samples for the simulator's reports: mean and percentiles, and the points of an
 * empirical CDF small enough to chart.
 *
 * @module
 */

/**
 * A sample summarised: count, mean and nearest-rank percentiles.
 *
 * @example
 * ```ts
 * import { summarize, type Summary } from "@kdht/core/testing";
 *
 * const rounds: Summary = summarize([2, 3, 3, 4]);
 * console.log(rounds.mean, rounds.p50); // 3 3
 * ```
 */
export interface Summary {
  /** How many samples. */
  readonly count: number;
  /** Their mean; NaN when there are none. */
  readonly mean: number;
  /** The smallest; NaN when there are none. */
  readonly min: number;
  /** The median (nearest rank). */
  readonly p50: number;
  /** The 90th percentile (nearest rank). */
  readonly p90: number;
  /** The 95th percentile (nearest rank). */
  readonly p95: number;
  /** The 99th percentile (nearest rank). */
  readonly p99: number;
  /** The largest; NaN when there are none. */
  readonly max: number;
}

/**
 * The value at quantile `q` of an ascending array, by nearest rank: the smallest value with at
 * least a fraction `q` of the samples at or below it.
 *
 * @param sorted samples in ascending order
 * @param q the quantile, 0–1
 * @returns the value; NaN for an empty array
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/**
 * Summarises samples (the array is not changed).
 *
 * @param samples the values
 * @returns count, mean, min, p50, p90, p95, p99 and max, rounded to 4 significant decimals
 */
export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  let sum = 0;
  for (const value of values) sum += value;
  const n = values.length;
  return {
    count: n,
    mean: n === 0 ? Number.NaN : round(sum / n),
    min: n === 0 ? Number.NaN : values[0]!,
    p50: round(quantile(values, 0.5)),
    p90: round(quantile(values, 0.9)),
    p95: round(quantile(values, 0.95)),
    p99: round(quantile(values, 0.99)),
    max: n === 0 ? Number.NaN : values[n - 1]!,
  };
}

/**
 * The empirical CDF of a sample at up to `points` evenly spaced quantiles: `[value, fraction]`
 * pairs, ascending, ending at the maximum with fraction 1.
 *
 * @param samples the values
 * @param points how many points at most
 * @returns the pairs; empty for no samples
 */
export function cdf(samples: readonly number[], points = 50): [number, number][] {
  const sorted = Array.from(Float64Array.from(samples).sort());
  const n = sorted.length;
  if (n === 0) return [];
  const out: [number, number][] = [];
  const steps = Math.min(points, n);
  for (let i = 1; i <= steps; i++) {
    const rank = Math.ceil((i / steps) * n);
    out.push([round(sorted[rank - 1]!), round(rank / n)]);
  }
  return out;
}

/**
 * A fraction as a percentage with two decimals, for reports.
 *
 * @param part how many
 * @param whole out of how many
 * @returns the percentage; NaN when `whole` is 0
 */
export function percent(part: number, whole: number): number {
  return whole === 0 ? Number.NaN : Math.round((part / whole) * 10_000) / 100;
}

/** Rounds to four decimals, so reports stay readable and stable. */
export function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10_000) / 10_000 : value;
}
