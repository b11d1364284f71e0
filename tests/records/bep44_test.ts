import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import bencode from "bencode";
import fc from "fast-check";
import { ed25519 as noble } from "@noble/curves/ed25519.js";
import { ed25519, generateKeyPair } from "../../adapters/ed25519.ts";
import { idToHex } from "../../src/id/node_id.ts";
import {
  BEP44_MAX_SALT_LENGTH,
  BEP44_MAX_SEQ,
  BEP44_MAX_VALUE_LENGTH,
  BEP44_PUBLIC_KEY_LENGTH,
  BEP44_SIGNATURE_LENGTH,
  Bep44ErrorCode,
  immutableItemTarget,
  isValidSeq,
  type MutableItem,
  mutableItemTarget,
  mutableSigningBuffer,
  signMutableItem,
  verifyMutableItem,
} from "../../src/records/bep44.ts";
import { encodeBencode } from "../../src/wire/bencode.ts";

const text = new TextEncoder();
const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

// BEP 44 §Test Vectors.
const PUBLIC_KEY = hexBytes("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");
const EXPANDED_SECRET_KEY = hexBytes(
  "e06d3183d14159228433ed599221b80bd0a5ce8352e4bdf0262f76786ef1c74d" +
    "b7e7a9fea2c0eb269d61e3b38e450a22e754941ac78479d6c54e1faf6037881d",
);
const VALUE = "Hello World!";
const TEST1 = {
  buffer: "3:seqi1e1:v12:Hello World!",
  target: "4a533d47ec9c7d95b1ad75f576cffc641853b750",
  signature: "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff" +
    "1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01",
};
const TEST2 = {
  salt: "foobar",
  buffer: "4:salt6:foobar3:seqi1e1:v12:Hello World!",
  target: "411eba73b6f087ca51a3795d9c8c938d365e32c1",
  signature: "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d" +
    "df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08",
};
const TEST3_TARGET = "e5f96f6f38320f0f33959cb4d3d656452117aadb";

/**
 * RFC 8032 §5.1.6 signing from the 64-byte expanded secret key (clamped scalar ‖ prefix), the
 * form BEP 44 prints. noble signs from seeds only, so the steps are spelled out on its curve
 * arithmetic, with SHA-512 from node:crypto.
 */
function signExpanded(message: Uint8Array, expanded: Uint8Array): Uint8Array {
  const L = noble.Point.Fn.ORDER;
  const le = (bytes: Uint8Array) => BigInt("0x" + toHex(bytes.slice().reverse()));
  const toLe32 = (n: bigint) => hexBytes(n.toString(16).padStart(64, "0")).reverse();
  const sha512 = (...parts: Uint8Array[]) => {
    const h = createHash("sha512");
    for (const part of parts) h.update(part);
    return new Uint8Array(h.digest());
  };
  const scalar = le(expanded.subarray(0, 32));
  const publicKey = noble.Point.BASE.multiply(scalar % L).toBytes();
  const r = le(sha512(expanded.subarray(32), message)) % L;
  const R = noble.Point.BASE.multiply(r).toBytes();
  const k = le(sha512(R, publicKey, message)) % L;
  const s = (r + k * scalar) % L;
  return new Uint8Array([...R, ...toLe32(s)]);
}

const encodedHello = encodeBencode(VALUE);

function vectorItem(signature: string, salt?: string): MutableItem {
  const base = { seq: 1, encodedValue: encodedHello, publicKey: PUBLIC_KEY };
  return salt === undefined
    ? { ...base, signature: hexBytes(signature) }
    : { ...base, signature: hexBytes(signature), salt: text.encode(salt) };
}

