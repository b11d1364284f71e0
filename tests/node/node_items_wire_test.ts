// BEP 44 get and put as a mainline client sends them, in raw KRPC datagrams on the memory
// network: the BEP's test vectors stored and served byte for byte, every refusal with its code
// (reliability.md B22-B24, S1, S3), and the envelope details deployed clients rely on: our
// client version in `v`, an item in `r.v`, dictionaries with keys out of order.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ed25519, generateKeyPair, KademliaNode } from "../../mod.ts";
import { mutableItemTarget, signMutableItem } from "../../src/records/bep44.ts";
import { CLIENT_VERSION } from "../../src/constants.ts";
import { idFromHex, idToHex } from "../../src/id/node_id.ts";
import { sha1 } from "../../src/id/sha1.ts";
import { SeededRandom } from "../../src/random.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { BencodeCodec, encodeBencode } from "../../src/wire/bencode.ts";
import type { WireDict, WireValue } from "../../src/wire/codec.ts";
import { RawClient } from "../_helpers/raw_krpc.ts";

const id = (fill: number) => new Uint8Array(20).fill(fill);
const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ascii = (b: Uint8Array) => String.fromCharCode(...b);
const T = latin1("aa");

// BEP 44 §Test Vectors (signatures made with the BEP's expanded secret key).
const PUBLIC_KEY = hexBytes("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");
const VECTORS = [
  {
    name: "test 1 (mutable)",
    salt: undefined,
    target: "4a533d47ec9c7d95b1ad75f576cffc641853b750",
    sig: "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff" +
      "1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01",
  },
  {
    name: "test 2 (mutable with salt)",
    salt: "foobar",
    target: "411eba73b6f087ca51a3795d9c8c938d365e32c1",
    sig: "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d" +
      "df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08",
  },
];
const IMMUTABLE_TARGET = "e5f96f6f38320f0f33959cb4d3d656452117aadb"; // test 3

/** BEP 44's first test vector as a put to `s`: its target, a token for it, and the put's args. */
async function firstVectorPut(s: Awaited<ReturnType<typeof setup>>) {
  const [v1] = VECTORS;
  const target = hexBytes(v1!.target);
  const token = await s.token(target);
  const put = {
    id: id(1),
    token,
    v: "Hello World!",
    k: PUBLIC_KEY,
    seq: 1,
    sig: hexBytes(v1!.sig),
  };
  return { target, token, put };
}

async function setup(options: { maxItems?: number } = {}) {
  const clock = new VirtualClock();
  const random = new SeededRandom(44);
  const network = new MemoryNetwork({ clock, random });
  const node = new KademliaNode({
    transport: network.bind,
    clock,
    random,
    serialization: "bencode",
    ...options,
  });
  const address = await node.listen();
  const codec = new BencodeCodec();
  const client = new RawClient(await network.bind({ hostname: "127.0.0.2" }), codec, clock);
  const other = new RawClient(await network.bind({ hostname: "127.0.0.3" }), codec, clock);
  const exchange = async (from: RawClient, send: () => Promise<unknown>) => {
    await send();
    await clock.advance(5);
    const [reply, more] = from.take();
    assert.equal(more, undefined, "at most one reply per query");
    return reply;
  };
  /** Sends one query from `from` (the first client by default) and returns its one reply. */
  const ask = (q: string, a: WireDict, from = client) =>
    exchange(from, () => from.send({ t: T, y: "q", q, a }, address));
  const raw = (bytes: string, from = client) =>
    exchange(from, () => from.sendBytes(latin1(bytes), address));
  const r = (reply: WireDict | undefined) => reply!.r as WireDict;
  const code = (reply: WireDict | undefined) => {
    assert.equal(
      ascii(reply!.y as Uint8Array),
      "e",
      `expected an error, got ${JSON.stringify(reply)}`,
    );
    return (reply!.e as WireValue[])[0];
  };
  /** A fresh token for `target`, from a get. */
  const token = async (target: Uint8Array, from = client) =>
    r(await ask("get", { id: id(1), target }, from)).token as Uint8Array;
  const close = async () => {
    await client.transport.close();
    await other.transport.close();
    await node.close();
    await clock.runAll();
  };
  return { node, client, other, ask, raw, r, code, token, close };
}

