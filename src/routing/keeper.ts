/**
 * The contact keeper: everything the node learns about other nodes goes through here. It feeds
 * the routing table (which does no I/O), pings a full bucket's questionable head before a
 * node that answered us takes its place (a node that only queried us waits as a spare),
 * attributes replies only to the node that was asked, remembers failures (also of
 * nodes the table does not hold), and turns RTT estimates into the timeouts of the next query.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import { RpcError, TimeoutError } from "../errors.ts";
import { isBep42Compliant } from "../id/bep42.ts";
import { idsEqual } from "../id/node_id.ts";
import type { Address } from "../transport/datagram_transport.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { PeerMemory } from "./peer_memory.ts";
import type { Contact, ObserveResult, RoutingTable } from "./routing_table.ts";
import { addRttSample, hasRtt, noRtt, type RttState, type Timeouts, timeoutsFor } from "./rtt.ts";

/**
 * What the keeper knows of a node before querying it: `fresh` (no recent failure), `suspect`
 * (its last query failed: ask it, but do not wait on it) or `bad` (failed repeatedly: skip it).
 */
export type Standing = "fresh" | "suspect" | "bad";

/**
 * Which contacts the routing table takes, by BEP 42 (ids bound to IPs; local addresses are
 * exempt, so a loopback or LAN network is unaffected):
 * - `"any"`: every node, as before BEP 42;
 * - `"prefer"`: every node while there is room, but a verified newcomer takes the place of an
 *   unverified contact in a full bucket (libtorrent's `prefer_verified_node_ids`, its default);
 * - `"require"`: only verified nodes (libtorrent's `enforce_node_id`); others are still answered,
 *   and are not asked to store items.
 */
export type SecureContacts = "any" | "prefer" | "require";

/** Sends a ping; resolves with the id that answered and the round trip. */
export type PingFunction = (
  contact: NodeInfo,
  timeoutMs: number,
) => Promise<{ readonly id: Uint8Array; readonly rttMs: number }>;

/** What the keeper needs. */
export interface ContactKeeperOptions {
  /** The routing table it keeps. */
  readonly table: RoutingTable;
  /** Time for contact ages and failure memory. */
  readonly clock: Clock;
  /** The ceiling of the "slow" threshold (the `slowQueryMs` option). */
  readonly slowQueryMs: number;
  /** The ceiling of the query timeout (the `queryTimeoutMs` option). */
  readonly queryTimeoutMs: number;
  /** BEP 42 policy for contacts. @default {"any"} */
  readonly secureContacts?: SecureContacts | undefined;
}

/** Keeps the routing table informed and healthy. */
export class ContactKeeper {
  #table: RoutingTable;
  readonly #secureContacts: SecureContacts;
  /** Contacts asked which id they have (see `#askWhoIsThere`), until they answer or fail. */
  readonly #asking = new Set<Contact>();
  readonly #clock: Clock;
  readonly #slowQueryMs: number;
  readonly #queryTimeoutMs: number;
  readonly #memory = new PeerMemory();
  // Every reply refines one node-wide estimate too: it times queries to nodes we have no
  // estimate of yet, which is most nodes a lookup meets.
  readonly #overall: RttState = noRtt();
  #ping: PingFunction | undefined;
  #evictionPings = 0;

  /** @param options the table, the clock and the timeout ceilings */
  constructor(options: ContactKeeperOptions) {
    this.#table = options.table;
    this.#secureContacts = options.secureContacts ?? "any";
    this.#clock = options.clock;
    this.#slowQueryMs = options.slowQueryMs;
    this.#queryTimeoutMs = options.queryTimeoutMs;
  }

  /** The routing table. */
  get table(): RoutingTable {
    return this.#table;
  }

  /**
   * Moves every contact into a new, empty table, for a node whose id changed (BEP 42): the
   * buckets are relative to our id, so they are rebuilt around the new one, each contact
   * keeping what is known of it (last seen and answered, failures, RTT). Contacts that no
   * longer fit wait in the replacement caches, as any newcomer to a full bucket does. This
   * keeps the node connected, unlike libtorrent, which starts its table over.
   *
   * @param table the new table, empty, built around the new id
   */
  rebuild(table: RoutingTable): void {
    const old = this.#table.contacts().sort((a, b) => a.lastSeen - b.lastSeen);
    this.#table = table;
    for (const contact of old) {
      const result = table.observe(contact.id, contact.host, contact.port, contact.lastSeen);
      if (result.kind === "inserted" || result.kind === "replaced") {
        const moved = result.contact;
        moved.lastReplied = contact.lastReplied;
        moved.failures = contact.failures;
        moved.srttUs = contact.srttUs;
        moved.rttvarUs = contact.rttvarUs;
      } else if (result.kind === "full") {
        this.#pingBeforeEvict(result.pingFirst);
      }
    }
  }

