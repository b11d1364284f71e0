import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import { JsonCodec } from "../../src/wire/json.ts";
import { buildError, buildQuery, buildResponse, parseMessage } from "../../src/wire/krpc.ts";
import { decodeCompactNodes, encodeCompactNodes } from "../../src/wire/compact_nodes.ts";
import { bytesToIPv6, ipv4ToBytes, ipv6ToBytes } from "../../src/wire/ip.ts";

const text = new TextEncoder();
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ascii = (b: Uint8Array) => String.fromCharCode(...b);
const id = (fill: number) => new Uint8Array(20).fill(fill);
const codecs = [new BencodeCodec(), new JsonCodec()];

describe("KRPC messages in bencode are byte-exact BEP 5", () => {
  const bencode = new BencodeCodec();
  it("writes the ping query of BEP 5", () => {
    const tree = buildQuery(latin1("aa"), "ping", { id: text.encode("abcdefghij0123456789") });
    assert.equal(
      ascii(bencode.encode(tree)),
      "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
    );
  });
  it("writes the ping response of BEP 5", () => {
    const tree = buildResponse(latin1("aa"), { id: text.encode("mnopqrstuvwxyz123456") });
    assert.equal(ascii(bencode.encode(tree)), "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re");
  });
  it("writes the find_node query of BEP 5", () => {
    const tree = buildQuery(latin1("aa"), "find_node", {
      id: text.encode("abcdefghij0123456789"),
      target: text.encode("mnopqrstuvwxyz123456"),
    });
    assert.equal(
      ascii(bencode.encode(tree)),
      "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
    );
  });
  it("writes the error example of BEP 5 and reads it back", () => {
    const data = bencode.encode(buildError(latin1("aa"), 201, "A Generic Error Ocurred"));
    assert.equal(ascii(data), "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee");
    const parsed = parseMessage(bencode, bencode.decode(data));
    assert.deepEqual(parsed, {
      kind: "error",
      t: latin1("aa"),
      code: 201,
      message: "A Generic Error Ocurred",
    });
  });
  it("reads the BEP 5 ping query", () => {
    const parsed = parseMessage(
      bencode,
      bencode.decode(latin1("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")),
    );
    assert.equal(parsed.kind, "query");
    if (parsed.kind !== "query") return;
    assert.equal(parsed.method, "ping");
    assert.deepEqual(parsed.args.id, text.encode("abcdefghij0123456789"));
    assert.equal(parsed.readOnly, false);
  });
  it("packs find_node replies as 26-byte compact node info", () => {
    const nodes = [{ id: id(7), host: "127.0.0.1", port: 6881 }, {
      id: id(8),
      host: "10.1.2.3",
      port: 1,
    }];
    const data = bencode.encode(buildResponse(latin1("aa"), { id: id(1), nodes }));
    const expected = "d1:rd2:id20:" + "\x01".repeat(20) + "5:nodes52:" + "\x07".repeat(20) +
      "\x7f\x00\x00\x01\x1a\xe1" + "\x08".repeat(20) + "\x0a\x01\x02\x03\x00\x01" +
      "e1:t2:aa1:y1:re";
    assert.equal(ascii(data), expected);
  });
});

