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
import { ExternalIpVoter } from "./id/external_ip.ts";
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
  GetMutableOptions,
  GetOptions,
  MutableItemResult,
  NodeStats,
  OperationOptions,
  PutMutableOptions,
  PutMutableResult,
  SetOptions,
  SetResult,
} from "./node_results.ts";
import { bootstrap } from "./operations/bootstrap.ts";
import { getImmutableItem, getMutableItem } from "./operations/get_item.ts";
import {
  itemKeyPair,
  itemPublicKey,
  itemSalt,
  itemSeq,
  itemTarget,
} from "./operations/item_args.ts";
import { putImmutableItem, putMutableItem } from "./operations/put_item.ts";
import { moveToId, secureIdFor } from "./operations/secure_id.ts";
import { findNodes } from "./operations/find_nodes.ts";
import { findRecord } from "./operations/find_record.ts";
import type { LookupCounters, Services } from "./operations/services.ts";
import { storeValue } from "./operations/store_value.ts";
import { checkValueFits } from "./operations/value_fits.ts";
import { Peer } from "./peer.ts";
import { cryptoRandom, type Random } from "./random.ts";
import { MemoryStorage } from "./records/memory_storage.ts";
import { compareRecords, valueByteLength } from "./records/record.ts";
import type { Ed25519 } from "./records/ed25519.ts";
import { ItemStore } from "./records/item_store.ts";
import { type ItemValue, type ItemValueInput, toItemValue } from "./records/item_value.ts";
import { Records } from "./records/records.ts";
import type { Storage } from "./records/storage.ts";
import { WriteTokens } from "./records/write_tokens.ts";
import { ContactKeeper } from "./routing/keeper.ts";
import { RoutingTable } from "./routing/routing_table.ts";
import { emptyRpcStats, KrpcSocket } from "./rpc/krpc_socket.ts";
import { ping } from "./rpc/methods/ping.ts";
import { resolveMethod } from "./rpc/methods/registry.ts";
import { runtimeDefaults } from "./runtime_defaults.ts";
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
/** The context, writable by the node alone (its id follows BEP 42). */
type OwnContext = { -readonly [K in keyof NodeContext]: NodeContext[K] };

export class KademliaNode {
  #idBytes: Uint8Array;
  readonly #options: KademliaNodeOptions;
  readonly #tunables: ResolvedTunables;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #codec: Codec;
  readonly #storage: Storage;
  readonly #context: OwnContext;
  readonly #externalIp: ExternalIpVoter;
  readonly #counters: LookupCounters = { lookups: 0, rounds: 0, queries: 0 };
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
    const k = this.#tunables.k;
    this.#storage = options.storage ?? new MemoryStorage();
    this.#storage.open(this.#idBytes);
    this.#externalIp = new ExternalIpVoter({ minVotes: this.#tunables.externalIpVotes });
    this.#context = {
      id: this.#idBytes,
      k,
      clock: this.#clock,
      keeper: new ContactKeeper({
        table: new RoutingTable(this.#idBytes, { k }),
        clock: this.#clock,
        slowQueryMs: this.#tunables.slowQueryMs,
        queryTimeoutMs: this.#tunables.queryTimeoutMs,
        secureContacts: this.#tunables.secureContacts,
      }),
      tokens: new WriteTokens(this.#clock, this.#random),
      items: new ItemStore({
        clock: this.#clock,
        localId: () => this.#idBytes,
        maxItems: this.#tunables.maxItems,
      }),
      ed25519: options.ed25519 ?? runtimeDefaults().ed25519,
      records: new Records({
        storage: this.#storage,
        clock: this.#clock,
        maxValueSize: this.#tunables.maxValueSize,
        recordTtlMs: this.#tunables.recordTtlMs,
      }),
    };
  }

  /** This node's id, as 40 hex characters. */
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
      clientVersion: CLIENT_VERSION,
      onReplyIp: (ip, from) => {
        const changed = this.#externalIp.vote(ip.host, from.host);
        if (changed !== undefined) this.#adoptSecureId(changed);
      },
      // BEP 43: read-only nodes are served but never added to the routing table.
      onQuery: (args, info) => {
        if (!info.readOnly) keeper.heardFrom(args.id, info.from);
      },
      ...(this.#options.onWarning ? { onWarning: this.#options.onWarning } : {}),
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
    this.#running = { transport, rpc, address: transport.localAddress, services };
    return transport.localAddress;
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
    addresses: readonly AddressLike[] = [],
    options: OperationOptions = {},
  ): Promise<BootstrapResult> {
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
    options: SetOptions = {},
  ): Promise<SetResult> {
    const target = this.#keyId(key);
    this.#checkValue(value);
    const ttlMs = this.#checkTtl(options.ttlMs);
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
    options: GetOptions = {},
  ): Promise<TypedValue | undefined> {
    const target = this.#keyId(key);
    const quorum = this.#checkQuorum(options.quorum);
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
  async findNode(id: string | Uint8Array, options: OperationOptions = {}): Promise<Peer[]> {
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
  async findValue(key: string | Uint8Array, options: GetOptions = {}): Promise<FindValueResult> {
    const target = this.#keyId(key);
    const quorum = this.#checkQuorum(options.quorum);
    const { services } = this.#requireRunning("findValue");
    const found = await findRecord(services, target, { quorum, signal: this.#signal(options) });
    return {
      value: found.record?.value,
      peers: found.closest.map((node) => Peer.fromNodeInfo(node)),
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
  async putImmutable(value: ItemValueInput, options: OperationOptions = {}): Promise<string> {
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
    options: OperationOptions = {},
  ): Promise<ItemValue | undefined> {
    const id = itemTarget(target, "Cannot get item");
    const { services } = this.#requireRunning("getImmutable");
    return (await getImmutableItem(services, id, this.#signal(options)))?.value;
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
    options: GetMutableOptions = {},
  ): Promise<MutableItemResult | undefined> {
    const what = "Cannot get item";
    const ed25519 = this.#requireEd25519("getMutable");
    const key = itemPublicKey(publicKey, what);
    const salt = itemSalt(options.salt, what);
    const { services } = this.#requireRunning("getMutable");
    const item = await getMutableItem(services, key, salt, ed25519, this.#signal(options));
    return item && { value: item.value, seq: item.mutable.seq, signature: item.mutable.signature };
  }

  /** Counters: messages by kind, routing table and storage. */
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
      this.#context.keeper.setPing(undefined);
      const running = this.#running;
      if (running) {
        running.rpc.close();
        await running.transport.close();
      }
      this.#storage.close();
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

  #requireEd25519(operation: string): Ed25519 {
    const ed25519 = this.#context.ed25519;
    if (ed25519 === undefined) {
      throw new NodeStateError(
        `Cannot ${operation}: no ed25519 implementation; pass { ed25519 } or import KademliaNode from @kdht/core`,
      );
    }
    return ed25519;
  }

  /** BEP 42: the responders agree on our external IP; take an id bound to it. */
  #adoptSecureId(ip: string): void {
    const running = this.#running;
    if (!this.#tunables.secureNodeId || running === undefined || this.#shutdown.signal.aborted) {
      return;
    }
    const next = secureIdFor(this.#idBytes, ip);
    if (next === undefined) return;
    this.#idBytes = next;
    this.#context.id = next;
    const table = new RoutingTable(next, { k: this.#tunables.k });
    void moveToId(running.services, table, this.#shutdown.signal);
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
