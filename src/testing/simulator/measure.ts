/**
 * Batches of measured lookups, summarised: success, recall, rounds, messages and simulated
 * latency percentiles.
 *
 * @module
 */
import type { FindNodeOptions } from "../../node_results.ts";
import { cdf, percent, round, summarize, type Summary } from "./figures.ts";
import { type LookupSample, probeLookup } from "./probe.ts";
import type { Simulation } from "./simulation.ts";
import type { SimulatedNode } from "./simulation_options.ts";

/** A batch of lookups, summarised. */
export interface LookupFigures {
  /** Lookups scored (those whose asker left midway are not). */
  readonly count: number;
  /** Lookups whose asker left before the answer (churn). */
  readonly abandoned: number;
  /** % that found the true closest honest live node. */
  readonly successPercent: number;
  /** Mean % of the true k closest found. */
  readonly recallPercent: number;
  /** % that returned exactly the true k closest. */
  readonly exactPercent: number;
  /** Sequential request waves per lookup. */
  readonly rounds: Summary;
  /** Queries sent per lookup. */
  readonly messages: Summary;
  /** Queries per lookup that failed or timed out. */
  readonly failures: Summary;
  /** Virtual time per lookup, ms. */
  readonly latencyMs: Summary;
  /** The latency's empirical CDF: `[ms, fraction]`, for a chart. */
  readonly latencyCdf: [number, number][];
  /** Mean % of the answer's peers that were adversaries. */
  readonly adversaryPercent: number;
}

/** Who asks for what: the asker and the target of one measured lookup. */
export interface LookupPick {
  /** The node that looks up. */
  readonly asker: SimulatedNode;
  /** The id sought. */
  readonly target: Uint8Array;
}

/** Options of {@linkcode measureLookups}. */
export interface MeasureOptions {
  /** How many lookups. */
  readonly count: number;
  /**
   * Lookups in progress at once.
   * @default {1}
   */
  readonly concurrency?: number;
  /**
   * Virtual time each lookup slot waits before its next lookup: lets churn and maintenance run
   * between them.
   * @default {0}
   */
  readonly spacingMs?: number;
  /**
   * Picks the asker and target of each lookup; undefined when no node can ask.
   * @default {a random live honest node, a random target}
   */
  readonly pick?: (sim: Simulation) => LookupPick | undefined;
  /** Told after each lookup, with how many are done. */
  readonly onProgress?: (done: number) => void;
  /** Options of each `findNode` (the stop rule, disjoint paths). */
  readonly findNode?: FindNodeOptions;
}

function randomPick(sim: Simulation): LookupPick | undefined {
  const asker = sim.pickHonest();
  return asker === undefined ? undefined : { asker, target: sim.randomTarget() };
}

/**
 * Runs `count` lookups (by default from random live honest nodes to random targets) and
 * summarises them; virtual time runs until the last one ends.
 *
 * @example
 * ```ts
 * import { measureLookups, Simulation } from "@kdht/core/testing";
 *
 * const sim = new Simulation({ seed: 3, k: 8 });
 * await sim.grow(40);
 * const figures = await measureLookups(sim, { count: 10 });
 * console.log(figures.count); // 10
 * await sim.close();
 * ```
 *
 * @param sim the simulation
 * @param options how many, how many at once, how far apart, who asks what
 * @returns the figures
 */
export async function measureLookups(
  sim: Simulation,
  options: MeasureOptions,
): Promise<LookupFigures> {
  const samples: LookupSample[] = [];
  const pick = options.pick ?? randomPick;
  let abandoned = 0;
  let started = 0;
  const spacing = options.spacingMs ?? 0;
  const slot = async (): Promise<void> => {
    while (started < options.count) {
      started++;
      if (spacing > 0) await new Promise<void>((resolve) => sim.clock.setTimer(resolve, spacing));
      const chosen = pick(sim);
      if (chosen === undefined) return;
      const sample = await probeLookup(sim, chosen.asker, chosen.target, options.findNode);
      if (sample === undefined) abandoned++;
      else samples.push(sample);
      options.onProgress?.(samples.length + abandoned);
    }
  };
  const slots = Array.from({ length: options.concurrency ?? 1 }, slot);
  await sim.run(Promise.all(slots));
  return summarizeLookups(samples, abandoned);
}

/** Options of {@linkcode measureLookupsDuring}. */
export interface WorkloadOptions {
  /** How long the workload runs, virtual ms. */
  readonly durationMs: number;
  /** One lookup starts every this many virtual ms, whatever the others do (open loop). */
  readonly intervalMs: number;
}

/**
 * Lets `durationMs` of virtual time pass with a steady workload of lookups from random live
 * honest nodes to random targets, one every `intervalMs`, as the network's users would
 * (reference/reliability.md C2: 1 lookup per node per 10 min is `intervalMs: 600_000 / N`).
 * Churn, maintenance and anything scheduled run meanwhile.
 *
 * @param sim the simulation
 * @param options how long and how often
 * @returns the figures of every lookup that started
 * @throws {RangeError} if a duration is not positive
 */
export async function measureLookupsDuring(
  sim: Simulation,
  options: WorkloadOptions,
): Promise<LookupFigures> {
  const { durationMs, intervalMs } = options;
  if (!(durationMs > 0) || !(intervalMs > 0)) {
    throw new RangeError(
      `Cannot run the workload: 'durationMs' and 'intervalMs' must be positive, got ${durationMs} and ${intervalMs}`,
    );
  }
  const samples: LookupSample[] = [];
  const pending = new Set<Promise<void>>();
  let abandoned = 0;
  const end = sim.clock.now() + durationMs;
  const ticking = new Promise<void>((resolve) => {
    const tick = (): void => {
      if (sim.clock.now() >= end) return resolve();
      const chosen = randomPick(sim);
      if (chosen !== undefined) {
        const running = probeLookup(sim, chosen.asker, chosen.target).then((sample) => {
          if (sample === undefined) abandoned++;
          else samples.push(sample);
        }).finally(() => pending.delete(running));
        pending.add(running);
      }
      sim.clock.setTimer(tick, intervalMs);
    };
    sim.clock.setTimer(tick, intervalMs);
  });
  await sim.run(ticking.then(() => Promise.all(pending)));
  return summarizeLookups(samples, abandoned);
}

/**
 * Summarises lookup samples.
 *
 * @param samples the scored lookups
 * @param abandoned how many were not scored
 * @returns the figures
 */
export function summarizeLookups(
  samples: readonly LookupSample[],
  abandoned = 0,
): LookupFigures {
  const n = samples.length;
  let success = 0;
  let exact = 0;
  let recall = 0;
  let adversaries = 0;
  for (const sample of samples) {
    if (sample.success) success++;
    if (sample.exact) exact++;
    recall += sample.recall;
    adversaries += sample.answered === 0 ? 0 : sample.adversaries / sample.answered;
  }
  const latencies = samples.map((s) => s.durationMs);
  return {
    count: n,
    abandoned,
    successPercent: percent(success, n),
    recallPercent: n === 0 ? Number.NaN : round((recall / n) * 100),
    exactPercent: percent(exact, n),
    rounds: summarize(samples.map((s) => s.rounds)),
    messages: summarize(samples.map((s) => s.queries)),
    failures: summarize(samples.map((s) => s.failures)),
    latencyMs: summarize(latencies),
    latencyCdf: cdf(latencies),
    adversaryPercent: n === 0 ? Number.NaN : round((adversaries / n) * 100),
  };
}
