/**
 * A synchronous SHA-1 (FIPS 180-4), in plain TypeScript.
 *
 * Kademlia keys are 160-bit SHA-1 hashes (paper §2.1; BEP 5 infohashes and BEP 44 targets).
 * Web Crypto's `crypto.subtle.digest` is asynchronous, and hashing a key must not force every
 * caller of `hashKey` to await, so the core carries its own implementation. SHA-1 is used here
 * only to place keys in the id space, not for security.
 *
 * @module
 */

// Reused across calls: hashing is synchronous and never re-entered, so one message schedule,
// one chaining state and one padding buffer serve every call without allocating.
const W = new Int32Array(80);
const H = new Int32Array(5);
const TAIL = new Uint8Array(128);

/** Runs the SHA-1 compression function on the 64-byte block at `src[offset]`, updating `H`. */
function compress(src: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++, offset += 4) {
    W[t] = (src[offset]! << 24) | (src[offset + 1]! << 16) | (src[offset + 2]! << 8) |
      src[offset + 3]!;
  }
  for (let t = 16; t < 80; t++) {
    const x = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
    W[t] = (x << 1) | (x >>> 31);
  }
  let a = H[0]!, b = H[1]!, c = H[2]!, d = H[3]!, e = H[4]!;
  // Four rounds of 20 steps, each with its own function and constant (FIPS 180-4 §4.1.1, §4.2.1).
  let t = 0;
  for (; t < 20; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + W[t]!) | 0;
    e = d, d = c, c = (b << 30) | (b >>> 2), b = a, a = temp;
  }
  for (; t < 40; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[t]!) | 0;
    e = d, d = c, c = (b << 30) | (b >>> 2), b = a, a = temp;
  }
  for (; t < 60; t++) {
    const temp =
      (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + W[t]!) | 0;
    e = d, d = c, c = (b << 30) | (b >>> 2), b = a, a = temp;
  }
  for (; t < 80; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + W[t]!) | 0;
    e = d, d = c, c = (b << 30) | (b >>> 2), b = a, a = temp;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
}

/**
 * Computes the SHA-1 digest of `data`, synchronously.
 *
 * @example
 * ```ts
 * import { sha1 } from "./sha1.ts";
 * const digest = sha1(new TextEncoder().encode("abc"));
 * console.log(digest.length); // 20
 * ```
 *
 * @param data the message, of any length
 * @returns the 20-byte digest
 * @throws {TypeError} if `data` is not a Uint8Array
 */
export function sha1(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`Cannot hash: expected a Uint8Array, got ${typeof data}`);
  }
  H[0] = 0x67452301;
  H[1] = 0xefcdab89;
  H[2] = 0x98badcfe;
  H[3] = 0x10325476;
  H[4] = 0xc3d2e1f0;
  const length = data.length;
  const whole = length - (length & 63);
  for (let offset = 0; offset < whole; offset += 64) compress(data, offset);

  // Padding (FIPS 180-4 §5.1.1): a 1 bit, zeros, then the bit length as a 64-bit big-endian
  // integer; one extra block when fewer than 9 bytes remain in the last one.
  const rest = length - whole;
  TAIL.fill(0);
  TAIL.set(data.subarray(whole), 0);
  TAIL[rest] = 0x80;
  const tailLength = rest + 9 <= 64 ? 64 : 128;
  // length * 8 may exceed 32 bits; split it without losing precision below 2^53.
  const high = Math.floor(length / 0x20000000);
  const low = (length * 8) >>> 0;
  TAIL[tailLength - 8] = high >>> 24;
  TAIL[tailLength - 7] = high >>> 16;
  TAIL[tailLength - 6] = high >>> 8;
  TAIL[tailLength - 5] = high;
  TAIL[tailLength - 4] = low >>> 24;
  TAIL[tailLength - 3] = low >>> 16;
  TAIL[tailLength - 2] = low >>> 8;
  TAIL[tailLength - 1] = low;
  compress(TAIL, 0);
  if (tailLength === 128) compress(TAIL, 64);

  const digest = new Uint8Array(20);
  for (let i = 0; i < 5; i++) {
    const word = H[i]!;
    digest[i * 4] = word >>> 24;
    digest[i * 4 + 1] = word >>> 16;
    digest[i * 4 + 2] = word >>> 8;
    digest[i * 4 + 3] = word;
  }
  return digest;
}