describe("BEP 44 test vectors", () => {
  it("test 1 (mutable): target, signing buffer byte for byte, signature", () => {
    assert.equal(idToHex(mutableItemTarget(PUBLIC_KEY)), TEST1.target);
    const buffer = mutableSigningBuffer({ seq: 1, encodedValue: encodedHello });
    assert.deepEqual(buffer, text.encode(TEST1.buffer));
    assert.equal(ed25519.verify(hexBytes(TEST1.signature), buffer, PUBLIC_KEY), true);
    assert.equal(verifyMutableItem(vectorItem(TEST1.signature), ed25519), true);
  });

  it("test 2 (mutable with salt): target, signing buffer byte for byte, signature", () => {
    const salt = text.encode(TEST2.salt);
    assert.equal(idToHex(mutableItemTarget(PUBLIC_KEY, salt)), TEST2.target);
    const buffer = mutableSigningBuffer({ seq: 1, encodedValue: encodedHello, salt });
    assert.deepEqual(buffer, text.encode(TEST2.buffer));
    assert.equal(ed25519.verify(hexBytes(TEST2.signature), buffer, PUBLIC_KEY), true);
    assert.equal(verifyMutableItem(vectorItem(TEST2.signature, TEST2.salt), ed25519), true);
  });

  it("test 3 (immutable): target of the value, as text or as bytes", () => {
    assert.equal(idToHex(immutableItemTarget(VALUE)), TEST3_TARGET);
    assert.equal(idToHex(immutableItemTarget(text.encode(VALUE))), TEST3_TARGET);
  });

  it("reproduces both signatures byte for byte from the expanded private key", () => {
    assert.deepEqual(
      noble.Point.BASE.multiply(
        BigInt("0x" + toHex(EXPANDED_SECRET_KEY.slice(0, 32).reverse())) % noble.Point.Fn.ORDER,
      ).toBytes(),
      PUBLIC_KEY,
      "the expanded key's scalar gives the vectors' public key",
    );
    assert.equal(
      toHex(signExpanded(text.encode(TEST1.buffer), EXPANDED_SECRET_KEY)),
      TEST1.signature,
    );
    assert.equal(
      toHex(signExpanded(text.encode(TEST2.buffer), EXPANDED_SECRET_KEY)),
      TEST2.signature,
    );
  });

  it("refuses the vector signatures for any other seq, value, salt or key", () => {
    const bad: MutableItem[] = [
      { ...vectorItem(TEST1.signature), seq: 2 },
      { ...vectorItem(TEST1.signature), encodedValue: encodeBencode("Hello World?") },
      { ...vectorItem(TEST1.signature), salt: text.encode("foobar") },
      vectorItem(TEST2.signature), // the salted signature without its salt
      { ...vectorItem(TEST2.signature, TEST2.salt), salt: text.encode("foobaz") },
      { ...vectorItem(TEST1.signature), publicKey: generateKeyPair().publicKey },
    ];
    for (const item of bad) assert.equal(verifyMutableItem(item, ed25519), false);
    const flipped = hexBytes(TEST1.signature);
    for (const index of [0, 31, 32, 63]) {
      const copy = flipped.slice();
      copy[index] = copy[index]! ^ 1;
      assert.equal(
        verifyMutableItem({ ...vectorItem(TEST1.signature), signature: copy }, ed25519),
        false,
      );
    }
  });
});

