/**
 * A simulated DHT of real {@linkcode KademliaNode}s: every node is the library's own node, with
 * its own routing table, RPC socket and storage, joined by the protocol (a bootstrap through
 * nodes already in), on one {@linkcode MemoryNetwork} driven by one {@linkcode VirtualClock}.
 * Nothing is modelled except the network: latency from a model, loss, duplication, partitions,
 * nodes that leave (churn) and adversaries.
 *
 * @module
 */
import { idFromHex, idsEqual, randomId } from "../../id/node_id.ts";
import { KademliaNode } from "../../node.ts";
import { SeededRandom } from "../../random.ts";
import type { Address, TransportFactory } from "../../transport/datagram_transport.ts";
import { pairwiseLatency, uniformLatency } from "../latency.ts";
import { MemoryNetwork } from "../memory_network.ts";
import { VirtualClock } from "../virtual_clock.ts";
import { Colluders } from "./colluders.ts";
import { withLinkFaults } from "./link_faults.ts";
import type { SessionModel } from "./sessions.ts";
import type {
  GrowOptions,
  GrowthReport,
  SimulatedNode,
  SimulatedNodeOptions,
  SimulationOptions,
} from "./simulation_options.ts";
import { XorIndex } from "./xor_index.ts";

interface Member extends SimulatedNode {
  /** Its place in the live list. */
  slot: number;
  /** Its churn timer, if sessions run. */
  leaveTimer: { cancel(): void } | undefined;
}

const MAX_JOIN_TRIES = 3;

