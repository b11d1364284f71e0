/**
 * The KRPC message model (BEP 5) shared by every codec: a dictionary `{ t, y, q, a | r | e }`.
 * This file turns decoded trees into typed, validated messages and typed messages into trees.
 * Every field is checked before use (reliability.md §a): a datagram that fails a check is
 * reported as malformed and never reaches the node's logic.
 *
 * @module
 */
import type { Codec, WireDict, WireValue } from "./codec.ts";
import { decodeCompactNodes, encodeCompactNodes, type NodeInfo } from "./compact_nodes.ts";

import type { TypedValue } from "./value.ts";
export type { TypedValue } from "./value.ts";

/** KRPC error codes from BEP 5. */
export const ErrorCode = {
  /** Generic error. */
  Generic: 201,
  /** Server error: the node could not serve the query (e.g. overloaded, storage full). */
  Server: 202,
  /** Protocol error: malformed packet, invalid arguments or bad token. */
  Protocol: 203,
  /** Method unknown. */
  MethodUnknown: 204,
} as const;

/** Arguments of a query (`a`). Only the fields our methods use are read. */
export interface QueryArgs {
  /** The querying node's 20-byte id. */
  readonly id: Uint8Array;
  /** The 20-byte id being looked up or stored under (find_node, find_value, store). */
  readonly target?: Uint8Array;
  /** The 20-byte info hash of BEP 5's get_peers and announce_peer. */
  readonly infoHash?: Uint8Array;
  /** The value to store (store). */
  readonly value?: TypedValue;
  /** Address families wanted in the reply (BEP 32): "n4", "n6". */
  readonly want?: readonly string[];
}

/** A response body (`r`). */
export interface ResponseBody {
  /** The responding node's 20-byte id. */
  readonly id: Uint8Array;
  /** Contacts, from `nodes` (IPv4) and `nodes6` (IPv6) together. */
  readonly nodes?: readonly NodeInfo[];
  /** The value found (find_value). */
  readonly value?: TypedValue;
}

/** A query received. */
export interface QueryMessage {
  readonly kind: "query";
  readonly t: Uint8Array;
  readonly method: string;
  readonly args: QueryArgs;
  /** BEP 43: the sender is read-only and must not be added to routing tables. */
  readonly readOnly: boolean;
}

/** A response received. */
export interface ResponseMessage {
  readonly kind: "response";
  readonly t: Uint8Array;
  readonly body: ResponseBody;
}

/** An error received. */
export interface ErrorMessage {
  readonly kind: "error";
  readonly t: Uint8Array;
  readonly code: number;
  readonly message: string;
}

/**
 * A datagram that decoded but is not a valid KRPC message. `t` and `y` are kept when they
 * were readable, so a bad query can get a 203 reply and a bad reply can fail its transaction.
 */
export interface MalformedMessage {
  readonly kind: "malformed";
  readonly reason: string;
  readonly t?: Uint8Array;
  readonly y?: string;
}

/** Any message, parsed. */
export type KrpcMessage = QueryMessage | ResponseMessage | ErrorMessage | MalformedMessage;

/** The longest transaction id we accept and echo (rakshasa/libtorrent#876: never echo more). */
export const MAX_TRANSACTION_ID_LENGTH = 20;
const ID_LENGTH = 20;

function isDict(value: WireValue | undefined): value is WireDict {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array) &&
    !Array.isArray(value);
}

function malformed(reason: string, t?: Uint8Array, y?: string): MalformedMessage {
  const result: { kind: "malformed"; reason: string; t?: Uint8Array; y?: string } = {
    kind: "malformed",
    reason,
  };
  if (t) result.t = t;
  if (y) result.y = y;
  return result;
}

function readId(codec: Codec, dict: WireDict, key: string): Uint8Array | undefined {
  const bytes = codec.bytes(dict[key]);
  return bytes && bytes.length === ID_LENGTH ? bytes : undefined;
}

function readValue(codec: Codec, dict: WireDict): TypedValue | undefined | null {
  if (!("v" in dict)) return undefined;
  const type = codec.text(dict.vt);
  if (type === "s") return codec.text(dict.v) ?? null;
  if (type === "b") return codec.bytes(dict.v) ?? null;
  return null;
}

function readNodes(codec: Codec, body: WireDict): NodeInfo[] | undefined {
  let nodes: NodeInfo[] | undefined;
  for (const [key, family] of [["nodes", 4], ["nodes6", 6]] as const) {
    const packed = codec.bytes(body[key]);
    if (!packed) continue;
    const decoded = decodeCompactNodes(packed, family);
    if (decoded) nodes = nodes ? nodes.concat(decoded) : decoded;
  }
  return nodes;
}

/**
 * Validates a decoded tree as a KRPC message.
 *
 * @param codec the codec that decoded `tree` (it knows how leaves are typed)
 * @param tree the decoded datagram
 * @returns the typed message, or a `malformed` result saying why
 */
