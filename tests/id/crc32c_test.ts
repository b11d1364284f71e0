import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { crc32c } from "../../src/id/crc32c.ts";

// The bit-at-a-time definition (reflected Castagnoli polynomial), as an independent oracle for
// the table-driven implementation.
function bitwiseCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("crc32c", () => {
  it("matches the check value and the RFC 3720 §B.4 test vectors", () => {
    const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);
    const vectors: [Uint8Array, number][] = [
      [new TextEncoder().encode("123456789"), 0xe3069283],
      [new Uint8Array(32), 0x8a9136aa],
      [new Uint8Array(32).fill(0xff), 0x62a8ab43],
      [ascending, 0x46dd794e],
      [ascending.slice().reverse(), 0x113fdb5c],
      [new Uint8Array(0), 0],
    ];
    for (const [data, expected] of vectors) {
      assert.equal(crc32c(data), expected, `${data.length} bytes`);
    }
  });

  it("agrees with the bitwise definition on any input (property)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
      assert.equal(crc32c(data), bitwiseCrc32c(data));
    }));
  });

  it("throws TypeError on a non-Uint8Array", () => {
    assert.throws(() => crc32c("abc" as unknown as Uint8Array), TypeError);
  });
});
