/**
 * Latency models for {@linkcode MemoryNetwork}: how long a datagram from one address to
 * another spends in flight. Every model draws only from the `random` it is given (or from a
 * seed), so a seeded network replays the same delays.
 *
 * @module
 */
import type { Random } from "../random.ts";
import { SeededRandom } from "../random.ts";
import type { Address } from "../transport/datagram_transport.ts";

/**
 * The one-way delay of one datagram, in milliseconds. Called once per datagram sent (after
 * the loss draw). A result that is negative or NaN means 0; `Infinity` means the datagram is
 * lost.
 *
 * @example
 * ```ts
 * import { type LatencyModel, MemoryNetwork } from "@kdht/core/testing";
 *
 * // 5 ms inside 10.0.0.0/24, 80 ms elsewhere:
 * const latency: LatencyModel = (from, to) =>
 *   from.host.startsWith("10.0.0.") && to.host.startsWith("10.0.0.") ? 5 : 80;
 * const network = new MemoryNetwork({ latency });
 * ```
 */
export type LatencyModel = (from: Address, to: Address, random: Random) => number;

function checkMs(what: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Cannot create ${what}: '${name}' must be a finite number of milliseconds >= 0, got ${
        String(value)
      }`,
    );
  }
  return value;
}

/**
 * Every datagram takes the same time.
 *
 * @example
 * ```ts
 * import { constantLatency, MemoryNetwork } from "@kdht/core/testing";
 * const network = new MemoryNetwork({ latency: constantLatency(20) });
 * ```
 *
 * @param ms the delay, in milliseconds
 * @returns the model
 * @throws {RangeError} if `ms` is negative or not finite
 */
export function constantLatency(ms: number): LatencyModel {
  checkMs("constantLatency", "ms", ms);
  return () => ms;
}

/**
 * Delays drawn uniformly from [`minMs`, `maxMs`), independently per datagram, so datagrams
 * on one link can overtake each other (UDP reordering).
 *
 * @param minMs the shortest delay, in milliseconds
 * @param maxMs the longest delay, in milliseconds
 * @returns the model
 * @throws {RangeError} if a bound is negative or not finite, or `minMs > maxMs`
 *
 * @example
 * ```ts
 * import { MemoryNetwork, uniformLatency } from "@kdht/core/testing";
 *
 * const network = new MemoryNetwork({ latency: uniformLatency(10, 100) });
 * ```
 */
export function uniformLatency(minMs: number, maxMs: number): LatencyModel {
  checkMs("uniformLatency", "minMs", minMs);
  checkMs("uniformLatency", "maxMs", maxMs);
  if (minMs > maxMs) {
    throw new RangeError(
      `Cannot create uniformLatency: 'minMs' (${minMs}) must not exceed 'maxMs' (${maxMs})`,
    );
  }
  const span = maxMs - minMs;
  return (_from, _to, random) => minMs + random.float() * span;
}

/**
 * Normally distributed delays (Box–Muller, two draws per datagram), cut off below at `minMs`
 * so that no delay is negative.
 *
 * @param meanMs the mean delay, in milliseconds
 * @param stdDevMs the standard deviation, in milliseconds
 * @param minMs the floor for a drawn delay, in milliseconds (default 0)
 * @returns the model
 * @throws {RangeError} if an argument is negative or not finite
 *
 * @example
 * ```ts
 * import { MemoryNetwork, normalLatency } from "@kdht/core/testing";
 *
 * const network = new MemoryNetwork({ latency: normalLatency(50, 15, 5) }); // never under 5 ms
 * ```
 */
export function normalLatency(
  meanMs: number,
  stdDevMs: number,
  minMs?: number,
): LatencyModel {
  checkMs("normalLatency", "meanMs", meanMs);
  checkMs("normalLatency", "stdDevMs", stdDevMs);
  const floor = minMs ?? 0;
  checkMs("normalLatency", "minMs", floor);
  return (_from, _to, random) => {
    const u1 = 1 - random.float(); // in (0, 1], so the log is finite
    const u2 = random.float();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.max(floor, meanMs + stdDevMs * z);
  };
}

/**
 * Options for {@linkcode pairwiseLatency}.
 *
 * @example
 * ```ts
 * import { MemoryNetwork, pairwiseLatency, type PairwiseLatencyOptions, uniformLatency } from "@kdht/core/testing";
 *
 * const options: PairwiseLatencyOptions = { jitter: uniformLatency(0, 5), seed: 1 };
 * const network = new MemoryNetwork({ latency: pairwiseLatency(uniformLatency(10, 200), options) });
 * ```
 */
export interface PairwiseLatencyOptions {
  /**
   * Added to the link's fixed delay for each datagram, drawn from the network's random.
   * @default {undefined} (no jitter)
   */
  jitter?: LatencyModel;
  /**
   * Mixed into every link's seed, so two networks can have different link delays.
   * @default {0}
   */
  seed?: number;
  /**
   * Whether A→B and B→A share one fixed delay.
   * @default {true}
   */
  symmetric?: boolean;
}

// FNV-1a over the host, then the port: a stable hash that gives every endpoint its own seed.
function hashAddress(address: Address): number {
  const host = address.host;
  let hash = 0x811c9dc5;
  for (let i = 0; i < host.length; i++) {
    hash = Math.imul(hash ^ host.charCodeAt(i), 0x01000193);
  }
  return Math.imul(hash ^ address.port, 0x01000193) >>> 0;
}

/**
 * A fixed delay per link plus optional per-datagram jitter, the shape of libtorrent's DHT
 * simulation (10–310 ms per link; reference/reliability.md c.0). `link` is called for every
 * datagram with a fresh random generator seeded from a hash of the two addresses, so as
 * long as it draws only from that generator, each link keeps one delay for the whole run,
 * in every run, without a table of all pairs (10^5 nodes would need 10^10 entries).
 *
 * @example
 * ```ts
 * import { MemoryNetwork, pairwiseLatency, uniformLatency } from "@kdht/core/testing";
 * const latency = pairwiseLatency(uniformLatency(10, 310), { jitter: uniformLatency(0, 5) });
 * const network = new MemoryNetwork({ latency });
 * ```
 *
 * @param link the fixed delay of a link; given the link's own seeded random
 * @param options jitter, seed, symmetry
 * @returns the model
 * @throws {TypeError} if `link` or `jitter` is not a function, or `seed` not an integer
 */
export function pairwiseLatency(
  link: LatencyModel,
  options?: PairwiseLatencyOptions,
): LatencyModel {
  const { jitter, seed = 0, symmetric = true } = options ?? {};
  if (typeof link !== "function") {
    throw new TypeError(`Cannot create pairwiseLatency: 'link' must be a function, got ${link}`);
  }
  if (jitter !== undefined && typeof jitter !== "function") {
    throw new TypeError(
      `Cannot create pairwiseLatency: 'jitter' must be a function, got ${jitter}`,
    );
  }
  if (!Number.isInteger(seed)) {
    throw new TypeError(`Cannot create pairwiseLatency: 'seed' must be an integer, got ${seed}`);
  }
  return (from, to, random) => {
    let a = from;
    let b = to;
    let hashA = hashAddress(from);
    let hashB = hashAddress(to);
    if (symmetric && hashB < hashA) {
      [a, b, hashA, hashB] = [to, from, hashB, hashA];
    }
    // Two distinct links may share a seed (a 32-bit collision); they then share a delay,
    // which no test can tell from chance.
    const linkSeed = Math.imul(hashA ^ seed, 0x9e3779b1) ^ hashB;
    const base = link(a, b, new SeededRandom(linkSeed));
    return jitter === undefined ? base : base + jitter(from, to, random);
  };
}
