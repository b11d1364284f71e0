/**
 * `ping`: asks the node at an address whether it is there (BEP 5 `ping`). Whoever answers is
 * a contact, as for a bootstrap address: the reply updates the routing table.
 *
 * @module
 */
import { ping } from "../rpc/methods/ping.ts";
import type { Address } from "../transport/datagram_transport.ts";
import type { Services } from "./services.ts";

/** Who answered a ping, and how fast. */
export interface PingOutcome {
  /** The id in the reply. */
  readonly id: Uint8Array;
  /** The round trip in ms. */
  readonly rttMs: number;
}

/**
 * Pings `address`.
 *
 * @param services the running node
 * @param address where to ask
 * @param signal aborts the query
 * @returns the answering id and the round trip
 * @throws as {@linkcode KrpcSocket.query} does: TimeoutError, RpcError, TransportError
 */
export async function pingAddress(
  services: Services,
  address: Address,
  signal: AbortSignal,
): Promise<PingOutcome> {
  const { context, rpc } = services;
  const { host, port } = address;
  const reply = await rpc.query({ host, port }, ping, { id: context.id }, {
    signal,
    timeoutMs: context.keeper.defaultTimeouts().timeoutMs,
    readOnly: services.readOnly(),
  });
  context.keeper.answered({ id: reply.body.id, host, port }, reply.body.id, reply.rttMs);
  return { id: reply.body.id, rttMs: reply.rttMs };
}
