/**
 * What every `Storage` checks of a record before keeping it: the fields its indexes and
 * capacity depend on. The node builds records itself; this catches a caller's mistake at the
 * put instead of as a corrupt index later.
 *
 * @module
 */
import { isNodeId } from "../id/node_id.ts";
import type { StoredRecord } from "./record.ts";

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return typeof value === "number" ? String(value) : typeof value;
}

/**
 * Checks a record's key, value and times.
 *
 * @param record the record a store was given
 * @throws {TypeError} if the key is not 20 bytes, the value is neither a string nor a
 * Uint8Array, or a time is not a number (NaN included; Infinity is a time)
 */
export function checkRecord(record: StoredRecord): void {
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new TypeError(
      `Cannot store record: '${field}' must be ${expected}, got ${describe(value)}`,
    );
  };
  if (!isNodeId(record.key)) fail("key", "a 20-byte Uint8Array", record.key);
  const { value } = record;
  if (typeof value !== "string" && !(value instanceof Uint8Array)) {
    fail("value", "a string or a Uint8Array", value);
  }
  for (const field of ["publishedAt", "expiresAt", "receivedAt"] as const) {
    const time = record[field];
    if (typeof time !== "number" || Number.isNaN(time)) fail(field, "a number", time);
  }
}
