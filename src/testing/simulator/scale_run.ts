/**
 * The scale run: one network grown by protocol joins through a list of sizes, and at each size
 * the build cost, the memory per node, a batch of measured lookups and the engine's speed.
 *
 * @module
 */
import { round } from "./figures.ts";
import { type LookupFigures, measureLookups } from "./measure.ts";
import { Simulation } from "./simulation.ts";
import type { GrowthProgress, SimulationOptions } from "./simulation_options.ts";

/** A memory reading, taken after a full garbage collection where the runtime allows it. */
export interface MemoryReading {
  /** Resident set size of the process, bytes. */
  readonly rss: number;
  /** JavaScript heap in use, bytes. */
  readonly heapUsed: number;
}

/** What the scale run reports as it goes. */
export type ScaleProgress =
  | ({ readonly phase: "build"; readonly size: number } & GrowthProgress)
  | {
    readonly phase: "lookups";
    readonly size: number;
    readonly done: number;
    readonly total: number;
  };

/** Options of {@linkcode runScale}. */
export interface ScaleRunOptions extends SimulationOptions {
  /** The sizes to measure at, ascending: the network grows from one to the next. */
  readonly sizes: readonly number[];
  /**
   * Lookups measured at each size.
   * @default {1000}
   */
  readonly lookups?: number;
  /**
   * Measured lookups in progress at once.
   * @default {1}
   */
  readonly lookupConcurrency?: number;
  /** Reads the process's memory (the simulator cannot: that needs the runtime). */
  readonly memory?: () => MemoryReading;
  /** Told of progress, often: throttle before printing. */
  readonly onProgress?: (progress: ScaleProgress) => void;
}

/** The figures at one size. */
export interface ScalePoint {
  /** Nodes in the network. */
  readonly size: number;
  /** Building the network up to this size, all steps so far added up. */
  readonly build: {
    /** Wall time, s. */
    readonly wallSeconds: number;
    /** Virtual time, s. */
    readonly virtualSeconds: number;
    /** Joins that failed. */
    readonly failedJoins: number;
    /** Datagrams sent while building, per node joined. */
    readonly datagramsPerJoin: number;
    /** Joins per second of wall time. */
    readonly joinsPerSecond: number;
  };
  /** Memory after building; absent without a `memory` reader. */
  readonly memory?: {
    /** Process RSS, MB. */
    readonly rssMB: number;
    /** JavaScript heap in use, MB. */
    readonly heapMB: number;
    /** RSS over the process's RSS before any node, per node, KB. */
    readonly rssPerNodeKB: number;
    /** Heap over the heap before any node, per node, KB. */
    readonly heapPerNodeKB: number;
  };
  /** Mean routing-table size. */
  readonly meanTableSize: number;
  /** The measured lookups. */
  readonly lookups: LookupFigures;
  /** How fast the simulator ran. */
  readonly engine: {
    /** Datagrams sent since the start (build and lookups, every node). */
    readonly datagrams: number;
    /** Datagrams per second of wall time, over the whole run so far. */
    readonly messagesPerSecond: number;
  };
}

/**
 * Grows one network through `sizes` and measures it at each.
 *
 * @param options the sizes, lookups per size, simulation options and the memory reader
 * @returns one point per size
 */
export async function runScale(options: ScaleRunOptions): Promise<ScalePoint[]> {
  const sizes = [...options.sizes];
  for (let i = 0; i < sizes.length; i++) {
    if (!Number.isSafeInteger(sizes[i]) || sizes[i]! < 2 || (i > 0 && sizes[i]! <= sizes[i - 1]!)) {
      throw new RangeError(
        `Cannot run the simulation: 'sizes' must be ascending integers >= 2, got ${
          sizes.join(",")
        }`,
      );
    }
  }
  const base = options.memory?.();
  const sim = new Simulation(options);
  const points: ScalePoint[] = [];
  const started = performance.now();
  let buildWall = 0;
  let buildVirtual = 0;
  let buildDatagrams = 0;
  let failed = 0;
  try {
    for (const size of sizes) {
      const grown = await sim.grow(size - sim.size, {
        onProgress: (progress) => options.onProgress?.({ phase: "build", size, ...progress }),
      });
      buildWall += grown.wallMs;
      buildVirtual += grown.virtualMs;
      buildDatagrams += grown.datagrams;
      failed += grown.failed;
      const reading = options.memory?.();
      let tables = 0;
      for (const member of sim.live()) tables += member.node.stats().routingTableSize;
      const total = options.lookups ?? 1000;
      const lookups = await measureLookups(sim, {
        count: total,
        concurrency: options.lookupConcurrency ?? 1,
        onProgress: (done) => options.onProgress?.({ phase: "lookups", size, done, total }),
      });
      const datagrams = sim.network.stats().sent;
      points.push({
        size: sim.size,
        build: {
          wallSeconds: round(buildWall / 1000),
          virtualSeconds: round(buildVirtual / 1000),
          failedJoins: failed,
          datagramsPerJoin: round(buildDatagrams / sim.size),
          joinsPerSecond: round(sim.size / (buildWall / 1000)),
        },
        ...(reading === undefined || base === undefined ? {} : {
          memory: {
            rssMB: round(reading.rss / 2 ** 20),
            heapMB: round(reading.heapUsed / 2 ** 20),
            rssPerNodeKB: round((reading.rss - base.rss) / sim.size / 1024),
            heapPerNodeKB: round((reading.heapUsed - base.heapUsed) / sim.size / 1024),
          },
        }),
        meanTableSize: round(tables / sim.size),
        lookups,
        engine: {
          datagrams,
          messagesPerSecond: Math.round(datagrams / ((performance.now() - started) / 1000)),
        },
      });
    }
  } finally {
    await sim.close();
  }
  return points;
}
