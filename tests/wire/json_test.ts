import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeError } from "../../src/errors.ts";
import { JsonCodec } from "../../src/wire/json.ts";
import type { WireDict, WireValue } from "../../src/wire/codec.ts";
import { DecodedDict } from "../../src/wire/_wire_value.ts";
import { assertInheritsNothing, BEP5_VECTORS, bin, dict, str, wireTree } from "./_wire_helpers.ts";

const codec = new JsonCodec();
const utf8 = new TextEncoder();

function decodeText(text: string, c: JsonCodec = codec): WireDict {
  return c.decode(utf8.encode(text));
}

/** Asserts a DecodeError (never SyntaxError, RangeError or TypeError), for `why` if given. */
function assertRejected(input: string | Uint8Array, why?: RegExp, c: JsonCodec = codec): void {
  const data = typeof input === "string" ? utf8.encode(input) : input;
  assert.throws(() => c.decode(data), (err: unknown) => {
    assert.ok(err instanceof DecodeError, `expected DecodeError, got ${String(err)}`);
    assert.match(err.message, /^Invalid JSON: /);
    if (why !== undefined) assert.match(err.message, why);
    return true;
  });
}

/** What the JSON decoder returns for a tree: bytes as base64 text (btoa as the oracle). */
function asDecodedJson(value: WireValue): WireValue {
  if (value instanceof Uint8Array) return btoa(str(value));
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(asDecodedJson);
  const out: WireDict = new DecodedDict();
  for (const key of Object.keys(value)) out[key] = asDecodedJson(value[key]!);
  return out;
}

describe("JsonCodec.encode", () => {
  it("is named json and writes BEP 5's ping as compact JSON in insertion order", () => {
    assert.equal(codec.name, "json");
    const ping = BEP5_VECTORS.find((v) => v.name === "ping query")!;
    assert.equal(
      str(codec.encode(ping.message)),
      '{"t":"aa","y":"q","q":"ping","a":{"id":"abcdefghij0123456789"}}',
    );
  });

  it("writes bytes as padded base64, text as UTF-8 JSON strings, and -0 as 0", () => {
    const out = codec.encode({ b: bin("\x00\xff\x10"), s: 'é"\\\n', n: [-0, -7] });
    assert.equal(new TextDecoder().decode(out), '{"b":"AP8Q","s":"é\\"\\\\\\n","n":[0,-7]}');
  });

  const rejected: [string, unknown][] = [
    ["a float", { a: 0.5 }],
    ["2^53", { a: 2 ** 53 }],
    ["NaN", { a: NaN }],
    ["undefined", { a: undefined }],
    ["null", { a: null }],
    ["a boolean", { a: false }],
    ["a Map", { a: new Map() }],
    ["an unpaired surrogate in a value", { a: "\ud800" }],
    ["an unpaired surrogate in a key", { "\udfff": 1 }],
  ];
  for (const [what, tree] of rejected) {
    it(`throws TypeError on ${what}`, () => {
      assert.throws(() => codec.encode(tree as WireDict), TypeError);
    });
  }

  it("refuses to encode a top level that is not a dict", () => {
    assert.throws(() => codec.encode([] as unknown as WireDict), /top level must be a dictionary/);
    assert.throws(() => codec.encode(bin("x") as unknown as WireDict), TypeError);
  });

  it("throws TypeError on a cycle", () => {
    const cyclic: WireDict = {};
    cyclic.self = cyclic;
    assert.throws(() => codec.encode(cyclic), /cycle/);
  });
});

