import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeBase64, encodeBase64 } from "../../src/wire/base64.ts";
import { decodeBase64Portable, encodeBase64Portable } from "../../src/wire/_base64_portable.ts";
import { bin, str } from "./_wire_helpers.ts";

// RFC 4648 §10 test vectors.
const RFC4648: [string, string][] = [
  ["", ""],
  ["f", "Zg=="],
  ["fo", "Zm8="],
  ["foo", "Zm9v"],
  ["foob", "Zm9vYg=="],
  ["fooba", "Zm9vYmE="],
  ["foobar", "Zm9vYmFy"],
];

// The exported pair uses the runtime's native base64 where it exists (Deno, Bun); the portable
// pair is what Node 20 runs. Both must follow exactly the same rules.
const implementations = [
  ["base64.ts", encodeBase64, decodeBase64],
  ["_base64_portable.ts", encodeBase64Portable, decodeBase64Portable],
] as const;

for (const [name, encode, decode] of implementations) {
  describe(`${name}: encode`, () => {
    for (const [plain, encoded] of RFC4648) {
      it(`encodes "${plain}" as "${encoded}" (RFC 4648 §10)`, () => {
        assert.equal(encode(bin(plain)), encoded);
      });
    }

    it("uses + and / and encodes every byte value", () => {
      assert.equal(encode(Uint8Array.of(0xfb, 0xff, 0xbf)), "+/+/");
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      assert.equal(encode(all), btoa(str(all)));
    });

    it("encodes a subarray view, not its whole buffer", () => {
      assert.equal(encode(bin("xxfooxx").subarray(2, 5)), "Zm9v");
    });

    it("throws TypeError for a non-Uint8Array", () => {
      assert.throws(() => encode("foo" as unknown as Uint8Array), TypeError);
    });
  });

  describe(`${name}: decode`, () => {
    for (const [plain, encoded] of RFC4648) {
      it(`decodes "${encoded}" to "${plain}" (RFC 4648 §10)`, () => {
        assert.deepEqual(decode(encoded), bin(plain));
      });
    }

    const invalid: [string, string][] = [
      ["missing padding", "Zg"],
      ["short padding", "Zg="],
      ["length not a multiple of 4", "Zm9vY"],
      ["only padding", "===="],
      ["three padding characters", "Z==="],
      ["padding in the middle", "Zg==Zg=="],
      ["padding before data", "=Zm9"],
      ["non-zero unused bits after one byte", "Zh=="],
      ["non-zero unused bits after two bytes", "Zm9="],
      ["a newline", "Zm9v\nZm9v"],
      ["a leading space", " Zm9vYmE"],
      ["URL-safe characters", "-_-_"],
      ["a latin1 character", "Zm9\u00e9"],
      ["a character above U+00FF whose low byte is valid", "Zm9\u0141"],
      ["a NUL", "Zm9\0"],
      ["four trailing spaces", "Zm9v    "],
      ["four newlines after padding", "Zg==\n\n\n\n"],
      ["four tabs between groups", "Zm9v\t\t\t\tZm9v"],
    ];
    for (const [what, text] of invalid) {
      it(`returns undefined for ${what}`, () => {
        assert.equal(decode(text), undefined);
      });
    }

    it("returns undefined for a non-string", () => {
      assert.equal(decode(5 as unknown as string), undefined);
    });

    it("round-trips random bytes and agrees with btoa", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          const text = encode(bytes);
          assert.equal(text, btoa(str(bytes)));
          assert.deepEqual(decode(text), bytes);
        }),
        { numRuns: 500 },
      );
    });

    it("accepts only canonical text: whatever it decodes re-encodes to the same text", () => {
      const chars = fc.constantFrom(..."ABCDQRSTghwxyz0189+/=".split(""));
      fc.assert(
        fc.property(fc.string({ unit: chars, maxLength: 16 }), (text) => {
          const bytes = decode(text);
          if (bytes !== undefined) assert.equal(encode(bytes), text);
        }),
        { numRuns: 2000 },
      );
    });
  });
}
