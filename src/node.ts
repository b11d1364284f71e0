/**
 * {@linkcode KademliaNode}: the public face of the DHT. It joins a network, stores values on
 * the k nodes closest to their key and finds them again, answering other nodes' queries as it
 * goes. Lifecycle, public operations and query handling live here; the pieces (routing table,
 * RPC, lookup, storage, codec) are in their own layers.
 *
 * @module
 */
import { createUdpTransport } from "../adapters/runtime.ts";
import { type Clock, systemClock } from "./clock.ts";
import { NodeStateError, RpcError, TimeoutError } from "./errors.ts";
import {
  hashKey,
  idFromHex,
  idsEqual,
  idToHex,
  randomId,
  randomIdWithPrefix,
} from "./id/node_id.ts";
import { lookup, type LookupResult } from "./lookup/lookup.ts";
import { answerQuery, type Responder } from "./query_responder.ts";
import {
  type KademliaNodeOptions,
  type ResolvedTunables,
  resolveTunables,
} from "./node_options.ts";
import { Peer } from "./peer.ts";
import { cryptoRandom, type Random } from "./random.ts";
import { MemoryStorage } from "./records/memory_storage.ts";
import { valueByteLength } from "./records/record.ts";
import type { Storage } from "./records/storage.ts";
import { RECORD_TTL_MS } from "./constants.ts";
import type { ObserveResult } from "./routing/routing_table.ts";
import { RoutingTable } from "./routing/routing_table.ts";
import { emptyRpcStats, KrpcSocket } from "./rpc/krpc_socket.ts";
import { type AddressLike, parseAddress } from "./transport/address.ts";
import type {
  Address,
  DatagramTransport,
  TransportFactory,
} from "./transport/datagram_transport.ts";
import { BencodeCodec } from "./wire/bencode.ts";
import type { Codec } from "./wire/codec.ts";
import type { NodeInfo } from "./wire/compact_nodes.ts";
import { JsonCodec } from "./wire/json.ts";
import type { ResponseBody, TypedValue } from "./wire/krpc.ts";

import type {
  BootstrapResult,
  FindValueResult,
  NodeStats,
  OperationOptions,
  SetResult,
} from "./node_results.ts";

interface Running {
  readonly transport: DatagramTransport;
  readonly rpc: KrpcSocket;
  readonly address: Address;
}

/**
 * A Kademlia DHT node.
 *
 * @example
 * ```ts
 * import { KademliaNode } from "@kdht/core";
 *
 * await using a = new KademliaNode();
 * await using b = new KademliaNode();
 * const { host, port } = await a.listen(0);
 * await b.listen(0);
 * await b.bootstrap([[host, port]]);
 * await b.set("greeting", "hello");
 * console.log(await a.get("greeting")); // "hello"
 * ```
 */
export class KademliaNode {
  readonly #idBytes: Uint8Array;
  readonly #options: KademliaNodeOptions;
  readonly #tunables: ResolvedTunables;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #codec: Codec;
  readonly #table: RoutingTable;
  readonly #storage: Storage;
  readonly #shutdown = new AbortController();
  readonly #pinging = new Set<string>();
  readonly #responder: Responder;
  #running: Running | undefined;
  #starting: Promise<Address> | undefined;
  #closing: Promise<void> | undefined;
  #lookups = 0;
  #lookupRounds = 0;
  #lookupQueries = 0;

  /**
   * Creates a node. Does no I/O: call `listen()` to bind.
   *
   * @param options codec, Kademlia parameters, injected collaborators
   * @throws {RangeError} if a numeric option is out of range
   * @throws {TypeError} if `nodeId` or `serialization` is invalid
   */
  constructor(options: KademliaNodeOptions = {}) {
    this.#tunables = resolveTunables(options);
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? cryptoRandom;
    this.#idBytes = options.nodeId === undefined
      ? randomId(this.#random)
      : typeof options.nodeId === "string"
      ? idFromHex(options.nodeId)
      : idFromHex(idToHex(options.nodeId));
    this.#codec = options.serialization === "bencode" ? new BencodeCodec() : new JsonCodec();
    this.#table = new RoutingTable(this.#idBytes, { k: this.#tunables.k });
    this.#storage = options.storage ?? new MemoryStorage();
    this.#storage.open(this.#idBytes);
    this.#responder = {
      id: this.#idBytes,
      k: this.#tunables.k,
      maxValueSize: this.#tunables.maxValueSize,
      table: this.#table,
      storage: this.#storage,
      clock: this.#clock,
    };
  }

