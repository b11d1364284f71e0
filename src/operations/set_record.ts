/**
 * `set` under a namespaced key with a validator (libp2p's put with validators and selectors):
 * the value is validated before any traffic; it must not rank below this node's own copy; then
 * the walk that finds the k closest nodes also reads what they hold, and a value `select` ranks
 * above the new one refuses the set before anything is stored. Only then is it published here
 * and stored on the k closest, each of which validates and ranks it again.
 *
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { QueryEvent } from "../query_events.ts";
import type { TypedValue } from "../wire/value.ts";
import { quorumRead } from "./quorum_read.ts";
import type { Services } from "./services.ts";
import { type StoreOutcome, storeValue } from "./store_value.ts";

/**
 * Publishes a value under a validated key.
 *
 * @param services the running node
 * @param target the key's 20-byte id
 * @param name the key as written, `/namespace/rest`, whose namespace has a validator
 * @param value the value
 * @param options lifetime, abort signal and events
 * @throws {ValidationError} `invalid` if the validator rejects the value; `outranked` if `select`
 *   prefers the value this node or the network holds
 */
export async function setRecord(
  services: Services,
  target: Uint8Array,
  name: string,
  value: TypedValue,
  options: {
    ttlMs?: number | undefined;
    signal: AbortSignal;
    emit?: ((event: QueryEvent) => void) | undefined;
  },
): Promise<StoreOutcome> {
  const { records, validators } = services.context;
  await validators.validate(name, value);
  const outranked = (): ValidationError =>
    new ValidationError(
      "outranked",
      name,
      `Cannot set '${name}': the namespace's select prefers the value already held`,
    );
  const local = records.get(target);
  if (local && validators.outranks(name, local.value, value)) throw outranked();
  const read = await quorumRead(services, target, {
    name,
    correct: false,
    signal: options.signal,
    emit: options.emit,
  });
  if (read.best && validators.outranks(name, read.best.value, value)) {
    throw outranked();
  }
  return await storeValue(services, target, value, {
    ttlMs: options.ttlMs,
    name,
    closest: read.closest,
    signal: options.signal,
  });
}
