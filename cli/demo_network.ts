/**
 * The demo network behind `kdht demo` and `npm start`: real UDP nodes on 127.0.0.1 in this
 * process join one another, store values from random nodes and read each back from another
 * node; the report says how often reads succeeded, what the lookups cost and how long
 * operations took.
 *
 * @module
 */
import { KademliaNode, type LookupFinishedEvent } from "../mod.ts";
import type { Progress } from "./progress.ts";

/** What to run. */
export interface DemoOptions {
  /** Nodes in the network, at least 1. */
  readonly nodes: number;
  /** Values stored and read back. */
  readonly values: number;
  /** The wire codec. */
  readonly serialization: "json" | "bencode";
  /** Operations in flight at once while storing and reading. */
  readonly concurrency: number;
}

/** Nearest-rank percentiles of a sample. */
export interface Spread {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
}

/** What the demo measured. */
export interface DemoReport {
  readonly nodes: number;
  readonly values: number;
  readonly serialization: string;
  /** Values some node kept (a peer, or the writer alone in a one-node network). */
  readonly stored: number;
  /** Mean count of peers each value was stored on. */
  readonly replicas: number;
  /** Reads that returned exactly the value written. */
  readonly readsOk: number;
  /** Sequential rounds of the reads' lookups. */
  readonly rounds: Spread;
  /** Queries (messages) of the reads' lookups. */
  readonly messages: Spread;
  /** `set` latency, ms. */
  readonly setMs: Spread;
  /** `get` latency, ms. */
  readonly getMs: Spread;
  /** Datagrams sent by all nodes together. */
  readonly datagramsSent: number;
  /** Datagrams received by all nodes together. */
  readonly datagramsReceived: number;
  /** Queries that timed out, over all nodes. */
  readonly timeouts: number;
  /** Mean routing-table size after the run. */
  readonly peers: number;
  /** Phase durations, ms. */
  readonly joinMs: number;
  readonly storeMs: number;
  readonly readMs: number;
}

/** Mean, p50 and p99 (nearest rank) of `values`; zeros for none. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { mean: 0, p50: 0, p99: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
  return {
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: rank(0.5),
    p99: rank(0.99),
  };
}

async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

const pick = (n: number) => Math.floor(Math.random() * n);

/**
 * Runs the demo network and closes it.
 *
 * @param options size, values, codec, concurrency
 * @param progress told of each phase and step
 * @returns what it measured
 */
export async function runDemo(options: DemoOptions, progress: Progress): Promise<DemoReport> {
  const { serialization, concurrency } = options;
  const nodes = Array.from({ length: options.nodes }, () => new KademliaNode({ serialization }));
  try {
    progress.start("start", nodes.length);
    for (const node of nodes) {
      await node.listen(0, "127.0.0.1");
      progress.tick();
    }
    progress.end();

    let started = performance.now();
    progress.start("join", nodes.length - 1);
    // Each newcomer joins through a node already in, as nodes of a real network would.
    for (let i = 1; i < nodes.length; i++) {
      await nodes[i]!.bootstrap([nodes[pick(i)]!.address!]);
      progress.tick();
    }
    progress.end();
    const joinMs = performance.now() - started;

    const written: { key: string; value: string; writer: number }[] = [];
    const setMs: number[] = [];
    let stored = 0;
    let replicas = 0;
    started = performance.now();
    progress.start("store", options.values);
    await pool(options.values, concurrency, async (i) => {
      const writer = pick(nodes.length);
      const key = `demo-key-${i}`;
      const value = `value ${i} from node ${writer}`;
      const t = performance.now();
      const result = await nodes[writer]!.set(key, value);
      setMs.push(performance.now() - t);
      if (result.storedOn.length > 0 || (nodes.length === 1 && result.storedLocally)) stored++;
      replicas += result.storedOn.length;
      written.push({ key, value, writer });
      progress.tick();
    });
    progress.end();
    const storeMs = performance.now() - started;

    const rounds: number[] = [];
    const messages: number[] = [];
    const onLookup = (event: LookupFinishedEvent) => {
      if (event.method !== "find_value") return;
      rounds.push(event.rounds);
      messages.push(event.queries);
    };
    for (const node of nodes) node.addEventListener("lookup-finished", onLookup);
    const getMs: number[] = [];
    let readsOk = 0;
    started = performance.now();
    progress.start("read", written.length);
    await pool(written.length, concurrency, async (i) => {
      const { key, value, writer } = written[i]!;
      // Read from another node than the writer, which holds its own copy.
      const reader = nodes.length === 1 ? 0 : (writer + 1 + pick(nodes.length - 1)) % nodes.length;
      const t = performance.now();
      const got = await nodes[reader]!.get(key);
      getMs.push(performance.now() - t);
      if (got === value) readsOk++;
      progress.tick();
    });
    progress.end();
    const readMs = performance.now() - started;

    const stats = nodes.map((node) => node.stats());
    const sum = (f: (s: (typeof stats)[number]) => number) => stats.reduce((n, s) => n + f(s), 0);
    return {
      nodes: nodes.length,
      values: options.values,
      serialization,
      stored,
      replicas: options.values === 0 ? 0 : replicas / options.values,
      readsOk,
      rounds: spread(rounds),
      messages: spread(messages),
      setMs: spread(setMs),
      getMs: spread(getMs),
      datagramsSent: sum((s) => s.sent),
      datagramsReceived: sum((s) => s.received),
      timeouts: sum((s) => s.timedOut),
      peers: sum((s) => s.routingTableSize) / nodes.length,
      joinMs,
      storeMs,
      readMs,
    };
  } finally {
    await Promise.all(nodes.map((node) => node.close()));
  }
}
