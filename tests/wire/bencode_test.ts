import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DecodeError } from "../../src/errors.ts";
import {
  BencodeCodec,
  decodeBencode,
  encodeBencode,
  isCanonicalTree,
} from "../../src/wire/bencode.ts";
import type { WireDict, WireValue } from "../../src/wire/codec.ts";
import {
  asDecodedBencode,
  assertInheritsNothing,
  BEP5_VECTORS,
  bin,
  dict,
  str,
} from "./_wire_helpers.ts";

/**
 * Asserts that decoding fails with a DecodeError (never RangeError, TypeError or a crash),
 * for the reason `why` when given.
 */
function assertRejected(
  input: Uint8Array | string,
  limits?: Parameters<typeof decodeBencode>[1],
  why?: RegExp,
): void {
  const data = typeof input === "string" ? bin(input) : input;
  assert.throws(() => decodeBencode(data, limits), (err: unknown) => {
    assert.ok(err instanceof DecodeError, `expected DecodeError, got ${String(err)}`);
    assert.match(err.message, /^Invalid bencode: /);
    if (why !== undefined) assert.match(err.message, why);
    return true;
  });
}

/** `depth` nested lists, the innermost empty. */
function nested(open: string, depth: number): string {
  return open.repeat(depth) + "e".repeat(depth);
}

/** `depth` nested dicts, each holding the next under key "x", the innermost empty. */
function nestedDicts(depth: number): string {
  return "d1:x".repeat(depth - 1) + "de" + "e".repeat(depth - 1);
}

describe("encodeBencode", () => {
  for (const v of BEP5_VECTORS) {
    it(`writes BEP 5's ${v.name} byte for byte`, () => {
      assert.equal(str(encodeBencode(v.message)), v.bencoded);
    });
  }

  it("sorts keys by raw bytes, not insertion order", () => {
    const out = encodeBencode({ z: 1, a: 2, "\x7f": 3, "\xff": 4, A: 5, aa: 6 });
    assert.equal(str(out), "d1:Ai5e1:ai2e2:aai6e1:zi1e1:\x7fi3e1:\xffi4ee");
  });

  it("writes text leaves as UTF-8 and keys as one byte per character", () => {
    const out = encodeBencode({ "\xe9": "é€😀" });
    assert.equal(str(out), "d1:\xe99:\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80e");
    const long = "é".repeat(100) + "😀";
    assert.deepEqual(
      encodeBencode({ k: long }),
      bin(`d1:k204:${str(new TextEncoder().encode(long))}e`),
    );
  });

  it("writes integers in shortest form, with -0 as 0", () => {
    const out = encodeBencode({ a: 0, b: -0, c: -5, d: Number.MAX_SAFE_INTEGER, e: -42 });
    assert.equal(str(out), "d1:ai0e1:bi0e1:ci-5e1:di9007199254740991e1:ei-42ee");
  });

  it("writes byte leaves as is, including subarray views", () => {
    const big = bin("xxhelloxx");
    assert.equal(
      str(encodeBencode({ b: big.subarray(2, 7), e: new Uint8Array(0) })),
      "d1:b5:hello1:e0:e",
    );
  });

  it("writes a __proto__ own key as a plain key", () => {
    const plain = JSON.parse('{"constructor":1,"__proto__":"x"}') as WireDict;
    const bare: WireDict = Object.create(null);
    bare["__proto__"] = "x";
    bare["constructor"] = 1;
    for (const m of [plain, bare]) {
      assert.equal(str(encodeBencode(m)), "d9:__proto__1:x11:constructori1ee");
    }
  });

  const rejected: [string, unknown][] = [
    ["a float", { a: 1.5 }],
    ["NaN", { a: NaN }],
    ["Infinity", { a: Infinity }],
    ["2^53", { a: 2 ** 53 }],
    ["-(2^53)", { a: -(2 ** 53) }],
    ["undefined", { a: undefined }],
    ["null", { a: null }],
    ["a boolean", { a: true }],
    ["a bigint", { a: 1n }],
    ["a Map", { a: new Map() }],
    ["a Date", { a: new Date(0) }],
    ["a Uint16Array", { a: new Uint16Array(2) }],
    ["an unpaired high surrogate", { a: "x\ud800" }],
    ["an unpaired low surrogate", { a: "\udc00x" }],
    ["a key above U+00FF", { "€": 1 }],
    ["nesting deeper than 1,000", { a: JSON.parse(nested("[", 1001).replace(/e/g, "]")) }],
  ];
  for (const [what, tree] of rejected) {
    it(`throws TypeError on ${what}`, () => {
      assert.throws(() => encodeBencode(tree as WireDict), TypeError);
    });
  }

  it("throws TypeError on a cycle instead of overflowing the stack", () => {
    const cyclic: WireDict = { a: [] };
    (cyclic.a as WireValue[]).push(cyclic);
    assert.throws(() => encodeBencode(cyclic), /cycle/);
  });

  it("encodes calls made one after another, after a failed one, and from inside another", () => {
    assert.throws(() => encodeBencode({ a: [1, 2, { b: 1.5 }] }), TypeError);
    assert.equal(str(encodeBencode({ y: "q", a: { id: "x" } })), "d1:ad2:id1:xe1:y1:qe");
    // A getter that encodes while the outer call is half-way through its tree.
    let inner = "";
    const tree = { z: 1 } as WireDict;
    Object.defineProperty(tree, "m", {
      enumerable: true,
      get: () => {
        inner = str(encodeBencode({ q: "inner", a: [1] }));
        return "v";
      },
    });
    assert.equal(str(encodeBencode(tree)), "d1:m1:v1:zi1ee");
    assert.equal(inner, "d1:ali1ee1:q5:innere");
    assert.equal(str(encodeBencode({ t: "aa" })), "d1:t2:aae");
  });
});

