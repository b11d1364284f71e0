/**
 * The codec interface: how a KRPC message tree becomes bytes and back. Two codecs share one
 * tree: bencode (BEP 5, byte-exact, for mainline interop) and JSON (for debugging).
 *
 * @module
 */

/**
 * A node of the message tree. `string` is text and `Uint8Array` is a byte string; bencode
 * writes both as byte strings, JSON writes text as a JSON string and bytes as base64.
 * Integers are safe JavaScript integers. Decoded dicts inherit nothing (an empty prototype
 * with a null prototype), so keys such as `__proto__` are plain keys.
 *
 * @example
 * ```ts
 * import { BencodeCodec, type WireValue } from "@kdht/core";
 *
 * const value: WireValue = [1, "two", new Uint8Array([3])];
 * console.log(new BencodeCodec().encode({ t: "aa", y: "q", a: { v: value } }).length);
 * ```
 */
export type WireValue = string | Uint8Array | number | WireValue[] | WireDict;

/**
 * A dictionary node: text keys; absent fields are omitted, never `undefined` or null.
 *
 * @example
 * ```ts
 * import { JsonCodec, type WireDict } from "@kdht/core";
 *
 * const ping: WireDict = { t: new Uint8Array([1, 2]), y: "q", q: "ping", a: { id: new Uint8Array(20) } };
 * const codec = new JsonCodec();
 * console.log(codec.decode(codec.encode(ping)).q); // "ping"
 * ```
 */
export interface WireDict {
  /** A field of the message; its name is the dictionary key. */
  [key: string]: WireValue;
}

/**
 * Which codec a network speaks. All peers of one network use the same one.
 *
 * @example
 * ```ts
 * import { KademliaNode, type Serialization } from "@kdht/core";
 *
 * const serialization: Serialization = "bencode"; // BEP 5 KRPC, byte for byte
 * await using node = new KademliaNode({ serialization });
 * console.log(node.serialization); // "bencode"
 * ```
 */
export type Serialization = "json" | "bencode";

/**
 * Turns message trees into datagrams and back. Decoding yields a tree whose leaves are what
 * the codec can tell apart (bencode: every string is a `Uint8Array`; JSON: every string is a
 * `string`); `bytes` and `text` then read a leaf as the type a field is known to have.
 *
 * @example
 * ```ts
 * import { BencodeCodec, type Codec, JsonCodec } from "@kdht/core";
 *
 * for (const codec of [new BencodeCodec(), new JsonCodec()] as Codec[]) {
 *   const bytes = codec.encode({ t: "aa", y: "r", r: { id: "x".repeat(20) } });
 *   console.log(codec.name, bytes.length);
 * }
 * ```
 */
export interface Codec {
  /** The codec's name, as given to the `serialization` option. */
  readonly name: Serialization;
  /**
   * Encodes a message tree.
   * @throws {TypeError} if the tree holds something the codec cannot write (a float, a
   * non-safe integer, `undefined`, a cycle)
   */
  encode(message: WireDict): Uint8Array;
  /**
   * Decodes one datagram. The top level must be a dictionary.
   * @throws {DecodeError} if the bytes are not one well-formed message within the limits
   */
  decode(data: Uint8Array): WireDict;
  /** Reads a decoded leaf as a byte string; `undefined` if it is not one. */
  bytes(value: WireValue | undefined): Uint8Array | undefined;
  /** Reads a decoded leaf as text; `undefined` if it is not valid text. */
  text(value: WireValue | undefined): string | undefined;
}
