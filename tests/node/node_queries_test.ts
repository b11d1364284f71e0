// How a node answers each query, seen from a raw KRPC socket on the memory network.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KademliaNode, RpcError } from "../../mod.ts";
import { idFromHex } from "../../src/id/node_id.ts";
import { SeededRandom } from "../../src/random.ts";
import { KrpcSocket } from "../../src/rpc/krpc_socket.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";

const id = (fill: number) => new Uint8Array(20).fill(fill);

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
  const transport = await network.bind({ hostname: "127.0.0.2" });
  const client = new KrpcSocket({
    transport,
    codec: new BencodeCodec(),
    clock,
    random,
    onQuery: () => ({ id: id(9) }),
  });
  const ask = (method: string, args: Parameters<KrpcSocket["query"]>[2], readOnly = false) =>
    clock.runUntilSettled(client.query(address, method, args, { readOnly }));
  const fails = (method: string, args: Parameters<KrpcSocket["query"]>[2]) =>
    ask(method, args).then(() => assert.fail(`${method} should fail`), (e: RpcError) => e.code);
  const close = async () => {
    client.close();
    await transport.close();
    await node.close();
    await clock.runAll();
  };
  return { node, ask, fails, close };
}

describe("KademliaNode answers queries", () => {
  it("ping, find_node, store and find_value, and learns the sender", async () => {
    const s = await setup();
    try {
      assert.deepEqual((await s.ask("ping", { id: id(1) })).body.id, idFromHex(s.node.id));
      assert.equal(s.node.stats().routingTableSize, 1);
      const found = await s.ask("find_node", { id: id(2), target: id(1) });
      assert.deepEqual(
        found.body.nodes?.map((n) => n.id),
        [id(1)],
        "the other contact, not the asker",
      );
      await s.ask("store", { id: id(1), target: id(5), value: "short" });
      assert.equal((await s.ask("find_value", { id: id(1), target: id(5) })).body.value, "short");
      const missing = await s.ask("find_value", { id: id(1), target: id(6) });
      assert.equal(missing.body.value, undefined);
      assert.ok(missing.body.nodes);
    } finally {
      await s.close();
    }
  });
  it("answers unknown methods with a target or info_hash like find_node (get_peers)", async () => {
    const s = await setup();
    try {
      await s.ask("ping", { id: id(1) });
      const peers = await s.ask("get_peers", { id: id(2), infoHash: id(7) });
      assert.deepEqual(peers.body.nodes?.map((n) => n.id), [id(1)]);
      const future = await s.ask("sample_infohashes", { id: id(2), target: id(7) });
      assert.ok(future.body.nodes);
    } finally {
      await s.close();
    }
  });
  it("answers 204 to an unknown method without a target, 203 to missing arguments", async () => {
    const s = await setup();
    try {
      assert.equal(await s.fails("frobnicate", { id: id(1) }), 204);
      assert.equal(await s.fails("find_node", { id: id(1) }), 203);
      assert.equal(await s.fails("find_value", { id: id(1) }), 203);
      assert.equal(await s.fails("store", { id: id(1), target: id(5) }), 203);
      assert.equal(
        await s.fails("store", { id: id(1), target: id(5), value: "x".repeat(17) }),
        203,
      );
      assert.equal(s.node.stats().storedValues, 0, "nothing stored by a refused store");
    } finally {
      await s.close();
    }
  });
  it("serves a read-only (BEP 43) sender without adding it to the routing table", async () => {
    const s = await setup();
    try {
      const reply = await s.ask("find_node", { id: id(1), target: id(3) }, true);
      assert.deepEqual(reply.body.id, idFromHex(s.node.id));
      assert.equal(s.node.stats().routingTableSize, 0);
      await s.ask("ping", { id: id(1) });
      assert.equal(s.node.stats().routingTableSize, 1);
    } finally {
      await s.close();
    }
  });
});
