/**
 * The values of BEP 44 items. BEP 44 lets `v` be any bencoded type, and bencode has byte strings
 * but no text: a string put is stored, hashed and signed as its UTF-8 bytes, and every node,
 * ours or not, hands back bytes. So an item's value is read back with `Uint8Array` leaves
 * ({@linkcode ItemValue}), while a put accepts text too ({@linkcode ItemValueInput}).
 *
 * The same tree travels in both codecs. In bencode it is the bencoded `v` itself. In JSON the
 * convention is that every string leaf of `v` is the base64 of a byte string (there is no text
 * in a BEP 44 value), integers are numbers and dictionary keys are their binary strings (one
 * character per byte), so re-bencoding the tree a JSON node received gives back exactly the
 * bytes that were hashed and signed.
 *
 * @module
 */
import { BEP44_MAX_VALUE_LENGTH } from "./bep44.ts";
import { encodeBencode } from "../wire/bencode.ts";

/** A BEP 44 item's value as read back: byte strings are `Uint8Array`s. */
export type ItemValue = Uint8Array | number | ItemValue[] | { [key: string]: ItemValue };

/** What a put accepts: an {@linkcode ItemValue}, with strings allowed (stored as UTF-8). */
export type ItemValueInput =
  | string
  | Uint8Array
  | number
  | readonly ItemValueInput[]
  | { readonly [key: string]: ItemValueInput };

/** A value with its bencoding, the bytes BEP 44 hashes, signs and limits to 1000. */
export interface EncodedItemValue {
  /** The value, byte strings as `Uint8Array`. */
  readonly value: ItemValue;
  /** Its bencoding. */
  readonly encoded: Uint8Array;
}

/**
 * Containers a value may nest: a put is the top-level dict, then `a`, then `v`, and peers drop
 * datagrams nested deeper than 10 (libtorrent's limit, and ours).
 */
export const MAX_ITEM_VALUE_DEPTH = 7;

const utf8 = new TextEncoder();

/**
 * Turns what a user gave into an item value and its bencoding, checking it on the way.
 *
 * @param input the value: text, bytes, a safe integer, or lists and dictionaries of them
 * @param what the start of an error message, e.g. "Cannot put item"
 * @returns the value with UTF-8 bytes for text, and its bencoding
 * @throws {TypeError} on anything else (floats, booleans, null, a key with a character above
 * U+00FF, nesting deeper than {@linkcode MAX_ITEM_VALUE_DEPTH})
 * @throws {RangeError} if the bencoding is empty or over 1000 bytes (BEP 44)
 */
export function toItemValue(input: ItemValueInput, what: string): EncodedItemValue {
  const value = convert(input, 0, what);
  const encoded = encodeBencode(value);
  if (encoded.length > BEP44_MAX_VALUE_LENGTH) {
    throw new RangeError(
      `${what}: the value is ${encoded.length} bytes bencoded, more than BEP 44's ${BEP44_MAX_VALUE_LENGTH}`,
    );
  }
  return { value, encoded };
}

function convert(input: ItemValueInput, depth: number, what: string): ItemValue {
  if (typeof input === "string") return utf8.encode(input);
  // A copy (not `slice`, which is a view on a Node Buffer): the caller may reuse its buffer.
  if (input instanceof Uint8Array) return new Uint8Array(input);
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input)) {
      throw new TypeError(`${what}: numbers in a value must be safe integers, got ${input}`);
    }
    return input;
  }
  if (depth >= MAX_ITEM_VALUE_DEPTH) {
    throw new TypeError(
      `${what}: the value nests more than ${MAX_ITEM_VALUE_DEPTH} lists or dictionaries`,
    );
  }
  if (Array.isArray(input)) return input.map((x: ItemValueInput) => convert(x, depth + 1, what));
  if (typeof input !== "object" || input === null) {
    throw new TypeError(
      `${what}: a value is text, bytes, an integer, or a list or dictionary of them, got ${
        input === null ? "null" : typeof input
      }`,
    );
  }
  const out: { [key: string]: ItemValue } = Object.create(null);
  for (const key of Object.keys(input)) {
    if (!isBinaryString(key)) {
      throw new TypeError(
        `${what}: dictionary keys are byte strings, one character per byte; "${key}" is not`,
      );
    }
    out[key] = convert((input as { [key: string]: ItemValueInput })[key]!, depth + 1, what);
  }
  return out;
}

function isBinaryString(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * A deep copy of a value, for handing out: the caller may change what it gets without
 * changing the item this node holds and serves.
 *
 * @param value a stored value
 * @returns an equal value sharing no buffer with it
 */
export function copyItemValue(value: ItemValue): ItemValue {
  if (typeof value === "number") return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(copyItemValue);
  const out: { [key: string]: ItemValue } = Object.create(null);
  for (const key of Object.keys(value)) out[key] = copyItemValue(value[key]!);
  return out;
}
