import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import {
  commonPrefixLength,
  compareDistance,
  generateNodeId,
  hashKey,
  hashKeyToNodeId,
  ID_LENGTH,
  idFromHex,
  idsEqual,
  idToHex,
  isNodeId,
  randomId,
  randomIdWithPrefix,
  xorDistance,
} from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";

const arbId = fc.uint8Array({ minLength: ID_LENGTH, maxLength: ID_LENGTH });

function toBigInt(id: Uint8Array): bigint {
  return BigInt("0x" + idToHex(id));
}

describe("idToHex and idFromHex", () => {
  it("round-trip every id through 40 lowercase hex characters (property)", () => {
    fc.assert(fc.property(arbId, (id) => {
      const hex = idToHex(id);
      assert.match(hex, /^[0-9a-f]{40}$/);
      assert.deepEqual(idFromHex(hex), id);
    }));
  });

  it("idFromHex accepts upper-case hex", () => {
    assert.deepEqual(idFromHex("AB".repeat(20)), new Uint8Array(20).fill(0xab));
  });

  it("idFromHex throws a TypeError naming the bad input unless given exactly 40 hex chars", () => {
    for (
      const bad of ["a".repeat(39), "a".repeat(41), "g" + "a".repeat(39), "", " " + "a".repeat(39)]
    ) {
      assert.throws(() => idFromHex(bad), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.ok(error.message.includes(`"${bad}"`), error.message);
        return true;
      });
    }
    assert.throws(() => idFromHex(42 as unknown as string), TypeError);
  });

  it("idToHex throws a TypeError for a buffer that is not 20 bytes", () => {
    assert.throws(() => idToHex(new Uint8Array(19)), /19 bytes/);
  });
});

describe("isNodeId", () => {
  it("accepts only 20-byte Uint8Arrays", () => {
    assert.equal(isNodeId(new Uint8Array(20)), true);
    assert.equal(isNodeId(new Uint8Array(21)), false);
    assert.equal(isNodeId("00".repeat(20)), false);
    assert.equal(isNodeId(new Array(20).fill(0)), false);
    assert.equal(isNodeId(undefined), false);
  });
});

describe("randomId and generateNodeId", () => {
  it("randomId draws 20 bytes from the injected Random, reproducibly", () => {
    const a = randomId(new SeededRandom(7));
    assert.equal(a.length, 20);
    assert.deepEqual(randomId(new SeededRandom(7)), a);
    assert.notDeepEqual(randomId(new SeededRandom(8)), a);
  });

  it("generateNodeId returns 40 lowercase hex characters, different each call by default", () => {
    const a = generateNodeId();
    assert.match(a, /^[0-9a-f]{40}$/);
    assert.notEqual(generateNodeId(), a);
    assert.equal(generateNodeId(new SeededRandom(3)), generateNodeId(new SeededRandom(3)));
  });
});

describe("hashKey and hashKeyToNodeId", () => {
  it("hash a string as SHA-1 of its UTF-8 bytes", () => {
    assert.equal(hashKeyToNodeId("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    const text = "héllo wörld ☃ 𝄞";
    assert.equal(hashKeyToNodeId(text), createHash("sha1").update(text, "utf8").digest("hex"));
  });

  it("hash raw bytes as themselves", () => {
    const bytes = new Uint8Array([0, 255, 1, 254]);
    assert.equal(idToHex(hashKey(bytes)), createHash("sha1").update(bytes).digest("hex"));
  });

  it("throw a TypeError for a key that is neither string nor bytes", () => {
    assert.throws(() => hashKey(42 as unknown as string), TypeError);
    assert.throws(() => hashKeyToNodeId(null as unknown as string), TypeError);
  });
});

describe("xorDistance", () => {
  it("equals the XOR of the ids as integers, for bytes and hex alike (property)", () => {
    fc.assert(fc.property(arbId, arbId, (a, b) => {
      const expected = toBigInt(a) ^ toBigInt(b);
      assert.equal(xorDistance(a, b), expected);
      assert.equal(xorDistance(idToHex(a), idToHex(b).toUpperCase()), expected);
      assert.equal(xorDistance(a, idToHex(b)), expected);
    }));
  });

  it("is zero from an id to itself", () => {
    const id = randomId(new SeededRandom(1));
    assert.equal(xorDistance(id, id), 0n);
  });

  it("throws a TypeError for malformed ids", () => {
    assert.throws(() => xorDistance("abc", "0".repeat(40)), TypeError);
    assert.throws(() => xorDistance(new Uint8Array(32), new Uint8Array(20)), TypeError);
  });
});

describe("compareDistance", () => {
  it("has the sign of d(target, a) - d(target, b) (property)", () => {
    fc.assert(fc.property(arbId, arbId, arbId, (target, a, b) => {
      const diff = xorDistance(target, a) - xorDistance(target, b);
      assert.equal(Math.sign(compareDistance(target, a, b)), diff < 0n ? -1 : diff > 0n ? 1 : 0);
    }));
  });

  it("orders ids that differ only in the last bit", () => {
    const target = new Uint8Array(20);
    const near = new Uint8Array(20);
    const far = new Uint8Array(20);
    far[19] = 1;
    assert.ok(compareDistance(target, near, far) < 0);
    assert.ok(compareDistance(target, far, near) > 0);
    assert.equal(compareDistance(target, far, far.slice()), 0);
  });
});

describe("commonPrefixLength", () => {
  it("equals 160 minus the bit length of the XOR distance (property)", () => {
    fc.assert(fc.property(arbId, arbId, (a, b) => {
      const distance = xorDistance(a, b);
      const bits = distance === 0n ? 0 : distance.toString(2).length;
      assert.equal(commonPrefixLength(a, b), 160 - bits);
    }));
  });

  it("is 160 for equal ids and 0 when the first bit differs", () => {
    const a = new Uint8Array(20);
    assert.equal(commonPrefixLength(a, a.slice()), 160);
    const b = new Uint8Array(20);
    b[0] = 0x80;
    assert.equal(commonPrefixLength(a, b), 0);
  });
});

describe("randomIdWithPrefix", () => {
  it("shares exactly prefixLength leading bits with the base (property)", () => {
    fc.assert(
      fc.property(arbId, fc.integer({ min: 0, max: 159 }), fc.integer(), (base, p, seed) => {
        const id = randomIdWithPrefix(base, p, new SeededRandom(seed));
        assert.equal(commonPrefixLength(id, base), p);
      }),
    );
  });

  it("draws the bits after the prefix at random", () => {
    const base = new Uint8Array(20);
    const random = new SeededRandom(5);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(idToHex(randomIdWithPrefix(base, 100, random)));
    assert.equal(seen.size, 50);
  });

  it("throws a RangeError for a prefix length outside 0-159", () => {
    const base = new Uint8Array(20);
    const random = new SeededRandom(1);
    for (const bad of [-1, 160, 1.5, NaN]) {
      assert.throws(() => randomIdWithPrefix(base, bad, random), RangeError);
    }
    assert.throws(() => randomIdWithPrefix(new Uint8Array(4), 3, random), TypeError);
  });
});

describe("idsEqual", () => {
  it("is true only when all 20 bytes match", () => {
    const a = randomId(new SeededRandom(9));
    const b = a.slice();
    assert.equal(idsEqual(a, b), true);
    b[19]! ^= 1;
    assert.equal(idsEqual(a, b), false);
  });
});
