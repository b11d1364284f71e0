/**
 * The network half of `vs_bittorrent_dht.ts`: for each N, reps of every (library, runtime)
 * measurement interleaved (the order rotates each rep), each in its own child process; then
 * the median of the reps per measurement, and ours/theirs ratios per runtime with the scale
 * issue's targets.
 *
 * @module
 */
import { benchCommand, runJsonChild, type Runtime } from "./_spawn.ts";
import { at, type Figures, medianOfRuns, ratio } from "./_stats.ts";

/** What to run. */
export interface NetPhaseOptions {
  sizes: readonly number[];
  reps: number;
  runtimes: readonly Runtime[];
  /** Passed to every child: lookups, items, churn and so on. */
  childArgs: readonly string[];
  timeoutMs: number;
  log(message: string): void;
}

const THEIRS = "bittorrent-dht/node";

/**
 * Figures compared as ours/theirs, by name and path in a child's JSON (one path for both, or
 * ours and theirs: our answered-only churn lookup against theirs, whose answer is responders).
 */
const COMPARED: Record<string, string | [string, string]> = {
  lookupP50: "lookup.latencyMs.p50",
  lookupP90: "lookup.latencyMs.p90",
  lookupP99: "lookup.latencyMs.p99",
  queriesPerLookup: "lookup.queriesPerLookup",
  datagramsPerLookup: "lookup.datagramsPerLookup",
  joinUntilSettledMs: "join.untilSettledMs",
  joinPerNodeP50: "join.perNodeMs.p50",
  joinDatagramsPerNode: "join.datagramsPerNode",
  heapPerNodeKB: "memory.heapPerNodeKB",
  rssPerNodeKB: "memory.rssPerNodeKB",
  putP50: "immutable.putMs.p50",
  putP99: "immutable.putMs.p99",
  getP50: "immutable.getMs.p50",
  getP99: "immutable.getMs.p99",
  churnLookupP50: "churn.latencyMs.p50",
  churnAnsweredLookupP50: ["churn.answeredOnly.latencyMs.p50", "churn.latencyMs.p50"],
};

/** Per-rep values kept beside the medians, to show the spread. */
const SPREAD: Record<string, string> = {
  lookupP50: "lookup.latencyMs.p50",
  joinUntilSettledMs: "join.untilSettledMs",
  heapPerNodeKB: "memory.heapPerNodeKB",
};

function target(value: number | null, limit: number, strict: boolean): Figures {
  const met = value === null ? null : strict ? value < limit : value <= limit;
  return { ratio: value, limit, met };
}

function compare(ours: Figures, theirs: Figures): Figures {
  const ratios: Figures = {};
  for (const [name, path] of Object.entries(COMPARED)) {
    const [oursPath, theirsPath] = typeof path === "string" ? [path, path] : path;
    ratios[name] = ratio(at(ours, oursPath), at(theirs, theirsPath));
  }
  return {
    ratios,
    targets: {
      "lookup p50 < 0.9 x theirs": target(ratios.lookupP50 as number | null, 0.9, true),
      "join datagrams per node <= theirs": target(
        ratios.joinDatagramsPerNode as number | null,
        1,
        false,
      ),
      "heap per node <= theirs": target(ratios.heapPerNodeKB as number | null, 1, false),
    },
  };
}

/** Runs every measurement and returns medians, spread, ratios and failures per N. */
export async function runNetPhase(options: NetPhaseOptions): Promise<Figures> {
  const configs: [string, string[]][] = [
    [THEIRS, benchCommand("node", "_net_bittorrent")],
    ...options.runtimes.map((runtime): [string, string[]] => [
      `@kdht/core/${runtime}`,
      benchCommand(runtime, "_net_ours"),
    ]),
  ];
  const out: Figures = {};
  for (const n of options.sizes) {
    const runs = new Map<string, Figures[]>(configs.map(([key]) => [key, []]));
    const failures: Figures = {};
    for (let rep = 0; rep < options.reps; rep++) {
      for (let i = 0; i < configs.length; i++) {
        const [key, command] = configs[(i + rep) % configs.length]!;
        options.log(`network N=${n} rep ${rep + 1}/${options.reps}: ${key}`);
        const args = [...command, "--n", String(n), ...options.childArgs];
        try {
          const result = await runJsonChild(args, options.timeoutMs) as Figures;
          if (typeof result.error === "string") throw new Error(result.error);
          runs.get(key)!.push(result);
        } catch (error) {
          failures[`${key} rep ${rep + 1}`] = String((error as Error).message).slice(0, 2000);
          options.log(`  failed: ${(error as Error).message.split("\n")[0]}`);
        }
      }
    }
    const medians: Figures = {};
    const spread: Figures = {};
    for (const [key, list] of runs) {
      if (list.length === 0) continue;
      medians[key] = { reps: list.length, ...medianOfRuns(list) };
      const values: Figures = {};
      for (const [name, path] of Object.entries(SPREAD)) {
        values[name] = list.map((run) => at(run, path)).join(" / ");
      }
      spread[key] = values;
    }
    // Not a median: any blocked packet in any rep must show.
    let blocked = 0;
    for (const run of runs.get(THEIRS)!) {
      for (const name of ["blockedSends", "rewrittenBinds", "blockedLookups"]) {
        blocked += at(run, `extra.${name}`) ?? 0;
      }
    }
    const theirs = medians[THEIRS] as Figures | undefined;
    if (theirs) theirs.loopbackGuardBlockedAllReps = blocked;
    const versus: Figures = {};
    for (const runtime of options.runtimes) {
      const ours = medians[`@kdht/core/${runtime}`] as Figures | undefined;
      if (ours && theirs) versus[runtime] = compare(ours, theirs);
    }
    out[String(n)] = { medians, oursVsTheirs: versus, spread, failures };
  }
  return out;
}
