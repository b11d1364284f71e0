/**
 * The iterative Kademlia lookup (paper §2.3): ask the closest known nodes for closer ones,
 * α at a time, until the k closest nodes seen have all answered. It knows no method names: the
 * caller's `query` asks one node and says what it answered (contacts, and optionally something
 * found, such as a value), and the caller decides whether a find ends the lookup.
 *
 * Termination rule (paper §2.3, "flush"): queries go out α at a time. When α replies in a
 * row bring no node closer than the closest already seen, the lookup stops narrowing and
 * queries every not-yet-asked node among the k closest at once. It ends when each of the k
 * closest candidates (failed ones excluded) has answered, or when no candidate is left to ask.
 *
 * With `beta` set (the β-style stop, performance.md §2), only the β closest candidates must
 * answer, and among the k closest the nearest of each subtree beside the target's (the nodes
 * sharing the same number of leading bits with it): once they have, no closer node is left to
 * ask, and the k closest are those they named. The β nearest know their own neighbourhood, but
 * of a large subtree beside it a node knows only the k its bucket holds, so β alone missed one
 * of the true 20 closest in one lookup of seventy on 1,000 nodes; the nearest node of that
 * subtree knows it. 40–45 % of the queries of asking all k: the result then holds nodes
 * this lookup never asked, and says which answered (`answered`).
 *
 * Dead nodes cost little: a query that has not answered after the node's `slowAfter` (an RTT
 * multiple) frees its slot and no longer holds up the end, as long as other nodes can fill
 * the k places (a result short of k waits a grace period for it, and one with no answer at all
 * until it answers or fails); a node whose
 * last query failed (`suspect`) is asked without being waited on at all, and one that failed
 * repeatedly (`bad`) is not asked. A late answer still counts if it comes before the end. A
 * node the end waits for whose query timed out is asked once more (lost datagrams, not a dead
 * node, are the likelier cause on a lossy path); it stands in the result only if it answers.
 *
 * @module
 */
import type { Clock, Timer } from "../clock.ts";
import { TimeoutError } from "../errors.ts";
import { IdSet } from "../id/id_set.ts";
import { commonPrefixLength, compareDistance } from "../id/node_id.ts";
import { heldToOnePerIp } from "../routing/ip_rule.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";

/** What one contacted node answered. */
export interface LookupReply<Found> {
  /** Contacts it knows near the target. */
  readonly nodes: readonly NodeInfo[];
  /** What the lookup looks for, if this node had it. */
  readonly found?: Found | undefined;
}

/** What the lookup knows of a node before asking it (see {@linkcode LookupOptions.standing}). */
export type CandidateStanding = "fresh" | "suspect" | "bad";

/** Progress of a lookup, one event per step, in order. */
export type LookupEvent<Found> =
  /** A query went out. */
  | { readonly type: "query"; readonly node: NodeInfo }
  /** A node answered; `found` is set if it had what the lookup seeks. */
  | {
    readonly type: "reply";
    readonly node: NodeInfo;
    readonly nodes: number;
    readonly found?: Found | undefined;
  }
  /** A node's query failed; `error` says why. */
  | { readonly type: "failure"; readonly node: NodeInfo; readonly error: unknown }
  /** A node did not answer within its slow threshold; the lookup goes on without it. */
  | { readonly type: "slow"; readonly node: NodeInfo }
  /** A slow node is still silent after its grace period: almost surely gone. */
  | { readonly type: "overdue"; readonly node: NodeInfo };

