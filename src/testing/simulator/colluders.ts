/**
 * Adversaries for the simulator (reference/reliability.md C7): nodes that speak KRPC correctly
 * but lie. Asked for nodes near a target, a colluder names only other colluders, the ones
 * nearest the target, so a lookup that trusts it is led into the colluding group; asked to
 * store, it says yes and keeps nothing. Each one joins like an honest node (a lookup of its own
 * id and of one id per far bucket), so honest routing tables learn of it the usual way.
 *
 * @module
 */
import type { Clock } from "../../clock.ts";
import { idKey, idsEqual, randomId, randomIdWithPrefix } from "../../id/node_id.ts";
import { lookup } from "../../lookup/lookup.ts";
import type { Random } from "../../random.ts";
import { KrpcSocket, type MethodResolver } from "../../rpc/krpc_socket.ts";
import type { KrpcMethod, MethodReply } from "../../rpc/method.ts";
import { announcePeer } from "../../rpc/methods/announce_peer.ts";
import { findNode, type FindNodeArgs } from "../../rpc/methods/find_node.ts";
import { findValue } from "../../rpc/methods/find_value.ts";
import { get } from "../../rpc/methods/get.ts";
import { getPeers } from "../../rpc/methods/get_peers.ts";
import { ping } from "../../rpc/methods/ping.ts";
import { put } from "../../rpc/methods/put.ts";
import { store } from "../../rpc/methods/store.ts";
import { storeBatch } from "../../rpc/methods/store_batch.ts";
import type { Address, TransportFactory } from "../../transport/datagram_transport.ts";
import { BencodeCodec } from "../../wire/bencode.ts";
import type { Codec } from "../../wire/codec.ts";
import type { NodeInfo } from "../../wire/compact_nodes.ts";
import { JsonCodec } from "../../wire/json.ts";
import { XorIndex } from "./xor_index.ts";

/** What every colluder shares: the list of its group, and the parameters. */
interface Group {
  readonly index: XorIndex;
  readonly byKey: Map<string, NodeInfo>;
  readonly k: number;
  /** A constant write token, so announces and puts come to it (and are dropped). */
  readonly token: Uint8Array;
}

interface Own {
  readonly id: Uint8Array;
  readonly group: Group;
}

/** The colluders nearest `target`, never the asker. */
function nearestColluders(own: Own, target: Uint8Array, asker: Uint8Array): NodeInfo[] {
  const { index, byKey, k } = own.group;
  return index.closest(target, k, asker).map((id) => byKey.get(idKey(id))!);
}

// deno-lint-ignore no-explicit-any
type AnyMethod = KrpcMethod<any, any, Own>;

// The real methods' wire formats, with handlers that lie. Every reply a colluder sends is one
// an honest node could have sent.
const lying: ReadonlyMap<string, AnyMethod> = new Map<string, AnyMethod>([
  [ping.name, { ...ping, handle: (own) => ({ id: own.id }) }],
  [findNode.name, {
    ...findNode,
    handle: (own, args: FindNodeArgs) => ({
      id: own.id,
      nodes: nearestColluders(own, args.target, args.id),
    }),
  }],
  [findValue.name, {
    ...findValue,
    handle: (own, args: FindNodeArgs) => ({
      id: own.id,
      nodes: nearestColluders(own, args.target, args.id),
    }),
  }],
  [getPeers.name, {
    ...getPeers,
    handle: (own, args: FindNodeArgs) => ({
      id: own.id,
      nodes: nearestColluders(own, args.target, args.id),
      token: own.group.token,
      peers: [],
    }),
  }],
  [get.name, {
    ...get,
    handle: (own, args: FindNodeArgs) => ({
      id: own.id,
      nodes: nearestColluders(own, args.target, args.id),
      token: own.group.token,
    }),
  }],
  // Stores of every kind: acknowledged, never kept.
  ...[store, announcePeer, put].map((method): [string, AnyMethod] => [
    method.name,
    { ...method, handle: (own): MethodReply => ({ id: own.id }) },
  ]),
  [storeBatch.name, {
    ...storeBatch,
    handle: (own, args: { records: readonly unknown[] }) => ({
      id: own.id,
      outcomes: args.records.map(() => 0),
    }),
  }],
]);

const resolveLying: MethodResolver = (name) => lying.get(name) as KrpcMethod | undefined;

