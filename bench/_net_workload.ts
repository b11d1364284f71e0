/**
 * The timed operations of a network measurement (`_net_driver.ts`): sequential lookups scored
 * against the true closest ids, and BEP 44 immutable put/get round trips, each bounded in time.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { NetLibrary, NetNode, NetOptions } from "./_net_driver.ts";
import { type Figures, round, summarize } from "./_stats.ts";
import { accuracy, idToBigInt, nearest } from "./_xor_truth.ts";

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A random element. */
export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** Rejects if `work` takes longer than `ms`. */
export async function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** BEP 44: an immutable item's target is the SHA-1 of its bencoded value. */
function immutableTarget(value: Uint8Array): string {
  return createHash("sha1").update(`${value.length}:`).update(value).digest("hex");
}

/**
 * `count` sequential lookups of random targets from random `nodes`, by `lookup` (the library's
 * own by default).
 */
export async function runLookups(
  lib: NetLibrary,
  nodes: readonly NetNode[],
  count: number,
  opts: NetOptions,
  lookup: NetLibrary["lookup"] = (from, target) => lib.lookup(from, target),
): Promise<Figures> {
  const ids = nodes.map((node) => idToBigInt(node.id));
  const latency: number[] = [];
  let queries = 0;
  let datagrams = 0;
  let top1 = 0;
  let overlap = 0;
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const from = pick(nodes);
    const target = randomBytes(20);
    const truth = nearest(idToBigInt(target), ids, 8, idToBigInt(from.id));
    const own = from.sent();
    const all = lib.traffic().datagrams;
    const start = performance.now();
    let answer: string[];
    try {
      answer = await bounded(lookup(from, target), opts.opTimeoutMs, "lookup");
    } catch {
      failures++;
      continue;
    }
    latency.push(performance.now() - start);
    queries += from.sent() - own;
    datagrams += lib.traffic().datagrams - all;
    const score = accuracy(answer, truth);
    if (score.top1) top1++;
    overlap += score.overlap;
  }
  const done = Math.max(1, latency.length);
  return {
    latencyMs: { ...summarize(latency) },
    queriesPerLookup: round(queries / done, 2),
    datagramsPerLookup: round(datagrams / done, 2),
    top1: round(top1 / done),
    overlap8: round(overlap / done),
    failures,
  };
}

/** `opts.items` puts of random values, each fetched back from another random node. */
export async function runImmutables(
  lib: NetLibrary,
  nodes: readonly NetNode[],
  opts: NetOptions,
): Promise<Figures> {
  const api = lib.immutable(nodes[0]!);
  if (typeof api === "string") return { available: false, note: api };
  const putMs: number[] = [];
  const getMs: number[] = [];
  const storedOn: number[] = [];
  let found = 0;
  let wrongTarget = 0;
  let failures = 0;
  for (let i = 0; i < opts.items; i++) {
    const value = randomBytes(opts.itemBytes);
    const putter = pick(nodes);
    let getter = pick(nodes);
    while (getter === putter && nodes.length > 1) getter = pick(nodes);
    try {
      let start = performance.now();
      const put = await bounded(api.put(putter, value), opts.opTimeoutMs, "put");
      putMs.push(performance.now() - start);
      if (put.storedOn !== null) storedOn.push(put.storedOn);
      if (put.target !== immutableTarget(value)) wrongTarget++;
      start = performance.now();
      const got = await bounded(api.get(getter, put.target), opts.opTimeoutMs, "get");
      getMs.push(performance.now() - start);
      if (got !== undefined && got.length === value.length && got.every((b, j) => b === value[j])) {
        found++;
      }
    } catch {
      failures++;
    }
  }
  return {
    available: true,
    putMs: { ...summarize(putMs) },
    storedOnP50: storedOn.length > 0 ? summarize(storedOn).p50 : null,
    getMs: { ...summarize(getMs) },
    getSuccess: round(found / Math.max(1, opts.items)),
    wrongTarget,
    failures,
  };
}
