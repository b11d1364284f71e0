/**
 * The receiving side of a `store` for namespaced keys: before {@linkcode Records.accept}
 * decides, the key as written (`a.key`) must hash to the target, the namespace's validator must
 * accept the value, and of the held and the incoming value the namespace's `select` decides
 * which stays. Plain keys go straight to `accept` (last writer wins).
 *
 * @module
 */
import { hashKey, idsEqual } from "../id/node_id.ts";
import { ErrorCode } from "../wire/envelope.ts";
import type { AcceptOutcome, IncomingRecord, Records } from "./records.ts";
import type { RecordSource } from "./storage.ts";
import { type Validators, valuesEqual } from "./validators.ts";

/** A store refused before it reached the records, with the KRPC code that says so. */
export interface NamingRefusal {
  /** Nothing was stored. */
  readonly stored: false;
  /** `bad_name`: `a.key` does not hash to the target; `unnamed`: a validated key's store came
   * without `a.key`; `invalid`: the validator rejected the value. */
  readonly reason: "bad_name" | "unnamed" | "invalid";
  /** 203: invalid arguments. */
  readonly code: 203;
  /** Why, for the sender. */
  readonly message: string;
}

/**
 * Decides a `store` query, validating namespaced keys.
 *
 * @param records the node's records
 * @param validators the node's validators
 * @param incoming the record sent, with `name` when `a.key` was given
 * @param source who sent it
 * @returns what was decided; a promise when a validator runs
 */
export function acceptValidated(
  records: Records,
  validators: Validators,
  incoming: IncomingRecord,
  source: RecordSource,
): AcceptOutcome | NamingRefusal | Promise<AcceptOutcome | NamingRefusal> {
  const name = incoming.name;
  if (name !== undefined && !idsEqual(hashKey(name), incoming.key)) {
    return refuse("bad_name", "'a.key' does not hash to 'a.target'");
  }
  const order = validators.orderFor(name);
  if (order === undefined) {
    // A store without the name must not replace a validated record: it would skip validation.
    const held = name === undefined ? records.get(incoming.key) : undefined;
    if (held?.name !== undefined && validators.forKey(held.name)) {
      return refuse("unnamed", `the key is namespaced: the store must carry it in 'a.key'`);
    }
    return records.accept(incoming, source);
  }
  return (async () => {
    try {
      await validators.validate(name!, incoming.value);
    } catch (error) {
      return refuse("invalid", (error as Error).message);
    }
    // A held value that no longer validates (stored before the validator was registered, or
    // the validator changed) gives way to any valid one.
    const held = records.get(incoming.key);
    let rank = order;
    if (held && !valuesEqual(held.value, incoming.value)) {
      try {
        await validators.validate(name!, held.value);
      } catch {
        rank = () => 1;
      }
    }
    return records.accept(incoming, source, rank);
  })();
}

function refuse(reason: NamingRefusal["reason"], message: string): NamingRefusal {
  return { stored: false, reason, code: ErrorCode.Protocol, message };
}
