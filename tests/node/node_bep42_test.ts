// BEP 42 end to end on the memory network, whose endpoints may bind any IP literal: nodes at
// public-looking addresses learn their external IP from the `ip` of replies, by vote, and take
// an id bound to it; liars below the vote threshold move nothing (reliability.md S8); local
// addresses never change an id; and the network keeps working across the id changes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KademliaNode, SeededRandom } from "../../mod.ts";
import { isSecureNodeId } from "../../src/id/bep42.ts";
import { idFromHex, randomId } from "../../src/id/node_id.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import type { KademliaNodeOptions } from "../../src/node_options.ts";
import type { Address } from "../../src/transport/datagram_transport.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";
import type { WireDict } from "../../src/wire/codec.ts";
import { buildResponseEnvelope } from "../../src/wire/envelope.ts";
import { createSim } from "../_helpers/sim.ts";

const publicIp = (i: number) => `198.51.${100 + (i >> 8)}.${(i & 255) + 1}`;

async function publicNetwork(size: number, options: KademliaNodeOptions = {}, seed = 42) {
  const clock = new VirtualClock();
  const random = new SeededRandom(seed);
  const network = new MemoryNetwork({ clock, random });
  const run = <T>(p: Promise<T>) => clock.runUntilSettled(p);
  const nodes: KademliaNode[] = [];
  for (let i = 0; i < size; i++) {
    const node = new KademliaNode({
      serialization: "bencode",
      transport: network.bind,
      clock,
      random,
      ...options,
    });
    await node.listen(6881, publicIp(i));
    nodes.push(node);
  }
  /**
   * Joins every node through the first, then lets each look itself up once more through its
   * table, as a bucket refresh would: the first nodes to join met too few responders to vote.
   */
  const join = async () => {
    for (const node of nodes.slice(1)) await run(node.bootstrap([nodes[0]!.address!]));
    for (const node of nodes) await run(node.bootstrap());
  };
  const close = async () => {
    for (const node of nodes) await node.close();
    await clock.runAll({ maxMs: 60_000 });
  };
  return { clock, random, network, nodes, run, join, close };
}

