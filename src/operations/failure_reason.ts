/**
 * Names the cause of a failed query, for results that report per-peer outcomes.
 *
 * @module
 */
import { ProtocolError, RpcError, TimeoutError, TransportError } from "../errors.ts";
import { WRONG_CODEC_MESSAGE } from "../rpc/krpc_socket.ts";

/**
 * Why a query to one peer failed.
 *
 * @example
 * ```ts
 * import { KademliaNode, type QueryFailureReason } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const result = await node.set("k", "v");
 * const reasons: QueryFailureReason[] = result.failed.map((f) => f.reason);
 * console.log(reasons); // []: the one peer stored it
 * ```
 */
export type QueryFailureReason =
  /** No reply in time. */
  | "timeout"
  /** The peer answered with a KRPC error (a refusal); `code` says which. */
  | "refused"
  /** The peer speaks the other codec. */
  | "other_codec"
  /** The reply was malformed for its method. */
  | "bad_reply"
  /** Another node id answered at that address. */
  | "wrong_node"
  /** The address is of the other family than our socket. */
  | "address_family"
  /** The datagram could not be sent. */
  | "send_failed";

/**
 * A failed query's cause, with the KRPC code for refusals.
 *
 * @example
 * ```ts
 * import { KademliaNode, type QueryFailure } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const result = await node.set("k", "v");
 * for (const failure of result.failed as QueryFailure[]) console.log(failure.reason, failure.message);
 * ```
 */
export interface QueryFailure {
  /** The cause. */
  readonly reason: QueryFailureReason;
  /** The KRPC error code, when the peer refused. */
  readonly code?: number;
  /** What happened, for people. */
  readonly message: string;
}

/**
 * Classifies the error a query rejected with. Errors that are not about the peer (the node
 * closing, an abort) are rethrown.
 *
 * @param error what the query rejected with
 * @returns the cause
 */
export function queryFailure(error: unknown): QueryFailure {
  const message = (error as Error)?.message ?? String(error);
  if (error instanceof TimeoutError) return { reason: "timeout", message };
  if (error instanceof RpcError) {
    if (error.code === 203 && error.message.startsWith(WRONG_CODEC_MESSAGE)) {
      return { reason: "other_codec", code: error.code, message };
    }
    return { reason: "refused", code: error.code, message };
  }
  if (error instanceof ProtocolError) return { reason: error.code, message };
  if (error instanceof TransportError) {
    return { reason: error.code === "address_family" ? "address_family" : "send_failed", message };
  }
  throw error;
}