/** How to run a lookup. */
export interface LookupOptions<Found> {
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
  /**
   * How many of the closest candidates must answer before the lookup ends (the β-style stop):
   * omitted, all k must. Then `closest` holds the k nearest nodes met that have not failed,
   * asked or not.
   */
  readonly beta?: number | undefined;
  /** Timer source for the slow-query rule. */
  readonly clock: Clock;
  /** After how many ms without an answer a node's query stops holding a slot. */
  readonly slowAfter: (node: NodeInfo) => number;
  /** What is known of a node before asking it; every node is `fresh` if omitted. */
  readonly standing?: ((node: NodeInfo) => CandidateStanding) | undefined;
  /** Sends the lookup query to one node. Rejects if it fails or times out. */
  readonly query: (node: NodeInfo) => Promise<LookupReply<Found>>;
  /** Told of each find; returning true ends the lookup at once. */
  readonly onFound?: ((found: Found, from: NodeInfo) => boolean) | undefined;
  /**
   * Asked when the lookup would end while slow nodes among the k closest have not answered
   * yet: returning true waits for them, up to four times their slow threshold (at least 50 ms
   * in all), as a result short of k does anyway. A value lookup
   * that has found nothing says yes, so a slow holder is not mistaken for an absent value.
   */
  readonly awaitSlow?: (() => boolean) | undefined;
  /**
   * Asked before each new query: once it returns true no more queries are sent, and the lookup
   * ends when those in flight among the k closest have answered, failed or turned slow. A read
   * with a quorum uses it to keep the answers already on their way instead of dropping them.
   */
  readonly drain?: (() => boolean) | undefined;
  /** Told of each step. */
  readonly onEvent?: ((event: LookupEvent<Found>) => void) | undefined;
  /**
   * Never wait on a slow node, even for a short result: for background work (joins, bucket
   * refreshes), where a late answer still serves the caller after the lookup ended.
   */
  readonly bestEffort?: boolean | undefined;
  /** Aborts the lookup. */
  readonly signal?: AbortSignal | undefined;
  /**
   * At most one candidate per IP address, local addresses exempt (src/routing/ip_rule.ts): the
   * first node met at an address keeps its place, later ids from it are passed over
   * (libtorrent's `restrict_search_ips`), so one address cannot fill the k closest.
   */
  readonly oneNodePerIp?: boolean | undefined;
  /**
   * Asked before a node met becomes a candidate; false leaves it out. Disjoint paths
   * (src/lookup/disjoint.ts) use it so that no two paths share a node.
   */
  readonly claim?: ((node: NodeInfo) => boolean) | undefined;
}

/** What a lookup found. */
export interface LookupResult<Found> {
  /**
   * Up to k nodes, nearest to the target first: nodes that answered, or with `beta` set the
   * nearest nodes met whose query did not fail (see `answered` for which answered).
   */
  readonly closest: NodeInfo[];
  /** Every node that answered, nearest first (a superset of `closest`). */
  readonly answered: NodeInfo[];
  /** Nodes met but never asked (the lookup ended first, or drained), nearest first. */
  readonly unasked: NodeInfo[];
  /** Every find, in the order the answers came. */
  readonly found: { readonly value: Found; readonly from: NodeInfo }[];
  /** Queries sent. */
  readonly queries: number;
  /** Queries that failed or timed out. */
  readonly failures: number;
  /** Sequential request waves: the longest chain of replies that led to a query. */
  readonly rounds: number;
  /** How long the lookup took, in the clock's milliseconds. */
  readonly durationMs: number;
}

/**
 * Whether a candidate may stand in a β-style result: it answered, or it was named by a node
 * that did and nothing speaks against it: not asked and not a suspect (its last query failed),
 * or asked and not answered yet (the β closest answer in a few round trips, before a node on a
 * long link can; it is slow, not gone). A failed query, a suspect asked that did not answer,
 * or a node asked again after a timeout that has not answered, is left out.
 */
function standsUp(candidate: Candidate, isSuspect: (node: NodeInfo) => boolean): boolean {
  switch (candidate.state) {
    case State.Answered:
      return true;
    case State.InFlight:
      return !candidate.retried;
    case State.New:
      return !candidate.retried && !isSuspect(candidate.node);
    case State.Slow:
      return !candidate.suspect && !candidate.retried;
    case State.Failed:
      return false;
  }
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
  /** Leading bits its id shares with the target: which subtree beside the target's it is in. */
  readonly subtree: number;
  state: State;
  /** When its query, in flight, becomes slow (the clock's time). */
  slowAt: number;
  /** When it was asked (not for suspects). */
  sentAt: number;
  /** Its slow threshold by its stored estimate, when asked. */
  expected: number;
  /** When its grace period ends, once slow (the clock's time). */
  graceAt: number;
  /** Asked as a suspect: never waited on. */
  suspect: boolean;
  /** Silent well past its slow threshold: `awaitSlow` no longer waits on it. */
  graceOver: boolean;
  /** Asked a second time after its first query timed out (see `retryWorthy`). */
  retried: boolean;
}

