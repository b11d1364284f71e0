/**
 * The options of {@linkcode KademliaNode} and their validation.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import type { Random } from "./random.ts";
import type { Storage } from "./records/storage.ts";
import type {
  Address,
  DatagramTransport,
  TransportFactory,
} from "./transport/datagram_transport.ts";
import type { Serialization } from "./wire/codec.ts";

/** Options for {@linkcode KademliaNode}. Every field is optional. */
export interface KademliaNodeOptions {
  /**
   * The wire codec. All nodes of one network must use the same one; datagrams in the other
   * codec are dropped and counted. `"bencode"` is BEP 5 KRPC, byte for byte.
   * @default {"json"}
   */
  serialization?: Serialization;
  /**
   * Bucket size and replication factor: values are stored on the k nodes closest to the key.
   * @default {20}
   */
  k?: number;
  /**
   * Lookup queries in flight at once.
   * @default {3}
   */
  alpha?: number;
  /** This node's id as 40 hex characters or 20 bytes. Random by default. */
  nodeId?: string | Uint8Array;
  /**
   * A bound transport, or a factory that binds one in `listen()`. By default the current
   * runtime's UDP socket (Deno.listenDatagram, Bun.udpSocket or node:dgram). The node closes
   * the transport when it closes.
   */
  transport?: DatagramTransport | TransportFactory;
  /** Time source; pass a `VirtualClock` to simulate. @default {systemClock} */
  clock?: Clock;
  /** Randomness for ids and transaction ids; pass a `SeededRandom` to replay a run. @default {cryptoRandom} */
  random?: Random;
  /** Where values are kept. @default {a MemoryStorage of 65,536 records} */
  storage?: Storage;
  /**
   * How long a query waits for its reply.
   * @default {2000}
   */
  queryTimeoutMs?: number;
  /**
   * How long a lookup waits for one reply before it asks another node in its place.
   * @default {1000}
   */
  slowQueryMs?: number;
  /**
   * Inbound queries handled at once; more are dropped and counted.
   * @default {64}
   */
  maxConcurrentQueries?: number;
  /**
   * The largest value `set` accepts and `store` queries may carry, in bytes (UTF-8 bytes
   * for strings).
   * @default {4096}
   */
  maxValueSize?: number;
  /** Told about malformed or dropped datagrams and failed sends. Must not throw. */
  onWarning?: (message: string, from: Address) => void;
}

/** The tunables after defaults are applied. */
export interface ResolvedTunables {
  k: number;
  alpha: number;
  queryTimeoutMs: number;
  slowQueryMs: number;
  maxConcurrentQueries: number;
  maxValueSize: number;
}

function integer(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Cannot create node: '${name}' must be an integer from ${min} to ${max}, got ${
        String(value)
      }`,
    );
  }
  return value;
}

/**
 * Applies defaults and checks ranges.
 * @throws {RangeError} naming the option and the value if one is out of range
 * @throws {TypeError} if `serialization` is unknown
 */
export function resolveTunables(options: KademliaNodeOptions): ResolvedTunables {
  if (
    options.serialization !== undefined && options.serialization !== "json" &&
    options.serialization !== "bencode"
  ) {
    throw new TypeError(
      `Cannot create node: 'serialization' must be "json" or "bencode", got ${
        String(options.serialization)
      }`,
    );
  }
  const k = integer("k", options.k, 20, 1, 256);
  return {
    k,
    alpha: integer("alpha", options.alpha, 3, 1, 64),
    queryTimeoutMs: integer("queryTimeoutMs", options.queryTimeoutMs, 2000, 1, 600_000),
    slowQueryMs: integer("slowQueryMs", options.slowQueryMs, 1000, 1, 600_000),
    maxConcurrentQueries: integer(
      "maxConcurrentQueries",
      options.maxConcurrentQueries,
      64,
      1,
      65536,
    ),
    maxValueSize: integer("maxValueSize", options.maxValueSize, 4096, 1, 65536),
  };
}
