/**
 * One measurement of an N-node network of real UDP sockets on 127.0.0.1 in one process, the
 * same procedure for every library (bittorrent-dht-baseline.md (a), (b), (c), (e)): each node
 * joins from 3 random earlier nodes, one at a time; then the network settles; then heap per
 * node; then sequential lookups of random targets from random nodes, checked against the true
 * closest ids; then BEP 44 immutable put/get; then 20 % of the nodes vanish without notice and
 * the survivors look up again. A library plugs in through {@linkcode NetLibrary}.
 *
 * @module
 */
import { readMemory } from "./_memory.ts";
import { bounded, pick, runImmutables, runLookups } from "./_net_workload.ts";
import { numberFlag } from "./_runtime.ts";
import { type Figures, round, summarize } from "./_stats.ts";
import { idToBigInt, nearest } from "./_xor_truth.ts";

/** A node of the network under test. */
export interface NetNode {
  /** 40 hex characters. */
  readonly id: string;
  /** Datagrams its socket has sent so far. */
  sent(): number;
  /** Contacts in its routing table (cheap: polled while the network settles). */
  tableSize(): number;
  /** The ids (hex) in its routing table. */
  tableIds(): string[];
}

/** BEP 44 immutable items, where the library has them. */
export interface ImmutableApi {
  /** Stores `value`; returns its target (hex SHA-1 of its bencoding) and, if known, how many acked. */
  put(from: NetNode, value: Uint8Array): Promise<{ target: string; storedOn: number | null }>;
  /** Fetches the item from the network. */
  get(from: NetNode, target: string): Promise<Uint8Array | undefined>;
}

/** What a library must provide to be measured. */
export interface NetLibrary {
  readonly name: string;
  readonly version: string;
  readonly settings: Figures;
  /** Binds a node on 127.0.0.1 and joins through `seeds`; resolves when its join is done. */
  createNode(seeds: readonly NetNode[]): Promise<NetNode>;
  /** A lookup of `target`; the ids it found, nearest first. */
  lookup(from: NetNode, target: Uint8Array): Promise<string[]>;
  /**
   * A lookup that returns only nodes that answered it, where the default `lookup` may return
   * nodes it only heard of (ours: `findNode`'s β-style stop). Measured in the churn phase
   * beside `lookup`, as the like-for-like of a library whose answer is its responders.
   */
  lookupAnswered?(from: NetNode, target: Uint8Array): Promise<string[]>;
  /** The immutable-item API, or why it is not measured. */
  immutable(sample: NetNode): ImmutableApi | string;
  /** Stops a node without telling anyone. */
  closeNode(node: NetNode): Promise<void>;
  /** Datagrams and bytes sent by every socket of this process so far. */
  traffic(): { datagrams: number; bytes: number };
  /** Library-specific counters (warnings, loopback-guard blocks). */
  extra(): Figures;
}

/** What to measure. */
export interface NetOptions {
  n: number;
  lookups: number;
  items: number;
  itemBytes: number;
  churn: number;
  churnLookups: number;
  /** A network is settled once its routing tables held the same number of contacts this long. */
  quietMs: number;
  /** Upper bound on one join, lookup, put or get. */
  opTimeoutMs: number;
}

