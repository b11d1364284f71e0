import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ed25519, generateKeyPair } from "../../adapters/ed25519.ts";
import { idToHex } from "../../src/id/node_id.ts";
import {
  Bep44ErrorCode,
  immutableItemTarget,
  mutableItemTarget,
  signMutableItem,
  verifyMutableItem,
} from "../../src/records/bep44.ts";
import {
  type CheckedPut,
  checkMutablePut,
  checkPut,
  type PutFields,
  type StoredMutableItem,
} from "../../src/records/bep44_put.ts";
import { encodeBencode } from "../../src/wire/bencode.ts";

const text = new TextEncoder();
const key = new Uint8Array(32).fill(7);
const sig = new Uint8Array(64).fill(9);
const hello = encodeBencode("Hello World!");

function rejection(checked: CheckedPut): [number, string] | undefined {
  return checked.ok ? undefined : [checked.code, checked.message];
}

describe("checkPut", () => {
  it("classifies a put with only a value as immutable, under the SHA-1 of the value", () => {
    const checked = checkPut({ encodedValue: hello });
    assert.equal(checked.ok && checked.kind, "immutable");
    assert.equal(
      checked.ok && idToHex(checked.target),
      "e5f96f6f38320f0f33959cb4d3d656452117aadb",
    );
  });

  it("classifies a put with k, sig and seq as mutable, under SHA-1(k ‖ salt)", () => {
    const salt = text.encode("foobar");
    const checked = checkPut({ encodedValue: hello, publicKey: key, signature: sig, seq: 3, salt });
    assert.ok(checked.ok && checked.kind === "mutable");
    assert.deepEqual(checked.target, mutableItemTarget(key, salt));
    assert.deepEqual(checked.item, {
      publicKey: key,
      signature: sig,
      seq: 3,
      encodedValue: hello,
      salt,
    });
    assert.equal("cas" in checked, false);
    const withCas = checkPut({
      encodedValue: hello,
      publicKey: key,
      signature: sig,
      seq: 3,
      cas: 2,
    });
    assert.equal(withCas.ok && withCas.kind === "mutable" && withCas.cas, 2);
  });

  it("drops an empty salt, so the item is the unsalted one", () => {
    const checked = checkPut({
      encodedValue: hello,
      publicKey: key,
      signature: sig,
      seq: 0,
      salt: new Uint8Array(0),
    });
    assert.ok(checked.ok && checked.kind === "mutable");
    assert.equal("salt" in checked.item, false);
    assert.deepEqual(checked.target, mutableItemTarget(key));
  });

  it("answers 205 for a value over 1000 bencoded bytes, including a dict value", () => {
    const fits = encodeBencode("x".repeat(996)); // "996:" + 996 bytes = 1000
    assert.equal(fits.length, 1000);
    assert.equal(checkPut({ encodedValue: fits }).ok, true);
    const over = encodeBencode("x".repeat(997));
    assert.equal(over.length, 1001);
    assert.deepEqual(rejection(checkPut({ encodedValue: over })), [
      205,
      "value too big: 1001 bytes bencoded, at most 1000",
    ]);
    // A dict whose own strings are short but whose bencoding is 1001 bytes (bittorrent-dht
    // checks v.length and lets dict values of any size through).
    const dict: Record<string, string> = {};
    for (let i = 0; i < 50; i++) dict[`k${String(i).padStart(2, "0")}`] = "abcd";
    const bytes = encodeBencode(dict);
    dict.pad = "y".repeat(1001 - bytes.length - 9); // "3:pad" + "NNN:" + NNN bytes
    const big = encodeBencode(dict);
    assert.equal(big.length, 1001);
    assert.equal(rejection(checkPut({ encodedValue: big }))?.[0], Bep44ErrorCode.ValueTooBig);
    assert.equal(rejection(checkPut({ encodedValue: new Uint8Array(0) }))?.[0], 205);
  });

  it("answers 207 for a salt over 64 bytes", () => {
    const base = { encodedValue: hello, publicKey: key, signature: sig, seq: 1 };
    assert.equal(checkPut({ ...base, salt: new Uint8Array(64) }).ok, true);
    assert.deepEqual(rejection(checkPut({ ...base, salt: new Uint8Array(65) })), [
      207,
      "salt too big: 65 bytes, at most 64",
    ]);
  });

  it("answers 203 for a wrong-sized k or sig and for a seq or cas out of range", () => {
    const base = { encodedValue: hello, publicKey: key, signature: sig, seq: 1 };
    const bad: PutFields[] = [
      { ...base, publicKey: new Uint8Array(31) },
      { ...base, publicKey: new Uint8Array(33) },
      { ...base, signature: new Uint8Array(63) },
      { ...base, signature: new Uint8Array(65) },
      { ...base, seq: -1 },
      { ...base, seq: 2 ** 53 },
      { ...base, seq: 0.5 },
      { ...base, cas: -1 },
      { ...base, cas: 2 ** 63 },
    ];
    for (const fields of bad) {
      assert.equal(rejection(checkPut(fields))?.[0], 203, JSON.stringify(fields));
    }
  });

  it("answers 203 for a partial set of mutable fields instead of storing it as immutable", () => {
    const partial: PutFields[] = [
      { encodedValue: hello, publicKey: key },
      { encodedValue: hello, signature: sig },
      { encodedValue: hello, seq: 1 },
      { encodedValue: hello, publicKey: key, signature: sig },
      { encodedValue: hello, publicKey: key, seq: 1 },
      { encodedValue: hello, signature: sig, seq: 1 },
      { encodedValue: hello, salt: text.encode("s") },
      { encodedValue: hello, cas: 1 },
    ];
    for (const fields of partial) {
      assert.deepEqual(rejection(checkPut(fields)), [
        203,
        "a mutable put needs all of 'k', 'sig' and 'seq'",
      ]);
    }
  });

  it("hands a really signed put to verifyMutableItem intact", () => {
    const { secretKey } = generateKeyPair();
    const signed = signMutableItem({ seq: 5, encodedValue: hello, salt: text.encode("a") }, {
      ed25519,
      secretKey,
    });
    const checked = checkPut(signed);
    assert.ok(checked.ok && checked.kind === "mutable");
    assert.equal(verifyMutableItem(checked.item, ed25519), true);
    assert.deepEqual(checked.target, mutableItemTarget(signed.publicKey, text.encode("a")));
    assert.notDeepEqual(checked.target, immutableItemTarget("Hello World!"));
  });
});

