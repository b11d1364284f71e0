/**
 * {@linkcode KademliaNode}: the public face of the DHT. A facade: it owns the lifecycle and the
 * options, validates arguments, and wires the parts — routing (src/routing/), records
 * (src/records/), RPC and its methods (src/rpc/), lookups (src/lookup/) and the operations
 * built on them (src/operations/). It holds no protocol logic of its own.
 *
 * @module
 */
import { type Clock, systemClock } from "./clock.ts";
import { NodeStateError } from "./errors.ts";
import { createEventHooks } from "./events/emitter.ts";
import type { NodeHooks } from "./events/hooks.ts";
import type { KademliaNodeEventMap } from "./events/node_events.ts";
import { LookupStats } from "./metrics/lookup_stats.ts";
import { hashKey, idFromHex, idToHex, randomId } from "./id/node_id.ts";
import type { NodeContext } from "./node_context.ts";
import {
  type KademliaNodeOptions,
  type ResolvedTunables,
  resolveTunables,
} from "./node_options.ts";
import type {
  BootstrapResult,
  FindValueResult,
  GetOptions,
  NodeStats,
  OperationOptions,
  PingResult,
  SetOptions,
  SetResult,
} from "./node_results.ts";
import {
  emptyMaintenanceStats,
  Maintenance,
  type MaintenanceStats,
} from "./maintenance/maintenance.ts";
import { bootstrap } from "./operations/bootstrap.ts";
import { findNodes } from "./operations/find_nodes.ts";
import { findRecord } from "./operations/find_record.ts";
import { pingAddress } from "./operations/ping_address.ts";
import type { Services } from "./operations/services.ts";
import { storeValue } from "./operations/store_value.ts";
import { checkValueFits } from "./operations/value_fits.ts";
import { Peer } from "./peer.ts";
import { cryptoRandom, type Random } from "./random.ts";
import { cachedLifetime } from "./records/cache_ttl.ts";
import { MemoryStorage } from "./records/memory_storage.ts";
import { compareRecords, valueByteLength } from "./records/record.ts";
import { Records } from "./records/records.ts";
import type { Storage } from "./records/storage.ts";
import { ContactKeeper } from "./routing/keeper.ts";
import { RoutingTable } from "./routing/routing_table.ts";
import { emptyRpcStats, KrpcSocket } from "./rpc/krpc_socket.ts";
import { ping } from "./rpc/methods/ping.ts";
import { resolveMethod } from "./rpc/methods/registry.ts";
import { runtimeDefaults } from "./runtime_defaults.ts";
import { restorePublished, revalidateContacts } from "./state/persist.ts";
import type { NodeState } from "./state/saved_state.ts";
import { StateFile } from "./state/state_file.ts";
import { type AddressLike, parseAddress } from "./transport/address.ts";
import type {
  Address,
  DatagramTransport,
  TransportFactory,
} from "./transport/datagram_transport.ts";
import { BencodeCodec } from "./wire/bencode.ts";
import type { Codec } from "./wire/codec.ts";
import { JsonCodec } from "./wire/json.ts";
import type { TypedValue } from "./wire/value.ts";

interface Running {
  readonly transport: DatagramTransport;
  readonly rpc: KrpcSocket;
  readonly address: Address;
  readonly services: Services;
  readonly maintenance: Maintenance;
}

/**
 * A listener for one of the node's events, typed by its name.
 *
 * @example
 * ```ts
 * import { KademliaNode, type KademliaNodeListener } from "@kdht/core";
 *
 * await using node = new KademliaNode();
 * const onPeer: KademliaNodeListener<"peer-added"> = (event) => console.log(event.peer.id);
 * node.addEventListener("peer-added", onPeer);
 * node.removeEventListener("peer-added", onPeer);
 * ```
 */
export type KademliaNodeListener<K extends keyof KademliaNodeEventMap> =
  | ((event: KademliaNodeEventMap[K]) => void)
  | { handleEvent(event: KademliaNodeEventMap[K]): void };