/** Waits until the total routing-table size stops changing; returns when it last changed. */
async function settle(nodes: readonly NetNode[], quietMs: number): Promise<number> {
  const limit = performance.now() + 120_000;
  let last = -1;
  let changedAt = performance.now();
  while (performance.now() < limit) {
    let total = 0;
    for (const node of nodes) total += node.tableSize();
    if (total !== last) {
      last = total;
      changedAt = performance.now();
    } else if (performance.now() - changedAt >= quietMs) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return changedAt;
}

/** Joins the network, settles it and measures heap and routing tables. */
async function join(lib: NetLibrary, opts: NetOptions): Promise<[NetNode[], Figures]> {
  const before = readMemory();
  const nodes: NetNode[] = [];
  const perNode: number[] = [];
  const start = performance.now();
  for (let i = 0; i < opts.n; i++) {
    const seeds = new Set<NetNode>();
    while (seeds.size < Math.min(3, nodes.length)) seeds.add(pick(nodes));
    const began = performance.now();
    nodes.push(await bounded(lib.createNode([...seeds]), opts.opTimeoutMs, "join"));
    perNode.push(performance.now() - began);
  }
  const joined = performance.now();
  const settled = await settle(nodes, opts.quietMs);
  const traffic = lib.traffic();
  const after = readMemory();
  const ids = nodes.map((node) => idToBigInt(node.id));
  const sizes: number[] = [];
  let nearestHeld = 0;
  for (let i = 0; i < nodes.length; i++) {
    const table = nodes[i]!.tableIds().map(idToBigInt);
    sizes.push(table.length);
    const have = new Set(table);
    if (nearest(ids[i]!, ids, 8, ids[i]).every((id) => have.has(id))) nearestHeld++;
  }
  const kb = (bytes: number) => round(bytes / opts.n / 1024, 2);
  return [nodes, {
    join: {
      untilSettledMs: round(settled - start, 1),
      allJoinedMs: round(joined - start, 1),
      perNodeMs: { ...summarize(perNode) },
      datagramsPerNode: round(traffic.datagrams / opts.n, 2),
      bytesPerDatagram: round(traffic.bytes / Math.max(1, traffic.datagrams), 1),
    },
    table: {
      p50: summarize(sizes).p50,
      min: Math.min(...sizes),
      nearest8Held: round(nearestHeld / nodes.length),
    },
    memory: {
      heapPerNodeKB: kb(after.heapUsed - before.heapUsed),
      externalPerNodeKB: kb(after.external - before.external),
      rssPerNodeKB: kb(after.rss - before.rss),
      rssSettledMB: round(after.rss / 2 ** 20, 1),
      gc: after.gc,
    },
  }];
}

/** Runs every phase; the returned figures are one rep of one library on one runtime. */
export async function measureNetwork(lib: NetLibrary, opts: NetOptions): Promise<Figures> {
  const began = performance.now();
  const [nodes, joined] = await join(lib, opts);
  const lookup = await runLookups(lib, nodes, opts.lookups, opts);
  const immutable = await runImmutables(lib, nodes, opts);
  const shuffled = [...nodes].sort(() => Math.random() - 0.5);
  const killed = Math.floor(nodes.length * opts.churn);
  await Promise.all(shuffled.slice(0, killed).map((node) => lib.closeNode(node)));
  const survivors = shuffled.slice(killed);
  const churning = killed > 0 && opts.churnLookups > 0;
  const churned = churning ? await runLookups(lib, survivors, opts.churnLookups, opts) : {};
  const answeredOnly = lib.lookupAnswered?.bind(lib);
  const churnedAnswered = churning && answeredOnly !== undefined
    ? await runLookups(lib, survivors, opts.churnLookups, opts, answeredOnly)
    : undefined;
  await Promise.all(survivors.map((node) => lib.closeNode(node)));
  const healthy = (lookup.latencyMs as Figures).p50 as number;
  const churnP50 = ((churned.latencyMs ?? {}) as Figures).p50;
  return {
    library: lib.name,
    version: lib.version,
    n: opts.n,
    settings: lib.settings,
    ...joined,
    lookup,
    immutable,
    churn: {
      killed,
      ...churned,
      p50VsHealthy: typeof churnP50 === "number" ? round(churnP50 / healthy, 2) : null,
      ...(churnedAnswered ? { answeredOnly: churnedAnswered } : {}),
    },
    extra: lib.extra(),
    elapsedMs: round(performance.now() - began, 0),
  };
}

/**
 * Reads the options from `--n`, `--lookups`, `--items`, `--item-bytes`, `--churn`,
 * `--churn-lookups`, `--quiet-ms` and `--op-timeout-ms`.
 * @throws {RangeError} if a flag is out of range
 */
export function netOptions(flags: Map<string, string>): NetOptions {
  return {
    n: numberFlag(flags, "n", 300, 2, 5000),
    lookups: numberFlag(flags, "lookups", 200, 0, 100_000),
    items: numberFlag(flags, "items", 100, 0, 100_000),
    itemBytes: numberFlag(flags, "item-bytes", 200, 1, 999),
    churn: numberFlag(flags, "churn", 0.2, 0, 0.9),
    churnLookups: numberFlag(flags, "churn-lookups", 20, 0, 10_000),
    quietMs: numberFlag(flags, "quiet-ms", 1000, 0, 60_000),
    opTimeoutMs: numberFlag(flags, "op-timeout-ms", 30_000, 100, 600_000),
  };
}
