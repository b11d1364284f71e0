import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type ItemValue, MAX_ITEM_VALUE_DEPTH, toItemValue } from "../../src/records/item_value.ts";
import { get } from "../../src/rpc/methods/get.ts";
import { put } from "../../src/rpc/methods/put.ts";
import { BencodeCodec, encodeBencode } from "../../src/wire/bencode.ts";
import type { Codec, WireDict } from "../../src/wire/codec.ts";
import {
  buildQueryEnvelope,
  buildResponseEnvelope,
  parseEnvelope,
} from "../../src/wire/envelope.ts";
import { JsonCodec } from "../../src/wire/json.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const id = new Uint8Array(20).fill(1);
const FROM = { from: { host: "10.0.0.1", port: 1 }, readOnly: false };

/** Keys as bencode carries them: any bytes, one character per byte. */
const latin1Key = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  maxLength: 5,
}).filter((k) => k !== "__proto__");

const itemValue: fc.Arbitrary<ItemValue> = fc.letrec<{ value: ItemValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.uint8Array({ maxLength: 30 }),
    fc.maxSafeInteger(),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(latin1Key, tie("value"), { maxKeys: 4 }),
  ),
})).value.filter((v) => encodeBencode(v).length <= 1000);

/** Sends `a` through a codec and reads it back as the serving node would. */
function carried(codec: Codec, a: WireDict, q: string): WireDict {
  const envelope = parseEnvelope(
    codec,
    codec.decode(codec.encode(buildQueryEnvelope(Uint8Array.of(1, 2), q, a))),
  );
  assert.ok(envelope.kind === "query");
  return envelope.args;
}

describe("BEP 44 item values", () => {
  it("stores text as its UTF-8 bytes and keeps integers, lists and dictionaries", () => {
    const { value, encoded } = toItemValue({ name: "é", n: -3, l: ["a", utf8("b")] }, "test");
    assert.deepEqual({ ...(value as Record<string, ItemValue>) }, {
      name: utf8("é"),
      n: -3,
      l: [utf8("a"), utf8("b")],
    });
    const latin1 = (t: string) => Array.from(t, (c) => c.charCodeAt(0));
    assert.deepEqual(
      encoded,
      Uint8Array.from([...latin1("d1:ll1:a1:be1:ni-3e4:name2:"), 0xc3, 0xa9, ...latin1("e")]),
    );
  });

  it("refuses what bencode or BEP 44 cannot carry, saying why", () => {
    assert.throws(() => toItemValue(1.5, "Cannot put item"), /safe integers, got 1.5/);
    assert.throws(() => toItemValue(true as never, "Cannot put item"), /got boolean/);
    assert.throws(() => toItemValue(null as never, "Cannot put item"), /got null/);
    assert.throws(() => toItemValue({ "€": 1 }, "Cannot put item"), /one character per byte/);
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_ITEM_VALUE_DEPTH; i++) deep = [deep];
    assert.throws(() => toItemValue(deep as never, "Cannot put item"), TypeError);
    assert.throws(() => toItemValue("x".repeat(997), "Cannot put item"), /1001 bytes bencoded/);
    assert.equal(toItemValue("x".repeat(996), "Cannot put item").encoded.length, 1000);
  });

  for (const codec of [new BencodeCodec(), new JsonCodec()]) {
    it(`${codec.name}: a put's and a get's v re-bencode to the bytes that were signed (property)`, () => {
      fc.assert(
        fc.property(itemValue, (value) => {
          const encoded = encodeBencode(value);
          const a = carried(
            codec,
            put.encodeArgs({ id, token: Uint8Array.of(7), value, encodedValue: encoded }),
            "put",
          );
          const args = put.decodeArgs(codec, a);
          assert.deepEqual(args.encodedValue, encoded);
          const r = codec.decode(codec.encode(buildResponseEnvelope(
            Uint8Array.of(1, 2),
            get.encodeReply({ id, nodes: [], item: { value, encodedValue: encoded } }, {
              id,
              target: id,
            }, FROM),
          ))).r as WireDict;
          const reply = get.decodeReply(codec, r);
          assert.deepEqual(reply.item?.encodedValue, encoded);
        }),
        { numRuns: 200 },
      );
    });
  }

  it("json: every string leaf of v is base64, so a text leaf that is not is refused", () => {
    const json = new JsonCodec();
    const a = carried(json, { id, token: Uint8Array.of(1), v: "not base64!" }, "put");
    assert.throws(() => put.decodeArgs(json, a), /not base64/);
  });
});
