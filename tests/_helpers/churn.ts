// A churning network on the memory network and the virtual clock: publishers that stay, the
// rest replaced a fraction at a time, values published at the start and read back at the end.
// Shared by the lifecycle tests and bench/churn.ts.
import { KademliaNode } from "../../mod.ts";
import type { KademliaNodeOptions, NodeStats } from "../../mod.ts";
import { hashKey, idToHex } from "../../src/id/node_id.ts";
import { MemoryStorage } from "../../src/records/memory_storage.ts";
import { SeededRandom } from "../../src/random.ts";
import { type LatencyModel, pairwiseLatency, uniformLatency } from "../../src/testing/latency.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";

const HOUR = 3_600_000;

export interface ChurnOptions {
  /** Nodes in the network at any time. */
  size: number;
  /** Values published at the start by the publishers, which never leave. */
  values: number;
  /** How many of the nodes are publishers. */
  publishers: number;
  /** Values published at the start by nodes that leave at once (publisher-less). */
  orphans: number;
  /** Fraction of the nodes replaced at each churn step (publishers excepted). */
  churnFraction: number;
  /** Time between churn steps. */
  churnEveryMs: number;
  /** Simulated time from the publications to the final reads. */
  durationMs: number;
  seed: number;
  /** Republish and re-store on (the defaults) or off. */
  maintenance: boolean;
  latency?: LatencyModel;
  /** More node options (k, serialization, intervals). */
  node?: KademliaNodeOptions;
  /** Reads the orphans this long after their publication (before their TTL), if set. */
  orphanCheckMs?: number;
}

export interface ChurnResult {
  /** Values (of `values`) that a findValue from a random non-publisher found at the end. */
  retrievable: number;
  /** Orphans found at the end (they should all have expired). */
  orphansRetrievable: number;
  /** Orphans found at `orphanCheckMs`. */
  orphansBeforeTtl: number | undefined;
  /** Of the nodes that held a value right after its publication, the fraction still up. */
  originalHoldersLeft: number;
  /** Nodes replaced over the run. */
  replaced: number;
  /** Datagrams sent on the memory network over the run (building the network excluded). */
  datagrams: number;
  /** Datagrams sent on the memory network per join during the run, on average. */
  joinDatagrams: number;
  /** Queries sent by the nodes (all nodes that ever ran), build excluded. */
  queries: number;
  /** Timers fired by the virtual clock over the run. */
  timers: number;
  /** Wall time of the whole run, build included, in ms. */
  wallMs: number;
  /** Wall time of building the network, in ms. */
  buildMs: number;
  /** Queries by method over the run (all nodes, build excluded). */
  byMethod: Record<string, number>;
  /** Maintenance totals over the run (all nodes). */
  maintenanceStats: Record<string, number>;
}

