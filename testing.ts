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
 * The simulator measures such a network: `Simulation` builds and churns it (real nodes, joined by
 * bootstrap), `measureLookups` scores lookups against an exact XOR index of the live nodes, and
 * `PRESETS` are the reliability test plan's scenarios C0–C9 with their pass criteria.
 *
 * @example
 * ```ts
 * import { measureLookups, Simulation } from "@kdht/core/testing";
 *
 * const sim = new Simulation({ seed: 7, k: 8, loss: 0.05 });
 * await sim.grow(100);
 * const figures = await measureLookups(sim, { count: 50 });
 * console.log(figures.successPercent, figures.recallPercent, figures.latencyMs.p95);
 * await sim.close();
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

// The simulator: thousands of real KademliaNodes on one MemoryNetwork and VirtualClock,
// measured against an exact XOR index of the live nodes (docs/simulator.md).
export { Simulation } from "./src/testing/simulator/simulation.ts";
export type {
  GrowOptions,
  GrowthProgress,
  GrowthReport,
  SimulatedNode,
  SimulatedNodeOptions,
  SimulationOptions,
} from "./src/testing/simulator/simulation_options.ts";
export { Colluders } from "./src/testing/simulator/colluders.ts";
export type { Colluder, ColludersOptions } from "./src/testing/simulator/colluders.ts";
export { withLinkFaults } from "./src/testing/simulator/link_faults.ts";
export type { LinkFaults } from "./src/testing/simulator/link_faults.ts";
export { exponentialSessions, fixedSessions } from "./src/testing/simulator/sessions.ts";
export type { ExponentialSessionOptions, SessionModel } from "./src/testing/simulator/sessions.ts";
export { XorIndex } from "./src/testing/simulator/xor_index.ts";
export { cdf, percent, quantile, round, summarize } from "./src/testing/simulator/figures.ts";
export type { Summary } from "./src/testing/simulator/figures.ts";
export { probeLookup } from "./src/testing/simulator/probe.ts";
export type { LookupSample } from "./src/testing/simulator/probe.ts";
export {
  measureLookups,
  measureLookupsDuring,
  summarizeLookups,
} from "./src/testing/simulator/measure.ts";
export type {
  LookupFigures,
  LookupPick,
  MeasureOptions,
  WorkloadOptions,
} from "./src/testing/simulator/measure.ts";
export { runScale } from "./src/testing/simulator/scale_run.ts";
export type {
  MemoryReading,
  ScalePoint,
  ScaleProgress,
  ScaleRunOptions,
} from "./src/testing/simulator/scale_run.ts";
export { lineChartSvg } from "./src/testing/simulator/svg_chart.ts";
export type { ChartSeries, LineChart } from "./src/testing/simulator/svg_chart.ts";
export { costChartSvg, latencyCdfSvg } from "./src/testing/simulator/run_charts.ts";
export type { SizedLookups } from "./src/testing/simulator/run_charts.ts";
export { presetById, PRESETS } from "./src/testing/simulator/presets.ts";
export { disjointPathModel } from "./src/testing/simulator/presets_adversary.ts";
export type {
  Criterion,
  Preset,
  PresetOptions,
  PresetProgress,
  PresetReport,
  Verdict,
} from "./src/testing/simulator/preset_kit.ts";
/** A node as carried in compact node info: its id and address (what colluders are joined through). */
export type { NodeInfo } from "./src/wire/compact_nodes.ts";
