/**
 * The Kademlia routing table: k-buckets indexed by common-prefix length with the local id,
 * splitting, a replacement cache and ping-before-evict (paper §2.2, §2.4, §4.1).
 *
 * The table does no I/O. When a bucket is full it answers "ping this contact first"; the node
 * pings and reports the outcome through {@linkcode RoutingTable.observe} (it answered) or
 * {@linkcode RoutingTable.recordFailure} (it timed out).
 *
 * @module
 */
import {
  commonPrefixLength,
  ID_LENGTH,
  isNodeId,
  randomId,
  randomIdWithPrefix,
} from "../id/node_id.ts";
import type { Random } from "../random.ts";
import { findClosest } from "./closest.ts";
import {
  type Contact,
  type ContactHealth,
  createContact,
  NEVER_REPLIED,
  wholeMs,
} from "./contact.ts";
import { addRttSample } from "./rtt.ts";
import { heldToOnePerIp } from "./ip_rule.ts";
import { KBucket } from "./k_bucket.ts";

export type { Contact, ContactHealth } from "./contact.ts";

/** Tunables of a {@linkcode RoutingTable}. */
export interface RoutingTableOptions {
  /**
   * Contacts per bucket (paper §2.2), an integer in 1–256.
   * @default {20}
   */
  k?: number;
  /**
   * Newcomers remembered per full bucket to replace contacts that fail (paper §4.1), an
   * integer in 0–1024.
   * @default {k}
   */
  replacementCacheSize?: number;
  /**
   * Consecutive failed queries after which a contact is bad (BEP 5): it is no longer handed out
   * by {@linkcode RoutingTable.closest} unless asked for, and the first replacement waiting in
   * its bucket takes its place. One failure only makes it questionable: evicting on a single
   * lost packet drops live nodes (bmuller/kademlia#23).
   * @default {2}
   */
  badAfterFailures?: number;
  /**
   * Consecutive failed queries after which a contact is removed even when no replacement is
   * waiting. Keeping a bad contact a while longer lets a table survive a short outage of its
   * own network without emptying itself.
   * @default {5}
   */
  dropAfterFailures?: number;
  /**
   * At most one contact per IP address, local addresses exempt (src/routing/ip_rule.ts): a
   * second id from an address already in the table is turned away. A new id from the same
   * port too (the node there restarted, or took a BEP 42 id) replaces the old contact when it
   * comes in an answer, or when the old contact is bad; from a query, whose source address can
   * be forged, it is reported (`idChanged`) so that the old contact is asked first.
   * @default {false} (a node turns it on: its `oneNodePerIp` option)
   */
  oneNodePerIp?: boolean;
  /** Told when a contact enters the buckets (not a replacement cache). Must not throw. */
  onAdded?: (contact: Contact) => void;
  /** Told when a contact leaves the buckets. Must not throw. */
  onRemoved?: (contact: Contact) => void;
}

function ignore(): void {}

/**
 * How long an answer keeps a contact good (BEP 5: 15 minutes). A full bucket whose least
 * recently seen contact is good takes no newcomer and sends no ping: the newcomer waits in the
 * replacement cache. Only a questionable head is pinged before it is evicted.
 */
export const GOOD_FOR_MS = 15 * 60_000;

/** What {@linkcode RoutingTable.observe} did with a node it heard from. */
export type ObserveResult =
  /** The id is the table's own: ignored. */
  | { readonly kind: "self" }
  /** The node was new and its bucket had room. */
  | { readonly kind: "inserted"; readonly contact: Contact }
  /** The node was new and took the place of a bad contact of its full bucket (BEP 5). */
  | { readonly kind: "replaced"; readonly contact: Contact; readonly evicted: Contact }
  /**
   * The node was known. If it spoke from its recorded address it moved to the
   * most-recently-seen end with its failures reset. If `addressMismatch` is true another
   * address claimed its id: the entry keeps its old address and is not refreshed, since a
   * message from elsewhere says nothing about the recorded address.
   */
  | { readonly kind: "refreshed"; readonly contact: Contact; readonly addressMismatch: boolean }
  /**
   * The bucket is full and cannot split. The newcomer went to the replacement cache; ping
   * `pingFirst` (the least recently seen contact) and report the outcome.
   */
  | { readonly kind: "full"; readonly pingFirst: Contact }
  /** Another contact holds the IP address (`oneNodePerIp`): the newcomer is turned away. */
  | { readonly kind: "ipTaken"; readonly holder: Contact }
  /**
   * A query came from a contact's address and port with another id (`oneNodePerIp`). Nothing
   * changed: a query's source can be forged, so ask `holder` (at that address) which id it
   * has; an answer with the new id replaces it, a timeout counts against it.
   */
  | { readonly kind: "idChanged"; readonly holder: Contact }
  /**
   * The bucket is full and there is nothing to ping: a ping-before-evict is already pending
   * for it, or its least recently seen contact is good. The newcomer went to the replacement
   * cache.
   */
  | { readonly kind: "cached" };