describe("checkMutablePut", () => {
  const v1 = encodeBencode("one");
  const v2 = encodeBencode("two");
  const stored: StoredMutableItem = { seq: 5, encodedValue: v1 };

  it("stores when nothing is stored, ignoring cas", () => {
    assert.deepEqual(checkMutablePut(undefined, { seq: 0, encodedValue: v1 }), { action: "store" });
    assert.deepEqual(checkMutablePut(undefined, { seq: 3, encodedValue: v1, cas: 99 }), {
      action: "store",
    });
  });

  it("stores a higher seq, with or without a matching cas", () => {
    assert.deepEqual(checkMutablePut(stored, { seq: 6, encodedValue: v2 }), { action: "store" });
    assert.deepEqual(checkMutablePut(stored, { seq: 6, encodedValue: v2, cas: 5 }), {
      action: "store",
    });
  });

  it("refreshes an equal seq with the same value", () => {
    assert.deepEqual(checkMutablePut(stored, { seq: 5, encodedValue: encodeBencode("one") }), {
      action: "refresh",
    });
  });

  it("answers 302 to a lower seq and to an equal seq with another value", () => {
    assert.deepEqual(checkMutablePut(stored, { seq: 4, encodedValue: v2 }), {
      action: "reject",
      code: 302,
      message: "sequence number 4 is less than current 5",
    });
    assert.deepEqual(checkMutablePut(stored, { seq: 5, encodedValue: v2 }), {
      action: "reject",
      code: 302,
      message: "sequence number 5 is already stored with another value",
    });
  });

  it("answers 301 to a cas that is not the stored seq, before looking at seq", () => {
    for (const incoming of [{ seq: 6, cas: 4 }, { seq: 4, cas: 6 }, { seq: 5, cas: 0 }]) {
      const decision = checkMutablePut(stored, { ...incoming, encodedValue: v2 });
      assert.equal(decision.action === "reject" && decision.code, 301, JSON.stringify(incoming));
    }
    const decision = checkMutablePut(stored, { seq: 7, encodedValue: v2, cas: 4 });
    assert.equal(
      decision.action === "reject" && decision.message,
      "CAS mismatch: expected seq 4, stored seq is 5; re-read and retry",
    );
  });

  it("never lets the stored seq fall or a seq carry two values, over any put sequence (property)", () => {
    const arbPut = fc.record({
      seq: fc.integer({ min: 0, max: 20 }),
      value: fc.constantFrom("a", "b", "c"),
      cas: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(arbPut, { maxLength: 40 }), (puts) => {
      let held: StoredMutableItem | undefined;
      const valueAt = new Map<number, string>();
      for (const put of puts) {
        const encodedValue = encodeBencode(put.value);
        const decision = checkMutablePut(held, { seq: put.seq, encodedValue, cas: put.cas });
        if (decision.action === "store") {
          assert.ok(held === undefined || put.seq > held.seq, "store only moves seq forward");
          assert.ok(held === undefined || put.cas === undefined || put.cas === held.seq);
          held = { seq: put.seq, encodedValue };
          const seen = valueAt.get(put.seq);
          assert.ok(seen === undefined || seen === put.value, "one value per seq");
          valueAt.set(put.seq, put.value);
        } else if (decision.action === "refresh") {
          assert.ok(held && held.seq === put.seq && valueAt.get(put.seq) === put.value);
        } else {
          assert.ok(held !== undefined, "nothing stored is never a rejection");
          const casFailed = put.cas !== undefined && put.cas !== held.seq;
          assert.equal(decision.code, casFailed ? 301 : 302);
        }
      }
    }));
  });
});