/**
 * How long a lookup that cannot do without a slow node (see `step`) waits for it: four times
 * its slow threshold, and at least {@linkcode SLOW_GRACE_MIN_MS}. Past that a node that answers
 * in RTT-scaled time is almost surely dead, and waiting for its full timeout would make a read
 * of a missing key pay for it; the floor keeps a busy process's stall (a garbage collection, a
 * loaded machine) from turning an existing value into "not found".
 */
const SLOW_GRACE_FACTOR = 4;
/**
 * How a lookup times slowness by its own replies: each reply says how its round trip compared
 * with what the node's stored estimate expected (the ratio of the two), and a query is slow
 * after {@linkcode OBSERVED_SLOW_FACTOR} times the median ratio times its own expectation,
 * never later than the expectation itself and never sooner than
 * {@linkcode OBSERVED_SLOW_MIN_MS} (below it, timer granularity alone makes nodes slow).
 *
 * When the stored estimates run long (learnt while the process was busy, a join), every ratio
 * is small and silent nodes are given up on within a few round trips of the present pace. When
 * they are right, each node keeps the time its own path needs: timing every node by the
 * lookup's raw round trips instead (three times the first reply's) passed over live nodes on
 * long links, and lookups on a network with 10–310 ms links missed one of the true k closest
 * in one lookup of eight (docs/simulator.md). Deadlines follow the median as replies come.
 */
const OBSERVED_SLOW_FACTOR = 3;
const OBSERVED_SLOW_MIN_MS = 2;
/** The least a lookup waits for a slow node it cannot do without, in ms. */
export const SLOW_GRACE_MIN_MS = 50;

/**
 * Runs one iterative lookup.
 *
 * @param options target, seeds, parameters and the query function
 * @returns the nodes found and what was found
 */