/** Ids have 160 bits, so bucket 159 is the deepest (only the local id shares 160). */
const MAX_BUCKETS = ID_LENGTH * 8;
const SELF: ObserveResult = Object.freeze({ kind: "self" });
const CACHED: ObserveResult = Object.freeze({ kind: "cached" });

function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new RangeError(
      `Cannot create routing table: '${name}' must be an integer in ${min}-${max}, got ${
        String(value)
      }`,
    );
  }
  return value as number;
}

function checkId(id: unknown, what: string): asserts id is Uint8Array {
  if (!isNodeId(id)) {
    const got = id instanceof Uint8Array ? `${id.length} bytes` : String(id);
    throw new TypeError(`Invalid ${what}: expected a ${ID_LENGTH}-byte Uint8Array, got ${got}`);
  }
}

/**
 * A Kademlia routing table. Bucket i holds contacts sharing exactly i leading bits with the
 * local id; the last bucket holds everything sharing at least its index. Only the last bucket
 * (the one covering the local id) splits, so the table has at most 160 buckets of k contacts.
 *
 * @example
 * ```ts
 * import { RoutingTable } from "./routing_table.ts";
 * const table = new RoutingTable(new Uint8Array(20), { k: 8 });
 * const id = new Uint8Array(20).fill(1);
 * table.observe(id, "127.0.0.1", 6881, Date.now());
 * console.log(table.closest(id, 8).length); // 1
 * ```
 */
export class RoutingTable {
  readonly #localId: Uint8Array;
  readonly #k: number;
  readonly #replacementCacheSize: number;
  readonly #badAfter: number;
  readonly #dropAfter: number;
  readonly #onAdded: (contact: Contact) => void;
  readonly #onRemoved: (contact: Contact) => void;
  /** The contact at each address held to one node per IP; undefined when the rule is off. */
  readonly #byIp: Map<string, Contact> | undefined;
  #buckets: KBucket[];
  #size = 0;