/**
 * A Kademlia DHT node. It is an `EventTarget`: see {@linkcode KademliaNodeEventMap} for its
 * events (`peer-added`, `peer-removed`, `query-received`, `lookup-finished`, `value-stored`,
 * `warning`).
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
export class KademliaNode extends EventTarget {
  #idBytes: Uint8Array;
  readonly #options: KademliaNodeOptions;
  readonly #tunables: ResolvedTunables;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #codec: Codec;
  readonly #storage: Storage;
  #context: NodeContext;
  readonly #counters = new LookupStats();
  readonly #maintenanceStats: MaintenanceStats = emptyMaintenanceStats();
  readonly #stateFile: StateFile;
  readonly #listened = new Set<string>();
  readonly #hooks: NodeHooks;
  readonly #shutdown = new AbortController();
  #running: Running | undefined;
  #starting: Promise<Address> | undefined;
  #closing: Promise<void> | undefined;

  /**
   * Creates a node. Does no I/O: call `listen()` to bind.
   *
   * @param options codec, Kademlia parameters, injected collaborators
   * @throws {RangeError} if a numeric option is out of range
   * @throws {TypeError} if `nodeId` or `serialization` is invalid
   */
  constructor(options?: KademliaNodeOptions) {
    super();
    options ??= {};
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
    this.#hooks = createEventHooks({
      target: this,
      listening: (type) => this.#listened.has(type),
      logger: options.logger,
      onWarning: options.onWarning,
      clock: this.#clock,
    });
    this.#storage = options.storage ?? new MemoryStorage();
    this.#context = this.#buildContext(this.#idBytes);
    const lifecycle = this.#tunables.lifecycle;
    this.#stateFile = new StateFile({
      path: lifecycle.stateFile,
      store: lifecycle.stateStore,
      serialization: this.#codec.name,
      warn: (message) => this.#stateWarning(message),
    });
  }

  /** The parts that depend on the node id; rebuilt when a state file restores another id. */
  #buildContext(id: Uint8Array): NodeContext {
    const k = this.#tunables.k;
    const hooks = this.#hooks;
    this.#storage.open(id);
    const keeper = new ContactKeeper({
      table: new RoutingTable(id, { k, onAdded: hooks.peerAdded, onRemoved: hooks.peerRemoved }),
      clock: this.#clock,
      slowQueryMs: this.#tunables.slowQueryMs,
      queryTimeoutMs: this.#tunables.queryTimeoutMs,
    });
    return {
      id,
      k,
      clock: this.#clock,
      keeper,
      records: new Records({
        storage: this.#storage,
        clock: this.#clock,
        maxValueSize: this.#tunables.maxValueSize,
        recordTtlMs: this.#tunables.recordTtlMs,
        onStored: hooks.valueStored,
        cachedLifetime: cachedLifetime(
          (key, count) => keeper.closest(key, count),
          id,
          this.#tunables.lifecycle.minCacheTtlMs,
        ),
      }),
      hooks,
    };
  }

  /** A state file was unusable: the `warning` event and logger, and `onStateWarning`. */
  #stateWarning(message: string): void {
    this.#hooks.warning(message, undefined);
    const own = this.#tunables.lifecycle.onStateWarning;
    if (own !== undefined) own(message);
    else if (this.#options.logger === undefined && !this.#listened.has("warning")) {
      // Nobody would hear it otherwise, and a node that forgot its network must say so.
      console.warn(`@kdht/core: ${message}`);
    }
  }

  /**
   * This node's id, as 40 hex characters. With a `stateFile`, `listen()` may replace the id
   * given or drawn at construction by the one saved.
   */
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
   * @throws {NodeStateError} after `close()`, or when no transport is given and none is
   *   registered for this runtime
   */
  listen(port?: number, hostname?: string): Promise<Address> {
    if (this.#shutdown.signal.aborted) {
      return Promise.reject(new NodeStateError("Cannot listen: node is closed"));
    }
    this.#starting ??= this.#start(port ?? 0, hostname ?? "127.0.0.1").catch((error) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  async #start(port: number, hostname: string): Promise<Address> {
    const state = await this.#loadState();
    const transport = await this.#bind(port, hostname);
    if (this.#shutdown.signal.aborted) {
      await transport.close();
      throw new NodeStateError("Cannot listen: node was closed while binding");
    }
    const keeper = this.#context.keeper;
    const rpc = new KrpcSocket({
      transport,
      codec: this.#codec,
      otherCodec: this.#codec.name === "json" ? new BencodeCodec() : new JsonCodec(),
      clock: this.#clock,
      random: this.#random,
      methods: resolveMethod,
      context: this.#context,
      timeoutMs: this.#tunables.queryTimeoutMs,
      maxConcurrentQueries: this.#tunables.maxConcurrentQueries,
      // BEP 43: read-only nodes are served but never added to the routing table.
      onQuery: (args, info, method) => {
        this.#hooks.queryReceived(method, info.from, info.readOnly);
        if (!info.readOnly) keeper.heardFrom(args.id, info.from);
      },
      onWarning: this.#hooks.warning,
    });
    const signal = this.#shutdown.signal;
    keeper.setPing(async (contact, timeoutMs) => {
      const reply = await rpc.query(contact, ping, { id: this.#idBytes }, { signal, timeoutMs });
      return { id: reply.body.id, rttMs: reply.rttMs };
    });
    const services: Services = {
      context: this.#context,
      rpc,
      random: this.#random,
      alpha: this.#tunables.alpha,
      counters: this.#counters,
      readOnly: () => false,
    };
    const maintenance = new Maintenance(services, {
      lifecycle: this.#tunables.lifecycle,
      cachedLifetime: (key, ttlMs) => this.#context.records.cachedLifetime(key, ttlMs),
      saveState: this.#stateFile.path === undefined
        ? undefined
        : () => this.#stateFile.saveQuietly(this.#context),
      stats: this.#maintenanceStats,
    });
    this.#running = { transport, rpc, address: transport.localAddress, services, maintenance };
    // After the rejoin: a restored record overdue for republish must not go out through a
    // routing table still being revalidated.
    if (state !== undefined) await this.#rejoin(services, state);
    maintenance.start();
    return transport.localAddress;
  }

  /** Reads the state file and adopts its id and published records; undefined: fresh start. */
  async #loadState(): Promise<NodeState | undefined> {
    const state = await this.#stateFile.load();
    if (state === undefined) return undefined;
    if (this.#options.nodeId !== undefined && idToHex(state.id) !== this.id) {
      this.#stateWarning(
        `ignoring state file ${this.#stateFile.path}: it belongs to node ${
          idToHex(state.id)
        }, not to this node (${this.id}, the 'nodeId' option); starting fresh`,
      );
      return undefined;
    }
    if (idToHex(state.id) !== this.id) {
      this.#idBytes = state.id;
      this.#context = this.#buildContext(state.id);
    }
    restorePublished(this.#context, state.published);
    return state;
  }

  /** Pings the saved contacts, then looks our own id up through those that answered. */
  async #rejoin(services: Services, state: NodeState): Promise<void> {
    const signal = this.#shutdown.signal;
    try {
      const answered = await revalidateContacts(services, state.contacts, this.#tunables, signal);
      if (answered > 0) await findNodes(services, this.#idBytes, signal);
    } catch (error) {
      if (!signal.aborted) throw error;
      throw new NodeStateError("Cannot listen: node was closed while rejoining");
    }
  }

  async #bind(port: number, hostname: string): Promise<DatagramTransport> {
    const given = this.#options.transport ?? runtimeDefaults().transport;
    if (given === undefined) {
      throw new NodeStateError(
        "Cannot listen: no transport given and none registered for this runtime; pass " +
          "{ transport } or import KademliaNode from @kdht/core",
      );
    }
    if (typeof given !== "function") return given;
    return await (given as TransportFactory)({
      port,
      hostname,
      maxDatagramSize: this.#tunables.maxDatagramSize,
    });
  }

  /**
   * Joins a network through known nodes: asks each for the nodes closest to our own id, then
   * looks up our id and refreshes the buckets farther away (paper §2.3), so that other nodes
   * learn of us and our table fills. With no address, joins through the contacts the routing
   * table already holds.
   *
   * @param addresses `[host, port]` tuples, `{ host, port }` objects or `"host:port"` strings
   * @param options abort signal
   * @returns which addresses answered (and which did not, and why) and the routing table size
   * @throws {BootstrapError} if no address answered; its `failures` say why, per address
   * @throws {TypeError} if an address is malformed
   */
  async bootstrap(
    addresses?: readonly AddressLike[],
    options?: OperationOptions,
  ): Promise<BootstrapResult> {
    addresses ??= [];
    if (!Array.isArray(addresses)) {
      throw new TypeError(`Invalid bootstrap addresses: expected an array, got ${addresses}`);
    }
    const parsed = addresses.map((a) => parseAddress(a, "bootstrap address"));
    const { services } = this.#requireRunning("bootstrap");
    const outcome = await bootstrap(services, parsed, this.#signal(options));
    return { ...outcome, peers: this.#context.keeper.table.size };
  }

  /**
   * Stores a value on the k nodes closest to the key, and keeps it here as its publisher.
   * Last writer wins: a later `set` of the same key, from any node, replaces this value.
   *
   * @param key any string or bytes; the DHT key is its SHA-1
   * @param value a string or a Uint8Array; `get` returns the same type
   * @param options lifetime and abort signal
   * @returns where the value was stored, and why any peer asked did not store it
   * @throws {TypeError} if the key or value has the wrong type
   * @throws {RangeError} if the value is larger than `maxValueSize` or than one datagram can carry
   */
  async set(
    key: string | Uint8Array,
    value: TypedValue,
    options?: SetOptions,
  ): Promise<SetResult> {
    const target = this.#keyId(key);
    this.#checkValue(value);
    const ttlMs = this.#checkTtl(options?.ttlMs);
    const { services, transport } = this.#requireRunning("set");
    checkValueFits(this.#codec, transport.maxDatagramSize, this.#idBytes, target, value);
    const outcome = await storeValue(services, target, value, {
      ttlMs,
      signal: this.#signal(options),
    });
    return { key: idToHex(target), ...outcome };
  }

  /**
   * Gets the value stored under a key: the newest the network holds, compared with this node's
   * own copy (last writer wins). The lookup asks until it ends among the k closest, so a stale
   * copy met on the way does not win; `quorum` stops it earlier.
   *
   * @param key the key given to `set`
   * @param options quorum and abort signal
   * @returns the value with the type it was stored with, or `undefined`
   */
  async get(
    key: string | Uint8Array,
    options?: GetOptions,
  ): Promise<TypedValue | undefined> {
    const target = this.#keyId(key);
    const quorum = this.#checkQuorum(options?.quorum);
    const { services } = this.#requireRunning("get");
    const records = this.#context.records;
    const local = records.get(target);
    const found = await findRecord(services, target, { quorum, signal: this.#signal(options) });
    if (found.record === undefined) return local?.value;
    if (local === undefined) return found.record.value;
    if (compareRecords(found.record, local) <= 0) return local.value;
    // Someone published later: our copy (even one we published) gives way.
    records.adoptNewer({ key: target, ...found.record });
    return found.record.value;
  }

  /**
   * Finds the k nodes closest to an id.
   *
   * @param id 40 hex characters or 20 bytes
   * @param options abort signal
   * @returns the closest peers that answered, nearest first
   * @throws {TypeError} if the id is malformed
   */
  async findNode(id: string | Uint8Array, options?: OperationOptions): Promise<Peer[]> {
    const target = typeof id === "string" ? idFromHex(id) : idFromHex(idToHex(id));
    const { services } = this.#requireRunning("findNode");
    const result = await findNodes(services, target, this.#signal(options));
    return result.closest.map((node) => Peer.fromNodeInfo(node));
  }

  /**
   * Looks a key up in the network (not in this node's own store) and returns the newest value
   * the nodes asked hold. The value is also stored at the nearest node on the path that lacked
   * it (paper §2.3 caching).
   *
   * @param key the key given to `set`
   * @param options quorum and abort signal
   * @returns the value (or `undefined`) and the closest peers that answered
   */
  async findValue(key: string | Uint8Array, options?: GetOptions): Promise<FindValueResult> {
    const target = this.#keyId(key);
    const quorum = this.#checkQuorum(options?.quorum);
    const { services } = this.#requireRunning("findValue");
    const found = await findRecord(services, target, { quorum, signal: this.#signal(options) });
    return {
      value: found.record?.value,
      peers: found.closest.map((node) => Peer.fromNodeInfo(node)),
    };
  }

  /**
   * Saves this node's state — its id, its routing contacts with their health, the records it
   * publishes and their schedule — atomically (a temporary file, then a rename). A node with a
   * `stateFile` also does this periodically and on `close()`.
   *
   * @param path where; the `stateFile` option by default
   * @throws {TypeError} if there is neither a path nor a `stateFile` option
   * @throws {NodeStateError} if no state store is given or registered for this runtime
   * @throws what the file system throws when the file cannot be written
   */
  async saveState(path?: string): Promise<void> {
    if (path !== undefined && (typeof path !== "string" || path === "")) {
      throw new TypeError(`Cannot save state: 'path' must be a non-empty string, got ${path}`);
    }
    await this.#stateFile.save(this.#context, path);
  }

  /**
   * Asks the node at an address whether it is there (BEP 5 `ping`). The node that answers
   * becomes a contact, as a bootstrap address does.
   *
   * @param address `[host, port]`, `{ host, port }` or `"host:port"`
   * @param options abort signal
   * @returns the node that answered and the round trip
   * @throws {TimeoutError} if nothing answered within `queryTimeoutMs`
   * @throws {RpcError} if the node answered with a KRPC error
   * @throws {TypeError} if the address is malformed
   */
  async ping(address: AddressLike, options?: OperationOptions): Promise<PingResult> {
    const parsed = parseAddress(address, "ping address");
    const { services } = this.#requireRunning("ping");
    const outcome = await pingAddress(services, parsed, this.#signal(options));
    return {
      peer: new Peer(idToHex(outcome.id), parsed.host, parsed.port),
      rttMs: outcome.rttMs,
    };
  }

  /**
   * Counters for operators: messages by method and direction, timeouts, drops by reason,
   * routing table size and health, stored records, lookup totals and histograms.
   * `formatPrometheus(node.stats())` renders them for a Prometheus scrape.
   */
  stats(): NodeStats {
    const rpc = this.#running?.rpc.stats() ?? emptyRpcStats();
    const keeper = this.#context.keeper;
    return {
      ...rpc,
      routingTableSize: keeper.table.size,
      buckets: keeper.table.bucketCount,
      contacts: keeper.table.healthCounts(this.#clock.now()),
      evictionPings: keeper.evictionPings,
      storedValues: this.#storage.size,
      storage: this.#storage.stats(),
      lookups: this.#counters.lookups,
      lookupRounds: this.#counters.rounds,
      lookupQueries: this.#counters.queries,
      lookupHistograms: this.#counters.histograms(),
      pendingQueries: this.#running?.rpc.pendingQueries ?? 0,
      maintenance: { ...this.#maintenanceStats },
    };
  }

  /** The contacts in the routing table. */
  peers(): Peer[] {
    return this.#context.keeper.table.contacts().map((contact) => Peer.fromNodeInfo(contact));
  }

  /**
   * Stops the node: aborts every operation in progress, cancels timers, closes the socket and
   * the storage. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#shutdown.abort(new NodeStateError("Operation aborted: node closed"));
      const starting = this.#starting;
      if (starting) await starting.catch(() => {});
      const running = this.#running;
      if (running) {
        await running.maintenance.stop();
        if (this.#stateFile.path !== undefined) await this.#stateFile.saveQuietly(this.#context);
      }
      this.#context.keeper.setPing(undefined);
      if (running) {
        running.rpc.close();
        await running.transport.close();
      }
      this.#storage.close();
    })();
    return this.#closing;
  }

  /**
   * Listens to one of the node's events; the listener's argument is typed by the event name.
   *
   * @param type the event name (see {@linkcode KademliaNodeEventMap})
   * @param listener called with the event
   * @param options as for any `EventTarget` (`once`, `signal`, …)
   */
  override addEventListener<K extends keyof KademliaNodeEventMap>(
    type: K,
    listener: KademliaNodeListener<K> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /**
   * Listens to any event type, as on every `EventTarget`.
   *
   * @param type the event name
   * @param listener called with the event
   * @param options `once`, `signal`, `capture`, `passive`
   */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    // Events of a type nobody ever listened to are not even built.
    this.#listened.add(type);
    super.addEventListener(type, listener, options);
  }

  /**
   * Stops a listener added with `addEventListener`.
   *
   * @param type the event name
   * @param listener the listener added
   * @param options as for any `EventTarget` (`capture`)
   */
  override removeEventListener<K extends keyof KademliaNodeEventMap>(
    type: K,
    listener: KademliaNodeListener<K> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  /**
   * Stops a listener of any event type, as on every `EventTarget`.
   *
   * @param type the event name
   * @param listener the listener added
   * @param options `capture`
   */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
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

  #signal(options: OperationOptions | undefined): AbortSignal {
    const signal = options?.signal;
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

  #checkTtl(ttlMs: number | undefined): number | undefined {
    if (ttlMs === undefined) return undefined;
    const max = this.#tunables.recordTtlMs;
    if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > max) {
      throw new RangeError(
        `Invalid ttlMs: must be an integer from 1 to recordTtlMs (${max}), got ${String(ttlMs)}`,
      );
    }
    return ttlMs;
  }

  #checkQuorum(quorum: number | undefined): number | undefined {
    if (quorum === undefined || quorum === Infinity) return undefined;
    if (!Number.isInteger(quorum) || quorum < 1) {
      throw new RangeError(`Invalid quorum: must be a positive integer, got ${String(quorum)}`);
    }
    return quorum;
  }
}
