import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BEP42_PREFIX_BITS,
  isBep42Compliant,
  isBep42Exempt,
  isSecureNodeId,
  secureNodeId,
  withBep42Prefix,
} from "../../src/id/bep42.ts";
import { idFromHex, idToHex } from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";
import { bytesToIPv4, bytesToIPv6 } from "../../src/wire/ip.ts";

// BEP 42 §Node ID restriction, "test vectors": IP, rand, example node id.
const VECTORS: [string, number, string][] = [
  ["124.31.75.21", 1, "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401"],
  ["21.75.31.124", 86, "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256"],
  ["65.23.51.170", 22, "a5d43220bc8f112a3d426c84764f8c2a1150e616"],
  ["84.124.73.14", 65, "1b0321dd1bb1fe518101ceef99462b947a01ff41"],
  ["43.213.53.83", 90, "e56f6cbf5b7c4be0237986d5243b87aa6d51305a"],
];

const V4_MASK = [0x03, 0x0f, 0x3f, 0xff];
const V6_MASK = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

/** The bits of an address that BEP 42 hashes, as a hex string (the masks of the BEP). */
function masked(bytes: Uint8Array): string {
  const mask = bytes.length === 4 ? V4_MASK : V6_MASK;
  return mask.map((m, i) => (bytes[i]! & m).toString(16).padStart(2, "0")).join("");
}

/**
 * The one nonzero difference of masked IPv4 bits that leaves the top 21 bits of the CRC
 * unchanged. CRC is linear, so two IPv4 addresses accept the same ids exactly when their masked
 * bits are equal or differ by this; the test "finds exactly one collision" below derives it by
 * trying all 2^20 - 1 differences.
 */
const V4_COLLISION = 0x020606d7;

const arbV4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
const arbV6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const arbFree = fc.uint8Array({ minLength: 20, maxLength: 20 });

/** The 21 prefix bits of an id, as a number. */
function prefixOf(id: Uint8Array): number {
  return (id[0]! << 13) | (id[1]! << 5) | (id[2]! >>> 3);
}

