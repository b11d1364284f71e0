/**
 * CRC-32C (Castagnoli), the checksum BEP 42 derives secure node ids from.
 *
 * BEP 42 picked CRC-32C over SHA-1 because its output is uniform over the small input set of
 * masked IP addresses and because SSE 4.2 computes it in one instruction. Here it is a plain
 * table-driven implementation: the inputs are 4 or 8 bytes, so speed is not a concern.
 *
 * @module
 */

/** The Castagnoli polynomial 0x1EDC6F41, bit-reversed for the LSB-first table algorithm. */
const POLYNOMIAL = 0x82f63b78;

const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
  TABLE[n] = c;
}

/**
 * Computes the CRC-32C of `data` (initial value and final XOR 0xFFFFFFFF, reflected input and
 * output, as RFC 3720 §B.4 and SSE 4.2 define it).
 *
 * @example
 * ```ts
 * import { crc32c } from "./crc32c.ts";
 * console.log(crc32c(new TextEncoder().encode("123456789")).toString(16)); // "e3069283"
 * ```
 *
 * @param data the bytes to checksum
 * @returns the checksum as an unsigned 32-bit integer
 * @throws {TypeError} if `data` is not a Uint8Array
 */
export function crc32c(data: Uint8Array): number {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`Cannot compute CRC-32C: expected a Uint8Array, got ${typeof data}`);
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
