/**
 * Base64 in plain JavaScript, for runtimes without `Uint8Array.prototype.toBase64` and
 * `Uint8Array.fromBase64` (Node before 25). Same rules as `base64.ts`, which dispatches here.
 *
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 0x3d; // "="

/** Character code of each 6-bit value. */
const ENCODE = new Uint8Array(64);
/** 6-bit value of each character code below 128; 255 marks characters outside the alphabet. */
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) {
  const code = ALPHABET.charCodeAt(i);
  ENCODE[i] = code;
  DECODE[code] = i;
}

// Pure ASCII output: a UTF-8 decoder turns it into a string in native code, faster than
// String.fromCharCode over chunks or string concatenation.
const asciiDecoder = new TextDecoder();

/**
 * Encodes bytes as standard padded base64.
 *
 * @example
 * ```ts
 * import { encodeBase64Portable } from "./_base64_portable.ts";
 * encodeBase64Portable(new TextEncoder().encode("foobar")); // "Zm9vYmFy"
 * ```
 * @param bytes the bytes to encode
 * @returns the base64 text, `4 * ceil(bytes.length / 3)` characters long
 * @throws {TypeError} if `bytes` is not a Uint8Array
 */
export function encodeBase64Portable(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Cannot encode base64: expected a Uint8Array, got ${typeof bytes}`);
  }
  const n = bytes.length;
  const whole = n - (n % 3);
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ENCODE[v >>> 18]!;
    out[o++] = ENCODE[(v >>> 12) & 63]!;
    out[o++] = ENCODE[(v >>> 6) & 63]!;
    out[o++] = ENCODE[v & 63]!;
  }
  const rest = n - whole;
  if (rest === 1) {
    const v = bytes[whole]!;
    out[o++] = ENCODE[v >>> 2]!;
    out[o++] = ENCODE[(v & 3) << 4]!;
    out[o++] = PAD;
    out[o] = PAD;
  } else if (rest === 2) {
    const v = (bytes[whole]! << 8) | bytes[whole + 1]!;
    out[o++] = ENCODE[v >>> 10]!;
    out[o++] = ENCODE[(v >>> 4) & 63]!;
    out[o++] = ENCODE[(v & 15) << 2]!;
    out[o] = PAD;
  }
  return asciiDecoder.decode(out);
}

/**
 * Decodes strict, canonical, padded standard base64 (see the module doc for the rules).
 *
 * @example
 * ```ts
 * import { decodeBase64Portable } from "./_base64_portable.ts";
 * decodeBase64Portable("Zm9vYg=="); // Uint8Array [102, 111, 111, 98]
 * decodeBase64Portable("Zm9vYg"); // undefined: padding missing
 * ```
 * @param text the base64 text
 * @returns the decoded bytes (a fresh array), or `undefined` if `text` is not valid base64
 */
export function decodeBase64Portable(text: string): Uint8Array | undefined {
  if (typeof text !== "string") return undefined;
  const n = text.length;
  if (n % 4 !== 0) return undefined;
  if (n === 0) return new Uint8Array(0);
  const pad = text.charCodeAt(n - 1) !== PAD ? 0 : text.charCodeAt(n - 2) !== PAD ? 1 : 2;
  const out = new Uint8Array((n / 4) * 3 - pad);
  const whole = pad === 0 ? n : n - 4;
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    const a = sextet(text.charCodeAt(i));
    const b = sextet(text.charCodeAt(i + 1));
    const c = sextet(text.charCodeAt(i + 2));
    const d = sextet(text.charCodeAt(i + 3));
    // Any invalid character maps to 255, which sets bit 7 of (a|b|c|d); one test per group.
    if ((a | b | c | d) > 63) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
  }
  if (pad === 0) return out;
  const a = sextet(text.charCodeAt(n - 4));
  const b = sextet(text.charCodeAt(n - 3));
  if (pad === 2) {
    // "xy==": 12 bits carry one byte; the low 4 bits of y must be zero to be canonical.
    if ((a | b) > 63 || (b & 15) !== 0) return undefined;
    out[o] = (a << 2) | (b >>> 4);
    return out;
  }
  // "xyz=": 18 bits carry two bytes; the low 2 bits of z must be zero to be canonical.
  const c = sextet(text.charCodeAt(n - 2));
  if ((a | b | c) > 63 || (c & 3) !== 0) return undefined;
  const v = (a << 10) | (b << 4) | (c >>> 2);
  out[o++] = v >>> 8;
  out[o] = v & 255;
  return out;
}

function sextet(code: number): number {
  return code < 128 ? DECODE[code]! : 255;
}
