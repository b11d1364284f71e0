/**
 * What the SQLite kill test's child writes, shared by the child and the test.
 *
 * @module
 */

/** Records the child writes per burst (one transaction each). */
export const BURST = 10;

/** The key of the child's i-th record. */
export function childKey(i: number): Uint8Array {
  const key = new Uint8Array(20);
  new DataView(key.buffer).setUint32(16, i);
  key[0] = 0x5a;
  return key;
}

/** The value of the child's i-th record: text for even i, bytes for odd. */
export function childValue(i: number): string | Uint8Array {
  return i % 2 === 0 ? `value ${i} ✓` : Uint8Array.of(i & 255, (i >>> 8) & 255, 7);
}
