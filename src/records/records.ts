/**
 * The node's records: the policy over a {@linkcode Storage}. It decides what a `store` query
 * may write (size, expiry, last writer wins), stamps the records this node publishes, and hides
 * expired records from readers.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { TypedValue } from "../wire/value.ts";
import { compareRecords, type StoredRecord, valueByteLength } from "./record.ts";
import type { PutResult, RecordSource, Storage } from "./storage.ts";

/** A record as it arrives in a `store` query. */
export interface IncomingRecord {
  /** The 20-byte key. */
  readonly key: Uint8Array;
  /** The value with its type. */
  readonly value: TypedValue;
  /** When its original publisher published it (wall-clock ms). */
  readonly publishedAt: number;
  /** Its lifetime from `publishedAt`; capped by this node's `recordTtlMs`. */
  readonly ttlMs?: number | undefined;
  /** The original publisher's id. */
  readonly publisher?: Uint8Array | undefined;
  /** A copy cached by a lookup rather than a replica among the k closest. */
  readonly cached?: boolean | undefined;
  /** The key as the user wrote it, for namespaced keys. */
  readonly name?: string | undefined;
}

/** Why a record was refused, with the KRPC error code that says so on the wire. */
export type Refusal =
  | { readonly reason: "too_large"; readonly code: 205; readonly message: string }
  | { readonly reason: "expired"; readonly code: 201; readonly message: string }
  | { readonly reason: "future"; readonly code: 203; readonly message: string }
  | { readonly reason: "older"; readonly code: 302; readonly message: string }
  | { readonly reason: "full"; readonly code: 202; readonly message: string };

/** What {@linkcode Records.accept} did. */
export type AcceptOutcome =
  | { readonly stored: true; readonly record: StoredRecord }
  | ({ readonly stored: false } & Refusal);

/**
 * How far in the future a publication time may lie. Last writer wins, so a record stamped far
 * ahead would win every later write: a store from a clock more than this far ahead is refused.
 */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000;

/** What {@linkcode Records} needs. */
export interface RecordsOptions {
  /** Where records live. */
  readonly storage: Storage;
  /** Wall-clock time for publication and expiry. */
  readonly clock: Clock;
  /** The largest value accepted, in bytes. */
  readonly maxValueSize: number;
  /** The longest lifetime a record gets from its publication. */
  readonly recordTtlMs: number;
  /** Told of every record kept, published here or received. Must not throw. */
  readonly onStored?:
    | ((record: StoredRecord, source: RecordSource | undefined) => void)
    | undefined;
  /**
   * How long a copy cached by a lookup lives from now, given its key and TTL (the
   * distance-based TTL of src/records/cache_ttl.ts). Without it a cached copy lives as long
   * as a replica.
   */
  readonly cachedLifetime?: ((key: Uint8Array, ttlMs: number) => number) | undefined;
}

/** The node's records: storage plus the rules for what goes in. */
export class Records {
  /** The storage underneath. */
  readonly storage: Storage;
  readonly #clock: Clock;
  readonly #maxValueSize: number;
  readonly #recordTtlMs: number;
  readonly #onStored:
    | ((record: StoredRecord, source: RecordSource | undefined) => void)
    | undefined;
  readonly #cachedLifetime: ((key: Uint8Array, ttlMs: number) => number) | undefined;

  /** @param options storage, clock and limits */
  constructor(options: RecordsOptions) {
    this.storage = options.storage;
    this.#clock = options.clock;
    this.#maxValueSize = options.maxValueSize;
    this.#recordTtlMs = options.recordTtlMs;
    this.#onStored = options.onStored;
    this.#cachedLifetime = options.cachedLifetime;
  }

  /** The longest lifetime a record gets. */
  get recordTtlMs(): number {
    return this.#recordTtlMs;
  }

  /**
   * How long a copy cached here of a record under `key` lives from now.
   *
   * @param key the 20-byte key
   * @param ttlMs the record's TTL
   * @returns the distance-based lifetime, or `ttlMs` without a `cachedLifetime` option
   */
  cachedLifetime(key: Uint8Array, ttlMs: number): number {
    return this.#cachedLifetime?.(key, ttlMs) ?? ttlMs;
  }

