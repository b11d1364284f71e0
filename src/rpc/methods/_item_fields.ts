/**
 * Readers for the fields BEP 44's `get` and `put` share: the value `v`, in either codec (see
 * src/records/item_value.ts for the JSON convention), and the byte-string and integer fields of
 * mutable items.
 *
 * @module
 */
import type { EncodedItemValue, ItemValue } from "../../records/item_value.ts";
import { encodeBencode, isCanonicalTree } from "../../wire/bencode.ts";
import type { Codec, WireDict, WireValue } from "../../wire/codec.ts";
import { MalformedFieldError } from "../method.ts";

/**
 * Reads a received `v` into a value with `Uint8Array` leaves and its bencoding.
 *
 * BEP 44 hashes and signs `v` as it appeared in the message. The bencode decoder keeps
 * integers and lengths canonical, so re-encoding the tree gives those bytes back unless a
 * dictionary in it was sent with unsorted keys; such a `v` is refused (reliability.md B22),
 * since the bytes we would hash, sign-check and serve are not the bytes that were sent.
 *
 * @param codec the codec that decoded the message
 * @param v the field
 * @param where `"a.v"` or `"r.v"`, for the message
 * @returns the value and its bencoding
 * @throws {MalformedFieldError} if a dictionary in `v` is unsorted, or a JSON leaf is not base64
 */
export function readItemValue(codec: Codec, v: WireValue, where: string): EncodedItemValue {
  if (!isCanonicalTree(v)) {
    throw new MalformedFieldError(
      `'${where}' has a dictionary with unsorted keys: re-encoding it would not give the bytes sent`,
    );
  }
  const value = leaves(codec, v, where);
  return { value, encoded: encodeBencode(value) };
}

function leaves(codec: Codec, v: WireValue, where: string): ItemValue {
  if (typeof v === "number") return v;
  if (Array.isArray(v)) return v.map((x) => leaves(codec, x, where));
  if (typeof v === "string" || v instanceof Uint8Array) {
    const bytes = codec.bytes(v);
    if (bytes === undefined) {
      throw new MalformedFieldError(`'${where}' holds a string that is not base64`);
    }
    return bytes;
  }
  const out: { [key: string]: ItemValue } = Object.create(null);
  for (const key in v) out[key] = leaves(codec, v[key]!, where);
  return out;
}

/**
 * Reads an optional byte-string field.
 *
 * @returns the bytes, or undefined when absent
 * @throws {MalformedFieldError} if present and not a byte string
 */
export function readOptionalBytes(
  codec: Codec,
  dict: WireDict,
  key: string,
  where: string,
): Uint8Array | undefined {
  if (!(key in dict)) return undefined;
  const bytes = codec.bytes(dict[key]);
  if (bytes === undefined) throw new MalformedFieldError(`'${where}.${key}' must be a byte string`);
  return bytes;
}

/**
 * Reads an optional integer field (any safe integer: range checks belong to the caller, which
 * answers with the precise error).
 *
 * @returns the integer, or undefined when absent
 * @throws {MalformedFieldError} if present and not an integer
 */
export function readOptionalInteger(
  dict: WireDict,
  key: string,
  where: string,
): number | undefined {
  if (!(key in dict)) return undefined;
  const value = dict[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new MalformedFieldError(`'${where}.${key}' must be an integer`);
  }
  return value;
}