  /**
   * Creates an empty table: one bucket covering the whole id space. Does no I/O.
   *
   * @param localId the local node's 20-byte id (copied)
   * @param options tunables; see {@linkcode RoutingTableOptions}
   * @throws {TypeError} if `localId` is not a 20-byte Uint8Array
   * @throws {RangeError} if an option is out of range
   */
  constructor(localId: Uint8Array, options: RoutingTableOptions = {}) {
    checkId(localId, "local id");
    this.#localId = localId.slice();
    this.#k = checkInteger(options.k ?? 20, "k", 1, 256);
    this.#replacementCacheSize = checkInteger(
      options.replacementCacheSize ?? this.#k,
      "replacementCacheSize",
      0,
      1024,
    );
    this.#badAfter = checkInteger(options.badAfterFailures ?? 2, "badAfterFailures", 1, 1_000_000);
    this.#dropAfter = checkInteger(
      options.dropAfterFailures ?? Math.max(5, this.#badAfter),
      "dropAfterFailures",
      this.#badAfter,
      1_000_000,
    );
    this.#onAdded = options.onAdded ?? ignore;
    this.#onRemoved = options.onRemoved ?? ignore;
    this.#byIp = options.oneNodePerIp === true ? new Map() : undefined;
    // The first bucket has never been active: every bucket starts out due for refresh.
    this.#buckets = [new KBucket(-Infinity)];
  }

  /** A copy of the local id. */
  get localId(): Uint8Array {
    return this.#localId.slice();
  }

  /** Contacts per bucket. */
  get k(): number {
    return this.#k;
  }

  /** Whether the table holds at most one contact per IP address (the `oneNodePerIp` option). */
  get oneNodePerIp(): boolean {
    return this.#byIp !== undefined;
  }

  /** How many contacts the buckets hold (replacement caches not counted). */
  get size(): number {
    return this.#size;
  }

  /** How many buckets the table has, 1–160. */
  get bucketCount(): number {
    return this.#buckets.length;
  }

  /**
   * The index of the bucket that covers `id`.
   *
   * @param id a 20-byte id
   * @returns 0 to `bucketCount - 1`
   * @throws {TypeError} if `id` is not a 20-byte Uint8Array
   */
  bucketIndexOf(id: Uint8Array): number {
    checkId(id, "node id");
    return Math.min(commonPrefixLength(this.#localId, id), this.#buckets.length - 1);
  }

  /**
   * Records that a node was heard from. Call it for every valid query or response (paper
   * §2.2: each message updates the sender's bucket).
   *
   * @param id the node's 20-byte id (copied if stored)
   * @param host the IP literal the message came from
   * @param port the UDP port the message came from
   * @param now the Clock's current time
   * @param from what the message was: an `"answer"` to our query (a full bucket may ask for
   *   a ping of its questionable head; a new id at a contact's address and port replaces it)
   *   or a `"query"` (the newcomer only waits in the replacement cache, see the keeper; a new
   *   id at a contact's address is reported as `idChanged`, since the source may be forged)
   * @returns what happened; see {@linkcode ObserveResult}
   * @throws {TypeError} if `id` is not a 20-byte Uint8Array
   */
  observe(
    id: Uint8Array,
    host: string,
    port: number,
    now: number,
    from: "answer" | "query" = "answer",
  ): ObserveResult {
    checkId(id, "node id");
    const cpl = commonPrefixLength(this.#localId, id);
    if (cpl === MAX_BUCKETS) return SELF;
    const buckets = this.#buckets;
    for (;;) {
      const last = buckets.length - 1;
      const index = cpl < last ? cpl : last;
      const bucket = buckets[index]!;
      const at = bucket.indexOf(id);
      if (at >= 0) {
        const contact = bucket.contacts[at]!;
        if (contact.host !== host || contact.port !== port) {
          return { kind: "refreshed", contact, addressMismatch: true };
        }
        bucket.lastActivity = now;
        return { kind: "refreshed", contact: bucket.refresh(at, now), addressMismatch: false };
      }
      const holder = this.#byIp?.get(host);
      if (holder !== undefined) {
        if (holder.port !== port) return { kind: "ipTaken", holder };
        // Another id at this address and port: the node there restarted or took a BEP 42 id.
        // An answer to our transaction shows it; a query could be anybody's forgery, which
        // would otherwise evict a live contact for an id of the forger's choosing.
        if (from === "query" && holder.failures < this.#badAfter) {
          return { kind: "idChanged", holder };
        }
        this.remove(holder.id);
        continue;
      }
      if (bucket.contacts.length < this.#k) {
        if (bucket.replacements.length > 0) {
          const cached = bucket.replacementIndexOf(id);
          if (cached >= 0) bucket.removeReplacementAt(cached);
        }
        const contact = createContact(id, host, port, now);
        bucket.append(contact);
        bucket.lastActivity = now;
        this.#size++;
        this.#added(contact);
        return { kind: "inserted", contact };
      }
      if (index === last && last < MAX_BUCKETS - 1) {
        // Only the bucket covering the local id splits (paper §2.4); the newcomer may land in
        // the new last bucket, full again, so the split can cascade.
        this.#splitLast(now);
        continue;
      }
      // BEP 5: a bad contact makes room for the newcomer at once.
      const bad = this.#firstBad(bucket);
      if (bad >= 0) {
        const evicted = bucket.removeAt(bad);
        const cached = bucket.replacementIndexOf(id);
        if (cached >= 0) bucket.removeReplacementAt(cached);
        const contact = createContact(id, host, port, now);
        bucket.append(contact);
        bucket.lastActivity = now;
        this.#removed(evicted);
        this.#added(contact);
        return { kind: "replaced", contact, evicted };
      }
      const cached = bucket.replacementIndexOf(id);
      if (cached >= 0) bucket.updateReplacement(cached, host, port, now);
      else bucket.addReplacement(id, host, port, now, this.#replacementCacheSize);
      if (from === "query") {
        // A live node in the range waits as a spare: the range is not idle (no refresh).
        bucket.lastActivity = now;
        return CACHED;
      }
      if (bucket.pendingPing !== undefined) return CACHED;
      // Paper §2.2: ping the least recently seen contact; evict it only if it fails to answer.
      // BEP 5: a good one is not even pinged; the newcomer waits in the cache.
      const pingFirst = bucket.contacts[0]!;
      if (this.health(pingFirst, now) === "good") return CACHED;
      bucket.pendingPing = pingFirst;
      return { kind: "full", pingFirst };
    }
  }

  #firstBad(bucket: KBucket): number {
    const contacts = bucket.contacts;
    for (let i = 0; i < contacts.length; i++) {
      if (contacts[i]!.failures >= this.#badAfter) return i;
    }
    return -1;
  }

  /**
   * How much a contact is trusted (BEP 5): bad after `badAfterFailures` consecutive failed
   * queries; good if it answered one of our queries within {@linkcode GOOD_FOR_MS}, or ever
   * answered and was heard from within that time; questionable otherwise.
   *
   * @param contact a contact of this table
   * @param now the Clock's current time
   */
  health(contact: Contact, now: number): ContactHealth {
    if (contact.failures >= this.#badAfter) return "bad";
    if (now - contact.lastReplied < GOOD_FOR_MS) return "good";
    if (contact.lastReplied > NEVER_REPLIED && now - contact.lastSeen < GOOD_FOR_MS) return "good";
    return "questionable";
  }

  /**
   * True if the contact failed `badAfterFailures` queries in a row.
   *
   * @param contact a contact of this table
   */
  isBad(contact: Contact): boolean {
    return contact.failures >= this.#badAfter;
  }

  /** Consecutive failures that make a contact bad. */
  get badAfterFailures(): number {
    return this.#badAfter;
  }

  /**
   * Counts the contacts in each state.
   *
   * @param now the Clock's current time
   */
  healthCounts(now: number): Record<ContactHealth, number> {
    const counts = { good: 0, questionable: 0, bad: 0 };
    for (const bucket of this.#buckets) {
      for (const contact of bucket.contacts) counts[this.health(contact, now)]++;
    }
    return counts;
  }

  /**
   * Records that a contact answered one of our queries: it is good from now, its failures
   * reset, and the round trip refines its RTT estimate. Call it after
   * {@linkcode RoutingTable.observe} for the same reply. Unknown ids are ignored.
   *
   * @param id the node's 20-byte id
   * @param now the Clock's current time
   * @param rttMs how long the answer took
   * @returns the contact, if it is in the table
   */
  recordReply(id: Uint8Array, now: number, rttMs: number): Contact | undefined {
    const contact = this.get(id);
    if (contact === undefined) return undefined;
    contact.lastReplied = wholeMs(now);
    contact.failures = 0;
    addRttSample(contact, rttMs);
    return contact;
  }

  #splitLast(now: number): void {
    const buckets = this.#buckets;
    const last = buckets.length - 1;
    const shallow = buckets[last]!;
    const deep = shallow.split(last, this.#localId, now);
    buckets.push(deep);
    // Either half may now have room that its replacement entries can fill.
    for (const half of [shallow, deep]) {
      while (half.contacts.length < this.#k && this.#promote(half));
    }
  }

  #bucketFor(id: Uint8Array): KBucket {
    const cpl = commonPrefixLength(this.#localId, id);
    const last = this.#buckets.length - 1;
    return this.#buckets[cpl < last ? cpl : last]!;
  }

  /**
   * Records that a query to a node timed out. The contact is removed, and the most recently
   * seen replacement takes its place, when this was the ping-before-evict of a full bucket, when
   * it is now bad and a replacement is waiting, or after `dropAfterFailures` failures in any
   * case. A replacement-cache entry that fails is dropped from the cache.
   *
   * @param id the node's 20-byte id
   * @returns the contact removed from its bucket, if any
   * @throws {TypeError} if `id` is not a 20-byte Uint8Array
   */
  recordFailure(id: Uint8Array): Contact | undefined {
    checkId(id, "node id");
    const bucket = this.#bucketFor(id);
    const at = bucket.indexOf(id);
    if (at < 0) {
      const cached = bucket.replacementIndexOf(id);
      if (cached >= 0) bucket.removeReplacementAt(cached);
      return undefined;
    }
    const contact = bucket.contacts[at]!;
    contact.failures++;
    const replaceable = contact.failures >= this.#badAfter && bucket.replacements.length > 0;
    if (bucket.pendingPing === contact || replaceable || contact.failures >= this.#dropAfter) {
      return this.#removeAt(bucket, at);
    }
    return undefined;
  }

  #removeAt(bucket: KBucket, at: number): Contact {
    const contact = bucket.removeAt(at);
    this.#size--;
    this.#removed(contact);
    this.#promote(bucket);
    return contact;
  }

  /**
   * Moves the most recently seen replacement of `bucket` into it. A replacement whose IP
   * address another contact took since it was cached is dropped, and the next one tried.
   *
   * @returns false if no replacement was left to promote
   */
  #promote(bucket: KBucket): boolean {
    for (;;) {
      const next = bucket.replacements[0];
      if (next === undefined) return false;
      if (this.#byIp?.has(next.host) === true) {
        bucket.removeReplacementAt(0);
        continue;
      }
      this.#size++;
      this.#added(bucket.promote()!);
      return true;
    }
  }

  #added(contact: Contact): void {
    if (this.#byIp !== undefined && heldToOnePerIp(contact.host)) {
      this.#byIp.set(contact.host, contact);
    }
    this.#onAdded(contact);
  }

  #removed(contact: Contact): void {
    if (this.#byIp?.get(contact.host) === contact) this.#byIp.delete(contact.host);
    this.#onRemoved(contact);
  }

  /**
   * Removes a node from the table (or from its bucket's replacement cache); the most recently
   * seen replacement takes a freed slot.
   *
   * @param id the node's 20-byte id
   * @returns the contact removed from its bucket, if any
   * @throws {TypeError} if `id` is not a 20-byte Uint8Array
   */
  remove(id: Uint8Array): Contact | undefined {
    checkId(id, "node id");
    const bucket = this.#bucketFor(id);
    const at = bucket.indexOf(id);
    if (at >= 0) return this.#removeAt(bucket, at);
    const cached = bucket.replacementIndexOf(id);
    if (cached >= 0) bucket.removeReplacementAt(cached);
    return undefined;
  }

  /**
   * Looks a node up in the buckets (not the replacement caches).
   *
   * @param id the node's 20-byte id
   * @returns the live contact, or undefined
   * @throws {TypeError} if `id` is not a 20-byte Uint8Array
   */
  get(id: Uint8Array): Contact | undefined {
    checkId(id, "node id");
    const bucket = this.#bucketFor(id);
    const at = bucket.indexOf(id);
    return at < 0 ? undefined : bucket.contacts[at];
  }

  /**
   * Tells whether a node is in the buckets (not the replacement caches).
   *
   * @param id the node's 20-byte id
   * @returns true if the node is in the table
   * @throws {TypeError} if `id` is not a 20-byte Uint8Array
   */
  has(id: Uint8Array): boolean {
    return this.get(id) !== undefined;
  }

  /**
   * The contacts of the bucket that covers `id` (not its replacement cache), least recently
   * seen first: the ones a newcomer with that id competes with.
   *
   * @param id a 20-byte id
   * @returns the bucket's live contacts; read them, do not change them
   * @throws {TypeError} if `id` is not a 20-byte Uint8Array
   */
  bucketContacts(id: Uint8Array): readonly Contact[] {
    checkId(id, "node id");
    return this.#bucketFor(id).contacts;
  }

  /**
   * Lists every contact, bucket by bucket, for saving state.
   *
   * @returns a new array of the live contacts
   */
  contacts(): Contact[] {
    const all: Contact[] = [];
    for (const bucket of this.#buckets) all.push(...bucket.contacts);
    return all;
  }

  /**
   * The `count` contacts nearest to `target` by XOR distance, nearest first: exactly what a
   * sort of the whole table would give, but visiting only the buckets that can matter (see
   * {@linkcode findClosest} for why that is exact).
   *
   * @param target the 20-byte id to measure from
   * @param count how many contacts to return at most
   * @param exclude contacts for which it returns true are skipped
   * @returns up to `count` live contacts, nearest first
   * @throws {TypeError} if `target` is not a 20-byte Uint8Array
   * @throws {RangeError} if `count` is not a non-negative integer
   */
  closest(
    target: Uint8Array,
    count: number,
    exclude?: (contact: Contact) => boolean,
  ): Contact[] {
    checkId(target, "target");
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(
        `Cannot find closest: 'count' must be a non-negative integer, got ${count}`,
      );
    }
    const wanted = count < this.#size ? count : this.#size;
    if (wanted === 0) return [];
    return findClosest(this.#buckets, this.#localId, target, wanted, exclude);
  }

  /**
   * Marks the bucket covering `id` as active, e.g. after a lookup for `id` completed (paper
   * §2.3: a bucket needs refreshing only if no lookup touched it for an hour).
   *
   * @param id a 20-byte id in the bucket's range
   * @param now the Clock's current time
   * @throws {TypeError} if `id` is not a 20-byte Uint8Array
   */
  touchBucket(id: Uint8Array, now: number): void {
    checkId(id, "node id");
    this.#bucketFor(id).lastActivity = now;
  }

  /**
   * When the bucket covering `id` was last active (an insert, a contact heard from, a lookup).
   *
   * @param id a 20-byte id in the bucket's range
   * @returns the Clock's time of its last activity; -Infinity if it never had any
   * @throws {TypeError} if `id` is not a 20-byte Uint8Array
   */
  bucketActivity(id: Uint8Array): number {
    checkId(id, "node id");
    return this.#bucketFor(id).lastActivity;
  }

  /**
   * Lists the buckets with no insert, refresh or lookup for `maxIdleMs` (paper §2.3 refreshes
   * after an hour; BEP 5 after 15 minutes).
   *
   * @param now the Clock's current time
   * @param maxIdleMs how long a bucket may stay idle
   * @returns the indexes of the idle buckets, ascending
   */
  staleBuckets(now: number, maxIdleMs: number): number[] {
    const stale: number[] = [];
    const buckets = this.#buckets;
    for (let i = 0; i < buckets.length; i++) {
      if (now - buckets[i]!.lastActivity >= maxIdleMs) stale.push(i);
    }
    return stale;
  }

  /**
   * When the least recently active bucket was last active: it goes idle first.
   *
   * @returns the Clock's time of its last activity; -Infinity if it never had any
   */
  oldestActivity(): number {
    let oldest = Infinity;
    for (const bucket of this.#buckets) {
      if (bucket.lastActivity < oldest) oldest = bucket.lastActivity;
    }
    return oldest;
  }

  /**
   * Draws a random id in a bucket's range, the target of a lookup that refreshes it.
   *
   * @param index the bucket's index
   * @param random where the random bits come from
   * @returns an id whose {@linkcode RoutingTable.bucketIndexOf} is `index`
   * @throws {RangeError} if `index` is not a bucket index
   */
  randomIdInBucket(index: number, random: Random): Uint8Array {
    const last = this.#buckets.length - 1;
    if (!Number.isInteger(index) || index < 0 || index > last) {
      throw new RangeError(
        `Cannot draw id: 'index' must be a bucket index in 0-${last}, got ${index}`,
      );
    }
    if (index < last) return randomIdWithPrefix(this.#localId, index, random);
    // The last bucket covers every id sharing at least `last` bits: copy them, draw the rest.
    const id = randomId(random);
    const byte = last >>> 3;
    const mask = (0xff00 >>> (last & 7)) & 0xff;
    id.set(this.#localId.subarray(0, byte));
    id[byte] = (this.#localId[byte]! & mask) | (id[byte]! & ~mask & 0xff);
    return id;
  }
}