export function parseMessage(codec: Codec, tree: WireDict): KrpcMessage {
  const y = codec.text(tree.y);
  const t = codec.bytes(tree.t);
  if (y !== "q" && y !== "r" && y !== "e") {
    // BEP 5 / libtorrent: never answer a message without a valid `y` (no amplification).
    return malformed("'y' must be one of q, r, e");
  }
  if (!t || t.length === 0 || t.length > MAX_TRANSACTION_ID_LENGTH) {
    return malformed(`'t' must be 1-${MAX_TRANSACTION_ID_LENGTH} bytes`);
  }
  if (y === "q") {
    const method = codec.text(tree.q);
    const args = tree.a;
    if (method === undefined || method.length === 0) return malformed("'q' missing", t, y);
    if (!isDict(args)) return malformed("'a' must be a dictionary", t, y);
    const id = readId(codec, args, "id");
    if (!id) return malformed("'a.id' must be 20 bytes", t, y);
    const parsed: { -readonly [K in keyof QueryArgs]: QueryArgs[K] } = { id };
    if ("target" in args) {
      const target = readId(codec, args, "target");
      if (!target) return malformed("'a.target' must be 20 bytes", t, y);
      parsed.target = target;
    }
    if ("info_hash" in args) {
      const infoHash = readId(codec, args, "info_hash");
      if (!infoHash) return malformed("'a.info_hash' must be 20 bytes", t, y);
      parsed.infoHash = infoHash;
    }
    const value = readValue(codec, args);
    if (value === null) return malformed("'a.v' must come with 'vt' of s or b", t, y);
    if (value !== undefined) parsed.value = value;
    if (Array.isArray(args.want)) {
      parsed.want = args.want.flatMap((w) => {
        const text = codec.text(w);
        return text === undefined ? [] : [text];
      });
    }
    return { kind: "query", t, method, args: parsed, readOnly: tree.ro === 1 };
  }
  if (y === "r") {
    const body = tree.r;
    if (!isDict(body)) return malformed("'r' must be a dictionary", t, y);
    const id = readId(codec, body, "id");
    if (!id) return malformed("'r.id' must be 20 bytes", t, y);
    const parsed: { -readonly [K in keyof ResponseBody]: ResponseBody[K] } = { id };
    const nodes = readNodes(codec, body);
    if (nodes) parsed.nodes = nodes;
    const value = readValue(codec, body);
    if (value === null) return malformed("'r.v' must come with 'vt' of s or b", t, y);
    if (value !== undefined) parsed.value = value;
    return { kind: "response", t, body: parsed };
  }
  const error = tree.e;
  if (!Array.isArray(error) || typeof error[0] !== "number") {
    return malformed("'e' must be a list [code, message]", t, y);
  }
  return { kind: "error", t, code: error[0], message: codec.text(error[1]) ?? "" };
}

/** Writes a typed value as `v` and its type as `vt` ("s" text, "b" bytes) into `dict`. */
function writeValue(dict: WireDict, value: TypedValue | undefined): void {
  if (value === undefined) return;
  dict.v = value;
  dict.vt = typeof value === "string" ? "s" : "b";
}

/**
 * Builds a query tree.
 *
 * @param t transaction id
 * @param method the method name (`q`)
 * @param args the arguments; `undefined` fields are left out
 * @param readOnly set `ro: 1` (BEP 43)
 */
export function buildQuery(
  t: Uint8Array,
  method: string,
  args: QueryArgs,
  readOnly = false,
): WireDict {
  const a: WireDict = { id: args.id };
  if (args.target) a.target = args.target;
  if (args.infoHash) a.info_hash = args.infoHash;
  writeValue(a, args.value);
  if (args.want) a.want = [...args.want];
  const tree: WireDict = { t, y: "q", q: method, a };
  if (readOnly) tree.ro = 1;
  return tree;
}

/**
 * Builds a response tree. Contacts go to `nodes` (IPv4) and `nodes6` (IPv6) by family; a
 * family is written only if `families` includes it.
 *
 * @param t the transaction id of the query answered
 * @param body what to answer
 * @param families which of `nodes`/`nodes6` to fill (BEP 32 `want`)
 */
export function buildResponse(
  t: Uint8Array,
  body: ResponseBody,
  families: readonly (4 | 6)[] = [4],
): WireDict {
  const r: WireDict = { id: body.id };
  if (body.nodes) {
    for (const family of families) {
      const packed = encodeCompactNodes(body.nodes, family);
      if (packed.length > 0 || family === families[0]) {
        r[family === 4 ? "nodes" : "nodes6"] = packed;
      }
    }
  }
  writeValue(r, body.value);
  return { t, y: "r", r };
}

/** Builds an error tree `{ t, y: "e", e: [code, message] }`. */
export function buildError(t: Uint8Array, code: number, message: string): WireDict {
  return { t, y: "e", e: [code, message] };
}
