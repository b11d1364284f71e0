/**
 * Child process of `vs_bittorrent_dht.ts`: one network measurement of @kdht/core (bencode
 * wire, default k and α) on whichever runtime runs this file. Datagrams are counted by a thin
 * wrapper around each node's transport, outside the library, as the bittorrent-dht child
 * counts them around its sockets.
 *
 * Run by the orchestrator as `deno run -A --v8-flags=--expose-gc bench/_net_ours.ts --n 300`,
 * `bun bench/_net_ours.ts --n 300` or `node --expose-gc npm/esm/bench/_net_ours.js --n 300`.
 *
 * @module
 */
import { createUdpTransport, KademliaNode } from "../mod.ts";
import type { Address, BindOptions, DatagramHandler, DatagramTransport } from "../mod.ts";
import { runChild } from "./_child.ts";
import { type ImmutableApi, measureNetwork, type NetLibrary, netOptions } from "./_net_driver.ts";
import type { NetNode } from "./_net_driver.ts";
import type { Figures } from "./_stats.ts";

/** Counts what a transport sends; everything else passes through. */
class CountingTransport implements DatagramTransport {
  readonly #inner: DatagramTransport;
  readonly #total: { datagrams: number; bytes: number };
  sent = 0;

  constructor(inner: DatagramTransport, total: { datagrams: number; bytes: number }) {
    this.#inner = inner;
    this.#total = total;
  }

  get localAddress(): Address {
    return this.#inner.localAddress;
  }

  get maxDatagramSize(): number {
    return this.#inner.maxDatagramSize;
  }

  get closed(): boolean {
    return this.#inner.closed;
  }

  onDatagram(handler: DatagramHandler): void {
    this.#inner.onDatagram(handler);
  }

  send(data: Uint8Array, to: Address): Promise<void> {
    this.sent++;
    this.#total.datagrams++;
    this.#total.bytes += data.length;
    return this.#inner.send(data, to);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** The immutable-item methods another change adds to KademliaNode; absent until then. */
interface WithImmutable {
  putImmutable(value: Uint8Array): Promise<string>;
  getImmutable(target: string): Promise<Uint8Array | string | undefined>;
}

interface OurNode extends NetNode {
  readonly node: KademliaNode;
  readonly port: number;
}

class Ours implements NetLibrary {
  readonly name = "@kdht/core";
  readonly version = "this checkout";
  readonly settings: Figures = { serialization: "bencode", k: 20, alpha: 3, walk: "find_node" };
  readonly #total = { datagrams: 0, bytes: 0 };
  readonly #nodes: KademliaNode[] = [];
  readonly #warnings = new Map<string, number>();

  /** Counts warnings by their text with numbers blanked, so alike ones group. */
  #warn(message: string): void {
    const kind = message.replace(/\d+/g, "#").slice(0, 80);
    this.#warnings.set(kind, (this.#warnings.get(kind) ?? 0) + 1);
  }

  async createNode(seeds: readonly NetNode[]): Promise<OurNode> {
    let transport: CountingTransport | undefined;
    const node = new KademliaNode({
      serialization: "bencode",
      onWarning: (message) => this.#warn(message),
      transport: async (options: BindOptions) =>
        transport = new CountingTransport(await createUdpTransport(options), this.#total),
    });
    this.#nodes.push(node);
    const { port } = await node.listen(0, "127.0.0.1");
    if (seeds.length > 0) {
      await node.bootstrap(seeds.map((seed) => ["127.0.0.1", (seed as OurNode).port]));
    }
    const counted = transport!;
    return {
      id: node.id,
      node,
      port,
      sent: () => counted.sent,
      tableSize: () => node.stats().routingTableSize,
      tableIds: () => node.peers().map((peer) => peer.id),
    };
  }

  async lookup(from: NetNode, target: Uint8Array): Promise<string[]> {
    const found = await (from as OurNode).node.findNode(target);
    return found.map((peer) => peer.id);
  }

  async lookupAnswered(from: NetNode, target: Uint8Array): Promise<string[]> {
    const found = await (from as OurNode).node.findNode(target, { askAll: true });
    return found.map((peer) => peer.id);
  }

  immutable(sample: NetNode): ImmutableApi | string {
    const probe = (sample as OurNode).node as unknown as Partial<WithImmutable>;
    if (typeof probe.putImmutable !== "function" || typeof probe.getImmutable !== "function") {
      return "not available: KademliaNode has no putImmutable/getImmutable yet";
    }
    return {
      put: async (from, value) => {
        const node = (from as OurNode).node as unknown as WithImmutable;
        return { target: await node.putImmutable(value), storedOn: null };
      },
      get: async (from, target) => {
        const value = await ((from as OurNode).node as unknown as WithImmutable).getImmutable(
          target,
        );
        return typeof value === "string" ? new TextEncoder().encode(value) : value;
      },
    };
  }

  closeNode(node: NetNode): Promise<void> {
    return (node as OurNode).node.close();
  }

  traffic(): { datagrams: number; bytes: number } {
    return { ...this.#total };
  }

  /** Summed over every node, closed ones included (their counters stay readable). */
  extra(): Figures {
    const sum = { timedOut: 0, dropped: 0, malformed: 0, errorsReceived: 0, sendFailures: 0 };
    for (const node of this.#nodes) {
      const stats = node.stats();
      for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += stats[key];
    }
    const warnings = [...this.#warnings].sort((a, b) => b[1] - a[1]).slice(0, 5);
    return { ...sum, warnings: Object.fromEntries(warnings) };
  }
}

await runChild((flags) => measureNetwork(new Ours(), netOptions(flags)));
