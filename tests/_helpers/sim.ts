// Builds simulated DHT networks on the memory network and virtual clock, for the tests.
import { KademliaNode } from "../../mod.ts";
import type { KademliaNodeOptions } from "../../mod.ts";
import { MemoryStorage } from "../../src/records/memory_storage.ts";
import { SeededRandom } from "../../src/random.ts";
import type { LatencyModel } from "../../src/testing/latency.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";

export interface SimOptions {
  size: number;
  seed?: number;
  latency?: LatencyModel;
  loss?: number;
  node?: KademliaNodeOptions;
  /** How many earlier nodes each new node bootstraps from (random picks). */
  bootstrapFrom?: number;
}

export interface Sim {
  clock: VirtualClock;
  random: SeededRandom;
  network: MemoryNetwork;
  nodes: KademliaNode[];
  /** Each node's storage, by index, so tests can see who holds what. */
  storages: MemoryStorage[];
  /** Runs an operation to completion in virtual time. */
  run<T>(promise: Promise<T>): Promise<T>;
  /** Picks an index in [0, n) from the seeded random source. */
  pick(n: number): number;
  close(): Promise<void>;
}

export async function createSim(options: SimOptions): Promise<Sim> {
  const clock = new VirtualClock();
  const random = new SeededRandom(options.seed ?? 1);
  const network = new MemoryNetwork({
    clock,
    random,
    ...(options.latency ? { latency: options.latency } : {}),
    ...(options.loss ? { loss: options.loss } : {}),
  });
  const run = <T>(promise: Promise<T>) => clock.runUntilSettled(promise);
  const pick = (n: number) => Math.floor(random.float() * n);
  const nodes: KademliaNode[] = [];
  const storages: MemoryStorage[] = [];
  for (let i = 0; i < options.size; i++) {
    const storage = new MemoryStorage();
    storages.push(storage);
    const node = new KademliaNode({
      ...options.node,
      transport: network.bind,
      clock,
      random,
      storage,
    });
    await node.listen(0, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    if (i > 0) {
      const from = Math.min(i, options.bootstrapFrom ?? 1);
      const seeds = Array.from({ length: from }, () => nodes[pick(i)]!.address!);
      await run(node.bootstrap(seeds));
    }
    nodes.push(node);
  }
  return {
    clock,
    random,
    network,
    nodes,
    storages,
    run,
    pick,
    async close() {
      for (const node of nodes) await node.close();
      await clock.runAll({ maxMs: 60_000 });
    },
  };
}
