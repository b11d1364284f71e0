// How a node answers each query, seen from raw KRPC datagrams on the memory network: the
// replies are decoded and inspected as they are on the wire.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KademliaNode } from "../../mod.ts";
import { idFromHex } from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import type { WireDict } from "../../src/wire/codec.ts";
import { decodeCompactNodes } from "../../src/wire/compact_nodes.ts";
import { RawClient } from "../_helpers/raw_krpc.ts";

const id = (fill: number) => new Uint8Array(20).fill(fill);
const T = Uint8Array.of(0x61, 0x61);

async function setup() {
  const clock = new VirtualClock();
  const random = new SeededRandom(3);
  const network = new MemoryNetwork({ clock, random });
  const node = new KademliaNode({
    transport: network.bind,
    clock,
    random,
    serialization: "bencode",
    maxValueSize: 16,
  });
  const address = await node.listen();
  const codec = new BencodeCodec();
  const client = new RawClient(await network.bind({ hostname: "127.0.0.2" }), codec, clock);
  /** Sends one query and returns the one reply (or undefined if none came) and the sizes. */
  const ask = async (q: string, a: WireDict, extra: WireDict = {}) => {
    const sent = await client.send({ t: T, y: "q", q, a, ...extra }, address);
    await clock.advance(5);
    const received = client.sizes()[0];
    const [reply, more] = client.take();
    assert.equal(more, undefined, "at most one reply per query");
    return { reply, sent, received };
  };
  const code = async (q: string, a: WireDict) => {
    const { reply } = await ask(q, a);
    assert.equal(reply?.y instanceof Uint8Array ? new TextDecoder().decode(reply.y) : "", "e");
    return (reply!.e as unknown[])[0];
  };
  const nodesOf = (reply: WireDict | undefined) =>
    decodeCompactNodes((reply!.r as WireDict).nodes as Uint8Array, 4)!.map((n) => n.id);
  const close = async () => {
    await client.transport.close();
    await node.close();
    await clock.runAll();
  };
  return { node, ask, code, nodesOf, close };
}

const storeArgs = (value: string, ts: number) => ({
  id: id(1),
  target: id(5),
  v: value,
  vt: "s",
  ts,
  ttl: 3_600_000,
});

describe("KademliaNode answers queries", () => {
  it("ping, find_node, store and find_value, and learns the sender", async () => {
    const s = await setup();
    try {
      const pong = (await s.ask("ping", { id: id(1) })).reply!;
      assert.deepEqual((pong.r as WireDict).id, idFromHex(s.node.id));
      assert.equal(s.node.stats().routingTableSize, 1);
      const found = await s.ask("find_node", { id: id(2), target: id(1) });
      assert.deepEqual(s.nodesOf(found.reply), [id(1)], "the other contact, not the asker");
      const now = 1_767_225_600_000;
      const stored = await s.ask("store", storeArgs("short", now));
      assert.deepEqual(Object.keys(stored.reply!.r as WireDict), ["id"]);
      const value = (await s.ask("find_value", { id: id(1), target: id(5) })).reply!.r as WireDict;
      assert.equal(new TextDecoder().decode(value.v as Uint8Array), "short");
      assert.equal(value.ts, now);
      const missing = (await s.ask("find_value", { id: id(1), target: id(6) })).reply!
        .r as WireDict;
      assert.equal(missing.v, undefined);
      assert.ok(missing.nodes instanceof Uint8Array);
    } finally {
      await s.close();
    }
  });

  it("answers get_peers and unknown methods carrying a 20-byte target like find_node", async () => {
    const s = await setup();
    try {
      await s.ask("ping", { id: id(1) });
      assert.deepEqual(
        s.nodesOf((await s.ask("get_peers", { id: id(2), info_hash: id(7) })).reply),
        [
          id(1),
        ],
      );
      const future = await s.ask("sample_infohashes", { id: id(2), target: id(7) });
      assert.deepEqual(s.nodesOf(future.reply), [id(1)]);
    } finally {
      await s.close();
    }
  });

  it("refuses announce_peer with a token it did not issue with 203, and stores nothing", async () => {
    const s = await setup();
    try {
      const announce = { id: id(1), info_hash: id(7), port: 6881, token: "tok" };
      assert.equal(await s.code("announce_peer", announce), 203);
      assert.equal(s.node.stats().providersHeld, 0);
    } finally {
      await s.close();
    }
  });

  it("answers a refused store with a KRPC error, never a success reply", async () => {
    const s = await setup();
    try {
      const now = 1_767_225_600_000;
      await s.ask("store", storeArgs("newer", now + 10));
      assert.equal(await s.code("store", storeArgs("older", now)), 302, "older than held");
      assert.equal(await s.code("store", storeArgs("x".repeat(17), now + 20)), 205, "too big");
      assert.equal(await s.code("store", storeArgs("expired", now - 3_600_001)), 201);
      assert.equal(await s.code("store", storeArgs("future", now + 3_600_000)), 203);
      const held = (await s.ask("find_value", { id: id(1), target: id(5) })).reply!.r as WireDict;
      assert.equal(new TextDecoder().decode(held.v as Uint8Array), "newer");
      assert.equal(s.node.stats().storedValues, 1);
    } finally {
      await s.close();
    }
  });

  it("answers 204 to an unknown method without a target, 203 to a bad argument", async () => {
    const s = await setup();
    try {
      assert.equal(await s.code("frobnicate", { id: id(1) }), 204);
      assert.equal(await s.code("find_node", { id: id(1) }), 203);
      assert.equal(await s.code("find_node", { id: id(1), target: new Uint8Array(19) }), 203);
      assert.equal(await s.code("find_value", { id: id(1) }), 203);
      assert.equal(await s.code("store", { id: id(1), target: id(5) }), 203);
      assert.equal(await s.code("store", { ...storeArgs("ok", 1), vt: "q" }), 203);
      assert.equal(await s.code("ping", { id: new Uint8Array(21) }), 203);
      assert.equal(s.node.stats().storedValues, 0, "nothing stored by a refused store");
      assert.equal(s.node.stats().routingTableSize, 0, "no bad query adds its sender");
    } finally {
      await s.close();
    }
  });

  it("never answers a malformed query with more bytes than it carried", async () => {
    const s = await setup();
    try {
      const cases: [string, WireDict][] = [
        ["find_node", { id: id(1), target: "x" }],
        ["ping", { id: "short" }],
        ["store", { id: id(1), target: id(2), v: 1 }],
        ["x", { id: 1 }],
      ];
      for (const [q, a] of cases) {
        const { sent, received } = await s.ask(q, a);
        assert.ok(received === undefined || received <= sent, `${q}: ${received} > ${sent}`);
      }
    } finally {
      await s.close();
    }
  });

  it("serves a read-only (BEP 43) sender without adding it to the routing table", async () => {
    const s = await setup();
    try {
      const { reply } = await s.ask("find_node", { id: id(1), target: id(3) }, { ro: 1 });
      assert.deepEqual((reply!.r as WireDict).id, idFromHex(s.node.id));
      assert.equal(s.node.stats().routingTableSize, 0);
      await s.ask("ping", { id: id(1) });
      assert.equal(s.node.stats().routingTableSize, 1);
    } finally {
      await s.close();
    }
  });
});
