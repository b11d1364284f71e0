/**
 * Child process of `vs_bittorrent_dht.ts`: one network measurement of the real
 * `bittorrent-dht` npm package, on Node only (it is a Node library). The loopback guard goes in
 * before the package loads; every node gets an explicit loopback bootstrap list (or
 * `bootstrap: false` for the first) and `listen(0, "127.0.0.1")` in the same tick as its
 * constructor, so it never binds 0.0.0.0 or asks the public routers (baseline problem 5).
 *
 * A lookup is `dht.lookup(target)`, a `get_peers` walk; its answer is read from the walk's
 * result table, the private `_tables` LRU, as the baseline harness did. BEP 44 is `dht.put({ v })`
 * and `dht.get(hash, { cache: false })`, so a get always walks the network.
 *
 * Run by the orchestrator as `node --expose-gc npm/esm/bench/_net_bittorrent.js --n 300`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { runChild } from "./_child.ts";
import { installLoopbackGuard, socketSends } from "./_loopback_guard.ts";
import { type ImmutableApi, measureNetwork, type NetLibrary, netOptions } from "./_net_driver.ts";
import type { NetNode } from "./_net_driver.ts";
import type { Figures } from "./_stats.ts";

const guard = installLoopbackGuard();
const { default: DHT } = await import("bittorrent-dht");

/** A k-bucket table as bittorrent-dht uses it. */
interface Table {
  count(): number;
  toArray(): { id: Uint8Array }[];
  closest(id: Uint8Array, n?: number): { id: Uint8Array }[];
}

/** The parts of a bittorrent-dht 11 instance this benchmark uses, private ones included. */
interface Mainline {
  nodeId: Uint8Array;
  nodes: Table;
  _tables: { get(key: string): Table | undefined };
  _rpc: { socket: { socket: object } };
  listen(port: number, host: string, callback: () => void): void;
  address(): { port: number };
  on(event: "warning" | "error", listener: (error: Error) => void): void;
  once(event: "ready", listener: () => void): void;
  lookup(target: Uint8Array, callback: (error: Error | null, replies: number) => void): void;
  put(
    item: { v: Uint8Array },
    callback: (error: Error | null, hash: Uint8Array, stored: number) => void,
  ): void;
  get(
    target: string,
    options: { cache: boolean },
    callback: (error: Error | null, item: { v: Uint8Array } | null) => void,
  ): void;
  destroy(callback: () => void): void;
}

interface MainlineNode extends NetNode {
  readonly dht: Mainline;
  readonly port: number;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function packageVersion(): string {
  const url = new URL("./package.json", import.meta.resolve("bittorrent-dht"));
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

class Mainlines implements NetLibrary {
  readonly name = "bittorrent-dht";
  readonly version = packageVersion();
  readonly settings: Figures = { k: 20, concurrency: 16, walk: "get_peers", timeoutMs: 2000 };
  readonly #events = { warnings: 0, errors: 0 };

  async createNode(seeds: readonly NetNode[]): Promise<MainlineNode> {
    const bootstrap = seeds.map((seed) => `127.0.0.1:${(seed as MainlineNode).port}`);
    const dht = new DHT(
      bootstrap.length > 0 ? { bootstrap } : { bootstrap: false },
    ) as unknown as Mainline;
    // Same tick as the constructor: its bootstrap starts on nextTick (baseline problem 5).
    const listening = new Promise<void>((resolve) => dht.listen(0, "127.0.0.1", resolve));
    const ready = new Promise<void>((resolve) => dht.once("ready", resolve));
    dht.on("warning", () => this.#events.warnings++);
    dht.on("error", () => this.#events.errors++);
    await Promise.all([listening, ready]);
    const socket = dht._rpc.socket.socket;
    return {
      id: hex(dht.nodeId),
      dht,
      port: dht.address().port,
      sent: () => socketSends(socket),
      tableSize: () => dht.nodes.count(),
      tableIds: () => dht.nodes.toArray().map((contact) => hex(contact.id)),
    };
  }

  lookup(from: NetNode, target: Uint8Array): Promise<string[]> {
    const { dht } = from as MainlineNode;
    const key = Buffer.from(target);
    return new Promise((resolve, reject) =>
      dht.lookup(key, (error) => {
        if (error) return reject(error);
        const table = dht._tables.get(key.toString("hex"));
        resolve(table ? table.closest(key, 8).map((contact) => hex(contact.id)) : []);
      })
    );
  }

  immutable(): ImmutableApi {
    return {
      put: (from, value) =>
        new Promise((resolve, reject) =>
          (from as MainlineNode).dht.put({ v: Buffer.from(value) }, (error, hash, stored) => {
            if (error) reject(error);
            else resolve({ target: hex(hash), storedOn: stored });
          })
        ),
      get: (from, target) =>
        new Promise((resolve, reject) =>
          (from as MainlineNode).dht.get(target, { cache: false }, (error, item) => {
            if (error) reject(error);
            else resolve(item ? new Uint8Array(item.v) : undefined);
          })
        ),
    };
  }

  closeNode(node: NetNode): Promise<void> {
    return new Promise((resolve) => (node as MainlineNode).dht.destroy(resolve));
  }

  traffic(): { datagrams: number; bytes: number } {
    return { datagrams: guard.datagrams, bytes: guard.bytes };
  }

  extra(): Figures {
    return {
      ...this.#events,
      blockedSends: guard.blockedSends,
      rewrittenBinds: guard.rewrittenBinds,
      blockedLookups: guard.blockedLookups,
    };
  }
}

await runChild((flags) => measureNetwork(new Mainlines(), netOptions(flags)));