describe("decodeBencode", () => {
  for (const v of BEP5_VECTORS) {
    it(`reads BEP 5's ${v.name} into dicts that inherit nothing`, () => {
      const data = bin(v.bencoded);
      const msg = decodeBencode(data);
      assert.deepStrictEqual(msg, asDecodedBencode(v.message));
      assertInheritsNothing(msg);
      assert.equal(str(encodeBencode(msg)), v.bencoded);
    });

    it(`rejects every prefix truncation of BEP 5's ${v.name} (B2)`, () => {
      const data = bin(v.bencoded);
      for (let len = 0; len < data.length; len++) assertRejected(data.subarray(0, len));
    });
  }

  it("returns byte strings that share one private copy of the datagram, not the input", () => {
    const data = bin("d1:t2:aa1:y1:re");
    const msg = decodeBencode(data);
    const t = msg.t as Uint8Array;
    const y = msg.y as Uint8Array;
    assert.equal(t.byteLength, 2);
    assert.equal(t.buffer, y.buffer, "one copy per datagram, not one per string");
    assert.equal(t.buffer.byteLength, data.byteLength, "and no more than the datagram is kept");
    assert.notEqual(t.buffer, data.buffer);
    data.fill(0);
    assert.equal(str(t), "aa");
    assert.equal(str(y), "r");
  });

  it("reads every key as one character per byte, so any key bytes round-trip", () => {
    const input = "d0:i1e3:\x00\x01\x02i2e2:\xc3\xa9i3e1:\xffi4ee";
    const msg = decodeBencode(bin(input));
    assert.deepEqual(Object.keys(msg), ["", "\x00\x01\x02", "\xc3\xa9", "\xff"]);
    assert.equal(str(encodeBencode(msg)), input);
  });

  // Rows from reference/reliability.md §c.1. Each input must be rejected with a DecodeError.
  const corpus: [row: string, name: string, input: string][] = [
    ["B1", "empty input", ""],
    ["B1", "a single byte", "d"],
    ["B1", "first byte is not 'd' (list)", "l1:ae"],
    ["B1", "first byte is not 'd' (string)", "2:aa"],
    ["B1", "first byte is not 'd' (integer)", "i1e"],
    ["B1", "last byte is not 'e'", "d1:ai1e"],
    ["B3", "a byte after the dict", "d1:ai1eex"],
    ["B3", "a second dict after the dict", "d1:ai1eede"],
    ["B3", "a NUL after the dict", "d1:ai1ee\x00"],
    ["B4", "string length -1", "d1:a-1:xe"],
    ["B4", "string length with a leading zero", "d1:a06:abcdefe"],
    ["B4", "key length with a leading zero", "d01:ai1ee"],
    ["B4", "string length 2^64 - 1", "d1:a18446744073709551615:xe"],
    ["B4", "string length beyond the input", "d1:a99999999:xe"],
    ["B4", "key length 1,000,000,001", "d1000000001:"],
    ["B4", "string length 2^31 + 4 (wraps to 4 in int32)", "d1:a2147483652:abcde"],
    ["B4", "a non-digit in a string length", "d1:a1x:ae"],
    ["B4", "a string length without a colon", "d1:a12"],
    ["B4", "an empty string length", "d1:a:e"],
    ["B4", "a 16-digit string length", "d1:a1000000000000000:xe"],
    ["B5", "ie", "d1:aiee"],
    ["B5", "i-e", "d1:ai-ee"],
    ["B5", "i-0e", "d1:ai-0ee"],
    ["B5", "i01e", "d1:ai01ee"],
    ["B5", "i-01e", "d1:ai-01ee"],
    ["B5", "i00e", "d1:ai00ee"],
    ["B5", "i12-3e", "d1:ai12-3ee"],
    ["B5", "i+5e", "d1:ai+5ee"],
    ["B5", "i 5e", "d1:ai 5ee"],
    ["B5", "i1.5e", "d1:ai1.5ee"],
    ["B5", "i--1e", "d1:ai--1ee"],
    ["B5", "2^63 (i9223372036854775808e)", "d1:ai9223372036854775808ee"],
    ["B5", "i184467440737095516154e", "d1:ai184467440737095516154ee"],
    ["B5", "2^53 + 1, which a double rounds", "d1:ai9007199254740993ee"],
    ["B5", "2^53", "d1:ai9007199254740992ee"],
    ["B5", "-(2^53)", "d1:ai-9007199254740992ee"],
    ["B5", "an unterminated integer", "d1:ai12"],
    ["B7", "600 tokens (a list of 600 empty strings)", `d1:al${"0:".repeat(600)}ee`],
    ["B8", "a duplicate key", "d1:ai1e1:ai2ee"],
    ["B8", "a duplicate empty key", "d0:i1e0:i2ee"],
    ["B8", "a duplicate key after a smaller one", "d1:bi1e1:ai2e1:bi3ee"],
    ["B8", "a duplicate key, not adjacent, in unsorted order", "d1:ci1e1:ai2e1:bi3e1:ai4ee"],
    ["B8", "a duplicate key in a nested unsorted dict", "d1:xd1:bi1e1:ai2e1:bi3eee"],
    ["B8", "an integer key", "di5e1:ae"],
    ["B8", "a list key", "dle1:ae"],
    ["B8", "a dict key", "dde1:ae"],
    ["B8", "a key without a value", "d1:ae"],
    ["B8", "a key without a value after another key", "d1:ai1e1:be"],
    ["B8", "an unknown type byte", "d1:ax1:ae"],
  ];
  for (const [row, name, input] of corpus) {
    it(`rejects ${name} (${row})`, () => assertRejected(input));
  }

  it("reads dictionaries whose keys are out of order, as libtorrent and Transmission do (B8)", () => {
    const cases: [string, WireDict][] = [
      ["d1:bi1e1:ai2ee", dict({ a: 2, b: 1 })],
      ["d1:ad1:bi1e1:ai2eee", dict({ a: dict({ a: 2, b: 1 }) })],
      ["d1:bi1e2:aai2ee", dict({ aa: 2, b: 1 })],
      [
        "d1:t2:aa1:y1:q1:q4:ping1:ad2:id20:abcdefghij0123456789ee",
        dict({
          a: dict({ id: bin("abcdefghij0123456789") }),
          q: bin("ping"),
          t: bin("aa"),
          y: bin("q"),
        }),
      ],
    ];
    for (const [input, expected] of cases) {
      const decoded = decodeBencode(bin(input));
      assert.deepStrictEqual(decoded, expected, input);
      assert.equal(isCanonicalTree(decoded), false, input);
      // Our own output is canonical: the same message, keys sorted.
      assert.equal(str(encodeBencode(decoded)), str(encodeBencode(expected)));
    }
  });

  it("isCanonicalTree flags exactly the subtrees holding a dictionary read out of order", () => {
    const msg = decodeBencode(bin("d1:ad1:bd1:yi1e1:xi2eee1:cli1ed1:pi1e1:qi2eeee"));
    assert.equal(isCanonicalTree(msg), false);
    assert.equal(isCanonicalTree(msg.a!), false);
    assert.equal(isCanonicalTree((msg.a as WireDict).b!), false);
    assert.equal(isCanonicalTree(msg.c!), true, "a sorted sibling is canonical");
    assert.equal(isCanonicalTree(decodeBencode(bin("d1:ad1:xi1e1:yi2eee"))), true);
    assert.equal(isCanonicalTree({ z: 1, a: 2 }), true, "a tree built in code encodes sorted");
  });

  it("accepts the edge cases next to the rejected rows (B4, B5, B8)", () => {
    const msg = decodeBencode(bin(
      "d0:0:1:ai0e1:bi-5e1:ci9007199254740991e1:di-9007199254740991e1:e0:3:k\x00ei1ee",
    ));
    assert.deepStrictEqual(
      msg,
      dict({
        "": new Uint8Array(0),
        a: 0,
        b: -5,
        c: Number.MAX_SAFE_INTEGER,
        d: -Number.MAX_SAFE_INTEGER,
        e: new Uint8Array(0),
        "k\x00e": 1,
      }),
    );
    assert.deepStrictEqual(decodeBencode(bin("de")), dict({}));
  });

  it("checks a string length against the bytes left before allocating (B4)", () => {
    // 99,999,999 claimed; a decoder that allocated first would need ~100 MB per datagram.
    const data = bin(`d1:a99999999:${"x".repeat(100)}e`);
    assert.throws(() => decodeBencode(data), /claims 99999999 bytes but 101 are left/);
  });

  describe("nesting (B6)", () => {
    it("accepts exactly 10 levels including the top-level dict", () => {
      const msg = decodeBencode(bin(`d1:a${nested("l", 9)}e`));
      let v: WireValue = msg.a!;
      for (let i = 1; i < 9; i++) v = (v as WireValue[])[0]!;
      assert.deepEqual(v, []);
      assert.equal(Object.keys(decodeBencode(bin(`d1:a${nestedDicts(9)}e`))).length, 1);
    });

    for (const depth of [10, 99, 19_999]) {
      for (const place of ["a", "r", "v"]) {
        it(`rejects ${depth + 1} levels inside '${place}' without a RangeError`, () => {
          const why = /nested deeper than 10 levels/;
          assertRejected(`d1:${place}${nested("l", depth)}e`, undefined, why);
          assertRejected(`d1:${place}${nestedDicts(depth)}e`, { maxLength: 1_000_000 }, why);
        });
      }
      it(`rejects ${depth + 1} levels of lists at top level`, () => {
        assertRejected(nested("l", depth + 1));
      });
    }

    it("rejects 200,000 levels through the decoder API with a raised length limit", () => {
      assertRejected(`d1:a${nested("l", 199_999)}e`, { maxLength: 1_000_000 }, /nested deeper/);
    });

    it("decodes 200,000 levels without recursion when the depth limit allows it", () => {
      const msg = decodeBencode(bin(`d1:a${nested("l", 199_999)}e`), {
        maxDepth: 200_000,
        maxTokens: 300_000,
        maxLength: 1_000_000,
      });
      let v: WireValue = msg.a!;
      let depth = 1;
      while (Array.isArray(v) && v.length === 1) {
        v = v[0]!;
        depth++;
      }
      assert.equal(depth, 199_999);
    });

    it("honours a custom maxDepth", () => {
      assertRejected("d1:alee", { maxDepth: 1 });
      assert.deepStrictEqual(decodeBencode(bin("d1:ai1ee"), { maxDepth: 1 }), dict({ a: 1 }));
    });
  });

  describe("token limit (B7)", () => {
    it("counts every value and key: 500 accepted, 501 rejected", () => {
      // dict + key + list = 3 tokens, then the strings.
      assert.equal(
        (decodeBencode(bin(`d1:al${"0:".repeat(497)}ee`)).a as WireValue[]).length,
        497,
      );
      assertRejected(`d1:al${"0:".repeat(498)}ee`);
    });

    it("honours a custom maxTokens", () => {
      assertRejected("d1:ai1e1:bi2ee", { maxTokens: 4 });
      assert.equal(Object.keys(decodeBencode(bin("d1:ai1e1:bi2ee"), { maxTokens: 5 })).length, 2);
    });
  });

  it("rejects input longer than maxLength before parsing it", () => {
    const data = bin(`d1:a${"1".repeat(70_000)}:e`);
    assert.throws(() => decodeBencode(data), /more than the limit of 65536/);
    assertRejected("d1:ai1ee", { maxLength: 7 });
    assert.deepStrictEqual(decodeBencode(bin("d1:ai1ee"), { maxLength: 8 }), dict({ a: 1 }));
  });

  describe("prototype-named keys (B9)", () => {
    const names = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];
    for (const place of ["top level", "a", "r", "v"]) {
      it(`treats ${names.join(", ")} as plain keys at ${place}`, () => {
        const inner = names.slice().sort().map((k) => `${k.length}:${k}i1e`).join("");
        const input = place === "top level" ? `d${inner}e` : `d1:${place}d${inner}ee`;
        const msg = decodeBencode(bin(input));
        const target = place === "top level" ? msg : msg[place] as WireDict;
        assertInheritsNothing(target);
        assert.deepEqual(Object.keys(target).sort(), names.slice().sort());
        for (const k of names) assert.equal(target[k], 1);
        assert.equal(str(encodeBencode(msg)), input);
        assert.equal(({} as Record<string, unknown>).toString, Object.prototype.toString);
        assert.equal(Object.getPrototypeOf({}), Object.prototype);
      });
    }
  });

  it("throws TypeError for a non-Uint8Array input and RangeError for a bad limit", () => {
    assert.throws(() => decodeBencode("de" as unknown as Uint8Array), TypeError);
    assert.throws(() => decodeBencode(bin("de"), { maxDepth: 0 }), RangeError);
    assert.throws(() => decodeBencode(bin("de"), { maxTokens: 1.5 }), RangeError);
    assert.throws(
      () => decodeBencode(bin("de"), { maxLength: "9" as unknown as number }),
      TypeError,
    );
  });
});