export async function runChurn(options: ChurnOptions): Promise<ChurnResult> {
  const started = performance.now();
  const clock = new VirtualClock();
  const random = new SeededRandom(options.seed);
  const network = new MemoryNetwork({
    clock,
    random,
    latency: options.latency ?? pairwiseLatency(uniformLatency(10, 100), { seed: options.seed }),
  });
  const pick = (n: number) => Math.floor(random.float() * n);
  const nodeOptions: KademliaNodeOptions = {
    ...options.node,
    ...(options.maintenance ? {} : { republishIntervalMs: 0, replicateIntervalMs: 0 }),
  };
  let hosts = 0;
  const live: { node: KademliaNode; storage: MemoryStorage; publisher: boolean }[] = [];
  // Counters of every node that ever ran: the live ones are read at the end, a leaving node's
  // when it leaves, so that nothing keeps a closed node (its table, its store) alive. Holding
  // the 720 closed nodes of the 48 h run made its second half slower on Node (a heap that only
  // grows, collected over and over).
  const retired: NodeStats[] = [];
  const everyone = (): NodeStats[] => [...retired, ...live.map((entry) => entry.node.stats())];
  let joins = 0;
  let joinDatagrams = 0;
  let building = true;
  const spawn = async (publisher: boolean) => {
    const storage = new MemoryStorage();
    const node = new KademliaNode({
      ...nodeOptions,
      transport: network.bind,
      clock,
      random,
      storage,
    });
    const i = hosts++;
    await node.listen(0, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    if (live.length > 0) {
      const seeds = Array.from(
        { length: Math.min(3, live.length) },
        () => live[pick(live.length)]!.node.address!,
      );
      const sent = network.stats().sent;
      await clock.runUntilSettled(node.bootstrap(seeds));
      if (!building) {
        joins++;
        joinDatagrams += network.stats().sent - sent;
      }
    }
    const entry = { node, storage, publisher };
    live.push(entry);
    return entry;
  };
  const kill = async (index: number) => {
    const [gone] = live.splice(index, 1);
    await clock.runUntilSettled(gone!.node.close());
    retired.push(gone!.node.stats());
  };

  for (let i = 0; i < options.size; i++) await spawn(i < options.publishers);
  const buildMs = performance.now() - started;
  building = false;
  const sentBefore = network.stats().sent;
  const queriesBefore = everyone().reduce((n, stats) => n + stats.queriesSent, 0);
  const methodsBefore = sumMethods(everyone());
  const timersBefore = clock.firedTimers;
  const t0 = clock.now();

  // Publications: values by the publishers, orphans by nodes that then leave.
  const keys = Array.from({ length: options.values }, (_, i) => `value-${options.seed}-${i}`);
  const orphanKeys = Array.from(
    { length: options.orphans },
    (_, i) => `orphan-${options.seed}-${i}`,
  );
  for (const [i, key] of keys.entries()) {
    const publisher = live[i % options.publishers]!.node;
    await clock.runUntilSettled(publisher.set(key, `${key}:payload`));
  }
  for (const key of orphanKeys) {
    const index = options.publishers + pick(live.length - options.publishers);
    await clock.runUntilSettled(live[index]!.node.set(key, `${key}:payload`));
    await kill(index);
    await spawn(false);
  }
  const originalHolders = new Set<KademliaNode>();
  for (const key of keys) {
    const target = hashKey(key);
    for (const { node, storage, publisher } of live) {
      if (!publisher && storage.get(target)) originalHolders.add(node);
    }
  }

  const read = async (key: string): Promise<boolean> => {
    const readers = live.filter((entry) => !entry.publisher);
    const reader = readers[pick(readers.length)]!.node;
    const found = await clock.runUntilSettled(reader.findValue(key));
    return found.value === `${key}:payload`;
  };

  let replaced = 0;
  let orphansBeforeTtl: number | undefined;
  const steps = Math.floor(options.durationMs / options.churnEveryMs);
  const churnCount = Math.round(options.size * options.churnFraction);
  const orphanCheckAt = options.orphanCheckMs === undefined ? Infinity : t0 + options.orphanCheckMs;
  for (let step = 1; step <= steps; step++) {
    const at = t0 + step * options.churnEveryMs;
    if (orphanCheckAt <= at && orphansBeforeTtl === undefined) {
      await clock.advance(Math.max(0, orphanCheckAt - clock.now()));
      orphansBeforeTtl = 0;
      for (const key of orphanKeys) if (await read(key)) orphansBeforeTtl++;
    }
    await clock.advance(Math.max(0, at - clock.now()));
    for (let i = 0; i < churnCount; i++) {
      await kill(options.publishers + pick(live.length - options.publishers));
      await spawn(false);
      replaced++;
    }
  }
  await clock.advance(Math.max(0, t0 + options.durationMs - clock.now()));

  let retrievable = 0;
  for (const key of keys) if (await read(key)) retrievable++;
  let orphansRetrievable = 0;
  for (const key of orphanKeys) if (await read(key)) orphansRetrievable++;
  const stillUp = new Set(live.map((entry) => entry.node));
  let left = 0;
  for (const node of originalHolders) if (stillUp.has(node)) left++;

  const result: ChurnResult = {
    retrievable,
    orphansRetrievable,
    orphansBeforeTtl,
    originalHoldersLeft: originalHolders.size === 0 ? 0 : left / originalHolders.size,
    replaced,
    datagrams: network.stats().sent - sentBefore,
    joinDatagrams: joins === 0 ? 0 : Math.round(joinDatagrams / joins),
    queries: everyone().reduce((n, stats) => n + stats.queriesSent, 0) - queriesBefore,
    timers: clock.firedTimers - timersBefore,
    wallMs: 0,
    buildMs,
    byMethod: subtract(sumMethods(everyone()), methodsBefore),
    maintenanceStats: sumMaintenance(everyone()),
  };
  for (const { node } of [...live]) await clock.runUntilSettled(node.close());
  await clock.runAll({ maxMs: 60_000 });
  result.wallMs = performance.now() - started;
  return result;
}

function sumMethods(nodes: NodeStats[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const stats of nodes) {
    for (const [method, n] of Object.entries(stats.queriesByMethod)) {
      total[method] = (total[method] ?? 0) + n;
    }
  }
  return total;
}

function subtract(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(a).map(([key, n]) => [key, n - (b[key] ?? 0)]));
}

function sumMaintenance(nodes: NodeStats[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const stats of nodes) {
    for (const [name, n] of Object.entries(stats.maintenance)) {
      total[name] = (total[name] ?? 0) + n;
    }
  }
  return total;
}

/** The 40-hex key of a churn value, for debugging. */
export function churnKey(key: string): string {
  return idToHex(hashKey(key));
}

export { HOUR };
