import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import { JsonCodec } from "../../src/wire/json.ts";
import type { Codec, WireDict } from "../../src/wire/codec.ts";
import {
  buildErrorEnvelope,
  buildQueryEnvelope,
  buildResponseEnvelope,
  parseEnvelope,
} from "../../src/wire/envelope.ts";
import type { KrpcMethod } from "../../src/rpc/method.ts";
import { MalformedFieldError } from "../../src/rpc/method.ts";
import { findNode } from "../../src/rpc/methods/find_node.ts";
import { findValue } from "../../src/rpc/methods/find_value.ts";
import { ping } from "../../src/rpc/methods/ping.ts";
import { store } from "../../src/rpc/methods/store.ts";
import { decodeCompactNodes, encodeCompactNodes } from "../../src/wire/compact_nodes.ts";
import { bytesToIPv4, bytesToIPv6, ipv4ToBytes, ipv6ToBytes } from "../../src/wire/ip.ts";

const text = new TextEncoder();
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ascii = (b: Uint8Array) => String.fromCharCode(...b);
const id = (fill: number) => new Uint8Array(20).fill(fill);
const codecs = [new BencodeCodec(), new JsonCodec()];
const T = latin1("aa");
const FROM = { from: { host: "10.0.0.1", port: 1 }, readOnly: false };

// deno-lint-ignore no-explicit-any
type Method = KrpcMethod<any, any, any>;

function query(codec: Codec, method: Method, args: unknown, readOnly = false): Uint8Array {
  return codec.encode(buildQueryEnvelope(T, method.name, method.encodeArgs(args), readOnly));
}

function reply(codec: Codec, method: Method, body: unknown, args: unknown = {}): Uint8Array {
  return codec.encode(buildResponseEnvelope(T, method.encodeReply(body, args, FROM)));
}

function readQuery(codec: Codec, method: Method, data: Uint8Array) {
  const envelope = parseEnvelope(codec, codec.decode(data));
  assert.equal(envelope.kind, "query");
  if (envelope.kind !== "query") throw new Error("not a query");
  return { envelope, args: method.decodeArgs(codec, envelope.args) };
}

function readReply(codec: Codec, method: Method, data: Uint8Array) {
  const envelope = parseEnvelope(codec, codec.decode(data));
  if (envelope.kind !== "response") throw new Error(`not a response: ${envelope.kind}`);
  return method.decodeReply(codec, envelope.body);
}

describe("KRPC messages in bencode are byte-exact BEP 5", () => {
  const bencode = new BencodeCodec();
  it("writes the ping query of BEP 5", () => {
    assert.equal(
      ascii(query(bencode, ping, { id: text.encode("abcdefghij0123456789") })),
      "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
    );
  });
  it("writes the ping response of BEP 5", () => {
    assert.equal(
      ascii(reply(bencode, ping, { id: text.encode("mnopqrstuvwxyz123456") })),
      "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re",
    );
  });
  it("writes the find_node query of BEP 5", () => {
    assert.equal(
      ascii(query(bencode, findNode, {
        id: text.encode("abcdefghij0123456789"),
        target: text.encode("mnopqrstuvwxyz123456"),
      })),
      "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
    );
  });
  it("writes the error example of BEP 5 and reads it back", () => {
    const data = bencode.encode(buildErrorEnvelope(T, 201, "A Generic Error Ocurred"));
    assert.equal(ascii(data), "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee");
    assert.deepEqual(parseEnvelope(bencode, bencode.decode(data)), {
      kind: "error",
      t: T,
      code: 201,
      message: "A Generic Error Ocurred",
    });
  });
  it("reads the BEP 5 ping query", () => {
    const { envelope, args } = readQuery(
      bencode,
      ping,
      latin1("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"),
    );
    assert.equal(envelope.method, "ping");
    assert.deepEqual(args.id, text.encode("abcdefghij0123456789"));
    assert.equal(envelope.readOnly, false);
  });
  it("packs find_node replies as 26-byte compact node info", () => {
    const nodes = [{ id: id(7), host: "127.0.0.1", port: 6881 }, {
      id: id(8),
      host: "10.1.2.3",
      port: 1,
    }];
    const data = reply(bencode, findNode, { id: id(1), nodes }, { id: id(2), target: id(3) });
    const expected = "d1:rd2:id20:" + "\x01".repeat(20) + "5:nodes52:" + "\x07".repeat(20) +
      "\x7f\x00\x00\x01\x1a\xe1" + "\x08".repeat(20) + "\x0a\x01\x02\x03\x00\x01" +
      "e1:t2:aa1:y1:re";
    assert.equal(ascii(data), expected);
  });
  it("puts the requester's address in a reply's top-level ip (BEP 42)", () => {
    const data = bencode.encode(
      buildResponseEnvelope(T, { id: id(1) }, { host: "1.2.3.4", port: 0x1ae1 }),
    );
    assert.ok(ascii(data).includes("2:ip6:\x01\x02\x03\x04\x1a\xe1"));
    const envelope = parseEnvelope(bencode, bencode.decode(data));
    assert.ok(envelope.kind === "response");
    assert.deepEqual(envelope.ip, { host: "1.2.3.4", port: 0x1ae1 });
  });
});