describe("BEP 42 secure node ids", () => {
  it("accepts each of the five BEP 42 test vectors for its IP", () => {
    for (const [ip, , hex] of VECTORS) assert.equal(isSecureNodeId(idFromHex(hex), ip), true, ip);
  });

  it("derives exactly the BEP 42 test vector ids from their random parts", () => {
    for (const [ip, rand, hex] of VECTORS) {
      const vector = idFromHex(hex);
      assert.equal(vector[19], rand, `${ip}: the last byte is the vector's rand`);
      // Keep the random parts (bytes 3-19 and the low 3 bits of byte 2); scramble the prefix.
      const free = vector.slice();
      free[0] = ~free[0]! & 0xff;
      free[1] = ~free[1]! & 0xff;
      free[2] = (~free[2]! & 0xf8) | (free[2]! & 0x07);
      assert.equal(isSecureNodeId(free, ip), false, `${ip}: the scrambled id is not secure`);
      assert.equal(idToHex(withBep42Prefix(free, ip)), hex, ip);
    }
  });

  it("uses 21 prefix bits", () => {
    assert.equal(BEP42_PREFIX_BITS, 21);
  });

  it("draws ids that are secure for their IPv4 or IPv6 address (property)", () => {
    fc.assert(fc.property(fc.oneof(arbV4, arbV6), fc.integer(), (bytes, seed) => {
      const ip = bytes.length === 4 ? bytesToIPv4(bytes) : bytesToIPv6(bytes);
      const id = secureNodeId(ip, new SeededRandom(seed));
      assert.equal(id.length, 20);
      assert.equal(isSecureNodeId(id, ip), true, `${ip} ${idToHex(id)}`);
    }));
  });

  it("keeps every bit outside the prefix, so ids stay random (property)", () => {
    fc.assert(fc.property(fc.oneof(arbV4, arbV6), arbFree, (bytes, free) => {
      const ip = bytes.length === 4 ? bytesToIPv4(bytes) : bytesToIPv6(bytes);
      const id = withBep42Prefix(free, ip);
      assert.deepEqual(id.subarray(3), free.subarray(3));
      assert.equal(id[2]! & 0x07, free[2]! & 0x07);
      assert.deepEqual(withBep42Prefix(id, ip), id, "idempotent");
    }));
  });

  it("rejects an id with any of its 21 prefix bits flipped (property)", () => {
    fc.assert(
      fc.property(fc.oneof(arbV4, arbV6), arbFree, fc.integer({ min: 0, max: 20 }), (b, f, bit) => {
        const ip = b.length === 4 ? bytesToIPv4(b) : bytesToIPv6(b);
        const id = withBep42Prefix(f, ip);
        id[bit >>> 3] = id[bit >>> 3]! ^ (0x80 >>> (bit & 7));
        assert.equal(isSecureNodeId(id, ip), false);
      }),
    );
  });

  it("finds exactly one colliding difference among all 2^20 - 1 masked IPv4 differences", () => {
    // The prefix is affine in the masked address bits (CRC is linear over GF(2)): check that on
    // samples, then walk all 2^20 differences in Gray-code order from the 20 basis images.
    const zero = new Uint8Array(20);
    const prefixFor = (word: number) =>
      prefixOf(
        withBep42Prefix(
          zero,
          bytesToIPv4(Uint8Array.of(word >>> 24, word >>> 16, word >>> 8, word)),
        ),
      );
    const base = prefixFor(0);
    const maskWord = 0x030f3fff;
    fc.assert(fc.property(fc.integer(), fc.integer(), (x, y) => {
      const [a, b] = [x & maskWord, y & maskWord];
      assert.equal(prefixFor(a ^ b) ^ base, (prefixFor(a) ^ base) ^ (prefixFor(b) ^ base));
    }));
    const bits: number[] = [];
    for (let bit = 0; bit < 32; bit++) if (maskWord & (1 << bit)) bits.push((1 << bit) >>> 0);
    assert.equal(bits.length, 20);
    const images = bits.map((word) => prefixFor(word) ^ base);
    const collisions: number[] = [];
    let image = 0;
    let diff = 0;
    for (let i = 1; i < 1 << 20; i++) {
      const k = 31 - Math.clz32(i & -i); // the bit that changes in the Gray code
      image ^= images[k]!;
      diff = (diff ^ bits[k]!) >>> 0;
      if (image === 0) collisions.push(diff);
    }
    assert.deepEqual(collisions, [V4_COLLISION]);
  });

  it("rejects a secure IPv4 id from another IPv4 address unless BEP 42's masks merge them (property)", () => {
    fc.assert(fc.property(arbV4, arbV4, arbFree, (a, b, free) => {
      const id = withBep42Prefix(free, bytesToIPv4(a));
      const diff = parseInt(masked(a), 16) ^ parseInt(masked(b), 16);
      const expected = diff === 0 || diff === V4_COLLISION;
      assert.equal(isSecureNodeId(id, bytesToIPv4(b)), expected, `${bytesToIPv4(b)}`);
    }));
    // The colliding pair, spelled out: 203.0.113.7 ^ 2.6.6.215 (mask bits only) = 201.6.119.208.
    const id = secureNodeId("203.0.113.7", new SeededRandom(7));
    assert.equal(isSecureNodeId(id, "201.6.119.208"), true);
    assert.equal(isSecureNodeId(id, "201.6.119.209"), false);
  });

  it("ignores the address bits BEP 42 masks off, so a subnet shares its ids (property)", () => {
    fc.assert(fc.property(fc.oneof(arbV4, arbV6), arbFree, fc.integer(), (a, free, seed) => {
      const noise = new SeededRandom(seed).fill(new Uint8Array(a.length));
      const mask = a.length === 4 ? V4_MASK : V6_MASK;
      const b = a.map((byte, i) => byte ^ (noise[i]! & ~(mask[i] ?? 0) & 0xff));
      const text = (x: Uint8Array) => x.length === 4 ? bytesToIPv4(x) : bytesToIPv6(x);
      assert.equal(isSecureNodeId(withBep42Prefix(free, text(a)), text(b)), true);
    }));
  });

  it("rejects a secure IPv6 id from other IPv6 addresses except with probability ~2^-21", () => {
    // 36 masked bits map onto 21, so collisions exist; count them over a fixed sample.
    const random = new SeededRandom(42);
    let accepted = 0;
    const pairs = 5000;
    for (let i = 0; i < pairs; i++) {
      const a = random.fill(new Uint8Array(16));
      const b = random.fill(new Uint8Array(16));
      if (masked(a) === masked(b)) continue;
      const id = secureNodeId(bytesToIPv6(a), random);
      if (isSecureNodeId(id, bytesToIPv6(b))) accepted++;
    }
    assert.ok(accepted <= 1, `${accepted} of ${pairs} foreign IPv6 addresses accepted the id`);
  });

  it("treats an IPv4-mapped IPv6 address as its IPv4 address and ignores a zone", () => {
    const id = secureNodeId("203.0.113.7", new SeededRandom(1));
    assert.equal(isSecureNodeId(id, "::ffff:203.0.113.7"), true);
    assert.equal(isSecureNodeId(id, "::ffff:cb00:7107"), true);
    const v6 = secureNodeId("2001:db8::1", new SeededRandom(2));
    assert.equal(isSecureNodeId(v6, "2001:db8::1%eth0"), true);
  });

  it("throws TypeError on an id that is not 20 bytes or an address that is not an IP literal", () => {
    const id = new Uint8Array(20);
    for (const ip of ["localhost", "1.2.3", "01.2.3.4", "", "1.2.3.4.5", "::g"]) {
      assert.throws(() => isSecureNodeId(id, ip), TypeError, ip);
      assert.throws(() => secureNodeId(ip, new SeededRandom(1)), TypeError, ip);
      assert.throws(() => isBep42Exempt(ip), TypeError, ip);
    }
    assert.throws(() => isSecureNodeId(new Uint8Array(19), "1.2.3.4"), /20-byte/);
    assert.throws(() => withBep42Prefix(new Uint8Array(21), "1.2.3.4"), /20-byte/);
  });
});

