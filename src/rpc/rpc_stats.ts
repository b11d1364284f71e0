/**
 * The RPC layer's counters.
 *
 * @module
 */

/**
 * Why a datagram was dropped without an answer.
 *
 * @example
 * ```ts
 * import { KademliaNode, type DropReason } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const reason: DropReason = "overloaded";
 * console.log(node.stats().droppedByReason[reason]); // 0
 * ```
 */
export type DropReason =
  /** An inbound query while `maxConcurrentQueries` answers were pending. */
  | "overloaded"
  /** An inbound query while the node answers none (BEP 43 read-only). */
  | "not_answering"
  /** A reply whose transaction id no pending query has (late, duplicate or forged). */
  | "unknown_transaction"
  /** A reply to a pending query, from another address than the query went to. */
  | "wrong_address";

/**
 * Message counters, all since the socket was created.
 *
 * @example
 * ```ts
 * import { KademliaNode, type RpcStats } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const stats: RpcStats = node.stats();
 * console.log(stats.sent > 0, stats.timedOut); // true 0
 * ```
 */
export interface RpcStats {
  /** Datagrams sent (queries, responses and errors). */
  sent: number;
  /** Datagrams received. */
  received: number;
  /** Queries we sent. */
  queriesSent: number;
  /** Queries we sent, by method. */
  queriesByMethod: Record<string, number>;
  /** Queries we received and handled. */
  queriesReceived: number;
  /** Queries we received, by the method that answered them (`unknown` for error 204). */
  queriesReceivedByMethod: Record<string, number>;
  /** Replies (responses or errors) matched to our queries. */
  responsesReceived: number;
  /** KRPC error replies received. */
  errorsReceived: number;
  /** Error replies we sent. */
  errorsSent: number;
  /** Our queries that got no reply in time. */
  timedOut: number;
  /** Our queries that got no reply in time, by method. */
  timedOutByMethod: Record<string, number>;
  /**
   * Datagrams dropped: inbound queries while too many answers are pending or while not
   * answering, replies nobody waits for or from another address than the query went to.
   */
  dropped: number;
  /** The dropped datagrams, by reason. */
  droppedByReason: Record<DropReason, number>;
  /** Datagrams that did not decode or were not valid KRPC. */
  malformed: number;
  /** Datagrams in the other codec (a JSON node hearing bencode, or the reverse); also malformed. */
  otherCodec: number;
  /** Sends the transport refused or failed. */
  sendFailures: number;
  /** Queries sent a second time, unanswered at their `resendAfterMs` (not in `queriesSent`). */
  resent: number;
}

/** All counters at zero. */
export function emptyRpcStats(): RpcStats {
  return {
    sent: 0,
    received: 0,
    queriesSent: 0,
    queriesByMethod: {},
    queriesReceived: 0,
    queriesReceivedByMethod: {},
    responsesReceived: 0,
    errorsReceived: 0,
    errorsSent: 0,
    timedOut: 0,
    timedOutByMethod: {},
    dropped: 0,
    droppedByReason: { overloaded: 0, not_answering: 0, unknown_transaction: 0, wrong_address: 0 },
    malformed: 0,
    otherCodec: 0,
    sendFailures: 0,
    resent: 0,
  };
}
