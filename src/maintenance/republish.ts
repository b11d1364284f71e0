/**
 * The original publisher's republish (paper §2.5): every record this node published is
 * published again, with a new publication time, every `republishIntervalMs`, so it lives for
 * as long as its publisher does. A record whose TTL ends before its republish is due (a `set`
 * with a short `ttlMs`) is not republished: it expires, as asked.
 *
 * The republish looks the key up with `find_value` rather than `find_node`: if the network
 * holds a later write of the same key (another node's `set`), this node adopts it and stops
 * being the publisher instead of overwriting it (last writer wins).
 *
 * Records due within `slackMs` of each other are republished in one run, so a publisher of
 * many records wakes up once per batch rather than once per record.
 *
 * @module
 */
import { MAINTENANCE_CONCURRENCY } from "../constants.ts";
import { inPool } from "../operations/_pool.ts";
import { findRecord } from "../operations/find_record.ts";
import type { Services } from "../operations/services.ts";
import { compareRecords, type StoredRecord } from "../records/record.ts";
import { storeOn } from "./store_on.ts";

/** What a republish run needs besides the node. */
export interface RepublishOptions {
  /** How long after its publication a record is published again. */
  readonly intervalMs: number;
  /** Records due this much early are republished in the same run. */
  readonly slackMs: number;
  /** Aborts the run. */
  readonly signal: AbortSignal;
}

/** What one republish run did. */
export interface RepublishOutcome {
  /** Records published again. */
  readonly republished: number;
  /** Records given up because the network holds a later write. */
  readonly superseded: number;
  /** Stores acknowledged. */
  readonly stores: number;
  /** When the next record falls due, in ms from now. */
  readonly nextInMs: number;
}

/** True if the record outlives its next republish time (else it is left to expire). */
function republishable(record: StoredRecord, intervalMs: number): boolean {
  return record.expiresAt - record.publishedAt > intervalMs;
}

/**
 * When the earliest of this node's records next falls due for republish.
 *
 * @param services the running node
 * @param options the interval and slack
 * @returns the delay in ms (the whole interval less the slack when nothing is published)
 */
export function nextRepublishInMs(
  services: Services,
  options: Pick<RepublishOptions, "intervalMs" | "slackMs">,
): number {
  const { records, clock } = services.context;
  const now = clock.wallTime();
  let next = options.intervalMs;
  for (const record of records.storage.republishDue(Number.MAX_SAFE_INTEGER)) {
    if (!republishable(record, options.intervalMs)) continue;
    next = Math.min(next, record.publishedAt + options.intervalMs - now);
  }
  return Math.max(0, next - options.slackMs);
}

/**
 * Republishes this node's records that are due.
 *
 * @param services the running node
 * @param options the interval, the slack and the abort signal
 * @returns what was done and when to run next
 */
export async function republishOwn(
  services: Services,
  options: RepublishOptions,
): Promise<RepublishOutcome> {
  const { records, clock } = services.context;
  const now = clock.wallTime();
  const due = records.storage.republishDue(now - options.intervalMs + options.slackMs)
    .filter((record) => record.expiresAt > now && republishable(record, options.intervalMs));
  let republished = 0;
  let superseded = 0;
  let stores = 0;
  await inPool(
    due.map((record) => async () => {
      const outcome = await republishOne(services, record, options.signal);
      if (outcome === undefined) superseded++;
      else {
        republished++;
        stores += outcome;
      }
    }),
    MAINTENANCE_CONCURRENCY,
  );
  return { republished, superseded, stores, nextInMs: nextRepublishInMs(services, options) };
}

/** @returns stores acknowledged, or undefined if a later write was found and adopted */
async function republishOne(
  services: Services,
  record: StoredRecord,
  signal: AbortSignal,
): Promise<number | undefined> {
  const { context } = services;
  const { id, records } = context;
  const target = record.key;
  const result = await findRecord(services, target, { signal, cache: false });
  const newest = result.record;
  const held = records.storage.get(target);
  // A later write arrived here while we looked (a store, a get): it is no longer ours.
  if (held === undefined || !held.local || held.publishedAt !== record.publishedAt) {
    return undefined;
  }
  if (newest !== undefined && compareRecords(newest, held) > 0) {
    records.adoptNewer({ key: target, ...newest });
    return undefined;
  }
  const { record: fresh } = records.publish(target, held.value, id, {
    ttlMs: held.expiresAt - held.publishedAt,
    name: held.name,
  });
  return await storeOn(services, result.closest, {
    id,
    target,
    value: fresh.value,
    publishedAt: fresh.publishedAt,
    ttlMs: fresh.expiresAt - fresh.publishedAt,
    name: fresh.name,
  }, signal);
}