  /**
   * Whether a node may be asked to store (BEP 42 §Enforcement): under `"require"` only nodes
   * whose id is verified for their IP (or whose IP is exempt); any node otherwise.
   *
   * @param node a node a put is about to ask
   */
  storeEligible(node: NodeInfo): boolean {
    return this.#secureContacts !== "require" || isBep42Compliant(node.id, node.host);
  }

  /** Pings sent to decide an eviction, since the keeper was created. */
  get evictionPings(): number {
    return this.#evictionPings;
  }

  /**
   * Sets how the keeper pings (the node's RPC once it listens), or removes it.
   *
   * @param ping the ping function, or undefined when the node stops
   */
  setPing(ping: PingFunction | undefined): void {
    this.#ping = ping;
  }

  /**
   * A node sent us a valid query (paper §2.2: every message updates the sender's bucket).
   * Read-only senders (BEP 43) must not be passed here.
   *
   * @param id the id it claims
   * @param from where the query came from
   */
  heardFrom(id: Uint8Array, from: Address): void {
    this.#memory.forgetFailures(id);
    // A sender is not pinged for: the newcomer waits in the replacement cache, and takes a
    // contact's place once that contact fails one of our queries (BEP 5's rule for bad nodes).
    // Pinging a full bucket's head for every unknown sender costs a ping per incoming query
    // from a new node, most of the eviction pings of a churning network (93 % in the 48 h
    // churn run) for contacts that mostly still answer; libtorrent does not ping either.
    this.#observe(id, from, "query");
  }

