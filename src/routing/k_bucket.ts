/**
 * One k-bucket: up to k contacts ordered by last contact, plus a replacement cache.
 *
 * @module
 */
import { commonPrefixLength, idsEqual, idTail } from "../id/node_id.ts";
import { keepId } from "../id/id_slab.ts";
import { type Contact, createContact, NEVER_REPLIED, wholeMs } from "./contact.ts";
import { NO_RTT } from "./rtt.ts";

/**
 * The replacement cache of a bucket that has none, shared: most buckets never fill, and two
 * empty arrays per bucket were 0.4 KB per node. Frozen, so a push that forgot to give the
 * bucket arrays of its own throws instead of filling every bucket's cache.
 */
const NO_REPLACEMENTS: Contact[] = Object.freeze([]) as unknown as Contact[];
const NO_TAILS: number[] = Object.freeze([]) as unknown as number[];

/**
 * A k-bucket (Kademlia paper §2.2, §4.1). Contacts run from least recently seen (head) to most
 * recently seen (tail), so the head is the one to ping before evicting: the paper's observation
 * that long-lived nodes are the likeliest to stay up. The replacement cache (§4.1) holds
 * newcomers that found the bucket full, most recently seen first, so that a failed contact is
 * replaced by the freshest candidate.
 *
 * The bucket enforces no size limits itself; {@linkcode RoutingTable} does, and decides when
 * to split. It is exported for the table and for tests.
 */
export class KBucket {
  #contacts: Contact[] = [];
  #replacements: Contact[] = NO_REPLACEMENTS;
  // The `idTail` of each entry's id, in the same order as the entries: a search
  // by id compares these, packed in one array, and reads a contact only on a match. Scanning the
  // contacts themselves touched an object, a typed array and a slab per entry, scattered over
  // the heap: with hundreds of simulated tables each message missed the cache twenty times.
  #contactTails: number[] = [];
  #replacementTails: number[] = NO_TAILS;
  #pendingPing: Contact | undefined = undefined;
  #lastActivity: number;

  /**
   * Creates an empty bucket.
   *
   * @param lastActivity when the bucket was last changed or looked up in
   */
  constructor(lastActivity: number) {
    this.#lastActivity = wholeMs(lastActivity);
  }

  /** The contacts, least recently seen first. */
  get contacts(): readonly Contact[] {
    return this.#contacts;
  }

  /** The replacement cache, most recently seen first. */
  get replacements(): readonly Contact[] {
    return this.#replacements;
  }

  /** The contact the node was told to ping before evicting it, while that ping is pending. */
  get pendingPing(): Contact | undefined {
    return this.#pendingPing;
  }

  set pendingPing(contact: Contact | undefined) {
    this.#pendingPing = contact;
  }

  /** When the bucket was last changed or looked up in (the Clock's whole milliseconds). */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  set lastActivity(time: number) {
    this.#lastActivity = wholeMs(time);
  }