describe("BEP 42 exemption", () => {
  it("exempts the local IPv4 ranges, from their first to their last address", () => {
    const exempt = [
      ["10.0.0.0", "10.255.255.255"],
      ["172.16.0.0", "172.31.255.255"],
      ["192.168.0.0", "192.168.255.255"],
      ["169.254.0.0", "169.254.255.255"],
      ["127.0.0.0", "127.255.255.255"],
      ["100.64.0.0", "100.127.255.255"],
    ];
    for (const [first, last] of exempt) {
      assert.equal(isBep42Exempt(first!), true, first);
      assert.equal(isBep42Exempt(last!), true, last);
    }
    const outside = [
      "9.255.255.255",
      "11.0.0.0",
      "172.15.255.255",
      "172.32.0.0",
      "192.167.255.255",
      "192.169.0.0",
      "169.253.255.255",
      "169.255.0.0",
      "126.255.255.255",
      "128.0.0.0",
      "100.63.255.255",
      "100.128.0.0",
      "0.0.0.0",
      "8.8.8.8",
      "203.0.113.7",
    ];
    for (const ip of outside) assert.equal(isBep42Exempt(ip), false, ip);
  });

  it("exempts IPv6 loopback, unique local, link-local and site-local, and mapped local IPv4", () => {
    const exempt = [
      "::1",
      "fc00::",
      "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      "fe80::",
      "fe80::1%lo",
      "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      "fec0::1",
      "::ffff:127.0.0.1",
      "::ffff:192.168.1.1",
    ];
    for (const ip of exempt) assert.equal(isBep42Exempt(ip), true, ip);
    const outside = [
      "::",
      "::2",
      "fbff:ffff::1",
      "fe00::1",
      "ff02::1",
      "2001:db8::1",
      "::ffff:8.8.8.8",
    ];
    for (const ip of outside) assert.equal(isBep42Exempt(ip), false, ip);
  });

  it("isBep42Compliant accepts any id from an exempt address and only secure ids otherwise", () => {
    const zero = new Uint8Array(20);
    for (const ip of ["127.0.0.1", "::1", "10.1.2.3", "192.168.0.10"]) {
      assert.equal(isBep42Compliant(zero, ip), true, ip);
      assert.equal(isSecureNodeId(zero, ip), false, `${ip}: the bare check still fails`);
    }
    assert.equal(isBep42Compliant(zero, "203.0.113.7"), false);
    const secure = secureNodeId("203.0.113.7", new SeededRandom(3));
    assert.equal(isBep42Compliant(secure, "203.0.113.7"), true);
    // A loopback address also gets secure ids, and they check out.
    assert.equal(isSecureNodeId(secureNodeId("127.0.0.1", new SeededRandom(4)), "127.0.0.1"), true);
  });
});