/** How to create a {@linkcode Colluders} group. */
export interface ColludersOptions {
  /** Binds each colluder's transport (the simulator's memory network). */
  readonly bind: TransportFactory;
  /** The simulation's clock. */
  readonly clock: Clock;
  /** Draws ids and transaction ids. */
  readonly random: Random;
  /** How many nodes a reply names. */
  readonly k: number;
  /** The network's codec. */
  readonly serialization: "json" | "bencode";
}

/** One colluder, as the simulator sees it. */
export interface Colluder {
  /** Its 20-byte id. */
  readonly id: Uint8Array;
  /** Where it listens. */
  readonly address: Address;
}

/**
 * A group of colluding adversaries on one simulated network.
 *
 * @example
 * ```ts
 * import { Colluders, MemoryNetwork, SeededRandom, VirtualClock } from "@kdht/core/testing";
 *
 * const clock = new VirtualClock();
 * const network = new MemoryNetwork({ clock });
 * const group = new Colluders({
 *   bind: network.bind, clock, random: new SeededRandom(1), k: 8, serialization: "bencode",
 * });
 * const colluder = await group.add("10.9.0.1");
 * console.log(colluder.id.length); // 20
 * await group.close();
 * ```
 */
export class Colluders {
  readonly #options: ColludersOptions;
  readonly #codec: Codec;
  readonly #group: Group;
  readonly #sockets: KrpcSocket[] = [];
  readonly #transports: { close(): Promise<void> }[] = [];
  readonly #members: Colluder[] = [];
  readonly #shutdown = new AbortController();

  /**
   * Creates an empty group; {@linkcode Colluders.add} binds its members.
   *
   * @param options the network, clock, random source, k and codec
   */
  constructor(options: ColludersOptions) {
    this.#options = options;
    this.#codec = options.serialization === "bencode" ? new BencodeCodec() : new JsonCodec();
    this.#group = {
      index: new XorIndex(),
      byKey: new Map(),
      k: options.k,
      token: new Uint8Array([0xba, 0xd0, 0xba, 0xd0]),
    };
  }

  /** The colluders, in the order they were added. */
  get members(): readonly Colluder[] {
    return this.#members;
  }

  /**
   * Whether an id is a colluder's.
   *
   * @param id a 20-byte id
   */
  has(id: Uint8Array): boolean {
    return this.#group.byKey.has(idKey(id));
  }

  /**
   * Binds one more colluder; it answers at once, and joins when {@linkcode Colluders.join} is
   * called.
   *
   * @param host its IP literal on the simulated network
   * @returns its id and address
   */
  async add(host: string): Promise<Colluder> {
    const { bind, clock, random } = this.#options;
    const transport = await bind({ hostname: host, port: 0 });
    const id = randomId(random);
    const own: Own = { id, group: this.#group };
    const socket = new KrpcSocket({
      transport,
      codec: this.#codec,
      clock,
      random,
      methods: resolveLying,
      context: own,
    });
    const member = { id, address: transport.localAddress };
    this.#group.index.add(id);
    this.#group.byKey.set(idKey(id), { id, host: member.address.host, port: member.address.port });
    this.#sockets.push(socket);
    this.#transports.push(transport);
    this.#members.push(member);
    return member;
  }

  /**
   * Makes the `index`-th colluder known the way an honest node becomes known: a lookup of its
   * own id through `seeds`, then one lookup per far bucket, `depth` of them.
   *
   * @param index which colluder
   * @param seeds honest (or other) nodes to start from
   * @param depth how many far buckets to look up (about log2(N / k))
   */
  async join(index: number, seeds: readonly NodeInfo[], depth: number): Promise<void> {
    const member = this.#members[index]!;
    const socket = this.#sockets[index]!;
    const { clock, random, k } = this.#options;
    const signal = this.#shutdown.signal;
    const targets = [member.id];
    for (let prefix = 0; prefix < depth; prefix++) {
      targets.push(randomIdWithPrefix(member.id, prefix, random));
    }
    for (const target of targets) {
      if (signal.aborted) return;
      await lookup<never>({
        target,
        localId: member.id,
        seeds: seeds.filter((seed) => !idsEqual(seed.id, member.id)),
        k,
        alpha: 3,
        clock,
        slowAfter: () => 500,
        bestEffort: true,
        signal,
        query: async (node) => {
          const reply = await socket.query(node, findNode, { id: member.id, target }, {
            signal,
            timeoutMs: 1000,
          });
          return { nodes: reply.body.nodes };
        },
      }).catch(() => {});
    }
  }

  /** Closes every colluder's socket. */
  async close(): Promise<void> {
    this.#shutdown.abort();
    for (const socket of this.#sockets) socket.close();
    await Promise.all(this.#transports.map((transport) => transport.close()));
  }
}
