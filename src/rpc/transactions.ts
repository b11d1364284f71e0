/**
 * The queries a socket has sent and waits on: 2-byte transaction ids drawn at random (BEP 5),
 * their deadlines on one {@linkcode DeadlineSweep} timer, their abort signals (one listener per
 * signal however many queries share it), and the match of a reply to its query: the same
 * transaction id, from the address the query went to.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { TimeoutError } from "../errors.ts";
import type { Random } from "../random.ts";
import type { Address } from "../transport/datagram_transport.ts";
import { bytesToIPv6, ipv6ToBytes } from "../wire/ip.ts";
import { type Deadline, DeadlineSweep } from "./deadlines.ts";
import type { KrpcMethod } from "./method.ts";

/** One query waiting for its reply. */
export interface Pending extends Deadline {
  /** The method asked, to parse the reply. */
  readonly method: KrpcMethod;
  /** When it was sent (the clock's monotonic ms), for the round trip. */
  readonly sentAt: number;
  readonly host: string;
  readonly port: number;
  readonly signal: AbortSignal | undefined;
  /** Its re-send, if one is set (`resendAt`): settled with it. */
  resend: Deadline | undefined;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** What {@linkcode Transactions.open} hands back. */
export interface Opened {
  /** The transaction id to send, 2 bytes. */
  readonly t: Uint8Array;
  /** The numeric id, to fail the query with {@linkcode Transactions.fail}. */
  readonly tid: number;
  /** Settles with the reply, or rejects on timeout, abort or failure. */
  readonly promise: Promise<unknown>;
}

/** Normalises a host so replies match however the runtime spells an IPv6 address. */
function hostKey(host: string): string {
  if (!host.includes(":")) return host;
  const bytes = ipv6ToBytes(host);
  return bytes ? bytesToIPv6(bytes) : host;
}

/** The table of pending queries. */
export class Transactions {
  readonly #random: Random;
  readonly #clock: Clock;
  // Keyed by the 2-byte transaction id alone; the reply's source address is compared on match.
  readonly #pending = new Map<number, Pending>();
  readonly #sweep: DeadlineSweep;
  // A lookup's flush sends k queries under one signal, and a listener each would pile up
  // (Node warns past 10): one listener per signal.
  readonly #watches = new Map<AbortSignal, { tids: Set<number>; onAbort: () => void }>();
  readonly #tid = new Uint8Array(2);

  /**
   * @param clock time for deadlines and round trips
   * @param random source of transaction ids
   */
  constructor(clock: Clock, random: Random) {
    this.#clock = clock;
    this.#random = random;
    this.#sweep = new DeadlineSweep(clock);
  }

