/**
 * Namespaced keys and their validators (libp2p's record validators and selectors). A key written
 * `/namespace/rest` belongs to `namespace`; when a validator is registered for it, every value
 * under such a key is checked by its `validate` before it is stored or believed, and of two
 * values its `select` decides which one a node keeps and a read returns. Keys without a
 * namespace, and namespaces no validator is registered for on a node, keep last writer wins
 * there.
 *
 * A default validator guards `/pk/<hash>`: it accepts only a public key whose SHA-1 is the
 * 40-hex `<hash>`.
 *
 * @module
 */
import { ValidationError } from "../errors.ts";
import { hashKey, idToHex } from "../id/node_id.ts";
import type { TypedValue } from "../wire/value.ts";
import { compareRecords, type StoredRecord } from "./record.ts";
import type { IncomingRecord } from "./records.ts";

/** Checks and ranks the values of one namespace. */
export interface Validator {
  /**
   * Throws (or rejects) if `value` may not be stored under `key`.
   *
   * @param key the whole key as written, `/namespace/rest`
   * @param value the value, with its type
   */
  validate(key: string, value: TypedValue): void | Promise<void>;
  /**
   * The index of the best of `values` (all of them valid). On a tie, return the first: the value
   * already held comes first, so it keeps its place.
   *
   * @param key the whole key as written
   * @param values two or more candidate values
   * @returns an index into `values`
   */
  select(key: string, values: TypedValue[]): number;
}

const NAMESPACED = /^\/([^/]+)\//;

/**
 * The namespace of a key written `/namespace/rest`, or `undefined` for any other key (bytes
 * keys are never namespaced).
 *
 * @param key a key as given to `set` or `get`
 */
export function namespaceOf(key: string | Uint8Array): string | undefined {
  return typeof key === "string" ? NAMESPACED.exec(key)?.[1] : undefined;
}

/** True if two values are the same value of the same type. */
export function valuesEqual(a: TypedValue, b: TypedValue): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** How a record store orders an incoming record against the held one (positive: incoming wins). */
export type RecordOrder = (incoming: IncomingRecord, held: StoredRecord) => number;

/** The validators every node starts with, built by the first node (the pk validator is below). */
let defaultValidators: ReadonlyMap<string, Validator> | undefined;

/** The validators a node knows, by namespace. */
export class Validators {
  // Every node starts with the same one; a node gets a map of its own when it registers more.
  #byNamespace: ReadonlyMap<string, Validator> = defaultValidators ??= new Map([
    ["pk", publicKeyValidator],
  ]);

  /**
   * Registers (or replaces) the validator of a namespace.
   *
   * @param namespace the `namespace` of `/namespace/rest`: non-empty, without `/`
   * @param validator its `validate` and `select`
   * @throws {TypeError} if the namespace or the validator is malformed
   */
  register(namespace: string, validator: Validator): void {
    if (typeof namespace !== "string" || namespace.length === 0 || namespace.includes("/")) {
      throw new TypeError(
        `Cannot register validator: the namespace must be a non-empty string without '/', got ${
          JSON.stringify(namespace)
        }`,
      );
    }
    if (
      validator === null || typeof validator !== "object" ||
      typeof validator.validate !== "function" || typeof validator.select !== "function"
    ) {
      throw new TypeError(
        `Cannot register validator for '${namespace}': expected { validate, select } functions`,
      );
    }
    this.#byNamespace = new Map(this.#byNamespace).set(namespace, validator);
  }

  /** The namespaces with a validator. */
  namespaces(): string[] {
    return [...this.#byNamespace.keys()];
  }

  /**
   * The validator for a key, if the key is namespaced and its namespace has one.
   *
   * @param key a key as written
   */
  forKey(key: string | Uint8Array | undefined): Validator | undefined {
    const namespace = key === undefined ? undefined : namespaceOf(key);
    return namespace === undefined ? undefined : this.#byNamespace.get(namespace);
  }

  /**
   * Runs the key's validator on a value.
   *
   * @param key a namespaced key with a validator
   * @param value the value
   * @throws {ValidationError} `invalid`, with the validator's error as `cause`
   */
  async validate(key: string, value: TypedValue): Promise<void> {
    const validator = this.forKey(key);
    if (!validator) return;
    try {
      await validator.validate(key, value);
    } catch (error) {
      throw new ValidationError(
        "invalid",
        key,
        `Invalid value for '${key}': ${(error as Error)?.message ?? String(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * The index of the best of `values` by the key's `select`; 0 without a validator.
   *
   * @param key a namespaced key
   * @param values candidates, the held one first
   * @throws {TypeError} if `select` returns something other than an index into `values`
   */
  best(key: string, values: TypedValue[]): number {
    const validator = this.forKey(key);
    if (!validator || values.length < 2) return 0;
    const index = validator.select(key, values.slice());
    if (!Number.isInteger(index) || index < 0 || index >= values.length) {
      throw new TypeError(
        `Validator for '${key}': select must return an index from 0 to ${values.length - 1}, got ${
          String(index)
        }`,
      );
    }
    return index;
  }

  /**
   * True if `held` beats `incoming` for the key: `select` prefers it and the two differ.
   *
   * @param key a namespaced key with a validator
   * @param held the value held
   * @param incoming the value offered
   */
  outranks(key: string, held: TypedValue, incoming: TypedValue): boolean {
    return !valuesEqual(held, incoming) && this.best(key, [held, incoming]) === 0;
  }

  /**
   * How a store orders records under `key`: by `select` when the values differ, by publication
   * when they are the same value; a held copy without a name (never validated) gives way.
   * `undefined` when the key has no validator (last writer wins).
   *
   * @param key the key as written
   */
  orderFor(key: string | undefined): RecordOrder | undefined {
    if (key === undefined || !this.forKey(key)) return undefined;
    return (incoming, held) => {
      if (valuesEqual(incoming.value, held.value)) return compareRecords(incoming, held);
      if (held.name === undefined) return 1;
      return this.outranks(key, held.value, incoming.value) ? -1 : 1;
    };
  }
}

/**
 * `/pk/<hash>`: the value must be a public key (bytes, or text taken as its UTF-8 bytes) whose
 * SHA-1 is `<hash>` in hex. Every valid value under one key is the same key, so any is best.
 */
export const publicKeyValidator: Validator = {
  validate(key, value) {
    const hash = key.slice("/pk/".length).toLowerCase();
    if (!/^[0-9a-f]{40}$/.test(hash)) {
      throw new Error("a /pk/ key must be /pk/ then the public key's SHA-1 as 40 hex characters");
    }
    if (idToHex(hashKey(value)) !== hash) {
      throw new Error("the public key's SHA-1 does not match the key");
    }
  },
  select: () => 0,
};
