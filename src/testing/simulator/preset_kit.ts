/**
 * What every scenario preset (reference/reliability.md § c.5, C0–C9) shares: its report, its
 * pass criteria as measured figure beside target, and the build step with progress.
 *
 * @module
 */
import type { LookupFigures } from "./measure.ts";
import { Simulation } from "./simulation.ts";
import type { GrowOptions, GrowthReport, SimulationOptions } from "./simulation_options.ts";

/** A criterion's outcome; `N/A` when the node lacks what the criterion needs (said why). */
export type Verdict = "PASS" | "FAIL" | "N/A";

/** One pass criterion of a preset, with the figure measured against it. */
export interface Criterion {
  /** What is measured, e.g. `lookup success at 10 % loss`. */
  readonly name: string;
  /** The bar, e.g. `≥ 99.5 %`. */
  readonly target: string;
  /** The figure, e.g. `99.8 %`. */
  readonly measured: string;
  /** Whether the figure meets the bar. */
  readonly verdict: Verdict;
}

/** What one run of a preset found. */
export interface PresetReport {
  /** `C0` … `C9`. */
  readonly id: string;
  /** The scenario in a few words. */
  readonly title: string;
  /** The scenario as run: sizes, rates, durations, and where it departs from the plan. */
  readonly scenario: string;
  /** Nodes in the network (adversaries included). */
  readonly nodes: number;
  /** The seed. */
  readonly seed: number;
  /** The criteria. */
  readonly criteria: readonly Criterion[];
  /** FAIL if any criterion fails, PASS if all pass, PARTIAL if some are N/A. */
  readonly verdict: Verdict | "PARTIAL";
  /** Every lookup batch measured, by name (for the JSON and the latency chart). */
  readonly batches: readonly { readonly name: string; readonly lookups: LookupFigures }[];
  /** Other figures of the scenario (growth, traffic, tables). */
  readonly figures: Readonly<Record<string, unknown>>;
  /** Wall time of the whole preset, s. */
  readonly wallSeconds: number;
}

/** What a preset reports while it runs. */
export interface PresetProgress {
  /** The preset. */
  readonly id: string;
  /** What it is doing, e.g. `build` or `lookups at 5 % loss`. */
  readonly phase: string;
  /** Done so far in this phase. */
  readonly done: number;
  /** To do in this phase. */
  readonly total: number;
}

/** How to run a preset; every field has the plan's value by default. */
export interface PresetOptions {
  /** Nodes in the network. @default {the preset's own: 1,000; 3,000 for C6; 300 for C8} */
  readonly nodes?: number;
  /** The seed. @default {1} */
  readonly seed?: number;
  /** Lookups per measured batch. @default {500} */
  readonly lookups?: number;
  /** How long churn runs (C2, C3), virtual minutes. @default {120 for C2, 20 for C3} */
  readonly minutes?: number;
  /** Told of progress, often: throttle before printing. */
  readonly onProgress?: (progress: PresetProgress) => void;
}

/** A scenario of the test plan. */
export interface Preset {
  /** `C0` … `C9`. */
  readonly id: string;
  /** The scenario in a few words. */
  readonly title: string;
  /** Nodes when the options give none. */
  readonly defaultNodes: number;
  /**
   * Runs it.
   *
   * @param options size, seed, lookups, progress
   * @returns the report
   */
  run(options: PresetOptions): Promise<PresetReport>;
}

/** The plan's Kademlia parameters for c.5: k = 8, α = 3. */
export const PLAN_K = 8;
/** See {@linkcode PLAN_K}. */
export const PLAN_ALPHA = 3;
/** Lookups per batch unless told. */
export const DEFAULT_LOOKUPS = 500;

/** `value %`, or `n/a` for NaN. */
export function pct(value: number): string {
  return Number.isNaN(value) ? "n/a" : `${value} %`;
}

/**
 * A criterion `measured ≥ target` (or ≤ with `atMost`).
 *
 * @returns the criterion; FAIL for a NaN figure
 */
export function bar(
  name: string,
  measured: number,
  target: number,
  options: { atMost?: boolean; unit?: string } = {},
): Criterion {
  const unit = options.unit ?? " %";
  const ok = options.atMost === true ? measured <= target : measured >= target;
  return {
    name,
    target: `${options.atMost === true ? "≤" : "≥"} ${target}${unit}`,
    measured: Number.isNaN(measured) ? "n/a" : `${measured}${unit}`,
    verdict: ok ? "PASS" : "FAIL",
  };
}

/** A criterion the node cannot be measured against; `why` says what it lacks. */
export function notApplicable(name: string, target: string, why: string): Criterion {
  return { name, target, measured: why, verdict: "N/A" };
}

/** The preset's verdict from its criteria. */
export function overall(criteria: readonly Criterion[]): Verdict | "PARTIAL" {
  if (criteria.some((c) => c.verdict === "FAIL")) return "FAIL";
  return criteria.every((c) => c.verdict === "PASS") ? "PASS" : "PARTIAL";
}

/** What a preset's body has while it runs. */
export interface PresetContext {
  readonly id: string;
  readonly nodes: number;
  readonly seed: number;
  readonly lookups: number;
  readonly options: PresetOptions;
  /** Reports progress of a phase. */
  progress(phase: string, done: number, total: number): void;
}

/**
 * Creates a simulation with the plan's k and α and grows it to `count` nodes, reporting
 * progress as the `build` phase.
 *
 * @returns the simulation (close it) and how it grew
 */
export async function buildNetwork(
  ctx: PresetContext,
  options: SimulationOptions,
  count: number,
  grow: Omit<GrowOptions, "onProgress"> = {},
): Promise<{ sim: Simulation; growth: GrowthReport }> {
  const sim = new Simulation({ seed: ctx.seed, k: PLAN_K, alpha: PLAN_ALPHA, ...options });
  try {
    const growth = await sim.grow(count, {
      ...grow,
      onProgress: (p) => ctx.progress("build", p.joined, p.total),
    });
    return { sim, growth };
  } catch (error) {
    await sim.close();
    throw error;
  }
}

/**
 * Wraps a preset's body: resolves the options, times it, and assembles the report.
 *
 * @returns the preset
 */
export function definePreset(
  id: string,
  title: string,
  defaultNodes: number,
  body: (ctx: PresetContext) => Promise<
    Omit<PresetReport, "id" | "title" | "nodes" | "seed" | "verdict" | "wallSeconds">
  >,
): Preset {
  return {
    id,
    title,
    defaultNodes,
    async run(options: PresetOptions): Promise<PresetReport> {
      const nodes = options.nodes ?? defaultNodes;
      const seed = options.seed ?? 1;
      const lookups = options.lookups ?? DEFAULT_LOOKUPS;
      if (!Number.isSafeInteger(nodes) || nodes < 16) {
        throw new RangeError(`Cannot run ${id}: 'nodes' must be an integer >= 16, got ${nodes}`);
      }
      if (!Number.isSafeInteger(lookups) || lookups < 1) {
        throw new RangeError(
          `Cannot run ${id}: 'lookups' must be a positive integer, got ${lookups}`,
        );
      }
      const started = performance.now();
      const ctx: PresetContext = {
        id,
        nodes,
        seed,
        lookups,
        options,
        progress: (phase, done, total) => options.onProgress?.({ id, phase, done, total }),
      };
      const result = await body(ctx);
      return {
        id,
        title,
        scenario: result.scenario,
        nodes,
        seed,
        criteria: result.criteria,
        verdict: overall(result.criteria),
        batches: result.batches,
        figures: result.figures,
        wallSeconds: Math.round((performance.now() - started) / 100) / 10,
      };
    },
  };
}
