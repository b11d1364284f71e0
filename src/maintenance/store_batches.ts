/**
 * Sends many records to many nodes with one `store_batch` query per node (or a few, when the
 * records do not fit one datagram), as a holder's re-store does: the records a node holds lie
 * near its own id, so most of them go to the same k closest nodes. A node that does not know
 * `store_batch` (KRPC 204) gets one `store` per record instead. At most
 * `MAINTENANCE_CONCURRENCY` nodes are asked at once.
 *
 * @module
 */
import { MAINTENANCE_CONCURRENCY } from "../constants.ts";
import { RpcError, TransportError } from "../errors.ts";
import { idKey } from "../id/node_id.ts";
import { inPool } from "../operations/_pool.ts";
import { ask } from "../operations/ask.ts";
import type { Services } from "../operations/services.ts";
import { valueByteLength } from "../records/record.ts";
import { store, type StoreArgs } from "../rpc/methods/store.ts";
import { type BatchRecord, MAX_BATCH_RECORDS, storeBatch } from "../rpc/methods/store_batch.ts";
import type { NodeInfo } from "../wire/compact_nodes.ts";

/** Estimated bytes of records per batch: well inside a default 8 KiB datagram in either codec. */
const BATCH_BUDGET = 4000;
/** What one record costs in a batch besides its value: keys, target, stamps, publisher. */
const RECORD_OVERHEAD = 120;

/** Records for one node. */
export interface Delivery {
  /** The node. */
  readonly node: NodeInfo;
  /** What to store on it. */
  readonly records: BatchRecord[];
}

/**
 * Groups (record, node) pairs by node.
 *
 * @param pairs each record with the nodes it goes to
 * @returns one delivery per node, in first-seen order
 */
export function byNode<R extends BatchRecord>(
  pairs: readonly { readonly record: R; readonly nodes: readonly NodeInfo[] }[],
): Delivery[] {
  const deliveries = new Map<string, Delivery>();
  for (const { record, nodes } of pairs) {
    for (const node of nodes) {
      const key = idKey(node.id);
      let delivery = deliveries.get(key);
      if (delivery === undefined) deliveries.set(key, delivery = { node, records: [] });
      delivery.records.push(record);
    }
  }
  return [...deliveries.values()];
}

function chunks(records: readonly BatchRecord[]): BatchRecord[][] {
  const out: BatchRecord[][] = [];
  let current: BatchRecord[] = [];
  let size = 0;
  for (const record of records) {
    // JSON carries bytes as base64: count a third more for every value.
    const cost = RECORD_OVERHEAD + Math.ceil(valueByteLength(record.value) * 4 / 3);
    if (current.length > 0 && (size + cost > BATCH_BUDGET || current.length >= MAX_BATCH_RECORDS)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += cost;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Stores every delivery's records on its node.
 *
 * @param services the running node
 * @param deliveries records per node
 * @param signal aborts the stores
 * @returns how many nodes acknowledged each record (records never acknowledged are absent)
 */
export async function deliver(
  services: Services,
  deliveries: readonly Delivery[],
  signal: AbortSignal,
): Promise<Map<BatchRecord, number>> {
  const acks = new Map<BatchRecord, number>();
  const stored = (record: BatchRecord) => acks.set(record, (acks.get(record) ?? 0) + 1);
  const tasks = deliveries.flatMap(({ node, records }) =>
    chunks(records).map((batch) => () => sendBatch(services, node, batch, signal, stored))
  );
  await inPool(tasks, MAINTENANCE_CONCURRENCY);
  signal.throwIfAborted();
  return acks;
}

async function sendBatch(
  services: Services,
  node: NodeInfo,
  batch: BatchRecord[],
  signal: AbortSignal,
  stored: (record: BatchRecord) => void,
): Promise<void> {
  const id = services.context.id;
  try {
    const reply = await ask(services, node, storeBatch, { id, records: batch }, signal);
    reply.outcomes.forEach((code, i) => {
      if (code === 0 && i < batch.length) stored(batch[i]!);
    });
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof TransportError && error.code === "too_large" && batch.length > 1) {
      const half = batch.length >> 1;
      await sendBatch(services, node, batch.slice(0, half), signal, stored);
      await sendBatch(services, node, batch.slice(half), signal, stored);
    } else if (error instanceof RpcError && error.code === 204) {
      // It does not know store_batch: one store per record, as a `set` does.
      for (const record of batch) {
        const args: StoreArgs = { ...record, id };
        await ask(services, node, store, args, signal).then(() => stored(record), () => {});
      }
    }
    // Any other failure: the node is gone or refused; the keeper heard of it through `ask`.
  }
}