  /** This node's id, as 40 hex characters. */
  get id(): string {
    return idToHex(this.#idBytes);
  }

  /** The bound address, or `undefined` before `listen()`. */
  get address(): Address | undefined {
    return this.#running?.address;
  }

  /** The wire codec in use. */
  get serialization(): "json" | "bencode" {
    return this.#codec.name;
  }

  /**
   * Binds the node's UDP socket (or the injected transport) and starts answering queries.
   * Idempotent: a second call returns the address already bound.
   *
   * @param port the UDP port; 0 picks a free one
   * @param hostname the address to bind; loopback unless you choose to expose the node
   * @returns the bound address
   * @throws {TransportError} if the port is in use or the address cannot be bound
   * @throws {NodeStateError} after `close()`
   */
  listen(port = 0, hostname = "127.0.0.1"): Promise<Address> {
    if (this.#shutdown.signal.aborted) {
      return Promise.reject(new NodeStateError("Cannot listen: node is closed"));
    }
    this.#starting ??= this.#start(port, hostname).catch((error) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  async #start(port: number, hostname: string): Promise<Address> {
    const given = this.#options.transport;
    const transport = given === undefined
      ? await createUdpTransport({ port, hostname })
      : typeof given === "function"
      ? await (given as TransportFactory)({ port, hostname })
      : given;
    if (this.#shutdown.signal.aborted) {
      await transport.close();
      throw new NodeStateError("Cannot listen: node was closed while binding");
    }
    const rpc = new KrpcSocket({
      transport,
      codec: this.#codec,
      clock: this.#clock,
      random: this.#random,
      timeoutMs: this.#tunables.queryTimeoutMs,
      maxConcurrentQueries: this.#tunables.maxConcurrentQueries,
      onQuery: (query, from) => {
        // BEP 43: read-only nodes are served but never added to the routing table.
        if (!query.readOnly) this.#observe(query.args.id, from);
        return answerQuery(this.#responder, query);
      },
      ...(this.#options.onWarning ? { onWarning: this.#options.onWarning } : {}),
    });
    this.#running = { transport, rpc, address: transport.localAddress };
    return transport.localAddress;
  }

  /**
   * Joins a network through known nodes: asks each for the nodes closest to our own id, then
   * looks up our id and refreshes the buckets farther away (paper §2.3), so that other nodes
   * learn of us and our table fills.
   *
   * @param addresses `[host, port]` tuples, `{ host, port }` objects or `"host:port"` strings
   * @param options abort signal
   * @returns how many bootstrap nodes answered and the routing table size
   * @throws {TypeError} if an address is malformed
   */
  async bootstrap(
    addresses: readonly AddressLike[],
    options: OperationOptions = {},
  ): Promise<BootstrapResult> {
    const parsed = addresses.map((a) => parseAddress(a, "bootstrap address"));
    const { rpc } = this.#requireRunning("bootstrap");
    const signal = this.#signal(options);
    const replies = await Promise.allSettled(parsed.map(async (address) => {
      const reply = await rpc.query(address, "find_node", {
        id: this.#idBytes,
        target: this.#idBytes,
      }, { signal });
      this.#observe(reply.body.id, address);
      return reply;
    }));
    signal.throwIfAborted();
    const reached = replies.filter((r) => r.status === "fulfilled").length;
    const seeds: NodeInfo[] = replies.flatMap((r) =>
      r.status === "fulfilled" ? r.value.body.nodes ?? [] : []
    );
    await this.#lookup(this.#idBytes, false, signal, seeds);
    await this.#refreshFarBuckets(signal);
    return { reached, peers: this.#table.size };
  }

  /** Looks up a random id in each bucket except the one holding our own id. */
  async #refreshFarBuckets(signal: AbortSignal): Promise<void> {
    const count = this.#table.bucketCount;
    const targets: Uint8Array[] = [];
    for (let prefix = 0; prefix < count - 1; prefix++) {
      targets.push(randomIdWithPrefix(this.#idBytes, prefix, this.#random));
    }
    await Promise.all(targets.map((target) => this.#lookup(target, false, signal)));
  }

  /**
   * Stores a value on the k nodes closest to the key, and keeps it here as its publisher.
   *
   * @param key any string or bytes; the DHT key is its SHA-1
   * @param value a string or a Uint8Array; `get` returns the same type
   * @param options abort signal
   * @returns where the value was stored
   * @throws {TypeError} if the key or value has the wrong type
   * @throws {RangeError} if the value is larger than `maxValueSize`
   */
  async set(
    key: string | Uint8Array,
    value: TypedValue,
    options: OperationOptions = {},
  ): Promise<SetResult> {
    const target = this.#keyId(key);
    this.#checkValue(value);
    const { rpc } = this.#requireRunning("set");
    const signal = this.#signal(options);
    const found = await this.#lookup(target, false, signal);
    const now = this.#clock.wallTime();
    this.#storage.put({
      key: target,
      value,
      publishedAt: now,
      expiresAt: now + RECORD_TTL_MS,
      receivedAt: now,
      publisher: this.#idBytes,
      local: true,
    });
    const acks = await Promise.allSettled(found.closest.map(async (node) => {
      await this.#query(rpc, node, "store", { id: this.#idBytes, target, value }, signal);
      return Peer.fromNodeInfo(node);
    }));
    const storedOn = acks.flatMap((ack) => ack.status === "fulfilled" ? [ack.value] : []);
    return {
      key: idToHex(target),
      storedOn,
      failed: acks.length - storedOn.length,
      storedLocally: true,
    };
  }

  /**
   * Gets the value stored under a key: from this node if it holds it, else from the network.
   *
   * @param key the key given to `set`
   * @param options abort signal
   * @returns the value with the type it was stored with, or `undefined`
   */
  async get(
    key: string | Uint8Array,
    options: OperationOptions = {},
  ): Promise<TypedValue | undefined> {
    const target = this.#keyId(key);
    const local = this.#storage.get(target);
    if (local) return local.value;
    return (await this.#findValue(target, options)).value;
  }

  /**
   * Finds the k nodes closest to an id.
   *
   * @param id 40 hex characters or 20 bytes
   * @param options abort signal
   * @returns the closest peers that answered, nearest first
   * @throws {TypeError} if the id is malformed
   */
  async findNode(id: string | Uint8Array, options: OperationOptions = {}): Promise<Peer[]> {
    const target = typeof id === "string" ? idFromHex(id) : idFromHex(idToHex(id));
    this.#requireRunning("findNode");
    const result = await this.#lookup(target, false, this.#signal(options));
    return result.closest.map((node) => Peer.fromNodeInfo(node));
  }

  /**
   * Looks a key up in the network (not in this node's own store). When found, the value is
   * also stored at the closest node on the path that lacked it (paper §2.3 caching).
   *
   * @param key the key given to `set`
   * @param options abort signal
   * @returns the value (or `undefined`) and the closest peers that answered
   */
  findValue(key: string | Uint8Array, options: OperationOptions = {}): Promise<FindValueResult> {
    return this.#findValue(this.#keyId(key), options);
  }

  async #findValue(target: Uint8Array, options: OperationOptions): Promise<FindValueResult> {
    const { rpc } = this.#requireRunning("findValue");
    const signal = this.#signal(options);
    const result = await this.#lookup(target, true, signal);
    if (result.value !== undefined && result.nearestWithoutValue) {
      this.#query(rpc, result.nearestWithoutValue, "store", {
        id: this.#idBytes,
        target,
        value: result.value,
      }, signal).catch(() => {});
    }
    return { value: result.value, peers: result.closest.map((node) => Peer.fromNodeInfo(node)) };
  }

  /** Counters: messages by kind, routing table and storage sizes. */
  stats(): NodeStats {
    const rpc = this.#running?.rpc.stats() ?? emptyRpcStats();
    return {
      ...rpc,
      routingTableSize: this.#table.size,
      buckets: this.#table.bucketCount,
      storedValues: this.#storage.size,
      lookups: this.#lookups,
      lookupRounds: this.#lookupRounds,
      lookupQueries: this.#lookupQueries,
    };
  }

  /** The contacts in the routing table. */
  peers(): Peer[] {
    return this.#table.contacts().map((contact) => Peer.fromNodeInfo(contact));
  }

  /**
   * Stops the node: aborts every operation in progress, cancels timers and closes the socket.
   * Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#shutdown.abort(new NodeStateError("Operation aborted: node closed"));
      const starting = this.#starting;
      if (starting) await starting.catch(() => {});
      const running = this.#running;
      if (!running) return;
      running.rpc.close();
      await running.transport.close();
    })();
    return this.#closing;
  }

  /** Alias of `close()`, matching kademlia-dynamic's `stop()`. */
  stop(): Promise<void> {
    return this.close();
  }

  /** `await using node = new KademliaNode()` closes the node at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #requireRunning(operation: string): Running {
    if (this.#shutdown.signal.aborted) {
      throw new NodeStateError(`Cannot ${operation}: node is closed`);
    }
    if (!this.#running) throw new NodeStateError(`Cannot ${operation}: call listen() first`);
    return this.#running;
  }

  #signal(options: OperationOptions): AbortSignal {
    const signal = options.signal;
    return signal ? AbortSignal.any([signal, this.#shutdown.signal]) : this.#shutdown.signal;
  }

  #keyId(key: string | Uint8Array): Uint8Array {
    if (typeof key !== "string" && !(key instanceof Uint8Array)) {
      throw new TypeError(`Invalid key: expected a string or Uint8Array, got ${typeof key}`);
    }
    return hashKey(key);
  }

  #checkValue(value: TypedValue): void {
    if (typeof value !== "string" && !(value instanceof Uint8Array)) {
      throw new TypeError(`Invalid value: expected a string or Uint8Array, got ${typeof value}`);
    }
    const size = valueByteLength(value);
    if (size > this.#tunables.maxValueSize) {
      throw new RangeError(
        `Invalid value: ${size} bytes is more than maxValueSize (${this.#tunables.maxValueSize} bytes)`,
      );
    }
  }

  async #lookup(
    target: Uint8Array,
    wantValue: boolean,
    signal: AbortSignal,
    extraSeeds: readonly NodeInfo[] = [],
  ): Promise<LookupResult> {
    const { rpc } = this.#requireRunning("lookup");
    this.#lookups++;
    const seeds: NodeInfo[] = [...this.#table.closest(target, this.#tunables.k), ...extraSeeds];
    const result = await lookup({
      target,
      localId: this.#idBytes,
      seeds,
      k: this.#tunables.k,
      alpha: this.#tunables.alpha,
      wantValue,
      clock: this.#clock,
      slowQueryMs: this.#tunables.slowQueryMs,
      // A dependent signal of its own: concurrent lookups (bootstrap runs one per bucket)
      // must not each add a listener to the shared one.
      signal: AbortSignal.any([signal]),
      query: async (node) => {
        const body = await this.#query(rpc, node, wantValue ? "find_value" : "find_node", {
          id: this.#idBytes,
          target,
        }, signal);
        return { nodes: body.nodes ?? [], value: body.value };
      },
    });
    this.#lookupRounds += result.rounds;
    this.#lookupQueries += result.queries;
    return result;
  }

  /** Sends a query to a known contact, keeping the routing table informed of the outcome. */
  async #query(
    rpc: KrpcSocket,
    node: NodeInfo,
    method: string,
    args: Parameters<KrpcSocket["query"]>[2],
    signal: AbortSignal,
  ): Promise<ResponseBody> {
    try {
      const reply = await rpc.query(node, method, args, { signal });
      this.#observe(reply.body.id, node);
      return reply.body;
    } catch (error) {
      if (error instanceof TimeoutError) this.#table.recordFailure(node.id);
      throw error;
    }
  }

  /** Every valid message from a node inserts or refreshes it (implicit discovery). */
  #observe(id: Uint8Array, from: Address): void {
    const result: ObserveResult = this.#table.observe(id, from.host, from.port, this.#clock.now());
    if (result.kind === "full") this.#pingBeforeEvict(result.pingFirst);
  }

  /** Paper §2.2: a full bucket keeps its oldest contact if it still answers. */
  #pingBeforeEvict(contact: NodeInfo): void {
    const running = this.#running;
    const key = idToHex(contact.id);
    if (!running || this.#pinging.has(key)) return;
    this.#pinging.add(key);
    // The table waits for the outcome of this ping: every path must report it.
    running.rpc.query(contact, "ping", { id: this.#idBytes }, { signal: this.#shutdown.signal })
      .then(
        (reply) => {
          if (idsEqual(reply.body.id, contact.id)) return this.#observe(contact.id, contact);
          // Another node now answers at that address: the old contact is gone.
          this.#table.recordFailure(contact.id);
          this.#observe(reply.body.id, contact);
        },
        (error) => {
          if (error instanceof TimeoutError) this.#table.recordFailure(contact.id);
          else if (error instanceof RpcError) this.#observe(contact.id, contact); // it answered
        },
      )
      .finally(() => this.#pinging.delete(key));
  }
}