describe("JsonCodec.decode", () => {
  it("round-trips trees with text and byte leaves; bytes come back as base64 text", () => {
    const tree = wireTree({
      key: fc.string({ unit: "binary" }),
      text: fc.string({ unit: "binary" }),
    });
    const loose = new JsonCodec({ maxDepth: 100, maxTokens: 100_000, maxLength: 10_000_000 });
    fc.assert(
      fc.property(tree, (t) => {
        assert.deepStrictEqual(loose.decode(loose.encode(t)), asDecodedJson(t));
      }),
      { numRuns: 300 },
    );
  });

  it("gives byte fields back through bytes() and text fields through text()", () => {
    const id = Uint8Array.from({ length: 20 }, (_, i) => i * 13);
    const msg = codec.decode(codec.encode({ t: bin("\x01\x02"), y: "r", r: { id, n: 5 } }));
    const r = msg.r as WireDict;
    assert.deepEqual(codec.bytes(r.id), id);
    assert.deepEqual(codec.bytes(msg.t), bin("\x01\x02"));
    assert.equal(codec.text(msg.y), "r");
    assert.equal(codec.text(r.n), undefined);
    assert.equal(codec.bytes(r.n), undefined);
    assert.equal(codec.bytes(r), undefined);
    assert.equal(codec.bytes(undefined), undefined);
    assert.equal(codec.bytes(id), id, "a locally built byte leaf reads as itself");
  });

  it("bytes() returns undefined for invalid base64 (B28)", () => {
    for (const bad of ["Zg", "Zg=", "Zh==", "Zm9v\n", "-_-_", "é", "not base64!"]) {
      const msg = decodeText(JSON.stringify({ id: bad }));
      assert.equal(codec.bytes(msg.id), undefined, bad);
    }
  });

  it("returns dicts that inherit nothing at every level", () => {
    const msg = decodeText('{"a":{"b":[{"c":1}]}}');
    assertInheritsNothing(msg);
    const a = msg.a as WireDict;
    assertInheritsNothing(a);
    assertInheritsNothing((a.b as WireValue[])[0] as WireDict);
    assert.deepStrictEqual(msg, dict({ a: dict({ b: [dict({ c: 1 })] }) }));
  });

  it("treats __proto__, constructor and toString as plain keys (B28)", () => {
    const msg = decodeText('{"__proto__":{"polluted":1},"constructor":"x","a":{"__proto__":2}}');
    assert.deepEqual(Object.keys(msg), ["__proto__", "constructor", "a"]);
    assertInheritsNothing(msg);
    assert.deepStrictEqual(msg["__proto__"], dict({ polluted: 1 }));
    assert.equal((msg.a as WireDict)["__proto__"], 2);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // And it survives a re-encode as a key, not as a prototype.
    assert.deepStrictEqual(codec.decode(codec.encode(msg)), msg);
  });

  it("accepts strings that look like numbers, escapes, pairs and surrounding whitespace", () => {
    const msg = decodeText(
      ' {"1.5e3":"x.5e1\\"1.5","k\\\\":"\\\\","p":"\\ud83d\\ude00","m":-12} \n',
    );
    assert.deepStrictEqual(msg, dict({ "1.5e3": 'x.5e1"1.5', "k\\": "\\", p: "😀", m: -12 }));
  });

  const corpus: [name: string, input: string, why: RegExp][] = [
    ["a duplicate key", '{"a":1,"a":2}', /duplicate key/],
    ["a duplicate key in a nested object", '{"a":{"b":1,"b":1}}', /duplicate key/],
    ["a duplicate __proto__ key", '{"__proto__":1,"__proto__":2}', /duplicate key/],
    ["2^53 + 1, which JSON.parse rounds", '{"a":9007199254740993}', /safe integer/],
    ["2^53", '{"a":9007199254740992}', /safe integer/],
    ["-(2^53)", '{"a":-9007199254740992}', /safe integer/],
    ["a 400-digit number", `{"a":${"9".repeat(400)}}`, /safe integer/],
    ["a fraction", '{"a":1.5}', /not an integer/],
    ["a fraction that rounds to an integer", '{"a":9007199254740991.4}', /not an integer/],
    ["a zero fraction", '{"a":1.0}', /not an integer/],
    ["an exponent", '{"a":1e2}', /not an integer/],
    ["an upper-case exponent in a list", '{"a":[1E+2]}', /not an integer/],
    ["-0", '{"a":-0}', /-0/],
    ["null", '{"a":null}', /null/],
    ["true", '{"a":true}', /boolean/],
    ["false in a list", '{"a":[false]}', /boolean/],
    ["an unpaired surrogate escape", '{"a":"\\ud800"}', /surrogate/],
    ["an unpaired surrogate escape in a key", '{"\\udc00":1}', /surrogate/],
    ["a top-level array", "[1]", /top level/],
    ["a top-level string", '"a"', /top level/],
    ["a top-level number", "1", /top level/],
    ["top-level null", "null", /top level/],
    ["empty input", "", /Invalid JSON: /],
    ["trailing data", '{"a":1}x', /Invalid JSON: /],
    ["two objects", '{"a":1}{"b":2}', /Invalid JSON: /],
    ["a single quote string", "{'a':1}", /Invalid JSON: /],
    ["a leading zero", '{"a":01}', /Invalid JSON: /],
    ["a truncated object", '{"a":', /Invalid JSON: /],
    ["600 tokens", `{"a":[${Array(600).fill('"x"').join(",")}]}`, /more than 500 tokens/],
  ];
  for (const [name, input, why] of corpus) {
    it(`rejects ${name} (B28)`, () => assertRejected(input, why));
  }

  it("accepts 500 tokens and rejects 501", () => {
    // object + key + array = 3 tokens, then the elements.
    assert.equal(
      (decodeText(`{"a":[${Array(497).fill("1").join(",")}]}`).a as WireValue[]).length,
      497,
    );
    assertRejected(`{"a":[${Array(498).fill("1").join(",")}]}`, /tokens/);
  });

  it("accepts depth 10 and rejects depth 11 and 10,000 without a RangeError (B28)", () => {
    const deep = (n: number) => `{"a":${"[".repeat(n - 1)}${"]".repeat(n - 1)}}`;
    assert.ok(Array.isArray(decodeText(deep(10)).a));
    assertRejected(deep(11), /nested deeper than 10/);
    assertRejected(deep(10_000), /nested deeper than 10/);
    assertRejected(`{"a":${'{"a":'.repeat(9_999)}1${"}".repeat(10_000)}`, /nested deeper/);
    const loose = new JsonCodec({ maxLength: 1_000_000 });
    assertRejected(deep(200_000), /nested deeper/, loose);
  });

  it("rejects a 1 MB body before parsing it (B28)", () => {
    const body = `{"a":"${"x".repeat(1_000_000)}"}`;
    assertRejected(body, /more than the limit of 65536/);
    const roomy = new JsonCodec({ maxLength: 2_000_000 });
    assert.equal((decodeText(body, roomy).a as string).length, 1_000_000);
  });

  it("rejects invalid UTF-8 and a byte-order mark (B28)", () => {
    assertRejected(bin('{"a":"\xff"}'), /UTF-8/);
    assertRejected(bin('{"a":"\xc0\xaf"}'), /UTF-8/);
    assertRejected(bin('{"a":"\xed\xa0\x80"}'), /UTF-8/);
    assertRejected(bin('{"a":"\xc3'), /UTF-8/);
    assertRejected(bin('\xef\xbb\xbf{"a":1}'));
  });

  it("validates its limits and input type", () => {
    assert.throws(() => new JsonCodec({ maxTokens: 0 }), /'maxTokens' must be a positive integer/);
    assert.throws(() => codec.decode("{}" as unknown as Uint8Array), TypeError);
    assertRejected('{"a":[[]]}', /nested deeper than 2/, new JsonCodec({ maxDepth: 2 }));
  });
});
