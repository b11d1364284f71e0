/**
 * Checks shared by both encoders, so bencode and JSON accept exactly the same trees.
 *
 * @module
 */

import type { WireDict } from "./codec.ts";

/** Deepest nesting the encoders accept; beyond it the tree is almost surely cyclic. */
export const MAX_ENCODE_DEPTH = 1000;

/**
 * UTF-8 length of a string.
 *
 * @param s the string
 * @param loneSurrogates `"throw"` (the encoders: UTF-8 cannot carry one, and TextEncoder would
 *   silently write U+FFFD, so the peer would read different text) or `"count"` (a size check:
 *   each counts as the 3 bytes of the U+FFFD that TextEncoder writes)
 * @throws {TypeError} on an unpaired surrogate, with `"throw"`
 */
export function utf8Length(s: string, loneSurrogates: "throw" | "count" = "throw"): number {
  let len = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      len += 1;
    } else if (c < 0xd800 || c > 0xdfff) {
      len += 2;
    } else {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // 4 bytes for 2 units
      } else if (loneSurrogates === "throw") {
        throw new TypeError(
          `Cannot encode: string has an unpaired surrogate U+${c.toString(16)} at index ${i}`,
        );
      }
      len += 2;
    }
  }
  return len;
}

/**
 * Makes the dictionaries of decoded trees. Their prototype has no properties and a null
 * prototype of its own, so every key, `__proto__` and `constructor` included, is an own data
 * property, as with `Object.create(null)`; but where `Object.create(null)` starts an object in
 * V8's dictionary mode (a hash table per object, what decoding allocated most: 1.6 KB per
 * datagram in the churn run), these get fast properties.
 */
export const DecodedDict = function DecodedDict() {} as unknown as { new (): WireDict };
const DECODED_DICT: object = Object.create(null);
(DecodedDict as unknown as { prototype: object }).prototype = DECODED_DICT;

/**
 * True for a plain object (prototype `Object.prototype`, null, or a decoded dictionary's): a
 * dictionary node.
 */
export function isDict(value: unknown): value is WireDict {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || proto === DECODED_DICT;
}

/** What a value is, for a TypeError that names the culprit. */
export function describe(value: unknown): string {
  if (value === null) return "null is not a wire value (omit the field instead)";
  if (value === undefined) return "undefined is not a wire value (omit the field instead)";
  if (typeof value !== "object") return `a ${typeof value} is not a wire value`;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)
    ?.constructor?.name ?? "object";
  return `a ${name} is not a wire value (use a plain object, an array or a Uint8Array)`;
}