describe("BencodeCodec", () => {
  const codec = new BencodeCodec();

  it("is named bencode and round-trips a message through its limits", () => {
    assert.equal(codec.name, "bencode");
    const msg = codec.decode(
      codec.encode({ t: "aa", y: "q", q: "ping", a: { id: "x".repeat(20) } }),
    );
    assert.equal(codec.text(msg.q), "ping");
    assert.equal(codec.bytes((msg.a as WireDict).id)?.length, 20);
  });

  it("refuses to encode a top level that is not a dict", () => {
    assert.throws(() => codec.encode([] as unknown as WireDict), /top level must be a dictionary/);
    assert.throws(() => codec.encode("x" as unknown as WireDict), TypeError);
  });

  it("applies the limits given to its constructor", () => {
    const strict = new BencodeCodec({ maxDepth: 2 });
    assert.throws(() => strict.decode(bin("d1:ald1:ai1eeee")), DecodeError);
    assert.deepStrictEqual(strict.decode(bin("d1:alee")), dict({ a: [] }));
  });

  it("rejects invalid limits when constructed", () => {
    assert.throws(
      () => new BencodeCodec({ maxDepth: 0 }),
      /'maxDepth' must be a positive integer, got 0/,
    );
    assert.throws(() => new BencodeCodec({ maxTokens: -1 }), RangeError);
    assert.throws(() => new BencodeCodec({ maxLength: Infinity }), RangeError);
  });

  it("text() decodes strict UTF-8 and returns undefined for anything else", () => {
    assert.equal(codec.text(bin("\xc3\xa9")), "é");
    assert.equal(codec.text(bin("\xef\xbb\xbfa")), "\ufeffa", "a BOM is kept, not stripped");
    assert.equal(codec.text(bin("\xc3")), undefined);
    assert.equal(codec.text(bin("\xed\xa0\x80")), undefined, "encoded surrogate");
    assert.equal(codec.text(bin("\xc0\xaf")), undefined, "overlong encoding");
    assert.equal(codec.text("plain"), "plain");
    assert.equal(codec.text(5), undefined);
    assert.equal(codec.text([]), undefined);
    assert.equal(codec.text(undefined), undefined);
  });

  it("bytes() returns byte leaves as is, text as UTF-8, and undefined otherwise", () => {
    const leaf = bin("\x00\xff");
    assert.equal(codec.bytes(leaf), leaf);
    assert.deepEqual(codec.bytes("é"), bin("\xc3\xa9"));
    assert.equal(codec.bytes(1), undefined);
    assert.equal(codec.bytes(dict({})), undefined);
    assert.equal(codec.bytes(undefined), undefined);
  });
});