describe("KRPC messages in both codecs", () => {
  for (const codec of codecs) {
    it(`${codec.name}: user values keep their type with no marker inside the value`, () => {
      fc.assert(fc.property(
        fc.oneof(fc.string({ unit: "grapheme", maxLength: 50 }), fc.uint8Array({ maxLength: 80 })),
        (value) => {
          const data = codec.encode(
            buildQuery(latin1("tx"), "store", { id: id(1), target: id(2), value }),
          );
          const parsed = parseMessage(codec, codec.decode(data));
          assert.equal(parsed.kind, "query");
          if (parsed.kind === "query") assert.deepEqual(parsed.args.value, value);
          const reply = codec.encode(buildResponse(latin1("tx"), { id: id(3), value }));
          const back = parseMessage(codec, codec.decode(reply));
          assert.ok(back.kind === "response");
          if (back.kind === "response") assert.deepEqual(back.body.value, value);
        },
      ));
    });
    it(`${codec.name}: absent fields are omitted, never null`, () => {
      const data = codec.encode(buildQuery(latin1("tx"), "ping", { id: id(1) }));
      const tree = codec.decode(data);
      assert.deepEqual(Object.keys(tree.a as object).sort(), ["id"]);
      assert.ok(!new TextDecoder().decode(data).includes("null"));
    });
    it(`${codec.name}: nodes and nodes6 round-trip, chosen by family`, () => {
      const nodes = [
        { id: id(4), host: "127.0.0.1", port: 4000 },
        { id: id(5), host: "::1", port: 5000 },
        { id: id(6), host: "2001:db8::7", port: 6000 },
      ];
      const data = codec.encode(buildResponse(latin1("tx"), { id: id(1), nodes }, [4, 6]));
      const parsed = parseMessage(codec, codec.decode(data));
      assert.ok(parsed.kind === "response");
      if (parsed.kind === "response") assert.deepEqual(parsed.body.nodes, nodes);
    });
    it(`${codec.name}: invalid messages are reported malformed with what can be kept`, () => {
      const cases: [Record<string, unknown>, string | undefined][] = [
        [{ t: latin1("aa"), q: "ping", a: { id: id(1) } }, undefined], // no y
        [{ t: latin1("aa"), y: "x", q: "ping", a: { id: id(1) } }, undefined],
        [{ y: "q", q: "ping", a: { id: id(1) } }, undefined], // no t
        [{ t: new Uint8Array(21), y: "q", q: "ping", a: { id: id(1) } }, undefined],
        [{ t: latin1("aa"), y: "q", q: "ping", a: { id: new Uint8Array(19) } }, "q"],
        [{ t: latin1("aa"), y: "q", q: "ping", a: [1] }, "q"],
        [
          { t: latin1("aa"), y: "q", q: "find_node", a: { id: id(1), target: new Uint8Array(21) } },
          "q",
        ],
        [
          { t: latin1("aa"), y: "q", q: "store", a: { id: id(1), target: id(2), v: "x", vt: "z" } },
          "q",
        ],
        [{ t: latin1("aa"), y: "r", r: { id: 5 } }, "r"],
        [{ t: latin1("aa"), y: "e", e: "oops" }, "e"],
      ];
      for (const [tree, y] of cases) {
        // deno-lint-ignore no-explicit-any
        const parsed = parseMessage(codec, codec.decode(codec.encode(tree as any)));
        assert.equal(parsed.kind, "malformed", JSON.stringify(Object.keys(tree)));
        if (parsed.kind === "malformed") assert.equal(parsed.y, y);
      }
    });
  }
  it("ro=1 marks a query read-only (BEP 43)", () => {
    const codec = new BencodeCodec();
    const parsed = parseMessage(
      codec,
      codec.decode(codec.encode(buildQuery(latin1("aa"), "ping", { id: id(1) }, true))),
    );
    assert.ok(parsed.kind === "query" && parsed.readOnly);
  });
});

describe("compact node info and IP literals", () => {
  it("rejects a nodes field whose length is not a multiple of 26 or 38", () => {
    assert.equal(decodeCompactNodes(new Uint8Array(25), 4), undefined);
    assert.equal(decodeCompactNodes(new Uint8Array(27), 4), undefined);
    assert.equal(decodeCompactNodes(new Uint8Array(39), 6), undefined);
    assert.deepEqual(decodeCompactNodes(new Uint8Array(0), 4), []);
  });
  it("skips entries with port 0, unspecified or multicast addresses and duplicate ids", () => {
    const packed = encodeCompactNodes([
      { id: id(1), host: "127.0.0.1", port: 0 },
      { id: id(2), host: "0.0.0.0", port: 10 },
      { id: id(3), host: "224.0.0.1", port: 10 },
      { id: id(4), host: "127.0.0.1", port: 10 },
      { id: id(4), host: "127.0.0.2", port: 10 },
    ], 4);
    assert.deepEqual(decodeCompactNodes(packed, 4), [{ id: id(4), host: "127.0.0.1", port: 10 }]);
  });
  it("parses and prints IPv6 literals as RFC 5952 says", () => {
    const cases: [string, string][] = [
      ["::1", "::1"],
      ["::", "::"],
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
      ["fe80::1:0:0:1", "fe80::1:0:0:1"],
      ["::ffff:127.0.0.1", "::ffff:7f00:1"],
      ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ];
    for (const [input, output] of cases) {
      assert.equal(bytesToIPv6(ipv6ToBytes(input)!), output, input);
    }
    for (const bad of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1", ":::"]) {
      assert.equal(ipv6ToBytes(bad), undefined, bad);
    }
    assert.equal(ipv4ToBytes("256.1.1.1"), undefined);
    assert.equal(ipv4ToBytes("01.1.1.1"), undefined);
    assert.deepEqual(ipv4ToBytes("1.2.3.4"), Uint8Array.of(1, 2, 3, 4));
  });
  it("round-trips any IPv6 address through bytes and text", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      assert.deepEqual(ipv6ToBytes(bytesToIPv6(bytes)), bytes);
    }));
  });
});

describe("compact node info limits", () => {
  it("reads at most 256 entries of a field and ignores the rest", () => {
    const many = Array.from({ length: 300 }, (_, i) => ({
      id: Uint8Array.from({ length: 20 }, (_, j) => (j === 0 ? i >> 8 : j === 1 ? i & 255 : 9)),
      host: "10.0.0.1",
      port: 1000 + i,
    }));
    const decoded = decodeCompactNodes(encodeCompactNodes(many, 4), 4)!;
    assert.equal(decoded.length, 256);
    assert.deepEqual(decoded[255], many[255]);
  });
});