  /**
   * Finds a contact by id.
   *
   * @param id a 20-byte id
   * @returns its index in {@linkcode KBucket.contacts}, or -1
   */
  indexOf(id: Uint8Array): number {
    return indexById(this.#contacts, this.#contactTails, id);
  }

  /**
   * Finds a replacement-cache entry by id.
   *
   * @param id a 20-byte id
   * @returns its index in {@linkcode KBucket.replacements}, or -1
   */
  replacementIndexOf(id: Uint8Array): number {
    return indexById(this.#replacements, this.#replacementTails, id);
  }

  /**
   * Adds a contact at the most-recently-seen end.
   *
   * @param contact a contact not already in the bucket
   */
  append(contact: Contact): void {
    this.#contacts.push(contact);
    this.#contactTails.push(idTail(contact.id));
  }

  /**
   * Records that a contact was heard from: it moves to the most-recently-seen end, its
   * failures reset, and a pending ping for it is settled.
   *
   * @param index the contact's index
   * @param now when it was heard from
   * @returns the contact
   */
  refresh(index: number, now: number): Contact {
    const contacts = this.#contacts;
    const tails = this.#contactTails;
    const contact = contacts[index]!;
    const tail = tails[index]!;
    for (let i = index + 1; i < contacts.length; i++) {
      contacts[i - 1] = contacts[i]!;
      tails[i - 1] = tails[i]!;
    }
    contacts[contacts.length - 1] = contact;
    tails[tails.length - 1] = tail;
    contact.lastSeen = wholeMs(now);
    contact.failures = 0;
    if (this.#pendingPing === contact) this.#pendingPing = undefined;
    return contact;
  }

  /**
   * Removes a contact, settling a pending ping for it.
   *
   * @param index the contact's index
   * @returns the removed contact
   */
  removeAt(index: number): Contact {
    const contact = this.#contacts.splice(index, 1)[0]!;
    this.#contactTails.splice(index, 1);
    if (this.#pendingPing === contact) this.#pendingPing = undefined;
    return contact;
  }

  /**
   * Puts a newcomer at the front of the replacement cache. When the cache already holds
   * `limit` entries the oldest is dropped, and its object is reused for the newcomer: a busy
   * node sees a stream of newcomers for full buckets, and this keeps that path to the id's
   * copy at most (none when another table holds the id already).
   *
   * @param id the newcomer's id, not yet in the cache (copied)
   * @param host its IP literal
   * @param port its UDP port
   * @param now when it was seen
   * @param limit the most entries to keep
   */
  addReplacement(id: Uint8Array, host: string, port: number, now: number, limit: number): void {
    if (limit === 0) return;
    if (this.#replacements === NO_REPLACEMENTS) {
      this.#replacements = [];
      this.#replacementTails = [];
    }
    const replacements = this.#replacements;
    const tails = this.#replacementTails;
    let entry: Contact;
    if (replacements.length < limit) {
      entry = createContact(id, host, port, now);
      replacements.push(entry);
      tails.push(0);
    } else {
      // Cache entries are never handed out, so nothing outside the bucket holds this one.
      // Its id may be shared with other tables (keepId): it takes the newcomer's, unwritten.
      entry = replacements[replacements.length - 1]!;
      (entry as { id: Uint8Array }).id = keepId(id);
      entry.host = host;
      entry.port = port;
      entry.lastSeen = wholeMs(now);
      entry.lastReplied = NEVER_REPLIED;
      entry.failures = 0;
      entry.srttUs = NO_RTT;
      entry.rttvarUs = 0;
    }
    for (let i = replacements.length - 1; i > 0; i--) {
      replacements[i] = replacements[i - 1]!;
      tails[i] = tails[i - 1]!;
    }
    replacements[0] = entry;
    tails[0] = idTail(id);
  }

  /**
   * Moves a re-observed replacement entry to the front with its new address and time. Cache
   * entries are unverified hints, so the latest claim is the one worth trying.
   *
   * @param index the entry's index
   * @param host its IP literal
   * @param port its UDP port
   * @param now when it was seen
   */
  updateReplacement(index: number, host: string, port: number, now: number): void {
    const replacements = this.#replacements;
    const tails = this.#replacementTails;
    const entry = replacements[index]!;
    const tail = tails[index]!;
    entry.host = host;
    entry.port = port;
    entry.lastSeen = wholeMs(now);
    for (let i = index; i > 0; i--) {
      replacements[i] = replacements[i - 1]!;
      tails[i] = tails[i - 1]!;
    }
    replacements[0] = entry;
    tails[0] = tail;
  }

  /**
   * Removes a replacement-cache entry.
   *
   * @param index the entry's index
   * @returns the removed entry
   */
  removeReplacementAt(index: number): Contact {
    this.#replacementTails.splice(index, 1);
    return this.#replacements.splice(index, 1)[0]!;
  }

  /**
   * Moves the most recently seen replacement into the bucket, placed by its `lastSeen` so the
   * head stays the least recently seen contact.
   *
   * @returns the promoted contact, or undefined if the cache is empty
   */
  promote(): Contact | undefined {
    if (this.#replacements.length === 0) return undefined;
    const contact = this.#replacements.shift()!;
    const tail = this.#replacementTails.shift()!;
    const contacts = this.#contacts;
    const tails = this.#contactTails;
    let i = contacts.length;
    contacts.push(contact);
    tails.push(tail);
    for (; i > 0 && contacts[i - 1]!.lastSeen > contact.lastSeen; i--) {
      contacts[i] = contacts[i - 1]!;
      tails[i] = tails[i - 1]!;
    }
    contacts[i] = contact;
    tails[i] = tail;
    return contact;
  }

  /**
   * Splits this bucket at bit `depth`: contacts and replacement entries sharing exactly `depth`
   * leading bits with `localId` stay, those sharing more move to the returned bucket. Order is
   * kept on both sides, and a pending ping follows its contact. (bmuller/kademlia lost the
   * replacement cache on split until its PR #65.)
   *
   * @param depth the bucket's index: every entry shares at least `depth` bits with `localId`
   * @param localId the table's own id
   * @param now when the split happens; both halves count it as activity
   * @returns the new bucket for entries sharing more than `depth` bits
   */
  split(depth: number, localId: Uint8Array, now: number): KBucket {
    const deeper = new KBucket(now);
    this.#lastActivity = wholeMs(now);
    const keep = (list: Contact[], moved: Contact[]): Contact[] => {
      const kept: Contact[] = [];
      for (const contact of list) {
        (commonPrefixLength(contact.id, localId) > depth ? moved : kept).push(contact);
      }
      return kept;
    };
    this.#contacts = keep(this.#contacts, deeper.#contacts);
    if (this.#replacements !== NO_REPLACEMENTS) {
      const moved: Contact[] = [];
      const kept = keep(this.#replacements, moved);
      this.#replacements = kept.length > 0 ? kept : NO_REPLACEMENTS;
      deeper.#replacements = moved.length > 0 ? moved : NO_REPLACEMENTS;
    }
    for (const bucket of [this, deeper]) {
      bucket.#contactTails = bucket.#contacts.map((contact) => idTail(contact.id));
      bucket.#replacementTails = bucket.#replacements === NO_REPLACEMENTS
        ? NO_TAILS
        : bucket.#replacements.map((entry) => idTail(entry.id));
    }
    const pending = this.#pendingPing;
    if (pending !== undefined && commonPrefixLength(pending.id, localId) > depth) {
      deeper.#pendingPing = pending;
      this.#pendingPing = undefined;
    }
    return deeper;
  }
}

function indexById(list: readonly Contact[], tails: readonly number[], id: Uint8Array): number {
  const tail = idTail(id);
  for (let i = 0; i < tails.length; i++) {
    if (tails[i] === tail && idsEqual(list[i]!.id, id)) return i;
  }
  return -1;
}
