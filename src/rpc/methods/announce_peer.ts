/**
 * `announce_peer` (BEP 5): "I provide the content under this info hash". Arguments: `id`,
 * `info_hash`, `port`, `token` (from the responder's `get_peers` reply to the same IP) and
 * `implied_port` (1: use the announce's UDP source port instead of `port`, for peers behind NAT).
 *
 * The responder stores the provider only with a token it issued to the sender's IP for this info
 * hash, within the last 5 to 10 minutes, and only with a usable port. Anything else is a KRPC
 * error (203) and stores nothing: a missing or wrong token, a `port` of 0 or out of range
 * without `implied_port`. A full provider store answers 202.
 *
 * @module
 */
import { RpcError } from "../../errors.ts";
import type { NodeContext } from "../../node_context.ts";
import type { WireDict } from "../../wire/codec.ts";
import { ErrorCode } from "../../wire/envelope.ts";
import type { KrpcMethod, MethodArgs, MethodReply } from "../method.ts";
import { MalformedFieldError } from "../method.ts";
import { readId } from "./_fields.ts";

/** Arguments of `announce_peer`. */
export interface AnnouncePeerArgs extends MethodArgs {
  /** The 20-byte info hash (the key's id). */
  readonly target: Uint8Array;
  /** The port provided; ignored by the responder when `impliedPort` is set. */
  readonly port: number;
  /** Use the announce's source port (BEP 5 `implied_port: 1`). */
  readonly impliedPort: boolean;
  /** The write token from the responder's `get_peers` reply. */
  readonly token: Uint8Array;
}

/** The `announce_peer` method. */
export const announcePeer: KrpcMethod<AnnouncePeerArgs, MethodReply, NodeContext> = {
  name: "announce_peer",
  encodeArgs: (args) => {
    const a: WireDict = {
      id: args.id,
      info_hash: args.target,
      port: args.port,
      token: args.token,
    };
    if (args.impliedPort) a.implied_port = 1;
    return a;
  },
  decodeArgs: (codec, a) => {
    const implied = a.implied_port;
    if (implied !== undefined && implied !== 0 && implied !== 1) {
      throw new MalformedFieldError("'a.implied_port' must be 0 or 1");
    }
    const impliedPort = implied === 1;
    const port = a.port;
    if (
      !impliedPort && !(Number.isInteger(port) && (port as number) >= 1 && port as number <= 65535)
    ) {
      throw new MalformedFieldError("'a.port' must be an integer from 1 to 65535");
    }
    if (!("token" in a)) throw new MalformedFieldError("'a.token' missing");
    const token = codec.bytes(a.token);
    if (!token) throw new MalformedFieldError("'a.token' must be a byte string");
    return {
      id: readId(codec, a, "id", "a"),
      target: readId(codec, a, "info_hash", "a"),
      port: typeof port === "number" ? port : 0,
      impliedPort,
      token,
    };
  },
  handle: (context, args, query) => {
    if (!context.tokens.verify(args.token, query.from.host, args.target)) {
      throw new RpcError(ErrorCode.Protocol, "bad token: get one with get_peers from this IP");
    }
    const port = args.impliedPort ? query.from.port : args.port;
    if (!context.providers.add(args.target, { id: args.id, host: query.from.host, port })) {
      throw new RpcError(ErrorCode.Server, "provider store full");
    }
    return { id: context.id };
  },
  encodeReply: (reply) => ({ id: reply.id }),
  decodeReply: (codec, r) => ({ id: readId(codec, r, "id", "r") }),
};
