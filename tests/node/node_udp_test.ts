// 20 nodes over real UDP on 127.0.0.1, with the current runtime's own socket (no transport
// option: listen() picks Deno.listenDatagram, Bun.udpSocket or node:dgram).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateNodeId, KademliaNode, MemoryStorage, SeededRandom } from "../../mod.ts";
import { hashKey } from "../../src/id/node_id.ts";

function runtimeName(): string {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}

for (const serialization of ["json", "bencode"] as const) {
  describe(`20 nodes over real UDP on ${runtimeName()} (${serialization})`, () => {
    it("every get returns the right value with the right type, and findNode finds each node", async () => {
      // k = 4 of 20 nodes: most gets must travel through find_value to a holder. Seeded ids, so
      // that what the seed's table can hold (4 per bucket, by how the ids fall around its own)
      // is the same every run: random ones left it with 9 to 16 contacts, once 6.
      const storages = Array.from({ length: 20 }, () => new MemoryStorage());
      const random = new SeededRandom(20);
      const nodes = storages.map((storage) =>
        new KademliaNode({ serialization, k: 4, storage, nodeId: generateNodeId(random) })
      );
      try {
        for (const node of nodes) await node.listen(0, "127.0.0.1");
        const seed = nodes[0]!.address!;
        for (const node of nodes.slice(1)) {
          const joined = await node.bootstrap([[seed.host, seed.port]]);
          assert.equal(joined.reached, 1);
        }
        const values = new Map<string, string | Uint8Array>();
        for (let i = 0; i < 10; i++) {
          const value = i % 2 === 0
            ? `str-${i}-ünïcødé`
            : Uint8Array.from({ length: 100 + i }, (_, j) => (j * 7 + i) & 255);
          values.set(`key-${i}`, value);
          const result = await nodes[i]!.set(`key-${i}`, value);
          assert.equal(result.storedOn.length, 4);
          assert.deepEqual(result.failed, []);
        }
        let travelled = 0;
        for (const [index, node] of nodes.entries()) {
          for (const [key, value] of values) {
            if (!storages[index]!.get(hashKey(key))) travelled++;
            const got = await node.get(key);
            assert.equal(typeof got, typeof value);
            assert.deepEqual(got, value, `${key} from ${node.id}`);
          }
        }
        for (const target of nodes.slice(0, 5)) {
          const peers = await nodes[19]!.findNode(target.id);
          if (target !== nodes[19]) assert.equal(peers[0]!.id, target.id);
        }
        assert.ok(travelled >= 100, `gets answered by find_value from a holder: ${travelled}`);
        const found = await nodes[5]!.findValue("key-3");
        assert.deepEqual(found.value, values.get("key-3"));
        const stats = nodes[0]!.stats();
        assert.equal(stats.malformed, 0);
        assert.equal(stats.timedOut, 0);
        assert.ok(stats.routingTableSize >= 8, `seed table: ${stats.routingTableSize}`);
      } finally {
        for (const node of nodes) await node.close();
      }
    });
  });
}

/** True if this host can bind ::1, else the reason it cannot (the IPv6 case is skipped). */
async function ipv6Available(): Promise<true | string> {
  const probe = new KademliaNode();
  try {
    await probe.listen(0, "::1");
    return true;
  } catch (error) {
    return `this host cannot bind ::1: ${(error as Error).message}`;
  } finally {
    await probe.close();
  }
}

const ipv6 = await ipv6Available();
describe(`nodes over real UDP on IPv6 ::1 (${runtimeName()})`, {
  skip: ipv6 === true ? false : ipv6,
}, () => {
  it("join, store and find over ::1, with contacts carried as BEP 32 nodes6", async () => {
    const nodes = Array.from({ length: 6 }, () => new KademliaNode({ serialization: "bencode" }));
    try {
      for (const node of nodes) await node.listen(0, "::1");
      const seed = nodes[0]!.address!;
      for (const node of nodes.slice(1)) await node.bootstrap([`[${seed.host}]:${seed.port}`]);
      // Node 5 learned nodes 1-4 only through nodes6 entries in find_node replies. A lookup
      // moves on from a node slower than its RTT-scaled threshold, and the late reply adds the
      // node when it comes: on a loaded machine, give the stragglers up to a second.
      for (let wait = 0; wait < 100 && nodes[5]!.stats().routingTableSize < 5; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(nodes[5]!.stats().routingTableSize, 5);
      assert.ok(nodes[5]!.peers().every((peer) => peer.host === "::1"));
      await nodes[1]!.set("v6", "over ipv6");
      for (const node of nodes) assert.equal(await node.get("v6"), "over ipv6");
      assert.equal((await nodes[2]!.findNode(nodes[4]!.id))[0]!.id, nodes[4]!.id);
    } finally {
      for (const node of nodes) await node.close();
    }
  });
});
