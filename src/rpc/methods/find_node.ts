/**
 * `find_node` (BEP 5): the k contacts nearest a target that the responder knows, as compact
 * node info in `nodes` (IPv4) and `nodes6` (IPv6, BEP 32, by the requester's `want`).
 *
 * @module
 */
import type { NodeContext } from "../../node_context.ts";
import type { Codec, WireDict } from "../../wire/codec.ts";
import type { NodeInfo } from "../../wire/compact_nodes.ts";
import type { KrpcMethod, MethodArgs, MethodReply } from "../method.ts";
import { readId, readNodes, readWant, replyFamilies, writeNodes } from "./_fields.ts";

/** Arguments of `find_node`. */
export interface FindNodeArgs extends MethodArgs {
  /** The 20-byte id sought. */
  readonly target: Uint8Array;
  /** BEP 32 address families wanted ("n4", "n6"). */
  readonly want?: readonly string[] | undefined;
}

/** Reply of `find_node`. */
export interface FindNodeReply extends MethodReply {
  /** The contacts nearest the target, nearest first. */
  readonly nodes: readonly NodeInfo[];
}

/** Writes `id`, `target` and `want` (shared by every method that asks for node lists). */
export function encodeTargetArgs(args: FindNodeArgs, targetKey = "target"): WireDict {
  const a: WireDict = { id: args.id, [targetKey]: args.target };
  if (args.want) a.want = [...args.want];
  return a;
}

/** Reads `id`, `target` (or another 20-byte key) and `want`. */
export function decodeTargetArgs(codec: Codec, a: WireDict, targetKey = "target"): FindNodeArgs {
  return {
    id: readId(codec, a, "id", "a"),
    target: readId(codec, a, targetKey, "a"),
    want: readWant(codec, a),
  };
}

/** The `find_node` method. */
export const findNode: KrpcMethod<FindNodeArgs, FindNodeReply, NodeContext> = {
  name: "find_node",
  encodeArgs: (args) => encodeTargetArgs(args),
  decodeArgs: (codec, a) => decodeTargetArgs(codec, a),
  handle: (context, args) => ({
    id: context.id,
    nodes: context.keeper.closest(args.target, context.k, args.id),
  }),
  encodeReply: (reply, args, query) => {
    const r: WireDict = { id: reply.id };
    writeNodes(r, reply.nodes, replyFamilies(args.want, query.from.host));
    return r;
  },
  decodeReply: (codec, r) => ({ id: readId(codec, r, "id", "r"), nodes: readNodes(codec, r) }),
};
