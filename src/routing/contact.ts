/**
 * A contact: what the routing table knows about one remote node.
 *
 * @module
 */
import { keepId } from "../id/id_slab.ts";
import { NO_RTT, type RttState } from "./rtt.ts";

/**
 * One remote node in the routing table or a replacement cache. Every contact is built by
 * {@linkcode createContact} so they all share one object shape.
 *
 * Contacts handed out by the table are its live entries: read them, do not change them.
 */
export interface Contact extends RttState {
  /** The node's 20-byte id: a copy (see `keepId`), never the caller's buffer; never written. */
  readonly id: Uint8Array;
  /** The IP literal the node was first seen at. */
  host: string;
  /** The UDP port the node was first seen at. */
  port: number;
  /** When the node was last heard from, by query or reply (the Clock's milliseconds). */
  lastSeen: number;
  /** When the node last answered one of our queries; {@linkcode NEVER_REPLIED} if it never did. */
  lastReplied: number;
  /** Consecutive queries to the node that timed out since it last answered. */
  failures: number;
}

/**
 * How much the table trusts a contact (BEP 5's node states).
 *
 * @example
 * ```ts
 * import { KademliaNode, type ContactHealth } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const health: Record<ContactHealth, number> = node.stats().contacts;
 * console.log(health.good); // 1: the seed answered
 * ```
 */
export type ContactHealth = "good" | "questionable" | "bad";

/**
 * `lastReplied` of a contact that never answered: earlier than any clock reading by more than
 * any interval the table checks, and, unlike -Infinity, a small integer (see {@linkcode wholeMs}).
 */
export const NEVER_REPLIED = -(2 ** 30);

/**
 * A clock reading as a contact keeps it: whole milliseconds. V8 stores a field that only ever
 * holds small integers in the object itself, but a fractional one as a separate heap number
 * (12–16 bytes each, two per contact: a heap snapshot of 1,000 simulated nodes counted 319 per
 * node); nothing the table decides needs sub-millisecond times.
 *
 * @param now the clock's milliseconds
 * @returns `now` rounded down
 */
export function wholeMs(now: number): number {
  return Math.floor(now);
}

/**
 * Builds a contact with a copy of `id` (stored once per process, see `keepId`), so a caller
 * reusing its receive buffer cannot change the table's keys.
 *
 * @param id the node's 20-byte id (copied)
 * @param host the IP literal it was seen at
 * @param port the UDP port it was seen at
 * @param now when it was seen
 * @returns a new contact with no failures, no answers and no RTT estimate yet
 */
export function createContact(id: Uint8Array, host: string, port: number, now: number): Contact {
  return {
    id: keepId(id),
    host,
    port,
    lastSeen: wholeMs(now),
    lastReplied: NEVER_REPLIED,
    failures: 0,
    srttUs: NO_RTT,
    rttvarUs: 0,
  };
}
