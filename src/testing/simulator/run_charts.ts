/**
 * The simulator's two charts: lookup cost against network size, and the lookup latency CDF.
 *
 * @module
 */
import type { LookupFigures } from "./measure.ts";
import { lineChartSvg } from "./svg_chart.ts";

/** One network size's lookups, as the charts need them. */
export interface SizedLookups {
  /** Nodes in the network. */
  readonly size: number;
  /** The lookups measured at that size. */
  readonly lookups: LookupFigures;
}

/**
 * Rounds and messages per lookup (mean and p95) against network size, on a log axis.
 *
 * @example
 * ```ts
 * import { costChartSvg, measureLookups, Simulation } from "@kdht/core/testing";
 *
 * const sim = new Simulation({ seed: 2, k: 8 });
 * await sim.grow(30);
 * const lookups = await measureLookups(sim, { count: 5 });
 * await sim.close();
 * console.log(costChartSvg([{ size: 30, lookups }]).includes('data-series="rounds (mean)"')); // true
 * ```
 *
 * @param points one entry per size
 * @returns the SVG document
 */
export function costChartSvg(points: readonly SizedLookups[]): string {
  const line = (name: string, get: (l: LookupFigures) => number) => ({
    name,
    points: points.map((p): [number, number] => [p.size, get(p.lookups)]),
  });
  return lineChartSvg({
    title: "Cost per lookup against network size",
    xLabel: "nodes (log scale)",
    yLabel: "per lookup",
    logX: true,
    series: [
      line("messages (mean)", (l) => l.messages.mean),
      line("messages (p95)", (l) => l.messages.p95),
      line("rounds (mean)", (l) => l.rounds.mean),
      line("rounds (p95)", (l) => l.rounds.p95),
    ],
  });
}

/**
 * The empirical CDF of simulated lookup latency, one line per labelled batch.
 *
 * @example
 * ```ts
 * import { latencyCdfSvg, summarizeLookups } from "@kdht/core/testing";
 *
 * const svg = latencyCdfSvg([{ name: "none", lookups: summarizeLookups([]) }]);
 * console.log(svg.startsWith("<svg")); // true
 * ```
 *
 * @param batches a name and the figures of each batch
 * @returns the SVG document
 */
export function latencyCdfSvg(
  batches: readonly { readonly name: string; readonly lookups: LookupFigures }[],
): string {
  return lineChartSvg({
    title: "Lookup latency (virtual time), CDF",
    xLabel: "ms",
    yLabel: "fraction of lookups",
    yRange: [0, 1],
    series: batches.map((b) => ({ name: b.name, points: b.lookups.latencyCdf })),
  });
}
