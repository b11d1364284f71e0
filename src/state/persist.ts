/**
 * Saving and restoring a node's state (the format is src/state/saved_state.ts): what a node
 * writes, how a file is read without ever crashing or half-loading, how the records it
 * publishes come back, and how saved contacts are revalidated — pinged, and trusted only if
 * the node that answers is the one saved — before they enter the routing table.
 *
 * @module
 */
import type { NodeContext } from "../node_context.ts";
import { inPool } from "../operations/_pool.ts";
import type { Services } from "../operations/services.ts";
import { compareRecords } from "../records/record.ts";
import { hasRtt, rttFromMs, timeoutsFor } from "../routing/rtt.ts";
import { ping } from "../rpc/methods/ping.ts";
import type { Serialization } from "../wire/codec.ts";
import {
  decodeState,
  encodeState,
  type NodeState,
  type SavedContact,
  type SavedPublication,
} from "./saved_state.ts";
import type { StateStore } from "./state_store.ts";

/** Pings in flight while revalidating saved contacts (k-rpc's MAX_CONCURRENCY is 16). */
const REVALIDATE_CONCURRENCY = 16;
const HEALTH_ORDER = { good: 0, questionable: 1, bad: 2 } as const;

/**
 * What a node saves now.
 *
 * @param context the node's parts
 * @param serialization its codec
 * @returns the state
 */
export function captureState(context: NodeContext, serialization: Serialization): NodeState {
  const { keeper, records, clock } = context;
  const now = clock.now();
  const wall = Math.floor(clock.wallTime());
  const table = keeper.table;
  const contacts = table.contacts().map((contact): SavedContact => ({
    id: contact.id,
    host: contact.host,
    port: contact.port,
    health: table.health(contact, now),
    failures: contact.failures,
    srtt: hasRtt(contact) ? contact.srttUs / 1000 : undefined,
    rttvar: contact.rttvarUs / 1000,
  })).sort((a, b) => HEALTH_ORDER[a.health] - HEALTH_ORDER[b.health]);
  const published = records.storage.republishDue(Number.MAX_SAFE_INTEGER)
    .filter((record) => record.expiresAt > wall)
    .map((record): SavedPublication => ({
      key: record.key,
      value: record.value,
      publishedAt: record.publishedAt,
      expiresAt: record.expiresAt,
      name: record.name,
    }));
  return { id: context.id, serialization, savedAt: wall, contacts, published };
}

/**
 * Writes the state file.
 *
 * @param store the file system
 * @param path where
 * @param state what
 */
export async function writeStateFile(
  store: StateStore,
  path: string,
  state: NodeState,
): Promise<void> {
  await store.write(path, encodeState(state));
}

/**
 * Reads the state file. A missing file is a fresh start without a word; a file that cannot
 * be read or used is a fresh start with a warning that says why.
 *
 * @param store the file system
 * @param path where
 * @param serialization the codec this node speaks
 * @param warn told why a file was not used
 * @returns the state, or undefined for a fresh start
 */
export async function readStateFile(
  store: StateStore,
  path: string,
  serialization: Serialization,
  warn: (message: string) => void,
): Promise<NodeState | undefined> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await store.read(path);
  } catch (error) {
    warn(`cannot read state file ${path}: ${(error as Error)?.message}; starting fresh`);
    return undefined;
  }
  if (bytes === undefined) return undefined;
  const decoded = decodeState(bytes, serialization);
  if ("problem" in decoded) {
    warn(`ignoring state file ${path}: ${decoded.problem}; starting fresh`);
    return undefined;
  }
  return decoded.state;
}

/**
 * Puts the records this node publishes back in its storage, unless it holds them (or later
 * writes of their keys) already, as a persistent store does.
 *
 * @param context the node's parts
 * @param published the saved records
 * @returns how many were restored
 */
export function restorePublished(
  context: NodeContext,
  published: readonly SavedPublication[],
): number {
  const { records, clock, id } = context;
  const now = clock.wallTime();
  let restored = 0;
  for (const saved of published) {
    if (saved.expiresAt <= now) continue;
    const held = records.storage.get(saved.key);
    if (held !== undefined && compareRecords(held, saved) >= 0) continue;
    const result = records.storage.put({
      key: saved.key,
      value: saved.value,
      publishedAt: saved.publishedAt,
      expiresAt: saved.expiresAt,
      publisher: id,
      local: true,
      receivedAt: now,
      name: saved.name,
    });
    if (result.stored) restored++;
  }
  return restored;
}

/**
 * Pings the saved contacts, most trusted first, a few at a time, each with a timeout from
 * its saved RTT; a contact enters the routing table only if the node that answers at its
 * address has its id.
 *
 * @param services the running node
 * @param contacts the saved contacts
 * @param timeouts the node's `slowQueryMs` and `queryTimeoutMs` ceilings
 * @param signal aborts the pings
 * @returns how many answered as saved
 */
export async function revalidateContacts(
  services: Services,
  contacts: readonly SavedContact[],
  timeouts: { readonly slowQueryMs: number; readonly queryTimeoutMs: number },
  signal: AbortSignal,
): Promise<number> {
  const { keeper, id } = services.context;
  let answered = 0;
  const ordered = [...contacts].sort((a, b) => HEALTH_ORDER[a.health] - HEALTH_ORDER[b.health]);
  await inPool(
    ordered.map((contact) => async () => {
      const estimate = rttFromMs(contact.srtt, contact.rttvar);
      const { timeoutMs } = timeoutsFor(estimate, timeouts.slowQueryMs, timeouts.queryTimeoutMs);
      try {
        const reply = await services.rpc.query(contact, ping, { id }, {
          signal,
          timeoutMs,
          readOnly: services.readOnly(),
        });
        // Another id at the saved address is a newcomer there, not the contact saved: the
        // keeper treats it so (and does not count it here).
        if (keeper.answered(contact, reply.body.id, reply.rttMs)) answered++;
      } catch {
        signal.throwIfAborted();
      }
    }),
    REVALIDATE_CONCURRENCY,
  );
  return answered;
}
