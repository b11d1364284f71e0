/**
 * Server process of the KRPC load benchmark (`krpc_load.ts`): one UDP endpoint on 127.0.0.1,
 * which is one of
 *
 * - `--kind echo`: the runtime's raw socket (our adapter) sending every datagram back, the
 *   ceiling, as in `transport_echo.ts`;
 * - `--kind ours`: a @kdht/core node in bencode mode;
 * - `--kind bittorrent-dht`: a bittorrent-dht 11 node (Node only), behind the loopback guard,
 *   with `bootstrap: false` and `listen(0, "127.0.0.1")` in its constructor's tick.
 *
 * It prints `{"port": n}` once bound. On stdin, `mark` starts a CPU window and `report` prints
 * the CPU used since the mark with the server's own counters; stdin closing ends the process.
 *
 * @module
 */
import process from "node:process";
import { createUdpTransport, KademliaNode } from "../mod.ts";
import { guardLifetime } from "./_child.ts";
import { benchFlags, runtimeLabel } from "./_runtime.ts";
import type { Figures } from "./_stats.ts";
import { round } from "./_stats.ts";

interface Server {
  port: number;
  counters(): Figures;
}

async function echoServer(): Promise<Server> {
  const socket = await createUdpTransport({ hostname: "127.0.0.1", port: 0 });
  let echoed = 0;
  socket.onDatagram((data, from) => {
    echoed++;
    socket.send(data, from).catch(() => {});
  });
  return { port: socket.localAddress.port, counters: () => ({ echoed }) };
}

async function ourServer(): Promise<Server> {
  const node = new KademliaNode({ serialization: "bencode" });
  const { port } = await node.listen(0, "127.0.0.1");
  return {
    port,
    counters: () => {
      const stats = node.stats();
      return {
        tableSize: stats.routingTableSize,
        queriesReceived: stats.queriesReceived,
        dropped: stats.dropped,
        malformed: stats.malformed,
        errorsSent: stats.errorsSent,
      };
    },
  };
}

async function mainlineServer(): Promise<Server> {
  const { installLoopbackGuard } = await import("./_loopback_guard.ts");
  const guard = installLoopbackGuard();
  const { default: DHT } = await import("bittorrent-dht");
  const dht = new DHT({ bootstrap: false }) as unknown as {
    listen(port: number, host: string, callback: () => void): void;
    address(): { port: number };
    nodes: { count(): number };
    on(event: "warning" | "error", listener: () => void): void;
  };
  const events = { warnings: 0, errors: 0 };
  await new Promise<void>((resolve) => dht.listen(0, "127.0.0.1", resolve));
  dht.on("warning", () => events.warnings++);
  dht.on("error", () => events.errors++);
  return {
    port: dht.address().port,
    counters: () => ({
      tableSize: dht.nodes.count(),
      ...events,
      blockedSends: guard.blockedSends,
      rewrittenBinds: guard.rewrittenBinds,
      blockedLookups: guard.blockedLookups,
    }),
  };
}

const flags = benchFlags();
guardLifetime(flags);
const kind = flags.get("kind") ?? "echo";
const servers: Record<string, () => Promise<Server>> = {
  echo: echoServer,
  ours: ourServer,
  "bittorrent-dht": mainlineServer,
};
const start = servers[kind];
if (!start) {
  throw new TypeError(`Invalid flag: '--kind' must be echo, ours or bittorrent-dht, got ${kind}`);
}
const server = await start();
let markCpu = process.cpuUsage();
let markAt = performance.now();
let pending = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  const commands = (pending + chunk).split("\n");
  pending = commands.pop()!;
  for (const command of commands) {
    if (command === "mark") {
      markCpu = process.cpuUsage();
      markAt = performance.now();
    } else if (command === "report") {
      const cpu = process.cpuUsage(markCpu);
      const wallMs = performance.now() - markAt;
      console.log(JSON.stringify({
        runtime: runtimeLabel(),
        kind,
        cpuMs: round((cpu.user + cpu.system) / 1000, 1),
        cpuPercent: round(((cpu.user + cpu.system) / 1000 / wallMs) * 100, 1),
        rssMB: round(process.memoryUsage().rss / 2 ** 20, 1),
        ...server.counters(),
      }));
    }
  }
});
console.log(JSON.stringify({ port: server.port }));
