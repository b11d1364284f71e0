/**
 * The options of {@linkcode KademliaNode} and their validation.
 *
 * @module
 */
import type { Clock } from "./clock.ts";
import type { Logger } from "./events/logger.ts";
import {
  ALPHA,
  EXTERNAL_IP_VOTERS,
  EXTERNAL_IP_VOTES,
  K,
  MAX_CONCURRENT_QUERIES,
  MAX_ITEMS,
  MAX_VALUE_SIZE,
  PROVIDER_TTL_MS,
  QUERY_TIMEOUT_MS,
  REANNOUNCE_INTERVAL_MS,
  RECORD_TTL_MS,
  SLOW_QUERY_MS,
} from "./constants.ts";
import {
  type LifecycleOptions,
  type ResolvedLifecycle,
  resolveLifecycle,
} from "./maintenance/lifecycle_options.ts";
import { DEFAULT_MAX_DATAGRAM_SIZE, MAX_UDP_PAYLOAD } from "./transport/datagram_transport.ts";
import type { Random } from "./random.ts";
import type { Ed25519 } from "./records/ed25519.ts";
import type { SecureContacts } from "./routing/keeper.ts";
import type { Storage } from "./records/storage.ts";
import type {
  Address,
  DatagramTransport,
  TransportFactory,
} from "./transport/datagram_transport.ts";
import type { Serialization } from "./wire/codec.ts";

/**
 * Options for {@linkcode KademliaNode}. Every field is optional.
 *
 * @example
 * ```ts
 * import { KademliaNode, type KademliaNodeOptions } from "@kdht/core";
 *
 * const options: KademliaNodeOptions = { serialization: "bencode", k: 8, alpha: 3, logger: console };
 * await using node = new KademliaNode(options);
 * ```
 */
export interface KademliaNodeOptions extends LifecycleOptions {
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
  /**
   * Where values are kept; the node calls its `open()` with the node id and closes it on
   * `close()`.
   * @default {a MemoryStorage of 65,536 records and 64 MiB}
   */
  storage?: Storage;
  /**
   * The longest a query waits for its reply: the ceiling of the adaptive timeout, which is
   * twice the destination's smoothed RTT plus four deviations (RFC 6298 style), at least 50 ms.
   * @default {2000}
   */
  queryTimeoutMs?: number;
  /**
   * The longest a lookup waits on one reply before it asks another node in its place: the
   * ceiling of the adaptive threshold (smoothed RTT plus four deviations, at least 5 ms).
   * @default {1000}
   */
  slowQueryMs?: number;
  /**
   * Answers still being worked out by asynchronous handlers at once; while that many are
   * pending, new inbound queries are dropped and counted in `stats().dropped`. Synchronous
   * handlers finish before the next datagram is read, so they never queue.
   * @default {64}
   */
  maxConcurrentQueries?: number;
  /**
   * The largest value `set` accepts and `store` queries may carry, in bytes (UTF-8 bytes
   * for strings). A value must also fit in one datagram with its message, which `set` checks.
   * @default {4096}
   */
  maxValueSize?: number;
  /**
   * The largest datagram the node sends or accepts to send, in bytes; passed to the transport
   * when the node binds one.
   * @default {8192}
   */
  maxDatagramSize?: number;
  /**
   * How long a record lives after its last publication, in ms; also the most a `set` may ask.
   * @default {86_410_000} (24 h 10 s, kademlia-dynamic's KEY_EXPIRY)
   */
  recordTtlMs?: number;
  /** Told about malformed or dropped datagrams and failed sends. Must not throw. */
  onWarning?: (message: string, from: Address) => void;
  /**
   * Signs and verifies BEP 44 mutable items. `@kdht/core` registers one on `@noble/curves`;
   * pass your own to use another library.
   * @default {the registered implementation}
   */
  ed25519?: Ed25519;
  /**
   * BEP 42: once the external IP is known (the `ip` of replies, from `externalIpVotes` distinct
   * responders), take a node id derived from it, as mainline nodes expect. Local addresses
   * (loopback, private ranges) are exempt and never change the id.
   * @default {true, unless `nodeId` is given}
   */
  secureNodeId?: boolean;
  /**
   * BEP 42 policy for routing-table contacts: `"any"`; `"prefer"` (a node whose id is verified
   * for its IP takes the place of an unverified one in a full bucket); `"require"` (only
   * verified nodes enter the table and are asked to store items). Local addresses are exempt.
   * @default {"prefer"}
   */
  secureContacts?: SecureContacts;
  /**
   * At most one node per IP address in the routing table and among each lookup's candidates
   * (libtorrent's `restrict_routing_ips` and `restrict_search_ips`), so a Sybil attacker with
   * one address and many ids chosen next to a key gets one of its k closest places, not all.
   * Local addresses (loopback, private ranges, as for BEP 42) are exempt: one machine or LAN
   * runs many nodes on one address by design. A new id from a known address and port replaces
   * the old contact (the node there restarted).
   * @default {true}
   */
  oneNodePerIp?: boolean;
  /**
   * Distinct responders that must report the same external IP before the node believes it.
   * @default {3}
   */
  externalIpVotes?: number;
  /**
   * BEP 44 items held for the network; when full, items nearer this node's id are kept.
   * @default {700}
   */
  maxItems?: number;
  /**
   * Where the node writes log lines: peers, queries, lookups and stored values at `debug`,
   * warnings (at most 20 per 10 s) at `warn`. `console` works; `createLogger()`
   * filters by level.
   * @default {none: the node logs nothing}
   */
  logger?: Logger;
  /**
   * `"server"` answers queries and is added to other nodes' routing tables; `"client"` (BEP 43
   * read-only) only asks: it marks its queries `ro: 1`, so receivers serve it without adding it,
   * and it answers no query. `setMode()` switches at run time.
   * @default {"server"}
   */
  mode?: NodeMode;
  /**
   * Look up a random id this often, in ms, to keep the routing table fresh (at most one such
   * walk in flight). 0 turns it off.
   * @default {0}
   */
  randomWalkIntervalMs?: number;
  /**
   * How long this node keeps a provider record after its last announcement, in ms.
   * @default {172_800_000} (48 h)
   */
  providerTtlMs?: number;
  /**
   * How often this node announces the keys it provides again, in ms: keep it below the
   * network's `providerTtlMs`.
   * @default {79_200_000} (22 h)
   */
  reannounceIntervalMs?: number;
}

