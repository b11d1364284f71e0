/**
 * `find_value` (our extension, the paper's FIND_VALUE): the record under a key if the
 * responder holds one — its value with the value's type, its publication time and lifetime, so
 * the asker can pick the newest and cache a copy that expires when the original does — else
 * the k contacts nearest the key, like `find_node`.
 *
 * @module
 */
import type { NodeContext } from "../../node_context.ts";
import type { WireDict } from "../../wire/codec.ts";
import type { NodeInfo } from "../../wire/compact_nodes.ts";
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
  /** Contacts nearest the key, when it does not. */
  readonly nodes: readonly NodeInfo[];
}

/** The `find_value` method. */
export const findValue: KrpcMethod<FindNodeArgs, FindValueReply, NodeContext> = {
  name: "find_value",
  encodeArgs: (args) => encodeTargetArgs(args),
  decodeArgs: (codec, a) => decodeTargetArgs(codec, a),
  handle: (context, args) => {
    const held = context.records.get(args.target);
    if (held) {
      return {
        id: context.id,
        record: {
          value: held.value,
          publishedAt: held.publishedAt,
          ttlMs: held.expiresAt - held.publishedAt,
        },
        nodes: [],
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
    } else {
      writeNodes(r, reply.nodes, replyFamilies(args.want, query.from.host));
    }
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
    return { id, record: { value, publishedAt, ttlMs }, nodes: [] };
  },
};
