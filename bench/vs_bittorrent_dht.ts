/**
 * @kdht/core against the real bittorrent-dht 11 in one run on 127.0.0.1 (scale issue item 5;
 * the bar is shared/reference/bittorrent-dht-baseline.md). For N = 300 and 1,000 nodes of
 * each library, one process per network, each node joining from 3 random earlier nodes:
 *
 * - join time (until settled) and datagrams sent per node while joining;
 * - routing-table size, and whether each node holds its 8 XOR-nearest peers;
 * - heap, external and RSS per node after join, after a full GC;
 * - lookup latency p50/p90/p99 over sequential lookups of random targets from random nodes,
 *   the queries the initiator sent and all datagrams in the process per lookup, and accuracy
 *   against the true closest ids (top-1, overlap with the true 8 closest);
 * - BEP 44 immutable put and get latency (skipped, "not available", until our node has
 *   `putImmutable`/`getImmutable`);
 * - churn: 20 % of the nodes closed without notice, then lookups from the survivors, p50 as
 *   a multiple of the healthy p50;
 *
 * then the RPC capacity of `krpc_load.ts`. Ours runs on Deno, Bun and Node (the npm build);
 * bittorrent-dht on Node, behind a loopback guard. Every measurement is its own child process;
 * reps are interleaved and figures are medians of reps; `oursVsTheirs` gives ours/theirs per
 * runtime with the targets (lookup p50 < 0.9 x, join datagrams and heap per node <= theirs,
 * find_node >= 50 % of echo).
 *
 * Run (the npm build is needed for the Node children):
 *
 * ```sh
 * deno run -A scripts/build_npm.ts
 * deno run -A bench/vs_bittorrent_dht.ts --quick          # N=50, 1 rep: smoke test
 * deno run -A bench/vs_bittorrent_dht.ts                   # N=300,1000, 3 reps
 * node npm/esm/bench/vs_bittorrent_dht.js --n 300 --reps 5 --out run.json
 * ```
 *
 * Flags: `--n 300,1000`, `--reps 3`, `--lookups 200`, `--items 100`, `--item-bytes 200`,
 * `--churn 0.2`, `--churn-lookups 20`, `--runtimes deno,bun,node`, `--skip-net`, `--skip-rpc`,
 * the RPC flags of `krpc_load.ts`, `--timeout-s 600` per child, `--out file`.
 * Prints one JSON document; progress goes to stderr.
 *
 * @module
 */
import { emit, log, machine, runtimesFlag } from "./_compare_cli.ts";
import { rpcOptions, runRpcPhase } from "./_krpc_phase.ts";
import { runNetPhase } from "./_net_phase.ts";
import { benchFlags, numberFlag } from "./_runtime.ts";
import type { Figures } from "./_stats.ts";

const flags = benchFlags();
const quick = flags.has("quick");
const sizes = (flags.get("n") ?? (quick ? "50" : "300,1000")).split(",").map((text) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 2 || n > 5000) {
    throw new RangeError(`Invalid flag: '--n' takes node counts from 2 to 5000, got ${text}`);
  }
  return n;
});
const reps = numberFlag(flags, "reps", quick ? 1 : 3, 1, 50);
const runtimes = runtimesFlag(flags);
const child = {
  lookups: numberFlag(flags, "lookups", quick ? 30 : 200, 0, 100_000),
  items: numberFlag(flags, "items", quick ? 10 : 100, 0, 100_000),
  "item-bytes": numberFlag(flags, "item-bytes", 200, 1, 999),
  churn: numberFlag(flags, "churn", 0.2, 0, 0.9),
  "churn-lookups": numberFlag(flags, "churn-lookups", quick ? 5 : 20, 0, 10_000),
};
const timeoutMs = numberFlag(flags, "timeout-s", 600, 10, 7200) * 1000;
const childArgs = [
  ...Object.entries(child).flatMap(([name, value]) => [`--${name}`, String(value)]),
  ...["--deadline-s", String(timeoutMs / 1000)],
];
const rpc = rpcOptions(flags, runtimes, reps, log);

const where = machine();
const document: Figures = {
  bench: "vs_bittorrent_dht",
  machine: where,
  settings: { sizes: sizes.join(","), reps, runtimes: runtimes.join(","), ...child },
};
if (!flags.has("skip-net")) {
  document.network = await runNetPhase({ sizes, reps, runtimes, childArgs, timeoutMs, log });
}
if (!flags.has("skip-rpc")) document.rpc = await runRpcPhase(rpc);
emit(flags, document);
