/** Test helpers: ids written as leading bits. */

/**
 * An id whose leading bits are `bits` (a string of 0 and 1) and whose remaining bytes are
 * `fill` (default 0), so tests can place contacts in chosen buckets of a table whose local id
 * is all zeros.
 */
export function idBits(bits: string, fill = 0): Uint8Array {
  const id = new Uint8Array(20).fill(fill);
  for (let i = 0; i < bits.length; i++) {
    const mask = 0x80 >>> (i & 7);
    if (bits[i] === "1") id[i >>> 3]! |= mask;
    else id[i >>> 3]! &= ~mask;
  }
  return id;
}

/** An id sharing exactly `cpl` leading bits with the all-zero id; `tag` varies the last byte. */
export function idAtDepth(cpl: number, tag = 0): Uint8Array {
  const id = idBits("0".repeat(cpl) + "1");
  id[19] = tag;
  if (cpl === 159) id[19] = 1;
  return id;
}
