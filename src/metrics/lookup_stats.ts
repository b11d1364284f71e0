/**
 * Totals and distributions over every lookup a node ran: how many, their rounds, their
 * messages and their durations.
 *
 * @module
 */
import { Histogram, type HistogramSnapshot } from "./histogram.ts";

/** Bucket bounds for a lookup's sequential rounds. */
export const LOOKUP_ROUND_BOUNDS: readonly number[] = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20];
/** Bucket bounds for a lookup's queries. */
export const LOOKUP_QUERY_BOUNDS: readonly number[] = [
  5,
  10,
  20,
  30,
  40,
  60,
  80,
  100,
  150,
  200,
  300,
];
/** Bucket bounds for a lookup's duration, in ms. */
export const LOOKUP_DURATION_BOUNDS_MS: readonly number[] = [
  1,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10_000,
];

/**
 * The distributions of finished lookups.
 *
 * @example
 * ```ts
 * import { KademliaNode, type LookupHistograms } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const histograms: LookupHistograms = node.stats().lookupHistograms;
 * console.log(histograms.queries.sum === node.stats().lookupQueries); // true
 * ```
 */
export interface LookupHistograms {
  /** Sequential request waves per lookup. */
  readonly rounds: HistogramSnapshot;
  /** Queries sent per lookup. */
  readonly queries: HistogramSnapshot;
  /** Duration per lookup, in ms. */
  readonly durationMs: HistogramSnapshot;
}

/** Counts finished lookups. */
export class LookupStats {
  /** Lookups started. */
  lookups = 0;
  /** Sum of finished lookups' rounds. */
  rounds = 0;
  /** Sum of finished lookups' queries. */
  queries = 0;
  readonly #rounds = new Histogram(LOOKUP_ROUND_BOUNDS);
  readonly #queries = new Histogram(LOOKUP_QUERY_BOUNDS);
  readonly #duration = new Histogram(LOOKUP_DURATION_BOUNDS_MS);

  /**
   * Adds a finished lookup.
   *
   * @param result its rounds, queries and duration
   */
  finished(result: { rounds: number; queries: number; durationMs: number }): void {
    this.rounds += result.rounds;
    this.queries += result.queries;
    this.#rounds.observe(result.rounds);
    this.#queries.observe(result.queries);
    this.#duration.observe(result.durationMs);
  }

  /** The distributions now. */
  histograms(): LookupHistograms {
    return {
      rounds: this.#rounds.snapshot(),
      queries: this.#queries.snapshot(),
      durationMs: this.#duration.snapshot(),
    };
  }
}
