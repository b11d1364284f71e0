/**
 * The RPC half of the comparison (`krpc_load.ts`, and `vs_bittorrent_dht.ts` after its
 * networks): one server process (raw echo socket, our node or bittorrent-dht) and one load
 * generator process per measurement, reps interleaved, medians of reps, and each library's
 * answered-per-second as a ratio of the same runtime's raw echo measured in the same run.
 *
 * @module
 */
import { benchCommand, Child, type Runtime } from "./_spawn.ts";
import { numberFlag } from "./_runtime.ts";
import { at, type Figures, medianOfRuns, ratio, round } from "./_stats.ts";

/** What to run. */
export interface RpcPhaseOptions {
  reps: number;
  /** Runtimes our node and the echo socket run on; bittorrent-dht runs on Node. */
  runtimes: readonly Runtime[];
  /** Where the load generator runs: one runtime for every measurement. */
  loadRuntime: Runtime;
  queries: readonly ("find_node" | "ping")[];
  seconds: number;
  warmup: number;
  window: number;
  sockets: number;
  prime: number;
  timeoutMs: number;
  log(message: string): void;
}

interface Measurement {
  key: string;
  server: string[];
  kind: "echo" | "find_node" | "ping";
}

async function measure(m: Measurement, options: RpcPhaseOptions): Promise<Figures> {
  const server = new Child(m.server, options.timeoutMs);
  let client: Child | undefined;
  try {
    const { port } = await server.nextJson();
    client = new Child([
      ...benchCommand(options.loadRuntime, "_krpc_client"),
      ...["--port", String(port), "--kind", m.kind, "--seconds", String(options.seconds)],
      ...["--warmup", String(options.warmup), "--window", String(options.window)],
      ...["--sockets", String(options.sockets), "--prime", String(options.prime)],
    ], options.timeoutMs);
    let report: Figures = {};
    for (;;) {
      const message = await client.nextJson();
      if (message.event === "start") {
        server.send("mark");
      } else if (message.event === "stop") {
        server.send("report");
        report = await server.nextJson() as Figures;
      } else {
        const replies = message.replies as number;
        const cpuMs = report.cpuMs as number;
        return {
          ...message as Figures,
          server: report,
          serverCpuUsPerReply: replies > 0 ? round((cpuMs * 1000) / replies, 2) : null,
        };
      }
    }
  } finally {
    await client?.stop();
    await server.stop();
  }
}

function plan(options: RpcPhaseOptions): Measurement[] {
  const list: Measurement[] = [];
  for (const runtime of options.runtimes) {
    const server = benchCommand(runtime, "_krpc_server");
    list.push({ key: `echo/${runtime}`, server: [...server, "--kind", "echo"], kind: "echo" });
    for (const q of options.queries) {
      list.push({
        key: `@kdht/core/${runtime}/${q}`,
        server: [...server, "--kind", "ours"],
        kind: q,
      });
    }
  }
  const mainline = [...benchCommand("node", "_krpc_server"), "--kind", "bittorrent-dht"];
  if (!options.runtimes.includes("node")) {
    list.push({ key: "echo/node", server: [...mainline.slice(0, -1), "echo"], kind: "echo" });
  }
  for (const q of options.queries) {
    list.push({ key: `bittorrent-dht/node/${q}`, server: mainline, kind: q });
  }
  return list;
}

/** Runs every measurement; returns medians per server and the ratios per runtime. */
export async function runRpcPhase(options: RpcPhaseOptions): Promise<Figures> {
  const list = plan(options);
  const runs = new Map<string, Figures[]>(list.map((m) => [m.key, []]));
  const failures: Figures = {};
  for (let rep = 0; rep < options.reps; rep++) {
    for (let i = 0; i < list.length; i++) {
      const m = list[(i + rep) % list.length]!;
      options.log(`rpc rep ${rep + 1}/${options.reps}: ${m.key}`);
      try {
        runs.get(m.key)!.push(await measure(m, options));
      } catch (error) {
        failures[`${m.key} rep ${rep + 1}`] = String((error as Error).message).slice(0, 2000);
        options.log(`  failed: ${(error as Error).message.split("\n")[0]}`);
      }
    }
  }
  const medians: Figures = {};
  for (const [key, list] of runs) {
    if (list.length > 0) {
      medians[key] = {
        reps: list.length,
        perSecondByRep: list.map((run) => run.perSecond).join(" / "),
        ...medianOfRuns(list),
      };
    }
  }
  const rate = (key: string) => at(medians[key] as Figures | undefined, "perSecond");
  const versus: Figures = {};
  for (const runtime of options.runtimes) {
    const figures: Figures = {};
    for (const q of options.queries) {
      const ours = rate(`@kdht/core/${runtime}/${q}`);
      const theirs = rate(`bittorrent-dht/node/${q}`);
      figures[`ours ${q} / echo (${runtime})`] = ratio(ours, rate(`echo/${runtime}`));
      figures[`theirs ${q} / echo (node)`] = ratio(theirs, rate("echo/node"));
      figures[`ours ${q} / theirs`] = ratio(ours, theirs);
    }
    const findNode = figures[`ours find_node / echo (${runtime})`] as number | null | undefined;
    if (findNode !== undefined) {
      figures["target: find_node >= 0.5 x echo"] = findNode === null ? null : findNode >= 0.5;
    }
    versus[runtime] = figures;
  }
  return {
    loadGenerator: options.loadRuntime,
    medians,
    ratios: versus,
    failures,
  };
}

/**
 * Reads `--rpc-reps` (else `reps`), `--rpc-seconds`, `--rpc-warmup`, `--rpc-queries`,
 * `--window`, `--sockets`, `--prime` and `--load-runtime`; `--quick` shortens the phases.
 * @throws {RangeError|TypeError} for a bad flag
 */
export function rpcOptions(
  flags: Map<string, string>,
  runtimes: readonly Runtime[],
  reps: number,
  log: (message: string) => void,
): RpcPhaseOptions {
  const quick = flags.has("quick");
  const queries = (flags.get("rpc-queries") ?? "find_node").split(",");
  for (const q of queries) {
    if (q !== "find_node" && q !== "ping") {
      throw new TypeError(`Invalid flag: '--rpc-queries' takes find_node and ping, got ${q}`);
    }
  }
  const loadRuntime = flags.get("load-runtime") ?? "node";
  if (loadRuntime !== "node" && loadRuntime !== "deno" && loadRuntime !== "bun") {
    throw new TypeError(
      `Invalid flag: '--load-runtime' takes deno, bun or node, got ${loadRuntime}`,
    );
  }
  return {
    reps: numberFlag(flags, "rpc-reps", reps, 1, 50),
    runtimes,
    loadRuntime,
    queries: queries as ("find_node" | "ping")[],
    seconds: numberFlag(flags, "rpc-seconds", quick ? 1 : 5, 0.1, 120),
    warmup: numberFlag(flags, "rpc-warmup", quick ? 0.3 : 1, 0, 60),
    window: numberFlag(flags, "window", 128, 1, 4096),
    sockets: numberFlag(flags, "sockets", 2, 1, 64),
    prime: numberFlag(flags, "prime", 32, 0, 1000),
    timeoutMs: numberFlag(flags, "timeout-s", 600, 10, 7200) * 1000,
    log,
  };
}
