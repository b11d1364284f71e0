/**
 * A stored record: a value and what is known about its publication. Times that must survive a
 * restart and be compared between nodes (publication, expiry, receipt) are wall-clock
 * milliseconds since the Unix epoch, from `Clock.wallTime()`.
 *
 * @module
 */
import { utf8Length } from "../wire/_wire_value.ts";
import type { TypedValue } from "../wire/value.ts";

/**
 * One record as a node holds it.
 *
 * @example
 * ```ts
 * import { KademliaNode, MemoryStorage, type StoredRecord } from "@kdht/core";
 *
 * const storage = new MemoryStorage();
 * await using node = new KademliaNode({ storage });
 * await node.listen(0);
 * await node.set("k", "v");
 * const [record]: StoredRecord[] = [...storage.records()];
 * console.log(record!.value, record!.local); // "v" true
 * ```
 */
export interface StoredRecord {
  /** The 20-byte key (SHA-1 of the user's key). */
  readonly key: Uint8Array;
  /** The value, with its type: text stays text, bytes stay bytes. */
  readonly value: TypedValue;
  /**
   * When the original publisher last published it (wall-clock ms). Last writer wins: of two
   * records under one key, the one published later replaces the other, never the reverse.
   * Re-stores by other holders carry this time unchanged, so they never extend a record's life.
   */
  readonly publishedAt: number;
  /** When it expires (wall-clock ms); from then on it is neither served nor re-stored. */
  readonly expiresAt: number;
  /** The original publisher's 20-byte node id, when known. */
  readonly publisher?: Uint8Array | undefined;
  /** True if this node is the original publisher (the record was `set` here). */
  readonly local: boolean;
  /**
   * When this node last received it (wall-clock ms): from a store, or from its own `set`. A
   * holder skips its hourly re-store of a record received within the hour (paper §2.5).
   */
  readonly receivedAt: number;
  /**
   * True for a copy cached by a `findValue` on a node outside the k closest: it gets a shorter,
   * distance-based TTL and is not re-stored.
   */
  readonly cached?: boolean | undefined;
  /**
   * The key as the user wrote it, when it names a namespace (`/namespace/rest`), so receivers
   * can validate it; plain keys travel only as their hash.
   */
  readonly name?: string | undefined;
}

/**
 * Which of two records under one key a node keeps (last writer wins): the later publication,
 * and on a tie the larger value by bytes, so every node settles on the same record whatever
 * order the stores arrive in.
 *
 * @param a one record
 * @param b another record under the same key
 * @returns a positive number if `a` wins, negative if `b` wins, 0 if they are the same publication
 */
export function compareRecords(
  a: Pick<StoredRecord, "publishedAt" | "value">,
  b: Pick<StoredRecord, "publishedAt" | "value">,
): number {
  if (a.publishedAt !== b.publishedAt) return a.publishedAt - b.publishedAt;
  return compareValues(a.value, b.value);
}

function compareValues(a: TypedValue, b: TypedValue): number {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  // Bytes rank above text of the same publication time; this only has to be a total order.
  if (typeof a !== typeof b) return typeof a === "string" ? -1 : 1;
  const x = a as Uint8Array;
  const y = b as Uint8Array;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * A value's size in bytes: UTF-8 bytes for text, length for bytes.
 *
 * @param value a stored value
 * @returns its size in bytes
 */
export function valueByteLength(value: TypedValue): number {
  // Counted, not encoded: an encode per size check was 4 % of the 48 h churn run.
  return typeof value === "string" ? utf8Length(value, "count") : value.length;
}
