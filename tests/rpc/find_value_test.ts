// find_value replies carry contacts beside a value when both surely fit in one datagram, so a
// read that gathers several answers keeps walking through holders towards the k closest.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { findValue, nodesFitBesideValue } from "../../src/rpc/methods/find_value.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import { buildResponseEnvelope } from "../../src/wire/envelope.ts";
import { JsonCodec } from "../../src/wire/json.ts";
import type { TypedValue } from "../../src/wire/value.ts";

const id = (n: number) => Uint8Array.from({ length: 20 }, (_, i) => (n * 17 + i) & 255);
const requester = { host: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", port: 65535 };

describe("find_value replies", () => {
  for (const codec of [new BencodeCodec(), new JsonCodec()]) {
    it(`carry nodes beside a value only when both fit (${codec.name})`, () => {
      const k = 20;
      const nodes = Array.from({ length: k }, (_, i) => ({
        id: id(i),
        host: `2001:db8::${i + 1}`,
        port: 6000 + i,
      }));
      const values: TypedValue[] = [
        "short",
        "\u0001".repeat(1000), // JSON escapes each as \u0001: 6 bytes for 1
        Uint8Array.from({ length: 4096 }, (_, i) => i & 255),
        '"'.repeat(2500),
      ];
      for (const value of values) {
        const fits = nodesFitBesideValue(value, k, 8192);
        const reply = {
          id: id(1),
          record: { value, publishedAt: 2 ** 45, ttlMs: 2 ** 45 },
          nodes: fits ? nodes : [],
        };
        const r = findValue.encodeReply(reply, { id: id(2), target: id(3) }, {
          from: requester,
          readOnly: false,
        });
        const data = codec.encode(buildResponseEnvelope(new Uint8Array(20), r, requester));
        if (fits) assert.ok(data.length <= 8192, `${data.length} bytes with nodes`);
        const back = findValue.decodeReply(codec, codec.decode(data).r as never);
        assert.deepEqual(back.record?.value, value);
        assert.equal(back.nodes.length, fits ? k : 0);
      }
      assert.equal(nodesFitBesideValue("x".repeat(7000), k, 8192), false);
      assert.equal(nodesFitBesideValue(new Uint8Array(4096), k, 8192), true);
    });
  }
});
