/**
 * The iterative Kademlia lookup (paper §2.3): ask the closest known nodes for closer ones,
 * α at a time, until the k closest nodes seen have all answered.
 *
 * Termination rule (paper §2.3, "flush"): queries go out α at a time. When α replies in a
 * row bring no node closer than the closest already seen, the lookup stops narrowing and
 * queries every not-yet-asked node among the k closest at once. It ends when each of the k
 * closest candidates (failed ones excluded) has answered, or when no candidate is left to ask.
 * A query that has not answered after `slowQueryMs` frees its slot and no longer holds up the
 * end, so a dead node costs one short wait instead of a full RPC timeout; a late answer still
 * counts if it comes before the end. Value lookups end at the first value.
 *
 * @module
 */
import type { Clock, Timer } from "../clock.ts";
import { compareDistance } from "../id/node_id.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import type { TypedValue } from "../wire/krpc.ts";

/** What one contacted node answered. */
export interface LookupReply {
  /** Contacts it knows near the target. */
  readonly nodes: readonly NodeInfo[];
  /** The value, if this is a value lookup and it has one. */
  readonly value?: TypedValue | undefined;
}

/** How to run a lookup. */
export interface LookupOptions {
  /** The 20-byte id sought. */
  readonly target: Uint8Array;
  /** Our own id: never a candidate. */
  readonly localId: Uint8Array;
  /** Where to start: the closest contacts from the routing table, or bootstrap nodes. */
  readonly seeds: readonly NodeInfo[];
  /** Result size and replication parameter. */
  readonly k: number;
  /** Queries in flight while narrowing. */
  readonly alpha: number;
  /** Stop at the first value (find_value) instead of collecting the k closest (find_node). */
  readonly wantValue: boolean;
  /** Timer source for the slow-query rule. */
  readonly clock: Clock;
  /** After this long without an answer a query stops holding a slot. */
  readonly slowQueryMs: number;
  /** Sends the lookup query to one node. Rejects if it fails or times out. */
  readonly query: (node: NodeInfo) => Promise<LookupReply>;
  /** Aborts the lookup. */
  readonly signal?: AbortSignal | undefined;
}

/** What a lookup found. */
export interface LookupResult {
  /** Up to k nodes that answered, nearest to the target first. */
  readonly closest: NodeInfo[];
  /** The value, when a value lookup found one. */
  readonly value?: TypedValue;
  /** The node that returned the value. */
  readonly valueFrom?: NodeInfo;
  /** The nearest node that answered without the value: where a found value gets cached (§2.3). */
  readonly nearestWithoutValue?: NodeInfo;
  /** Queries sent. */
  readonly queries: number;
  /** Queries that failed or timed out. */
  readonly failures: number;
  /** Sequential request waves: the longest chain of replies that led to a query. */
  readonly rounds: number;
}

const enum State {
  New,
  InFlight,
  Slow,
  Answered,
  Failed,
}

interface Candidate {
  readonly node: NodeInfo;
  readonly depth: number;
  state: State;
  timer: Timer | undefined;
}

function idKey(id: Uint8Array): string {
  return String.fromCharCode.apply(null, id as unknown as number[]);
}

/**
 * Runs one iterative lookup.
 *
 * @param options target, seeds, parameters and the query function
 * @returns the nodes found and, for value lookups, the value
 */
export function lookup(options: LookupOptions): Promise<LookupResult> {
  const { target, k, alpha, clock, slowQueryMs, signal } = options;
  const candidates: Candidate[] = []; // sorted by distance to target, nearest first
  const seen = new Set<string>([idKey(options.localId)]);
  let parallelism = alpha;
  let repliesWithoutProgress = 0;
  let active = 0;
  let queries = 0;
  let failures = 0;
  let rounds = 0;
  let finished = false;

  const add = (node: NodeInfo, depth: number): boolean => {
    const key = idKey(node.id);
    if (seen.has(key)) return false;
    seen.add(key);
    let lo = 0;
    let hi = candidates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareDistance(target, candidates[mid]!.node.id, node.id) < 0) lo = mid + 1;
      else hi = mid;
    }
    candidates.splice(lo, 0, { node, depth, state: State.New, timer: undefined });
    return lo === 0;
  };
  for (const seed of options.seeds) add(seed, 1);

  return new Promise<LookupResult>((resolve, reject) => {
    const finish = (found?: { value: TypedValue; from: NodeInfo }): void => {
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      for (const candidate of candidates) candidate.timer?.cancel();
      const answered = candidates.filter((c) => c.state === State.Answered);
      const nearestWithoutValue = answered.find((c) => c.node !== found?.from)?.node;
      resolve({
        closest: answered.slice(0, k).map((c) => c.node),
        ...(found ? { value: found.value, valueFrom: found.from } : {}),
        ...(found && nearestWithoutValue ? { nearestWithoutValue } : {}),
        queries,
        failures,
        rounds,
      });
    };
    const onAbort = (): void => {
      if (finished) return;
      finished = true;
      for (const candidate of candidates) candidate.timer?.cancel();
      reject(signal!.reason);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });

    const send = (candidate: Candidate): void => {
      candidate.state = State.InFlight;
      active++;
      queries++;
      rounds = Math.max(rounds, candidate.depth);
      candidate.timer = clock.setTimer(() => {
        candidate.timer = undefined;
        if (candidate.state !== State.InFlight) return;
        candidate.state = State.Slow;
        active--;
        step();
      }, slowQueryMs);
      options.query(candidate.node).then(
        (reply) => {
          if (finished) return;
          release(candidate, State.Answered);
          if (options.wantValue && reply.value !== undefined) {
            return finish({ value: reply.value, from: candidate.node });
          }
          let progress = false;
          for (const node of reply.nodes) progress = add(node, candidate.depth + 1) || progress;
          // Paper §2.3: a round (α replies) that finds nothing closer switches to flush mode.
          repliesWithoutProgress = progress ? 0 : repliesWithoutProgress + 1;
          if (repliesWithoutProgress >= alpha) parallelism = k;
          step();
        },
        () => {
          if (finished) return;
          failures++;
          release(candidate, State.Failed);
          step();
        },
      );
    };

    const release = (candidate: Candidate, state: State): void => {
      if (candidate.state === State.InFlight) active--;
      candidate.timer?.cancel();
      candidate.timer = undefined;
      candidate.state = state;
    };

    const step = (): void => {
      if (finished) return;
      let considered = 0;
      let waiting = false;
      for (const candidate of candidates) {
        if (considered >= k) break;
        if (candidate.state === State.Failed || candidate.state === State.Slow) continue;
        considered++;
        if (candidate.state === State.Answered) continue;
        waiting = true;
        if (candidate.state === State.New && active < parallelism) send(candidate);
      }
      if (!waiting) finish();
    };

    step();
  });
}
