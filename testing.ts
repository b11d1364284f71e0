/**
 * The simulation kit: an in-memory datagram network with latency, loss, partitions and churn,
 * a virtual clock that runs hours of protocol time in seconds, and a seeded random source.
 * Use it to test an application over hundreds of DHT nodes inside one process; the same seed
 * gives the same run.
 *
 * @example
 * ```ts
 * import { KademliaNode, SeededRandom } from "@kdht/core";
 * import { MemoryNetwork, uniformLatency, VirtualClock } from "@kdht/core/testing";
 *
 * const clock = new VirtualClock();
 * const random = new SeededRandom(42);
 * const network = new MemoryNetwork({ clock, random, latency: uniformLatency(10, 100) });
 * const nodes = Array.from({ length: 50 }, () =>
 *   new KademliaNode({ transport: network.bind, clock, random }));
 * for (const node of nodes) await node.listen(0);
 * const first = nodes[0]!.address!;
 * for (const node of nodes.slice(1)) await clock.runUntilSettled(node.bootstrap([first]));
 * await clock.runUntilSettled(nodes[1]!.set("key", "value"));
 * console.log(await clock.runUntilSettled(nodes[49]!.get("key"))); // "value"
 * for (const node of nodes) await node.close();
 * ```
 *
 * @module
 */
export { VirtualClock } from "./src/testing/virtual_clock.ts";
export type {
  RunAllOptions,
  RunUntilSettledOptions,
  VirtualClockOptions,
} from "./src/testing/virtual_clock.ts";
export { MemoryNetwork } from "./src/testing/memory_network.ts";
export type {
  MemoryNetworkOptions,
  MemoryNetworkStats,
  PartitionMember,
} from "./src/testing/memory_network.ts";
export {
  constantLatency,
  normalLatency,
  pairwiseLatency,
  uniformLatency,
} from "./src/testing/latency.ts";
export type { LatencyModel, PairwiseLatencyOptions } from "./src/testing/latency.ts";
export { SeededRandom } from "./src/random.ts";
