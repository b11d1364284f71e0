/**
 * The values users store.
 *
 * @module
 */

/** A value users store: text stays text and bytes stay bytes, in both codecs. */
export type TypedValue = string | Uint8Array;
