/**
 * Routing-table microbenchmark (performance.md row 12): observe and closest(target, 20) on a
 * table fed 200k random ids with k = 20, against a brute-force sort of the same table measured
 * in the same run. Prints one JSON object.
 *
 *   node_modules/.bin/deno run -A bench/routing_table.ts
 *   node_modules/.bin/bun bench/routing_table.ts
 *
 * @module
 */
import { compareDistance, randomId } from "../src/id/node_id.ts";
import { SeededRandom } from "../src/random.ts";
import { type Contact, RoutingTable } from "../src/routing/routing_table.ts";
import { runtimeLabel } from "./_runtime.ts";

const FEED = 200_000;
const K = 20;
const COUNT = 20;
const HOST = "127.0.0.1";

const runtime = runtimeLabel();

const random = new SeededRandom(20260818);
const localId = randomId(random);
const feedIds = Array.from({ length: FEED }, () => randomId(random));
const targets = Array.from({ length: 4096 }, () => randomId(random));
let sink = 0;

/**
 * Times `rounds` runs of `body` (after one untimed warm-up run) and returns the median and the
 * fastest run in nanoseconds per op, `ops` ops per run. The median is the figure to quote; the
 * minimum shows what the code does on an idle core, since shared machines are noisy.
 */
function measure(rounds: number, ops: number, body: () => void): { median: number; min: number } {
  body();
  const runs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    body();
    runs.push(((performance.now() - start) * 1e6) / ops);
  }
  runs.sort((a, b) => a - b);
  return { median: runs[rounds >> 1]!, min: runs[0]! };
}

// 1. Feed: 200k random newcomers. Most land in full far buckets, as in k-bucket's benchmark.
// Pinged contacts are settled at once (they answer), as a node would after its ping.
const kinds: Record<string, number> = { inserted: 0, refreshed: 0, full: 0, cached: 0, self: 0 };
let table = new RoutingTable(localId, { k: K });
function feed(count: boolean): void {
  table = new RoutingTable(localId, { k: K });
  for (let i = 0; i < FEED; i++) {
    const result = table.observe(feedIds[i]!, HOST, 6881, i);
    if (count) kinds[result.kind]!++;
    if (result.kind === "full") table.observe(result.pingFirst.id, HOST, 6881, i);
  }
}
feed(true);
// Per observe call: each fed id is one call, plus one (a refresh) per bucket asking for a ping.
const feedCalls = FEED + kinds.full!;
const feedNs = measure(9, feedCalls, () => feed(false));
const contacts: Contact[] = table.contacts();
const known = contacts.map((c) => ({ id: c.id, port: c.port }));

// 2. Inserts into buckets with room (including the splits a fresh table goes through).
const insertNs = measure(301, known.length, () => {
  const fresh = new RoutingTable(localId, { k: K });
  for (let i = 0; i < known.length; i++) fresh.observe(known[i]!.id, HOST, known[i]!.port, i);
  sink += fresh.size;
});

// 3. Refreshes of known contacts, in a scrambled order.
const order = Array.from({ length: 1 << 16 }, () => Math.floor(random.float() * known.length));
const refreshNs = measure(41, order.length, () => {
  for (let i = 0; i < order.length; i++) {
    const c = known[order[i]!]!;
    table.observe(c.id, HOST, c.port, FEED + i);
  }
});

// 4. closest(target, 20) against a brute-force sort of the same contacts.
const closestNs = measure(41, targets.length, () => {
  for (let i = 0; i < targets.length; i++) sink += table.closest(targets[i]!, COUNT).length;
});
const bruteNs = measure(5, targets.length, () => {
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    const all = table.contacts();
    all.sort((a, b) => compareDistance(target, a.id, b.id));
    sink += all.slice(0, COUNT).length;
  }
});

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
const ns = (m: { median: number; min: number }) => ({ median: round(m.median), min: round(m.min) });
const us = (m: { median: number; min: number }) => ({
  median: round(m.median / 1000, 3),
  min: round(m.min / 1000, 3),
});
console.log(JSON.stringify(
  {
    bench: "routing_table",
    runtime,
    k: K,
    fedIds: FEED,
    tableSize: table.size,
    buckets: table.bucketCount,
    feedKinds: kinds,
    observeFeedNsPerCall: ns(feedNs),
    observeInsertNsPerOp: ns(insertNs),
    observeRefreshNsPerOp: ns(refreshNs),
    closest20UsPerOp: us(closestNs),
    bruteForceSort20UsPerOp: us(bruteNs),
    closestSpeedupVsBruteForce: round(bruteNs.median / closestNs.median),
    targets: { observeNs: 150, closest20Us: 1 },
    sink: sink > 0,
  },
  null,
  2,
));
