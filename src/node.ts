/**
 * {@linkcode KademliaNode}: the public face of the DHT. A facade: it owns the lifecycle and the
 * options, validates arguments, and wires the parts — routing (src/routing/), records
 * (src/records/), RPC and its methods (src/rpc/), lookups (src/lookup/) and the operations
 * built on them (src/operations/). It holds no protocol logic of its own.
 *
 * @module
 */
import { type Clock, systemClock } from "./clock.ts";
import { CLIENT_VERSION } from "./constants.ts";
import { NodeStateError, PutError } from "./errors.ts";
import { createEventHooks } from "./events/emitter.ts";
import type { NodeHooks } from "./events/hooks.ts";
import type { KademliaNodeEventMap } from "./events/node_events.ts";
import { LookupStats } from "./metrics/lookup_stats.ts";
import { ExternalIpVoter } from "./id/external_ip.ts";
import { hashKey, idFromHex, idToHex, randomId } from "./id/node_id.ts";
import {
  emptyMaintenanceStats,
  Maintenance,
  type MaintenanceStats,
} from "./maintenance/maintenance.ts";
import { ProviderUpkeep } from "./maintenance/provider_upkeep.ts";
import { RandomWalk } from "./maintenance/random_walk.ts";
import type { NodeContext } from "./node_context.ts";
import {
  checkMode,
  type KademliaNodeOptions,
  type NodeMode,
  type ResolvedTunables,
  resolveTunables,
} from "./node_options.ts";
import type {
  BootstrapResult,
  FindNodeOptions,
  FindProvidersOptions,
  FindValueResult,
  GetMutableOptions,
  GetOptions,
  MutableItemResult,
  NodeStats,
  OperationOptions,
  PingResult,
  ProvidedKey,
  ProvideOptions,
  ProvideResult,
  ProviderInfo,
  PutMutableOptions,
  PutMutableResult,
  RecordResult,
  SetOptions,
  SetResult,
} from "./node_results.ts";
import { bootstrap } from "./operations/bootstrap.ts";
import { findNodes } from "./operations/find_nodes.ts";
import { findProviders } from "./operations/find_providers.ts";
import { findRecord } from "./operations/find_record.ts";
import { getImmutableItem, getMutableItem } from "./operations/get_item.ts";
import {
  itemKeyPair,
  itemPublicKey,
  itemSalt,
  itemSeq,
  itemTarget,
} from "./operations/item_args.ts";
import { putImmutableItem, putMutableItem } from "./operations/put_item.ts";
import { announceId, secureIdFor } from "./operations/secure_id.ts";
import { pingAddress } from "./operations/ping_address.ts";
import type { Services } from "./operations/services.ts";
import { ContentProvider } from "./operations/content_provider.ts";
import { quorumRead } from "./operations/quorum_read.ts";
import { setRecord } from "./operations/set_record.ts";
import { storeValue } from "./operations/store_value.ts";
import { checkValueFits } from "./operations/value_fits.ts";
import { Peer } from "./peer.ts";
import { safeEmitter } from "./query_events.ts";
import { cryptoRandom, type Random } from "./random.ts";
import type { Ed25519 } from "./records/ed25519.ts";
import { ItemStore } from "./records/item_store.ts";
import {
  copyItemValue,
  type ItemValue,
  type ItemValueInput,
  toItemValue,
} from "./records/item_value.ts";
import { cachedLifetime } from "./records/cache_ttl.ts";
import { MemoryStorage } from "./records/memory_storage.ts";
import { ProviderStore } from "./records/providers.ts";
import { valueByteLength } from "./records/record.ts";
import { Records } from "./records/records.ts";
import type { Storage } from "./records/storage.ts";
import { namespaceOf, type Validator, Validators } from "./records/validators.ts";
import { WriteTokens } from "./records/write_tokens.ts";
import { ContactKeeper } from "./routing/keeper.ts";
import { RoutingTable } from "./routing/routing_table.ts";
import { emptyRpcStats, KrpcSocket } from "./rpc/krpc_socket.ts";
import { providersPerReply } from "./rpc/methods/get_peers.ts";
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
  readonly upkeep: ProviderUpkeep;
  readonly maintenance: Maintenance;
  readonly randomWalk: RandomWalk | undefined;
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

