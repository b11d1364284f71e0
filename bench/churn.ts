/**
 * Value survival under churn: a network where a fraction of the nodes is replaced by new ones
 * at every churn step, values published at the start by nodes that stay, and read back at the
 * end from random other nodes — once with republish and re-store on (the defaults), once with
 * both off. Prints one JSON object per run: values retrievable, publisher-less values left,
 * messages, timers and wall time.
 *
 *   deno run -A bench/churn.ts [size=300] [values=500] [hours=48] [churn=0.1] [everyHours=2] [seed=7]
 *   bun bench/churn.ts ...
 *   node npm/esm/bench/churn.js ...   (after scripts/build_npm.ts)
 *
 * @module
 */
import { HOUR, runChurn } from "../tests/_helpers/churn.ts";
import { constantLatency } from "../src/testing/latency.ts";
import { benchArgs, runtimeLabel } from "./_runtime.ts";

const args = benchArgs();
const size = Number(args[0] ?? 300);
const values = Number(args[1] ?? 500);
const hours = Number(args[2] ?? 48);
const churnFraction = Number(args[3] ?? 0.1);
const everyHours = Number(args[4] ?? 2);
const seed = Number(args[5] ?? 7);
const only = args[6]; // "on" or "off" to run one of the two
const serialization = args[7] === "json" ? "json" : "bencode";
const latencyMs = args[8] === undefined ? undefined : Number(args[8]);

for (const maintenance of [true, false]) {
  if (only !== undefined && only !== (maintenance ? "on" : "off")) continue;
  const result = await runChurn({
    size,
    values,
    publishers: 20,
    orphans: 20,
    churnFraction,
    churnEveryMs: everyHours * HOUR,
    durationMs: hours * HOUR,
    orphanCheckMs: 23 * HOUR,
    seed,
    maintenance,
    node: { serialization },
    ...(latencyMs === undefined ? {} : { latency: constantLatency(latencyMs) }),
  });
  console.log(JSON.stringify({
    bench: "churn",
    runtime: runtimeLabel(),
    maintenance,
    serialization,
    size,
    hours,
    churn: `${churnFraction * 100} % every ${everyHours} h`,
    ...result,
    wallMs: Math.round(result.wallMs),
    buildMs: Math.round(result.buildMs),
  }));
}
