/**
 * The options and reports of {@linkcode Simulation}, apart from the class so both stay short.
 *
 * @module
 */
import type { KademliaNode } from "../../node.ts";
import type { KademliaNodeOptions } from "../../node_options.ts";
import type { Random } from "../../random.ts";
import type { Address } from "../../transport/datagram_transport.ts";
import type { LatencyModel } from "../latency.ts";
import type { LinkFaults } from "./link_faults.ts";

/**
 * Node options the simulator leaves to the caller (it sets transport, clock, random, id, k, α
 * and the codec itself).
 *
 * @example
 * ```ts
 * import type { SimulatedNodeOptions } from "@kdht/core/testing";
 *
 * const node: SimulatedNodeOptions = { queryTimeoutMs: 1000, refreshIntervalMs: 900_000 };
 * ```
 */
export type SimulatedNodeOptions = Omit<
  KademliaNodeOptions,
  "transport" | "clock" | "random" | "nodeId" | "k" | "alpha" | "serialization"
>;

/**
 * How to build a `Simulation`.
 *
 * @example
 * ```ts
 * import { Simulation, type SimulationOptions, uniformLatency } from "@kdht/core/testing";
 *
 * const options: SimulationOptions = { seed: 7, k: 8, latency: uniformLatency(5, 50) };
 * const sim = new Simulation(options);
 * await sim.close();
 * ```
 */
export interface SimulationOptions {
  /**
   * Seeds everything: ids, latencies, losses, the workload. One seed, one run.
   * @default {1}
   */
  readonly seed?: number;
  /**
   * The nodes' k (bucket size and result size).
   * @default {20}
   */
  readonly k?: number;
  /**
   * The nodes' α (lookup queries in flight).
   * @default {3}
   */
  readonly alpha?: number;
  /**
   * The wire codec.
   * @default {"bencode"}
   */
  readonly serialization?: "json" | "bencode";
  /**
   * One-way delay per datagram.
   * @default {pairwiseLatency(uniformLatency(5, 155), { seed })} (a fixed round trip of
   *   10–310 ms per link, as libtorrent's simulation; reference/reliability.md c.0)
   */
  readonly latency?: LatencyModel;
  /**
   * Probability, 0–1, that a datagram is lost (i.i.d.); `network.setLoss` changes it later.
   * @default {0}
   */
  readonly loss?: number;
  /** Duplication, reordering and one-way loss per link. @default {none} */
  readonly linkFaults?: LinkFaults;
  /** More options for every node (timeouts, intervals, storage limits, ...). @default {none} */
  readonly node?: SimulatedNodeOptions;
  /**
   * Joins in progress at once while the network grows: nodes join while others join, as in a
   * real network, so virtual time does not grow in step with the network's size.
   * @default {32}
   */
  readonly joinConcurrency?: number;
  /**
   * How many nodes already in the network each newcomer bootstraps from (picked at random).
   * @default {3}
   */
  readonly bootstrapFrom?: number;
  /**
   * The IP of the `index`-th host created.
   * @default {10.a.b.c from the index}
   */
  readonly host?: (index: number) => string;
  /**
   * The id of an honest node at `host`; undefined for a random one (C8 passes BEP 42 ids).
   * @default {random ids}
   */
  readonly nodeId?: (host: string, random: Random) => Uint8Array | undefined;
}

/** A node of the simulation: one real KademliaNode. */
export interface SimulatedNode {
  /** The node itself. */
  readonly node: KademliaNode;
  /** Its id, 20 bytes. */
  readonly id: Uint8Array;
  /** Where it listens. */
  readonly address: Address;
  /** False for an adversary a scenario admitted (C8's Sybils); never in the ground truth. */
  readonly honest: boolean;
  /** When it joined, on the virtual clock. */
  readonly joinedAt: number;
}

/** How the network grew: one call of `Simulation.grow`. */
export interface GrowthReport {
  /** Honest nodes that joined. */
  readonly joined: number;
  /** Colluding adversaries that joined. */
  readonly adversaries: number;
  /** Joins that failed (no bootstrap node answered after three tries). */
  readonly failed: number;
  /** Wall time, ms. */
  readonly wallMs: number;
  /** Virtual time, ms. */
  readonly virtualMs: number;
  /** Datagrams sent while it grew (joins and everything else that ran meanwhile). */
  readonly datagrams: number;
}

/** What `Simulation.grow` reports as it goes. */
export interface GrowthProgress {
  /** Nodes (honest and adversaries) joined so far in this call. */
  readonly joined: number;
  /** Nodes this call adds. */
  readonly total: number;
  /** Wall time since the call began, ms. */
  readonly wallMs: number;
  /** Virtual time since the call began, ms. */
  readonly virtualMs: number;
  /** Datagrams sent since the call began. */
  readonly datagrams: number;
}

/** Options of `Simulation.grow`. */
export interface GrowOptions {
  /**
   * Of the nodes added, how many are colluding adversaries (spread at random through the
   * growth).
   * @default {0}
   */
  readonly adversaries?: number;
  /**
   * Bootstrap every newcomer from the first node instead of random ones.
   * @default {false}
   */
  readonly fromFirst?: boolean;
  /** Told after every join. */
  readonly onProgress?: (progress: GrowthProgress) => void;
}
