/**
 * Readers and writers for fields several methods share: ids, targets, typed values, node lists
 * and BEP 32 address families. Each reader throws {@linkcode MalformedFieldError} naming the
 * field, so one bad field fails the whole message.
 *
 * @module
 */
import type { Codec, WireDict } from "../../wire/codec.ts";
import { decodeCompactNodes, encodeCompactNodes, type NodeInfo } from "../../wire/compact_nodes.ts";
import type { TypedValue } from "../../wire/value.ts";
import { MalformedFieldError } from "../method.ts";

const ID_LENGTH = 20;

/**
 * Reads a required 20-byte id (`id`, `target`, `info_hash`).
 *
 * @param codec the codec that decoded `dict`
 * @param dict `a` or `r`
 * @param key the field name
 * @param where `"a"` or `"r"`, for the message
 */
export function readId(codec: Codec, dict: WireDict, key: string, where: string): Uint8Array {
  const bytes = codec.bytes(dict[key]);
  if (!bytes || bytes.length !== ID_LENGTH) {
    throw new MalformedFieldError(`'${where}.${key}' must be ${ID_LENGTH} bytes`);
  }
  return bytes;
}

/**
 * Reads an optional non-negative safe integer field.
 *
 * @returns the number, or undefined when the field is absent
 */
export function readCount(dict: WireDict, key: string, where: string): number | undefined {
  if (!(key in dict)) return undefined;
  const value = dict[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new MalformedFieldError(`'${where}.${key}' must be a non-negative integer`);
  }
  return value;
}

/**
 * Reads a typed value: `v` with `vt` "s" (text) or "b" (bytes) beside it.
 *
 * @returns the value, or undefined when `v` is absent
 */
export function readTypedValue(
  codec: Codec,
  dict: WireDict,
  where: string,
): TypedValue | undefined {
  if (!("v" in dict)) return undefined;
  const type = codec.text(dict.vt);
  const value = type === "s" ? codec.text(dict.v) : type === "b" ? codec.bytes(dict.v) : undefined;
  if (value === undefined) {
    throw new MalformedFieldError(`'${where}.v' must come with '${where}.vt' of s or b`);
  }
  return value;
}

/** Writes a typed value as `v` and its type as `vt` ("s" text, "b" bytes). */
export function writeTypedValue(dict: WireDict, value: TypedValue): void {
  dict.v = value;
  dict.vt = typeof value === "string" ? "s" : "b";
}

/**
 * Reads `nodes` (IPv4, BEP 5) and `nodes6` (IPv6, BEP 32) together. A field whose length is
 * not a whole number of entries is malformed; contacts that cannot be reached are skipped.
 *
 * @returns the contacts, empty when neither field is present
 */
export function readNodes(codec: Codec, dict: WireDict): NodeInfo[] {
  let nodes: NodeInfo[] | undefined;
  for (const [key, family] of FIELDS) {
    if (!(key in dict)) continue;
    const packed = codec.bytes(dict[key]);
    const decoded = packed && decodeCompactNodes(packed, family);
    if (!decoded) throw new MalformedFieldError(`'r.${key}' is not compact node info`);
    nodes = nodes ? nodes.concat(decoded) : decoded;
  }
  return nodes ?? [];
}

const FIELDS = [["nodes", 4], ["nodes6", 6]] as const;

/**
 * Writes contacts into `nodes` and `nodes6`, one family each, for the families asked for. The
 * first family asked for is always written, empty if need be, so a find_node reply always has
 * a node list.
 */
export function writeNodes(
  dict: WireDict,
  nodes: readonly NodeInfo[],
  families: readonly (4 | 6)[],
): void {
  for (const family of families) {
    const packed = encodeCompactNodes(nodes, family);
    if (packed.length > 0 || family === families[0]) {
      dict[family === 4 ? "nodes" : "nodes6"] = packed;
    }
  }
}

/**
 * Reads BEP 32 `want`: a list of strings; entries other than "n4" and "n6" are ignored, and a
 * `want` that is not a list is ignored as a whole (reliability.md row 17).
 */
export function readWant(codec: Codec, args: WireDict): readonly string[] | undefined {
  const want = args.want;
  if (!Array.isArray(want)) return undefined;
  const wanted: string[] = [];
  for (const entry of want) {
    const text = codec.text(entry);
    if (text === "n4" || text === "n6") wanted.push(text);
  }
  return wanted;
}

const IPV4_ONLY: readonly (4 | 6)[] = [4];
const IPV6_ONLY: readonly (4 | 6)[] = [6];
const BOTH: readonly (4 | 6)[] = [4, 6];

/**
 * BEP 32: the families a `want` list asks for, else the requester's own. Allocation-free.
 *
 * @param want the parsed `want`
 * @param host the requester's IP literal
 */
export function replyFamilies(
  want: readonly string[] | undefined,
  host: string,
): readonly (4 | 6)[] {
  const n4 = want?.includes("n4") ?? false;
  const n6 = want?.includes("n6") ?? false;
  if (n4 && n6) return BOTH;
  if (n4) return IPV4_ONLY;
  if (n6) return IPV6_ONLY;
  return host.includes(":") ? IPV6_ONLY : IPV4_ONLY;
}