export function lookup<Found>(options: LookupOptions<Found>): Promise<LookupResult<Found>> {
  const { target, k, alpha, clock, signal, onEvent, standing } = options;
  const isSuspect = (node: NodeInfo): boolean => standing?.(node) === "suspect";
  const started = clock.now();
  const candidates: Candidate[] = []; // sorted by distance to target, nearest first
  const seen = new IdSet();
  seen.add(options.localId.slice()); // a copy: BEP 42 may rewrite the node's id meanwhile
  const ips = options.oneNodePerIp === true ? new Set<string>() : undefined;
  const found: { value: Found; from: NodeInfo }[] = [];
  let parallelism = alpha;
  let repliesWithoutProgress = 0;
  let active = 0;
  let queries = 0;
  let failures = 0;
  let rounds = 0;
  let finished = false;

  const add = (node: NodeInfo, depth: number): boolean => {
    if (!seen.add(node.id)) return false;
    if (standing?.(node) === "bad") return false;
    const oneOfIp = ips !== undefined && heldToOnePerIp(node.host);
    if (oneOfIp && ips.has(node.host)) return false;
    if (options.claim !== undefined && !options.claim(node)) return false;
    if (oneOfIp) ips.add(node.host);
    let lo = 0;
    let hi = candidates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareDistance(target, candidates[mid]!.node.id, node.id) < 0) lo = mid + 1;
      else hi = mid;
    }
    candidates.splice(lo, 0, {
      node,
      depth,
      subtree: commonPrefixLength(node.id, target),
      state: State.New,
      slowAt: Infinity,
      sentAt: 0,
      expected: Infinity,
      graceAt: Infinity,
      suspect: false,
      graceOver: false,
      retried: false,
    });
    return lo === 0;
  };
  for (const seed of options.seeds) add(seed, 1);

  return new Promise<LookupResult<Found>>((resolve, reject) => {
    // One timer per lookup, not one per query (a simulation of thousands of nodes runs
    // millions of queries): it is armed for the earliest deadline among the queries in flight
    // (slow) and the slow nodes in their grace period (overdue); when it fires it applies every
    // deadline passed and re-arms for the next. An answer leaves the timer as it is; a firing
    // that finds nothing due only re-arms.
    let timer: Timer | undefined;
    let timerAt = Infinity;
    const arm = (at: number): void => {
      if (at >= timerAt) return;
      timer?.cancel();
      timerAt = at;
      timer = clock.setTimer(sweep, at - clock.now());
    };
    const sweep = (): void => {
      timer = undefined;
      timerAt = Infinity;
      if (finished) return;
      const now = clock.now();
      let next = Infinity;
      let changed = false;
      for (const candidate of candidates) {
        if (candidate.state === State.InFlight) {
          if (candidate.slowAt > now) {
            next = Math.min(next, candidate.slowAt);
            continue;
          }
          candidate.state = State.Slow;
          active--;
          changed = true;
          onEvent?.({ type: "slow", node: candidate.node });
        }
        if (candidate.state !== State.Slow || candidate.suspect || candidate.graceOver) continue;
        if (candidate.graceAt <= now) {
          candidate.graceOver = true;
          changed = true;
          onEvent?.({ type: "overdue", node: candidate.node });
        } else next = Math.min(next, candidate.graceAt);
      }
      if (next < Infinity) arm(next);
      if (changed) step();
    };
    const stopTimers = (): void => {
      timer?.cancel();
      timer = undefined;
      timerAt = Infinity;
    };
    const finish = (): void => {
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      stopTimers();
      const answered = candidates.filter((c) => c.state === State.Answered).map((c) => c.node);
      const closest = options.beta === undefined
        ? answered.slice(0, k)
        : candidates.filter((c) => standsUp(c, isSuspect)).slice(0, k).map((c) => c.node);
      resolve({
        closest,
        answered,
        unasked: candidates.filter((c) => c.state === State.New && !c.retried).map((c) => c.node),
        found,
        queries,
        failures,
        rounds,
        durationMs: clock.now() - started,
      });
    };
    const onAbort = (): void => {
      if (finished) return;
      finished = true;
      stopTimers();
      reject(signal!.reason);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });

    // Round trips of this lookup's replies over what their nodes' estimates expected, sorted.
    const ratios: number[] = [];
    const noteRatio = (ratio: number): void => {
      let i = ratios.length;
      ratios.push(ratio);
      while (i > 0 && ratios[i - 1]! > ratio) {
        ratios[i] = ratios[i - 1]!;
        i--;
      }
      ratios[i] = ratio;
    };
    const slowLimit = (expected: number): number => {
      if (ratios.length === 0) return expected;
      const limit = OBSERVED_SLOW_FACTOR * ratios[ratios.length >> 1]! * expected;
      return Math.min(expected, Math.max(OBSERVED_SLOW_MIN_MS, limit));
    };
    const time = (candidate: Candidate): void => {
      const limit = slowLimit(candidate.expected);
      candidate.slowAt = candidate.sentAt + limit;
      candidate.graceAt = candidate.sentAt + Math.max(SLOW_GRACE_FACTOR * limit, SLOW_GRACE_MIN_MS);
      arm(candidate.slowAt);
    };
    // The queries out were timed by the replies in so far: time them again by all of them.
    const retime = (): void => {
      for (const candidate of candidates) if (candidate.state === State.InFlight) time(candidate);
    };

    const send = (candidate: Candidate): void => {
      queries++;
      rounds = Math.max(rounds, candidate.depth);
      onEvent?.({ type: "query", node: candidate.node });
      if (isSuspect(candidate.node) && !candidate.retried) {
        // Its last query failed: ask, but neither hold a slot nor the end for it.
        candidate.state = State.Slow;
        candidate.suspect = true;
      } else {
        candidate.state = State.InFlight;
        active++;
        // The node's own estimate, unless this lookup's replies say the network answers faster
        // right now: estimates learnt while the process was busy (a join) run long for hours.
        candidate.expected = options.slowAfter(candidate.node);
        candidate.sentAt = clock.now();
        time(candidate);
      }
      options.query(candidate.node).then(
        (reply) => {
          if (finished) return;
          if (candidate.state === State.InFlight) {
            noteRatio((clock.now() - candidate.sentAt) / Math.max(candidate.expected, 1e-3));
            retime();
          }
          release(candidate, State.Answered);
          onEvent?.({
            type: "reply",
            node: candidate.node,
            nodes: reply.nodes.length,
            found: reply.found,
          });
          if (reply.found !== undefined) {
            found.push({ value: reply.found, from: candidate.node });
            if (options.onFound?.(reply.found, candidate.node)) return finish();
          }
          let progress = false;
          for (const node of reply.nodes) progress = add(node, candidate.depth + 1) || progress;
          // Paper §2.3: a round (α replies) that finds nothing closer switches to flush mode.
          repliesWithoutProgress = progress ? 0 : repliesWithoutProgress + 1;
          if (repliesWithoutProgress >= alpha) parallelism = k;
          step();
        },
        (error) => {
          if (finished) return;
          failures++;
          const again = retryWorthy(candidate, error);
          release(candidate, again ? State.New : State.Failed);
          onEvent?.({ type: "failure", node: candidate.node, error });
          if (again) candidate.retried = true;
          step();
        },
      );
    };

    // A query that timed out is asked once more, as a fresh query the end waits for, when its
    // node is one the end must hear from: among the β nearest (all k without β) of the
    // candidates that have not failed. Both its datagrams were lost, or it is gone. On a lossy
    // network (C1: 30 % of datagrams lost, so one query in four loses both tries) every lookup
    // that missed the true closest node had met it, asked it, and seen its query time out; a
    // second query cuts those odds fourfold. A gone node costs one more slow threshold, once.
    const retryWorthy = (candidate: Candidate, error: unknown): boolean => {
      if (candidate.retried || candidate.suspect || options.bestEffort) return false;
      if (!(error instanceof TimeoutError)) return false;
      let nearer = 0;
      for (const other of candidates) {
        if (other === candidate) return true;
        if (other.state !== State.Failed && ++nearer >= (options.beta ?? k)) return false;
      }
      return false;
    };

    // A network smaller than k, where every node is needed: the result is short and no other
    // node could take a slow one's place.
    const tooFewToSpare = (): boolean => candidates.length <= k && answeredCount() < k;

    const answeredCount = (): number => {
      let n = 0;
      for (const candidate of candidates) if (candidate.state === State.Answered && ++n >= k) break;
      return n;
    };

    const release = (candidate: Candidate, state: State): void => {
      if (candidate.state === State.InFlight) active--;
      candidate.state = state;
    };

    const step = (): void => {
      if (finished) return;
      let considered = 0;
      const mustAnswer = options.beta ?? k;
      let waiting = false;
      let slowPending = false;
      let slowInGrace = false;
      const draining = options.drain?.() ?? false;
      let subtree = -1;
      for (const candidate of candidates) {
        if (considered >= k) break;
        // Draining: a node not asked yet will not be, so it holds nothing up.
        if (candidate.state === State.New && draining) continue;
        // β-style: the β nearest must answer, and the nearest of each subtree the k closest
        // span, since a node knows only k of a large subtree beside its own.
        const counts = candidate.state !== State.Failed && candidate.state !== State.Slow;
        if (considered >= mustAnswer && candidate.subtree === subtree) {
          if (counts) considered++;
          continue;
        }
        if (counts) subtree = candidate.subtree;
        if (candidate.state === State.New && active < parallelism) send(candidate);
        if (candidate.state === State.Slow && !candidate.suspect) {
          slowPending = true;
          if (!candidate.graceOver) slowInGrace = true;
        }
        // Failed and slow nodes (a suspect is slow as soon as it is asked) hold nothing up.
        if (candidate.state === State.Failed || candidate.state === State.Slow) continue;
        considered++;
        if (candidate.state !== State.Answered) waiting = true;
      }
      if (waiting) return;
      // Slow nodes are passed over. They get a grace period only where they cannot be spared: a
      // network smaller than k, or a read that has found nothing yet; and with no answer at all
      // the lookup waits until they answer or fail, since ending would report nothing.
      // A draining lookup (its caller has what it needs) waits on no one, nor does background work.
      if (!draining && !options.bestEffort) {
        if (slowInGrace && (options.awaitSlow?.() || tooFewToSpare())) return;
        if (slowPending && answeredCount() === 0) return;
      }
      finish();
    };

    step();
  });
}
