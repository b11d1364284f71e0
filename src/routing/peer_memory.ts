/**
 * What the node remembers of nodes its routing table does not hold: lookups meet far more nodes
 * than a table keeps. Without this, a dead node named in every reply would cost a wait in every
 * lookup, and every query to a node met before would be timed as if it were a stranger.
 * Bounded in entries and in time.
 *
 * @module
 */
import { idKey } from "../id/node_id.ts";
import { addRttSample, hasRtt, NO_RTT, type RttState } from "./rtt.ts";

/** How long an entry is remembered: long enough to span many lookups, short enough to forgive. */
export const PEER_MEMORY_MS = 10 * 60_000;
/** How many nodes are remembered at most; the least recently updated is forgotten first. */
export const PEER_MEMORY_SIZE = 4096;

interface Entry extends RttState {
  failures: number;
  /** A query to it is long overdue: a suspect until it answers. */
  overdue: boolean;
  at: number;
}

/** Consecutive failures and an RTT estimate per node id. */
export class PeerMemory {
  // Keyed by the id's bytes as a binary string; Map order is insertion order, and entries are
  // re-inserted on update, so the first one is the stalest to forget when full.
  readonly #entries = new Map<string, Entry>();
  readonly #limit: number;
  readonly #ttlMs: number;

  /**
   * @param limit the most entries kept
   * @param ttlMs how long an entry counts
   */
  constructor(limit = PEER_MEMORY_SIZE, ttlMs = PEER_MEMORY_MS) {
    this.#limit = limit;
    this.#ttlMs = ttlMs;
  }

  /** How many nodes are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Counts one more failure of `id`.
   *
   * @param id the node's 20-byte id
   * @param now the Clock's current time
   */
  recordFailure(id: Uint8Array, now: number): void {
    const entry = this.#take(idKey(id), now);
    entry.failures++;
    entry.overdue = false;
    entry.at = now;
  }

  /**
   * Marks `id` as having a query long overdue.
   *
   * @param id the node's 20-byte id
   * @param now the Clock's current time
   */
  markOverdue(id: Uint8Array, now: number): void {
    const entry = this.#take(idKey(id), now);
    entry.overdue = true;
    entry.at = now;
  }

  /**
   * True while a query to `id` is long overdue.
   *
   * @param id the node's 20-byte id
   * @param now the Clock's current time
   */
  isOverdue(id: Uint8Array, now: number): boolean {
    return this.#live(id, now)?.overdue ?? false;
  }

  /**
   * Records an answer from `id`: its failures reset and the round trip refines its estimate.
   *
   * @param id the node's 20-byte id
   * @param now the Clock's current time
   * @param rttMs the round trip
   */
  recordReply(id: Uint8Array, now: number, rttMs: number): void {
    const entry = this.#take(idKey(id), now);
    entry.failures = 0;
    entry.overdue = false;
    entry.at = now;
    addRttSample(entry, rttMs);
  }

  /**
   * Forgets `id`'s failures: it was heard from.
   *
   * @param id the node's 20-byte id
   */
  forgetFailures(id: Uint8Array): void {
    if (this.#entries.size === 0) return;
    const entry = this.#entries.get(idKey(id));
    if (entry) {
      entry.failures = 0;
      entry.overdue = false;
    }
  }

  /**
   * Consecutive recent failures of `id`.
   *
   * @param id the node's 20-byte id
   * @param now the Clock's current time
   * @returns 0 if none is remembered
   */
  failures(id: Uint8Array, now: number): number {
    const entry = this.#live(id, now);
    return entry ? entry.failures : 0;
  }

  /**
   * The RTT estimate of `id`, if one is remembered.
   *
   * @param id the node's 20-byte id
   * @param now the Clock's current time
   */
  estimate(id: Uint8Array, now: number): RttState | undefined {
    const entry = this.#live(id, now);
    return entry && hasRtt(entry) ? entry : undefined;
  }

  #live(id: Uint8Array, now: number): Entry | undefined {
    if (this.#entries.size === 0) return undefined;
    const entry = this.#entries.get(idKey(id));
    return entry && now - entry.at < this.#ttlMs ? entry : undefined;
  }

  /** The entry for `key`, moved to the fresh end; a stale or missing one starts over. */
  #take(key: string, now: number): Entry {
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      if (now - entry.at >= this.#ttlMs) entry = undefined;
    } else if (this.#entries.size >= this.#limit) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    entry ??= { failures: 0, overdue: false, at: now, srttUs: NO_RTT, rttvarUs: 0 };
    this.#entries.set(key, entry);
    this.#forgetStale(now);
    return entry;
  }

  /**
   * Drops up to two entries past their time from the stale end, so that the memory holds about
   * the nodes of the last `ttlMs`, not every node ever met up to the limit: a node of a
   * churning network met a thousand over two days, each kept for nothing.
   */
  #forgetStale(now: number): void {
    for (let i = 0; i < 2; i++) {
      const first = this.#entries.entries().next().value;
      if (first === undefined || now - first[1].at < this.#ttlMs) return;
      this.#entries.delete(first[0]);
    }
  }
}
