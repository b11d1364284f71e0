/**
 * `ping` (BEP 5): are you there? The reply carries only the responder's id.
 *
 * @module
 */
import type { NodeContext } from "../../node_context.ts";
import type { KrpcMethod, MethodArgs, MethodReply } from "../method.ts";
import { readId } from "./_fields.ts";

/** The `ping` method. */
export const ping: KrpcMethod<MethodArgs, MethodReply, NodeContext> = {
  name: "ping",
  encodeArgs: (args) => ({ id: args.id }),
  decodeArgs: (codec, a) => ({ id: readId(codec, a, "id", "a") }),
  handle: (context) => ({ id: context.id }),
  encodeReply: (reply) => ({ id: reply.id }),
  decodeReply: (codec, r) => ({ id: readId(codec, r, "id", "r") }),
};
