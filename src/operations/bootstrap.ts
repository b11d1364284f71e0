/**
 * Joining a network (paper §2.3): ask each bootstrap address for the nodes nearest our own id,
 * look our id up through what they return, then refresh the farther buckets that lookup left
 * empty, so that other nodes learn of us and our table has a route everywhere. An address counts as reached only if a node there
 * answered (a silent one is asked twice); with none reached the join fails, saying per address
 * why.
 *
 * @module
 */
import { BootstrapError, type BootstrapFailure, TimeoutError } from "../errors.ts";
import { randomIdWithPrefix } from "../id/node_id.ts";
import { findNode } from "../rpc/methods/find_node.ts";
import type { Address } from "../transport/datagram_transport.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";
import { inPool } from "./_pool.ts";
import { queryFailure } from "./failure_reason.ts";
import { findNodes } from "./find_nodes.ts";
import type { Services } from "./services.ts";

/** Far-bucket refresh lookups in progress at once during a join. */
const REFRESH_CONCURRENCY = 2;
/**
 * A far bucket with this many contacts after the join's own lookup needs no lookup of its own:
 * lookups have a route into its range, the nodes there fill it as they query us, and the
 * hourly refresh looks it up if it stays short. Looking up every far bucket doubled the
 * datagrams of a join (264 against 139 per join in the churn run) for no gain over the run.
 */
const FAR_BUCKET_MIN = 1;

/** What `bootstrap` achieved. */
export interface BootstrapOutcome {
  /** How many addresses answered. */
  readonly reached: number;
  /** The addresses that answered. */
  readonly answered: readonly Address[];
  /** The addresses that did not, and why. */
  readonly failed: readonly BootstrapFailure[];
}

/**
 * Joins through `addresses`.
 *
 * @param services the running node
 * @param addresses where to join; the routing table's contacts when empty (a restarted node)
 * @param signal aborts the join
 * @throws {BootstrapError} if no address answered (or there was none)
 */
export async function bootstrap(
  services: Services,
  addresses: readonly Address[],
  signal: AbortSignal,
): Promise<BootstrapOutcome> {
  const { context, rpc } = services;
  const { keeper, id } = context;
  const targets = addresses.length > 0 ? addresses : keeper.table.contacts();
  const timeoutMs = keeper.defaultTimeouts().timeoutMs;
  const answered: Address[] = [];
  const failed: BootstrapFailure[] = [];
  const seeds: NodeInfo[] = [];
  await Promise.all(targets.map(async ({ host, port }) => {
    const address = { host, port };
    try {
      const ask = () =>
        rpc.query(address, findNode, { id, target: id }, {
          signal,
          timeoutMs,
          readOnly: services.readOnly(),
        });
      // One lost datagram must not fail a join: a silent address is asked once more.
      const reply = await ask().catch((error) => {
        if (error instanceof TimeoutError) return ask();
        throw error;
      });
      // A bootstrap address has no expected id: whoever answers there is the contact.
      keeper.answered({ id: reply.body.id, host, port }, reply.body.id, reply.rttMs);
      answered.push(address);
      seeds.push(...reply.body.nodes);
    } catch (error) {
      signal.throwIfAborted();
      const failure = queryFailure(error);
      failed.push({
        address,
        reason: failure.reason === "wrong_node" ? "bad_reply" : failure.reason,
        message: failure.message,
      });
    }
  }));
  if (answered.length === 0) throw new BootstrapError(failed);
  // Best effort: a join is about learning contacts, and a slow node's late answer still
  // reaches the routing table after the lookup moved on.
  await findNodes(services, id, { signal, extraSeeds: seeds, bestEffort: true, askAll: true });
  await refreshFarBuckets(services, signal);
  return { reached: answered.length, answered, failed };
}

/**
 * Looks up a random id in each bucket, except the one holding our own id, that the lookup of
 * our own id left with fewer than {@linkcode FAR_BUCKET_MIN} contacts, a few at a time.
 */
async function refreshFarBuckets(services: Services, signal: AbortSignal): Promise<void> {
  const { context, random } = services;
  const table = context.keeper.table;
  const count = table.bucketCount;
  const tasks = [];
  for (let prefix = 0; prefix < count - 1; prefix++) {
    const target = randomIdWithPrefix(context.id, prefix, random);
    if (table.bucketContacts(target).length >= FAR_BUCKET_MIN) continue;
    // The β-style stop: the bucket needs a few live contacts, which the nearest nodes that
    // answer are, not the k closest to a random id, each asked.
    tasks.push(() => findNodes(services, target, { signal, bestEffort: true }));
  }
  await inPool(tasks, REFRESH_CONCURRENCY);
}
