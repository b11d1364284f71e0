// A value's size is counted, not encoded: the count must equal what TextEncoder writes for
// every string, lone surrogates included (each becomes a 3-byte U+FFFD).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { valueByteLength } from "../../src/records/record.ts";

const utf8 = new TextEncoder();

describe("valueByteLength", () => {
  it("equals the UTF-8 encoding's length for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 64 }), (text) => {
        assert.equal(valueByteLength(text), utf8.encode(text).length);
      }),
      { numRuns: 2000 },
    );
  });

  it("counts lone and paired surrogates as TextEncoder writes them", () => {
    for (
      const text of ["\ud800", "\udc00", "a\ud800", "\ud800a", "\ud83d\ude00", "\udc00\ud800", "é€"]
    ) {
      assert.equal(valueByteLength(text), utf8.encode(text).length, JSON.stringify(text));
    }
  });

  it("is the length of bytes", () => {
    assert.equal(valueByteLength(new Uint8Array(7)), 7);
  });
});
