/**
 * Lookup cost on a simulated network: rounds and messages per lookup, correctness against the
 * true k closest, and lookups per second of wall time, on a 1,000-node memory network with
 * virtual time. The reference figures are the ideal-table model of
 * shared/reference/performance.md §2 (N = 10^3: β=3 stop 2.02 rounds / 6.1 messages;
 * paper stop 2.91 rounds; strict stop 7.53 rounds / 21.5 messages).
 *
 * Run: `deno run -A bench/lookup_sim.ts [nodes] [lookups]` or `bun bench/lookup_sim.ts`.
 *
 * @module
 */
import { KademliaNode } from "../mod.ts";
import { compareDistance, idFromHex, idToHex, randomId } from "../src/id/node_id.ts";
import { SeededRandom } from "../src/random.ts";
import { MemoryNetwork } from "../src/testing/memory_network.ts";
import { VirtualClock } from "../src/testing/virtual_clock.ts";
import { benchArgs, runtimeLabel } from "./_runtime.ts";

const args = benchArgs();
const size = Number(args[0] ?? 1000);
const lookups = Number(args[1] ?? 500);
const k = 20;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const clock = new VirtualClock();
const random = new SeededRandom(2026);
const network = new MemoryNetwork({ clock, random });
const nodes: KademliaNode[] = [];
const buildStart = performance.now();
for (let i = 0; i < size; i++) {
  const node = new KademliaNode({ transport: network.bind, clock, random, k });
  await node.listen(0, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  if (i > 0) {
    const seeds = [0, 1, 2].map(() => nodes[Math.floor(random.float() * i)]!.address!);
    await clock.runUntilSettled(node.bootstrap(seeds));
  }
  nodes.push(node);
}
const buildMs = performance.now() - buildStart;
const ids = nodes.map((n) => idFromHex(n.id));

const rounds: number[] = [];
const messages: number[] = [];
let exact = 0;
const targets = Array.from({ length: lookups }, () => randomId(random));
let wallMs = 0;
for (const target of targets) {
  const asker = nodes[Math.floor(random.float() * size)]!;
  const before = asker.stats();
  const started = performance.now();
  const peers = await clock.runUntilSettled(asker.findNode(target));
  wallMs += performance.now() - started;
  const after = asker.stats();
  messages.push(after.lookupQueries - before.lookupQueries);
  rounds.push(after.lookupRounds - before.lookupRounds);
  const truth = ids.filter((id) => idToHex(id) !== asker.id)
    .sort((a, b) => compareDistance(target, a, b)).slice(0, k).map(idToHex);
  if (peers.map((p) => p.id).join() === truth.join()) exact++;
}

messages.sort((a, b) => a - b);
rounds.sort((a, b) => a - b);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(JSON.stringify(
  {
    bench: "lookup_sim",
    runtime: runtimeLabel(),
    nodes: size,
    k,
    alpha: 3,
    lookups,
    buildSeconds: +(buildMs / 1000).toFixed(2),
    joinsPerSecond: +(size / (buildMs / 1000)).toFixed(1),
    lookupsPerSecond: +(lookups / (wallMs / 1000)).toFixed(1),
    messagesPerLookup: {
      mean: +mean(messages).toFixed(2),
      p50: percentile(messages, 0.5),
      p99: percentile(messages, 0.99),
    },
    rounds: {
      mean: +mean(rounds).toFixed(2),
      p50: percentile(rounds, 0.5),
      p99: percentile(rounds, 0.99),
    },
    exactK: +(exact / lookups).toFixed(4),
    reference: {
      idealPaperStopRounds: 2.91,
      idealStrictStopRounds: 7.53,
      idealStrictMessages: 21.5,
    },
  },
  null,
  2,
));
for (const node of nodes) await node.close();
await clock.runAll();
