/**
 * One shared empty map for the maps a node keeps for features most nodes never use (BEP 44
 * items, provider records, …): V8 allocates a `Map`'s hash table up front, about 180 bytes
 * for an empty one, and a node had a dozen. Such a field starts as {@linkcode emptyMap} and
 * takes a map of its own ({@linkcode ownMap}) on its first write; reads need nothing.
 *
 * @module
 */

/** The shared empty map: a write to it throws instead of reaching every node. */
class SharedEmptyMap extends Map<never, never> {
  override set(): never {
    throw new TypeError("Cannot write to the shared empty map: take one with ownMap() first");
  }
}

const EMPTY: Map<unknown, unknown> = new SharedEmptyMap();

/** The shared empty map, typed for the field it starts. */
export function emptyMap<K, V>(): Map<K, V> {
  return EMPTY as Map<K, V>;
}

/**
 * A map that may be written to: `map` itself, or a new one if `map` is the shared empty map.
 *
 * @param map a field's current map
 * @returns the map to store in the field and write to
 */
export function ownMap<K, V>(map: Map<K, V>): Map<K, V> {
  return map === EMPTY ? new Map() : map;
}