describe("KRPC messages in both codecs", () => {
  for (const codec of codecs) {
    it(`${codec.name}: user values keep their type with no marker inside the value`, () => {
      fc.assert(fc.property(
        fc.oneof(fc.string({ unit: "grapheme", maxLength: 50 }), fc.uint8Array({ maxLength: 80 })),
        (value) => {
          const stored = { id: id(1), target: id(2), value, publishedAt: 5, ttlMs: 7 };
          const { args } = readQuery(codec, store, query(codec, store, stored));
          assert.deepEqual(args.value, value);
          assert.equal(args.publishedAt, 5);
          const body = { id: id(3), record: { value, publishedAt: 9, ttlMs: 11 }, nodes: [] };
          const back = readReply(codec, findValue, reply(codec, findValue, body, stored));
          assert.deepEqual(back.record, body.record);
        },
      ));
    });
    it(`${codec.name}: absent fields are omitted, never null`, () => {
      const data = query(codec, ping, { id: id(1) });
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
      const args = { id: id(2), target: id(3), want: ["n4", "n6"] };
      const back = readReply(codec, findNode, reply(codec, findNode, { id: id(1), nodes }, args));
      assert.deepEqual(back.nodes, nodes);
    });
    it(`${codec.name}: a bad envelope is malformed, keeping what can be kept`, () => {
      const cases: [Record<string, unknown>, string | undefined][] = [
        [{ t: T, q: "ping", a: { id: id(1) } }, undefined], // no y
        [{ t: T, y: "x", q: "ping", a: { id: id(1) } }, undefined],
        [{ y: "q", q: "ping", a: { id: id(1) } }, undefined], // no t
        [{ t: new Uint8Array(21), y: "q", q: "ping", a: { id: id(1) } }, undefined],
        [{ t: T, y: "q", q: "ping", a: [1] }, "q"],
        [{ t: T, y: "q", a: { id: id(1) } }, "q"], // no q
        [{ t: T, y: "r", r: [1] }, "r"],
        [{ t: T, y: "e", e: "oops" }, "e"],
      ];
      for (const [tree, y] of cases) {
        const parsed = parseEnvelope(codec, codec.decode(codec.encode(tree as WireDict)));
        assert.equal(parsed.kind, "malformed", JSON.stringify(Object.keys(tree)));
        if (parsed.kind === "malformed") assert.equal(parsed.y, y);
      }
    });
    it(`${codec.name}: one bad field makes a method's arguments or reply malformed`, () => {
      const cases: [Method, "a" | "r", Record<string, unknown>][] = [
        [ping, "a", { id: new Uint8Array(19) }],
        [findNode, "a", { id: id(1), target: new Uint8Array(21) }],
        [findNode, "a", { id: id(1) }],
        [store, "a", { id: id(1), target: id(2), v: "x", vt: "z", ts: 1, ttl: 1 }],
        [store, "a", { id: id(1), target: id(2), v: "x", vt: "s", ts: -1, ttl: 1 }],
        [store, "a", { id: id(1), target: id(2), v: "x", vt: "s", ttl: 1 }],
        [store, "a", { id: id(1), target: id(2), v: "x", vt: "s", ts: 1, ttl: 1, c: 5 }],
        [ping, "r", { id: 5 }],
        [findNode, "r", { id: id(1), nodes: new Uint8Array(25) }],
        [findValue, "r", { id: id(1), v: "x", vt: "s" }],
      ];
      for (const [method, side, dict] of cases) {
        const decoded = codec.decode(codec.encode({ x: dict as WireDict })).x as WireDict;
        assert.throws(
          () =>
            side === "a" ? method.decodeArgs(codec, decoded) : method.decodeReply(codec, decoded),
          MalformedFieldError,
          `${method.name} ${side} ${JSON.stringify(Object.keys(dict))}`,
        );
      }
    });
  }
  it("ro=1 marks a query read-only (BEP 43)", () => {
    const codec = new BencodeCodec();
    const { envelope } = readQuery(codec, ping, query(codec, ping, { id: id(1) }, true));
    assert.ok(envelope.readOnly);
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
  it("prints any IPv4 address, again and again, whatever shares its cache slot", () => {
    // The text cache has 1,024 slots: many addresses map to each, and a hit must be exact.
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 3000 }),
        (all) => {
          for (const bytes of [...all, ...all]) {
            assert.equal(bytesToIPv4(bytes), bytes.join("."));
            assert.deepEqual(ipv4ToBytes(bytesToIPv4(bytes)), bytes);
          }
        },
      ),
      { numRuns: 20 },
    );
    const at = Uint8Array.of(9, 9, 10, 0, 0, 7, 9);
    assert.equal(bytesToIPv4(at, 2), "10.0.0.7");
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
