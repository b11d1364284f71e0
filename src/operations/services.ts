/**
 * What an operation needs from a running node: the shared context, the RPC socket and the
 * lookup parameters. The node builds one when it listens.
 *
 * @module
 */
import type { NodeContext } from "../node_context.ts";
import type { Random } from "../random.ts";
import type { KrpcSocket } from "../rpc/krpc_socket.ts";
import type { LookupStats } from "../metrics/lookup_stats.ts";

/** A running node's parts, as operations see them. */
export interface Services {
  /** The context query handlers share. */
  readonly context: NodeContext;
  /** The node's RPC socket. */
  readonly rpc: KrpcSocket;
  /** Randomness for refresh targets. */
  readonly random: Random;
  /** Lookup queries in flight. */
  readonly alpha: number;
  /** Lookup totals and histograms, updated by every lookup. */
  readonly counters: LookupStats;
  /** Mark our queries read-only (BEP 43). */
  readonly readOnly: () => boolean;
}