  /**
   * A node we asked answered. The reply counts for that node only if it carries its id: a
   * different id at a known address means the node there changed, so the old contact is gone
   * and the new one is a newcomer.
   *
   * @param asked the node the query went to (for bootstrap addresses, pass the replier's id)
   * @param replyId the id in the reply
   * @param rttMs the round trip
   * @returns true if the reply came from the node asked
   */
  answered(asked: NodeInfo, replyId: Uint8Array, rttMs: number): boolean {
    addRttSample(this.#overall, rttMs);
    if (!idsEqual(asked.id, replyId)) {
      const stale = this.#table.get(asked.id);
      if (stale && stale.host === asked.host && stale.port === asked.port) {
        this.#table.remove(asked.id);
      }
      this.#memory.recordFailure(asked.id, this.#clock.now());
      this.heardFrom(replyId, asked);
      return false;
    }
    const now = this.#clock.now();
    this.#observe(replyId, asked);
    if (this.#table.recordReply(replyId, now, rttMs) === undefined) {
      this.#memory.recordReply(replyId, now, rttMs);
    } else {
      this.#memory.forgetFailures(replyId);
    }
    return true;
  }

  /**
   * A query to a node failed (timed out): it counts against the node, in the table or, for
   * nodes the table does not hold, in the failure memory.
   *
   * @param node the node asked
   */
  failed(node: NodeInfo): void {
    if (this.#table.get(node.id)) this.#table.recordFailure(node.id);
    else this.#memory.recordFailure(node.id, this.#clock.now());
  }

  /**
   * A query to a node is long overdue (a lookup gave up waiting on it): until it answers or
   * its query fails, lookups ask it without waiting on it. Not a failure: it may still answer.
   *
   * @param node the node asked
   */
  overdue(node: NodeInfo): void {
    this.#memory.markOverdue(node.id, this.#clock.now());
  }

  /**
   * What is known of a node before asking it.
   *
   * @param node a node a lookup is about to ask
   */
  standing(node: NodeInfo): Standing {
    const now = this.#clock.now();
    const contact = this.#table.get(node.id);
    const failures = contact ? contact.failures : this.#memory.failures(node.id, now);
    if (failures >= this.#table.badAfterFailures) return "bad";
    return failures > 0 || this.#memory.isOverdue(node.id, now) ? "suspect" : "fresh";
  }

  /**
   * The timeouts for a query to `node`: from its own RTT estimate when one is known (RFC 6298
   * keeps one per destination), else from the node-wide estimate, else the ceilings.
   *
   * @param node the destination
   * @param backoff how many timed-out tries of the same request came before: each doubles the
   *   timeout, up to its ceiling (RFC 6298 §5.5), so that a retry outlasts a stall that the
   *   first try did not (a busy process reads its replies late); `Infinity` gives the ceiling
   *   at once; the slow threshold stays
   */
  timeouts(node: NodeInfo, backoff = 0): Timeouts {
    const contact = this.#table.get(node.id);
    const estimate = contact && hasRtt(contact)
      ? contact
      : this.#memory.estimate(node.id, this.#clock.now()) ?? this.#overall;
    const timeouts = timeoutsFor(estimate, this.#slowQueryMs, this.#queryTimeoutMs);
    if (backoff === 0) return timeouts;
    const timeoutMs = Math.min(this.#queryTimeoutMs, timeouts.timeoutMs * 2 ** backoff);
    return { slowMs: timeouts.slowMs, timeoutMs };
  }

  /** The node-wide timeouts, for addresses whose node is not known yet (bootstrap). */
  defaultTimeouts(): Timeouts {
    return timeoutsFor(this.#overall, this.#slowQueryMs, this.#queryTimeoutMs);
  }

  /**
   * The `count` contacts nearest `target` that are not bad, nearest first: what a lookup
   * starts from and what a find_node reply carries (BEP 5 answers with good nodes).
   *
   * @param target the 20-byte id
   * @param count how many at most
   * @param requester an id to leave out (the node asking)
   */
  closest(target: Uint8Array, count: number, requester?: Uint8Array): Contact[] {
    const table = this.#table;
    const bad = this.#isBad;
    if (requester === undefined) return table.closest(target, count, bad);
    // One more than wanted, then the requester left out: cheaper than comparing its id with
    // every contact the search passes (this runs for every query answered).
    const found = table.closest(target, count + 1, bad);
    const at = found.findIndex((contact) => idsEqual(contact.id, requester));
    if (at >= 0) found.splice(at, 1);
    else if (found.length > count) found.pop();
    return found;
  }

  readonly #isBad = (contact: Contact): boolean => this.#table.isBad(contact);

  #observe(id: Uint8Array, from: Address, kind: "answer" | "query" = "answer"): void {
    const policy = this.#secureContacts;
    const verified = policy === "any" || isBep42Compliant(id, from.host);
    if (!verified && policy === "require") return;
    const table = this.#table;
    const now = this.#clock.now();
    const result: ObserveResult = table.observe(id, from.host, from.port, now, kind);
    if (policy === "prefer" && verified && (result.kind === "full" || result.kind === "cached")) {
      // The newcomer waits at the front of the replacement cache: removing an unverified
      // contact of its bucket promotes it into the freed slot.
      const unverified = table.bucketContacts(id).find((c) => !isBep42Compliant(c.id, c.host));
      if (unverified !== undefined) table.remove(unverified.id);
    }
    if (result.kind === "full") this.#pingBeforeEvict(result.pingFirst);
    else if (result.kind === "idChanged") this.#askWhoIsThere(result.holder);
  }

  /**
   * A query claimed a contact's address and port with another id: the contact is asked, at
   * that address, which id it has. An answer with the new id replaces it (`answered`), with its
   * own id keeps it, and a timeout counts against it. One question per contact at a time, so a
   * stream of forged queries costs at most one ping per contact and round trip.
   */
  #askWhoIsThere(contact: Contact): void {
    if (!this.#ping || this.#asking.has(contact)) return;
    this.#asking.add(contact);
    this.#ask(contact, () => {}).finally(() => this.#asking.delete(contact));
  }

  /** Paper §2.2: a full bucket keeps its questionable head if it still answers. */
  #pingBeforeEvict(contact: Contact): void {
    if (!this.#ping) {
      // Not running: nothing can answer. Count it as a failure so the bucket's pending ping
      // is settled (the head is evicted for the waiting newcomer).
      this.#table.recordFailure(contact.id);
      return;
    }
    this.#evictionPings++;
    // The table waits for the outcome: every path must settle it, an unsent ping as a failure.
    void this.#ask(contact, () => this.#table.recordFailure(contact.id));
  }

  /**
   * Pings a contact at its address and takes in the outcome: an answer as any answer (its id
   * decides what it refreshes or replaces), a timeout as a failure, a KRPC error as a sign of
   * life. `unsent` runs when the ping could not even be sent (closing, send failed).
   */
  #ask(contact: Contact, unsent: () => void): Promise<void> {
    const asked: NodeInfo = { id: contact.id, host: contact.host, port: contact.port };
    return this.#ping!(asked, this.timeouts(asked).timeoutMs).then(
      (reply) => void this.answered(asked, reply.id, reply.rttMs),
      (error) => {
        if (error instanceof TimeoutError) this.failed(asked);
        else if (error instanceof RpcError) this.#observe(asked.id, asked); // it answered
        else unsent();
      },
    );
  }
}