describe("BEP 42: our id follows the external IP the network reports", () => {
  it("nodes at public addresses take secure ids once 3 responders agree, and keep working", async () => {
    const net = await publicNetwork(16);
    try {
      const before = net.nodes.map((n) => n.id);
      await net.join();
      for (const [i, node] of net.nodes.entries()) {
        assert.equal(node.externalIp, publicIp(i), `node ${i} knows its address`);
        assert.ok(isSecureNodeId(idFromHex(node.id), publicIp(i)), `node ${i} has a BEP 42 id`);
        assert.notEqual(node.id, before[i], "it moved");
        // The other 139 bits of the random id stay.
        assert.equal(node.id.slice(6), before[i]!.slice(6));
        assert.ok(node.peers().length > 0, "its routing table survived the move");
      }
      const stored = await net.run(net.nodes[3]!.set("k", "v"));
      assert.ok(stored.storedOn.length >= 10);
      assert.equal(await net.run(net.nodes[12]!.get("k")), "v");
      const target = await net.run(net.nodes[5]!.putImmutable("after the move"));
      assert.deepEqual(
        await net.run(net.nodes[9]!.getImmutable(target)),
        new TextEncoder().encode("after the move"),
      );
      const found = await net.run(net.nodes[2]!.findNode(net.nodes[14]!.id));
      assert.equal(found[0]?.id, net.nodes[14]!.id, "others learned the new ids");
    } finally {
      await net.close();
    }
  });

  it("keeps a given nodeId (secureNodeId off by default then), and moves it if asked", async () => {
    const net = await publicNetwork(6);
    const fixed = randomId(new SeededRandom(7));
    const keep = new KademliaNode({
      serialization: "bencode",
      transport: net.network.bind,
      clock: net.clock,
      random: net.random,
      nodeId: fixed,
    });
    const move = new KademliaNode({
      serialization: "bencode",
      transport: net.network.bind,
      clock: net.clock,
      random: net.random,
      nodeId: fixed.map((b) => b ^ 0xff),
      secureNodeId: true,
    });
    try {
      for (const node of net.nodes.slice(1)) {
        await net.run(node.bootstrap([net.nodes[0]!.address!]));
      }
      await keep.listen(6881, "203.0.113.10");
      await move.listen(6881, "203.0.113.11");
      await net.run(keep.bootstrap([net.nodes[0]!.address!]));
      await net.run(move.bootstrap([net.nodes[0]!.address!]));
      assert.equal(keep.externalIp, "203.0.113.10");
      assert.deepEqual(idFromHex(keep.id), fixed);
      assert.ok(isSecureNodeId(idFromHex(move.id), "203.0.113.11"));
    } finally {
      await keep.close();
      await move.close();
      await net.close();
    }
  });

  it("is not moved by two liars reporting a false IP, and follows three honest responders", async () => {
    const net = await publicNetwork(4);
    const codec = new BencodeCodec();
    const liars: Address[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const transport = await net.network.bind({ hostname: `192.0.2.${i + 1}`, port: 6881 });
        const liarId = randomId(net.random);
        transport.onDatagram((data, from) => {
          const query = codec.decode(data);
          const r: WireDict = { id: liarId, nodes: new Uint8Array(0) };
          const lie = { host: "6.6.6.6", port: from.port };
          void transport.send(
            codec.encode(buildResponseEnvelope(query.t as Uint8Array, r, lie)),
            from,
          );
        });
        liars.push(transport.localAddress);
      }
      const [node, ...honest] = net.nodes;
      const original = node!.id;
      await net.run(node!.bootstrap(liars));
      assert.equal(node!.externalIp, undefined);
      assert.equal(node!.id, original, "two voices are not enough");
      for (const other of honest) await net.run(other.bootstrap([liars[0]!]));
      await net.run(node!.bootstrap(honest.map((n) => n.address!)));
      assert.equal(node!.externalIp, publicIp(0));
      assert.ok(isSecureNodeId(idFromHex(node!.id), publicIp(0)));
      assert.ok(!isSecureNodeId(idFromHex(node!.id), "6.6.6.6"));
    } finally {
      await net.close();
    }
  });

  it("leaves ids alone on loopback and private networks (BEP 42 exempts them)", async () => {
    const sim = await createSim({ size: 12, seed: 3 }); // 10.0.0.x addresses
    try {
      const ids = sim.nodes.map((n) => n.id);
      await sim.run(sim.nodes[0]!.bootstrap([sim.nodes[1]!.address!]));
      assert.deepEqual(sim.nodes.map((n) => n.id), ids);
      assert.ok(sim.nodes.every((n) => n.externalIp === undefined));
    } finally {
      await sim.close();
    }
  });

  it('secureContacts "require" builds tables of verified nodes only, once ids are secure', async () => {
    // Ids become secure first (under the default "prefer"), then a "require" node joins.
    const net = await publicNetwork(10);
    try {
      await net.join();
      assert.ok(net.nodes.every((n) => isSecureNodeId(idFromHex(n.id), n.address!.host)));
      const strict = new KademliaNode({
        serialization: "bencode",
        transport: net.network.bind,
        clock: net.clock,
        random: net.random,
        secureContacts: "require",
      });
      const unverified = new KademliaNode({
        serialization: "bencode",
        transport: net.network.bind,
        clock: net.clock,
        random: net.random,
        secureNodeId: false,
      });
      try {
        await unverified.listen(6881, "203.0.113.66");
        await strict.listen(6881, "203.0.113.77");
        await net.run(unverified.bootstrap([net.nodes[0]!.address!]));
        await net.run(strict.bootstrap([net.nodes[0]!.address!, unverified.address!]));
        const peers = strict.peers();
        const missing = net.nodes.filter((n) => !peers.some((p) => p.id === n.id));
        assert.deepEqual(missing, [], "it knows every verified node");
        assert.ok(peers.every((p) => isSecureNodeId(idFromHex(p.id), p.host)), "verified only");
        assert.ok(!peers.some((p) => p.id === unverified.id));
        // It still answers the unverified node (BEP 42: serve, do not store at or route via).
        assert.ok((await net.run(unverified.findNode(strict.id))).some((p) => p.id === strict.id));
      } finally {
        await strict.close();
        await unverified.close();
      }
    } finally {
      await net.close();
    }
  });
});
