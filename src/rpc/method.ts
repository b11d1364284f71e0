/**
 * What a KRPC method is: one object per method (src/rpc/methods/), holding everything about it
 * on both sides of the wire. The RPC layer dispatches through these objects and knows no
 * method by name, so a new method is a new file and a line in the registry.
 *
 * @module
 */
import type { Address } from "../transport/datagram_transport.ts";
import type { Codec, WireDict } from "../wire/codec.ts";

/** Every query's arguments carry the sender's id. */
export interface MethodArgs {
  /** The querying node's 20-byte id. */
  readonly id: Uint8Array;
}

/** Every reply carries the responder's id. */
export interface MethodReply {
  /** The responding node's 20-byte id. */
  readonly id: Uint8Array;
}

/** What the serving side knows about a query besides its arguments. */
export interface QueryInfo {
  /** Who sent it (the datagram's source: tokens, rate limits and BEP 42 use it). */
  readonly from: Address;
  /** BEP 43: the sender asked not to be added to routing tables. */
  readonly readOnly: boolean;
}

/**
 * A KRPC method: how its arguments and reply are written and read, and how a query is answered.
 *
 * @typeParam Args the parsed arguments
 * @typeParam Reply the parsed reply
 * @typeParam Context what the handler needs from the node
 */
export interface KrpcMethod<
  Args extends MethodArgs = MethodArgs,
  Reply extends MethodReply = MethodReply,
  Context = unknown,
> {
  /** The method name, `q` on the wire. */
  readonly name: string;
  /** Writes the arguments dictionary `a`. */
  encodeArgs(args: Args): WireDict;
  /**
   * Reads and validates `a`. Any malformed field makes the whole query malformed.
   * @throws {MalformedFieldError} saying which field is wrong
   */
  decodeArgs(codec: Codec, a: WireDict): Args;
  /**
   * Answers a query.
   * @throws {RpcError} to answer with a KRPC error instead (a refusal is never a success reply)
   */
  handle(context: Context, args: Args, query: QueryInfo): Reply | Promise<Reply>;
  /** Writes the reply dictionary `r`; `args` and `query` say what the requester asked for. */
  encodeReply(reply: Reply, args: Args, query: QueryInfo): WireDict;
  /**
   * Reads and validates `r` on the asking side.
   * @throws {MalformedFieldError} saying which field is wrong
   */
  decodeReply(codec: Codec, r: WireDict): Reply;
}

/** A field of `a` or `r` is missing or has the wrong shape. */
export class MalformedFieldError extends Error {
  /**
   * @param message which field, and what is wrong with it
   */
  constructor(message: string) {
    super(message);
    this.name = "MalformedFieldError";
  }
}
