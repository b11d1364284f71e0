import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { sha1 } from "../../src/id/sha1.ts";
import { SeededRandom } from "../../src/random.ts";

const encoder = new TextEncoder();

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function reference(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}

describe("sha1", () => {
  it("matches the FIPS 180 and well-known test vectors", () => {
    const vectors: [string, string][] = [
      ["", "da39a3ee5e6b4b0d3255bfef95601890afd80709"],
      ["abc", "a9993e364706816aba3e25717850c26c9cd0d89d"],
      [
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
      ],
      [
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "a49b2446a02c645bf419f995b67091253a04a259",
      ],
      ["The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"],
    ];
    for (const [message, digest] of vectors) {
      assert.equal(hex(sha1(encoder.encode(message))), digest, JSON.stringify(message));
    }
  });

  it("hashes one million 'a' bytes to the FIPS 180 digest", () => {
    const million = new Uint8Array(1_000_000).fill(0x61);
    assert.equal(hex(sha1(million)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  });

  it("agrees with node:crypto for every length from 0 to 300 bytes", () => {
    const random = new SeededRandom(1);
    for (let length = 0; length <= 300; length++) {
      const data = random.fill(new Uint8Array(length));
      assert.equal(hex(sha1(data)), reference(data), `length ${length}`);
    }
  });

  it("agrees with node:crypto on random inputs (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (data) => {
        assert.equal(hex(sha1(data)), reference(data));
      }),
      { numRuns: 500 },
    );
  });

  it("hashes a subarray view by its own bytes, not its buffer's", () => {
    const buffer = new SeededRandom(2).fill(new Uint8Array(200));
    const view = buffer.subarray(37, 150);
    assert.equal(hex(sha1(view)), reference(view.slice()));
  });

  it("returns a fresh digest each call, unaffected by later calls", () => {
    const first = sha1(encoder.encode("abc"));
    sha1(new Uint8Array(1000).fill(7));
    assert.equal(hex(first), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.notEqual(sha1(encoder.encode("abc")), first);
  });

  it("rejects input that is not a Uint8Array with a TypeError", () => {
    assert.throws(() => sha1("abc" as unknown as Uint8Array), TypeError);
  });
});
