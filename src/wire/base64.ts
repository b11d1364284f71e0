/**
 * Standard base64 (RFC 4648 §4, alphabet `A–Z a–z 0–9 + /`, `=` padding) for the JSON codec's
 * byte strings. Not `atob`/`btoa` (they work on "binary strings" and accept whitespace and
 * missing padding) nor Node's `Buffer` (absent on Deno and in browsers, and lenient: it skips
 * invalid characters). Where the runtime has `Uint8Array.prototype.toBase64` and
 * `Uint8Array.fromBase64` (Deno, Bun, Node 25+) they do the work, 3–9× faster; elsewhere a
 * portable implementation with the same rules does.
 *
 * Decoding is strict and canonical, so every byte string has exactly one accepted text: the
 * length must be a multiple of 4, only alphabet characters may appear (no whitespace), `=` only
 * as the last one or two characters, and the unused low bits of the last group must be zero
 * (RFC 4648 §3.5 lets decoders reject such data). Invalid input yields `undefined`, not an
 * exception: a peer's bad field is an expected outcome, checked like any other.
 *
 * @module
 */

import { decodeBase64Portable, encodeBase64Portable } from "./_base64_portable.ts";

interface NativeBase64 {
  toBase64?: (this: Uint8Array) => string;
}
interface NativeBase64Constructor {
  fromBase64?: (text: string, options: { lastChunkHandling: "strict" }) => Uint8Array;
}

const nativeToBase64 = (Uint8Array.prototype as NativeBase64).toBase64;
const nativeFromBase64 = (Uint8Array as NativeBase64Constructor).fromBase64;

/**
 * Encodes bytes as standard padded base64.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "./base64.ts";
 * encodeBase64(new TextEncoder().encode("foobar")); // "Zm9vYmFy"
 * ```
 * @param bytes the bytes to encode
 * @returns the base64 text, `4 * ceil(bytes.length / 3)` characters long
 * @throws {TypeError} if `bytes` is not a Uint8Array
 */
export function encodeBase64(bytes: Uint8Array): string {
  if (nativeToBase64 === undefined || !(bytes instanceof Uint8Array)) {
    return encodeBase64Portable(bytes);
  }
  return nativeToBase64.call(bytes);
}

/**
 * Decodes strict, canonical, padded standard base64 (see the module doc for the rules).
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "./base64.ts";
 * decodeBase64("Zm9vYg=="); // Uint8Array [102, 111, 111, 98]
 * decodeBase64("Zm9vYg"); // undefined: padding missing
 * ```
 * @param text the base64 text
 * @returns the decoded bytes (a fresh array), or `undefined` if `text` is not valid base64
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (nativeFromBase64 === undefined) return decodeBase64Portable(text);
  if (typeof text !== "string") return undefined;
  const n = text.length;
  if (n % 4 !== 0) return undefined;
  let bytes: Uint8Array;
  try {
    // "strict" requires padding and zero unused bits, but fromBase64 always skips ASCII
    // whitespace; the length check below catches that.
    bytes = nativeFromBase64(text, { lastChunkHandling: "strict" });
  } catch {
    return undefined;
  }
  // Whitespace is at least 4 characters here (n and the data are both multiples of 4), which
  // costs at least 3 bytes, more than the at most 2 that padding explains.
  const pad = text.charCodeAt(n - 1) !== 0x3d ? 0 : text.charCodeAt(n - 2) !== 0x3d ? 1 : 2;
  return bytes.length === (n / 4) * 3 - pad ? bytes : undefined;
}