describe("BEP 44 targets and signing buffer", () => {
  it("treats an empty salt as no salt", () => {
    const empty = new Uint8Array(0);
    assert.deepEqual(mutableItemTarget(PUBLIC_KEY, empty), mutableItemTarget(PUBLIC_KEY));
    assert.deepEqual(
      mutableSigningBuffer({ seq: 1, encodedValue: encodedHello, salt: empty }),
      text.encode(TEST1.buffer),
    );
    assert.equal(verifyMutableItem({ ...vectorItem(TEST1.signature), salt: empty }, ed25519), true);
  });

  it("hashes key then salt for the mutable target (property)", () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      (key, salt) => {
        const expected = createHash("sha1").update(key).update(salt).digest("hex");
        assert.equal(idToHex(mutableItemTarget(key, salt)), expected);
      },
    ));
  });

  it("builds the buffer bittorrent-dht signs: its bencoded dict without the outer d…e (property)", () => {
    // bittorrent-dht's encodeSigData: bencode.encode({ salt?, seq, v }).slice(1, -1), with the
    // real bencode package; its keys sort as salt < seq < v, the order BEP 44 concatenates.
    const arbValue = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 5 }),
      fc.dictionary(
        fc.string({ unit: "grapheme-ascii", maxLength: 5 }),
        fc.uint8Array({ maxLength: 5 }),
      ),
    );
    fc.assert(fc.property(
      fc.integer({ min: 0, max: BEP44_MAX_SEQ }),
      arbValue,
      fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined }),
      (seq, v, salt) => {
        const dict: Record<string, unknown> = { seq, v };
        if (salt) dict.salt = salt;
        const theirs = bencode.encode(dict).subarray(1, -1);
        const ours = mutableSigningBuffer({ seq, encodedValue: encodeBencode(v), salt });
        assert.deepEqual(ours, new Uint8Array(theirs));
      },
    ));
  });

  it("writes the largest seq in plain digits", () => {
    const buffer = mutableSigningBuffer({ seq: BEP44_MAX_SEQ, encodedValue: encodedHello });
    assert.deepEqual(buffer, text.encode("3:seqi9007199254740991e1:v12:Hello World!"));
  });

  it("refuses a seq outside 0..2^53-1, an empty or oversized value and an oversized salt", () => {
    for (const seq of [-1, 1.5, BEP44_MAX_SEQ + 1, 2 ** 63, Number.NaN, Infinity]) {
      assert.equal(isValidSeq(seq), false, String(seq));
      assert.throws(() => mutableSigningBuffer({ seq, encodedValue: encodedHello }), RangeError);
    }
    assert.equal(isValidSeq(0), true);
    assert.equal(isValidSeq(BEP44_MAX_SEQ), true);
    assert.throws(
      () => mutableSigningBuffer({ seq: 1, encodedValue: new Uint8Array(0) }),
      RangeError,
    );
    const biggest = new Uint8Array(BEP44_MAX_VALUE_LENGTH);
    assert.equal(mutableSigningBuffer({ seq: 1, encodedValue: biggest }).length, 11 + 1000);
    assert.throws(
      () => mutableSigningBuffer({ seq: 1, encodedValue: new Uint8Array(1001) }),
      /1-1000 bytes, got 1001/,
    );
    const salt64 = new Uint8Array(BEP44_MAX_SALT_LENGTH);
    assert.equal(mutableItemTarget(PUBLIC_KEY, salt64).length, 20);
    assert.throws(
      () => mutableItemTarget(PUBLIC_KEY, new Uint8Array(65)),
      /at most 64 bytes, got 65/,
    );
    assert.throws(() => mutableItemTarget(new Uint8Array(31)), /32 bytes, got 31/);
    assert.throws(() => mutableItemTarget("key" as unknown as Uint8Array), TypeError);
  });

  it("states BEP 44's limits and error codes", () => {
    assert.equal(BEP44_MAX_VALUE_LENGTH, 1000);
    assert.equal(BEP44_MAX_SALT_LENGTH, 64);
    assert.equal(BEP44_PUBLIC_KEY_LENGTH, 32);
    assert.equal(BEP44_SIGNATURE_LENGTH, 64);
    assert.equal(BEP44_MAX_SEQ, 2 ** 53 - 1);
    assert.deepEqual(
      { ...Bep44ErrorCode },
      {
        ValueTooBig: 205,
        InvalidSignature: 206,
        SaltTooBig: 207,
        CasMismatch: 301,
        SeqTooOld: 302,
      },
    );
  });
});

