/**
 * Asks one known node: the query gets that node's adaptive timeout, the outcome feeds the
 * contact keeper, and a reply counts only if it carries the id of the node asked.
 *
 * @module
 */
import { ProtocolError, TimeoutError } from "../errors.ts";
import { idToHex } from "../id/node_id.ts";
import type { KrpcMethod, MethodArgs, MethodReply } from "../rpc/method.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import type { Services } from "./services.ts";

/**
 * Sends `method` to `node` and returns its reply. The query's `id` is this node's id at the
 * time of sending, whatever `args.id` says.
 *
 * @param services the running node
 * @param node the node to ask, with the id we expect to answer
 * @param method the method
 * @param args its arguments
 * @param signal aborts the query
 * @param backoff timed-out tries of this request before this one (see `ContactKeeper.timeouts`)
 * @returns the reply body
 * @throws {ProtocolError} `wrong_node` if another id answered at that address
 * @throws as {@linkcode KrpcSocket.query} does
 */
export async function ask<Args extends MethodArgs, Reply extends MethodReply>(
  services: Services,
  node: NodeInfo,
  method: KrpcMethod<Args, Reply>,
  args: Args,
  signal: AbortSignal,
  backoff = 0,
): Promise<Reply> {
  const keeper = services.context.keeper;
  let reply;
  try {
    // Our id as of sending: BEP 42 may move it while a lookup that started earlier runs, and a
    // query must not advertise the old one.
    const current = args.id === services.context.id ? args : { ...args, id: services.context.id };
    const timeouts = keeper.timeouts(node, backoff);
    reply = await services.rpc.query(node, method, current, {
      signal,
      timeoutMs: timeouts.timeoutMs,
      readOnly: services.readOnly(),
      // Silent half-way to its timeout: sent once more, so that one lost datagram costs a
      // retransmission rather than the node's answer. Half the timeout is the slow threshold
      // where RTTs are known, but never under half the timeout floor: re-sending after a few
      // milliseconds on a busy loopback doubles the traffic that made replies late. Every
      // method may be received twice except a BEP 44 put, whose `cas` the first copy consumes.
      resendAfterMs: method.name === "put" ? undefined : timeouts.timeoutMs / 2,
    });
  } catch (error) {
    if (error instanceof TimeoutError) keeper.failed(node);
    throw error;
  }
  if (!keeper.answered(node, reply.body.id, reply.rttMs)) {
    throw new ProtocolError(
      "wrong_node",
      `${node.host}:${node.port} answered as ${idToHex(reply.body.id)}, not ${idToHex(node.id)}`,
    );
  }
  return reply.body;
}