/** Whether a node serves the network or only uses it (BEP 43 read-only). */
export type NodeMode = "server" | "client";

/** The tunables after defaults are applied. */
export interface ResolvedTunables {
  k: number;
  alpha: number;
  queryTimeoutMs: number;
  slowQueryMs: number;
  maxConcurrentQueries: number;
  maxValueSize: number;
  maxDatagramSize: number;
  recordTtlMs: number;
  secureContacts: SecureContacts;
  oneNodePerIp: boolean;
  secureNodeId: boolean;
  externalIpVotes: number;
  maxItems: number;
  mode: NodeMode;
  randomWalkIntervalMs: number;
  providerTtlMs: number;
  reannounceIntervalMs: number;
  /** Republish, re-store, refresh, cache TTL and saved-state settings. */
  lifecycle: ResolvedLifecycle;
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
  const maxDatagramSize = integer(
    "maxDatagramSize",
    options.maxDatagramSize,
    DEFAULT_MAX_DATAGRAM_SIZE,
    512,
    MAX_UDP_PAYLOAD,
  );
  const recordTtlMs = integer("recordTtlMs", options.recordTtlMs, RECORD_TTL_MS, 1000, 2 ** 40);
  return {
    k: integer("k", options.k, K, 1, 256),
    alpha: integer("alpha", options.alpha, ALPHA, 1, 64),
    queryTimeoutMs: integer("queryTimeoutMs", options.queryTimeoutMs, QUERY_TIMEOUT_MS, 1, 600_000),
    slowQueryMs: integer("slowQueryMs", options.slowQueryMs, SLOW_QUERY_MS, 1, 600_000),
    maxConcurrentQueries: integer(
      "maxConcurrentQueries",
      options.maxConcurrentQueries,
      MAX_CONCURRENT_QUERIES,
      1,
      65536,
    ),
    // A value cannot be larger than the datagram that carries it.
    maxValueSize: integer(
      "maxValueSize",
      options.maxValueSize,
      Math.min(MAX_VALUE_SIZE, maxDatagramSize),
      1,
      maxDatagramSize,
    ),
    maxDatagramSize,
    recordTtlMs,
    lifecycle: resolveLifecycle(options, recordTtlMs),
    secureContacts: secureContacts(options.secureContacts),
    oneNodePerIp: flag("oneNodePerIp", options.oneNodePerIp, true),
    secureNodeId: flag("secureNodeId", options.secureNodeId, options.nodeId === undefined),
    externalIpVotes: integer(
      "externalIpVotes",
      options.externalIpVotes,
      EXTERNAL_IP_VOTES,
      1,
      EXTERNAL_IP_VOTERS,
    ),
    maxItems: integer("maxItems", options.maxItems, MAX_ITEMS, 0, 1_000_000),
    mode: checkMode("Cannot create node", options.mode ?? "server"),
    randomWalkIntervalMs: integer(
      "randomWalkIntervalMs",
      options.randomWalkIntervalMs,
      0,
      0,
      2 ** 31 - 1,
    ),
    providerTtlMs: integer("providerTtlMs", options.providerTtlMs, PROVIDER_TTL_MS, 1000, 2 ** 40),
    reannounceIntervalMs: integer(
      "reannounceIntervalMs",
      options.reannounceIntervalMs,
      REANNOUNCE_INTERVAL_MS,
      1000,
      2 ** 31 - 1,
    ),
  };
}

/**
 * Checks a mode.
 *
 * @param what the start of the error message
 * @param mode the value given
 * @returns the mode
 * @throws {TypeError} if it is neither "server" nor "client"
 */
export function checkMode(what: string, mode: unknown): NodeMode {
  if (mode !== "server" && mode !== "client") {
    throw new TypeError(`${what}: 'mode' must be "server" or "client", got ${String(mode)}`);
  }
  return mode;
}

function secureContacts(value: unknown): SecureContacts {
  if (value === undefined) return "prefer";
  if (value === "any" || value === "prefer" || value === "require") return value;
  throw new TypeError(
    `Cannot create node: 'secureContacts' must be "any", "prefer" or "require", got ${
      String(value)
    }`,
  );
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(`Cannot create node: '${name}' must be a boolean, got ${String(value)}`);
  }
  return value;
}