describe("ed25519 adapter", () => {
  it("signs and verifies round trips with fresh seeds, and signatures are deterministic", () => {
    for (let i = 0; i < 8; i++) {
      const { publicKey, secretKey } = generateKeyPair();
      assert.equal(publicKey.length, 32);
      assert.equal(secretKey.length, 32);
      assert.deepEqual(ed25519.publicKeyOf(secretKey), publicKey);
      const message = text.encode(`3:seqi${i}e1:v1:${i}`);
      const signature = ed25519.sign(message, secretKey);
      assert.equal(signature.length, 64);
      assert.deepEqual(ed25519.sign(message, secretKey), signature);
      assert.equal(ed25519.verify(signature, message, publicKey), true);
      assert.equal(ed25519.verify(signature, text.encode("other"), publicKey), false);
    }
  });

  it("matches RFC 8032 §7.1 test 1 from its seed", () => {
    const seed = hexBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    assert.equal(
      toHex(ed25519.publicKeyOf(seed)),
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    );
    assert.equal(
      toHex(ed25519.sign(new Uint8Array(0), seed)),
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
  });

  it("signs mutable items that verify, and whose signature covers seq, value and salt", () => {
    const { publicKey, secretKey } = generateKeyPair();
    const salt = text.encode("profile");
    const item = signMutableItem(
      { seq: 7, encodedValue: encodeBencode({ name: "kdht" }), salt },
      { ed25519, secretKey },
    );
    assert.deepEqual(item.publicKey, publicKey);
    assert.deepEqual(item.salt, salt);
    assert.equal(verifyMutableItem(item, ed25519), true);
    assert.equal(verifyMutableItem({ ...item, seq: 8 }, ed25519), false);
    const unsalted = signMutableItem(
      { seq: 0, encodedValue: encodedHello, salt: new Uint8Array(0) },
      { ed25519, secretKey },
    );
    assert.equal("salt" in unsalted, false, "an empty salt is dropped");
  });

  it("verifies malformed input as false instead of throwing", () => {
    const { publicKey, secretKey } = generateKeyPair();
    const message = text.encode("m");
    const signature = ed25519.sign(message, secretKey);
    assert.equal(ed25519.verify(signature.subarray(0, 63), message, publicKey), false);
    assert.equal(ed25519.verify(new Uint8Array(65), message, publicKey), false);
    assert.equal(ed25519.verify(signature, message, publicKey.subarray(0, 31)), false);
    assert.equal(ed25519.verify(signature, message, new Uint8Array(32).fill(0xff)), false);
    // The identity point (small order) as a key, and S ≥ L: both refused by strict RFC 8032.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    assert.equal(ed25519.verify(signature, message, identity), false);
    const malleated = signature.slice();
    let carry = 0;
    const L = hexBytes("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    for (let i = 0; i < 32; i++) {
      const sum = malleated[32 + i]! + L[i]! + carry;
      malleated[32 + i] = sum & 0xff;
      carry = sum >> 8;
    }
    assert.equal(ed25519.verify(malleated, message, publicKey), false, "S + L");
    assert.equal(
      verifyMutableItem({ ...vectorItem(TEST1.signature), publicKey: new Uint8Array(31) }, ed25519),
      false,
    );
    assert.equal(
      verifyMutableItem({ ...vectorItem(TEST1.signature), seq: -1 }, ed25519),
      false,
    );
    assert.equal(
      verifyMutableItem({ ...vectorItem(TEST1.signature), salt: new Uint8Array(65) }, ed25519),
      false,
    );
  });

  it("throws TypeError for a secret key that is not a 32-byte seed", () => {
    assert.throws(
      () => ed25519.sign(new Uint8Array(1), EXPANDED_SECRET_KEY),
      /32-byte Uint8Array seed, got 64 bytes/,
    );
    assert.throws(() => ed25519.publicKeyOf(new Uint8Array(31)), TypeError);
    assert.throws(
      () => ed25519.sign(new Uint8Array(1), "seed" as unknown as Uint8Array),
      TypeError,
    );
  });
});