describe("BEP 44 over the wire", () => {
  it("stores and serves the BEP's test vectors byte for byte", async () => {
    const s = await setup();
    try {
      for (const vector of VECTORS) {
        const target = hexBytes(vector.target);
        const a: WireDict = {
          id: id(1),
          token: await s.token(target),
          v: "Hello World!",
          k: PUBLIC_KEY,
          seq: 1,
          sig: hexBytes(vector.sig),
        };
        if (vector.salt) a.salt = vector.salt;
        assert.deepEqual(Object.keys(s.r(await s.ask("put", a))), ["id"], vector.name);
        const got = s.r(await s.ask("get", { id: id(1), target }));
        assert.equal(ascii(got.v as Uint8Array), "Hello World!");
        assert.deepEqual(got.k, PUBLIC_KEY);
        assert.deepEqual(got.sig, hexBytes(vector.sig));
        assert.equal(got.seq, 1);
        assert.equal(got.salt, undefined, "BEP 44: the salt is not returned");
      }
      const target = hexBytes(IMMUTABLE_TARGET);
      const put = { id: id(1), token: await s.token(target), v: "Hello World!" };
      assert.deepEqual(Object.keys(s.r(await s.ask("put", put))), ["id"]);
      const got = s.r(await s.ask("get", { id: id(1), target }));
      assert.equal(idToHex(sha1(encodeBencode(got.v!))), IMMUTABLE_TARGET);
      assert.equal(got.k, undefined);
      assert.ok(got.token instanceof Uint8Array && got.nodes instanceof Uint8Array);
      assert.equal(s.node.stats().itemsHeld, 3);
    } finally {
      await s.close();
    }
  });

  it("answers each bad put with BEP 44's code and stores nothing (B22-B24)", async () => {
    const s = await setup();
    try {
      const { target, token, put: good } = await firstVectorPut(s);
      const bigTarget = sha1(encodeBencode("x".repeat(997)));
      const cases: [string, WireDict, number][] = [
        ["v missing", { id: id(1), token }, 205],
        ["v of 1001 bencoded bytes", {
          id: id(1),
          token: await s.token(bigTarget),
          v: "x".repeat(997),
        }, 205],
        ["a dict v of 1001 bencoded bytes", { id: id(1), token, v: { a: "x".repeat(992) } }, 205],
        ["salt of 65 bytes", { ...good, salt: "s".repeat(65) }, 207],
        ["k of 31 bytes", { ...good, k: PUBLIC_KEY.slice(1) }, 203],
        ["sig of 63 bytes", { ...good, sig: good.sig.slice(1) }, 203],
        ["seq -1", { ...good, seq: -1 }, 203],
        ["seq as a string", { ...good, seq: "1" }, 203],
        ["k without sig and seq", { id: id(1), token, v: "Hello World!", k: PUBLIC_KEY }, 203],
        [
          "sig without k",
          { id: id(1), token, v: "Hello World!", sig: good.sig, seq: 1 },
          203,
        ],
        ["a bad signature", { ...good, v: "Hello World?" }, 206],
        ["no token", {
          id: id(1),
          v: "Hello World!",
          k: PUBLIC_KEY,
          seq: 1,
          sig: good.sig,
        }, 203],
        ["a token for another target", { ...good, token: await s.token(id(9)) }, 203],
      ];
      for (const [name, a, expected] of cases) {
        assert.equal(s.code(await s.ask("put", a)), expected, name);
      }
      // A token is bound to the IP it was issued to (S1).
      assert.equal(s.code(await s.ask("put", good, s.other)), 203, "token issued to another IP");
      assert.equal(s.r(await s.ask("get", { id: id(1), target })).v, undefined, "nothing stored");
      assert.deepEqual(Object.keys(s.r(await s.ask("put", good))), ["id"], "the good put works");
    } finally {
      await s.close();
    }
  });

  it("refuses a v whose dictionary came with unsorted keys (B22), reads unsorted envelopes", async () => {
    const s = await setup();
    try {
      const sorted = "d1:ai1e1:bi2ee";
      const unsorted = "d1:bi2e1:ai1ee";
      const target = sha1(latin1(sorted));
      const token = ascii(await s.token(target));
      // The whole query is sent with its own keys out of order too, as some clients do.
      const put = (v: string) =>
        `d1:t2:aa1:y1:q1:q3:put1:ad5:token${token.length}:${token}1:v${v}2:id20:${
          "\x01".repeat(20)
        }ee`;
      assert.equal(s.code(await s.raw(put(unsorted))), 203);
      assert.equal(s.r(await s.ask("get", { id: id(1), target })).v, undefined);
      assert.deepEqual(Object.keys(s.r(await s.raw(put(sorted)))), ["id"]);
      assert.deepEqual({ ...s.r(await s.ask("get", { id: id(1), target })).v as WireDict }, {
        a: 1,
        b: 2,
      });
    } finally {
      await s.close();
    }
  });

  it("orders mutable puts by cas then seq: 301, 302, and a refresh for the same item", async () => {
    const s = await setup();
    try {
      const { target, put: item } = await firstVectorPut(s);
      assert.deepEqual(Object.keys(s.r(await s.ask("put", item))), ["id"]);
      assert.deepEqual(
        Object.keys(s.r(await s.ask("put", item))),
        ["id"],
        "same seq and value: refreshed",
      );
      assert.deepEqual(Object.keys(s.r(await s.ask("put", { ...item, cas: 1 }))), ["id"]);
      assert.equal(s.code(await s.ask("put", { ...item, cas: 0 })), 301, "cas is checked first");
      // A signed seq 0 would be older: the stored seq never falls. (Its signature is checked
      // first, so this one, for seq 1, is refused as bad rather than as old.)
      assert.equal(s.code(await s.ask("put", { ...item, seq: 0 })), 206);
      assert.equal(s.r(await s.ask("get", { id: id(1), target })).seq, 1);
    } finally {
      await s.close();
    }
  });

  it("never lets the stored seq fall or repeat with another value (302), and checks cas (301)", async () => {
    const s = await setup();
    try {
      const keys = generateKeyPair();
      const salt = latin1("s");
      const target = mutableItemTarget(keys.publicKey, salt);
      const token = await s.token(target);
      const signed = (seq: number, v: string) => {
        const item = signMutableItem({ seq, encodedValue: encodeBencode(v), salt }, {
          ed25519,
          secretKey: keys.secretKey,
        });
        return { id: id(1), token, v, k: item.publicKey, sig: item.signature, seq, salt };
      };
      assert.deepEqual(Object.keys(s.r(await s.ask("put", signed(5, "five")))), ["id"]);
      assert.equal(s.code(await s.ask("put", signed(5, "other five"))), 302);
      assert.equal(s.code(await s.ask("put", signed(4, "four"))), 302);
      assert.equal(s.code(await s.ask("put", { ...signed(6, "six"), cas: 4 })), 301);
      assert.equal(s.code(await s.ask("put", { ...signed(4, "four"), cas: 4 })), 301, "cas first");
      assert.deepEqual(Object.keys(s.r(await s.ask("put", { ...signed(6, "six"), cas: 5 }))), [
        "id",
      ]);
      const held = s.r(await s.ask("get", { id: id(1), target }));
      assert.equal(held.seq, 6);
      assert.equal(ascii(held.v as Uint8Array), "six");
    } finally {
      await s.close();
    }
  });

  it("leaves k, v and sig out for a get whose seq is not older than the item's", async () => {
    const s = await setup();
    try {
      const { target, put } = await firstVectorPut(s);
      await s.ask("put", put);
      const current = s.r(await s.ask("get", { id: id(1), target, seq: 1 }));
      assert.equal(current.seq, 1);
      assert.equal(current.v, undefined);
      assert.equal(current.k, undefined);
      assert.equal(current.sig, undefined);
      assert.ok(current.token instanceof Uint8Array);
      assert.equal(
        ascii(s.r(await s.ask("get", { id: id(1), target, seq: 0 })).v as Uint8Array),
        "Hello World!",
      );
    } finally {
      await s.close();
    }
  });

  it("sends our client version as the top-level v, apart from an item's r.v", async () => {
    const s = await setup();
    try {
      const target = hexBytes(IMMUTABLE_TARGET);
      await s.ask("put", { id: id(1), token: await s.token(target), v: "Hello World!" });
      const reply = await s.ask("get", { id: id(1), target });
      assert.deepEqual(reply!.v, CLIENT_VERSION);
      assert.equal(ascii(CLIENT_VERSION.subarray(0, 2)), "KD");
      assert.equal(ascii(s.r(reply).v as Uint8Array), "Hello World!");
      const error = await s.ask("put", { id: id(1), token: new Uint8Array(8), v: "x" });
      assert.deepEqual(error!.v, CLIENT_VERSION, "errors carry it too");
    } finally {
      await s.close();
    }
  });

  it("withholds the token when its item store is full of nearer items, like libtorrent", async () => {
    const s = await setup({ maxItems: 1 });
    try {
      const own = idFromHex(s.node.id);
      // Two immutable values: the one nearer our id is kept.
      const values = ["first", "second", "third", "fourth"].map((v) => ({
        v,
        target: sha1(encodeBencode(v)),
      }));
      values.sort((a, b) => {
        for (let i = 0; i < 20; i++) {
          const d = (a.target[i]! ^ own[i]!) - (b.target[i]! ^ own[i]!);
          if (d !== 0) return d;
        }
        return 0;
      });
      const [near, , far] = values;
      const mid = values[1]!;
      await s.ask("put", { id: id(1), token: await s.token(mid.target), v: mid.v });
      assert.equal(await s.token(far!.target), undefined, "a farther item would not be kept");
      const nearToken = await s.token(near!.target);
      assert.ok(nearToken instanceof Uint8Array, "a nearer one would");
      await s.ask("put", { id: id(1), token: nearToken, v: near!.v });
      assert.equal(
        s.r(await s.ask("get", { id: id(1), target: mid.target })).v,
        undefined,
        "evicted",
      );
      assert.equal(
        ascii(s.r(await s.ask("get", { id: id(1), target: near!.target })).v as Uint8Array),
        near!.v,
      );
    } finally {
      await s.close();
    }
  });
});