  /**
   * The live record under `key`: an expired one is deleted and not returned.
   *
   * @param key the 20-byte key
   */
  get(key: Uint8Array): StoredRecord | undefined {
    const record = this.storage.get(key);
    if (record === undefined) return undefined;
    if (record.expiresAt > this.#clock.wallTime()) return record;
    this.storage.delete(key);
    return undefined;
  }

  /**
   * Decides a `store` query: a record too large, already expired, stamped in the future or
   * older than the one held is refused; the same publication again refreshes when it was
   * received; a later one replaces the held record (this node stops being its publisher).
   *
   * @param incoming the record sent
   * @param source who sent it
   * @param order which of incoming and held wins (positive: incoming); last writer wins by
   *   default, a namespace's `select` for validated keys
   * @returns the stored record, or the refusal and its KRPC code
   */
  accept(
    incoming: IncomingRecord,
    source?: RecordSource,
    order: (incoming: IncomingRecord, held: StoredRecord) => number = compareRecords,
  ): AcceptOutcome {
    const size = valueByteLength(incoming.value);
    if (size > this.#maxValueSize) {
      return refuse(
        "too_large",
        205,
        `value too big: ${size} bytes, at most ${this.#maxValueSize}`,
      );
    }
    const now = this.#clock.wallTime();
    if (incoming.publishedAt > now + MAX_CLOCK_SKEW_MS) {
      return refuse("future", 203, "publication time is in the future");
    }
    const ttl = Math.min(incoming.ttlMs ?? this.#recordTtlMs, this.#recordTtlMs);
    const expiresAt = incoming.publishedAt + ttl;
    if (expiresAt <= now) return refuse("expired", 201, "record already expired");
    const held = this.get(incoming.key);
    const rank = held === undefined ? 1 : order(incoming, held);
    if (rank < 0) return refuse("older", 302, "a newer record is held for this key");
    const cached = rank === 0
      ? held!.cached === true && incoming.cached === true
      // A replica this node holds stays a replica when a newer value arrives as a cache copy.
      : (incoming.cached ?? false) && (held === undefined || held.cached === true);
    // A cached copy lives shorter the farther this node is from the key; never past the
    // record's own expiry. A copy that becomes a replica gets the record's full life back.
    let expires = cached && this.#cachedLifetime
      ? Math.min(expiresAt, now + this.#cachedLifetime(incoming.key, ttl))
      : expiresAt;
    if (rank === 0) expires = Math.max(expires, held!.expiresAt);
    const record: StoredRecord = rank === 0
      // The same publication again (a holder's re-store): the receipt time moves, and the
      // expiry never passes publication + TTL, so re-stores cannot extend a record's life.
      ? { ...held!, receivedAt: now, cached, expiresAt: expires }
      : {
        key: incoming.key,
        value: incoming.value,
        publishedAt: incoming.publishedAt,
        expiresAt: expires,
        publisher: incoming.publisher,
        local: false,
        receivedAt: now,
        cached,
        name: incoming.name,
      };
    return this.#put(record, source);
  }

  /**
   * Stores a record this node publishes. Its publication time is now, or just after the
   * record held, so that a new `set` always supersedes what this node has seen.
   *
   * @param key the 20-byte key
   * @param value the value
   * @param publisher this node's id
   * @param options lifetime (capped by `recordTtlMs`) and the key's name if namespaced
   * @returns the record, and whether the store kept it
   */
  publish(
    key: Uint8Array,
    value: TypedValue,
    publisher: Uint8Array,
    options: { readonly ttlMs?: number | undefined; readonly name?: string | undefined } = {},
  ): { record: StoredRecord; result: PutResult } {
    // Whole milliseconds: the stamp travels as a KRPC integer (a virtual clock's is fractional).
    const now = Math.floor(this.#clock.wallTime());
    const held = this.storage.get(key);
    const publishedAt = held && held.publishedAt >= now ? held.publishedAt + 1 : now;
    const record: StoredRecord = {
      key,
      value,
      publishedAt,
      expiresAt: publishedAt + Math.min(options.ttlMs ?? this.#recordTtlMs, this.#recordTtlMs),
      publisher,
      local: true,
      receivedAt: now,
      name: options.name,
    };
    const result = this.storage.put(record);
    if (result.stored) this.#onStored?.(record, undefined);
    return { record, result };
  }

  /**
   * Keeps a newer version of a record this node holds, learned from a lookup: the old copy
   * (even one this node published) gives way to the later writer.
   *
   * @param found the newer record
   * @returns true if it replaced the held one
   */
  adoptNewer(found: IncomingRecord): boolean {
    const held = this.get(found.key);
    if (held === undefined || compareRecords(found, held) <= 0) return false;
    return this.accept(found).stored;
  }

  #put(record: StoredRecord, source: RecordSource | undefined): AcceptOutcome {
    const result = this.storage.put(record, source);
    if (result.stored) {
      this.#onStored?.(record, source);
      return { stored: true, record };
    }
    return result.reason === "too_large"
      ? refuse("too_large", 205, "value too big for this node's storage")
      : refuse("full", 202, "storage full");
  }
}

function refuse<R extends Refusal["reason"]>(
  reason: R,
  code: Extract<Refusal, { reason: R }>["code"],
  message: string,
): AcceptOutcome {
  return { stored: false, reason, code, message } as AcceptOutcome;
}