  /** Queries waiting for a reply. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers a query about to be sent.
   *
   * @param to where it goes
   * @param method what it asks
   * @param timeoutMs when it times out
   * @param signal aborts it
   * @param onTimeout told when it times out (for counters)
   * @returns its transaction id and the promise of its reply, or undefined if every id is taken
   */
  open(
    to: Address,
    method: KrpcMethod,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onTimeout: () => void,
  ): Opened | undefined {
    let tid = -1;
    // Two random bytes; redraw on the rare clash with a pending query.
    for (let attempt = 0; attempt < 8 && tid < 0; attempt++) {
      this.#random.fill(this.#tid);
      const candidate = (this.#tid[0]! << 8) | this.#tid[1]!;
      if (!this.#pending.has(candidate)) tid = candidate;
    }
    if (tid < 0) return undefined;
    const t = this.#tid.slice();
    const sentAt = this.#clock.now();
    const promise = new Promise<unknown>((resolve, reject) => {
      const pending: Pending = {
        at: sentAt + timeoutMs,
        settled: false,
        expire: () => {
          if (this.take(tid) === undefined) return;
          onTimeout();
          reject(
            stackless(() =>
              new TimeoutError(
                `Query '${method.name}' to ${to.host}:${to.port} timed out after ${timeoutMs} ms`,
              )
            ),
          );
        },
        method,
        sentAt,
        host: hostKey(to.host),
        port: to.port,
        signal,
        resend: undefined,
        resolve,
        reject,
      };
      this.#pending.set(tid, pending);
      this.#sweep.add(pending);
      if (signal) this.#watch(signal, tid);
    });
    return { t, tid, promise };
  }

  /**
   * Calls `resend` at `at` if the query is still waiting then: one retransmission of a query
   * whose datagram (or its reply) may have been lost, on the same sweep as the deadlines.
   *
   * @param tid the query's numeric id
   * @param at the clock's time to resend at, before its deadline
   * @param resend sends the query's datagram again
   */
  resendAt(tid: number, at: number, resend: () => void): void {
    const pending = this.#pending.get(tid);
    if (pending === undefined || at >= pending.at) return;
    pending.resend = {
      at,
      settled: false,
      // The id may have been reused by a later query once this one settled: same object only.
      expire: () => {
        if (this.#pending.get(tid) === pending) resend();
      },
    };
    this.#sweep.add(pending.resend);
  }

  /**
   * The pending query a reply answers, removed from the table: the same transaction id, and
   * from where the query went.
   *
   * @param t the reply's transaction id
   * @param from where the reply came from
   * @returns the query, or why the reply matches none
   */
  match(t: Uint8Array, from: Address): Pending | "unknown_transaction" | "wrong_address" {
    const tid = t.length === 2 ? (t[0]! << 8) | t[1]! : -1;
    const pending = this.#pending.get(tid);
    if (!pending) return "unknown_transaction";
    if (pending.port !== from.port || pending.host !== hostKey(from.host)) return "wrong_address";
    return this.take(tid)!;
  }

  /**
   * Fails a pending query at once (its datagram could not be sent).
   *
   * @param tid the query's numeric id
   * @param error what it rejects with
   */
  fail(tid: number, error: Error): void {
    this.take(tid)?.reject(error);
  }

  /**
   * Removes a pending query and its bookkeeping.
   *
   * @param tid the query's numeric id
   * @returns the query, or undefined if it was already settled
   */
  take(tid: number): Pending | undefined {
    const pending = this.#pending.get(tid);
    if (!pending) return undefined;
    this.#pending.delete(tid);
    this.#sweep.settle(pending);
    if (pending.resend !== undefined) this.#sweep.settle(pending.resend);
    if (pending.signal) this.#unwatch(pending.signal, tid);
    return pending;
  }

  /**
   * Rejects every pending query and stops the timer.
   *
   * @param error what they reject with
   */
  rejectAll(error: Error): void {
    for (const tid of [...this.#pending.keys()]) this.take(tid)?.reject(error);
    this.#sweep.clear();
  }

  #watch(signal: AbortSignal, tid: number): void {
    let watch = this.#watches.get(signal);
    if (!watch) {
      const tids = new Set<number>();
      const onAbort = () => {
        for (const pendingTid of [...tids]) this.take(pendingTid)?.reject(signal.reason);
      };
      watch = { tids, onAbort };
      this.#watches.set(signal, watch);
      signal.addEventListener("abort", onAbort, { once: true });
    }
    watch.tids.add(tid);
  }

  #unwatch(signal: AbortSignal, tid: number): void {
    const watch = this.#watches.get(signal);
    if (!watch) return;
    watch.tids.delete(tid);
    if (watch.tids.size > 0) return;
    this.#watches.delete(signal);
    signal.removeEventListener("abort", watch.onAbort);
  }
}

const errorLimits = Error as { stackTraceLimit?: number };

/**
 * Builds an error without capturing a stack. A timeout's stack is the sweep timer's, which
 * names no caller, and timeouts come by the thousand when nodes die: capturing them was 2 % of
 * the 48 h churn run.
 */
function stackless<E extends Error>(build: () => E): E {
  const limit = errorLimits.stackTraceLimit;
  // A host without the V8 extension (a browser) just builds the error.
  if (typeof limit !== "number") return build();
  errorLimits.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    errorLimits.stackTraceLimit = limit;
  }
}