function defaultHost(index: number): string {
  return `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

function checkCount(name: string, value: unknown, min: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new RangeError(
      `Cannot create simulation: '${name}' must be an integer >= ${min}, got ${String(value)}`,
    );
  }
  return value as number;
}

/**
 * A network of real nodes in one process, on virtual time.
 *
 * @example
 * ```ts
 * import { Simulation } from "@kdht/core/testing";
 *
 * const sim = new Simulation({ seed: 1, k: 8 });
 * await sim.grow(50);
 * const [asker] = sim.honest();
 * const peers = await sim.run(asker!.node.findNode("ab".repeat(20)));
 * console.log(peers.length); // 8
 * await sim.close();
 * ```
 */
export class Simulation {
  /** The virtual clock every node runs on. */
  readonly clock: VirtualClock = new VirtualClock();
  /** The network every node is bound to. */
  readonly network: MemoryNetwork;
  /** What the nodes draw from (ids, transaction ids, the network's losses and delays). */
  readonly random: SeededRandom;
  /** What the workload draws from (who joins from where, who asks what), apart from the nodes'. */
  readonly workload: SeededRandom;
  /** The nodes' k. */
  readonly k: number;
  /** The nodes' α. */
  readonly alpha: number;
  readonly #options: SimulationOptions;
  readonly #bind: TransportFactory;
  readonly #live: Member[] = [];
  readonly #truth = new XorIndex();
  readonly #background = new Set<Promise<unknown>>();
  readonly #everyone: KademliaNode[] = [];
  #colluders: Colluders | undefined;
  #hosts = 0;
  #sessions: SessionModel | undefined;
  #closed = false;

  /**
   * Creates an empty simulation: no node yet; {@linkcode Simulation.grow} adds them.
   *
   * @param options seed, Kademlia parameters, network conditions, node options
   * @throws {RangeError} if a count is out of range
   */
  constructor(options: SimulationOptions = {}) {
    this.#options = options;
    const seed = options.seed ?? 1;
    this.k = checkCount("k", options.k ?? 20, 1);
    this.alpha = checkCount("alpha", options.alpha ?? 3, 1);
    checkCount("joinConcurrency", options.joinConcurrency ?? 32, 1);
    checkCount("bootstrapFrom", options.bootstrapFrom ?? 3, 1);
    this.random = new SeededRandom(seed);
    this.workload = new SeededRandom(seed ^ 0x5eed5eed);
    this.network = new MemoryNetwork({
      clock: this.clock,
      random: this.random,
      latency: options.latency ?? pairwiseLatency(uniformLatency(5, 155), { seed }),
      loss: options.loss ?? 0,
    });
    this.#bind = options.linkFaults === undefined
      ? this.network.bind
      : withLinkFaults(this.network.bind, options.linkFaults, this.random, this.clock);
  }

  /** How many KademliaNodes are up (admitted Sybils included, colluders not). */
  get size(): number {
    return this.#live.length;
  }

  /**
   * The KademliaNodes that are up, in no particular order; colluders are not KademliaNodes and
   * are listed by {@linkcode Simulation.colluders}.
   *
   * @returns the live list itself: copy it before a step that changes it
   */
  live(): readonly SimulatedNode[] {
    return this.#live;
  }

  /**
   * The honest nodes that are up.
   *
   * @returns a new array
   */
  honest(): SimulatedNode[] {
    return this.#live.filter((member) => member.honest);
  }

  /** Every KademliaNode ever created, closed ones included (their counters stay readable). */
  get everyone(): readonly KademliaNode[] {
    return this.#everyone;
  }

  /** The adversaries, if any were added. */
  get colluders(): Colluders | undefined {
    return this.#colluders;
  }

  /**
   * A live honest node picked from the workload's random source.
   *
   * @returns the node; undefined if none is up
   */
  pickHonest(): SimulatedNode | undefined {
    const live = this.#live;
    if (live.length === 0) return undefined;
    for (let tries = 0; tries < 64; tries++) {
      const member = live[Math.floor(this.workload.float() * live.length)]!;
      if (member.honest) return member;
    }
    return live.find((member) => member.honest);
  }

  /**
   * The honest live nodes XOR-closest to `target`, the ground truth for a lookup's answer.
   *
   * @param target a 20-byte id
   * @param count how many
   * @param exclude leave this id out (the asker)
   * @returns their ids, nearest first
   */
  truth(target: Uint8Array, count: number, exclude?: Uint8Array): Uint8Array[] {
    return this.#truth.closest(target, count, exclude);
  }

  /**
   * Runs an operation to completion in virtual time.
   *
   * @param promise the operation, started just before
   * @param maxMs the most virtual time it may take
   * @returns its value
   */
  run<T>(promise: Promise<T>, maxMs = 7 * 86_400_000): Promise<T> {
    return this.clock.runUntilSettled(promise, { maxMs });
  }

  /**
   * Lets virtual time pass: background work, churn and maintenance run meanwhile.
   *
   * @param ms how long
   */
  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /**
   * Adds `count` nodes, each joining by the protocol through nodes already in, up to
   * `joinConcurrency` at once.
   *
   * @param count how many
   * @param options adversaries among them, bootstrap from the first node, progress
   * @returns how the growth went
   */
  async grow(count: number, options: GrowOptions = {}): Promise<GrowthReport> {
    checkCount("grow: count", count, 0);
    const adversaries = checkCount("grow: adversaries", options.adversaries ?? 0, 0);
    if (adversaries > count) {
      throw new RangeError(
        `Cannot grow the simulation: 'adversaries' (${adversaries}) exceeds 'count' (${count})`,
      );
    }
    const flags = new Uint8Array(count); // 1 = colluder
    flags.fill(1, 0, adversaries);
    // Fisher–Yates, so adversaries join spread through the growth.
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(this.workload.float() * (i + 1));
      [flags[i], flags[j]] = [flags[j]!, flags[i]!];
    }
    // The first node of all starts alone and must be honest: colluders join through it.
    if (this.#live.length === 0 && count > 0 && flags[0] === 1) {
      const swap = flags.indexOf(0);
      if (swap < 0) {
        throw new RangeError("Cannot grow the simulation: the first node must be honest");
      }
      [flags[0], flags[swap]] = [0, 1];
    }
    const wallStart = performance.now();
    const virtualStart = this.clock.now();
    const sentStart = this.network.stats().sent;
    let joined = 0;
    let colluders = 0;
    let failed = 0;
    let next = 0;
    const depth = Math.max(1, Math.ceil(Math.log2(Math.max(2, this.size + count) / this.k)) + 1);
    const report = (): void =>
      options.onProgress?.({
        joined: joined + colluders,
        total: count,
        wallMs: performance.now() - wallStart,
        virtualMs: this.clock.now() - virtualStart,
        datagrams: this.network.stats().sent - sentStart,
      });
    const worker = async (): Promise<void> => {
      while (next < count && !this.#closed) {
        if (flags[next++] === 1) {
          await this.#spawnColluder(depth);
          colluders++;
        } else if ((await this.#spawnHonest(options.fromFirst === true)) === undefined) failed++;
        else joined++;
        report();
      }
    };
    if (this.#live.length === 0 && count > 0) {
      next = 1;
      await this.#spawnHonest(false);
      joined++;
      report();
    }
    const concurrency = this.#options.joinConcurrency ?? 32;
    await this.run(Promise.all(Array.from({ length: concurrency }, worker)));
    return {
      joined,
      adversaries: colluders,
      failed,
      wallMs: performance.now() - wallStart,
      virtualMs: this.clock.now() - virtualStart,
      datagrams: this.network.stats().sent - sentStart,
    };
  }

  #nextHost(): string {
    return (this.#options.host ?? defaultHost)(this.#hosts++);
  }

  #pickLive(count: number): Member[] {
    const live = this.#live;
    const picked: Member[] = [];
    for (let i = 0; i < Math.min(live.length, count); i++) {
      picked.push(live[Math.floor(this.workload.float() * live.length)]!);
    }
    return picked;
  }

  #seeds(fromFirst: boolean): Address[] {
    if (fromFirst && this.#live.length > 0) return [this.#live[0]!.address];
    return this.#pickLive(this.#options.bootstrapFrom ?? 3).map((member) => member.address);
  }

  /**
   * Creates one node, listening on `host` (a fresh one by default), without joining.
   *
   * @param options node options on top of the simulation's, its host and id
   * @returns the node, listening
   */
  async createNode(
    options: { node?: SimulatedNodeOptions; host?: string; nodeId?: Uint8Array } = {},
  ): Promise<KademliaNode> {
    const host = options.host ?? this.#nextHost();
    const id = options.nodeId ?? this.#options.nodeId?.(host, this.random);
    const node = new KademliaNode({
      ...this.#options.node,
      ...options.node,
      k: this.k,
      alpha: this.alpha,
      serialization: this.#options.serialization ?? "bencode",
      transport: this.#bind,
      clock: this.clock,
      random: this.random,
      ...(id === undefined ? {} : { nodeId: id }),
    });
    this.#everyone.push(node);
    await node.listen(0, host);
    return node;
  }

  /**
   * Adds an already listening node to the live set (after it joined by whatever means), so it
   * counts in the ground truth and may be picked as an asker or a bootstrap node.
   *
   * @param node the node
   * @param honest false for an adversary
   * @returns its record
   */
  admit(node: KademliaNode, honest = true): SimulatedNode {
    const member: Member = {
      node,
      id: idFromHex(node.id),
      address: node.address!,
      honest,
      joinedAt: this.clock.now(),
      slot: this.#live.length,
      leaveTimer: undefined,
    };
    this.#live.push(member);
    if (honest) this.#truth.add(member.id);
    if (this.#sessions !== undefined && honest) this.#scheduleLeave(member);
    return member;
  }

  async #spawnHonest(fromFirst: boolean): Promise<SimulatedNode | undefined> {
    const node = await this.createNode();
    if (this.#live.length > 0) {
      let joined = false;
      for (let attempt = 0; attempt < MAX_JOIN_TRIES && !joined && !this.#closed; attempt++) {
        try {
          await node.bootstrap(this.#seeds(fromFirst));
          joined = true;
        } catch {
          // Every seed had left (churn): try others.
        }
      }
      if (!joined) {
        await node.close();
        return undefined;
      }
    }
    return this.#closed ? undefined : this.admit(node, true);
  }

  async #spawnColluder(depth: number): Promise<void> {
    this.#colluders ??= new Colluders({
      bind: this.#bind,
      clock: this.clock,
      random: this.random,
      k: this.k,
      serialization: this.#options.serialization ?? "bencode",
    });
    const colluders = this.#colluders;
    await colluders.add(this.#nextHost());
    const seeds = this.#pickLive(this.#options.bootstrapFrom ?? 3).map((member) => ({
      id: member.id,
      host: member.address.host,
      port: member.address.port,
    }));
    await colluders.join(colluders.members.length - 1, seeds, depth);
  }

  /**
   * Takes a node off the network for good, as a crash would (no goodbye: its address goes
   * silent), and leaves it out of the ground truth.
   *
   * @param member the node
   */
  leave(member: SimulatedNode): void {
    const m = member as Member;
    const live = this.#live;
    if (live[m.slot] !== m) return;
    const last = live.pop()!;
    if (last !== m) {
      live[m.slot] = last;
      last.slot = m.slot;
    }
    m.leaveTimer?.cancel();
    if (m.honest) this.#truth.remove(m.id);
    this.#track(m.node.close());
  }

  /**
   * Starts churn: every honest node up now or joining later stays for a session drawn from
   * `sessions`, then leaves, and a newcomer joins in its place (the size stays constant).
   *
   * @param sessions the session length model
   */
  startChurn(sessions: SessionModel): void {
    this.#sessions = sessions;
    for (const member of this.#live) if (member.honest) this.#scheduleLeave(member);
  }

  /** Stops churn: nodes up stay up. */
  stopChurn(): void {
    this.#sessions = undefined;
    for (const member of this.#live) {
      member.leaveTimer?.cancel();
      member.leaveTimer = undefined;
    }
  }

  #scheduleLeave(member: Member): void {
    const sessions = this.#sessions!;
    member.leaveTimer = this.clock.setTimer(() => {
      member.leaveTimer = undefined;
      if (this.#closed) return;
      this.leave(member);
      this.#track(this.#spawnHonest(false));
    }, sessions(this.workload));
  }

  /**
   * Takes a random fraction of the honest nodes down at once (they crash and do not return).
   *
   * @param fraction 0–1
   * @returns how many left
   */
  killFraction(fraction: number): number {
    const honest = this.honest();
    const count = Math.round(honest.length * fraction);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(this.workload.float() * (honest.length - i));
      [honest[i], honest[j]] = [honest[j]!, honest[i]!];
      this.leave(honest[i]!);
    }
    return count;
  }

  /** A random target id from the workload's source. */
  randomTarget(): Uint8Array {
    return randomId(this.workload);
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => {}).finally(() => this.#background.delete(tracked));
    this.#background.add(tracked);
  }

  /** Whether an id belongs to a colluder. */
  isColluder(id: Uint8Array): boolean {
    return this.#colluders?.has(id) ?? false;
  }

  /** Whether the node is still up. */
  isLive(member: SimulatedNode): boolean {
    const m = member as Member;
    return this.#live[m.slot] === m && idsEqual(m.id, member.id);
  }

  /** Closes every node and adversary, and lets their last timers run. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.stopChurn();
    this.#live.splice(0);
    const all = Promise.all([
      ...this.#everyone.map((node) => node.close()),
      this.#colluders?.close(),
      ...this.#background,
    ]);
    await this.clock.runUntilSettled(all, { maxMs: 600_000 });
  }
}
