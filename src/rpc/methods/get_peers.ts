/**
 * `get_peers` (BEP 5), the lookup half: the contacts nearest the info hash, answered exactly
 * like `find_node`. Mainline nodes walk the network with it, so answering it is what lets a
 * bittorrent client route through us. Provider records (its `values` and `token`) belong with
 * `announce_peer`.
 *
 * @module
 */
import type { NodeContext } from "../../node_context.ts";
import type { KrpcMethod } from "../method.ts";
import {
  decodeTargetArgs,
  encodeTargetArgs,
  findNode,
  type FindNodeArgs,
  type FindNodeReply,
} from "./find_node.ts";

/** The `get_peers` method; `target` holds the info hash. */
export const getPeers: KrpcMethod<FindNodeArgs, FindNodeReply, NodeContext> = {
  ...findNode,
  name: "get_peers",
  encodeArgs: (args) => encodeTargetArgs(args, "info_hash"),
  decodeArgs: (codec, a) => decodeTargetArgs(codec, a, "info_hash"),
};
