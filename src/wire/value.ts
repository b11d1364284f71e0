/**
 * The values users store.
 *
 * @module
 */

/**
 * A value users store: text stays text and bytes stay bytes, in both codecs.
 *
 * @example
 * ```ts
 * import { KademliaNode, type TypedValue } from "@kdht/core";
 *
 * await using seed = new KademliaNode();
 * await using node = new KademliaNode();
 * await node.listen(0);
 * await node.bootstrap([await seed.listen(0)]);
 * const value: TypedValue = new Uint8Array([1, 2, 3]);
 * await node.set("bytes", value);
 * console.log(await seed.get("bytes")); // Uint8Array [1, 2, 3]: the type survives
 * ```
 */
export type TypedValue = string | Uint8Array;
