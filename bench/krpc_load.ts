/**
 * RPC capacity side by side (scale issue item 5): `find_node` queries answered per second by
 * one node of each library under a raw KRPC load generator in another process, and each as a
 * ratio of the same runtime's raw echo socket measured in the same run (target: ours ≥ 50 % of
 * echo). Ours runs on Deno, Bun and Node; bittorrent-dht on Node. The server is primed with 32
 * contacts, so its replies carry full node lists: ours answers with the k = 20 closest,
 * bittorrent-dht with its whole table (`bytesPerReply`, `nodesPerReply` in the JSON).
 *
 * Run: `deno run -A bench/krpc_load.ts [--reps 3] [--rpc-seconds 5] [--rpc-queries find_node,ping]
 * [--runtimes deno,bun,node] [--quick]`, or `node npm/esm/bench/krpc_load.js` after
 * `deno run -A scripts/build_npm.ts` (needed either way: Node children run the npm build).
 * Prints one JSON document; progress goes to stderr.
 *
 * @module
 */
import { emit, log, machine, runtimesFlag } from "./_compare_cli.ts";
import { rpcOptions, runRpcPhase } from "./_krpc_phase.ts";
import { benchFlags, numberFlag } from "./_runtime.ts";

const flags = benchFlags();
const reps = numberFlag(flags, "reps", flags.has("quick") ? 1 : 3, 1, 50);
const options = rpcOptions(flags, runtimesFlag(flags), reps, log);
const where = machine();
const rpc = await runRpcPhase(options);
emit(flags, {
  bench: "krpc_load",
  machine: where,
  settings: {
    reps: options.reps,
    seconds: options.seconds,
    warmup: options.warmup,
    window: options.window,
    sockets: options.sockets,
    prime: options.prime,
  },
  rpc,
});
