/**
 * A set of 20-byte ids keyed by a number, for the paths that test every id a reply names (a
 * lookup's seen set): building a string key per id was the lookup's largest self cost on Bun.
 *
 * @module
 */
import { idKey, idsEqual, idTail } from "./node_id.ts";

/**
 * A set of ids, keyed by `idTail`. Two ids on one key are told apart by their bytes; the second
 * and later go to a string-keyed set, so the set is exact whatever ids it is given (an attacker
 * who picks ids to collide only costs it the string keys).
 */
export class IdSet {
  readonly #byKey = new Map<number, Uint8Array>();
  #more: Set<string> | undefined;

  /**
   * Adds an id.
   *
   * @param id a 20-byte id; kept by reference, so it must not change afterwards
   * @returns true if it was not in the set
   */
  add(id: Uint8Array): boolean {
    const key = idTail(id);
    const held = this.#byKey.get(key);
    if (held === undefined) {
      this.#byKey.set(key, id);
      return true;
    }
    if (idsEqual(held, id)) return false;
    const more = this.#more ??= new Set();
    const text = idKey(id);
    if (more.has(text)) return false;
    more.add(text);
    return true;
  }
}
