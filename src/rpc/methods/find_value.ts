/**
 * `find_value` (our extension, the paper's FIND_VALUE): the record under a key if the
 * responder holds one — its value with the value's type, its publication time and lifetime, so
 * the asker can pick the newest and cache a copy that expires when the original does — else
 * the k contacts nearest the key, like `find_node`. Beside a record the contacts come too when
 * both surely fit in one datagram (libp2p's GET_VALUE carries closer peers with its record), so
 * a read that gathers several answers keeps walking towards the k closest through holders.
 *
 * @module
 */
import type { NodeContext } from "../../node_context.ts";
import type { WireDict } from "../../wire/codec.ts";
import type { NodeInfo } from "../../wire/compact_nodes.ts";
import { valueByteLength } from "../../records/record.ts";
import type { TypedValue } from "../../wire/value.ts";
import type { KrpcMethod, MethodReply } from "../method.ts";
import { MalformedFieldError } from "../method.ts";
import {
  readCount,
  readId,
  readNodes,
  readTypedValue,
  replyFamilies,
  writeNodes,
  writeTypedValue,
} from "./_fields.ts";
import { decodeTargetArgs, encodeTargetArgs, type FindNodeArgs } from "./find_node.ts";

/** A record as `find_value` returns it. */
export interface FoundRecord {
  /** The value, with its type. */
  readonly value: TypedValue;
  /** When its original publisher published it (wall-clock ms). */
  readonly publishedAt: number;
  /** Its lifetime from `publishedAt`, in ms. */
  readonly ttlMs: number;
}

/** Reply of `find_value`: a record, or contacts. */
export interface FindValueReply extends MethodReply {
  /** The record, when the responder holds one. */
  readonly record?: FoundRecord | undefined;
  /** Contacts nearest the key (beside a record only when they fit). */
  readonly nodes: readonly NodeInfo[];
}

/**
 * Whether contacts can travel beside a value in one datagram, in either codec: JSON writes
 * bytes as base64 (4 per 3) and escapes some characters of text, and `k` IPv6 contacts take 38
 * bytes each before base64.
 *
 * @param value the value
 * @param k contacts per list
 * @param maxDatagramSize the node's datagram limit
 */
export function nodesFitBesideValue(
  value: TypedValue,
  k: number,
  maxDatagramSize: number,
): boolean {
  // Envelope, ids, ts, ttl, vt and `ip` take less than 400 bytes in either codec.
  return 400 + largestWireSize(value) + Math.ceil((k * 38 * 4) / 3) <= maxDatagramSize;
}

/** The most bytes a value takes in either codec. */
function largestWireSize(value: TypedValue): number {
  if (typeof value !== "string") return Math.ceil(value.length / 3) * 4;
  let escapes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // JSON: control characters as \u00XX (6 bytes), quote and backslash as 2.
    if (c < 0x20) escapes += 5;
    else if (c === 0x22 || c === 0x5c) escapes += 1;
  }
  return valueByteLength(value) + escapes;
}

/** The `find_value` method. */
export const findValue: KrpcMethod<FindNodeArgs, FindValueReply, NodeContext> = {
  name: "find_value",
  encodeArgs: (args) => encodeTargetArgs(args),
  decodeArgs: (codec, a) => decodeTargetArgs(codec, a),
  handle: (context, args) => {
    const held = context.records.get(args.target);
    if (held) {
      const besideValue = nodesFitBesideValue(held.value, context.k, context.maxDatagramSize);
      return {
        id: context.id,
        record: {
          value: held.value,
          publishedAt: held.publishedAt,
          ttlMs: held.expiresAt - held.publishedAt,
        },
        nodes: besideValue ? context.keeper.closest(args.target, context.k, args.id) : [],
      };
    }
    return { id: context.id, nodes: context.keeper.closest(args.target, context.k, args.id) };
  },
  encodeReply: (reply, args, query) => {
    const r: WireDict = { id: reply.id };
    if (reply.record) {
      writeTypedValue(r, reply.record.value);
      r.ts = reply.record.publishedAt;
      r.ttl = reply.record.ttlMs;
      if (reply.nodes.length === 0) return r;
    }
    writeNodes(r, reply.nodes, replyFamilies(args.want, query.from.host));
    return r;
  },
  decodeReply: (codec, r) => {
    const id = readId(codec, r, "id", "r");
    const value = readTypedValue(codec, r, "r");
    if (value === undefined) return { id, nodes: readNodes(codec, r) };
    const publishedAt = readCount(r, "ts", "r");
    const ttlMs = readCount(r, "ttl", "r");
    if (publishedAt === undefined || ttlMs === undefined) {
      throw new MalformedFieldError("'r.v' must come with 'r.ts' and 'r.ttl'");
    }
    return { id, record: { value, publishedAt, ttlMs }, nodes: readNodes(codec, r) };
  },
};