/** The context, writable by the node alone (its id follows BEP 42). */
type OwnContext = { -readonly [K in keyof NodeContext]: NodeContext[K] };

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
  readonly #context: OwnContext;
  readonly #externalIp: ExternalIpVoter;
  /** True while the routing table moves to a new id: the moves are not peer events. */
  #movingId = false;
  readonly #counters = new LookupStats();
  readonly #maintenanceStats: MaintenanceStats = emptyMaintenanceStats();
  readonly #stateFile: StateFile;
  readonly #listened = new Set<string>();
  readonly #hooks: NodeHooks;
  readonly #provider: ContentProvider;
  readonly #shutdown = new AbortController();
  #mode: NodeMode;
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
    const hooks = this.#hooks = createEventHooks({
      target: this,
      listening: (type) => this.#listened.has(type),
      logger: options.logger,
      onWarning: options.onWarning,
      clock: this.#clock,
    });
    const k = this.#tunables.k;
    this.#storage = options.storage ?? new MemoryStorage();
    this.#storage.open(this.#idBytes);
    this.#mode = this.#tunables.mode;
    this.#provider = new ContentProvider(this.#clock, this.#tunables.reannounceIntervalMs);
    this.#externalIp = new ExternalIpVoter({ minVotes: this.#tunables.externalIpVotes });
    const keeper = new ContactKeeper({
      table: this.#newTable(this.#idBytes),
      clock: this.#clock,
      slowQueryMs: this.#tunables.slowQueryMs,
      queryTimeoutMs: this.#tunables.queryTimeoutMs,
      secureContacts: this.#tunables.secureContacts,
    });
    this.#context = {
      id: this.#idBytes,
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
          () => this.#idBytes,
          this.#tunables.lifecycle.minCacheTtlMs,
        ),
      }),
      hooks,
      validators: new Validators(),
      tokens: new WriteTokens(this.#clock, this.#random),
      providers: new ProviderStore({
        clock: this.#clock,
        ttlMs: this.#tunables.providerTtlMs,
        onAdd: (expiresAt) => this.#running?.upkeep.added(expiresAt),
      }),
      providersPerReply: providersPerReply(this.#tunables.maxDatagramSize, k),
      maxDatagramSize: this.#tunables.maxDatagramSize,
      items: new ItemStore({
        clock: this.#clock,
        localId: () => this.#idBytes,
        maxItems: this.#tunables.maxItems,
      }),
      ed25519: options.ed25519 ?? runtimeDefaults().ed25519,
    };
    const lifecycle = this.#tunables.lifecycle;
    this.#stateFile = new StateFile({
      path: lifecycle.stateFile,
      store: lifecycle.stateStore,
      serialization: this.#codec.name,
      warn: (message) => this.#stateWarning(message),
    });
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

  /** A routing table around `id` that reports its changes as peer events. */
  #newTable(id: Uint8Array): RoutingTable {
    const hooks = this.#hooks;
    return new RoutingTable(id, {
      k: this.#tunables.k,
      oneNodePerIp: this.#tunables.oneNodePerIp,
      onAdded: (contact) => this.#movingId || hooks.peerAdded(contact),
      onRemoved: (contact) => this.#movingId || hooks.peerRemoved(contact),
    });
  }

  /**
   * This node's id, as 40 hex characters. With a `stateFile`, `listen()` may replace the id
   * given or drawn at construction by the one saved.
   */
  get id(): string {
    return idToHex(this.#idBytes);
  }

  /**
   * Our external IP as the network sees it, once `externalIpVotes` distinct responders agree
   * (BEP 42); `undefined` until then, and for nodes that only meet local addresses.
   */
  get externalIp(): string | undefined {
    return this.#externalIp.ip;
  }

  /** The bound address, or `undefined` before `listen()`. */
  get address(): Address | undefined {
    return this.#running?.address;
  }

  /** The wire codec in use. */
  get serialization(): "json" | "bencode" {
    return this.#codec.name;
  }

  /** `"server"` (answers queries) or `"client"` (BEP 43 read-only); see `setMode`. */
  get mode(): NodeMode {
    return this.#mode;
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
      // A client answers nothing, so nobody can take it for a server.
      answering: () => this.#mode === "server",
      onWarning: this.#hooks.warning,
      clientVersion: CLIENT_VERSION,
      onReplyIp: (ip, from) => {
        const changed = this.#externalIp.vote(ip.host, from.host);
        if (changed !== undefined) this.#adoptSecureId(changed);
      },
    });
    const signal = this.#shutdown.signal;
    keeper.setPing(async (contact, timeoutMs) => {
      const reply = await rpc.query(contact, ping, { id: this.#idBytes }, {
        signal,
        timeoutMs,
        readOnly: this.#mode === "client",
      });
      return { id: reply.body.id, rttMs: reply.rttMs };
    });
    const services: Services = {
      context: this.#context,
      rpc,
      random: this.#random,
      alpha: this.#tunables.alpha,
      counters: this.#counters,
      readOnly: () => this.#mode === "client",
    };
    const upkeep = new ProviderUpkeep({
      clock: this.#clock,
      providers: this.#context.providers,
      providing: this.#provider.providing,
      reannounce: (entry) =>
        this.#provider.announce(services, transport.localAddress, entry, signal).then(
          () => {},
          () => {},
        ),
    });
    const walkEvery = this.#tunables.randomWalkIntervalMs;
    const randomWalk = walkEvery === 0 ? undefined : new RandomWalk({
      clock: this.#clock,
      intervalMs: walkEvery,
      walk: () => findNodes(services, randomId(this.#random), { signal, askAll: true }),
    });
    const maintenance = new Maintenance(services, {
      lifecycle: this.#tunables.lifecycle,
      cachedLifetime: (key, ttlMs) => this.#context.records.cachedLifetime(key, ttlMs),
      saveState: this.#stateFile.path === undefined
        ? undefined
        : () => this.#stateFile.saveQuietly(this.#context),
      stats: this.#maintenanceStats,
    });
    const address = transport.localAddress;
    this.#running = { transport, rpc, address, services, upkeep, randomWalk, maintenance };
    // After the rejoin: a restored record overdue for republish must not go out through a
    // routing table still being revalidated.
    if (state !== undefined) await this.#rejoin(services, state);
    upkeep.wake();
    randomWalk?.start();
    maintenance.start();
    return address;
  }

  /** Reads the state file and adopts its id and published records; undefined: fresh start. */
  async #loadState(): Promise<NodeState | undefined> {
    const state = await this.#stateFile.load();
    if (state === undefined) return undefined;
    const saved = idToHex(state.id);
    if (this.#options.nodeId !== undefined && saved !== this.id) {
      this.#stateWarning(
        `ignoring state file ${this.#stateFile.path}: it belongs to node ${saved}, not to this ` +
          `node (${this.id}, the 'nodeId' option); starting fresh`,
      );
      return undefined;
    }
    if (saved !== this.id) {
      // Before listen() the table is empty: the move only re-keys what depends on the id.
      this.#idBytes = state.id;
      this.#context.id = state.id;
      this.#storage.open(state.id);
      this.#context.keeper.rebuild(this.#newTable(state.id));
    }
    restorePublished(this.#context, state.published);
    return state;
  }

  /** Pings the saved contacts, then looks our own id up through those that answered. */
  async #rejoin(services: Services, state: NodeState): Promise<void> {
    const signal = this.#shutdown.signal;
    try {
      const answered = await revalidateContacts(services, state.contacts, this.#tunables, signal);
      if (answered > 0) await findNodes(services, this.#idBytes, { signal, askAll: true });
    } catch (error) {
      if (!signal.aborted) throw error;
      throw new NodeStateError("Cannot listen: node was closed while rejoining");
    }
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
   * A key written `/namespace/rest` whose namespace has a validator (`registerValidator`) is
   * validated first, before any traffic, and must not rank below the value this node or the k
   * closest hold by the namespace's `select`; each receiver validates and ranks it again.
   *
   * @param key any string or bytes; the DHT key is its SHA-1
   * @param value a string or a Uint8Array; `get` returns the same type
   * @param options lifetime and abort signal
   * @returns where the value was stored, and why any peer asked did not store it
   * @throws {TypeError} if the key or value has the wrong type
   * @throws {RangeError} if the value is larger than `maxValueSize` or than one datagram can carry
   * @throws {ValidationError} `invalid` if the namespace's validator rejects the value,
   *   `outranked` if its `select` prefers the value already held; nothing is stored
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
    // Namespaced keys travel with their name, so receivers can validate them.
    const name = this.#nameOf(key);
    checkValueFits(this.#codec, transport.maxDatagramSize, this.#idBytes, target, value, name);
    const signal = this.#signal(options);
    const outcome = name !== undefined && this.#context.validators.forKey(name)
      ? await setRecord(services, target, name, value, { ttlMs, signal })
      : await storeValue(services, target, value, { ttlMs, name, signal });
    return { key: idToHex(target), ...outcome };
  }

  /**
   * Gets the value stored under a key: the best the network holds, compared with this node's
   * own copy — the latest publication (last writer wins), or by the namespace's `select` for
   * validated keys. The walk asks until it ends among the k closest, so a stale copy met on the
   * way does not win; `quorum` stops it once that many peers answered with a value. Peers among
   * the k closest that answered with another value or none are then sent the best one.
   *
   * @param key the key given to `set`
   * @param options quorum, abort signal and per-peer events
   * @returns the value with the type it was stored with, or `undefined`
   */
  async get(
    key: string | Uint8Array,
    options?: GetOptions,
  ): Promise<TypedValue | undefined> {
    return (await this.#read("get", key, options ?? {})).value;
  }

  /**
   * Like `get`, with how sure the answer is: how many peers agreed, how many were asked,
   * whether the quorum was met, and which peers were corrected. When the quorum is not met the
   * best value found is still returned; `quorumMet` says so.
   *
   * @param key the key given to `set`
   * @param options quorum, abort signal and per-peer events
   * @returns the value and the read's figures
   */
  getRecord(key: string | Uint8Array, options: GetOptions = {}): Promise<RecordResult> {
    return this.#read("getRecord", key, options);
  }

  async #read(
    operation: string,
    key: string | Uint8Array,
    options: GetOptions,
  ): Promise<RecordResult> {
    const target = this.#keyId(key);
    const quorum = this.#checkQuorum(options.quorum);
    const { services } = this.#requireRunning(operation);
    const read = await quorumRead(services, target, {
      name: this.#nameOf(key),
      quorum,
      correct: true,
      signal: this.#signal(options),
      emit: safeEmitter(options.onEvent),
    });
    return {
      value: read.best?.value,
      agreed: read.agreed,
      holders: read.holders,
      invalid: read.invalid,
      asked: read.asked,
      answered: read.answered,
      quorum,
      quorumMet: read.quorumMet,
      corrected: read.corrected.map((node) => Peer.fromNodeInfo(node)),
      refreshed: read.refreshed.map((node) => Peer.fromNodeInfo(node)),
    };
  }

  /**
   * Registers (or replaces) the validator of a namespace: values under keys written
   * `/namespace/rest` must pass its `validate` to be stored or returned, and its `select` picks
   * the best of several. Register the same validators on every node of a network: a node
   * without one for a namespace treats its keys as plain (last writer wins). `pk` has a default
   * validator: `/pk/<sha1 hex>` holds only the public key whose SHA-1 that is.
   *
   * @param namespace the namespace, without slashes
   * @param validator `validate(key, value)` (throw to reject) and `select(key, values)` (the
   *   index of the best; on a tie, the first, which is the value held)
   * @throws {TypeError} if the namespace or the validator is malformed
   */
  registerValidator(namespace: string, validator: Validator): void {
    this.#context.validators.register(namespace, validator);
  }

  /**
   * Announces this node as a provider of a key (BEP 5 `announce_peer`): a walk to the key
   * collects write tokens from the nodes it asks, then the k closest are told. The node
   * announces again every `reannounceIntervalMs` until `stopProviding`.
   *
   * @param key any string or bytes; providers are found under its SHA-1
   * @param options the port to announce, abort signal and per-peer events
   * @returns which peers stored the announcement, and why the others did not
   * @throws {TypeError} if the key has the wrong type
   * @throws {RangeError} if `port` is not a port number
   */
  async provide(key: string | Uint8Array, options: ProvideOptions = {}): Promise<ProvideResult> {
    const target = this.#keyId(key);
    const port = options.port;
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      throw new RangeError(`Invalid port: must be an integer from 1 to 65535, got ${port}`);
    }
    const { services, address, upkeep } = this.#requireRunning("provide");
    const outcome = await this.#provider.provide(services, address, key, target, {
      port,
      signal: this.#signal(options),
      emit: safeEmitter(options.onEvent),
    });
    upkeep.wake();
    return { key: idToHex(target), ...outcome };
  }

  /**
   * Finds nodes that provide a key: this node's own provider records, then a walk that ends
   * once `count` distinct providers are known, or among the k closest.
   *
   * @param key the key given to `provide`
   * @param options how many (default 20), abort signal and per-peer events
   * @returns up to `count` providers, distinct by address
   * @throws {RangeError} if `count` is not a positive integer
   */
  async findProviders(
    key: string | Uint8Array,
    options: FindProvidersOptions = {},
  ): Promise<ProviderInfo[]> {
    const target = this.#keyId(key);
    const count = options.count ?? this.#tunables.k;
    if (count !== Infinity && !(Number.isInteger(count) && count >= 1)) {
      throw new RangeError(`Invalid count: must be a positive integer, got ${String(count)}`);
    }
    const { services } = this.#requireRunning("findProviders");
    return await findProviders(services, target, {
      count,
      signal: this.#signal(options),
      emit: safeEmitter(options.onEvent),
    });
  }

  /** The keys this node provides, in the order they were first provided. */
  providing(): ProvidedKey[] {
    return this.#provider.list();
  }

  /**
   * Stops providing a key: no more re-announcements, and this node drops its own provider
   * record. Other nodes forget the announcement when it expires (BEP 5 has no withdrawal).
   *
   * @param key the key given to `provide`
   * @returns true if the key was provided
   */
  stopProviding(key: string | Uint8Array): Promise<boolean> {
    const target = this.#keyId(key);
    const stopped = this.#provider.stop({ context: this.#context }, this.#running?.address, target);
    this.#running?.upkeep.wake();
    return Promise.resolve(stopped);
  }

  /**
   * Switches between serving the network and only using it (BEP 43). A server that becomes a
   * client stops answering at once and marks its queries read-only, so it drops out of other
   * nodes' tables as they find it silent; a client that becomes a server answers again and
   * looks up its own id, so the nodes nearest it learn of it.
   *
   * @param mode `"server"` or `"client"`
   * @returns when the self-lookup of a new server is done (never rejects)
   * @throws {TypeError} if the mode is neither
   */
  setMode(mode: NodeMode): Promise<void> {
    const previous = this.#mode;
    this.#mode = checkMode("Cannot set mode", mode);
    const running = this.#running;
    if (mode !== "server" || previous === "server" || !running || this.#shutdown.signal.aborted) {
      return Promise.resolve();
    }
    return findNodes(running.services, this.#idBytes, {
      signal: this.#shutdown.signal,
      askAll: true,
    }).then(
      () => {},
      () => {},
    );
  }

  /**
   * Finds the k nodes closest to an id. The lookup stops once the 3 closest nodes it met, and
   * the nearest of each subtree beside the target's that the k closest span, have answered: the
   * rest of the k are the nodes those named, which this lookup did not ask (40–45 % of the
   * queries of asking all k, and the same answer when the network is sound; right after many
   * nodes died some may be gone). `{ askAll: true }` asks every one and returns only those that
   * answered.
   *
   * @param id 40 hex characters or 20 bytes
   * @param options `askAll`, abort signal
   * @returns up to k peers, nearest first; the nearest answered this lookup
   * @throws {TypeError} if the id is malformed
   */
  async findNode(id: string | Uint8Array, options?: FindNodeOptions): Promise<Peer[]> {
    const target = typeof id === "string" ? idFromHex(id) : idFromHex(idToHex(id));
    const { services } = this.#requireRunning("findNode");
    const paths = options?.disjointPaths ?? 1;
    if (!Number.isInteger(paths) || paths < 1 || paths > this.#context.k) {
      throw new RangeError(
        `Cannot findNode: 'disjointPaths' must be an integer from 1 to k (${this.#context.k}), ` +
          `got ${String(paths)}`,
      );
    }
    const result = await findNodes(services, target, {
      signal: this.#signal(options),
      askAll: options?.askAll === true,
      paths,
    });
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
    const signal = this.#signal(options);
    const name = this.#nameOf(key);
    if (name !== undefined && this.#context.validators.forKey(name)) {
      // Validated keys: invalid answers dropped, the best picked by select.
      const read = await quorumRead(services, target, {
        name,
        quorum,
        correct: false,
        local: false,
        signal,
      });
      return { value: read.best?.value, peers: read.closest.map((n) => Peer.fromNodeInfo(n)) };
    }
    const found = await findRecord(services, target, { quorum, signal });
    return {
      value: found.record?.value,
      peers: found.closest.map((node) => Peer.fromNodeInfo(node)),
    };
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
      mode: this.#mode,
      providerKeys: this.#context.providers.keyCount,
      providersHeld: this.#context.providers.size,
      itemsHeld: this.#context.items.count(),
      providing: this.#provider.providing.size,
      randomWalks: {
        started: this.#running?.randomWalk?.started ?? 0,
        skipped: this.#running?.randomWalk?.skipped ?? 0,
      },
      maintenance: { ...this.#maintenanceStats },
    };
  }

  /**
   * Stores an immutable BEP 44 item on the nodes closest to its target, mainline nodes
   * included, and keeps it here too.
   *
   * @param value text (stored as its UTF-8 bytes), bytes, an integer, or lists and
   *   dictionaries of them; at most 1000 bytes bencoded
   * @param options abort signal
   * @returns the target, 40 hex characters: the SHA-1 of the bencoded value
   * @throws {PutError} if no node, this one included, stored it; its `failed` says why
   * @throws {TypeError} if the value holds something bencode cannot carry
   * @throws {RangeError} if it is over 1000 bytes bencoded
   */
  async putImmutable(value: ItemValueInput, options?: OperationOptions): Promise<string> {
    const encoded = toItemValue(value, "Cannot put item");
    const { services } = this.#requireRunning("putImmutable");
    const report = await putImmutableItem(services, encoded, this.#signal(options));
    if (report.storedOn.length === 0 && !report.storedLocally) {
      throw new PutError(report.failed, report.localRefusal);
    }
    return idToHex(report.target);
  }

  /**
   * Gets an immutable BEP 44 item: this node's copy, else the first copy in the network whose
   * SHA-1 is the target (copies that are not are ignored).
   *
   * @param target the target `putImmutable` returned, 40 hex characters or 20 bytes
   * @param options abort signal
   * @returns the value, byte strings as Uint8Array (text comes back as its UTF-8 bytes), or
   *   `undefined` if no node holds it
   * @throws {TypeError} if the target is malformed
   */
  async getImmutable(
    target: string | Uint8Array,
    options?: OperationOptions,
  ): Promise<ItemValue | undefined> {
    const id = itemTarget(target, "Cannot get item");
    const { services } = this.#requireRunning("getImmutable");
    const found = await getImmutableItem(services, id, this.#signal(options));
    return found && copyItemValue(found.value);
  }

  /**
   * Signs and stores a mutable BEP 44 item under the key pair (and salt) on the nodes closest
   * to its target, and keeps it here too. A node holding a higher `seq` refuses it (302), one
   * whose `seq` is not `cas` too (301); the result says which nodes hold it and why others do
   * not.
   *
   * @param options key pair, value, salt, seq, cas and abort signal
   * @returns the target and seq, the peers that hold the item, and why the others do not
   * @throws {TypeError} if the key pair, value or salt is malformed
   * @throws {RangeError} if the value is over 1000 bytes bencoded, the salt over 64 bytes, or
   *   `seq`/`cas` outside 0 to 2^53 − 1
   * @throws {NodeStateError} if no ed25519 implementation is available
   */
  async putMutable(options: PutMutableOptions): Promise<PutMutableResult> {
    const what = "Cannot put item";
    const ed25519 = this.#requireEd25519("putMutable");
    const keyPair = itemKeyPair(options?.keyPair, ed25519, what);
    const value = toItemValue(options.value, what);
    const salt = itemSalt(options.salt, what);
    const seq = itemSeq(options.seq, "seq", what);
    const cas = itemSeq(options.cas, "cas", what);
    const { services } = this.#requireRunning("putMutable");
    const report = await putMutableItem(
      services,
      { keyPair, value, salt, seq, cas, ed25519 },
      this.#signal(options),
    );
    return {
      target: idToHex(report.target),
      seq: report.seq,
      storedOn: report.storedOn,
      failed: report.failed,
      storedLocally: report.storedLocally,
    };
  }

  /**
   * Gets the newest mutable BEP 44 item under a public key (and salt): the copy with the
   * highest `seq` among those whose signature verifies, this node's own included. The lookup
   * asks until it ends among the k closest nodes, so an older copy never wins.
   *
   * @param publicKey the publisher's 32-byte ed25519 public key, or its 64 hex characters
   * @param options salt and abort signal
   * @returns the value, seq and signature, or `undefined` if no node holds a valid copy
   * @throws {TypeError} if the key or salt is malformed
   * @throws {RangeError} if the salt is over 64 bytes
   * @throws {NodeStateError} if no ed25519 implementation is available
   */
  async getMutable(
    publicKey: string | Uint8Array,
    options?: GetMutableOptions,
  ): Promise<MutableItemResult | undefined> {
    const what = "Cannot get item";
    const ed25519 = this.#requireEd25519("getMutable");
    const key = itemPublicKey(publicKey, what);
    const salt = itemSalt(options?.salt, what);
    const { services } = this.#requireRunning("getMutable");
    const item = await getMutableItem(services, key, salt, ed25519, this.#signal(options));
    return item && {
      value: copyItemValue(item.value),
      seq: item.mutable.seq,
      signature: new Uint8Array(item.mutable.signature),
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
        running.upkeep.close();
        running.randomWalk?.close();
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

  #requireEd25519(operation: string): Ed25519 {
    const ed25519 = this.#context.ed25519;
    if (ed25519 === undefined) {
      throw new NodeStateError(
        `Cannot ${operation}: no ed25519 implementation; pass { ed25519 } or import KademliaNode from @kdht/core`,
      );
    }
    return ed25519;
  }

  /**
   * BEP 42: the responders agree on our external IP; take an id bound to it and rebuild the
   * routing table around it (see src/operations/secure_id.ts for why it is rebuilt, not reset).
   */
  #adoptSecureId(ip: string): void {
    const running = this.#running;
    if (!this.#tunables.secureNodeId || running === undefined || this.#shutdown.signal.aborted) {
      return;
    }
    const next = secureIdFor(this.#idBytes, ip);
    if (next === undefined) return;
    this.#idBytes = next;
    this.#context.id = next;
    // Eviction keeps what is nearest our id: the new one, from now on.
    this.#storage.open(next);
    this.#movingId = true;
    try {
      this.#context.keeper.rebuild(this.#newTable(next));
    } finally {
      this.#movingId = false;
    }
    void announceId(running.services, this.#shutdown.signal);
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

  /** The key as written when it is namespaced (`/namespace/rest`), else undefined. */
  #nameOf(key: string | Uint8Array): string | undefined {
    return namespaceOf(key) === undefined ? undefined : key as string;
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
