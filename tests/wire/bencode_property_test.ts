import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import bencode from "bencode";
import { DecodeError } from "../../src/errors.ts";
import { decodeBencode, encodeBencode, isCanonicalTree } from "../../src/wire/bencode.ts";
import type { WireDict, WireValue } from "../../src/wire/codec.ts";
import { asDecodedBencode, BEP5_VECTORS, bin, binaryKey, str, wireTree } from "./_wire_helpers.ts";

/** Limits loose enough for any generated tree; the limits themselves are tested elsewhere. */
const LOOSE = { maxDepth: 100, maxTokens: 100_000, maxLength: 10_000_000 };

/**
 * An independent bencode writer, as plain as possible, to produce canonical inputs: byte leaves
 * only, keys as binary strings sorted by the default (code unit = byte) order.
 */
function referenceEncode(v: WireValue): string {
  if (typeof v === "number") return `i${v}e`;
  if (v instanceof Uint8Array) return `${v.length}:${str(v)}`;
  if (typeof v === "string") throw new Error("reference trees hold bytes only");
  if (Array.isArray(v)) return `l${v.map(referenceEncode).join("")}e`;
  const keys = Object.keys(v).sort();
  return `d${keys.map((k) => `${k.length}:${k}${referenceEncode(v[k]!)}`).join("")}e`;
}

/**
 * The reference writer with each dictionary's keys in the order `order` gives (a permutation
 * of the sorted keys, drawn from `seed`): what a client that does not sort would send.
 */
function shuffledEncode(v: WireValue, seed: number[]): string {
  if (typeof v === "number") return `i${v}e`;
  if (v instanceof Uint8Array) return `${v.length}:${str(v)}`;
  if (typeof v === "string") throw new Error("reference trees hold bytes only");
  if (Array.isArray(v)) return `l${v.map((x) => shuffledEncode(x, seed)).join("")}e`;
  const keys = Object.keys(v).sort();
  for (let i = keys.length - 1; i > 0; i--) {
    const j = (seed.length > 0 ? seed[(i + keys.length) % seed.length]! : 0) % (i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  return `d${keys.map((k) => `${k.length}:${k}${shuffledEncode(v[k]!, seed)}`).join("")}e`;
}

/** A tree as plain JSON data (bytes as hex), to compare decoders that build different objects. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return { hex: Array.from(v, (b) => b.toString(16)).join(",") };
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null) {
    const rec = v as Record<string, unknown>;
    return Object.keys(rec).sort().map((k) => [k, plain(rec[k])]);
  }
  return v;
}

const asciiKey = fc.string({
  unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
  maxLength: 6,
}).filter((k) => k !== "__proto__");

describe("bencode properties", () => {
  it("decode(encode(x)) equals x with text leaves read as UTF-8 bytes", () => {
    fc.assert(
      fc.property(wireTree({ key: binaryKey, text: fc.string({ unit: "binary" }) }), (tree) => {
        const decoded = decodeBencode(encodeBencode(tree), LOOSE);
        assert.deepStrictEqual(decoded, asDecodedBencode(tree));
      }),
      { numRuns: 300 },
    );
  });

  it("encode(decode(b)) equals b for canonical b from an independent writer", () => {
    fc.assert(
      fc.property(wireTree({ key: binaryKey }), (tree) => {
        const canonical = referenceEncode(tree);
        const decoded = decodeBencode(bin(canonical), LOOSE);
        assert.deepStrictEqual(decoded, asDecodedBencode(tree));
        assert.equal(str(encodeBencode(decoded)), canonical);
      }),
      { numRuns: 300 },
    );
  });

  it("reads dictionaries with keys in any order as the tree a sorted writer gives (property)", () => {
    fc.assert(
      fc.property(wireTree({ key: binaryKey }), fc.array(fc.nat(50)), (tree, seed) => {
        const sent = shuffledEncode(tree, seed);
        const decoded = decodeBencode(bin(sent), LOOSE);
        assert.deepStrictEqual(decoded, asDecodedBencode(tree));
        const sorted = referenceEncode(tree);
        // Our own output is canonical whatever order the input had.
        assert.equal(str(encodeBencode(decoded)), sorted);
        assert.equal(isCanonicalTree(decoded), sent === sorted);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws anything but DecodeError, and isCanonicalTree says exactly when encode(decode(b)) is b", () => {
    const seeds = BEP5_VECTORS.map((v) => bin(v.bencoded));
    const mutated = fc.tuple(
      fc.constantFrom(...seeds),
      fc.array(
        fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 255 })),
        { minLength: 1, maxLength: 4 },
      ),
    ).map(([seed, edits]) => {
      const bytes = Array.from(seed);
      for (const [at, kind, byte] of edits) {
        const i = at % (bytes.length + 1);
        if (kind === 0) bytes.splice(i, 0, byte);
        else if (kind === 1) bytes.splice(i, 1);
        else bytes[Math.min(i, bytes.length - 1)] = byte;
      }
      return Uint8Array.from(bytes);
    });
    const alphabet = fc.constantFrom(..."dlie0123456789:-".split("").map((c) => c.charCodeAt(0)));
    const tokenSoup = fc.array(alphabet, { maxLength: 60 }).map((a) =>
      Uint8Array.of(0x64, ...a, 0x65)
    );
    fc.assert(
      fc.property(fc.oneof(mutated, tokenSoup, fc.uint8Array({ maxLength: 64 })), (input) => {
        let decoded: WireDict;
        try {
          decoded = decodeBencode(input);
        } catch (err) {
          assert.ok(err instanceof DecodeError, `threw ${String(err)}`);
          return;
        }
        // Only key order can differ (integers and lengths must be canonical to decode at all):
        // a tree read out of order re-encodes sorted, to bytes that decode to the same tree.
        const again = encodeBencode(decoded);
        assert.equal(str(again) === str(input), isCanonicalTree(decoded), str(input));
        assert.deepStrictEqual(decodeBencode(again), decoded);
        assert.ok(isCanonicalTree(decodeBencode(again)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("bencode against the npm bencode package (differential)", () => {
  const tree = wireTree({ key: asciiKey, text: fc.string({ unit: "binary" }) });

  it("encodes random trees to the same bytes", () => {
    fc.assert(
      fc.property(tree, (t) => {
        assert.equal(str(encodeBencode(t)), str(bencode.encode(t)));
      }),
      { numRuns: 300 },
    );
  });

  it("decodes random canonical inputs to the same trees", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const data = encodeBencode(t);
        const ours = decodeBencode(data, LOOSE);
        const theirs = bencode.decode(data);
        assert.deepStrictEqual(plain(ours), plain(theirs));
        // Each side re-encodes the other's tree to the original bytes.
        assert.equal(str(encodeBencode(theirs)), str(data));
        assert.equal(str(bencode.encode(ours)), str(data));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees on BEP 5's example packets", () => {
    for (const v of BEP5_VECTORS) {
      assert.equal(str(bencode.encode(v.message)), v.bencoded, v.name);
      assert.deepStrictEqual(
        plain(decodeBencode(bin(v.bencoded))),
        plain(bencode.decode(bin(v.bencoded))),
      );
    }
  });
});
